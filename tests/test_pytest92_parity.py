"""What pytest 9.1 and 9.2 changed that users see, followed by minitest (changelog numbers in each
test's name or docstring); each compares with pytest on the same folder where both can run it."""

from __future__ import annotations

import re

import pytest
from conftest import dual_conftest

SKIP_AND_FAIL = {"test_a.py": """
    import pytest

    def test_skip():
        pytest.skip("why")

    def test_fail():
        assert 0
"""}


def _summary(result) -> list[str]:
    return [line for line in result.lines if line.startswith(("SKIPPED ", "FAILED "))]


@pytest.mark.parametrize("args", [("--report-chars=s",), ("--report-chars", "s"), ("-rs",)])
def test_report_chars_is_the_long_form_of_r(files, compare, args):
    """9.1 #14023: ``--report-chars`` is ``-r``."""
    files(SKIP_AND_FAIL)
    mine, ref = compare("--tb=no", *args)
    assert _summary(mine) == _summary(ref) == ["SKIPPED [1] test_a.py:4: why"], mine.dump()


@pytest.mark.parametrize(("given", "problem"), [
    ("missing.ini", "not found. Check your '-c/--config-file' option."),
    ("folder", "is a directory. Check your '-c/--config-file' option."),
    ("settings.json", "has an unsupported format. Supported extensions are: .cfg, .ini, .toml."),
])
def test_config_file_option_names_a_bad_path_as_pytest_does(files, run, run_pytest, tmp_path, given, problem):
    """9.2 #14716: ``-c`` with a path that does not exist, is a directory or has no known format is
    a usage error naming the absolute path."""
    files({"test_a.py": "def test_a():\n    pass\n", "folder/keep.txt": "", "settings.json": "{}\n"})
    expected = f"ERROR: Config file '{tmp_path / given}' {problem}"
    for result in (run("-c", given), run_pytest("-c", given)):
        assert result.ret == 4, result.dump()
        assert result.errlines[:1] == [expected], result.dump()
        assert "Traceback" not in result.stderr


def test_config_file_dev_null_means_no_config(files, run, run_pytest, tmp_path):
    """``-c /dev/null``: no configuration (the -x of sub/minitest.ini is not used), the rootdir from
    the arguments (pytest 9.2 #11502)."""
    files({"sub/test_a.py": "def test_a():\n    pass\n", "sub/minitest.ini": "[minitest]\naddopts = --co\n"})
    for result in (run("-c", "/dev/null", "sub"), run_pytest("-c", "/dev/null", "sub")):
        assert result.ret == 0, result.dump()
        result.assert_outcomes(passed=1)
        up = "../" * len((tmp_path / "sub").parts[1:])  # from the rootdir up to /
        result.fnmatch_lines([f"rootdir: {tmp_path / 'sub'}", f"configfile: {up}dev/null"])


SETUP_SHOW = {"test_s.py": """
    import pytest

    @pytest.fixture
    def fx():
        yield 1

    @pytest.fixture
    def bad():
        yield 1
        raise RuntimeError("teardown fails")

    def test_a(fx):
        pass

    def test_b():
        assert 0

    def test_c(bad):
        pass

    @pytest.mark.skip
    def test_d(fx):
        pass
"""}


def _body(result) -> list[str]:
    """The lines from the "collected" one (the first, with ``-q``) on, times aside."""
    start = next((i for i, line in enumerate(result.lines) if "collected " in line), 0)
    return [re.sub(r"\d+\.\d\ds", "N.NNs", line) for line in result.lines[start:]]


@pytest.mark.parametrize("args", [(), ("-v",), ("--setup-only",), ("--setup-only", "-v"), ("-s", "-v"), ("-s",)])
def test_setup_show_lines_match_pytest(files, run, run_pytest, args):
    """9.1 #14430: a space between the test and its result with ``--setup-show`` (none with
    ``--setup-only``: no result follows); and as ever, no percentage when fixture or test output
    shares the lines (``--setup-show``, ``-s``)."""
    files(SETUP_SHOW)
    command = ("--tb=no", *(("--setup-show",) if "-s" not in args else ()), *args)
    mine, ref = run(*command), run_pytest(*command)
    assert mine.ret == ref.ret == 1, mine.dump()
    assert _body(mine) == _body(ref), mine.dump() + ref.dump()
    if "-s" not in args:
        expected = "test_s.py::test_a (fixtures used: fx)" + ("" if "--setup-only" in args else " ")
        assert any(line.strip().startswith(expected) for line in mine.lines), mine.dump()


