"""The controller of spawned workers (execnet gateways: ``--tx``, or ``-n`` where the workers are
not forked): starts them, checks that they collected the same tests, reads their messages from
execnet's channels; the rest is :class:`.controller_core.Controller`'s.
"""

from __future__ import annotations

import queue
import sys
from typing import Any

import execnet

from minitest import clock
from minitest.config import UsageError
from minitest.nodes import Session
from minitest.workers_api import WorkerNode

from . import remote
from .controller_core import _CLOSED, NOT_RUN, STOP_GRACE_SECONDS, Controller, CrashRequeue
from .handles import WorkerHandle
from .options import loadscope_reorder, max_batch_option, worker_specs, worker_start_timeout
from .scheduling import MAX_BATCH, Scheduler
from .serialize import plain
from .shipping import Shipment
from .starting import WorkerStart, WorkerStartError, where
from .workers import rsync_roots, same_interpreter

__all__ = ["DistController", "Controller", "CrashRequeue", "NOT_RUN", "STOP_GRACE_SECONDS", "_CLOSED"]


class DistController(Controller):
    """One distributed run of ``session`` on workers started through execnet."""

    def __init__(self, session: Session, *, collected_here: bool = False) -> None:
        config = session.config
        specs = worker_specs(config)
        super().__init__(session, specs, rsync_roots(config, specs))
        # the controller collected (for forked workers, which could not be used after all): the
        # workers' collections are only compared with it, not replayed a second time
        self.collected_here = collected_here
        self.events: queue.Queue[tuple[WorkerHandle, tuple[str, dict[str, Any]]]] = queue.Queue()
        # tests run in the main thread of a worker, as in a run without workers (signal handlers)
        self.group = execnet.Group(execmodel="main_thread_only")
        self.start_timeout = worker_start_timeout(self.config)

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> None:
        with self.given_basetemp_held():
            try:
                self._start_workers()
                self._collect()
                if self.ids:
                    self.scheduler = Scheduler(self.ids, self.mode, len(self.workers),
                                               max_batch=max_batch_option(self.config, MAX_BATCH),
                                               reorder=loadscope_reorder(self.config), groups=self._groups())
                    for handle in self.live():
                        self._feed(handle)
                    self._loop(lambda: any(not h.done for h in self.workers))
            finally:
                self._terminate()
        self._count_not_run()
        self._raise_stop()

    def _groups(self) -> list[str | None] | None:
        """--dist loadgroup: each item's xdist_group, from this process's items when it collected
        them, else from the first worker's collection (the others collected the same)."""
        if self.mode != "loadgroup":
            return None
        if self.collected_here:
            from .loadgroup import groups_of

            return groups_of(self.session.items)
        return self.reference.groups if self.reference is not None else None

    # -- starting workers -----------------------------------------------------------------------
    def _start_workers(self) -> None:
        """Start every worker; the gateways start in parallel (each is a new interpreter); a
        worker that cannot start is named with the reason and the others carry on."""
        failures: list[str] = []
        self.config.hook.minitest_xdist_setupnodes(config=self.config,
                                                   specs=[execnet.XSpec(spec) for spec in self.specs])
        starts = [self._begin_start(spec) for spec in self.specs]
        for start in starts:
            try:
                self._attach(start.spec, start.workerid, start.wait())
            except WorkerStartError as exc:
                failures.append(str(exc))
        if failures and not self.workers:
            raise UsageError("\n".join(failures))
        n = len(self.workers)
        for failure in failures:
            self._write_line(f"WARNING: {failure}; continuing with {n} worker{'s' if n != 1 else ''}", yellow=True)
        self._write_line(f"created: {n}/{len(self.specs)} worker{'s' if len(self.specs) != 1 else ''}")

    def _begin_start(self, spec: str) -> WorkerStart:
        # the same interpreter as ours shares our import path (so the same minitest and plugins)
        place = {"sys_path": list(sys.path) if same_interpreter(execnet.XSpec(spec)) else None}
        return WorkerStart(self.group, spec, self._new_id(), self.config, self.start_timeout, place)

    def _start_worker(self, spec: str) -> WorkerHandle:
        start = self._begin_start(spec)
        return self._attach(spec, start.workerid, start.wait())

    def _attach(self, spec: str, workerid: str, started: tuple[Any, Shipment]) -> WorkerHandle:
        """Send the worker code and its start-up message; listen to what it sends."""
        gateway, shipment = started
        for line in shipment.lines:
            self._write_line(line)
        try:
            return self._bootstrap(spec, workerid, gateway, shipment)
        except (OSError, EOFError, execnet.RemoteError) as exc:  # the gateway died after its checks
            raise WorkerStartError(f"could not start worker {workerid} on {where(spec)}: "
                                   f"{type(exc).__name__}: {exc}") from None

    def _bootstrap(self, spec: str, workerid: str, gateway: Any, shipment: Shipment) -> WorkerHandle:
        hook = self.config.hook
        hook.minitest_xdist_newgateway(gateway=gateway)
        args = [str(a) for a in self.config.invocation_params.args]
        node = WorkerNode(self.config, gateway, {
            "workerid": workerid, "workercount": len(self.specs), "testrunuid": self.testrunuid, "mainargv": args,
        }, self.nodemanager)
        if hook.minitest_testnodedown.get_hookimpls():
            # the remote interpreter's info, asked for now: a plugin reading it when the worker is
            # down (pytest-cov: ``gateway._rinfo()``) would wait for the worker's main thread,
            # which execnet's main_thread_only model keeps busy with our bootstrap (pytest-xdist
            # asks for it at the same moment, for the same reason)
            gateway._rinfo()
        hook.minitest_configure_node(node=node)
        channel = gateway.remote_exec(remote)
        handle = WorkerHandle(workerid, spec, gateway, channel, node)
        handle.path_map = shipment.path_map
        channel.send({
            "workerid": workerid,
            "workercount": len(self.specs),
            "testrunuid": self.testrunuid,
            "groups": self.mode == "loadgroup",
            "workerinput": plain(node.workerinput),
            "args": args,
            "invocation_dir": shipment.invocation_dir,
            "rootdir": str(self.config.rootpath),
            "sys_path": list(sys.path) if same_interpreter(gateway.spec) else None,
            "extra_sys_path": shipment.extra_sys_path,
        })
        channel.setcallback(lambda message: self.events.put((handle, message)), endmarker=_CLOSED)
        self.workers.append(handle)
        return handle

    # -- collection -----------------------------------------------------------------------------
    def _collect(self) -> None:
        """Wait until every worker collected; replay one worker's collection; compare the ids."""
        self._loop(lambda: any(h.ids is None and not h.done for h in self.workers))
        collected = [h for h in self.workers if h.ids is not None]
        broken = [h for h in self.workers if h.ids is None]
        if broken:
            for handle in broken:
                self._collection_error(handle.id, f"worker {handle.id!r} crashed during collection"
                                       + (f":\n{handle.error}" if handle.error else ""))
            raise self.session.Interrupted(self._errors_during_collection())
        self.reference = collected[0]
        if self.collected_here:
            self.ids = [item.nodeid for item in self.session.items]
            for handle in collected:
                if handle.ids != self.ids:
                    self._collection_error(handle.id, self._collection_diff(self.reference, handle))
                    raise self.session.Interrupted(self._errors_during_collection())
            n, m = len(collected), len(self.ids)
            self._write_line(f"{n} worker{'s' if n != 1 else ''} [{m} item{'s' if m != 1 else ''}]")
            return
        self.ids = list(self.reference.ids or [])
        for event in self.reference.collect_events:
            self._replay(self.reference, event)
        for handle in collected[1:]:
            if handle.ids != self.ids:
                self._collection_error(handle.id, self._collection_diff(self.reference, handle))
                raise self.session.Interrupted(self._errors_during_collection())
        self.session.testscollected = len(self.ids)
        reporter = self._reporter()
        if reporter is not None:
            # the progress percentage counts against the collected total, which only workers know
            reporter.set_collected_total(len(self.ids))
            reporter.set_show_file_names(False)
        n, m = len(collected), len(self.ids)
        self._write_line(f"{n} worker{'s' if n != 1 else ''} [{m} item{'s' if m != 1 else ''}]")
        if self.session.testsfailed and not self.config.getoption("continue_on_collection_errors", False):
            raise self.session.Interrupted(self._errors_during_collection())

    # -- the event loop -------------------------------------------------------------------------
    def _loop(self, keep_going: Any) -> None:
        while keep_going():
            if self.stop_deadline is not None and clock.monotonic() > self.stop_deadline:
                for handle in self.live():
                    self._write_line(f"[{handle.id}] did not stop in time: killed", yellow=True)
                    handle.done = True
                    self._node_down(handle, "did not stop in time: killed")
                return
            try:
                handle, message = self.events.get(timeout=0.5)
            except queue.Empty:
                continue
            self._dispatch(handle, message)

    # -- shutdown -------------------------------------------------------------------------------
    def _terminate(self) -> None:
        """End every worker: politely if it is idle, by force if it does not go away in time."""
        for handle in self.workers:
            if not handle.done and not handle.shutdown_sent:
                handle.shutdown_sent = True
                handle.send("stop")
        try:
            self.group.terminate(timeout=2.0)
        except Exception:  # noqa: BLE001 - a gateway already gone is what we want anyway
            pass
        for handle in self.workers:
            self._node_down(handle, handle.error or "terminated")
