"""Issue 10 — ``import pytest`` in a suite run by minitest is served by minitest (the pytest_shim
plugin): the real pytest is imported only for a name minitest has no equivalent of."""

from __future__ import annotations

import sys

from dual_suite import compare_dual

# a test module's check that nothing of the real pytest was imported but the module of its outcome
# exceptions (minitest's derive from them, see minitest/outcomes.py), which imports only its version
NO_REAL_PYTEST = """
    def _real_pytest_modules():
        light = {"_pytest", "_pytest._version", "_pytest.outcomes"}
        return sorted(m for m in sys.modules if (m == "_pytest" or m.startswith("_pytest.")) and m not in light)
"""

CONFTEST = """
    import pytest


    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(item, call):
        report = yield
        if call.when == "call" and call.excinfo is not None:
            report.sections.append(("shim", f"{call.excinfo.typename} seen by a pytest.hookimpl wrapper"))
        return report


    def pytest_addoption(parser: pytest.Parser) -> None:
        parser.addoption("--shim-flag", action="store_true", default=False)


    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(items):
        items.sort(key=lambda item: item.name)


    def pytest_sessionfinish(session, exitstatus):
        # (a dist worker whose tests all passed finishes with OK)
        assert exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)


    @pytest.fixture(params=[1, 2])
    def number(request):
        return request.param
"""

TESTS = """
    import sys

    import minitest
    import pytest
""" + NO_REAL_PYTEST + """

    def test_a_is_served_by_minitest():
        assert pytest.fixture is minitest.fixture
        assert pytest.mark is minitest.mark
        assert pytest.raises is minitest.raises
        assert not hasattr(pytest, "__file__")
        assert _real_pytest_modules() == []


    @pytest.mark.parametrize("x", [1, pytest.param(2, id="two")])
    def test_b_param(x, number):
        assert x in (1, 2) and number in (1, 2)


    def test_c_outcome_exceptions():
        with pytest.raises(pytest.skip.Exception, match="later"):
            pytest.skip("later")
        with pytest.raises(pytest.fail.Exception):
            pytest.fail("no")
        with pytest.raises(pytest.xfail.Exception):
            pytest.xfail("known")
        with pytest.raises(pytest.exit.Exception):
            pytest.exit("stop")
        try:
            pytest.skip("caught")
        except pytest.skip.Exception as exc:
            assert exc.msg == "caught"


    def test_c_fixture_lookup_error(request):
        with pytest.raises(pytest.FixtureLookupError):
            request.getfixturevalue("no_such_fixture")


    def test_d_approx_and_warns():
        assert repr(pytest.approx(1.0)) == "1.0 ± 1.0e-06"
        assert repr(pytest.approx([1, 2])) == "approx([1 ± 1.0e-06, 2 ± 2.0e-06])"
        assert 0.1 + 0.2 == pytest.approx(0.3)
        with pytest.warns(UserWarning, match="careful"):
            import warnings

            warnings.warn("careful", UserWarning)
        excinfo = pytest.raises(ZeroDivisionError, lambda: 1 / 0)
        assert isinstance(excinfo, pytest.ExceptionInfo)


    def test_e_fails():
        assert 1 == 2


    def test_f_skipped():
        pytest.skip("not today")


    def test_z_still_nothing_real():
        assert _real_pytest_modules() == []
"""


def test_pytest_suite_runs_without_importing_pytest(files, run):
    files({"conftest.py": CONFTEST, "test_suite.py": TESTS})
    result = run("-rs")
    assert result.ret == 1, result.dump()
    result.assert_outcomes(passed=9, failed=1, skipped=1)
    result.fnmatch_lines(["*- shim -*", "AssertionError seen by a pytest.hookimpl wrapper"])


def test_dist_workers_get_the_shim_too(files, run):
    files({"conftest.py": CONFTEST, "test_suite.py": TESTS})
    result = run("-n", "2")
    result.assert_outcomes(passed=9, failed=1, skipped=1)


FORWARDING = """
    import importlib.metadata
    import sys
    import warnings

    import minitest
    import pytest


    def test_forwarded_names_import_the_real_pytest():
        assert "_pytest.config" not in sys.modules
        assert isinstance(pytest.Pytester, type) and pytest.Pytester.__module__ == "_pytest.pytester"
        assert "_pytest.config" in sys.modules
        with pytest.warns(pytest.PytestWarning):
            warnings.warn(pytest.PytestWarning("from pytest"))
        assert pytest.__version__ == importlib.metadata.version("pytest")
        assert "Pytester" in dir(pytest)
        # afterwards ``import pytest`` still gives minitest's API, and pytest's internals import
        import pytest as again
        import _pytest.monkeypatch

        assert again.fixture is minitest.fixture
        assert again.MonkeyPatch is minitest.MonkeyPatch
        assert _pytest.monkeypatch.MonkeyPatch is not minitest.MonkeyPatch
"""


