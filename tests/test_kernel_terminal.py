"""Issue 3 — the terminal reporter: header, progress, -v / -q, failures, --tb, -r, colors, --version,
--help."""

from __future__ import annotations

import re
import sys
import tomllib

import pytest
from conftest import REPO_ROOT, RunResult, verbose_nodeids

ESC = "\x1b["

SUITE = {
    "test_a.py": """
        def helper(x):
            raise ValueError("bad value %d" % x)

        def test_pass():
            pass

        def test_fail():
            y = 1
            helper(y)

        def test_pass2():
            pass
    """,
    "test_b.py": "def test_b1():\n    pass\n\ndef test_b2():\n    pass\n",
}

FINAL_RE = r"^=+ 1 failed, 4 passed in \d+\.\d\ds =+$"


def test_header_progress_and_final_line(files, run, tmp_path):
    files(SUITE)
    result = run()
    assert result.ret == 1, result.dump()
    pyver = ".".join(map(str, sys.version_info[:3]))
    result.re_match_lines([
        r"^=+ test session starts =+$",
        rf"^platform \S+ -- Python {re.escape(pyver)}, minitest-\d+\.\d+\.\d+\S*, pluggy-\d+\.\d+\.\d+\S*",
        rf"^rootdir: {re.escape(str(tmp_path))}$",
        r"^collected 5 items$",
        r"^$",
        r"^test_a\.py \.F\. +\[ 60%\]$",
        r"^test_b\.py \.\. +\[100%\]$",
    ], consecutive=False)
    assert result.lines[0].startswith("=")
    result.re_match_lines([FINAL_RE])
    # the final line is as wide as the terminal (COLUMNS=80), as pytest draws it
    assert len(result.lines[-1]) == 80, repr(result.lines[-1])
    assert re.match(FINAL_RE, result.lines[-1])


def test_progress_percentages_by_file(files, run):
    files({f"test_{i}.py": "def test_x():\n    pass\n" for i in range(3)} |
          {"test_3.py": "def test_x():\n    pass\n\ndef test_y():\n    pass\n"})
    result = run()
    result.re_match_lines([
        r"^test_0\.py \. +\[ 20%\]$",
        r"^test_1\.py \. +\[ 40%\]$",
        r"^test_2\.py \. +\[ 60%\]$",
        r"^test_3\.py \.\. +\[100%\]$",
    ], consecutive=True)
    result.assert_outcomes(passed=5)


def test_verbose_lines(files, run):
    files(SUITE)
    result = run("-v")
    result.re_match_lines([
        r"^test_a\.py::test_pass PASSED +\[ 20%\]$",
        r"^test_a\.py::test_fail FAILED +\[ 40%\]$",
        r"^test_a\.py::test_pass2 PASSED +\[ 60%\]$",
        r"^test_b\.py::test_b1 PASSED +\[ 80%\]$",
        r"^test_b\.py::test_b2 PASSED +\[100%\]$",
    ], consecutive=True)


def test_quiet(files, run):
    files(SUITE)
    result = run("-q")
    assert result.ret == 1
    assert "test session starts" not in result.stdout
    assert "rootdir:" not in result.stdout
    result.re_match_lines([r"^\.F\.\.\. +\[100%\]$"])
    result.re_match_lines([r"^FAILED test_a\.py::test_fail - ValueError: bad value 1$",
                           r"^1 failed, 4 passed in \d+\.\d\ds$"])
    assert result.lines[-1].startswith("1 failed")


def test_failures_section_default_tb(files, run):
    files(SUITE)
    result = run()
    result.fnmatch_lines([
        "=*= FAILURES =*=",
        "_*_ test_fail _*_",
        "",
        "    def test_fail():",
        "        y = 1",
        ">       helper(y)",
        "",
        "test_a.py:9: ",
        "_ _ _ _ _ _*",
        "",
        "x = 1",
        "",
        "    def helper(x):",
        '>       raise ValueError("bad value %d" % x)',
        "E       ValueError: bad value 1",
        "",
        "test_a.py:2: ValueError",
        "=*= short test summary info =*=",
        "FAILED test_a.py::test_fail - ValueError: bad value 1",
    ], consecutive=True)


def test_tb_long_same_as_auto_here(files, run):
    files(SUITE)
    auto = run()
    long = run("--tb=long")

    def section(r):
        lines = r.lines
        return lines[lines.index(next(x for x in lines if "FAILURES" in x)):-1]

    assert section(long) == section(auto)


def test_tb_short(files, run):
    files(SUITE)
    result = run("--tb=short")
    result.fnmatch_lines([
        "_*_ test_fail _*_",
        "test_a.py:9: in test_fail",
        "    helper(y)",
        "test_a.py:2: in helper",
        '    raise ValueError("bad value %d" % x)',
        "E   ValueError: bad value 1",
        "=*= short test summary info =*=",
    ], consecutive=True)


