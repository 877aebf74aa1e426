"""Showing a recorded run: ``minitest replay FILE...`` (the terminal report) and ``minitest report
FILE... --html OUT`` (report files), both ``--replay`` runs.

A replay does not re-implement any output: it publishes the recorded events through the same
hooks a live run calls (``minitest_collectreport``, ``minitest_runtest_logstart`` /
``logreport`` / ``logfinish``, ``minitest_warning_recorded``, ...), so the terminal's parts,
``--html``, ``--junitxml`` and any plugin see a run. What a live run computes from its own process
is taken from the stream instead: the header lines (this module's header part replaces the
terminal's), the lines of ``minitest_report_collectionfinish``, the number of tests, the exit
status and the duration (``SESSION_DURATION``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from minitest import hookimpl
from minitest.config import Config
from minitest.exitcode import ExitCode
from minitest.nodes import ItemRef, Session
from minitest.reports import report_from_dict
from minitest.runstats import SESSION_DURATION
from minitest.terminal_api import HEADER, TERMINAL_REPORTER

from .stream import warning_from_event


class RecordedRun:
    """The events of one or more streams (shards of one run) as one run."""

    def __init__(self, streams: list[list[dict[str, Any]]]) -> None:
        self.start_event = streams[0][0]
        finishes = [events[-1] for events in streams]
        self.events = [e for events in streams for e in events[1:-1]]
        statuses = {int(f["exitstatus"]) for f in finishes}
        # shards: one status when they agree, else failures win over "no tests" (5) and passes
        self.exitstatus = statuses.pop() if len(statuses) == 1 else (
            ExitCode.TESTS_FAILED if ExitCode.TESTS_FAILED in statuses else max(statuses))
        self.duration = max(float(f["duration"]) for f in finishes)
        self.testsfailed = sum(int(f.get("testsfailed") or 0) for f in finishes)
        self.shouldfail = next((f["shouldfail"] for f in finishes if f.get("shouldfail")), None)
        self.shouldstop = next((f["shouldstop"] for f in finishes if f.get("shouldstop")), None)
        collection = [e for e in self.events if e["$report_type"] == "CollectionFinish"]
        counted = [int(f.get("testscollected") or 0) for f in finishes]
        self.testscollected = sum(counted) if counted else sum(int(e["count"]) for e in collection)
        #: a run on workers has no CollectionFinish in its controller (only workers collect)
        self.collection_finished = bool(collection)
        self.collection_lines: list[str] = list(collection[0]["lines"]) if collection else []
        self.distributed = any("worker_id" in e for e in self.events if e["$report_type"] == "TestReport")


class ReplayHeader:
    """The terminal's header part for a replay: the recorded run's platform and header lines."""

    name = HEADER

    def __init__(self, config: Config, start_event: dict[str, Any]) -> None:
        self.config = config
        self.start_event = start_event

    @hookimpl(trylast=True)
    def minitest_sessionstart(self, session: Session) -> None:
        reporter = self.config.stash.get(TERMINAL_REPORTER, None)
        if reporter is None or self.config.getoption("no_header", False) or reporter.verbosity < 0:
            return
        reporter.write_sep("=", "test session starts", bold=True)
        line = str(self.start_event.get("platform", ""))
        if reporter.verbosity > 0 and self.start_event.get("executable"):
            line += f" -- {self.start_event['executable']}"
        reporter.write_line(line)
        for line in self.start_event.get("header", []):
            reporter.write_line(str(line))


class Replayer:
    """Publishes the recorded events through this process's hooks (registered as
    ``reportlog-replayer`` in a ``--replay`` run only)."""

    def __init__(self, config: Config, run: RecordedRun) -> None:
        self.config = config
        self.run = run
        self._next = 0  # the first event not yet published

    def run_session(self, report_only: bool) -> int:
        """The session of a replay: the hooks a live session calls, fed from the stream."""
        config = self.config
        run = self.run
        session = Session.from_config(config)
        session.exitstatus = ExitCode.OK
        config.do_configure()
        try:
            config.hook.minitest_sessionstart(session=session)
            config.hook.minitest_collection(session=session)
            # a run stopped by -x / --maxfail is known to be stopped while its loop is replayed:
            # the progress then writes no last percentage, as the live run's loop raised
            session.shouldfail = run.shouldfail or False
            session.shouldstop = run.shouldstop or False
            config.hook.minitest_runtestloop(session=session)
        finally:
            session.exitstatus = run.exitstatus
            session.testsfailed = run.testsfailed
            session.shouldfail = run.shouldfail or False
            session.shouldstop = run.shouldstop or False
            config.stash[SESSION_DURATION] = run.duration
            config.hook.minitest_sessionfinish(session=session, exitstatus=run.exitstatus)
        # a replay says how the recorded run ended; writing report files from it worked
        return ExitCode.OK if report_only else int(run.exitstatus)

    # -- collection ------------------------------------------------------------------------------
    # not tryfirst: the terminal's collected part (registered after this object, so called
    # before it) writes "collecting ... "; the session's own (registered before) is not called
    def minitest_collection(self, session: Session) -> bool:
        run = self.run
        session.items = []
        session.testscollected = run.testscollected
        events = run.events
        while self._next < len(events):
            kind = events[self._next]["$report_type"]
            if kind in ("RunTestLogStart", "TestReport"):
                break  # a run on workers: its tests start without a CollectionFinish
            self._next += 1
            if kind == "CollectionFinish":
                break
            self._publish(events[self._next - 1])
        if run.collection_finished:
            self.config.hook.minitest_collection_finish(session=session)
            first = next((e for e in events[self._next:] if e["$report_type"] == "TestReport"), None)
            reporter = self.config.stash.get(TERMINAL_REPORTER, None)
            if first is not None and first.get("worker_id") and reporter is not None:
                # forked workers: the controller collected, and its progress has no file names
                reporter.set_show_file_names(False)
        else:
            reporter = self.config.stash.get(TERMINAL_REPORTER, None)
            if reporter is not None:  # as the parallel controller tells it
                reporter.set_collected_total(run.testscollected)
                reporter.set_show_file_names(False)
        return True

    @hookimpl(wrapper=True)
    def minitest_report_collectionfinish(self) -> Generator[None, list[Any], list[Any]]:
        yield
        # the recorded lines replace this process's answers (they are those answers, as printed)
        return [self.run.collection_lines] if self.run.collection_lines else []

    # -- tests -----------------------------------------------------------------------------------
    @hookimpl(tryfirst=True)
    def minitest_runtestloop(self, session: Session) -> bool:
        events = self.run.events
        while self._next < len(events):
            self._next += 1
            self._publish(events[self._next - 1])
        return True

    def _publish(self, event: dict[str, Any]) -> None:
        hook = self.config.hook
        kind = event["$report_type"]
        if kind in ("TestReport", "CollectReport"):
            report = hook.minitest_report_from_serializable(config=self.config, data=event) or report_from_dict(event)
            if kind == "TestReport":
                hook.minitest_runtest_logreport(report=report)
            else:
                hook.minitest_collectreport(report=report)
        elif kind == "RunTestLogStart":
            hook.minitest_runtest_logstart(nodeid=event["nodeid"], location=tuple(event["location"]))
        elif kind == "RunTestLogFinish":
            hook.minitest_runtest_logfinish(nodeid=event["nodeid"], location=tuple(event["location"]))
        elif kind == "WarningMessage":
            location = tuple(event["location"]) if event.get("location") else None
            hook.minitest_warning_recorded(warning_message=warning_from_event(event), when=event["when"],
                                           nodeid=event["nodeid"], location=location)
        elif kind == "Deselected":
            hook.minitest_deselected(items=[ItemRef(n) for n in event["nodeids"]])
        elif kind == "KeyboardInterrupt":
            hook.minitest_keyboard_interrupt(excinfo=_exception_info(_interruption(event)))
        elif kind == "InternalError":
            hook.minitest_internalerror(excrepr=event["text"], excinfo=_exception_info(RuntimeError(event["text"])))


def _interruption(event: dict[str, Any]) -> BaseException:
    """The exception that stopped the recorded run, as the stop-reasons part tells them apart."""
    kind, message = event["kind"], str(event["message"])
    if kind == "Interrupted":
        return Session.Interrupted(message)
    if kind == "Exit":
        from minitest.outcomes import Exit

        return Exit(message)
    return KeyboardInterrupt(message)


def _exception_info(exc: BaseException) -> Any:
    from minitest.raises_api import ExceptionInfo

    try:  # an ExceptionInfo needs a traceback: the exception is raised here to get one
        raise exc
    except BaseException as raised:  # noqa: BLE001
        return ExceptionInfo.from_exception(raised)
