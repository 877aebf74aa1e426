"""The controller's shared part (builtin_plugins/parallel/controller_core.py) in process: what it
does with each message a worker sends, how it hands out work, stops, reports a crashed worker and
replaces it, on recorded hooks and workers. The end-to-end runs are tests/test_dist.py,
tests/test_dist_fork.py, tests/test_parallel_like_serial.py and tests/test_parallel_spawned.py;
these pin the details found by mutation testing (tests/MUTATION.md)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from builtin_plugins.parallel import controller_core
from builtin_plugins.parallel.controller_core import _CLOSED, NOT_RUN, Controller, CrashRequeue
from builtin_plugins.parallel.handles import WorkerHandle
from builtin_plugins.parallel.scheduling import Scheduler
from minitest.config import UsageError
from minitest.nodes import Session
from minitest.outcomes import Exit
from minitest.reports import CollectReport, TestReport
from minitest.runstats import RUN_STATS
from minitest.terminal_api import TERMINAL_REPORTER

IDS = [f"test_a.py::test_{i}" for i in range(6)]


class Hook:
    """The config's hook relay: records every call (name, keyword arguments)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        #: name → what else the call does (another plugin's implementation)
        self.effects: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            if name in self.effects:
                self.effects[name]()
            if name == "minitest_report_from_serializable":
                return SimpleNamespace(**kwargs["data"])
            return None

        return call

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


class Writer:
    def __init__(self) -> None:
        self.written: list[tuple[str, bool]] = []

    def write(self, text: str, flush: bool = False) -> None:
        self.written.append((text, flush))


class Reporter:
    def __init__(self, verbosity: int) -> None:
        self.verbosity = verbosity
        self.lines: list[tuple[str, dict[str, bool]]] = []
        self.writer = Writer()

    def write_line(self, text: str, **marks: bool) -> None:
        self.lines.append((text, marks))


class Stats:
    def __init__(self) -> None:
        self.added: list[tuple[str, TestReport]] = []

    def add_report(self, category: str, report: TestReport) -> None:
        self.added.append((category, report))


class Channel:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, message: tuple[str, dict[str, Any]]) -> None:
        self.sent.append(message)


class Replacing(Controller):
    """Starts a replacement worker as told: a new handle, or an error."""

    start_error: Exception | None = None

    def _start_worker(self, spec: str) -> WorkerHandle:
        if self.start_error is not None:
            raise self.start_error
        handle = new_handle(self._new_id(), spec)
        self.workers.append(handle)
        return handle


def new_handle(workerid: str, spec: str = "popen") -> WorkerHandle:
    return WorkerHandle(workerid, spec, SimpleNamespace(spec=spec), Channel(), SimpleNamespace(name=workerid))  # type: ignore[arg-type]


def sent(handle: WorkerHandle) -> list[tuple[str, dict[str, Any]]]:
    return handle.channel.sent  # type: ignore[no-any-return]


def controller_for(workers: int = 2, options: dict[str, Any] | None = None, verbosity: int | None = 0,
                   ids: list[str] | None = None) -> tuple[Replacing, list[WorkerHandle]]:
    """A controller of ``workers`` workers that collected ``ids``, the scheduler made, no work
    given out yet."""
    opts = dict(options or {})
    stash: dict[Any, Any] = {}
    if verbosity is not None:
        stash[TERMINAL_REPORTER] = Reporter(verbosity)
    config = SimpleNamespace(getoption=lambda name, default=None: opts.get(name, default), hook=Hook(), stash=stash)
    session = SimpleNamespace(config=config, shouldfail=False, shouldstop=False, testsfailed=0,
                              Failed=Session.Failed, Interrupted=Session.Interrupted)
    controller = Replacing(session, ["popen"] * workers, [])  # type: ignore[arg-type]
    controller.ids = list(IDS if ids is None else ids)
    controller.scheduler = Scheduler(controller.ids, controller.mode, workers, low_water=1, max_batch=2)
    handles = [new_handle(controller._new_id()) for _ in range(workers)]
    for handle in handles:
        handle.ids = controller.ids
    controller.workers.extend(handles)
    return controller, handles


def lines(controller: Controller) -> list[tuple[str, dict[str, bool]]]:
    return controller.config.stash[TERMINAL_REPORTER].lines  # type: ignore[no-any-return]


def calls(controller: Controller) -> list[tuple[str, dict[str, Any]]]:
    return controller.config.hook.calls  # type: ignore[no-any-return]


def report_data(nodeid: str, when: str = "call", outcome: str = "passed") -> dict[str, Any]:
    return {"nodeid": nodeid, "when": when, "outcome": outcome, "location": ["test_a.py", 1, nodeid]}


def run_item(controller: Controller, handle: WorkerHandle, nodeid: str, outcome: str = "passed") -> None:
    location = ["test_a.py", 1, nodeid]
    for message in (("logstart", {"nodeid": nodeid, "location": location}),
                    ("logreport", {"report": report_data(nodeid, outcome=outcome)}),
                    ("logfinish", {"nodeid": nodeid, "location": location})):
        controller._dispatch(handle, message)


# -- scheduling ------------------------------------------------------------------------------------

