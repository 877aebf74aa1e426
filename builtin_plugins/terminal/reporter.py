"""The terminal part other plugins see: :class:`TerminalReporter`, a thin facade over the parts.

Its jobs are the ones every part shares: the writing API (pytest's names: ``write_line``,
``write_sep``, ``section``, ...), the state of the current line, the two settings the
``parallel`` controller changes, and the order of the end of the run. Everything written is
written by a part: :mod:`.header`, :mod:`.statistics` (the counting), :mod:`.collected`,
:mod:`.progress`, :mod:`.failures`, :mod:`.short_summary`, :mod:`.stop_reasons` and
:mod:`.final_line`. Each part is a plugin of its own, registered under its name from
:data:`minitest.terminal_api.PARTS`; a plugin replaces one by registering an object under that
name (see :mod:`minitest.terminal_api`), and the end of the run calls whatever is registered.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, cast

from minitest import hookimpl
from minitest.config import Config
from minitest.exitcode import ExitCode
from minitest.nodes import Session
from minitest.reports import TestReport
from minitest.runstats import MAX_WARNINGS, RunStats
from minitest.terminal_api import FAILURES, FINAL_LINE, PASSES, SHORT_SUMMARY, STOP_REASONS, SummaryPart

from .collected import Collected
from .failures import Failures, Passes
from .final_line import FinalLine
from .header import Header
from .progress import Progress
from .short_summary import REPORTCHARS_DEFAULT, ShortSummary, parse_reportchars
from .statistics import Statistics
from .stop_reasons import StopReasons
from .text import teststatus
from .writer import TerminalWriter, should_use_color

if TYPE_CHECKING:
    from collections.abc import Generator

#: the exit statuses after which the summary sections (not only the final line) are written
_SUMMARY_CODES = (ExitCode.OK, ExitCode.TESTS_FAILED, ExitCode.INTERRUPTED, ExitCode.USAGE_ERROR,
                  ExitCode.NO_TESTS_COLLECTED, ExitCode.MAX_WARNINGS_ERROR)


class TerminalReporter:
    """The run's terminal: the writing API the parts and other plugins use, and the end of the run."""

    def __init__(self, config: Config, stream: IO[str], run_stats: RunStats | None = None) -> None:
        self.config = config
        self._tw = TerminalWriter(stream, should_use_color(config.getoption("color", "auto"), stream))
        isatty = getattr(stream, "isatty", None)
        self._isatty = bool(isatty and isatty())
        self.run_stats = run_stats if run_stats is not None else RunStats()
        #: pytest's name for the counts, category → entries (the same dict as the run statistics)
        self.stats: dict[str, list[Any]] = self.run_stats.legacy_dict()
        self.reportchars = parse_reportchars(config.getoption("reportchars", REPORTCHARS_DEFAULT))
        self.collect_only = bool(config.getoption("collectonly", False))
        #: how many tests the run has: what the progress percentage counts against
        self.collected_total = 0
        #: progress lines start with the test file's name; the dist controller turns this off since
        #: results of several files arrive interleaved
        self.show_file_names = True
        #: the test file whose progress the current line shows (``None``: not a progress line);
        #: :meth:`ensure_newline` ends that line, so the next result starts a new one
        self.current_fspath: str | None = None
        self._no_summary = bool(config.getoption("no_summary", False))
        self._status: tuple[TestReport, tuple[str, str, Any]] | None = None
        # the default parts; the end of the run uses the ones registered under their names
        self._header = Header(self)
        self._statistics = Statistics(self)
        self._collected = Collected(self)
        self._progress = Progress(self)
        self._failures = Failures(self)
        self._passes = Passes(self)
        self._short_summary = ShortSummary(self)
        self._stop_reasons = StopReasons(self)
        self._final_line = FinalLine(self)

    def register_parts(self) -> None:
        """Register each default part under its name, unless a plugin already registered one
        there (its replacement) or the name is blocked (``-p no:terminalreporter.progress``)."""
        pm = self.config.pluginmanager
        defaults = (self._header, self._statistics, self._collected, self._progress, self._failures,
                    self._passes, self._short_summary, self._stop_reasons, self._final_line)
        for part in defaults:
            if pm.get_plugin(part.name) is None and not pm.is_blocked(part.name):
                pm.register(part, part.name)

    @property
    def verbosity(self) -> int:
        """The run's verbosity now (live logging raises it to 1 when the tests start, as pytest)."""
        return self.config.get_verbosity()

    def isatty(self) -> bool:
        """Whether the output is a terminal (pytest's name): the collection count is then
        rewritten in place as it grows, whatever the colour setting."""
        return self._isatty

    # -- small public writing API used by plugins ------------------------------------------------
    @property
    def writer(self) -> TerminalWriter:
        return self._tw

    def write(self, text: str, **marks: bool) -> None:
        self._tw.write(text, **marks)

    def write_line(self, text: str | bytes, **marks: bool) -> None:
        if not isinstance(text, str):
            # pytest 9.2 deprecates bytes here (#7323): written as text, with a warning
            import warnings

            from minitest.hookspecs import MinitestDeprecationWarning

            warnings.warn(MinitestDeprecationWarning(
                "Passing bytes to TerminalReporter.write_line() is deprecated, pass a str instead."),
                stacklevel=2)
            text = str(text, errors="replace")
        self.ensure_newline()
        self._tw.line(text, **marks)

    def write_sep(self, sep: str, title: str | None = None, **marks: bool) -> None:
        self.ensure_newline()
        self._tw.sep(sep, title, **marks)

    def section(self, title: str, sep: str = "=", **marks: bool) -> None:
        self.write_sep(sep, title, **marks)

    def line(self, text: str = "", **marks: bool) -> None:
        self._tw.line(text, **marks)

    def rewrite(self, line: str, erase: bool = False, **marks: bool) -> None:
        if erase:
            fill = self._tw.fullwidth - len(line) - 1
            if fill > 0:
                line += " " * fill
        self._tw.write("\r" + line, **marks)

    def ensure_newline(self) -> None:
        if self.current_fspath is not None or self._tw.width_of_current_line:
            if self._tw.width_of_current_line:
                self._tw.line()
            self.current_fspath = None

    def write_live_line(self, text: str, **marks: bool) -> None:
        tw = self._tw
        with tw.lock:  # the three steps as one: another thread's write never comes between them
            if tw.width_of_current_line:
                # not ensure_newline(): the progress keeps the line as the running test's, so its
                # result follows on a line of its own (what live log records do)
                tw.line()
            tw.line(text, **marks)
            tw.flush()

    def flush(self) -> None:
        self._tw.flush()

    def set_show_file_names(self, show: bool) -> None:
        """Whether progress lines start with the test file's name (the parallel controller turns
        it off: results of several files arrive interleaved)."""
        self.show_file_names = show

    def set_collected_total(self, count: int) -> None:
        """The number of items the progress percentage counts against (the dist controller sets it:
        only its workers collect)."""
        self.collected_total = count

    # -- one status per report -------------------------------------------------------------------
    def teststatus(self, report: TestReport) -> tuple[str, str, Any]:
        """``minitest_report_teststatus`` of the report being logged: asked once, however many
        parts (counting, progress) need it during its ``minitest_runtest_logreport``."""
        if self._status is not None and self._status[0] is report:
            return self._status[1]
        status = teststatus(self.config, report)
        self._status = (report, status)
        return status

    @hookimpl(wrapper=True)
    def minitest_runtest_logreport(self, report: TestReport) -> Generator[None, None, None]:
        try:
            return (yield)
        finally:
            self._status = None  # a plugin may log the same report object again, changed

    # -- the end: the summary parts, in order ----------------------------------------------------
    def _write_part(self, name: str, session: Session, exitstatus: int) -> None:
        """Call the part registered under ``name`` now (a replacement, if a plugin made one)."""
        part = cast("SummaryPart | None", self.config.pluginmanager.get_plugin(name))
        if part is not None:
            part.write_summary(session, exitstatus)

    @hookimpl(trylast=True)
    def minitest_sessionfinish(self, session: Session, exitstatus: int) -> None:
        # pytest writes an empty line here: it ends a line still open (the progress of the last
        # tests), or is a blank line of its own; a progress line left open under -q is followed
        # by the summary at once, anything else by a blank line
        was_open = bool(self._tw.width_of_current_line)
        self.ensure_newline()
        if self.verbosity >= 0 or self.collect_only or not was_open:
            self._tw.line()
        if exitstatus in _SUMMARY_CODES:
            # --no-summary drops the terminal's own sections, not the other plugins' (pytest 9.2)
            if not self._no_summary:
                self._write_part(FAILURES, session, exitstatus)
            self.config.hook.minitest_terminal_summary(terminalreporter=self, exitstatus=exitstatus,
                                                       config=self.config)
            if not self._no_summary:
                self._write_part(PASSES, session, exitstatus)
                self._write_part(SHORT_SUMMARY, session, exitstatus)
        self._check_max_warnings(session)
        self._write_part(STOP_REASONS, session, exitstatus)
        self._write_part(FINAL_LINE, session, exitstatus)
        self._tw.flush()

    def _check_max_warnings(self, session: Session) -> None:
        """``--max-warnings N``: tests that passed with more warnings than N end the run with exit
        code 6 and a line saying so (before the final line, as pytest writes it)."""
        limit = self.config.stash.get(MAX_WARNINGS, None)
        if limit is None or session.exitstatus != ExitCode.OK:
            return
        count = self.run_stats.count("warnings")
        if count > limit:
            session.exitstatus = ExitCode.MAX_WARNINGS_ERROR
            self.write_line(f"Tests pass, but maximum allowed warnings exceeded: {count} > {limit}", red=True)

    # -- pytest's names for writing one part (the default one) -----------------------------------
    def summary_errors(self) -> None:
        self._failures.summary_errors()

    def summary_failures(self) -> None:
        self._failures.summary_failures()

    def summary_passes(self) -> None:
        self._passes.summary_passes()

    def short_test_summary(self) -> None:
        self._short_summary.short_test_summary()

    def stats_parts(self) -> list[tuple[str, str]]:
        """(text, colour) of each count of the final line, in pytest's order."""
        return self._final_line.stats_parts()

    def summary_stats(self) -> None:
        self._final_line.summary_stats()
