"""Issue 7 — suites written for pytest run unmodified under minitest (the pytest_compat plugin and
the kernel's handling of pytest's configs, hooks, marks and outcomes)."""

from __future__ import annotations

PYTEST_CONFTEST = """
    import pytest


    def pytest_addoption(parser):
        parser.addoption("--runslow", action="store_true", default=False, help="run slow tests")


    def pytest_configure(config):
        config.addinivalue_line("markers", "slow: a slow test")


    def pytest_collection_modifyitems(config, items):
        if config.getoption("--runslow"):
            return
        skip_slow = pytest.mark.skip(reason="need --runslow option to run")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip_slow)


    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(item, call):
        report = yield
        if call.excinfo is not None and call.when == "call":
            # pytest hands hooks an ExceptionInfo, not a bare exception
            report.sections.append(("excinfo", f"{call.excinfo.typename} {call.excinfo.value}"))
        return report


    @pytest.fixture(scope="module")
    def answer():
        return 42


    @pytest.fixture(params=["a", "b"], ids=["first", "second"])
    def letter(request):
        return request.param
"""

PYTEST_TESTS = """
    import pytest

    pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


    @pytest.mark.slow
    def test_slow():
        pass


    def test_answer(answer, tmpdir, tmp_path, monkeypatch, capsys, request, pytestconfig):
        assert answer == 42
        assert tmpdir.check(dir=1)
        assert str(tmpdir) == str(tmp_path)
        monkeypatch.setenv("X_COMPAT", "1")
        print("hello")
        assert capsys.readouterr().out == "hello\\n"
        assert request.node.name == "test_answer"
        assert pytestconfig.getoption("--runslow") is False


    @pytest.mark.parametrize("a, b", [(1, 2), pytest.param(3, 4, id="three"),
                                      pytest.param(5, 1, marks=pytest.mark.xfail(strict=True))])
    def test_param(a, b):
        assert a < b


    def test_letter(letter):
        assert letter in "ab"


    def test_outcomes():
        with pytest.raises(ZeroDivisionError, match="division"):
            1 / 0
        assert 0.1 + 0.2 == pytest.approx(0.3)
        with pytest.warns(UserWarning):
            import warnings
            warnings.warn("careful", UserWarning)


    def test_skip_inside():
        pytest.skip("not today")


    @pytest.mark.xfail(raises=KeyError, reason="known bug")
    def test_xfail():
        {}["missing"]


    def test_fails():
        assert [1, 2] == [1, 3]


    class TestGroup:
        @pytest.mark.skipif("sys.platform == 'nonexistent'", reason="never")
        def test_in_class(self, answer):
            assert answer == 42
"""


def test_pytest_suite_gives_pytests_outcomes(files, compare):
    files({"pytest.ini": "[pytest]\nmarkers =\n    slow: slow\n", "conftest.py": PYTEST_CONFTEST,
           "test_compat.py": PYTEST_TESTS})
    mine, _ = compare()
    assert mine.ret == 1
    assert mine.outcomes() == {"passed": 7, "failed": 1, "skipped": 2, "xfailed": 2}
    # the pytest-style makereport wrapper saw an ExceptionInfo
    mine.fnmatch_lines(["*- excinfo -*", "AssertionError *"])
    compare("--runslow")


def test_pytest_config_and_pythonpath(files, compare, run):
    files({
        "pyproject.toml": """
            [tool.pytest.ini_options]
            pythonpath = ["src"]
            python_functions = ["check_*"]
        """,
        "src/helper_mod.py": "VALUE = 7\n",
        "test_cfg.py": """
            import helper_mod

            def check_value():
                assert helper_mod.VALUE == 7

            def test_not_collected():
                raise AssertionError("python_functions from the pytest config is ignored")
        """,
    })
    mine, _ = compare()
    assert mine.outcomes() == {"passed": 1}
    run("-v").fnmatch_lines(["configfile: pyproject.toml"])


def test_unknown_pytest_addopts_are_dropped_with_a_warning(files, run):
    files({"pytest.ini": "[pytest]\naddopts = --cov mypkg -q\n", "test_a.py": "def test_a():\n    pass\n"})
    result = run()
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 1}
    assert "--cov mypkg" in result.stderr


def test_unsupported_hooks_and_fixtures_are_reported_clearly(files, run):
    files({
        "conftest.py": """
            def pytest_cmdline_parse(pluginmanager, args):
                return None
        """,
        "test_a.py": """
            def test_uses_pytester(pytester):
                pass

            def test_fine():
                pass
        """,
    })
    result = run("-rE")
    # the unknown pytest hook: a warning naming it, not a crash
    assert "pytest_cmdline_parse" in result.stderr + result.stdout
    # pytester: an error on that test only, saying it is not supported
    assert result.outcomes() == {"passed": 1, "errors": 1}, result.dump()
    result.fnmatch_lines(["*'pytester' fixture*not supported by minitest*"])


