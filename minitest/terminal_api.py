"""The contract for writing to the terminal: what a plugin may ask of the terminal reporter.

The ``terminal`` builtin implements it and publishes its reporter under :data:`TERMINAL_REPORTER`
on ``config.stash`` (a replacement reporter, after ``-p no:terminal``, may do the same); no key
means there is no terminal (the reporter was disabled), and callers then write nothing::

    from minitest.terminal_api import TERMINAL_REPORTER

    reporter = config.stash.get(TERMINAL_REPORTER, None)
    if reporter is not None:
        reporter.write_line("cache: 3 known failures")

``minitest_terminal_summary`` receives the same object as ``terminalreporter``. The method names
are pytest's, so a pytest plugin's ``terminalreporter.write_sep(...)`` keeps working; the reporter
also stays registered under the plugin name ``terminalreporter`` for pytest plugins that look it up.
The run's counts are not part of this contract: they are :data:`minitest.runstats.RUN_STATS`.

The reporter is composed of parts, each a plugin registered under one of the names in
:data:`PARTS` (``terminalreporter.progress``, ``terminalreporter.short_summary``, ...). A plugin
reaches a part with ``config.pluginmanager.get_plugin(name)`` and replaces it by registering its
own object under that name: the terminal registers its default part only under a free name (so
registering in ``minitest_configure`` is enough), and at the end of the run it calls whatever is
registered under each :data:`SUMMARY_PARTS` name, a :class:`SummaryPart`, in that order::

    from minitest.terminal_api import SHORT_SUMMARY, TERMINAL_REPORTER

    class OneLineSummary:
        def __init__(self, config):
            self.config = config

        def write_summary(self, session, exitstatus):
            self.config.stash[TERMINAL_REPORTER].write_line(f"exit status {exitstatus}")

    def minitest_configure(config):
        pm = config.pluginmanager
        if pm.get_plugin(SHORT_SUMMARY) is not None:  # a conftest.py loaded after the terminal
            pm.unregister(name=SHORT_SUMMARY)
        pm.register(OneLineSummary(config), SHORT_SUMMARY)

``-p no:terminalreporter.final_line`` drops a part; the others write what they always do. Parts
that follow the run's events (header, statistics, collected, progress) are plain plugins: their
hooks are their whole interface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from minitest.stash import StashKey

if TYPE_CHECKING:
    from minitest.config import Config
    from minitest.nodes import Session

__all__ = ["TerminalWriter", "TerminalReporterAPI", "TERMINAL_REPORTER", "SummaryPart", "PARTS",
           "SUMMARY_PARTS", "HEADER", "STATISTICS", "COLLECTED", "PROGRESS", "FAILURES", "PASSES",
           "SHORT_SUMMARY", "STOP_REASONS", "FINAL_LINE", "TerminalLease", "TERMINAL_LEASE", "INTERACTIVE"]


class TerminalWriter(Protocol):
    """Marked-up text straight to the terminal stream. Marks are colour names (``red=True``) and
    ``bold`` / ``light``; they are dropped when the terminal has no colour."""

    @property
    def fullwidth(self) -> int:
        """The terminal's width in columns."""

    @property
    def hasmarkup(self) -> bool:
        """Whether marks become colour codes."""

    @property
    def width_of_current_line(self) -> int:
        """How many characters the current (unfinished) line has."""

    def markup(self, text: str, **marks: bool) -> str:
        """``text`` with the escape codes of ``marks`` around it (unchanged without colour)."""

    def write(self, text: str, flush: bool = False, **marks: bool) -> None:
        """Write ``text`` as it is (no newline added)."""

    def line(self, text: str = "", **marks: bool) -> None:
        """Write ``text`` and end the line."""

    def sep(self, sepchar: str, title: str | None = None, fullwidth: int | None = None,
            **marks: bool) -> None:
        """A line of ``sepchar`` the terminal's width, ``title`` in its middle."""

    def flush(self) -> None:
        """Write out what is buffered."""


