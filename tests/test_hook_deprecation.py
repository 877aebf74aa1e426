"""The deprecation policy in use: ``minitest_report_header``'s ``startdir`` argument (renamed
``start_path``) keeps working for one release and warns the plugin's author, through pluggy's
``warn_on_impl_args`` on the hookspec."""

from __future__ import annotations

import warnings

import pytest

TEST = "def test_ok():\n    pass\n"
MESSAGE = "MinitestDeprecationWarning: the 'startdir' argument of minitest_report_header is deprecated*"


def test_the_spec_declares_the_deprecated_argument():
    from minitest import hookspecs

    opts = hookspecs.minitest_report_header.minitest_spec
    warning = opts["warn_on_impl_args"]["startdir"]
    assert isinstance(warning, hookspecs.MinitestDeprecationWarning)
    assert isinstance(warning, FutureWarning)  # shown by Python's default filters
    assert "start_path" in str(warning)


def test_registering_an_old_style_plugin_warns_at_its_function():
    from minitest.hookspecs import MinitestDeprecationWarning
    from minitest.pluginmanager import MinitestPluginManager

    class OldPlugin:
        def minitest_report_header(self, startdir):
            return f"in {startdir}"

    pm = MinitestPluginManager()
    with pytest.warns(MinitestDeprecationWarning, match="'startdir'") as record:
        pm.register(OldPlugin())
    assert record[0].filename == __file__


def test_new_name_does_not_warn():
    from minitest.pluginmanager import MinitestPluginManager

    class NewPlugin:
        def minitest_report_header(self, start_path):
            return f"in {start_path}"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        MinitestPluginManager().register(NewPlugin())


def test_conftest_using_the_old_name_still_works_and_warns(files, run):
    files({"conftest.py": "def minitest_report_header(startdir):\n    return f'startdir={startdir.name}'\n",
           "test_ok.py": TEST})
    result = run()
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["startdir=test_conftest_using_the_old_n*"])
    result.fnmatch_lines([f"*conftest.py:1: {MESSAGE}"], stream="stderr")


def test_pytest_conftest_with_startdir_runs_with_the_warning(files, run):
    files({"conftest.py": "def pytest_report_header(config, startdir):\n    return 'hello from pytest era'\n",
           "test_ok.py": TEST})
    result = run()
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["hello from pytest era"])
    result.fnmatch_lines([f"*conftest.py:1: {MESSAGE}"], stream="stderr")


def test_late_conftest_warning_goes_to_the_warnings_summary(files, run):
    files({"sub/conftest.py": "def minitest_report_header(startdir):\n    return 'x'\n",
           "sub/test_ok.py": TEST})
    result = run()  # sub/conftest.py is found while collecting
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["*warnings summary*", f"*sub/conftest.py:1: {MESSAGE}", "*= 1 passed, 1 warning in *"])


def test_new_name_gives_no_warning(files, run):
    files({"conftest.py": "def minitest_report_header(start_path):\n    return 'fresh'\n", "test_ok.py": TEST})
    result = run()
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["fresh"])
    assert "Deprecation" not in result.output


def test_renamed_hook_still_called_and_warns(files, run, tmp_path):
    """warn_on_impl: a plugin implementing the old hook name minitest_warning_captured gets a
    MinitestDeprecationWarning naming the new hook, and its implementation still runs."""
    files({
        "conftest.py": """
            import pathlib

            def minitest_warning_captured(warning_message, when, item, location):
                pathlib.Path("seen.txt").write_text(f"{when} {item.name} {warning_message.message}")
        """,
        "test_w.py": """
            import warnings

            def test_warns():
                warnings.warn("old hook sees me", UserWarning)
        """,
    })
    result = run()
    assert result.ret == 0, result.dump()
    assert "minitest_warning_captured is deprecated" in result.stderr + result.stdout
    assert "minitest_warning_recorded" in result.stderr + result.stdout
    assert (tmp_path / "seen.txt").read_text() == "runtest test_warns old hook sees me"
