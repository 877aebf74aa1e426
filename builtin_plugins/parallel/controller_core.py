"""The part of the controller every kind of worker shares: it hands out the items and replays
every event a worker sends through this process's hooks, so the terminal, junitxml, cache and any
other reporter see the same calls as in a run without workers; it reports a worker that crashed
and replaces it, and stops every worker on ``-x``. Starting the workers and reading their messages
is a subclass's: :class:`.controller.DistController` (execnet gateways) or
:class:`.forked.ForkController` (forked after collection, which never imports execnet).

The events of one item (logstart, its phase reports, logfinish) are held until the item finished
and then replayed together: items never interleave in the output, whichever worker ran them. A
"slow" event (``minitest_runtest_slow``: the test is still running) is news of now, replayed at once.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from minitest import clock
from minitest.config import UsageError
from minitest.nodes import ItemRef, Session
from minitest.outcomes import Exit
from minitest.reports import CollectReport, FailureRepr, ReprCrash, TestReport
from minitest.runstats import RUN_STATS
from minitest.terminal_api import TERMINAL_REPORTER, TerminalReporterAPI
from minitest.workers_api import NodeManager

from .handles import WorkerHandle
from .options import dist_mode, max_worker_restart
from .output import write_output
from .pathmap import map_paths
from .runuid import new_testrunuid
from .scheduling import Scheduler
from .serialize import warning_from_data

#: the message a worker's channel callback gets when the channel closes (normally or not)
_CLOSED: tuple[str, dict[str, Any]] = ("__closed__", {})
#: the final line's category of the tests left when no worker was left to run them ("3 not run")
NOT_RUN = "not run"
#: how long workers get to finish their current item after -x / --maxfail before they are killed
STOP_GRACE_SECONDS = 10.0
#: in load mode, once every item was given out, a worker down to this many items (the running one
#: and the one after it, which it must know before it finishes the running one) takes items not
#: started back from the busiest worker whatever their numbers, or is told there is no more work.
#: Earlier, while it has at most the scheduler's low-water mark left, it takes them back only to
#: even out a difference of two or more: the answer (from the other worker's command thread, which
#: waits up to the interpreter's 5 ms switch interval for its turn) comes while it still has work
STEAL_AT_PENDING = 2


class CrashRequeue:
    """The ``sched`` of ``minitest_handlecrashitem``: puts a crashed test back in the queue."""

    def __init__(self, controller: Controller) -> None:
        self._controller = controller

    def mark_test_pending(self, item: str) -> None:
        controller = self._controller
        if controller.scheduler is not None and controller.ids is not None and item in controller.ids:
            controller.scheduler.requeue([controller.ids.index(item)])


class Controller:
    """One run of the collected tests on workers: what every kind of worker shares.

    A subclass starts the workers (``_start_worker``), runs the loop that feeds their messages to
    :meth:`_dispatch`, and ends them; this class schedules, replays, handles crashes and stops."""

    def __init__(self, session: Session, specs: list[str], roots: list[Path]) -> None:
        self.session = session
        self.config = session.config
        self.specs = specs
        self.mode = dist_mode(self.config)
        self.workers: list[WorkerHandle] = []
        self.ids: list[str] | None = None
        #: the worker whose collection the others are compared with (spawned workers)
        self.reference: WorkerHandle | None = None
        self.scheduler: Scheduler | None = None
        self.restarts_left = max_worker_restart(self.config, len(self.specs))
        # --testrunuid: one given to every worker (pytest-xdist's), so runs can share one
        self.testrunuid = str(self.config.getoption("testrunuid", None) or new_testrunuid())
        self._counter = 0
        self.stopping = False
        self.stop_deadline: float | None = None
        self.internal_errors: list[str] = []
        #: ``minitest.exit(reason, returncode)`` raised in a worker: raised here once it stopped
        self.exit_request: tuple[str, int | None] | None = None
        #: the node ids whose result was reported (what is not, at a loss of every worker, is "not run")
        self.reported: set[str] = set()
        #: the run ended because no worker was left to run the remaining tests
        self.workers_lost = False
        self.nodemanager = NodeManager(self.specs, roots)

    def _start_worker(self, spec: str) -> WorkerHandle:
        """A new worker in place of a crashed one (raises when it cannot start)."""
        raise NotImplementedError

    # -- the run --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def given_basetemp_held(self) -> Iterator[None]:
        """``--basetemp DIR``: emptied once, here, as a serial run empties it (and only when
        minitest may: the checks of minitest.tmpdirs), locked while the workers run; each worker
        then uses its own ``DIR/popen-gwN``."""
        basetemp = self.config.getoption("basetemp", None)
        if not basetemp:
            yield
            return
        from minitest import tmpdirs

        base_lock = tmpdirs.prepare_given_basetemp(
            Path(os.path.abspath(self.config.invocation_params.dir / str(basetemp))))
        try:
            yield
        finally:
            base_lock.release()

    def _raise_stop(self) -> None:
        """End the run loop as a serial run ends: internal errors, ``minitest.exit()`` in a worker
        (the debugger's quit), ``-x``, a plugin's stop."""
        if self.exit_request is not None:
            raise Exit(*self.exit_request)
        if self.internal_errors:
            raise RuntimeError("a worker had an internal error:\n" + "\n".join(self.internal_errors))
        if self.session.shouldfail:
            raise self.session.Failed(self.session.shouldfail)
        if self.session.shouldstop:
            raise self.session.Interrupted(self.session.shouldstop)

    def live(self) -> list[WorkerHandle]:
        return [h for h in self.workers if not h.done]

    def _new_id(self) -> str:
        workerid = f"gw{self._counter}"
        self._counter += 1
        return workerid

    # -- collections compared -------------------------------------------------------------------
    def _errors_during_collection(self) -> str:
        n = self.session.testsfailed
        return f"{n} error{'s' if n != 1 else ''} during collection"

    def _collection_error(self, workerid: str, text: str) -> None:
        """A collection error of the worker (shown as "ERROR collecting gw1")."""
        report = CollectReport(workerid, "failed", FailureRepr(text), None)
        self.config.hook.minitest_collectreport(report=report)

    @staticmethod
    def _collection_diff(first: WorkerHandle, other: WorkerHandle) -> str:
        import difflib  # only when two collections differ

        diff = difflib.unified_diff(first.ids or [], other.ids or [], first.id, other.id, lineterm="")
        return (f"Different tests were collected between {first.id} and {other.id}. "
                "The difference is:\n" + "\n".join(diff)
                + "\nTo see why, run minitest --collect-only without -n on each side of the difference "
                  "(test order must not depend on sets, dicts of unhashed objects or random values).")

    # -- messages -------------------------------------------------------------------------------
    def _dispatch(self, handle: WorkerHandle, message: Any) -> None:
        if message is _CLOSED or not isinstance(message, tuple):
            self._closed(handle)
            return
        name, payload = message
        if name == "collected":
            handle.ids = list(payload["ids"])
            groups = payload.get("groups")
            handle.groups = list(groups) if groups is not None else None
            self.config.hook.minitest_xdist_node_collection_finished(node=handle.node, ids=handle.ids)
            if self.ids is not None:  # a replacement worker
                self._replacement_collected(handle)
        elif name in ("collectreport", "deselected", "warning") and handle.ids is None:
            handle.collect_events.append(message)
        elif name == "logstart":
            handle.running = payload["nodeid"]
            handle.buffer = [message]
        elif name == "logfinish":
            events = (handle.buffer or []) + [message]
            handle.buffer = None
            handle.running = None
            for event in events:
                self._replay(handle, event)
            handle.item_finished(payload["nodeid"], self.ids or [])
            handle.nothing_to_give = handle.gave_back = False
            self.reported.add(payload["nodeid"])
            self._check_stop()
            self._feed(handle)
        elif name in ("logreport", "warning") and handle.buffer is not None:
            handle.buffer.append(message)
        elif name == "output":
            write_output(self._reporter(), payload["text"])  # live, not held with the item's reports
        elif name == "slow":
            # live news of the running test: shown now, not held with its reports
            self.config.hook.minitest_runtest_slow(nodeid=payload["nodeid"], location=tuple(payload["location"]),
                                                   seconds=payload["seconds"])
        elif name == "crashnote":
            handle.crash_note = payload["text"]
        elif name == "internalerror":
            handle.error = payload["text"]
            if handle.ids is not None:
                self.internal_errors.append(f"[{handle.id}] {payload['text']}")
        elif name == "exit":
            # a worker's test (or its debugger) ended the run: the others stop, as -x stops them
            self.exit_request = (str(payload["reason"]), payload.get("returncode"))
            self.session.shouldstop = str(payload["reason"])
            self._check_stop()
        elif name == "usageerror":
            raise UsageError(payload["text"])
        elif name == "ready":
            self._worker_ready(handle, payload["workerinfo"])
        elif name == "returned":
            self._given_back(handle, [int(index) for index in payload["indexes"]])
        elif name == "finished":
            handle.finished = True
            waiting = self._end_steals(handle)
            handle.node.workeroutput = payload.get("workeroutput", {})
            self._node_down(handle, None)
            if handle.pending and not self.stopping:
                # given to it after it had been told there was no more work (a crashed worker's
                # tests, passed on), too late: another worker runs them
                leftovers = list(handle.pending)
                handle.pending.clear()
                self._pass_on(leftovers, f"worker {handle.id} ended")
            if waiting is not None:
                self._feed(waiting)
        else:
            self._replay(handle, message)
            self._check_stop()

    def _worker_ready(self, handle: WorkerHandle, info: dict[str, Any]) -> None:
        """``node.workerinfo`` (what the worker said of itself, its id and spec), then the hook."""
        handle.node.workerinfo = {**info, "id": handle.id, "spec": handle.gateway.spec}
        self.config.hook.minitest_testnodeready(node=handle.node)

    def _replay(self, handle: WorkerHandle, event: tuple[str, dict[str, Any]]) -> None:
        """Call this process's hooks with what a worker reported."""
        name, payload = event
        # a worker running a --rsyncdir copy names the copy's paths: say the project's
        payload = map_paths(payload, handle.path_map)
        hook = self.config.hook
        if name in ("logreport", "collectreport"):
            report = hook.minitest_report_from_serializable(config=self.config, data=payload["report"])
            report.worker_id = handle.id
            if name == "logreport":
                report.node = handle.node  # as pytest-xdist: the worker that ran it
                handle.last_report = report
                hook.minitest_runtest_logreport(report=report)
            else:
                hook.minitest_collectreport(report=report)
        elif name == "logstart":
            hook.minitest_runtest_logstart(nodeid=payload["nodeid"], location=tuple(payload["location"]))
        elif name == "logfinish":
            hook.minitest_runtest_logfinish(nodeid=payload["nodeid"], location=tuple(payload["location"]))
        elif name == "deselected":
            hook.minitest_deselected(items=[ItemRef(n) for n in payload["nodeids"]])
        elif name == "warning":
            location = tuple(payload["location"]) if payload.get("location") else None
            hook.minitest_warning_recorded(warning_message=warning_from_data(payload["warning"]),
                                           when=payload["when"], nodeid=payload["nodeid"], location=location)

    # -- scheduling -----------------------------------------------------------------------------
    def _feed(self, handle: WorkerHandle) -> None:
        """Give ``handle`` more work if it runs low; tell it when there is no more.

        A worker told "no more work" still takes tests it is sent before it ends (a crashed
        worker's, passed on); those it ends without running come back with its "finished"."""
        if self.scheduler is None or handle.done or handle.finished or handle.ids is None or self.stopping:
            return
        batch = self.scheduler.take(len(handle.pending))
        if batch:
            handle.pending.extend(batch)
            handle.send("run", indexes=batch)
        if self.scheduler.empty and not handle.shutdown_sent:
            if self.mode == "load" and self._steal_for(handle):
                return  # decided when it is lower, or when the items asked for come back
            handle.shutdown_sent = True
            handle.send("shutdown")

    # -- the end of the run: idle workers take work back from busy ones -----------------------------
    def _steal_for(self, thief: WorkerHandle) -> bool:
        """Ask the worker with the most items left to give half of those not started to ``thief``,
        whose own are running out; True if asked, already waiting, or to be decided later (it
        has more than :data:`STEAL_AT_PENDING` left). Batches are sized from estimates: without
        this, a worker whose tests run longer than estimated (a slow test, a busy CPU, no recorded
        durations) runs its queue alone at the end while the others idle."""
        left = len(thief.pending)
        if thief.waiting_on is not None:
            return True
        assert self.scheduler is not None
        if left > max(self.scheduler.low_water, STEAL_AT_PENDING):
            return True
        if thief.gave_back:
            return left > STEAL_AT_PENDING
        candidates = [h for h in self.live() if h is not thief and not h.finished and h.giving_to is None
                      and not h.nothing_to_give]
        if candidates:
            victim = max(candidates, key=lambda h: len(h.pending))
            most = len(victim.pending)
            count = min((most - left + 1) // 2, most - STEAL_AT_PENDING)
            if count >= 1 and (left <= STEAL_AT_PENDING or most - left >= 2):
                victim.giving_to, thief.waiting_on = thief, victim
                victim.send("steal", count=count)
                return True
        return left > STEAL_AT_PENDING

    def _given_back(self, victim: WorkerHandle, indexes: list[int]) -> None:
        """``victim`` answered a steal: its items not started go to the worker waiting for them."""
        thief, victim.giving_to = victim.giving_to, None
        if thief is not None:
            thief.waiting_on = None
        if indexes:
            given = set(indexes)
            victim.pending = type(victim.pending)(i for i in victim.pending if i not in given)
            victim.gave_back = True
        else:
            victim.nothing_to_give = True
        if self.scheduler is None or self.stopping:
            return  # -x: they do not run, as in a serial run
        if thief is None:  # it ended meanwhile (_end_steals): any worker takes them, the giver too
            self.scheduler.requeue(indexes)
            for handle in self.live():
                self._feed(handle)
            return
        if indexes:
            thief.pending.extend(indexes)
            thief.send("run", indexes=indexes)
        self._feed(thief)
        # the giver may be down to one test it has not started (it answered between two tests):
        # it waits for its last word, and no test of its will end to ask for it (it takes nothing
        # back now: gave_back)
        self._feed(victim)

    def _end_steals(self, handle: WorkerHandle) -> WorkerHandle | None:
        """``handle`` ended: no answer to wait for from it, and items it would have been given go
        to whichever worker takes them. Returns the worker that waited on it, to be fed once the
        ended worker's own items are back in the queue."""
        victim, handle.waiting_on = handle.waiting_on, None
        if victim is not None:
            victim.giving_to = None  # its answer, when it comes, finds no one waiting
        thief, handle.giving_to = handle.giving_to, None
        if thief is not None:
            thief.waiting_on = None
        return thief

    def _check_stop(self) -> None:
        """After -x / --maxfail (or a plugin asking to stop), end every worker promptly."""
        if self.stopping or not (self.session.shouldfail or self.session.shouldstop):
            return
        self.stopping = True
        self.stop_deadline = clock.monotonic() + STOP_GRACE_SECONDS
        if self.scheduler is not None:
            self.scheduler.clear()
        for handle in self.live():
            handle.shutdown_sent = True
            # the test a worker is running now would not have started in a serial run: cut it short
            handle.send("stop", interrupt=True)

    # -- crashes --------------------------------------------------------------------------------
    def _closed(self, handle: WorkerHandle) -> None:
        if handle.done:
            return
        handle.done = True
        waiting = self._end_steals(handle)
        try:
            self._closed_worker(handle)
        finally:
            if waiting is not None:
                self._feed(waiting)

    def _closed_worker(self, handle: WorkerHandle) -> None:
        if handle.finished:
            return
        handle.error = handle.error or handle.remote_error()
        self._node_down(handle, handle.error or "Not properly terminated")
        if handle.ids is None:
            if self.ids is not None:  # a replacement died while collecting: try another one
                self._replace(handle, [])
            return
        crashed = handle.running
        if crashed is not None:
            handle.item_finished(crashed, self.ids or [])
            self._report_crash(handle)
        leftovers = list(handle.pending)
        if crashed is None and not leftovers:
            self._write_line(f"[{handle.id}] worker exited unexpectedly after its tests"
                             + (f": {handle.error}" if handle.error else ""), yellow=True)
            return
        handle.pending.clear()
        if self.stopping:
            return
        self._replace(handle, leftovers)

    def _report_crash(self, handle: WorkerHandle) -> None:
        """The item a worker was running when it died fails; what it reported before is kept."""
        nodeid = handle.running or ""
        events = handle.buffer or []
        handle.buffer = None
        handle.running = None
        start = events[0][1] if events else {"nodeid": nodeid, "location": [nodeid, None, nodeid]}
        for event in events:
            self._replay(handle, event)
        headline = f"worker {handle.id!r} crashed while running {nodeid}"
        text = headline
        if handle.crash_note:
            text += f"\n\n{handle.crash_note}"
        elif handle.error:
            text += f"\n\n{handle.error}"
        location = tuple(start["location"])
        crash = ReprCrash(str(location[0]), int(location[1] or 0), headline)
        report = TestReport(nodeid, location, {}, "failed", FailureRepr(text, crash), "call")
        report.worker_id = handle.id  # type: ignore[attr-defined]
        report.node = handle.node  # type: ignore[attr-defined]
        hook = self.config.hook
        self.reported.add(nodeid)
        hook.minitest_handlecrashitem(crashitem=nodeid, report=report, sched=CrashRequeue(self))
        hook.minitest_runtest_logreport(report=report)
        hook.minitest_runtest_logfinish(nodeid=nodeid, location=location)
        self._check_stop()

    def _replace(self, crashed: WorkerHandle, leftovers: list[int]) -> None:
        assert self.scheduler is not None
        self.scheduler.requeue(leftovers)
        if self.scheduler.empty and not leftovers:
            return
        if self.restarts_left <= 0:
            limit = max_worker_restart(self.config, len(self.specs))
            self._lose_workers(f"maximum crashed workers reached: {limit}")
            return
        self.restarts_left -= 1
        self._write_line(f"replacing crashed worker {crashed.id}", yellow=True)
        try:
            self._start_worker(crashed.spec)
        except Exception as exc:  # noqa: BLE001 - WorkerStartError, or whatever a plugin's hook raised
            self._pass_on([], f"could not replace crashed worker {crashed.id}: {exc}")
            return
        # workers told "no more work" may be idle: the requeued items go to the new worker
        for handle in self.live():
            self._feed(handle)

    def _pass_on(self, leftovers: list[int], why: str) -> None:
        """Give the queued tests (and ``leftovers``) to the workers still running; without any,
        the run ends, counting the tests no worker ran."""
        assert self.scheduler is not None
        self.scheduler.requeue(leftovers)
        if self.scheduler.empty:
            return
        # a replacement still collecting takes its share once it collected
        takers = [h for h in self.live() if not h.finished]
        if not takers:
            self._lose_workers(f"{why}, and no other worker is left")
            return
        n = len(takers)
        self._write_line(f"WARNING: {why}; continuing with {n} worker{'s' if n != 1 else ''}", yellow=True)
        for handle in takers:
            self._feed(handle)

    def _lose_workers(self, reason: str) -> None:
        """No worker can run the rest: stop, and count what was not run (see _count_not_run)."""
        self.workers_lost = True
        self.session.shouldstop = reason
        self._check_stop()

    def _count_not_run(self) -> None:
        """After a loss of workers: the tests no worker ran go on the final line as "N not run"
        (as a test stopped by -x, each is reported by no hook: it did not run)."""
        if not self.workers_lost or self.ids is None:
            return
        stats = self.config.stash.get(RUN_STATS, None)
        left = [nodeid for nodeid in self.ids if nodeid not in self.reported]
        if stats is None or not left:
            return
        for nodeid in left:
            location = (nodeid.split("::", 1)[0], None, nodeid)
            stats.add_report(NOT_RUN, TestReport(nodeid, location, {}, "skipped", None, "call"))

    def _replacement_collected(self, handle: WorkerHandle) -> None:
        if handle.ids != self.ids:
            assert self.reference is not None
            self._collection_error(handle.id, self._collection_diff(self.reference, handle))
            self.session.shouldstop = "the replacement worker collected different tests"
            self._check_stop()
            return
        self._feed(handle)

    def _node_down(self, handle: WorkerHandle, error: object | None) -> None:
        """``minitest_testnodedown``, once per worker (before the run loop returns, so plugins
        wrapping it have every worker's output)."""
        if handle.down_reported:
            return
        handle.down_reported = True
        self.config.hook.minitest_testnodedown(node=handle.node, error=error)

    # -- output ---------------------------------------------------------------------------------
    def _reporter(self) -> TerminalReporterAPI | None:
        return self.config.stash.get(TERMINAL_REPORTER, None)

    def _write_line(self, text: str, **marks: bool) -> None:
        reporter = self._reporter()
        if reporter is None or reporter.verbosity < 0 and not marks:
            return
        reporter.write_line(text, **marks)
