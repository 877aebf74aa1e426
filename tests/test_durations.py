"""Issue 8 — the durations builtin: --durations=N, --durations-min, -vv, parity with pytest."""

from __future__ import annotations

import re

from plugin_testing import minitester  # noqa: F401 - a fixture

SLOW = """
    import time

    def test_slow():
        time.sleep(0.3)

    def test_fast():
        pass

    def test_other():
        pass
"""

_LINE = re.compile(r"^\d+\.\d\ds (setup|call|teardown) +(\S+)$")


def _duration_lines(result) -> list[tuple[str, str]]:
    return [m.groups() for m in map(_LINE.match, result.outlines) if m]


def test_slowest_n_with_the_fast_ones_hidden(minitester):
    minitester.makepyfile(test_d=SLOW)
    result = minitester.runminitest_subprocess("-p", "no:cache", "--durations=3", "--durations-min=0.2")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*= slowest 3 durations =*",
        "0.[3-9]?s call     test_d.py::test_slow",
        "",
        "(2 durations < 0.2s hidden.)",
    ], consecutive=True)
    assert _duration_lines(result) == [("call", "test_d.py::test_slow")]


def test_durations_zero_lists_every_phase_with_vv(minitester):
    minitester.makepyfile(test_d=SLOW)
    result = minitester.runminitest_subprocess("-p", "no:cache", "--durations=0", "-vv")
    result.stdout.fnmatch_lines(["*= slowest durations =*"])
    lines = _duration_lines(result)
    assert lines[0] == ("call", "test_d.py::test_slow")
    assert sorted(lines) == sorted((when, f"test_d.py::{name}") for when in ("setup", "call", "teardown")
                                   for name in ("test_slow", "test_fast", "test_other"))
    result.stdout.no_fnmatch_line("*durations < *hidden*")


def test_everything_below_the_minimum_is_one_hidden_line(minitester):
    minitester.makepyfile(test_d="def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--durations=0", "--durations-min=5")
    result.stdout.fnmatch_lines(["*= slowest durations =*", "",
                                 "(6 durations < 5s hidden.)"],
                                consecutive=True)
    assert _duration_lines(result) == []


def test_no_section_without_the_option(minitester):
    minitester.makepyfile(test_d=SLOW)
    result = minitester.runminitest_subprocess("-p", "no:cache")
    result.stdout.no_fnmatch_line("*slowest*")


def test_same_lines_as_pytest(minitester, run_pytest):
    minitester.makepyfile(test_d=SLOW)
    args = ("--durations=2", "--durations-min=0.2")
    mine = minitester.runminitest_subprocess("-p", "no:cache", *args)
    theirs = run_pytest(*args, cwd=minitester.path)

    def section(lines):
        start = next(i for i, line in enumerate(lines) if "slowest 2 durations" in line)
        end = next(i for i, line in enumerate(lines) if "hidden" in line)
        return [re.sub(r"^\d+\.\d\ds", "N.NNs", line) for line in lines[start:end + 1]]

    assert section(mine.outlines) == section(theirs.lines)


def test_blocked_durations_has_no_option(minitester):
    minitester.makepyfile(test_d="def test_a():\n    pass\n")
    assert minitester.runminitest_subprocess("-p", "no:durations", "--durations=1").ret == 4


def test_default_minimum_hides_with_a_hint(minitester):
    minitester.makepyfile(test_d="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--durations=5")
    # how many of the three phases are under 5ms depends on the machine: not the count
    result.stdout.fnmatch_lines(["*= slowest 5 durations =*",
                                 "([123] durations < 0.005s hidden.  Use -vv to show these durations.)"])
