"""Faults while reporting (issue 17): a full disk when a report is written, the report files'
mode, a symlinked report path, the terminal closed under the run (SIGPIPE into ``head``).

The full disk is simulated in the run itself: a conftest.py makes the final ``os.replace`` of a
report file (or the report-log stream's next write) raise ENOSPC, as a full file system would."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest
from conftest import build_minitest_command

FULL_DISK_FOR_REPORTS = """
import errno
import os

_real_replace = os.replace


def _replace(src, dst):
    if str(dst).endswith((".xml", ".html")):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))
    return _real_replace(src, dst)


def minitest_sessionstart(session):
    os.replace = _replace
"""

FULL_DISK_FOR_THE_STREAM = """
import errno


class _Full:
    def write(self, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self):
        pass

    def close(self):
        pass


def minitest_runtest_logfinish(nodeid):
    recorder = _CONFIG.pluginmanager.get_plugin("reportlog-recorder")
    recorder._file = _Full()  # the disk fills up after the first test


def minitest_configure(config):
    global _CONFIG
    _CONFIG = config
"""

TESTS = "def test_one(): pass\n\ndef test_two(): pass\n"


@pytest.mark.parametrize(("option", "name"), [("--junitxml", "report.xml"), ("--html", "report.html")])
def test_a_full_disk_leaves_the_old_report_and_fails_the_run(files, run, tmp_path, option, name):
    files({"conftest.py": FULL_DISK_FOR_REPORTS, "test_x.py": TESTS})
    (tmp_path / name).write_text("the report of the run before\n")
    result = run(f"{option}={name}")
    assert result.ret == 4, result.dump()
    assert result.outcomes() == {"passed": 2}
    result.fnmatch_lines([f"ERROR: {option}: could not write *{name}: No space left on device "
                          "(any earlier file there is unchanged)"], stream="stderr")
    assert "Traceback" not in result.output and "INTERNALERROR" not in result.output, result.dump()
    assert (tmp_path / name).read_text() == "the report of the run before\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(f".{name}.")]  # no temp file left


def test_a_full_disk_under_the_report_log_keeps_the_events_before(files, run, tmp_path):
    files({"conftest.py": FULL_DISK_FOR_THE_STREAM, "test_x.py": TESTS})
    result = run("--report-log=events.jsonl", "-p", "no:randomly")
    assert result.ret == 4, result.dump()
    result.fnmatch_lines(["ERROR: --report-log: could not write *events.jsonl: No space left on device*"],
                         stream="stderr")
    assert "Traceback" not in result.output, result.dump()
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert '"SessionStart"' in lines[0] and any('"test_x.py::test_one"' in line for line in lines)


def test_a_failing_run_keeps_its_exit_code_when_the_report_is_not_written(files, run):
    files({"conftest.py": FULL_DISK_FOR_REPORTS, "test_x.py": "def test_fails(): assert False\n"})
    result = run("--junitxml=report.xml")
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["ERROR: --junitxml: could not write *"], stream="stderr")


def test_reports_are_readable_as_the_umask_says_and_keep_an_existing_mode(files, tmp_path):
    files({"test_x.py": TESTS})
    cmd, env = build_minitest_command("--junitxml=report.xml", "--html=report.html", "--report-log=log.jsonl")
    subprocess.run(["sh", "-c", 'umask 022 && exec "$@"', "sh", *cmd], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    for name in ("report.xml", "report.html", "log.jsonl"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    os.chmod(tmp_path / "report.xml", 0o640)
    subprocess.run(["sh", "-c", 'umask 022 && exec "$@"', "sh", *cmd], cwd=tmp_path, env=env, check=True,
                   capture_output=True)
    assert stat.S_IMODE((tmp_path / "report.xml").stat().st_mode) == 0o640  # its own mode kept


def test_a_symlinked_report_path_is_written_through(files, run, tmp_path):
    files({"test_x.py": TESTS})
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "junit.xml").write_text("old")
    (tmp_path / "latest.xml").symlink_to(tmp_path / "reports" / "junit.xml")
    result = run("--junitxml=latest.xml")
    assert result.ret == 0, result.dump()
    assert (tmp_path / "latest.xml").is_symlink()
    assert "<testsuites" in (tmp_path / "reports" / "junit.xml").read_text()


def test_the_terminal_closed_under_the_run(files, tmp_path):
    """``minitest -v | head -3``: the run ends quietly when its reader went away, as pytest's."""
    files({"test_many.py": "".join(f"def test_{i}():\n    pass\n" for i in range(2000))})
    cmd, env = build_minitest_command("-v", "-p", "no:cache")
    script = '"$@" 2>err.txt | head -3 > out.txt; echo "${PIPESTATUS[0]}" > rc.txt'
    subprocess.run(["bash", "-c", script, "bash", *cmd], cwd=tmp_path, env=env, check=True, timeout=120)
    assert (tmp_path / "out.txt").read_text().splitlines()[0].startswith("=====")
    assert int((tmp_path / "rc.txt").read_text()) in (0, 1, 120)  # pytest: 1 (its flush fails at exit)
    assert "Traceback" not in (tmp_path / "err.txt").read_text()
