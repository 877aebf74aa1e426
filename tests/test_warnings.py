"""The warnings plugin: per-test capture, the summary, -W / filterwarnings ini / mark filters."""

from __future__ import annotations

from conftest import verbose_nodeids
from dual_suite import compare_dual

SUITE = {
    "mywarnings.py": """
        class MyWarning(UserWarning):
            pass
    """,
    "minitest.ini": """
        [minitest]
        filterwarnings =
            error::mywarnings.MyWarning
            ignore:ignored by ini:UserWarning
    """,
    "test_w.py": """
        import warnings

        import minitest
        from mywarnings import MyWarning

        pytestmark = minitest.mark.filterwarnings("ignore:module wide")

        def test_user_warning():
            warnings.warn("plain user warning", UserWarning)

        def test_deprecation():
            warnings.warn("deprecated thing", DeprecationWarning)

        def test_custom_category_is_error():
            warnings.warn("custom", MyWarning)

        def test_ignored_by_ini():
            warnings.warn("ignored by ini", UserWarning)

        def test_ignored_by_module_mark():
            warnings.warn("module wide", UserWarning)

        @minitest.mark.filterwarnings("error")
        def test_mark_error():
            warnings.warn("now an error", RuntimeWarning)

        @minitest.mark.filterwarnings("default::mywarnings.MyWarning")
        def test_mark_overrides_ini():
            warnings.warn("allowed here", MyWarning)

        def test_warns_helper():
            with minitest.warns(UserWarning):
                warnings.warn("expected", UserWarning)
    """,
}


def test_warnings_match_pytest(tmp_path):
    mine, ref = compare_dual(tmp_path, SUITE)
    assert mine.outcomes() == {"failed": 2, "passed": 6, "warnings": 3}, mine.dump()
    for result in (mine, ref):
        result.fnmatch_lines([
            "*= warnings summary =*",
            "test_w.py::test_user_warning",
            "  */test_w.py:9: UserWarning: plain user warning",
            "    warnings.warn(*",
            "test_w.py::test_deprecation",
            "  */test_w.py:12: DeprecationWarning: deprecated thing",
            "test_w.py::test_mark_overrides_ini",
            "*MyWarning: allowed here",
            "-- Docs: *",
        ])
        result.no_fnmatch_line("*ignored by ini*")
        result.no_fnmatch_line("*module wide*")


def test_command_line_filters_and_collection_warnings(tmp_path):
    files = {
        "test_c.py": """
            import warnings

            warnings.warn("at import time", UserWarning)

            class TestHasInit:
                def __init__(self):
                    pass

                def test_never(self):
                    pass

            def test_one():
                warnings.warn("literal [message] (x)", UserWarning)
        """,
    }
    mine, _ = compare_dual(tmp_path, files, "-W", "error:literal [message] (x)")
    mine.fnmatch_lines(["*UserWarning: literal [[]message] (x)*"])
    assert mine.outcomes() == {"failed": 1, "warnings": 2}, mine.dump()
    mine.fnmatch_lines(["*warnings summary*", "test_c.py:*", "*UserWarning: at import time*"])

    plain, _ = compare_dual(tmp_path / "again", files, "-W", "ignore::UserWarning")
    assert plain.outcomes() == {"passed": 1}, plain.dump()  # the collection warning is a UserWarning too


def test_bad_filter_is_a_usage_error(files, run):
    files({"test_x.py": "def test_x(): pass\n"})
    result = run("-W", "error::not.a.Module")
    assert result.ret == 4, result.dump()
    assert "not.a.Module" in result.output


