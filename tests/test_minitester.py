"""Issue 8 — the minitester fixture: making files, running minitest in-process and in a
subprocess, RunResult (ret, outcomes, assert_outcomes, stdout.fnmatch_lines)."""

from __future__ import annotations

import pytest
from plugin_testing import minitester  # noqa: F401 - a fixture

from builtin_plugins.minitester import LineMatcher, RunResult

# a test suite that uses the minitester fixture, run by minitest itself
USES_MINITESTER = '''
import sys

def test_in_process_and_subprocess(minitester):
    minitester.makeconftest("def minitest_report_header():\\n    return 'hello from conftest'\\n")
    minitester.makepyfile("""
        def test_ok():
            pass

        def test_bad():
            assert 1 == 2
    """)
    result = minitester.runminitest("-v", "-p", "no:cache")
    assert result.ret == 1
    result.assert_outcomes(passed=1, failed=1)
    assert result.outcomes == {"failed": 1, "passed": 1}
    result.stdout.fnmatch_lines(["hello from conftest", "*::test_ok PASSED*", "*::test_bad FAILED*"])
    result = minitester.runminitest_subprocess("-p", "no:cache")
    assert result.ret == 1
    result.assert_outcomes(passed=1, failed=1)

def test_files_and_config(minitester):
    minitester.makeini("[minitest]\\naddopts = -p no:cache -q\\n")
    sub = minitester.mkdir("sub")
    assert sub.is_dir() and sub.parent == minitester.path
    minitester.makepyfile(**{"sub/test_named": "def test_a():\\n    pass\\n"})
    result = minitester.runminitest()
    result.assert_outcomes(passed=1)
    assert (minitester.path / "minitest.ini").is_file()
    minitester.makepyprojecttoml("[tool.minitest]\\naddopts = '-p no:cache'\\n")
    assert "[tool.minitest]" in (minitester.path / "pyproject.toml").read_text()

def test_in_process_runs_are_isolated(minitester):
    # the same module name with different contents in two runs: the second must not reuse the first
    minitester.makepyfile(test_same="def test_a():\\n    pass\\n")
    minitester.runminitest("-p", "no:cache").assert_outcomes(passed=1)
    minitester.makepyfile(test_same="def test_a():\\n    assert 0\\n\\ndef test_b():\\n    pass\\n")
    minitester.runminitest("-p", "no:cache").assert_outcomes(passed=1, failed=1)
    assert "test_same" not in sys.modules
    assert str(minitester.path) not in sys.path

def test_in_process_run_with_a_plugin_object(minitester):
    class Plugin:
        seen = []

        def minitest_runtest_logreport(self, report):
            self.seen.append((report.nodeid, report.when))

    minitester.makepyfile(test_p="def test_a():\\n    pass\\n")
    plugin = Plugin()
    minitester.runminitest("-p", "no:cache", plugins=[plugin]).assert_outcomes(passed=1)
    assert [when for _, when in plugin.seen] == ["setup", "call", "teardown"]
'''


def test_minitester_fixture_inside_minitest(minitester):
    minitester.makepyfile(test_uses_minitester=USES_MINITESTER)
    result = minitester.runminitest_subprocess("-p", "no:cache", "-v")
    assert result.ret == 0, "\n".join(result.outlines + result.errlines)
    result.assert_outcomes(passed=4)


def test_minitester_is_a_builtin_fixture(minitester):
    minitester.makepyfile(test_f="def test_a(minitester):\n    assert minitester.path.is_dir()\n")
    minitester.runminitest_subprocess("-p", "no:cache").assert_outcomes(passed=1)
    # blockable like every builtin
    result = minitester.runminitest_subprocess("-p", "no:cache", "-p", "no:minitester")
    result.assert_outcomes(errors=1)


def test_makefile_names(minitester):
    first = minitester.makepyfile("x = 1", other="y = 2")
    assert first.name == "test_makefile_names.py"
    assert (minitester.path / "other.py").read_text() == "y = 2"
    assert minitester.makeconftest("  z = 3\n").read_text() == "z = 3\n"  # dedented
    assert minitester.maketxtfile(notes="hi").suffix == ".txt"
    assert (minitester.mkpydir("pkg") / "__init__.py").is_file()


def test_parse_outcomes_of_the_final_line():
    lines = ["...", "==== 2 failed, 10 passed, 1 skipped, 3 errors, 1 warning in 0.12s ===="]
    result = RunResult(1, lines, [], 0.1)
    assert result.outcomes == {"failed": 2, "passed": 10, "skipped": 1, "errors": 3, "warnings": 1}
    result.assert_outcomes(failed=2, passed=10, skipped=1, errors=3)
    result.assert_outcomes(failed=2, passed=10, skipped=1, errors=3, warnings=1)
    with pytest.raises(AssertionError, match="outcomes"):
        result.assert_outcomes(passed=10)
    assert RunResult(5, ["no tests ran in 0.01s"], [], 0.0).outcomes == {}
    with pytest.raises(ValueError, match="final line"):
        RunResult(0, ["nothing"], [], 0.0).parseoutcomes()


def test_line_matcher():
    matcher = LineMatcher(["first", "second line", "third"])
    matcher.fnmatch_lines(["first", "third"])
    matcher.re_match_lines([r"sec\w+ line"])
    matcher.fnmatch_lines(["second*", "third"], consecutive=True)
    matcher.no_fnmatch_line("fourth*")
    with pytest.raises(AssertionError, match="no match for: 'fourth'"):
        matcher.fnmatch_lines(["first", "fourth"])
    with pytest.raises(AssertionError, match="no consecutive match"):
        matcher.fnmatch_lines(["first", "third"], consecutive=True)
    with pytest.raises(AssertionError, match="matches"):
        matcher.no_fnmatch_line("sec*")