def test_names_minitest_lacks_are_forwarded_to_the_real_pytest(files, run):
    files({"test_forward.py": FORWARDING})
    result = run()
    result.assert_outcomes(passed=1)


BLOCKED = """
    import minitest
    import pytest


    def test_real():
        assert pytest.fixture is not minitest.fixture
        assert pytest.__file__.endswith("__init__.py")


    @pytest.fixture
    def value():
        return 3


    def test_suite_still_runs(value):
        with pytest.raises(pytest.skip.Exception):
            pytest.skip("x")
        assert value == 3
"""


def test_blocking_the_plugin_gives_the_real_pytest(files, run):
    files({"test_blocked.py": BLOCKED})
    result = run("-p", "no:pytest_shim")
    result.assert_outcomes(passed=2)


def test_blocking_from_addopts(files, run):
    files({"test_blocked.py": BLOCKED, "minitest.ini": "[minitest]\naddopts = -p no:pytest_shim\n"})
    result = run()
    result.assert_outcomes(passed=2)


IN_PROCESS = """
    import sys

    import minitest

    if sys.argv[1] == "pytest-first":
        import pytest

        real = pytest
    code = minitest.main(["-q", "-p", "no:cache", "test_inprocess.py"])
    if sys.argv[1] == "pytest-first":
        assert sys.modules["pytest"] is real
    else:
        # the shim leaves with the run
        assert "pytest" not in sys.modules, sys.modules["pytest"]
    sys.exit(code)
"""

IN_PROCESS_TEST = """
    import sys

    import minitest
    import pytest


    def test_which():
        served = pytest.fixture is minitest.fixture
        assert served == (sys.argv[1] != "pytest-first")
"""


def test_not_installed_when_pytest_is_already_imported(files, run, tmp_path):
    files({"script.py": IN_PROCESS, "test_inprocess.py": IN_PROCESS_TEST})
    from conftest import build_minitest_command, run_process

    for mode in ("pytest-first", "plain"):
        _, env = build_minitest_command()
        result = run_process([sys.executable, "script.py", mode], tmp_path, env)
        assert result.ret == 0, result.dump()


def test_without_pytest_installed_a_clear_error(files, run, tmp_path):
    # a ``pytest`` that cannot be imported, first on sys.path: as if pytest were not installed
    files({
        "fake/pytest.py": """
            raise ModuleNotFoundError("No module named 'pytest'", name="pytest")
        """,
        "tests/test_missing.py": """
            import pytest


            def test_served():
                with pytest.raises(ZeroDivisionError):
                    1 / 0


            def test_missing():
                with pytest.raises(AttributeError, match="minitest has no equivalent of pytest.Pytester, "
                                                         "and pytest is not installed"):
                    pytest.Pytester
        """,
    })
    result = run("tests", pythonpath=[tmp_path / "fake"])
    result.assert_outcomes(passed=2)


def test_pytest_main_from_a_test_runs_the_real_pytest(files, run):
    # modules that pytest loads while pytest.main() runs get the real pytest, not minitest's API
    files({
        "inner/test_inner.py": """
            import pytest


            def test_inner():
                assert pytest.fixture.__module__.startswith("_pytest")
        """,
        "test_outer.py": """
            import sys

            import minitest
            import pytest


            def test_outer():
                code = pytest.main(["-q", "-p", "no:cacheprovider", "inner"])
                assert code == 0
                assert sys.modules["pytest"].fixture is minitest.fixture
        """,
    })
    result = run("test_outer.py")
    # pytest.main() leaves the inner rootdir on sys.path (pytest's prepend import mode): the
    # leak report says so
    result.assert_outcomes(passed=1, warnings=1)
    assert "left behind: sys.path changed" in result.stdout


def test_warning_classes_come_without_importing_pytest(files, run):
    # pytest's warning classes (common in filterwarnings settings) are pytest's own objects, read
    # from the small module defining them
    files({
        "pytest.ini": "[pytest]\nfilterwarnings =\n    error::pytest.PytestExperimentalApiWarning\n",
        "test_warn.py": """
            import sys
            import warnings

            import pytest


            def test_classes():
                with pytest.warns(pytest.PytestUnknownMarkWarning):
                    warnings.warn(pytest.PytestUnknownMarkWarning("x"))
                assert issubclass(pytest.PytestUnknownMarkWarning, pytest.PytestWarning)
                assert pytest.PytestWarning.__module__ == "pytest"
                assert "_pytest.config" not in sys.modules and "_pytest.python_api" not in sys.modules


            def test_filter_from_the_config():
                warnings.warn(pytest.PytestExperimentalApiWarning("error by config"))
        """,
    })
    result = run("-rf")
    result.assert_outcomes(passed=1, failed=1)
    result.fnmatch_lines(["*PytestExperimentalApiWarning: error by config", "FAILED test_warn.py::test_filter_from_the_config*"])