def test_work_is_given_as_workers_run_low_and_shutdown_said_once() -> None:
    controller, (gw0, gw1) = controller_for()
    assert controller.mode == "load" and controller.restarts_left == 8
    controller._feed(gw0)
    assert sent(gw0) == [("run", {"indexes": [0, 1]})] and list(gw0.pending) == [0, 1]
    controller._feed(gw0)  # two pending, more than the low water mark of one: nothing
    assert sent(gw0) == [("run", {"indexes": [0, 1]})]
    controller._feed(gw1)
    run_item(controller, gw0, IDS[0])  # gw0 is down to one: it gets the next batch
    # the queue is empty, but gw0 has three left: no "shutdown" before it is down to two
    assert sent(gw0)[1:] == [("run", {"indexes": [4, 5]})]
    assert list(gw0.pending) == [1, 4, 5] and not gw0.shutdown_sent
    run_item(controller, gw1, IDS[2])  # gw1 is down to one: it waits for one of gw0's
    assert sent(gw0)[2:] == [("steal", {"count": 1})] and sent(gw1) == [("run", {"indexes": [2, 3]})]
    assert gw1.waiting_on is gw0 and gw0.giving_to is gw1
    controller._dispatch(gw0, ("returned", {"indexes": [5]}))
    # gw1 runs it; neither has more than two left: nothing more to take, each is told so, once
    assert sent(gw1)[1:] == [("run", {"indexes": [5]}), ("shutdown", {})]
    assert list(gw0.pending) == [1, 4] and list(gw1.pending) == [3, 5]
    assert gw1.waiting_on is None and gw0.giving_to is None
    run_item(controller, gw0, IDS[1])
    run_item(controller, gw0, IDS[4])
    run_item(controller, gw1, IDS[3])
    assert sent(gw0)[3:] == [("shutdown", {})] and sent(gw1)[3:] == []
    assert controller.reported == {IDS[0], IDS[1], IDS[2], IDS[3], IDS[4]}


def test_an_idle_worker_takes_half_of_the_busiest_workers_items_not_started() -> None:
    ids = [f"test_a.py::test_{i}" for i in range(12)]
    controller, (gw0, gw1, gw2) = controller_for(3, ids=ids)
    gw0.pending.extend([0, 1, 2, 3, 4, 5, 6, 7])  # as if gw0 had been given everything (a slow test first)
    gw1.pending.extend([8, 9, 10])
    gw2.pending.extend([11])
    controller.scheduler.clear()  # type: ignore[union-attr]
    run_item(controller, gw2, ids[11])  # gw2 has none left: it asks the busiest, gw0, for half of its 8
    assert sent(gw0) == [("steal", {"count": 4})] and sent(gw1) == [] and sent(gw2) == []
    controller._feed(gw2)  # asked again while waiting: nothing more is sent
    assert sent(gw0) == [("steal", {"count": 4})] and sent(gw2) == []
    # gw0 gives back fewer: it ran some meanwhile, and keeps the one after its running test
    controller._dispatch(gw0, ("returned", {"indexes": [6, 7]}))
    assert list(gw0.pending) == [0, 1, 2, 3, 4, 5] and list(gw2.pending) == [6, 7]
    # gw2 has two now, gw0 six: gw0 is asked again, for half of the difference
    assert sent(gw2) == [("run", {"indexes": [6, 7]})] and sent(gw0)[1:] == [("steal", {"count": 2})]
    controller._dispatch(gw0, ("returned", {"indexes": [4, 5]}))
    # four each but gw1's three: no worker has more than two left beyond gw2's own
    assert list(gw2.pending) == [6, 7, 4, 5] and sent(gw2)[1:] == [("run", {"indexes": [4, 5]})]
    assert sent(gw1) == [] and not gw2.shutdown_sent


def test_a_worker_still_busy_takes_back_only_to_even_out_a_real_difference() -> None:
    ids = [f"test_a.py::test_{i}" for i in range(16)]
    controller, (gw0, gw1) = controller_for(ids=ids)
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller.scheduler.low_water = 5  # type: ignore[union-attr]
    gw0.pending.extend(range(6))
    gw1.pending.extend(range(6, 12))
    controller._feed(gw1)  # more than the low-water mark left: nothing yet, not even "shutdown"
    gw1.pending.popleft()
    controller._feed(gw1)  # five left, gw0 six: taking one would only swap who has more
    assert sent(gw0) == [] and sent(gw1) == []
    gw1.pending.popleft()
    controller._feed(gw1)  # four left, gw0 six: gw1 takes one while it still has work
    assert sent(gw0) == [("steal", {"count": 1})] and gw1.waiting_on is gw0 and sent(gw1) == []
    controller._dispatch(gw0, ("returned", {"indexes": [5]}))
    assert list(gw1.pending) == [8, 9, 10, 11, 5] and sent(gw1) == [("run", {"indexes": [5]})]


def test_the_giver_is_told_what_next_once_it_gave_back() -> None:
    # it answered between two tests, with one test left that it has not started: no test of its
    # ends to ask for more, so the answer itself decides (a run hung here: both workers waited)
    controller, (gw0, gw1) = controller_for()
    controller.scheduler.clear()  # type: ignore[union-attr]
    gw0.pending.extend([0, 1, 2])
    gw1.pending.extend([3])
    controller._feed(gw1)
    assert sent(gw0) == [("steal", {"count": 1})]
    controller._dispatch(gw0, ("returned", {"indexes": [2]}))
    assert list(gw0.pending) == [0, 1] and sent(gw0)[1:] == [("shutdown", {})]
    assert sent(gw1) == [("run", {"indexes": [2]}), ("shutdown", {})]