def test_tb_line(files, run, tmp_path):
    files(SUITE)
    result = run("--tb=line")
    result.fnmatch_lines([
        "=*= FAILURES =*=",
        f"{tmp_path / 'test_a.py'}:2: ValueError: bad value 1",
        "=*= short test summary info =*=",
    ])
    result.no_fnmatch_line("_*_ test_fail _*_")


def test_tb_native(files, run):
    files(SUITE)
    result = run("--tb=native")
    result.fnmatch_lines([
        "_*_ test_fail _*_",
        "Traceback (most recent call last):",
        '  File "*test_a.py", line 9, in test_fail',
        "    helper(y)",
        '  File "*test_a.py", line 2, in helper',
        '    raise ValueError("bad value %d" % x)',
        "ValueError: bad value 1",
        "=*= short test summary info =*=",
    ])
    result.no_fnmatch_line("E   *")


def test_tb_no(files, run):
    files(SUITE)
    result = run("--tb=no")
    assert "FAILURES" not in result.stdout
    assert "helper(y)" not in result.stdout
    result.fnmatch_lines(["=*= short test summary info =*=",
                          "FAILED test_a.py::test_fail - ValueError: bad value 1"])


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (None, ["FAILED test_a.py::test_fail - ValueError: bad value 1"]),
        ("-rN", []),
        ("-rp", ["PASSED test_a.py::test_pass", "PASSED test_a.py::test_pass2", "PASSED test_b.py::test_b1",
                 "PASSED test_b.py::test_b2"]),
        ("-rfp", ["FAILED test_a.py::test_fail - ValueError: bad value 1", "PASSED test_a.py::test_pass",
                  "PASSED test_a.py::test_pass2", "PASSED test_b.py::test_b1", "PASSED test_b.py::test_b2"]),
    ],
)
def test_short_summary_chars(files, run, flag, expected):
    files(SUITE)
    result = run("--tb=no", *([flag] if flag else []))
    summary = [line for line in result.lines if line.startswith(("FAILED ", "PASSED ", "ERROR "))]
    assert summary == expected, result.dump()
    assert ("short test summary info" in result.stdout) == bool(expected)


