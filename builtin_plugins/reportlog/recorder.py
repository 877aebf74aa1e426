"""Writing the event stream of a live run: one JSON line per session, collection and test event,
flushed as it is written, so a run that is killed leaves every event before the kill."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import IO, Any

from minitest import clock, hookimpl
from minitest.config import Config
from minitest.nodes import Item, Session
from minitest.reportlog_api import SCHEMA_ID, VERSION
from minitest.reports import CollectReport, TestReport
from minitest.runstats import SESSION_DURATION
from minitest.shard_api import SHARD
from minitest.version import __version__, platform_line

from .stream import dumps, warning_to_event


def _printed(answers: Sequence[str | Sequence[str]]) -> list[str]:
    """The lines of a header-like hook's answers in the order the terminal prints them (the last
    registered plugin's answer comes first from pluggy; the terminal prints them reversed)."""
    lines: list[str] = []
    for answer in reversed(answers):
        lines.extend([answer] if isinstance(answer, str) else answer)
    return [str(line) for line in lines]


class ReportLogRecorder:
    """Registered as ``reportlog-recorder`` only with ``--report-log``."""

    def __init__(self, config: Config, path: Path) -> None:
        self.config = config
        self.path = path
        # line buffered would flush per line too; an explicit flush says why
        self._file: IO[str] | None = open(path, "w", encoding="ascii", newline="\n")  # noqa: SIM115
        self._header: list[str] | None = None
        self._collection_lines: list[str] = []
        self._perf_start = clock.perf()
        #: why the stream stopped being written, if it did
        self.problem: str | None = None

    def write(self, event: dict[str, Any]) -> None:
        if self._file is None:
            return
        try:
            self._file.write(dumps(event) + "\n")
            self._file.flush()  # a killed run still leaves every finished event
        except OSError as exc:
            # the disk is full (or the file went away): the events so far stay, the rest are
            # dropped and the run says so at its end (report_not_written)
            self.problem = f"could not write {self.path}: {exc.strerror or exc} (the events before stay)"
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- session ---------------------------------------------------------------------------------
    @hookimpl(wrapper=True)
    def minitest_report_header(self) -> Generator[None, list[Any], list[Any]]:
        answers = yield
        self._header = _printed(answers)  # what the header part printed, to print it again
        return answers

    @hookimpl(wrapper=True)
    def minitest_sessionstart(self, session: Session) -> Generator[None, None, None]:
        self._perf_start = clock.perf()
        start = clock.wall()
        result = yield  # the header part asked minitest_report_header (unless -q / --no-header)
        config = self.config
        shard = config.stash.get(SHARD, None)  # for minitest merge: which part of a split run this is
        if self._header is None:
            start_path = config.invocation_params.dir
            self._header = _printed(config.hook.minitest_report_header(config=config, start_path=start_path,
                                                                       startdir=start_path))
        self.write({"$report_type": "SessionStart", "$schema": SCHEMA_ID, "version": VERSION,
                    "minitest_version": __version__, "start": start, "platform": platform_line(),
                    "executable": sys.executable, "header": self._header,
                    "rootdir": str(config.rootpath), "invocation_dir": str(config.invocation_params.dir),
                    "args": [str(a) for a in config.invocation_params.args], "pid": os.getpid(),
                    **({"shard": str(shard)} if shard is not None else {})})
        return result

    @hookimpl(wrapper=True)
    def minitest_sessionfinish(self, session: Session, exitstatus: int) -> Generator[None, None, None]:
        try:
            return (yield)  # the final line was written: its duration is published
        finally:
            duration = self.config.stash.get(SESSION_DURATION, None)
            if duration is None:  # no terminal (-p no:terminal)
                duration = clock.perf() - self._perf_start
            self.write({"$report_type": "SessionFinish", "exitstatus": int(session.exitstatus),
                        "duration": duration, "stop": clock.wall(), "testscollected": session.testscollected,
                        "testsfailed": session.testsfailed,
                        "shouldfail": str(session.shouldfail) if session.shouldfail else None,
                        "shouldstop": str(session.shouldstop) if session.shouldstop else None})
            if self.problem is not None:
                from minitest.atomicfile import report_not_written

                report_not_written(session, "--report-log", self.problem)

    def minitest_keyboard_interrupt(self, excinfo: Any) -> None:
        exc = excinfo.value
        kind = "KeyboardInterrupt"
        message = str(exc)
        from minitest.outcomes import Exit

        if isinstance(exc, Session.Interrupted):
            kind = "Interrupted"
        elif isinstance(exc, Exit):
            kind, message = "Exit", str(exc.msg)
        self.write({"$report_type": "KeyboardInterrupt", "kind": kind, "message": message})

    def minitest_internalerror(self, excrepr: str) -> None:
        self.write({"$report_type": "InternalError", "text": str(excrepr)})

    # -- collection ------------------------------------------------------------------------------
    def minitest_collectreport(self, report: CollectReport) -> None:
        self.write(self._report_data(report))

    def minitest_deselected(self, items: Sequence[Item]) -> None:
        self.write({"$report_type": "Deselected", "nodeids": [item.nodeid for item in items]})

    @hookimpl(wrapper=True)
    def minitest_report_collectionfinish(self) -> Generator[None, list[Any], list[Any]]:
        answers = yield
        self._collection_lines = _printed(answers)
        return answers

    @hookimpl(wrapper=True)
    def minitest_collection_finish(self, session: Session) -> Generator[None, None, None]:
        result = yield  # the collected part asked minitest_report_collectionfinish
        self.write({"$report_type": "CollectionFinish", "count": session.testscollected,
                    "lines": self._collection_lines})
        return result

    # -- tests -----------------------------------------------------------------------------------
    def minitest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.write({"$report_type": "RunTestLogStart", "nodeid": nodeid, "location": list(location)})

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        self.write(self._report_data(report))

    def minitest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.write({"$report_type": "RunTestLogFinish", "nodeid": nodeid, "location": list(location)})

    def minitest_warning_recorded(self, warning_message: Any, when: str, nodeid: str,
                                  location: tuple[str, int, str] | None) -> None:
        self.write(warning_to_event(warning_message, when, nodeid, location))

    @staticmethod
    def _report_data(report: TestReport | CollectReport) -> dict[str, Any]:
        # the report's own plain data (what workers send), not minitest_report_to_serializable:
        # its default implementation walks every value first, and this runs three times per test;
        # what JSON cannot carry is turned into text as it is met (see stream.dumps)
        data = report.to_dict()
        # the worker's node object (set by the parallel controller) is no data: worker_id says it
        data.pop("node", None)
        return data