def test_the_giver_takes_nothing_back_before_its_next_item_finished() -> None:
    # it runs a long test with the next one queued: told there is no more, it does not take back
    # what it just gave (a run left a test behind the long one so, bouncing between the workers)
    controller, (gw0, gw1) = controller_for()
    controller.scheduler.clear()  # type: ignore[union-attr]
    gw0.pending.extend([0, 1, 2, 3])
    gw1.pending.extend([4])
    controller._feed(gw1)
    controller._dispatch(gw0, ("returned", {"indexes": [2, 3]}))
    assert list(gw1.pending) == [4, 2, 3] and gw0.gave_back
    assert sent(gw0) == [("steal", {"count": 2}), ("shutdown", {})]
    run_item(controller, gw1, IDS[4])  # gw1 runs low in turn: gw0 has nothing it has not started
    assert sent(gw0)[2:] == [] and sent(gw1) == [("run", {"indexes": [2, 3]}), ("shutdown", {})]


def test_a_worker_with_nothing_to_give_is_not_asked_again_before_its_next_item_finished() -> None:
    controller, (gw0, gw1) = controller_for()
    gw0.pending.extend([0, 1, 2, 3])
    gw1.pending.extend([4])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._feed(gw1)
    assert sent(gw0) == [("steal", {"count": 2})]
    controller._dispatch(gw0, ("returned", {"indexes": []}))  # it had run them meanwhile
    assert gw0.nothing_to_give and sent(gw1) == [("shutdown", {})] and list(gw0.pending) == [0, 1, 2, 3]
    run_item(controller, gw0, IDS[0])  # what it says now counts again
    assert not gw0.nothing_to_give and sent(gw0) == [("steal", {"count": 2})]


@pytest.mark.parametrize(("busiest", "left", "asked"), [
    (3, 0, 1),  # never the running test nor the one after it
    (3, 2, 1),  # down to two: one is worth taking even if it only swaps who has more
    (2, 0, None),  # nothing that is not running or next
    (4, 4, None),  # four left: decided later
])
def test_how_many_are_asked_for(busiest: int, left: int, asked: int | None) -> None:
    ids = [f"test_a.py::test_{i}" for i in range(8)]
    controller, (gw0, gw1) = controller_for(ids=ids)
    controller.scheduler.clear()  # type: ignore[union-attr]
    gw0.pending.extend(range(busiest))
    gw1.pending.extend(range(4, 4 + left))
    controller._feed(gw1)
    if asked is None:
        assert sent(gw0) == [] and sent(gw1) == ([] if left > 2 else [("shutdown", {})])
    else:
        assert sent(gw0) == [("steal", {"count": asked})] and sent(gw1) == []


@pytest.mark.parametrize("mode", ["loadscope", "loadfile"])
def test_units_kept_on_one_worker_are_not_taken_back(mode: str) -> None:
    controller, (gw0, gw1) = controller_for(options={"dist": mode})
    gw0.pending.extend([0, 1, 2, 3])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._feed(gw1)
    assert sent(gw0) == [] and sent(gw1) == [("shutdown", {})]


@pytest.mark.parametrize("end", ["finished", "closed"])
def test_the_worker_asked_ends_before_it_answers(end: str) -> None:
    controller, (gw0, gw1) = controller_for()
    gw0.pending.extend([0, 1, 2, 3])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._feed(gw1)
    assert sent(gw0) == [("steal", {"count": 2})] and gw1.waiting_on is gw0
    if end == "finished":  # it ran everything it had before it read the request
        gw0.pending.clear()
        controller._dispatch(gw0, ("finished", {"exitstatus": 0, "workeroutput": {}}))
    else:  # it crashed between two tests: its items go back to the queue, and gw1 takes them
        controller._dispatch(gw0, _CLOSED)
    assert gw1.waiting_on is None and gw0.giving_to is None
    if end == "finished":
        assert sent(gw1) == [("shutdown", {})]
    else:
        # batches of two here: gw1 takes two, the replacement the rest once it collected
        assert sent(gw1) == [("run", {"indexes": [0, 1]})] and "replacing crashed worker gw0" in str(lines(controller))
        assert sent(controller.workers[-1]) == [] and controller.scheduler.remaining() == 2  # type: ignore[union-attr]


def test_what_is_given_back_when_the_asker_is_gone_goes_to_any_worker() -> None:
    ids = [f"test_a.py::test_{i}" for i in range(8)]
    controller, (gw0, gw1, gw2, gw3) = controller_for(4, ids=ids)
    gw0.pending.extend([0, 1, 2, 3, 4])
    gw2.pending.extend([5, 6, 7])
    gw3.pending.extend([5])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._feed(gw1)
    assert sent(gw0) == [("steal", {"count": 3})]
    controller._dispatch(gw1, ("finished", {"exitstatus": 0, "workeroutput": {}}))  # e.g. -x elsewhere
    controller._dispatch(gw0, ("returned", {"indexes": [3, 4]}))
    assert list(gw0.pending) == [0, 1, 2] and sent(gw1) == []
    # back in the queue, for whichever worker is low enough to take them now (one left here): gw3
    assert sent(gw3) == [("run", {"indexes": [3, 4]})] and sent(gw2) == []
    assert controller.scheduler.empty  # type: ignore[union-attr]