@pytest.mark.parametrize(
    ("args", "env", "colored"),
    [
        (["--color=yes"], {}, True),
        (["--color=yes"], {"NO_COLOR": "1"}, True),
        (["--color=no"], {"FORCE_COLOR": "1", "NO_COLOR": None}, False),
        ([], {"NO_COLOR": "1"}, False),
        ([], {"NO_COLOR": None}, False),  # not a terminal
        ([], {"FORCE_COLOR": "1", "NO_COLOR": None}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_color(files, run, args, env, colored):
    files(SUITE)
    result = run("--tb=no", *args, env=env)
    assert (ESC in result.stdout) is colored, result.dump()
    assert result.ret == 1


def test_color_yes_marks_words(files, run):
    files(SUITE)
    result = run("--tb=no", "-v", "--color=yes")
    red, green = f"{ESC}31m", f"{ESC}32m"
    failed_line = next(line for line in result.lines if "test_fail" in line and "FAILED" in line)
    passed_line = next(line for line in result.lines if "test_pass " in line or "test_pass\x1b" in line)
    assert red in failed_line
    assert green in passed_line
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.lines[-1])
    assert re.match(FINAL_RE, plain), plain


def test_version(run):
    version = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    result = run("--version")
    assert result.ret == 0, result.dump()
    assert result.stdout.strip() == f"minitest {version}"


def test_help_lists_groups_and_options(run):
    result = run("--help")
    assert result.ret == 0, result.dump()
    assert result.lines[0].startswith("usage:")
    text = result.stdout
    headings = {line.rstrip(":").lower() for line in result.lines if re.match(r"^\S.*:$", line)}
    assert {"general", "reporting", "collection"} <= headings, headings
    for opt in ["-x, --exitfirst", "--maxfail", "--collect-only", "--tb", "-r ", "--color", "-p ",
                "-c ", "-o ", "--rootdir", "--ignore=", "--ignore-glob", "--continue-on-collection-errors",
                "--import-mode", "--disable-plugin-autoload", "--trace-hooks", "--version", "-q, --quiet",
                "-v, --verbose", "-W "]:
        assert opt in text, f"{opt!r} not in --help"
    for ini in ["addopts", "testpaths", "python_files", "python_classes", "python_functions", "norecursedirs",
                "markers"]:
        assert re.search(rf"^\s+{ini}\b", text, re.M), f"ini {ini} not in --help"


def test_terminal_plugin_can_be_blocked(files, run):
    files(SUITE)
    result = run("-p", "no:terminal")
    assert result.ret == 1
    assert result.stdout == ""
    ok = run("-p", "no:terminal", "test_b.py")
    assert ok.ret == 0
    assert ok.stdout == ""


def test_verbose_outcome_words_match_pytest(files, compare):
    files(SUITE)
    mine, _ = compare("--tb=short")
    assert verbose_nodeids(mine)[1] == ("test_a.py::test_fail", "FAILED")


def test_short_summary_shows_the_first_line_of_a_multiline_message(files, compare):
    files({"test_m.py": """
        def test_multi():
            raise ValueError("first line\\nsecond line")

        def test_assert():
            assert [1, 2] == [1, 3], "custom\\nmessage"
    """})
    mine, ref = compare("--tb=no", "-rf", env={"CI": None, "BUILD_NUMBER": None})
    summaries = [[line for line in r.lines if line.startswith("FAILED ")] for r in (mine, ref)]
    assert summaries[0] == summaries[1] == [
        "FAILED test_m.py::test_multi - ValueError: first line",
        "FAILED test_m.py::test_assert - AssertionError: custom",
    ], mine.dump()


@pytest.mark.parametrize("count", [1, 2])
def test_final_line_words_warnings_and_errors_by_their_count(files, run, run_pytest, count):
    # "1 warning, 1 error" but "2 warnings, 2 errors", exactly as pytest words them (a glob such as
    # "*1 warning*" cannot tell: it matches "1 warnings" too)
    files({
        "test_warn.py": "import warnings\n\n" + "".join(
            f"def test_warns_{i}():\n    warnings.warn(UserWarning('careful {i}'))\n\n" for i in range(count)),
        "test_err.py": "def setup_function():\n    raise RuntimeError('no setup')\n\n" + "".join(
            f"def test_setup_fails_{i}():\n    pass\n\n" for i in range(count)),
    })
    warning, error = ("warning", "error") if count == 1 else ("warnings", "errors")
    expected = rf"=+ {count} passed, {count} {warning}, {count} {error} in \d+\.\d\ds =+"
    mine, ref = run(), run_pytest()
    assert (mine.ret, ref.ret) == (1, 1), mine.dump() + ref.dump()
    assert re.fullmatch(expected, mine.lines[-1]), mine.dump()
    assert re.fullmatch(expected, ref.lines[-1]), ref.dump()
    mine.assert_outcomes(passed=count, warnings=count, errors=count)


@pytest.mark.parametrize(("line", "counts"), [
    ("= 1 passed, 1 warning, 1 error in 0.01s =", {"passed": 1, "warnings": 1, "errors": 1}),
    ("= 2 passed, 2 warnings, 2 errors in 0.01s =", {"passed": 2, "warnings": 2, "errors": 2}),
    ("= 1 passed, 1 warnings, 1 errors in 0.01s =", None),
    ("= 2 passed, 2 warning in 0.01s =", None),
    ("= 1 passed, 1 warning, 1 errors in 0.01s =", None),
    ("1 tests collected in 0.01s", None),
    ("1 test collected in 0.01s", {"collected": 1}),
])
def test_final_line_singular_plural_the_outcome_parser_is_exact(line, counts):
    # the suite's own parser (tests/conftest.py): the counts' keys are plural either way, so it
    # checks the wording first; a final line saying "1 warnings" must fail every assert_outcomes
    result = RunResult(["minitest"], 0, f"...\n{line}\n".encode(), b"")
    if counts is None:
        with pytest.raises(AssertionError, match="final line says"):
            result.outcomes()
    else:
        assert result.outcomes() == counts


@pytest.mark.parametrize("count", [1, 2])
def test_collect_only_and_interrupted_lines_word_the_count(files, run, run_pytest, count):
    files({f"test_{i}.py": "def test_a():\n    pass\n" for i in range(count)})
    tests = "test" if count == 1 else "tests"
    for result in (run("--co", "-q"), run_pytest("--co", "-q")):
        assert result.ret == 0, result.dump()
        assert re.fullmatch(rf"{count} {tests} collected in \d+\.\d\ds", result.lines[-1]), result.dump()
    files({f"test_bad_{i}.py": "def test_x(:\n" for i in range(count)})
    error = "error" if count == 1 else "errors"
    for result in (run(), run_pytest()):
        assert result.ret == 2, result.dump()
        assert re.fullmatch(rf"!+ Interrupted: {count} {error} during collection !+", result.lines[-2]), \
            result.dump()
        assert re.fullmatch(rf"=+ {count} {error} in \d+\.\d\ds =+", result.lines[-1]), result.dump()