NO_SUMMARY = {
    "conftest.py": dual_conftest("""
        def terminal_summary(terminalreporter):
            terminalreporter.write_sep("-", "my plugin")
            terminalreporter.write_line("the plugin's own summary")

        globals()[PREFIX + "_terminal_summary"] = terminal_summary
    """),
    "test_n.py": """
        import warnings
        import pytest

        def test_warns():
            warnings.warn(UserWarning("careful"))

        def test_fails():
            assert 0

        @pytest.mark.xfail
        def test_xfails():
            assert 0

        def test_passes():
            print("out")
    """,
}


@pytest.mark.parametrize("args", [(), ("-rA",), ("-q",)])
def test_no_summary_leaves_the_plugins_summaries(files, run, run_pytest, args):
    """9.2 #14724: ``--no-summary`` drops the FAILURES, warnings, PASSES and short summary
    sections, not what plugins write in their terminal summary hook."""
    files(NO_SUMMARY)
    mine, ref = run("--no-summary", *args), run_pytest("--no-summary", *args)
    assert mine.ret == ref.ret == 1, mine.dump()
    assert _body(mine) == _body(ref), mine.dump() + ref.dump()
    assert "the plugin's own summary" in mine.lines, mine.dump()
    for title in ("FAILURES", "warnings summary", "PASSES", "short test summary info"):
        mine.no_fnmatch_line(f"*= {title} =*")


WARNS_ONCE = {"test_w.py": """
    import warnings

    def test_warns():
        warnings.warn(UserWarning("careful"))

    def test_quiet():
        pass
"""}


def _without_docs_line(result) -> list[str]:
    # the warnings summary's last line names where to read more: each runner its own
    return [line for line in _body(result) if not line.startswith("-- Docs:")]


@pytest.mark.parametrize(("args", "code"), [
    (("--max-warnings", "0"), 6),
    (("--max-warnings=0", "-q"), 6),
    (("--max-warnings", "1"), 0),
    (("--max-warnings", "0", "-W", "ignore::UserWarning"), 0),
    (("--max-warnings", "0", "--no-summary"), 6),
    (("--max-warnings", "-1", "-W", "ignore::UserWarning"), 6),
])
def test_max_warnings_option(files, run, run_pytest, args, code):
    """9.1 #14371: tests that pass with more warnings than ``--max-warnings`` allows: exit code 6
    and a line before the final line."""
    files(WARNS_ONCE)
    mine, ref = run(*args), run_pytest(*args)
    assert mine.ret == ref.ret == code, mine.dump() + ref.dump()
    assert _without_docs_line(mine) == _without_docs_line(ref), mine.dump() + ref.dump()
    if code == 6:
        assert re.fullmatch(r"Tests pass, but maximum allowed warnings exceeded: \d > -?\d", mine.lines[-2])


def test_max_warnings_needs_passing_tests(files, run, run_pytest):
    files(WARNS_ONCE | {"test_f.py": "def test_fails():\n    assert 0\n"})
    for result in (run("--max-warnings", "0", "--tb=no"), run_pytest("--max-warnings", "0", "--tb=no")):
        assert result.ret == 1, result.dump()
        result.no_fnmatch_line("*maximum allowed warnings*")


def test_max_warnings_ini_key_and_exit_code_name(files, run, run_pytest, tmp_path):
    """``max_warnings`` in the config file (pytest's too); the option wins over it; the code is
    ``ExitCode.MAX_WARNINGS_ERROR``, pytest's name."""
    import minitest

    assert minitest.ExitCode.MAX_WARNINGS_ERROR == 6
    files(WARNS_ONCE | {"pytest.ini": "[pytest]\nmax_warnings = 0\n"})
    for result in (run("-q"), run_pytest("-q")):
        assert result.ret == 6, result.dump()
        assert "Tests pass, but maximum allowed warnings exceeded: 1 > 0" in result.lines, result.dump()
    assert run("-q", "--max-warnings", "1").ret == 0
    (tmp_path / "pytest.ini").unlink()
    files({"minitest.ini": "[minitest]\nmax_warnings = 0\n"})
    assert run("-q", "-p", "no:cache").ret == 6


def test_max_warnings_counts_the_workers_warnings(files, run):
    files(WARNS_ONCE)
    result = run("-q", "-n", "2", "--max-warnings", "0")
    assert result.ret == 6, result.dump()
    result.fnmatch_lines(["Tests pass, but maximum allowed warnings exceeded: 1 > 0", "2 passed, 1 warning in *"])


@pytest.mark.parametrize(("args", "ini", "message"), [
    (("--max-warnings", "many"), "", "*argument --max-warnings: invalid int value: 'many'"),
    ((), "[minitest]\nmax_warnings = many\n", "ERROR: invalid int value 'many' for ini value 'max_warnings'"),
])
def test_max_warnings_bad_value_is_a_usage_error(files, run, args, ini, message):
    files(WARNS_ONCE | ({"minitest.ini": ini} if ini else {}))
    result = run(*args)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([message], stream="stderr")
    assert "Traceback" not in result.output
    assert "passed" not in result.stdout  # found before any test runs


