"""The ``unittest`` plugin: TestCase classes collected and run as pytest 9 does.

Each test writes a folder, runs minitest and pytest on it (``compare``: same node ids with the
same outcome words, same exit code, same final-line counts) and checks the lines that matter.
"""

from __future__ import annotations

from conftest import dual_conftest

OUTCOMES = """
    import unittest

    class T(unittest.TestCase):
        def test_pass(self):
            pass

        def test_fail(self):
            self.assertEqual(1, 2)

        def test_error(self):
            raise ValueError("x")

        def test_skiptest(self):
            self.skipTest("nope")

        @unittest.skip("deco")
        def test_skipdeco(self):
            pass

        @unittest.skipIf(True, "cond")
        def test_skipif(self):
            pass

        def test_raise_skiptest(self):
            raise unittest.SkipTest("raised")

        @unittest.expectedFailure
        def test_xfail(self):
            assert 0

        @unittest.expectedFailure
        def test_unexpected_success(self):
            pass

        def test_cleanup(self):
            self.addCleanup(print, "cleanup ran")

    @unittest.skip("whole class")
    class S(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            raise AssertionError("a skipped class is never set up")

        def test_a(self):
            pass

        def test_b(self):
            pass

    class NoTests(unittest.TestCase):
        def helper(self):
            pass

    class RunTestOnly(unittest.TestCase):
        def runTest(self):
            pass
"""


def test_outcomes_and_skip_locations_match_pytest(files, compare):
    files({"test_ut.py": OUTCOMES})
    mine, ref = compare("-rsx")
    mine.assert_outcomes(failed=3, passed=3, skipped=6, xfailed=1)
    # skips point at the test method (its first line), not at where unittest raised
    for res in (mine, ref):
        res.fnmatch_lines(["SKIPPED [[]1[]] test_ut.py:24: raised", "SKIPPED [[]1[]] test_ut.py:16: deco",
                           "SKIPPED [[]1[]] test_ut.py:20: cond", "SKIPPED [[]1[]] test_ut.py:13: nope",
                           "SKIPPED [[]1[]] test_ut.py:44: whole class", "XFAIL test_ut.py::T::test_xfail"])
    mine.fnmatch_lines(["*_ T.test_unexpected_success _*", "Unexpected success"])
    assert "test_ut.py::RunTestOnly::runTest PASSED" in mine.stdout


def test_failure_traceback_is_cut_to_the_test_method(files, run):
    files({"test_tb.py": """
        import unittest

        class T(unittest.TestCase):
            def test_fail(self):
                self.assertEqual(1, 2)
    """})
    result = run()
    result.fnmatch_lines(["*_ T.test_fail _*", "", "self = <test_tb.T testMethod=test_fail>", "",
                          "    def test_fail(self):", ">       self.assertEqual(1, 2)",
                          "E       AssertionError: 1 != 2", "", "test_tb.py:5: AssertionError"],
                         consecutive=True)
    # unittest's own frames (case.py) are hidden, as pytest hides them
    assert "case.py" not in result.stdout


SETUP_ERRORS = """
    import unittest

    class A(unittest.TestCase):
        @classmethod
        def setUpClass(cls):
            raise RuntimeError("boom in setUpClass")

        def test_a1(self):
            pass

        def test_a2(self):
            pass

    class B(unittest.TestCase):
        @classmethod
        def tearDownClass(cls):
            raise RuntimeError("boom in tearDownClass")

        def test_b1(self):
            pass

        def test_b2(self):
            pass

    class C(unittest.TestCase):
        def setUp(self):
            raise ValueError("setUp broke")

        def test_c(self):
            pass

    class D(unittest.TestCase):
        def tearDown(self):
            raise ValueError("tearDown broke")

        def test_d(self):
            assert 0, "body"

    class F(unittest.TestCase):
        def test_cleanup_fails(self):
            def bad():
                raise KeyError("cleanup")
            self.addCleanup(bad)
"""


def test_class_setup_and_teardown_errors_match_pytest(files, compare):
    files({"test_setup.py": SETUP_ERRORS})
    mine, _ = compare()
    mine.assert_outcomes(failed=3, passed=2, errors=4)
    mine.fnmatch_lines(["*ERROR at setup of A.test_a1*", "*ERROR at setup of A.test_a2*",
                        "*ERROR at teardown of B.test_b2*", "*ERROR at teardown of D.test_d*"])
    # a failing test whose tearDown fails too: the test fails, its teardown errors
    assert "test_setup.py::D::test_d FAILED" in mine.stdout
    assert "test_setup.py::D::test_d ERROR" in mine.stdout
    mine.fnmatch_lines(["FAILED test_setup.py::C::test_c - ValueError: setUp broke"])


def test_module_and_class_hooks_run_in_pytest_order(files, run, run_pytest, tmp_path):
    files({"test_order.py": """
        import os
        import unittest

        LOG = os.environ["ORDER_LOG"]

        def log(what):
            with open(LOG, "a") as f:
                f.write(what + "\\n")

        def setUpModule():
            log("setUpModule")

        def tearDownModule():
            log("tearDownModule")

        class A(unittest.TestCase):
            @classmethod
            def setUpClass(cls):
                log("setUpClass")

            @classmethod
            def tearDownClass(cls):
                log("tearDownClass")

            def setUp(self):
                log("setUp")
                self.addCleanup(log, "cleanup")

            def tearDown(self):
                log("tearDown")

            def test_1(self):
                log("test_1")

            def test_2(self):
                log("test_2")
    """})
    logs = {}
    for name, runner in (("minitest", run), ("pytest", run_pytest)):
        log = tmp_path / f"{name}.log"
        result = runner(env={"ORDER_LOG": str(log)})
        assert result.ret == 0, result.dump()
        logs[name] = log.read_text().split()
    assert logs["minitest"] == ["setUpModule", "setUpClass", "setUp", "test_1", "tearDown", "cleanup",
                                "setUp", "test_2", "tearDown", "cleanup", "tearDownClass", "tearDownModule"]
    assert logs["minitest"] == logs["pytest"]


