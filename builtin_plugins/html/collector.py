"""What the HTML page shows, gathered from the run's hooks: one entry per test (its outcome over
all phases and attempts, duration, worker, start and stop, and the text of each phase that has
something to show), the collection errors, the warnings."""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

from minitest import clock, hookimpl
from minitest.config import Config
from minitest.nodes import Session
from minitest.reportlog_api import REPLAYED_RUN
from minitest.reports import CollectReport, TestReport
from minitest.runstats import SESSION_DURATION
from minitest.terminal_api import TERMINAL_REPORTER
from minitest.version import platform_line

#: the most characters of one traceback or captured section kept in the page (a test printing
#: megabytes must not make the page unusable); the rest is replaced by a note
MAX_TEXT = 100_000
#: outcomes a later phase does not overwrite (a passing teardown after a failed call)
_STICKY = frozenset({"failed", "error"})


def _clip(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    return text[:MAX_TEXT] + f"\n... [{len(text) - MAX_TEXT} more characters not shown]"


def _longrepr_text(report: TestReport | CollectReport) -> str:
    lr = report.longrepr
    if lr is None:
        return ""
    if isinstance(lr, tuple):  # a skip: (path, lineno, reason)
        return f"{lr[0]}:{lr[1]}: {lr[2]}"
    return str(lr)


def _message(report: TestReport | CollectReport) -> str:
    """The one line the list shows: the crash message, the skip or xfail reason."""
    lr = report.longrepr
    wasxfail = getattr(report, "wasxfail", None)
    if wasxfail:
        return str(wasxfail)
    if isinstance(lr, tuple):
        return str(lr[2]).removeprefix("Skipped: ")
    crash = getattr(lr, "crash", None)
    if crash is not None and crash.message:
        return str(crash.message).splitlines()[0]
    text = str(lr or "").strip()
    return text.splitlines()[-1] if text else ""


def _default_category(report: TestReport) -> str:
    """The category when no plugin answers ``minitest_report_teststatus`` (``minitest report``
    runs without the terminal, whose answer is the default): the terminal's rule."""
    if report.when != "call":
        return "error" if report.failed else ("skipped" if report.skipped else "")
    return report.outcome


class HtmlCollector:
    """Registered as ``html-report`` only with ``--html``."""

    def __init__(self, config: Config, path: Path) -> None:
        self.config = config
        self.path = path
        self.tests: dict[str, dict[str, Any]] = {}
        self.warnings: list[dict[str, Any]] = []
        self.start = clock.wall()
        self._perf_start = clock.perf()
        self.exitstatus: int | None = None
        self.written = False

    # -- gathering -------------------------------------------------------------------------------
    def minitest_sessionstart(self, session: Session) -> None:
        replayed = self.config.stash.get(REPLAYED_RUN, None)
        self.start = replayed.start if replayed is not None else clock.wall()
        self._perf_start = clock.perf()

    def _entry(self, nodeid: str) -> dict[str, Any]:
        entry = self.tests.get(nodeid)
        if entry is None:
            entry = self.tests[nodeid] = {"id": nodeid, "o": "", "d": 0.0}
        return entry

    def minitest_collectreport(self, report: CollectReport) -> None:
        if not report.failed:
            return
        entry = self._entry(report.nodeid or report.fspath)
        entry["o"] = "error"
        entry["m"] = _message(report)
        entry.setdefault("ph", []).append({"w": "collect", "o": "failed", "t": _clip(_longrepr_text(report)),
                                           "s": [[n, _clip(c)] for n, c in report.sections]})

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        config = self.config
        status = config.hook.minitest_report_teststatus(report=report, config=config)
        category = str(status[0]) if status else _default_category(report)
        entry = self._entry(report.nodeid)
        entry["d"] += float(report.duration or 0.0)
        start, stop = float(report.start or 0.0), float(report.stop or 0.0)
        if start:
            entry["t0"] = min(entry.get("t0", start), start)
            entry["t1"] = max(entry.get("t1", stop), stop)
        worker = getattr(report, "worker_id", None)
        if worker:
            entry["w"] = str(worker)
        if category == "rerun":
            entry["r"] = entry.get("r", 0) + 1
        elif category:
            if not (entry["o"] in _STICKY and report.when == "teardown" and category not in _STICKY):
                entry["o"] = category
        elif not entry["o"]:
            entry["o"] = "passed"  # a passing setup: the call decides
        text = _longrepr_text(report) if not report.passed else ""
        sections = report.sections
        if report.when == "teardown":  # its sections repeat the earlier phases' output (as the terminal skips them)
            sections = [s for s in sections if "teardown" in s[0]]
        if text or sections:
            if category not in ("", "passed") or text:
                message = _message(report)
                if message:
                    entry["m"] = message
            entry.setdefault("ph", []).append({
                "w": report.when, "o": category or report.outcome, "t": _clip(text),
                "s": [[name, _clip(content)] for name, content in sections],
                **({"a": int(getattr(report, "rerun", 0) or 0)} if getattr(report, "rerun", None) else {})})

    def minitest_warning_recorded(self, warning_message: Any, when: str, nodeid: str) -> None:
        self.warnings.append({"id": nodeid, "w": when, "c": getattr(warning_message.category, "__name__", "Warning"),
                              "m": str(warning_message.message),
                              "f": f"{warning_message.filename}:{warning_message.lineno}"})

    def minitest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", f"generated html file: {self.path}")

    @hookimpl(wrapper=True)
    def minitest_sessionfinish(self, session: Session, exitstatus: int) -> Generator[None, None, None]:
        try:
            return (yield)  # the final line was written: its duration is published
        finally:
            self.exitstatus = int(session.exitstatus)
            problem = self.write()
            if problem is not None:
                from minitest.atomicfile import report_not_written

                report_not_written(session, "--html", problem)
            elif self.config.stash.get(TERMINAL_REPORTER, None) is None:
                sys.stdout.write(f"wrote {self.path}\n")  # minitest report: the one line it prints

    # -- writing ---------------------------------------------------------------------------------
    def data(self) -> dict[str, Any]:
        duration = self.config.stash.get(SESSION_DURATION, None)
        if duration is None:
            duration = clock.perf() - self._perf_start
        # the timeline starts with the first test (the same in a live run and in its replay)
        start = min((entry["t0"] for entry in self.tests.values() if "t0" in entry), default=self.start)
        tests = []
        for entry in self.tests.values():
            if "t0" in entry:  # times from the first test's start, in ms: smaller, and what the timeline draws
                entry["t0"] = round((entry["t0"] - start) * 1000, 3)
                entry["t1"] = round((entry["t1"] - start) * 1000, 3)
            entry["d"] = round(entry["d"], 6)
            tests.append(entry)
        self.tests = {}
        title = str(self.config.getini("html_title") or "Test report")
        return {"title": title, "start": self.start, "duration": duration, "exitstatus": self.exitstatus,
                "platform": platform_line(), "rootdir": str(self.config.rootpath),
                "args": [str(a) for a in self.config.invocation_params.args],
                "tests": tests, "warnings": self.warnings}

    def write(self) -> str | None:
        """Write the page; None when written, else why not (tried once)."""
        from minitest.atomicfile import write_report

        from .page import render

        self.written = True
        return write_report(self.path, render(self.data()))

    def write_if_unwritten(self) -> None:
        if not self.written:
            problem = self.write()
            if problem is not None:
                sys.stderr.write(f"ERROR: --html: {problem}\n")