def test_write_line_with_bytes_is_deprecated(files, run, run_pytest):
    """9.2 #7323: bytes given to ``terminalreporter.write_line`` are written as text, with a
    deprecation warning (minitest: a MinitestDeprecationWarning where the plugin called it)."""
    files({"conftest.py": dual_conftest("""
        def terminal_summary(terminalreporter):
            terminalreporter.write_line(b"bytes line \\xff")

        globals()[PREFIX + "_terminal_summary"] = terminal_summary
    """), "test_a.py": "def test_a():\n    pass\n"})
    message = "Passing bytes to TerminalReporter.write_line() is deprecated, pass a str instead."
    mine, ref = run(), run_pytest()
    for result in (mine, ref):
        assert result.ret == 0, result.dump()
        assert "bytes line \ufffd" in result.lines, result.dump()
        assert message in result.output, result.dump()
    mine.fnmatch_lines([f"*conftest.py:*: MinitestDeprecationWarning: {message}"], stream="stderr")


MISPLACED_FIXTURES = {"test_f.py": """
    import pytest

    class TestA:
        @staticmethod
        @pytest.fixture
        def under_static():
            return "s"

        @classmethod
        @pytest.fixture
        def under_class(cls):
            return "c"

        @pytest.fixture
        @classmethod
        def over_class(cls):
            return "g"

        def test_static(self, under_static):
            assert under_static == "s"

        def test_class(self, under_class):
            pass

        def test_supported_order(self, over_class):
            assert over_class == "g"
"""}


def test_staticmethod_or_classmethod_above_fixture_warns(files, compare):
    """9.2 #13564: ``@staticmethod`` above ``@fixture`` still works, with a warning;
    ``@classmethod`` above it is no fixture, with a warning; ``@fixture`` above ``@classmethod``
    is the supported order (no warning)."""
    files(MISPLACED_FIXTURES)
    mine, ref = compare("--tb=no")
    mine.assert_outcomes(passed=2, errors=1, warnings=2)
    for result, deco in ((mine, "@fixture"), (ref, "@pytest.fixture")):
        result.fnmatch_lines([
            f"*test_f.py:9: *Warning: cannot discover fixture 'under_class' because it is wrapped by "
            f"@classmethod; place {deco} above @classmethod",
            f"*test_f.py:4: *Warning: fixture 'under_static' is wrapped by @staticmethod above {deco}; "
            f"place {deco} above @staticmethod",
        ])
        result.no_fnmatch_line("*over_class*")


def test_misplaced_fixture_warning_as_error_is_a_collection_error(files, run, run_pytest):
    files(MISPLACED_FIXTURES)
    mine = run("--tb=short", "-W", "error::minitest.python_nodes.MinitestCollectionWarning")
    ref = run_pytest("--tb=short", "-W", "error::pytest.PytestWarning")
    for result in (mine, ref):
        assert result.ret == 2, result.dump()
        result.fnmatch_lines(["E * at *test_f.py:9", "ERROR test_f.py::TestA*", "*Interrupted: 1 error during collection *"])
        assert result.outcomes() == {"errors": 1}, result.dump()
    assert "INTERNALERROR" not in mine.output


@pytest.mark.parametrize("where", ["-o", "ini"])
def test_bad_empty_parameter_set_mark_is_a_usage_error(files, run, run_pytest, tmp_path, where):
    """9.2 #14791: a config value outside the accepted ones is a usage error before collection
    (``console_output_style``, the changelog's example, is a key minitest does not have)."""
    files({"test_a.py": "import pytest\n\n@pytest.mark.parametrize('x', [])\ndef test_a(x):\n    pass\n"})
    message = ("config option 'empty_parameter_set_mark' expects one of 'skip' | 'xfail' | "
               "'fail_at_collect', got 'bogus'")
    if where == "-o":
        results = [(run("-o", "empty_parameter_set_mark=bogus"), ""),
                   (run_pytest("-o", "empty_parameter_set_mark=bogus"), "None: ")]
    else:
        files({"minitest.ini": "[minitest]\nempty_parameter_set_mark = bogus\n",
               "pytest.ini": "[pytest]\nempty_parameter_set_mark = bogus\n"})
        results = [(run(), f"{tmp_path / 'minitest.ini'}: "), (run_pytest(), f"{tmp_path / 'pytest.ini'}: ")]
    for result, prefix in results:
        assert result.ret == 4, result.dump()
        assert result.errlines[:1] == [f"ERROR: {prefix}{message}"], result.dump()
