"""``--sw`` as pytest 9.2 does it: the number of tests goes with the remembered failure (a run over
another set of tests does not skip on a stale record), ``--sw-reset`` starts again, and the status
line says how old the record is. Each step runs pytest (with its cache provider) and minitest on
the same folder (``.pytest_cache`` and ``.minitest_cache`` side by side) and compares the
"stepwise:" lines, the tests run with their outcomes, and the exit codes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from conftest import build_minitest_command, clean_env, make_files, run_process, verbose_nodeids

THREE = {"test_s.py": """
    def test_1():
        pass

    def test_2():
        assert 0

    def test_3():
        pass
"""}


def _stepwise_lines(stdout: str) -> list[str]:
    # the age of the record is whatever seconds the runs took: the same wording, not the same number
    return [re.sub(r"cache from \d+:\d\d:\d\d ago", "cache from AGE ago", line)
            for line in stdout.splitlines() if line.startswith("stepwise:")]


def _both(folder: Path, *args: str) -> tuple[list[str], list[tuple[str, str]], int]:
    pytest_env = clean_env({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    ref = run_process([sys.executable, "-m", "pytest", "-v", *args], folder, pytest_env)
    cmd, env = build_minitest_command("-v", *args)
    mine = run_process(cmd, folder, env)
    context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
    assert _stepwise_lines(mine.stdout) == _stepwise_lines(ref.stdout), context
    assert verbose_nodeids(mine) == verbose_nodeids(ref), context
    assert mine.ret == ref.ret, context
    return _stepwise_lines(mine.stdout), verbose_nodeids(mine), mine.ret


def _write_record(folder: Path, value: object) -> None:
    for cache in (".pytest_cache", ".minitest_cache"):
        path = folder / cache / "v" / "cache" / "stepwise"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")


def test_stepwise_steps_reset_and_a_changed_test_count_as_pytest_9(tmp_path):
    make_files(tmp_path, THREE)
    lines, ran, ret = _both(tmp_path, "--sw")
    assert lines == ["stepwise: no previously failed tests, not skipping."]
    assert ran == [("test_s.py::test_1", "PASSED"), ("test_s.py::test_2", "FAILED")] and ret == 2  # interrupted, as pytest

    lines, ran, _ = _both(tmp_path, "--sw")
    assert lines == ["stepwise: skipping 1 already passed items (cache from AGE ago, use --sw-reset to discard)."]
    assert ran == [("test_s.py::test_2", "FAILED")]

    # a test more: the record is stale, nothing is skipped, and the run stops at the failure again
    make_files(tmp_path, {"test_t.py": "def test_t():\n    pass\n"})
    lines, ran, _ = _both(tmp_path, "--sw")
    assert lines == ["stepwise: test count changed, not skipping (now 4 tests, previously 3)."]
    assert ran == [("test_s.py::test_1", "PASSED"), ("test_s.py::test_2", "FAILED")]

    lines, ran, _ = _both(tmp_path, "--sw-reset")  # implies --sw
    assert lines == ["stepwise: resetting state, not skipping."]
    assert ran == [("test_s.py::test_1", "PASSED"), ("test_s.py::test_2", "FAILED")]

    lines, _, _ = _both(tmp_path, "--stepwise-skip")  # the failure at test_2 passed over, none after
    assert lines == ["stepwise: skipping 1 already passed items (cache from AGE ago, use --sw-reset to discard)."]
    record = json.loads((tmp_path / ".minitest_cache/v/cache/stepwise").read_text())
    assert set(record) == {"last_failed", "last_test_count", "last_cache_date_str"}
    assert (record["last_failed"], record["last_test_count"]) == (None, 4)  # the tests selected, before the skip


def test_a_record_that_cannot_be_read_or_names_a_test_no_longer_there(tmp_path):
    make_files(tmp_path, THREE)
    _write_record(tmp_path, {"last_failed": "test_s.py::test_2"})  # written by something else
    lines, ran, _ = _both(tmp_path, "--sw")
    assert lines == ["stepwise: error reading cache, discarding (KeyError: 'last_test_count')",
                     "stepwise: no previously failed tests, not skipping."]
    assert ran == [("test_s.py::test_1", "PASSED"), ("test_s.py::test_2", "FAILED")]

    _write_record(tmp_path, {"last_failed": "test_s.py::test_gone", "last_test_count": 3,
                             "last_cache_date_str": "2026-01-01T00:00:00"})
    lines, _, _ = _both(tmp_path, "--sw")
    assert lines == ["stepwise: previously failed test not found, not skipping."]


def test_a_record_of_minitest_0_1_is_still_followed(run, tmp_path):
    """minitest 0.1 kept only the node id: the run goes on from it and says the record's age is unknown."""
    make_files(tmp_path, THREE)
    path = tmp_path / ".minitest_cache" / "v" / "cache" / "stepwise"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps("test_s.py::test_2"), encoding="utf-8")
    result = run("--sw", "-v")
    assert _stepwise_lines(result.stdout) == [
        "stepwise: skipping 1 already passed items (cache from an earlier minitest version, use --sw-reset to "
        "discard)."]
    assert verbose_nodeids(result) == [("test_s.py::test_2", "FAILED")]
    assert json.loads(path.read_text())["last_failed"] == "test_s.py::test_2"