def test_filter_added_by_a_conftest_at_configure_applies(tmp_path):
    # a common pattern in pytest suites; the parsed run filters must not miss a line added after
    # the warnings plugin was configured
    files = {
        "conftest.py": """
            def minitest_configure(config):
                config.addinivalue_line("filterwarnings", "error:made an error by conftest")
        """,
        "test_a.py": """
            import warnings

            def test_error():
                warnings.warn("made an error by conftest", UserWarning)

            def test_still_a_warning():
                warnings.warn("only a warning", UserWarning)
        """,
    }
    mine, _ = compare_dual(tmp_path, files)
    assert mine.outcomes() == {"failed": 1, "passed": 1, "warnings": 1}, mine.dump()


def test_command_line_filter_wins_over_the_ini_filterwarnings(tmp_path):
    # as pytest: the ini filters go first and -W after them, so "-W ignore::UserWarning" takes
    # precedence over "filterwarnings = error" for UserWarning; other categories stay errors
    files = {
        "minitest.ini": """
            [minitest]
            filterwarnings = error
        """,
        "test_w.py": """
            import warnings

            def test_user_warning_ignored():
                warnings.warn("ignored by -W", UserWarning)

            def test_runtime_warning_is_an_error():
                warnings.warn("an error by the ini", RuntimeWarning)
        """,
    }
    mine, _ = compare_dual(tmp_path, files, "-W", "ignore::UserWarning")
    assert mine.ret == 1, mine.dump()
    assert verbose_nodeids(mine) == [("test_w.py::test_user_warning_ignored", "PASSED"),
                                     ("test_w.py::test_runtime_warning_is_an_error", "FAILED")], mine.dump()
    assert mine.outcomes() == {"failed": 1, "passed": 1}, mine.dump()
    mine.fnmatch_lines(["E       RuntimeWarning: an error by the ini"])
    mine.no_fnmatch_line("*ignored by -W*")


CONFIG_TIME = {
    "conftest.py": """
        def minitest_configure(config):
            config.issue_config_time_warning(UserWarning("configured oddly"), stacklevel=2)
    """,
    "test_a.py": """
        def test_a():
            pass
    """,
}


def test_a_config_time_warning_is_in_the_summary_and_counted_as_pytest_does(tmp_path):
    # pytest-asyncio and others warn so about their ini keys: pytest shows it with the run's
    # warnings, not on stderr, and the final line counts it
    mine, ref = compare_dual(tmp_path, CONFIG_TIME)
    assert mine.outcomes() == {"passed": 1, "warnings": 1}, mine.dump()
    for result in (mine, ref):
        result.fnmatch_lines(["*= warnings summary =*", "conftest.py:2",
                              "  */conftest.py:2: UserWarning: configured oddly",
                              "    config.issue_config_time_warning(*"])
        assert "configured oddly" not in result.stderr, result.dump()


def test_config_time_warnings_follow_the_filters_and_the_warnings_plugin(tmp_path):
    ignored, ref_ignored = compare_dual(tmp_path / "ignore", CONFIG_TIME, "-W", "ignore::UserWarning")
    assert ignored.outcomes() == {"passed": 1} and "configured oddly" not in ignored.stdout + ignored.stderr
    blocked, ref_blocked = compare_dual(tmp_path / "blocked", CONFIG_TIME, "-p", "no:warnings")
    assert blocked.outcomes() == {"passed": 1} and "configured oddly" not in blocked.stdout + blocked.stderr
    # an error filter raises it where it is issued: the configure hook fails, an internal error (3)
    error, ref_error = compare_dual(tmp_path / "error", CONFIG_TIME, "-W", "error::UserWarning", counts=False)
    assert error.ret == ref_error.ret == 3, error.dump()
    assert "UserWarning: configured oddly" in error.stdout + error.stderr, error.dump()


def test_a_config_time_warning_is_counted_once_with_spawned_workers(files, run):
    # each worker is configured as the controller was and issues it too: the controller's is the one
    files(CONFIG_TIME)
    result = run("--tx", "2*popen")
    assert result.ret == 0 and result.outcomes() == {"passed": 1, "warnings": 1}, result.dump()
    assert result.stdout.count("UserWarning: configured oddly") == 1, result.dump()