def test_nothing_given_back_runs_while_the_run_stops() -> None:
    controller, (gw0, gw1) = controller_for()
    gw0.pending.extend([0, 1, 2, 3])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._feed(gw1)
    controller.session.shouldfail = "stopping after 1 failures"
    controller._check_stop()
    controller._dispatch(gw0, ("returned", {"indexes": [2, 3]}))
    assert list(gw0.pending) == [0, 1] and all(name in ("steal", "stop") for name, _ in sent(gw0))
    assert controller.scheduler.empty  # type: ignore[union-attr]  # not queued again either
    assert [name for name, _ in sent(gw1)] == ["stop"]


@pytest.mark.parametrize("state", ["no scheduler", "done", "finished", "not collected", "stopping"])
def test_no_work_for_a_worker_that_cannot_take_it(state: str) -> None:
    controller, (gw0, _) = controller_for()
    if state == "no scheduler":
        controller.scheduler = None
    elif state == "not collected":
        gw0.ids = None
    elif state == "stopping":
        controller.stopping = True
    else:
        setattr(gw0, state, True)
    controller._feed(gw0)
    assert sent(gw0) == []


def test_a_crashed_test_put_back_by_a_plugin_runs_next() -> None:
    controller, _ = controller_for()
    requeue = CrashRequeue(controller)
    requeue.mark_test_pending(IDS[4])
    requeue.mark_test_pending("test_a.py::test_unknown")
    assert list(controller.scheduler.units)[:2] == [[4], [0]]  # type: ignore[union-attr]
    controller.ids = None
    requeue.mark_test_pending(IDS[3])
    controller.scheduler = None
    requeue.mark_test_pending(IDS[3])


# -- the events of one item, replayed together ----------------------------------------------------

def test_an_items_events_are_held_until_it_finished_then_replayed_in_order() -> None:
    controller, (gw0, _) = controller_for()
    controller._feed(gw0)
    location = ["test_a.py", 1, IDS[0]]
    warning = {"message": "careful", "category_module": "builtins", "category_name": "UserWarning",
               "filename": "test_a.py", "lineno": 2, "line": None}
    messages = [("logstart", {"nodeid": IDS[0], "location": location}),
                ("logreport", {"report": report_data(IDS[0], "setup")}),
                ("warning", {"warning": warning, "when": "runtest", "nodeid": IDS[0], "location": location}),
                ("logreport", {"report": report_data(IDS[0], "call", "failed")})]
    for message in messages:
        controller._dispatch(gw0, message)
    assert calls(controller) == [] and gw0.running == IDS[0] and gw0.buffer == messages
    controller._dispatch(gw0, ("logfinish", {"nodeid": IDS[0], "location": location}))
    assert controller.config.hook.names() == [
        "minitest_runtest_logstart", "minitest_report_from_serializable", "minitest_runtest_logreport",
        "minitest_warning_recorded", "minitest_report_from_serializable", "minitest_runtest_logreport",
        "minitest_runtest_logfinish"]
    start, _, setup, warned, _, call, finish = calls(controller)
    assert start[1] == {"nodeid": IDS[0], "location": ("test_a.py", 1, IDS[0])}
    assert finish[1] == start[1]
    assert (setup[1]["report"].when, call[1]["report"].outcome) == ("setup", "failed")
    report = call[1]["report"]
    assert (report.worker_id, report.node, gw0.last_report) == ("gw0", gw0.node, report)
    assert warned[1]["when"] == "runtest" and warned[1]["location"] == ("test_a.py", 1, IDS[0])
    assert str(warned[1]["warning_message"].message) == "careful"
    assert gw0.buffer is None and gw0.running is None
    assert list(gw0.pending) == [1, 2, 3] and sent(gw0)[1:] == [("run", {"indexes": [2, 3]})]  # refilled
    assert controller.reported == {IDS[0]}


