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
"""

from __future__ import annotations

from typing import Protocol

from minitest.stash import StashKey

__all__ = ["TerminalWriter", "TerminalReporterAPI", "TERMINAL_REPORTER"]


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

    def flush(self) -> None:
        """Write out what is buffered (before output that bypasses the reporter)."""

    def set_collected_total(self, count: int) -> None:
        """The number of tests the progress percentage counts against, when this process did not
        collect them itself (the ``parallel`` controller: only its workers collect)."""

    def set_show_file_names(self, show: bool) -> None:
        """Whether progress lines start with the test file's name (off when results of several
        files arrive interleaved)."""


#: the run's terminal reporter, on ``config.stash``; absent when nothing writes to a terminal
TERMINAL_REPORTER = StashKey[TerminalReporterAPI]()