def test_pytest_plugins_and_custom_pytest_collectors(files, run):
    files({
        "helper_plugin.py": """
            import pytest

            @pytest.fixture
            def from_plugin():
                return "plugged"
        """,
        "conftest.py": """
            import pytest

            pytest_plugins = ["helper_plugin", "pytester"]


            class YamlFile(pytest.File):
                def collect(self):
                    return []


            def pytest_collect_file(parent, file_path):
                if file_path.suffix == ".yaml":
                    return YamlFile.from_parent(parent, path=file_path)
        """,
        "test_a.py": "def test_plugin(from_plugin):\n    assert from_plugin == 'plugged'\n",
        "spec.yaml": "a: 1\n",
    })
    result = run("--continue-on-collection-errors", "-rE")
    # pytest_plugins modules load; 'pytester' has no equivalent and is skipped with a warning
    assert "pytester" in result.stderr + result.stdout
    # the pytest_shim serves pytest.File as minitest's File: the custom collector just works
    assert result.outcomes() == {"passed": 1}, result.dump()
    # with the real pytest's classes (shim off), such a collector is a clear collection error
    result = run("--continue-on-collection-errors", "-rE", "-p", "no:pytest_shim")
    assert result.outcomes() == {"passed": 1, "errors": 1}, result.dump()
    result.fnmatch_lines(["*ERROR collecting spec.yaml*", "*not supported by minitest*"])


def test_fixture_functions_named_like_tests_are_not_collected(files, compare):
    files({"test_a.py": """
        import pytest

        @pytest.fixture(params=[1, 2])
        def test_url(request):
            return request.param

        def test_uses(test_url):
            assert test_url in (1, 2)
    """})
    mine, _ = compare()
    assert mine.outcomes() == {"passed": 2}


def test_plugins_appending_to_report_sections_directly(files, compare):
    # pytest's attribute is private, but plugins append to it; the sections show with the failure
    files({
        "conftest.py": """
            import pytest

            @pytest.hookimpl(wrapper=True)
            def pytest_runtest_call(item):
                item._report_sections.append(("call", "audit", "audited " + item.name))
                return (yield)
        """,
        "test_a.py": "def test_fails():\n    assert False\n",
    })
    mine, ref = compare()
    for result in (mine, ref):
        result.fnmatch_lines(["*- Captured audit call -*", "audited test_fails"])


def test_outcomes_are_pytests_outcome_classes(files, compare):
    """Plugins written for pytest catch ``_pytest.outcomes`` classes (pytest-trio, anyio,
    hypothesis): minitest's skip / fail / xfail / exit exceptions are instances of them. A group of
    skips (tasks that all skipped) skips the test, a skip without a reason reads "Skipped", both as
    pytest 9 says them."""
    files({"test_a.py": """
        import pytest
        from _pytest import outcomes


        @pytest.mark.parametrize("raise_it, pytest_class", [
            (lambda: pytest.skip("s"), outcomes.Skipped),
            (lambda: pytest.fail("f"), outcomes.Failed),
            (lambda: pytest.xfail("x"), outcomes.XFailed),
            (lambda: pytest.exit("e"), outcomes.Exit),
        ], ids=["skip", "fail", "xfail", "exit"])
        def test_caught_as_pytests(raise_it, pytest_class):
            with pytest.raises(pytest_class):
                raise_it()
            try:
                raise_it()
            except pytest_class as exc:
                assert isinstance(exc, (outcomes.OutcomeException, outcomes.Exit))


        def _skipped(reason):
            try:
                pytest.skip(reason)
            except BaseException as exc:
                return exc


        def test_group_of_skips():
            raise BaseExceptionGroup("tasks", [_skipped("one"), _skipped("two"), _skipped("one")])


        def test_nested_group_of_skips():
            raise BaseExceptionGroup("outer", [BaseExceptionGroup("inner", [_skipped("a")])])


        def test_group_with_a_failure():
            raise BaseExceptionGroup("tasks", [_skipped("one"), ValueError("boom")])


        def test_skip_without_reason():
            pytest.skip()
    """})
    mine, ref = compare("-rs", "--tb=no")
    assert mine.outcomes() == {"passed": 4, "skipped": 3, "failed": 1}

    def skips(result):
        return sorted(line for line in result.lines if line.startswith("SKIPPED") or " SKIPPED" in line)

    assert skips(mine) == skips(ref), mine.dump() + ref.dump()
    mine.fnmatch_lines(["*test_skip_without_reason SKIPPED  *", "*short test summary*", "SKIPPED [[]1] test_a.py:*: one; two",
                        "SKIPPED [[]1] test_a.py:*: inner", "SKIPPED [[]1] test_a.py:*: Skipped"])
