"""The kernel contracts of the terminal and capture plugins (``minitest.terminal_api``,
``minitest.capture_api``, ``minitest.runstats``), used from a conftest plugin through the real
``minitest`` console script."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, RunResult, clean_env, make_files, run_minitest, run_process

from minitest.reports import TestReport
from minitest.runstats import RunStats


def _console_script() -> str:
    """The ``minitest`` script installed next to this interpreter (the venv the suite runs in)."""
    here = Path(sys.executable).parent / ("minitest.exe" if sys.platform == "win32" else "minitest")
    found = str(here) if here.exists() else shutil.which("minitest")
    if found is None:
        pytest.skip("the minitest console script is not installed")
    return found


def _run_script(tmp_path: Path, *args: str) -> RunResult:
    return run_process([_console_script(), "-p", "no:cache", *args], tmp_path,
                       clean_env(pythonpath=[REPO_ROOT]))


SUMMARY_CONFTEST = '''
from minitest.runstats import RUN_STATS
from minitest.terminal_api import TERMINAL_REPORTER


def minitest_terminal_summary(terminalreporter, exitstatus, config):
    reporter = config.stash[TERMINAL_REPORTER]
    assert reporter is terminalreporter
    # pytest plugins still find the reporter by its plugin name
    assert config.pluginmanager.get_plugin("terminalreporter") is reporter
    stats = config.stash[RUN_STATS]
    reporter.write_sep("-", "from the conftest")
    reporter.write_line(f"passed={stats.count('passed')} failed={stats.count('failed')} exit={exitstatus}")
    reporter.writer.line("through the writer", bold=True)
'''

TESTS = '''
def test_ok():
    pass

def test_also_ok():
    pass

def test_bad():
    assert 0
'''


def test_conftest_writes_summary_through_the_contract(tmp_path: Path) -> None:
    make_files(tmp_path, {"conftest.py": SUMMARY_CONFTEST, "test_it.py": TESTS})
    result = _run_script(tmp_path)
    assert result.ret == 1, result.dump()
    lines = result.lines
    sep = next(i for i, line in enumerate(lines) if " from the conftest " in line)
    assert lines[sep].startswith("-") and lines[sep].endswith("-"), result.dump()
    assert lines[sep + 1] == "passed=2 failed=1 exit=1", result.dump()
    assert lines[sep + 2] == "through the writer", result.dump()
    # after FAILURES, before the short test summary and the final line
    assert lines.index("=================================== FAILURES ===================================") < sep
    short = next(i for i, line in enumerate(lines) if "short test summary info" in line)
    assert sep < short, result.dump()
    assert "1 failed, 2 passed" in lines[-1], result.dump()


CAPTURE_CONFTEST = '''
import minitest
from minitest.capture_api import CAPTURE_CONTROL


@minitest.fixture
def shout(request):
    def go(text):
        control = request.config.stash[CAPTURE_CONTROL]
        with control.global_and_fixture_disabled():
            print(text)
    return go
'''


def test_capture_control_lets_a_plugin_reach_the_terminal(tmp_path: Path) -> None:
    make_files(tmp_path, {"conftest.py": CAPTURE_CONFTEST,
                          "test_it.py": "def test_it(shout, capsys):\n    print('swallowed')\n"
                                        "    shout('past the capture')\n"})
    result = _run_script(tmp_path, "-q")
    assert result.ret == 0, result.dump()
    assert "past the capture" in result.stdout and "swallowed" not in result.stdout, result.dump()


@pytest.mark.parametrize("args", [("--setup-show",), ("--fixtures",), ("--cache-show",)])
def test_callers_behave_without_the_terminal(tmp_path: Path, args: tuple[str, ...]) -> None:
    """With ``-p no:terminal`` the contracts are absent and their users write nothing."""
    make_files(tmp_path, {"test_it.py": "import minitest\n\n@minitest.fixture\ndef fx():\n    return 1\n\n"
                                        "def test_it(fx):\n    pass\n"})
    script = _console_script()
    result = run_process([script, "-p", "no:terminal", *args], tmp_path, clean_env(pythonpath=[REPO_ROOT]))
    assert result.ret == 0, result.dump()
    assert "Traceback" not in result.stdout + result.stderr, result.dump()


def _report(nodeid: str, when: str, outcome: str, sections: list[tuple[str, str]] | None = None) -> TestReport:
    return TestReport(nodeid, (nodeid, 0, nodeid), {}, outcome, None, when, sections or [], 0.1)


def test_run_stats_counts() -> None:
    stats = RunStats()
    stats.add_report("", _report("t::a", "setup", "passed"))  # idle: dropped
    stats.add_report("passed", _report("t::a", "call", "passed"))
    stats.add_report("", _report("t::a", "teardown", "passed", [("Captured stdout teardown", "x\n")]))
    stats.add_report("failed", _report("t::b", "call", "failed"))
    stats.add_deselected([])
    assert stats.categories() == ["passed", "", "failed", "deselected"]
    assert stats.count("passed") == 1 and stats.count("failed") == 1 and stats.count("error") == 0
    assert stats.any_passed() and stats.has("deselected") and not stats.has("error")
    assert [r.when for r in stats.phase_reports()] == ["call", "teardown", "call"]
    legacy = stats.legacy_dict()
    legacy.setdefault("rerun", []).append(_report("t::c", "call", "rerun"))  # as a pytest plugin may
    assert stats.count("rerun") == 1
    kept = RunStats()
    kept.keep_idle_phase_reports()
    kept.add_report("", _report("t::a", "setup", "passed"))
    assert kept.count("") == 1


def test_a_report_is_counted_before_other_plugins_see_it(tmp_path: Path) -> None:
    # the statistics part counts tryfirst: a plugin's minitest_runtest_logreport reading
    # RUN_STATS finds the report it is given already counted (the contract in minitest.runstats),
    # also a plugin registered after the terminal, as sub/conftest.py is (found while collecting;
    # pluggy calls later registrations first)
    make_files(tmp_path, {
        "sub/conftest.py": """
            from minitest.runstats import RUN_STATS

            SEEN = []

            def minitest_configure(config):
                SEEN.append(config)

            def minitest_runtest_logreport(report):
                if report.when == "call":
                    stats = SEEN[0].stash[RUN_STATS]
                    print(f"SEEN {report.nodeid.split('::')[1]} failed={stats.count('failed')} "
                          f"passed={stats.count('passed')}")
        """,
        "sub/test_a.py": """
            def test_1_ok():
                pass

            def test_2_bad():
                assert 0
        """,
    })
    result = _run_script(tmp_path, "-s", "-p", "no:cache")
    assert result.ret == 1, result.dump()
    seen = [line.split("SEEN ", 1)[1] for line in result.lines if "SEEN " in line]
    assert seen == ["test_1_ok failed=0 passed=1", "test_2_bad failed=1 passed=1"], result.dump()


def test_the_run_statistics_exist_when_other_plugins_configure(tmp_path: Path) -> None:
    # created tryfirst (builtin_plugins/terminal/__init__.py): a conftest's minitest_configure, called
    # before the terminal's own, may already set them up (as --durations keeps every phase's report)
    make_files(tmp_path, {
        "conftest.py": """
            from minitest.runstats import RUN_STATS

            def minitest_configure(config):
                config.stash[RUN_STATS].keep_idle_phase_reports()

            def minitest_terminal_summary(terminalreporter, config):
                terminalreporter.write_line(f"phases kept: {config.stash[RUN_STATS].count('')}")
        """,
        "test_ok.py": "def test_ok():\n    pass\n",
    })
    result = run_minitest("-p", "no:cache", cwd=tmp_path)
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["phases kept: 2"])  # the passed set-up and teardown of test_ok