def test_what_is_replayed_at_once() -> None:
    controller, (gw0, gw1) = controller_for()
    gw0.path_map = [("/remote/proj", "/here/proj")]
    # collection-time events of a worker that collected: replayed now
    controller._dispatch(gw0, ("deselected", {"nodeids": ["/remote/proj/test_a.py::test_x"]}))
    controller._dispatch(gw0, ("warning", {"warning": {"message": "w", "category_module": "builtins",
                                                       "category_name": "UserWarning", "filename": "f", "lineno": 1,
                                                       "line": None}, "when": "collect", "nodeid": "", "location": None}))
    controller._dispatch(gw0, ("collectreport", {"report": report_data("/remote/proj/test_b.py", "collect", "failed")}))
    controller._dispatch(gw1, ("slow", {"nodeid": IDS[1], "location": ["test_a.py", 1, IDS[1]], "seconds": 2.5}))
    controller._dispatch(gw1, ("unknown", {}))  # another plugin's message: nobody's business here
    names = controller.config.hook.names()
    assert names == ["minitest_deselected", "minitest_warning_recorded", "minitest_report_from_serializable",
                     "minitest_collectreport", "minitest_runtest_slow"]
    deselected, warned, _, collected, slow = calls(controller)
    assert [ref.nodeid for ref in deselected[1]["items"]] == ["/here/proj/test_a.py::test_x"]
    assert warned[1]["location"] is None and warned[1]["when"] == "collect"
    assert collected[1]["report"].nodeid == "/here/proj/test_b.py" and collected[1]["report"].worker_id == "gw0"
    assert not hasattr(collected[1]["report"], "node")
    assert slow[1] == {"nodeid": IDS[1], "location": ("test_a.py", 1, IDS[1]), "seconds": 2.5}
    # before a worker collected, they wait (the controller compares collections first)
    fresh = new_handle("gw2")
    for message in (("collectreport", {"report": {}}), ("deselected", {"nodeids": []}), ("warning", {})):
        controller._dispatch(fresh, message)
    assert len(fresh.collect_events) == 3 and len(calls(controller)) == 5


def test_a_workers_output_goes_to_the_terminal_at_once() -> None:
    controller, (gw0, _) = controller_for()
    controller._dispatch(gw0, ("logstart", {"nodeid": IDS[0], "location": ["test_a.py", 1, IDS[0]]}))
    controller._dispatch(gw0, ("output", {"text": "printed\n"}))
    assert controller.config.stash[TERMINAL_REPORTER].writer.written == [("printed\n", True)]


def test_ready_collected_and_finished() -> None:
    controller, (gw0, gw1) = controller_for()
    controller.ids = None  # the first collections
    gw0.ids = None
    controller._dispatch(gw0, ("ready", {"workerinfo": {"version": "3.x"}}))
    assert gw0.node.workerinfo == {"version": "3.x", "id": "gw0", "spec": "popen"}  # type: ignore[attr-defined]
    controller._dispatch(gw0, ("collected", {"ids": IDS[:2]}))
    assert gw0.ids == IDS[:2] and sent(gw0) == []  # not fed: the run loop compares collections first
    assert calls(controller) == [("minitest_testnodeready", {"node": gw0.node}),
                                 ("minitest_xdist_node_collection_finished", {"node": gw0.node, "ids": IDS[:2]})]
    controller._dispatch(gw1, ("finished", {}))
    assert gw1.finished and gw1.node.workeroutput == {}  # type: ignore[attr-defined]
    controller._dispatch(gw0, ("finished", {"workeroutput": {"n": 1}}))
    assert gw0.node.workeroutput == {"n": 1}  # type: ignore[attr-defined]
    assert calls(controller)[2:] == [("minitest_testnodedown", {"node": gw1.node, "error": None}),
                                     ("minitest_testnodedown", {"node": gw0.node, "error": None})]
    # a channel closing after "finished" is no crash
    controller._dispatch(gw0, _CLOSED)
    assert gw0.done and len(calls(controller)) == 4 and lines(controller) == []


def test_a_replacement_with_the_same_collection_gets_work_and_one_without_stops_the_run() -> None:
    controller, _ = controller_for()
    controller.reference = controller.workers[0]
    same, other = new_handle("gw2"), new_handle("gw3")
    controller._dispatch(same, ("collected", {"ids": IDS}))
    assert sent(same) == [("run", {"indexes": [0, 1]})]
    controller._dispatch(other, ("collected", {"ids": [*IDS[:5], "test_a.py::test_new"]}))
    assert controller.session.shouldstop == "the replacement worker collected different tests"
    assert controller.stopping and sent(other) == []
    report = [kw["report"] for name, kw in calls(controller) if name == "minitest_collectreport"][0]
    assert isinstance(report, CollectReport) and (report.nodeid, report.outcome) == ("gw3", "failed")
    assert str(report.longrepr).startswith("Different tests were collected between gw0 and gw3. The difference is:\n")
    assert "\n+test_a.py::test_new" in str(report.longrepr) and "\n-test_a.py::test_5" in str(report.longrepr)


def test_the_collection_difference_says_what_differs_and_how_to_find_out() -> None:
    first, other = new_handle("gw0"), new_handle("gw1")
    first.ids, other.ids = ["a", "b"], ["a", "c"]
    assert Controller._collection_diff(first, other) == (
        "Different tests were collected between gw0 and gw1. The difference is:\n"
        "--- gw0\n+++ gw1\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        "To see why, run minitest --collect-only without -n on each side of the difference "
        "(test order must not depend on sets, dicts of unhashed objects or random values).")
    other.ids = None
    assert "\n-a\n-b\n" in Controller._collection_diff(first, other)


@pytest.mark.parametrize(("failed", "words"), [(0, "0 errors"), (1, "1 error"), (2, "2 errors")])
def test_errors_during_collection_counted(failed: int, words: str) -> None:
    controller, _ = controller_for()
    controller.session.testsfailed = failed
    assert controller._errors_during_collection() == f"{words} during collection"


# -- stopping ----------------------------------------------------------------------------------------