NODE_CLASSES = {
    "conftest.py": """
        import pytest


        def pytest_collection_modifyitems(config: pytest.Config, items):
            # a common conftest pattern: it must see the run's own objects as pytest's classes
            assert isinstance(config, pytest.Config)
            for item in items:
                if isinstance(item, pytest.Function) and isinstance(item.parent, pytest.Module):
                    item.add_marker(pytest.mark.skip(reason="a function of a module"))
                elif isinstance(item, pytest.Function) and isinstance(item.parent, pytest.Class):
                    item.add_marker(pytest.mark.xfail(reason="a method", strict=True))
    """,
    "test_nodes.py": """
        def test_function():
            pass


        class TestGroup:
            def test_method(self):
                assert False
    """,
}


def test_isinstance_checks_on_pytest_node_classes_hold(tmp_path):
    mine, _ = compare_dual(tmp_path, NODE_CLASSES)
    assert mine.outcomes() == {"skipped": 1, "xfailed": 1}, mine.dump()


CUSTOM_COLLECTOR = {
    # pytest's documented pattern for non-Python test files, written on pytest's node classes
    "conftest.py": """
        import pytest


        def pytest_collect_file(parent, file_path):
            if file_path.suffix == ".spec" and file_path.name.startswith("test"):
                return SpecFile.from_parent(parent, path=file_path)


        class SpecFile(pytest.File):
            def collect(self):
                for line in self.path.read_text(encoding="utf-8").splitlines():
                    name, _, expr = line.partition(":")
                    yield SpecItem.from_parent(self, name=name.strip(), expr=expr.strip())


        class SpecItem(pytest.Item):
            def __init__(self, *, expr, **kwargs):
                super().__init__(**kwargs)
                self.expr = expr

            def runtest(self):
                if not eval(self.expr):
                    raise SpecFailure(self.expr)

            def repr_failure(self, excinfo):
                if isinstance(excinfo.value, SpecFailure):
                    return "spec failed\\n   expression: " + excinfo.value.args[0]
                return super().repr_failure(excinfo)

            def reportinfo(self):
                return self.path, 0, f"spec: {self.name}"


        class SpecFailure(Exception):
            pass
    """,
    "test_rules.spec": "adds: 1 + 1 == 2\nbroken: 1 + 1 == 3\nraises: 1 / 0\n",
}


def test_custom_collector_on_pytest_classes_runs_as_under_pytest(tmp_path):
    mine, ref = compare_dual(tmp_path, CUSTOM_COLLECTOR, "-rf")
    assert mine.outcomes() == {"failed": 2, "passed": 1}, mine.dump()
    for result in (mine, ref):
        result.fnmatch_lines([
            "*_ spec: broken _*",
            "spec failed",
            "   expression: 1 + 1 == 3",
        ])
        result.fnmatch_lines(["*ZeroDivisionError*"])
        result.fnmatch_lines(["FAILED test_rules.spec::broken - spec failed"])


GETREPR_ITEM = {
    "conftest.py": """
        import pytest


        def pytest_collect_file(parent, file_path):
            if file_path.suffix == ".check":
                return CheckFile.from_parent(parent, path=file_path)


        class CheckFile(pytest.File):
            def collect(self):
                yield CheckItem.from_parent(self, name="divides")


        class CheckItem(pytest.Item):
            def runtest(self):
                return 1 / 0

            def repr_failure(self, excinfo):
                return excinfo.getrepr(style="short")


        def pytest_runtest_logreport(report):
            if report.failed:
                print("CRASH:", report.longrepr.reprcrash.message)
    """,
    "test_x.check": "",
}


def test_custom_item_repr_failure_through_getrepr(tmp_path):
    mine, ref = compare_dual(tmp_path, GETREPR_ITEM, "-s", "-rf")
    for result in (mine, ref):
        result.fnmatch_lines(["*CRASH: ZeroDivisionError: division by zero*"])
        result.fnmatch_lines(["E   ZeroDivisionError: division by zero"])
        result.fnmatch_lines(["FAILED test_x.check::divides - ZeroDivisionError: division by zero"])
