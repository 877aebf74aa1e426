"""The terminal part that shows the run going: a letter per test after its file's name
(``test_a.py ..F.s  [ 40%]``), a word per test with ``-v`` (``test_a.py::test_x PASSED  [ 20%]``,
``PASSED [gw1]`` when workers ran it), the percentage at the end of each line.

Registered as the plugin ``terminalreporter.progress`` (:data:`minitest.terminal_api.PROGRESS`).
Letters and words come from ``minitest_report_teststatus`` (a plugin changes them there); the
percentage counts against ``reporter.collected_total`` and is coloured as the final line will be.
"""

from __future__ import annotations

import textwrap
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from minitest import hookimpl
from minitest.nodes import Session
from minitest.reports import TestReport
from minitest.terminal_api import PROGRESS

from .final_line import main_color
from .text import display_path

if TYPE_CHECKING:
    from .reporter import TerminalReporter


class Progress:
    """Writes each test's result as it comes."""

    name = PROGRESS

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._tw = reporter.writer
        self._done: set[str] = set()
        self._started_running = False
        self._uncaptured = reporter.config.getoption("capture", "fd") == "no"
        # as pytest: no percentage when the tests' own output (-s) or the fixtures' (--setup-show)
        # share the lines; a verbose result line is then ended by whatever is written next
        self._show_progress = not self._uncaptured and not reporter.config.getoption("setupshow", False)

    def minitest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        reporter = self._reporter
        if self._uncaptured:
            self._tw.flush()  # -s: the test's own output must follow what is already on the line
        if not self._started_running:
            self._started_running = True
            if reporter.verbosity >= 0:
                self._tw.line()
        if reporter.verbosity > 0:
            reporter.ensure_newline()
            self._tw.write(f"{reporter.config.cwd_relative_nodeid(nodeid)} ")
            # the line belongs to this test: its result follows even after lines written under
            # it without ending it first (live log records), as pytest's
            reporter.current_fspath = nodeid
        elif reporter.verbosity == 0 and reporter.show_file_names:
            fspath = location[0]
            if fspath != reporter.current_fspath:
                if reporter.current_fspath is not None:
                    if self._show_progress:
                        self._write_progress()
                    self._tw.line()
                reporter.current_fspath = fspath
                self._tw.write(display_path(reporter.config.rootpath / fspath) + " ")
        # what is finished is on the terminal before the test runs (with -v, the test's own name
        # too): a run that hangs or dies in this test still shows everything up to it. One write
        # per test; the batching of everything else (summaries, collection) stays.
        self._tw.flush_finished()

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        reporter = self._reporter
        _, letter, word = reporter.teststatus(report)
        if not letter and not word:
            return
        # as pytest: a word given with its markup colours the letter too; else the outcome does
        marks = word[1] if isinstance(word, tuple) else _outcome_markup(report)
        self._done.add(report.nodeid)
        if reporter.verbosity <= 0:
            self._tw.write(letter, **marks)
            # the line is ended here, not at logfinish: with workers the reports and finishes of
            # several tests interleave; the 100% waits for the end of the loop (a test may run again)
            if (self._show_progress and len(self._done) != reporter.collected_total
                    and self._tw.width_of_current_line + 8 >= self._tw.fullwidth):
                self._write_progress(newline=True)
            return
        if isinstance(word, tuple):
            word = word[0]
        # as pytest's write_ensure_prefix: the test's name starts a line of its own unless the open
        # line is this test's (its logstart wrote the name; records under it, such as live logs,
        # may have ended it since). A result after a word, or a late report of another test while
        # this one's line is open, gets its name
        if reporter.current_fspath != report.nodeid:
            if self._tw.width_of_current_line:
                self._tw.line()
            self._tw.write(f"{reporter.config.cwd_relative_nodeid(report.nodeid)} ")
        reporter.current_fspath = None
        self._tw.write(word, **marks)
        reason = _verbose_reason(report)
        if reason:
            self._write_reason(reason, reporter.verbosity)
        worker = getattr(report, "worker_id", None)
        if worker:
            # which worker ran it (set on the reports of a run on workers, as pytest-xdist's [gw0])
            self._tw.write(f" [{worker}]")
        if self._show_progress:
            self._write_progress()
            self._tw.line()

    @hookimpl(wrapper=True)
    def minitest_runtestloop(self, session: Session) -> Generator[None, object, object]:
        result = yield
        # the last percentage once every test ran (as pytest 9.2): a test run again after its
        # first attempt (a rerun) would otherwise start a new line after the 100%. Not when the
        # loop ends by an exception (-x, --maxfail, an interrupt): pytest's line then stops at
        # the last letter; nor in a replay of such a run (reportlog), whose loop returns with the
        # session marked as stopped. The line stays open: the end of the run ends it
        stopped = session.shouldfail or session.shouldstop
        if self._show_progress and self._reporter.verbosity <= 0 and self._done and not stopped:
            self._write_progress()
        return result

    def _write_reason(self, reason: str, verbosity: int) -> None:
        """`` (reason)`` after a verbose word, as pytest 9.2: with ``-v`` its first line cut to what
        is left before the percentage (``...`` marks the cut; nothing when not even that fits),
        with ``-vv`` the whole of it, wrapped 8 columns short of the edge."""
        tw = self._tw
        if verbosity >= 2:
            # the current line's width as leading spaces, so the first line wraps where it is
            width = tw.width_of_current_line
            wrapped = "\n".join(textwrap.wrap(" " * width + f" ({reason})", width=tw.fullwidth - 8,
                                               drop_whitespace=True, replace_whitespace=False))
            tw.write(wrapped[width:])
            return
        available = tw.fullwidth - tw.width_of_current_line - len(" [100%]") - 1
        reason = reason.split("\n", 1)[0]
        if len(" ()") + len("...") > available:
            return
        if len(" ()") + len(reason) > available:
            reason = reason[:available - len("...") - len(" ()")] + "..."
        tw.write(f" ({reason})")

    def _write_progress(self, newline: bool = False) -> None:
        """`` [ 40%]`` at the right edge (right after the text when the line is full);
        ``newline``: ending the line inside the colour, pytest's bytes where a line of letters
        is full."""
        total = self._reporter.collected_total
        text = f" [{len(self._done) * 100 // total:3d}%]" if total else " [100%]"
        fill = self._tw.fullwidth - self._tw.width_of_current_line - len(text) - 1
        finished = len(self._done) == total
        self._tw.write(" " * max(fill, 0) + text + ("\n" if newline else ""),
                       **{main_color(self._reporter.run_stats, finished): True})


def _outcome_markup(report: TestReport) -> dict[str, bool]:
    """The colour of a letter or word given without markup: the report's outcome's, whatever its
    category (a plugin's own category of a passed test is green), as pytest 9.2."""
    if report.passed:
        return {"yellow": True} if hasattr(report, "wasxfail") else {"green": True}
    if report.failed:
        return {"red": True}
    if report.skipped:
        return {"yellow": True}
    return {}


def _verbose_reason(report: Any) -> str:
    wasxfail = getattr(report, "wasxfail", None)
    if wasxfail is not None:
        return str(wasxfail).removeprefix("reason: ")
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
        elif reason == "Skipped":  # a skip without a reason: nothing to add on the line
            reason = ""
        return reason
    return ""