def test_a_failure_with_x_stops_every_worker_once(monkeypatch: pytest.MonkeyPatch) -> None:
    controller, (gw0, gw1, gw2) = controller_for(workers=3)
    gw2.done = True
    monkeypatch.setattr(controller_core.clock, "monotonic", lambda: 100.0)
    controller._check_stop()
    assert not controller.stopping and controller.stop_deadline is None
    controller.session.shouldfail = "stopping after 1 failures"
    controller._check_stop()
    assert controller.stopping and controller.stop_deadline == 100.0 + controller_core.STOP_GRACE_SECONDS == 110.0
    assert controller.scheduler.empty  # type: ignore[union-attr]
    assert sent(gw0) == sent(gw1) == [("stop", {"interrupt": True})] and sent(gw2) == []
    assert gw0.shutdown_sent and gw1.shutdown_sent and not gw2.shutdown_sent
    controller._check_stop()
    assert len(sent(gw0)) == 1
    controller, (gw0, _) = controller_for()
    controller.session.shouldstop = "a plugin stops"
    controller.scheduler = None
    controller._check_stop()
    assert controller.stopping and sent(gw0) == [("stop", {"interrupt": True})]


def test_minitest_exit_in_a_worker_ends_the_run() -> None:
    controller, (gw0, gw1) = controller_for()
    controller._dispatch(gw0, ("exit", {"reason": "Quitting debugger", "returncode": 3}))
    assert controller.exit_request == ("Quitting debugger", 3)
    assert controller.session.shouldstop == "Quitting debugger" and controller.stopping
    assert sent(gw1) == [("stop", {"interrupt": True})]
    with pytest.raises(Exit) as info:
        controller._raise_stop()
    assert (info.value.msg, info.value.returncode) == ("Quitting debugger", 3)
    controller._dispatch(gw0, ("exit", {"reason": "bye"}))
    assert controller.exit_request == ("bye", None)


def test_how_the_run_loop_ends() -> None:
    controller, (gw0, gw1) = controller_for()
    controller._raise_stop()  # nothing to say
    controller.session.shouldstop = "a plugin stops"
    with pytest.raises(Session.Interrupted, match="^a plugin stops$"):
        controller._raise_stop()
    controller.session.shouldfail = "stopping after 1 failures"
    with pytest.raises(Session.Failed, match="^stopping after 1 failures$"):
        controller._raise_stop()
    controller._dispatch(gw0, ("internalerror", {"text": "Traceback: one"}))
    controller._dispatch(gw1, ("internalerror", {"text": "Traceback: two"}))
    assert (gw0.error, gw1.error) == ("Traceback: one", "Traceback: two")
    with pytest.raises(RuntimeError) as info:
        controller._raise_stop()
    assert str(info.value) == "a worker had an internal error:\n[gw0] Traceback: one\n[gw1] Traceback: two"
    # a worker that had not collected: its error is said as its crash, not as the run's
    fresh = new_handle("gw2")
    controller._dispatch(fresh, ("internalerror", {"text": "Traceback: early"}))
    assert fresh.error == "Traceback: early" and len(controller.internal_errors) == 2


def test_a_usage_error_in_a_worker_is_the_runs() -> None:
    controller, (gw0, _) = controller_for()
    with pytest.raises(UsageError, match="^bad option$"):
        controller._dispatch(gw0, ("usageerror", {"text": "bad option"}))


# -- crashes ------------------------------------------------------------------------------------------

def crash_report(controller: Controller) -> TestReport:
    [report] = [kw["report"] for name, kw in calls(controller) if name == "minitest_handlecrashitem"]
    return report  # type: ignore[no-any-return]


def test_a_worker_dying_in_a_test_fails_that_test_and_is_replaced() -> None:
    controller, (gw0, gw1) = controller_for()
    controller._feed(gw0)
    controller._feed(gw1)
    location = ["test_a.py", 7, IDS[1]]
    run_item(controller, gw0, IDS[0])
    controller._dispatch(gw0, ("logstart", {"nodeid": IDS[1], "location": location}))
    controller._dispatch(gw0, ("logreport", {"report": report_data(IDS[1], "setup")}))
    controller._dispatch(gw0, ("crashnote", {"text": "Timeout (>1.0s) from pytest-timeout."}))
    before = len(calls(controller))
    gw0.error = "the worker process was killed by signal 9"
    controller._dispatch(gw0, "not a message")
    assert gw0.done
    names = controller.config.hook.names()[before:]
    assert names == ["minitest_testnodedown", "minitest_runtest_logstart", "minitest_report_from_serializable",
                     "minitest_runtest_logreport", "minitest_handlecrashitem", "minitest_runtest_logreport",
                     "minitest_runtest_logfinish"]
    assert calls(controller)[before][1] == {"node": gw0.node, "error": "the worker process was killed by signal 9"}
    report = crash_report(controller)
    assert (report.nodeid, report.location, report.outcome, report.when) == (
        IDS[1], ("test_a.py", 7, IDS[1]), "failed", "call")
    assert str(report.longrepr) == (f"worker 'gw0' crashed while running {IDS[1]}\n\n"
                                    "Timeout (>1.0s) from pytest-timeout.")
    crash = report.longrepr.reprcrash  # type: ignore[union-attr]
    assert (crash.path, crash.lineno, crash.message) == ("test_a.py", 7, f"worker 'gw0' crashed while running {IDS[1]}")
    assert (report.worker_id, report.node) == ("gw0", gw0.node)  # type: ignore[attr-defined]
    assert calls(controller)[-1][1] == {"nodeid": IDS[1], "location": ("test_a.py", 7, IDS[1])}
    assert IDS[1] in controller.reported and gw0.running is None and gw0.buffer is None
    # its other test went to the replacement, with the scheduler's next ones
    assert lines(controller) == [("replacing crashed worker gw0", {"yellow": True})]
    assert controller.restarts_left == 7
    gw2 = controller.workers[2]
    assert gw2.id == "gw2" and gw2.spec == "popen" and list(controller.scheduler.units) == [[4], [5]]  # type: ignore[union-attr]
    assert sent(gw2) == []  # not collected yet: fed once it is
    assert sent(gw1) == [("run", {"indexes": [2, 3]})]


