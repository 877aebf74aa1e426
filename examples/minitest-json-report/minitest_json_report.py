"""minitest-json-report: the results of a run as JSON (``--json-report``) and as JSON Lines streamed
while the run goes (``--json-report-lines``).

An example of an installable plugin: it is found through its entry point (group ``minitest``)
and uses nothing but minitest's public API and hooks. The life of the plugin in one screen:

* ``minitest_addoption`` declares the two options;
* ``minitest_configure`` checks the paths (a usage error, exit code 4, before any test runs) and
  registers a :class:`JsonReport` object, which implements the hooks of the run;
* ``minitest_runtest_logreport`` (here under another name through ``specname``) records each
  phase and streams one line; ``minitest_sessionfinish`` writes the file; the terminal summary
  says where it is.

A test's ``outcome`` is the category the terminal shows for it (``minitest_report_teststatus``):
a failing or skipped setup decides it, otherwise the call does; an error in teardown after a
passing call makes it ``error``. ``summary`` counts the categories of all reports exactly as the
terminal's final line does (``passed``, ``failed``, ``error``, ``skipped``, ``xfailed``,
``xpassed``, ``deselected``, ``warnings``), plus ``total`` (tests run) and ``collected``.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import minitest

__version__ = "0.1.0"

_PHASES = ("setup", "call", "teardown")


def minitest_addoption(parser: minitest.Parser) -> None:
    group = parser.getgroup("json report", "JSON report (minitest-json-report)")
    group.addoption("--json-report", action="store", dest="json_report", metavar="PATH", default=None,
                    help="write the results of the run as one JSON document to PATH")
    group.addoption("--json-report-lines", action="store", dest="json_report_lines", metavar="PATH",
                    default=None, help="stream the results as JSON Lines to PATH while the run goes")
    group.addoption("--json-report-indent", action="store", type=int, dest="json_report_indent", default=None,
                    metavar="N", help="indent the --json-report document by N spaces (default: compact)")


def minitest_configure(config: minitest.Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a parallel worker: the controller receives every report and writes the files
    report_path = _resolve(config, config.getoption("json_report", None))
    lines_path = _resolve(config, config.getoption("json_report_lines", None))
    if report_path is None and lines_path is None:
        return
    for option, path in (("--json-report", report_path), ("--json-report-lines", lines_path)):
        problem = _unwritable(path) if path is not None else None
        if problem:
            # raised from minitest_configure: minitest prints it and exits with code 4
            raise minitest.UsageError(f"{option}: cannot write to {path}: {problem}")
    writer = JsonReport(config, report_path, lines_path)
    config.pluginmanager.register(writer, "json_report.writer")


def minitest_unconfigure(config: minitest.Config) -> None:
    writer = config.pluginmanager.get_plugin("json_report.writer")
    if writer is not None:
        writer.close()  # writes the report if sessionfinish never reached us
        config.pluginmanager.unregister(writer)


def _resolve(config: minitest.Config, value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(os.path.expandvars(os.path.expanduser(value)))
    return Path(os.path.normpath(config.invocation_params.dir / path))


def _unwritable(path: Path) -> str | None:
    """Why ``path`` cannot be written, or None: tried for real, since permission bits say nothing
    for root."""
    if path.is_dir():
        return "it is a directory"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        return exc.strerror or str(exc)
    os.close(fd)
    os.unlink(probe)
    return None


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``: a reader
    (or a crash) never sees half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class JsonReport:
    """Collects the run through hooks; writes the report file and the JSON Lines stream."""

    def __init__(self, config: minitest.Config, report_path: Path | None, lines_path: Path | None) -> None:
        self.config = config
        self.report_path = report_path
        self.lines_path = lines_path
        self.tests: dict[str, dict[str, Any]] = {}
        self.collectors: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.summary: Counter[str] = Counter()
        self.collected = 0
        self.exitstatus: int | None = None
        self.start = time.time()
        self.perf_start = time.perf_counter()
        self.written = False
        self._stream: IO[str] | None = None

    # -- streaming -------------------------------------------------------------------------------
    def _emit(self, event: dict[str, Any]) -> None:
        if self._stream is not None:
            self._stream.write(json.dumps(event, default=str) + "\n")
            self._stream.flush()  # a reader following the file sees each report as it happens

    # -- hooks -----------------------------------------------------------------------------------
    def minitest_sessionstart(self, session: minitest.Session) -> None:
        self.start = time.time()
        self.perf_start = time.perf_counter()
        if self.lines_path is not None:
            self._stream = open(self.lines_path, "w", encoding="utf-8")  # noqa: SIM115 - closed at the end
        self._emit({"event": "session_start", "created": self.start, "root": str(self.config.rootpath),
                    "environment": self.environment()})

    def minitest_collectreport(self, report: minitest.CollectReport) -> None:
        if report.passed:
            return
        self.summary["error" if report.failed else "skipped"] += 1
        entry = {"nodeid": report.nodeid, "outcome": report.outcome, "longrepr": report.longreprtext}
        self.collectors.append(entry)
        self._emit({"event": "collect_report", **entry})

    def minitest_deselected(self, items: list[minitest.Item]) -> None:
        self.summary["deselected"] += len(items)

    def minitest_collection_finish(self, session: minitest.Session) -> None:
        self.collected = len(session.items) + self.summary["deselected"]

    @minitest.hookimpl(specname="minitest_runtest_logreport")
    def record_report(self, report: minitest.TestReport) -> None:
        category = self._category(report)
        if category:
            self.summary[category] += 1
        test = self.tests.get(report.nodeid)
        if test is None:
            path, lineno, domain = report.location
            test = self.tests[report.nodeid] = {
                "nodeid": report.nodeid, "location": [path, lineno, domain], "lineno": lineno,
                "keywords": sorted(k for k in report.keywords if k), "outcome": "passed", "duration": 0.0,
            }
        phase = self._phase(report, category)
        test[report.when] = phase
        test["duration"] += report.duration
        test["outcome"] = self._test_outcome(test)
        if report.user_properties:
            test["user_properties"] = [[str(k), v] for k, v in report.user_properties]
        self._emit({"event": "report", "nodeid": report.nodeid, "when": report.when, **phase})

    def minitest_warning_recorded(self, warning_message: Any, when: str, nodeid: str) -> None:
        self.summary["warnings"] += 1
        self.warnings.append({
            "message": str(warning_message.message), "category": type(warning_message.message).__name__,
            "filename": warning_message.filename, "lineno": warning_message.lineno, "when": when,
            "nodeid": nodeid,
        })

    @minitest.hookimpl(tryfirst=True)
    def minitest_sessionfinish(self, session: minitest.Session, exitstatus: int) -> None:
        # tryfirst: the report is on disk even if a later sessionfinish implementation raises
        self.exitstatus = int(exitstatus)
        if not self.collected:
            # under -n the controller never collects; the session knows the workers' count
            self.collected = session.testscollected + self.summary["deselected"]
        self.close()

    def minitest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.report_path is not None and self.written:
            terminalreporter.write_sep("-", f"generated json report: {self.report_path}")

    # -- building the document -------------------------------------------------------------------
    def _category(self, report: minitest.TestReport) -> str:
        status = self.config.hook.minitest_report_teststatus(report=report, config=self.config)
        return str(status[0]) if status else ""

    @staticmethod
    def _phase(report: minitest.TestReport, category: str) -> dict[str, Any]:
        # a report carries the sections of the earlier phases too: keep this phase's own
        own = [(name, text) for name, text in report.sections if name.endswith(f" {report.when}")]
        phase: dict[str, Any] = {
            "outcome": report.outcome, "category": category, "duration": report.duration,
            "stdout": "".join(text for name, text in own if name.startswith("Captured stdout")),
            "stderr": "".join(text for name, text in own if name.startswith("Captured stderr")),
            "log": "".join(text for name, text in own if name.startswith("Captured log")),
        }
        if report.longrepr is not None:
            phase["longrepr"] = report.longreprtext
            crash = getattr(report.longrepr, "crash", None)
            if crash is not None:
                phase["crash"] = {"path": crash.path, "lineno": crash.lineno, "message": crash.message}
        wasxfail = getattr(report, "wasxfail", None)
        if wasxfail is not None:
            phase["wasxfail"] = str(wasxfail)
        return phase

    @staticmethod
    def _test_outcome(test: dict[str, Any]) -> str:
        setup = test.get("setup", {}).get("category", "")
        if setup:
            return setup
        outcome = test.get("call", {}).get("category", "") or "passed"
        if test.get("teardown", {}).get("category") == "error" and outcome == "passed":
            return "error"
        return outcome

    def environment(self) -> dict[str, Any]:
        import importlib.metadata

        import pluggy

        plugins = {}
        for dist in importlib.metadata.distributions():
            for ep in dist.entry_points:
                if ep.group == "minitest" and self.config.pluginmanager.get_plugin(ep.name) is not None:
                    plugins[dist.metadata["name"]] = dist.version
        return {"python": platform.python_version(), "implementation": platform.python_implementation(),
                "platform": platform.platform(), "executable": sys.executable,
                "minitest": minitest.__version__, "pluggy": pluggy.__version__, "plugins": plugins}

    def document(self) -> dict[str, Any]:
        summary = {key: count for key, count in sorted(self.summary.items()) if count}
        summary["total"] = len(self.tests)
        summary["collected"] = self.collected
        return {
            "created": self.start, "duration": time.perf_counter() - self.perf_start,
            "exitcode": self.exitstatus, "root": str(self.config.rootpath),
            "args": list(self.config.invocation_params.args), "environment": self.environment(),
            "summary": summary, "collectors": self.collectors, "tests": list(self.tests.values()),
            "warnings": self.warnings,
        }

    def close(self) -> None:
        """Finish the stream and write the report (once)."""
        if self.written:
            return
        self.written = True
        document = self.document()
        if self._stream is not None:
            self._emit({"event": "session_finish", "exitcode": self.exitstatus, "summary": document["summary"],
                        "duration": document["duration"]})
            self._stream.close()
            self._stream = None
        if self.report_path is not None:
            indent = self.config.getoption("json_report_indent", None)
            write_atomically(self.report_path, json.dumps(document, indent=indent, default=str))
