"""The terminal is composed of parts (``builtin_plugins/terminal/``), each a plugin registered
under a name from ``minitest.terminal_api.PARTS``: a conftest plugin replaces or extends one part
through that name, and every other line of the output stays as it was."""

from __future__ import annotations

import re

from plugin_testing import minitester  # noqa: F401 - a fixture

TESTS = '''
import minitest

def test_ok():
    pass

def test_bad():
    assert 1 == 2

@minitest.mark.skip(reason="not today")
def test_skipped():
    pass
'''

# replaces the -r short test summary: registered in minitest_configure (before the terminal's,
# which then leaves the name to it)
REPLACE_SHORT_SUMMARY = '''
from minitest.runstats import RUN_STATS
from minitest.terminal_api import SHORT_SUMMARY, TERMINAL_REPORTER


class CountsOnly:
    def __init__(self, config):
        self.config = config

    def write_summary(self, session, exitstatus):
        reporter = self.config.stash[TERMINAL_REPORTER]
        stats = self.config.stash[RUN_STATS]
        reporter.write_sep("=", "my summary")
        reporter.write_line(f"failed={stats.count('failed')} skipped={stats.count('skipped')} exit={exitstatus}")


def minitest_configure(config):
    pm = config.pluginmanager
    if pm.get_plugin(SHORT_SUMMARY) is not None:
        pm.unregister(name=SHORT_SUMMARY)
    pm.register(CountsOnly(config), SHORT_SUMMARY)
'''

# extends the final line: wraps the default part, reached by its name once the session starts
EXTEND_FINAL_LINE = '''
from minitest.terminal_api import FINAL_LINE, TERMINAL_REPORTER


class WithFooter:
    def __init__(self, config, default):
        self.config = config
        self.default = default

    def write_summary(self, session, exitstatus):
        self.default.write_summary(session, exitstatus)
        self.config.stash[TERMINAL_REPORTER].write_line("footer after the final line")


def minitest_sessionstart(session):
    pm = session.config.pluginmanager
    default = pm.unregister(name=FINAL_LINE)
    pm.register(WithFooter(session.config, default), FINAL_LINE)
'''


def _normalized(lines: list[str]) -> list[str]:
    """The output without the run's duration (which differs between two runs)."""
    return [re.sub(r" in \d+\.\d\ds ", " in N.NNs ", line) for line in lines]


def _short_summary_span(lines: list[str]) -> tuple[int, int]:
    start = next(i for i, line in enumerate(lines) if "short test summary info" in line)
    return start, len(lines) - 1  # up to the final line


def test_a_conftest_replaces_the_short_summary(minitester):
    minitester.makepyfile(test_it=TESTS)
    before = minitester.runminitest_subprocess("-p", "no:cache", "-rA")
    assert before.ret == 1
    minitester.makeconftest(REPLACE_SHORT_SUMMARY)
    after = minitester.runminitest_subprocess("-p", "no:cache", "-rA")
    assert after.ret == 1
    old, new = _normalized(before.outlines), _normalized(after.outlines)
    start, end = _short_summary_span(old)
    assert "SKIPPED [1] test_it.py:9: not today" in old[start:end]
    assert new == old[:start] + [
        "================================== my summary ==================================",
        "failed=1 skipped=1 exit=1",
    ] + old[end:]


def test_a_conftest_extends_the_final_line(minitester):
    minitester.makepyfile(test_it=TESTS)
    before = minitester.runminitest_subprocess("-p", "no:cache")
    minitester.makeconftest(EXTEND_FINAL_LINE)
    after = minitester.runminitest_subprocess("-p", "no:cache")
    assert after.ret == before.ret == 1
    assert _normalized(after.outlines) == _normalized(before.outlines) + ["footer after the final line"]
    assert "1 failed, 1 passed, 1 skipped" in after.outlines[-2]


def test_a_part_is_dropped_by_its_name(minitester):
    minitester.makepyfile(test_it=TESTS)
    before = minitester.runminitest_subprocess("-p", "no:cache")
    after = minitester.runminitest_subprocess("-p", "no:cache", "-p", "no:terminalreporter.header")
    assert after.ret == before.ret == 1
    header = before.outlines.index("collected 3 items")
    assert "test session starts" in before.outlines[0] and header == 3
    assert _normalized(after.outlines) == _normalized(before.outlines)[header:]


def test_every_part_is_registered_under_its_name(minitester):
    minitester.makeconftest('''
from minitest.terminal_api import PARTS, TERMINAL_REPORTER


def minitest_sessionstart(session):
    pm = session.config.pluginmanager
    missing = [name for name in PARTS if pm.get_plugin(name) is None]
    reporter = session.config.stash.get(TERMINAL_REPORTER, None)
    (reporter.write_line if reporter is not None else print)(f"missing parts: {len(missing)}")
''')
    minitester.makepyfile(test_it="def test_ok():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["missing parts: 0"])
    # -p no:terminal: no part at all, and nothing written but the conftest's own print
    result = minitester.runminitest_subprocess("-p", "no:cache", "-p", "no:terminal")
    assert result.ret == 0
    assert result.outlines == ["missing parts: 9"]


def test_without_the_part_that_counts_the_tests_the_progress_says_100_percent(minitester):
    # the count the percentage is taken of comes from terminalreporter.collected: with that part
    # dropped, nothing counted the tests, and each line of the progress ends "[100%]"
    minitester.makepyfile(test_it=TESTS, test_more="def test_a():\n    pass\n\ndef test_b():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "-p", "no:terminalreporter.collected")
    assert result.ret == 1
    progress = [line for line in result.outlines if line.endswith("%]")]
    assert progress == ["test_it.py .Fs" + " " * 59 + "[100%]", "test_more.py .." + " " * 58 + "[100%]"], \
        result.outlines
    assert not any(line.startswith("collected") for line in result.outlines)