def test_a_crash_before_the_test_reported_anything() -> None:
    controller, (gw0, _) = controller_for()
    controller._feed(gw0)
    controller._dispatch(gw0, ("logstart", {"nodeid": IDS[0], "location": ["test_a.py", None, IDS[0]]}))
    gw0.buffer = None  # as if its start had not been read: the location is made up
    controller._dispatch(gw0, _CLOSED)
    report = crash_report(controller)
    assert report.location == (IDS[0], None, IDS[0])
    assert str(report.longrepr) == f"worker 'gw0' crashed while running {IDS[0]}"
    assert report.longrepr.reprcrash.lineno == 0  # type: ignore[union-attr]
    assert calls(controller)[0][1]["error"] == "Not properly terminated"
    # with the worker's own error
    controller, (gw0, _) = controller_for()
    controller._feed(gw0)
    controller._dispatch(gw0, ("logstart", {"nodeid": IDS[0], "location": ["test_a.py", 4, IDS[0]]}))
    gw0.error = "RemoteError: boom"
    controller._dispatch(gw0, _CLOSED)
    assert str(crash_report(controller).longrepr) == f"worker 'gw0' crashed while running {IDS[0]}\n\nRemoteError: boom"


def test_a_crash_that_fails_the_run_with_x_stops_it() -> None:
    controller, (gw0, gw1) = controller_for(options={"maxworkerrestart": 3})
    assert controller.restarts_left == 3
    controller._feed(gw0)
    controller._dispatch(gw0, ("logstart", {"nodeid": IDS[0], "location": ["test_a.py", 1, IDS[0]]}))

    # the crash report fails the run (-x): no replacement, the others stop
    controller.config.hook.effects["minitest_runtest_logreport"] = lambda: setattr(
        controller.session, "shouldfail", "stopping after 1 failures")
    controller._dispatch(gw0, _CLOSED)
    assert controller.stopping and sent(gw1) == [("stop", {"interrupt": True})]
    assert len(controller.workers) == 2 and lines(controller) == []  # no replacement


def test_a_worker_that_ends_after_its_tests_is_said_so() -> None:
    controller, (gw0, _) = controller_for()
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller) == [("[gw0] worker exited unexpectedly after its tests", {"yellow": True})]
    controller, (gw0, _) = controller_for()
    gw0.error = "the worker process exited with code 3"
    controller._dispatch(gw0, _CLOSED)
    controller._dispatch(gw0, _CLOSED)  # once
    assert lines(controller) == [("[gw0] worker exited unexpectedly after its tests: "
                                  "the worker process exited with code 3", {"yellow": True})]
    assert controller.config.hook.names() == ["minitest_testnodedown"]


def test_a_worker_dying_between_tests_passes_its_tests_on() -> None:
    controller, (gw0, _) = controller_for()
    controller._feed(gw0)
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller) == [("replacing crashed worker gw0", {"yellow": True})]
    assert [h.id for h in controller.workers] == ["gw0", "gw1", "gw2"]
    assert sent(controller.workers[1]) == [("run", {"indexes": [0, 1]})]
    assert not any(name == "minitest_handlecrashitem" for name, _ in calls(controller))
    # while stopping, nothing is passed on
    controller, (gw0, _) = controller_for()
    controller._feed(gw0)
    controller.stopping = True
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller) == [] and len(controller.workers) == 2 and list(gw0.pending) == []


def test_a_worker_dying_while_it_collects() -> None:
    controller, (gw0, _) = controller_for()
    controller.ids = None  # the first collection: the run loop says it
    gw0.ids = None
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller) == [] and len(controller.workers) == 2
    controller, (gw0, _) = controller_for()
    gw0.ids = None  # a replacement: another one is tried
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller) == [("replacing crashed worker gw0", {"yellow": True})]
    assert [h.id for h in controller.workers] == ["gw0", "gw1", "gw2"]
    controller.scheduler.clear()  # type: ignore[union-attr]
    gw2 = controller.workers[2]
    controller._dispatch(gw2, _CLOSED)  # nothing left to run: no replacement
    assert len(lines(controller)) == 1 and len(controller.workers) == 3


