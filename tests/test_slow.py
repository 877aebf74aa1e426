"""The ``slow`` builtin (``--slow-after S``, the ``slow_after`` ini key): a test still running after
S seconds is shown as SLOW while it runs, on a line of its own (the progress goes on below it),
and listed with its duration at the end; the same with workers; bad input.

Margins are generous (a 0.3 s limit, tests sleeping 1.5 s): nothing here depends on how fast the
runner is, only on a 0.3 s timer firing within a 1.5 s sleep."""

from __future__ import annotations

import re

import pytest
from conftest import verbose_nodeids

TESTS = {"test_s.py": """
    import time

    def test_fast():
        pass

    def test_sleepy():
        time.sleep(1.5)

    def test_fast_too():
        pass
"""}

SLOW_LINE = re.compile(r"^SLOW \[> (\d+\.\d+)s\] (\S+)$")


def slow_lines(stdout: str) -> list[tuple[float, str]]:
    """(seconds, node id) of each SLOW line; a line mentioning SLOW must be one whole SLOW line."""
    found = []
    for line in stdout.splitlines():
        if "SLOW" in line:
            match = SLOW_LINE.match(line)
            assert match, f"SLOW glued to other output: {line!r}\n{stdout}"
            found.append((float(match.group(1)), match.group(2)))
    return found


def summary(stdout: str) -> list[str]:
    """The lines of the "slow tests" section."""
    lines = stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if "= slow tests (over " in line), None)
    if start is None:
        return []
    rest = []
    for line in lines[start + 1:]:
        if line.startswith("="):
            break
        rest.append(line)
    return rest


def test_slow_test_is_shown_while_it_runs_and_listed_at_the_end(files, run):
    files(TESTS)
    result = run("--slow-after", "0.3", "-v")
    assert result.ret == 0, result.dump()
    shown = slow_lines(result.stdout)
    # at 0.3 s, and again at each multiple while it still runs; never the fast tests
    assert shown and {nodeid for _, nodeid in shown} == {"test_s.py::test_sleepy"}, result.dump()
    assert shown[0][0] == 0.3 and [s for s, _ in shown] == sorted(s for s, _ in shown), result.dump()
    # written while the test ran: between its name and its result, which follows on a line of its own
    result.fnmatch_lines([
        "test_s.py::test_fast PASSED*",
        "test_s.py::test_sleepy ",
        "SLOW ?> 0.3s? test_s.py::test_sleepy",
    ], consecutive=True)
    result.re_match_lines([r"^PASSED +\[ 66%\]$", r"^test_s.py::test_fast_too PASSED +\[100%\]$"])
    assert [word for _, word in verbose_nodeids(result)] == ["PASSED"] * 2, result.dump()
    listed = summary(result.stdout)
    assert len(listed) == 1 and re.fullmatch(r"\d+\.\d\ds test_s.py::test_sleepy", listed[0]), result.dump()
    assert float(listed[0].split("s ")[0]) >= 1.4, result.dump()


def test_progress_line_goes_on_below_the_slow_line(files, run):
    files(TESTS)
    result = run("--slow-after", "0.3")
    assert result.ret == 0, result.dump()
    assert slow_lines(result.stdout), result.dump()
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("SLOW"))
    last = max(i for i, line in enumerate(lines) if line.startswith("SLOW"))
    # the progress line was ended before the first SLOW line; the letters go on after the last
    assert lines[first - 1] == "test_s.py .", result.dump()
    assert re.fullmatch(r"\.\. +\[100%\]", lines[last + 1]), result.dump()


def test_with_workers_the_controller_shows_it(files, run):
    files(TESTS)
    result = run("-n", "2", "--slow-after", "0.3", "-v")
    assert result.ret == 0, result.dump()
    shown = slow_lines(result.stdout)
    assert shown and {nodeid for _, nodeid in shown} == {"test_s.py::test_sleepy"}, result.dump()
    # shown before the test's result, which the controller writes once the test finished
    lines = result.stdout.splitlines()
    assert lines.index("SLOW [> 0.3s] test_s.py::test_sleepy") < next(
        i for i, line in enumerate(lines) if line.startswith("test_s.py::test_sleepy PASSED")), result.dump()
    listed = summary(result.stdout)
    assert len(listed) == 1 and listed[0].endswith(" test_s.py::test_sleepy"), result.dump()


def test_ini_key_and_zero_turns_it_off(files, run):
    files({**TESTS, "minitest.ini": "[minitest]\nslow_after = 0.3\n"})
    result = run()
    assert slow_lines(result.stdout) and summary(result.stdout), result.dump()
    result = run("--slow-after", "0")  # the option wins over the ini key; 0 is off
    assert result.ret == 0, result.dump()
    assert not slow_lines(result.stdout) and "slow tests" not in result.stdout, result.dump()


def test_fast_tests_are_never_slow(files, run):
    files({"test_f.py": "def test_a(): pass\ndef test_b(): pass\n"})
    result = run("--slow-after", "30", "-n", "2")
    assert result.ret == 0, result.dump()
    assert "SLOW" not in result.stdout and "slow tests" not in result.stdout, result.dump()


def test_hook_reaches_conftest_with_plain_data(files, run, tmp_path):
    files({**TESTS, "conftest.py": """
        import threading

        def minitest_runtest_slow(nodeid, location, seconds):
            with open("slow.log", "a") as f:
                f.write(f"{nodeid} {location[2]} {seconds} {threading.current_thread().name}\\n")
    """})
    result = run("--slow-after", "0.3", "-k", "sleepy")
    assert result.ret == 0, result.dump()
    first = (tmp_path / "slow.log").read_text().splitlines()[0]
    assert first == "test_s.py::test_sleepy test_sleepy 0.3 minitest slow watch", result.dump()


def test_off_with_p_no(files, run):
    files(TESTS)
    result = run("-p", "no:slow", "--slow-after", "1")
    assert result.ret == 4, result.dump()
    result.fnmatch_lines(["*unrecognized arguments: --slow-after*"], stream="stderr")


@pytest.mark.parametrize(("args", "ini", "message"), [
    (("--slow-after", "abc"), "", "*--slow-after: expected a number of seconds, got 'abc'*"),
    (("--slow-after", "-1"), "", "*--slow-after: expected a number of seconds >= 0, got '-1'*"),
    (("--slow-after=nan",), "", "*--slow-after: expected a number of seconds >= 0, got 'nan'*"),
    ((), "slow_after = soon", "*slow_after ini value: expected a number of seconds, got 'soon'*"),
])
def test_bad_input_is_a_usage_error(files, run, args, ini, message):
    files({"minitest.ini": f"[minitest]\n{ini}\n", "test_x.py": "def test_x(): pass\n"})
    result = run(*args)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([message], stream="stderr")
    assert "Traceback" not in result.output, result.dump()
