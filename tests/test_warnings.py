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