def test_when_no_replacement_is_left() -> None:
    controller, (gw0, gw1) = controller_for(options={"maxworkerrestart": 0})
    controller._feed(gw0)
    controller._dispatch(gw0, _CLOSED)
    assert controller.workers_lost and controller.session.shouldstop == "maximum crashed workers reached: 0"
    assert controller.stopping and sent(gw1) == [("stop", {"interrupt": True})]
    controller, (gw0, gw1) = controller_for(options={"maxworkerrestart": 1})
    controller._feed(gw0)
    controller._dispatch(gw0, _CLOSED)
    assert controller.restarts_left == 0 and not controller.workers_lost
    gw2 = controller.workers[2]
    gw2.ids = controller.ids
    controller._feed(gw2)
    controller._dispatch(gw2, _CLOSED)
    assert controller.session.shouldstop == "maximum crashed workers reached: 1"


def test_a_replacement_that_cannot_start_leaves_the_tests_to_the_others() -> None:
    controller, (gw0, gw1, _) = controller_for(workers=3)
    controller.start_error = RuntimeError("cannot fork")
    controller._feed(gw0)
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller) == [
        ("replacing crashed worker gw0", {"yellow": True}),
        ("WARNING: could not replace crashed worker gw0: cannot fork; continuing with 2 workers", {"yellow": True})]
    assert sent(gw1) == [("run", {"indexes": [0, 1]})]
    assert not controller.workers_lost
    # one worker left
    controller, (gw0, gw1) = controller_for()
    controller.start_error = RuntimeError("cannot fork")
    controller._feed(gw0)
    controller._dispatch(gw0, _CLOSED)
    assert lines(controller)[1] == ("WARNING: could not replace crashed worker gw0: cannot fork; continuing with 1 worker",
                                    {"yellow": True})
    # none left: the run ends, and what did not run is counted as such
    controller.start_error = RuntimeError("still no")
    run_item(controller, gw1, IDS[0])
    controller._feed(gw1)
    controller._dispatch(gw1, _CLOSED)
    assert controller.workers_lost
    assert controller.session.shouldstop == "could not replace crashed worker gw1: still no, and no other worker is left"
    stats = Stats()
    controller.config.stash[RUN_STATS] = stats
    controller._count_not_run()
    assert [(category, r.nodeid, r.location, r.outcome, r.when) for category, r in stats.added] == [
        (NOT_RUN, nodeid, ("test_a.py", None, nodeid), "skipped", "call") for nodeid in IDS[1:]]
    assert NOT_RUN == "not run"


def test_tests_given_to_a_worker_that_had_finished_go_to_another() -> None:
    controller, (gw0, gw1) = controller_for()
    gw0.pending.extend([4, 5])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._dispatch(gw0, ("finished", {}))
    assert lines(controller) == [("WARNING: worker gw0 ended; continuing with 1 worker", {"yellow": True})]
    assert sent(gw1) == [("run", {"indexes": [4, 5]}), ("shutdown", {})] and list(gw0.pending) == []
    # not while stopping
    controller, (gw0, gw1) = controller_for()
    gw0.pending.extend([4])
    controller.stopping = True
    controller._dispatch(gw0, ("finished", {}))
    assert list(gw0.pending) == [4] and lines(controller) == []
    # a worker that had said goodbye takes nothing more
    controller, (gw0, gw1) = controller_for()
    gw1.finished = True
    gw0.pending.extend([4])
    controller.scheduler.clear()  # type: ignore[union-attr]
    controller._dispatch(gw0, ("finished", {}))
    assert controller.workers_lost and sent(gw1) == [("stop", {"interrupt": True})]
    assert controller.session.shouldstop == "worker gw0 ended, and no other worker is left"


def test_nothing_counted_as_not_run_unless_workers_were_lost() -> None:
    controller, _ = controller_for()
    stats = Stats()
    controller.config.stash[RUN_STATS] = stats
    controller._count_not_run()
    controller.workers_lost = True
    controller.reported = set(IDS)
    controller._count_not_run()
    controller.reported = set()
    controller.ids = None
    controller._count_not_run()
    assert stats.added == []
    del controller.config.stash[RUN_STATS]
    controller.ids = IDS
    controller._count_not_run()


def test_testnodedown_once_per_worker() -> None:
    controller, (gw0, _) = controller_for()
    controller._node_down(gw0, "first")
    controller._node_down(gw0, "second")
    assert calls(controller) == [("minitest_testnodedown", {"node": gw0.node, "error": "first"})]


@pytest.mark.parametrize(("verbosity", "marks", "shown"), [
    (0, {}, True), (-1, {}, False), (-1, {"yellow": True}, True), (-2, {"yellow": False}, True), (None, {}, False)])
def test_the_controllers_lines_at_each_verbosity(verbosity: int | None, marks: dict[str, bool], shown: bool) -> None:
    controller, _ = controller_for(verbosity=verbosity)
    controller._write_line("hello", **marks)
    if verbosity is not None:
        assert lines(controller) == ([("hello", marks)] if shown else [])


def test_worker_ids_count_up() -> None:
    controller, handles = controller_for()
    assert [h.id for h in handles] == ["gw0", "gw1"] and controller._new_id() == "gw2"
    handles[0].done = True
    assert controller.live() == [handles[1]]
    assert controller.restarts_left == 8 and controller.specs == ["popen", "popen"]
    assert controller.nodemanager.specs == ["popen", "popen"]
