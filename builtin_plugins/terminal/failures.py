"""The terminal parts that write the report sections: ERRORS and FAILURES (:class:`Failures`, before
the ``minitest_terminal_summary`` sections) and PASSES / XPASSES (:class:`Passes`, with ``-rP`` /
``-rX``, after them): each report's traceback (in the ``--tb`` style) and its captured output.

Registered as the plugins ``terminalreporter.failures`` and ``terminalreporter.passes``
(:data:`minitest.terminal_api.FAILURES`, :data:`~minitest.terminal_api.PASSES`), each a
:class:`~minitest.terminal_api.SummaryPart`: a plugin replaces one by registering its own
``write_summary(session, exitstatus)`` under the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minitest.nodes import Session
from minitest.reports import PDB_SHOWN, FailureRepr
from minitest.terminal_api import FAILURES, PASSES
from minitest.tracebacks import ENTRY_SEPARATOR

from .text import head_line

if TYPE_CHECKING:
    from .reporter import TerminalReporter


class _Sections:
    """Writing one report's section: its traceback and what it captured."""

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._tw = reporter.writer

    def _tbstyle(self) -> str:
        return str(self._reporter.config.getoption("tbstyle", "auto"))

    def _write_longrepr(self, rep: Any) -> None:
        lr = rep.longrepr
        if lr is None:
            return
        text = str(lr)  # a plugin's (path, line, message) tuple too, as pytest 9.2 shows it
        if not text:
            return
        if self._tw.hasmarkup and isinstance(lr, FailureRepr):
            if lr.crash is not None:  # a traceback
                from minitest.highlighting import code_highlighting

                from .highlight import write_traceback

                write_traceback(self._tw, text, code_highlighting(self._reporter.config))
                return
            if rep.when == "collect":
                self._tw.line(text, red=True)  # a collection error's own text: red, as pytest
                return
            # a message without a traceback (a missing fixture): its E and > lines red, not bold
            for line in text.split("\n"):
                self._tw.line(line, red=line.startswith(("E   ", ">   ")))
            return
        for line in text.split("\n"):
            if line == ENTRY_SEPARATOR:
                self._tw.sep("_ ")  # at the terminal's width, as pytest's
                continue
            red = line.startswith("E   ")
            self._tw.line(line, bold=red, red=red)  # pytest's bytes: bold, then red

    def _write_teardown_sections(self, nodeid: str) -> None:
        """What a test's passing teardown printed: it came after the test's own report."""
        for rep in self._reporter.run_stats.reports(""):
            if getattr(rep, "when", None) == "teardown" and rep.nodeid == nodeid:
                for name, content in rep.sections:
                    if "teardown" in name:
                        self._reporter.write_sep("-", name)
                        self._tw.line(content[:-1] if content.endswith("\n") else content)

    def _write_sections(self, rep: Any) -> None:
        # every phase's output, an error at teardown's too (pytest 9.2: "Captured stdout call"
        # above "Captured stdout teardown" there)
        for name, content in rep.sections:
            self._reporter.write_sep("-", name)
            text = content[:-1] if content.endswith("\n") else content
            self._tw.line(text)


class Failures(_Sections):
    """Writes the ERRORS section (collection and setup/teardown errors) and the FAILURES section."""

    name = FAILURES

    def write_summary(self, session: Session, exitstatus: int) -> None:
        self.summary_errors()
        self.summary_failures()

    def summary_failures(self) -> None:
        # one a debugger already showed (--pdb) is not repeated, as pytest
        reports = [r for r in self._reporter.run_stats.test_reports("failed") if not hasattr(r, PDB_SHOWN)]
        if not reports or self._tbstyle() == "no":
            return
        self._reporter.write_sep("=", "FAILURES")
        if self._tbstyle() == "line":
            # as pytest 9.2: the exception's lines and the captured output, then the crash line
            for rep in reports:
                self._write_longrepr(rep)
                self._write_sections(rep)
                self._reporter.write_line(_line_repr(rep))
            return
        for rep in reports:
            self._reporter.write_sep("_", head_line(rep), red=True, bold=True)
            self._write_longrepr(rep)
            self._write_sections(rep)
            self._write_teardown_sections(rep.nodeid)

    def summary_errors(self) -> None:
        reports = [r for r in self._reporter.run_stats.reports("error") if not hasattr(r, PDB_SHOWN)]
        if not reports or self._tbstyle() == "no":
            return
        self._reporter.write_sep("=", "ERRORS")
        for rep in reports:
            if rep.when == "collect":
                title = f"ERROR collecting {rep.nodeid or rep.fspath}"
            else:
                title = f"ERROR at {rep.when} of {head_line(rep)}"
            self._reporter.write_sep("_", title, red=True, bold=True)
            self._write_longrepr(rep)
            self._write_sections(rep)


class Passes(_Sections):
    """Writes the output of passed tests (``-rP``) and of xpassed ones (``-rX``, as pytest)."""

    name = PASSES

    def write_summary(self, session: Session, exitstatus: int) -> None:
        self.summary_passes()

    def summary_passes(self) -> None:
        self._write_passes("passed", "PASSES", "P")
        self._write_passes("xpassed", "XPASSES", "X")

    def _write_passes(self, category: str, title: str, char: str) -> None:
        if char not in self._reporter.reportchars or self._tbstyle() == "no":
            return
        reports = self._reporter.run_stats.reports(category)  # every phase a plugin filed there, as pytest
        if not reports:
            return
        self._reporter.write_sep("=", title)
        for rep in reports:
            if rep.sections:
                self._reporter.write_sep("_", head_line(rep), green=True, bold=True)
                self._write_sections(rep)
            self._write_teardown_sections(rep.nodeid)  # as pytest 9.2: even without a title above


def _line_repr(rep: Any) -> str:
    lr = rep.longrepr
    if isinstance(lr, FailureRepr) and lr.crash is not None:
        first = lr.crash.message.splitlines()[0] if lr.crash.message else ""
        return f"{lr.crash.path}:{lr.crash.lineno}: {first}"
    return str(lr)[:50]  # a plugin's own text: its first 50 characters, as pytest 9.2