class TerminalReporterAPI(Protocol):
    """The terminal reporter as other plugins see it: writing lines and sections, and the two
    settings a plugin that runs the tests elsewhere (the ``parallel`` controller) must change."""

    @property
    def config(self) -> Config:
        """The run's configuration."""

    @property
    def verbosity(self) -> int:
        """``-v`` count minus ``-q`` count."""

    @property
    def writer(self) -> TerminalWriter:
        """The writer underneath (``writer.line`` does not first end an unfinished line)."""

    def write(self, text: str, **marks: bool) -> None:
        """Write ``text`` where the output is (no newline added)."""

    def write_line(self, text: str, **marks: bool) -> None:
        """Write ``text`` on a line of its own (an unfinished progress line is ended first)."""

    def write_sep(self, sep: str, title: str | None = None, **marks: bool) -> None:
        """A separator line, on a line of its own: ``==== title ====``."""

    def section(self, title: str, sep: str = "=", **marks: bool) -> None:
        """Start a section: a separator line with ``title``."""

    def line(self, text: str = "", **marks: bool) -> None:
        """Write ``text`` and end the line, right where the output is."""

    def rewrite(self, line: str, erase: bool = False, **marks: bool) -> None:
        """Go back to the start of the current line and write ``line`` over it (``erase``: blank
        the rest of the old line)."""

    def ensure_newline(self) -> None:
        """End the current line if something is on it."""

    def write_live_line(self, text: str, **marks: bool) -> None:
        """Write ``text`` on a line of its own while a test runs, from any thread, at once (not
        buffered). An unfinished line is ended first, but the progress keeps it as its own: the
        running test's result follows on the next line, as after live log records
        (``test_x.py::test_x`` / ``SLOW [> 2.0s] test_x.py::test_x`` / ``PASSED``). The reporter's
        writes are serialized, so a line written from another thread never cuts into one being
        written."""

    def flush(self) -> None:
        """Write out what is buffered (before output that bypasses the reporter)."""

    def set_collected_total(self, count: int) -> None:
        """The number of tests the progress percentage counts against, when this process did not
        collect them itself (the ``parallel`` controller: only its workers collect)."""

    def set_show_file_names(self, show: bool) -> None:
        """Whether progress lines start with the test file's name (off when results of several
        files arrive interleaved)."""


class SummaryPart(Protocol):
    """A part of the output at the end of the run, called by the reporter's
    ``minitest_sessionfinish`` in the order of :data:`SUMMARY_PARTS`."""

    def write_summary(self, session: Session, exitstatus: int) -> None:
        """Write this part (through the reporter on ``config.stash[TERMINAL_REPORTER]``)."""


#: plugin names of the parts that follow the run: the header (``minitest_sessionstart``), the
#: counting into ``RUN_STATS``, the "collected N items" line and ``--collect-only`` listing, the
#: progress letters / words / percentage
HEADER = "terminalreporter.header"
STATISTICS = "terminalreporter.statistics"
COLLECTED = "terminalreporter.collected"
PROGRESS = "terminalreporter.progress"
#: plugin names of the :class:`SummaryPart` s: the ERRORS and FAILURES sections (before the
#: ``minitest_terminal_summary`` sections), PASSES (``-rP``), the ``-r`` short test summary, the
#: ``!!!`` lines saying why the run stopped, the final ``== 1 passed in 0.01s ==`` line
FAILURES = "terminalreporter.failures"
PASSES = "terminalreporter.passes"
SHORT_SUMMARY = "terminalreporter.short_summary"
STOP_REASONS = "terminalreporter.stop_reasons"
FINAL_LINE = "terminalreporter.final_line"
#: the end of the run, in order (``minitest_terminal_summary`` is called between the first two;
#: the first three are skipped with ``--no-summary``)
SUMMARY_PARTS = (FAILURES, PASSES, SHORT_SUMMARY, STOP_REASONS, FINAL_LINE)
PARTS = (HEADER, STATISTICS, COLLECTED, PROGRESS) + SUMMARY_PARTS


#: the run's terminal reporter, on ``config.stash``; absent when nothing writes to a terminal
TERMINAL_REPORTER = StashKey[TerminalReporterAPI]()


class TerminalLease(Protocol):
    """The terminal, for a process that shares it with others running at the same time (a forked
    worker): between :meth:`acquire` and :meth:`release` this process alone reads from it and
    writes to it; the others' output waits. Calls nest (only the outermost pair counts)."""

    def acquire(self) -> None:
        """Wait until the terminal is this process's alone (another may be using it)."""
        ...

    def release(self) -> None:
        """Give the terminal back; what the others wrote meanwhile is shown now."""
        ...


#: in a process that shares the terminal (a forked worker: set by the ``parallel`` builtin), the
#: lease to take before interacting with the user there (the debugger does); no key: the
#: terminal is this process's own
TERMINAL_LEASE = StashKey[TerminalLease]()

#: set in ``minitest_configure`` by a plugin that will interact with the user at the terminal
#: during the run (``--pdb``, ``--trace``: the option that asks for it); a plugin that would run
#: the tests where there is no such terminal (spawned or remote workers) refuses the run with a
#: usage error naming it
INTERACTIVE = StashKey[str]()