def test_module_setup_error_errors_every_test_of_the_module(files, compare):
    files({"test_mod.py": """
        import unittest

        def setUpModule():
            raise RuntimeError("module setup fail")

        class H(unittest.TestCase):
            def test_h1(self):
                pass

            def test_h2(self):
                pass

        def test_plain():
            pass
    """})
    mine, _ = compare()
    mine.assert_outcomes(errors=3)
    mine.fnmatch_lines(["ERROR test_mod.py::H::test_h1 - RuntimeError: module setup fail"])


SUBTESTS = """
    import unittest

    class T(unittest.TestCase):
        def test_sub(self):
            for i in range(4):
                with self.subTest(i=i):
                    self.assertLess(i, 2)

        def test_sub_ok(self):
            for i in range(2):
                with self.subTest(i=i):
                    pass

        def test_sub_then_fail(self):
            with self.subTest("msg here", x=1):
                assert 0, "sub"
            assert 0, "main"

        def test_sub_skip(self):
            with self.subTest(y=2):
                self.skipTest("subskip")
"""


def test_failing_subtests_are_reported_and_counted_as_pytest_does(files, compare, run):
    files({"test_sub.py": SUBTESTS})
    mine, _ = compare()
    # verbose: passed and skipped subtests count too (pytest 9's "N subtests passed")
    assert mine.outcomes() == {"failed": 4, "passed": 3, "skipped": 1, "subtests": 4}
    mine.fnmatch_lines(["*_ T.test_sub (i=2) _*", "*_ T.test_sub (i=3) _*",
                        "*_ T.test_sub_then_fail [[]msg here[]] (x=1) _*", "*_ T.test_sub_then_fail _*"])
    # the test holding failed subtests itself passes (unittest recorded no error for it)
    assert "test_sub.py::T::test_sub PASSED" in mine.stdout
    mine.fnmatch_lines(["test_sub.py::T::test_sub SUBFAILED(i=2)*"])
    # not verbose: only failed subtests are shown and counted
    quiet = run()
    assert quiet.outcomes() == {"failed": 4, "passed": 3}


def test_async_test_methods_of_isolated_asyncio_testcase(files, compare):
    files({"test_async.py": """
        import asyncio
        import unittest

        class E(unittest.IsolatedAsyncioTestCase):
            async def asyncSetUp(self):
                self.value = 41

            async def test_ok(self):
                await asyncio.sleep(0)
                self.assertEqual(self.value + 1, 42)

            async def test_fail(self):
                assert self.value == 2
    """})
    mine, _ = compare()
    mine.assert_outcomes(failed=1, passed=1)
    mine.fnmatch_lines(["*_ E.test_fail _*", "*async def test_fail(self):", ">*assert self.value == 2"])


def test_fixtures_reach_testcase_methods(files, compare):
    files({
        "conftest.py": dual_conftest("""
            import importlib
            framework = importlib.import_module(PREFIX)

            @framework.fixture
            def answer(request):
                request.cls.answer = 42

            @framework.fixture(autouse=True)
            def marker_file(tmp_path_factory, request):
                request.node.user_properties.append(("autouse", True))
        """),
        "test_fx.py": """
            import importlib
            import sys
            import unittest
            from pathlib import Path

            PREFIX = "pytest" if Path(sys.argv[0]).parent.name == "pytest" else "minitest"
            framework = importlib.import_module(PREFIX)

            @framework.mark.usefixtures("answer")
            class U(unittest.TestCase):
                def test_usefixtures(self):
                    assert self.answer == 42

            class Auto(unittest.TestCase):
                @framework.fixture(autouse=True)
                def inject(self, tmp_path):
                    self.tmp = tmp_path

                def test_tmp(self):
                    assert self.tmp.is_dir()

            class M(unittest.TestCase):
                @framework.mark.xfail(reason="marked")
                def test_markxf(self):
                    assert 0

                @framework.mark.skip(reason="mark skip")
                def test_markskip(self):
                    pass
        """,
    })
    mine, _ = compare()
    mine.assert_outcomes(passed=2, skipped=1, xfailed=1)


def test_abstract_and_dunder_test_false_classes_are_not_collected(files, compare):
    files({"test_abs.py": """
        import abc
        import unittest

        class Base(unittest.TestCase, metaclass=abc.ABCMeta):
            @abc.abstractmethod
            def make(self): ...

            def test_it(self):
                pass

        class Hidden(unittest.TestCase):
            __test__ = False

            def test_x(self):
                pass

        class Real(unittest.TestCase):
            def test_y(self):
                pass

            def test_z(self):
                pass
            test_z.__test__ = False
    """})
    mine, _ = compare()
    mine.assert_outcomes(passed=1)


def test_testcase_tests_are_selectable_by_node_id(files, run):
    files({"test_sel.py": OUTCOMES})
    result = run("-v", "test_sel.py::T::test_pass", "test_sel.py::S")
    result.assert_outcomes(passed=1, skipped=2)
    assert "test_sel.py::T::test_pass PASSED" in result.stdout
