"""What a ``-n auto`` run that stays in this process records for the next one, and its line on the
terminal (builtin_plugins/parallel/forked_run.py), in process. The runs themselves are
tests/test_dist_fork.py; these pin the details (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from builtin_plugins.parallel.forked_run import DurationRecorder, _write_line
from builtin_plugins.parallel.forking import DURATIONS_KEY
from minitest.terminal_api import TERMINAL_REPORTER


class Cache:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


def report(nodeid: str, duration: float | None) -> Any:
    return SimpleNamespace(nodeid=nodeid, duration=duration)


def test_the_durations_of_every_phase_are_added_and_saved() -> None:
    cache = Cache()
    known = {"t.py::old": 1.5, "t.py::a": 9.0}
    recorder = DurationRecorder(SimpleNamespace(cache=cache), known)
    for nodeid, duration in [("t.py::a", 0.25), ("t.py::a", 0.5), ("t.py::a", 0.0000004), ("t.py::b", None),
                             ("t.py::c", 0.1234564)]:
        recorder.minitest_runtest_logreport(report(nodeid, duration))
    recorder.minitest_sessionfinish()
    # what this run saw replaces what was known of a test; the others are kept
    assert cache.values == {DURATIONS_KEY: {"t.py::old": 1.5, "t.py::a": 0.75, "t.py::b": 0.0, "t.py::c": 0.123456}}
    assert known == {"t.py::old": 1.5, "t.py::a": 9.0}  # the caller's dict is not changed


def test_nothing_is_saved_without_a_cache_or_a_test() -> None:
    cache = Cache()
    DurationRecorder(SimpleNamespace(cache=cache), {"t.py::a": 1.0}).minitest_sessionfinish()
    assert cache.values == {}  # no test ran (all deselected): what was known stays as it was
    recorder = DurationRecorder(SimpleNamespace(), {})  # -p no:cacheprovider
    recorder.minitest_runtest_logreport(report("t.py::a", 1.0))
    recorder.minitest_sessionfinish()


class Reporter:
    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.lines: list[str] = []

    def write_line(self, text: str) -> None:
        self.lines.append(text)


def session_with(reporter: Reporter | None) -> Any:
    stash = {TERMINAL_REPORTER: reporter} if reporter is not None else {}
    return SimpleNamespace(config=SimpleNamespace(stash=stash))


def test_the_line_is_written_unless_quiet() -> None:
    for verbosity, shown in ((0, True), (1, True), (-1, False), (-2, False)):
        reporter = Reporter(verbosity)
        _write_line(session_with(reporter), "-n auto: no workers")
        assert reporter.lines == (["-n auto: no workers"] if shown else []), verbosity
    _write_line(session_with(None), "no terminal: nothing")  # -p no:terminal


def test_collection_errors_before_forking_stop_the_run(files, run) -> None:
    files({"test_ok.py": "def test_1(): pass\n", "test_bad.py": "import no_such_module_here\n"})
    one = run("-n", "2")
    assert one.ret == 2, one.dump()
    one.fnmatch_lines(["*Interrupted: 1 error during collection*"])
    files({"test_bad2.py": "import no_such_module_here\n"})
    two = run("-n", "2")
    assert two.ret == 2, two.dump()
    two.fnmatch_lines(["*Interrupted: 2 errors during collection*"])
    going_on = run("-n", "2", "--continue-on-collection-errors")
    assert going_on.ret == 1, going_on.dump()
    assert going_on.outcomes() == {"passed": 1, "errors": 2}, going_on.dump()


def test_auto_with_one_worker_allowed_runs_in_this_process(files, run, tmp_path) -> None:
    # a plugin allows one worker and the known work would gain from two: one worker gains
    # nothing over this process, so none is started
    files({"conftest.py": "def minitest_xdist_auto_num_workers(config):\n    return 1\n",
           "test_slow.py": "import minitest\n\n@minitest.mark.parametrize('n', range(4))\ndef test_slow(n): pass\n",
           ".minitest_cache/v/parallel/durations": json.dumps({f"test_slow.py::test_slow[{n}]": 0.25
                                                               for n in range(4)})})
    auto = run("-n", "auto")
    assert auto.ret == 0, auto.dump()
    auto.fnmatch_lines(["-n auto: no workers for 4 tests of ~1.00s known test time*running in this process"])
    auto.no_fnmatch_line("created: *")
