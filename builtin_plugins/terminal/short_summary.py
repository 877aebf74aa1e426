"""The terminal part that writes the ``-r`` short test summary: one line per failed, errored,
skipped (grouped by reason), xfailed, xpassed or passed test, as the report characters ask,
then the lines plugins give through ``minitest_short_test_summary_lines``.

Registered as the plugin ``terminalreporter.short_summary``
(:data:`minitest.terminal_api.SHORT_SUMMARY`), a :class:`~minitest.terminal_api.SummaryPart`:
a plugin replaces it by registering its own ``write_summary(session, exitstatus)`` under that
name, or changes a line's word through ``minitest_report_teststatus``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from minitest.nodes import Session
from minitest.reports import FailureRepr
from minitest.terminal_api import SHORT_SUMMARY

from .text import display_path, teststatus
from .writer import cell_width

if TYPE_CHECKING:
    from .reporter import TerminalReporter

REPORTCHARS_DEFAULT = "fE"


class ShortSummary:
    """Writes ``== short test summary info ==`` and its lines."""

    name = SHORT_SUMMARY

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._tw = reporter.writer

    def write_summary(self, session: Session, exitstatus: int) -> None:
        self.short_test_summary()

    def short_test_summary(self) -> None:
        reportchars = self._reporter.reportchars
        if not reportchars:
            return
        lines: list[str] = []
        for char in reportchars:
            if char == "f":
                self._summary_lines(lines, "failed", "FAILED")
            elif char == "E":
                self._summary_lines(lines, "error", "ERROR")
            elif char == "p":  # "P" only adds the PASSES section (output of passed tests)
                # a passed report carrying a longrepr (a plugin's, a hook wrapper's) gets its
                # message as a failure's does, as pytest 9.2: ``PASSED test_a.py::test_a - text``
                self._summary_lines(lines, "passed", "PASSED")
            elif char == "s":
                self._skipped_lines(lines)
            elif char == "x":
                self._xfail_lines(lines, "xfailed", "XFAIL")
            elif char == "X":
                self._xfail_lines(lines, "xpassed", "XPASS")
        config = self._reporter.config
        for extra in config.hook.minitest_short_test_summary_lines(terminalreporter=self._reporter,
                                                                   reportchars=reportchars):
            lines.extend(extra or ())
        if lines:
            self._reporter.write_sep("=", "short test summary info", cyan=True, bold=True)
            for line in lines:
                self._reporter.write_line(line)

    def _summary_lines(self, lines: list[str], category: str, word: str) -> None:
        color = {"failed": "red", "error": "red", "passed": "green"}.get(category, "yellow")
        # every report counted under the category, as pytest 9.2 lists them: a set-up or teardown
        # a plugin filed under "passed" gets a line of its own too
        for rep in self._reporter.run_stats.reports(category):
            shown = self._verbose_word(rep, word)
            line = f"{self._tw.markup(shown, **{color: True})} {self._node(rep)}"
            message = _crash_message(rep)
            if message:
                # pytest 9.2 measures the line as written: with colour its escapes make the width
                # "unknown" (-1), which leaves the message one column more than the terminal's
                line += _trim_message(message, self._tw.fullwidth - cell_width(line), self._reporter.verbosity)
            lines.append(line)

    def _skipped_lines(self, lines: list[str]) -> None:
        grouped: Counter[tuple[str, int | None, str]] = Counter()
        for rep in self._reporter.run_stats.reports("skipped"):
            lr = rep.longrepr
            if not isinstance(lr, tuple):
                continue
            path, lineno, reason = lr
            if reason.startswith("Skipped: "):
                reason = reason[len("Skipped: "):]
            keywords = getattr(rep, "keywords", {}) or {}
            if rep.when == "setup" and "skip" in keywords and not ("minitestmark" in keywords
                                                                  or "pytestmark" in keywords):
                # a skip mark inherited from a class or module: one line per file, as pytest does
                lineno = None
            grouped[(display_path(path), lineno, reason)] += 1
        word = self._tw.markup("SKIPPED", yellow=True)
        for (path, lineno, reason), count in grouped.items():
            where = f"{path}:{lineno}" if lineno is not None else path
            lines.append(f"{word} [{count}] {where}: {reason}")

    def _xfail_lines(self, lines: list[str], category: str, word: str) -> None:
        for rep in self._reporter.run_stats.reports(category):
            # pytest 9.2: an expected failure outside the call says in which phase it happened
            where = f"at {rep.when} of " if category == "xfailed" and rep.when not in ("call", None) else ""
            line = f"{self._tw.markup(word, yellow=True)} {where}{self._node(rep)}"
            reason = getattr(rep, "wasxfail", "")
            if reason:
                line += f" - {reason}"
            lines.append(line)

    def _verbose_word(self, rep: Any, default: str) -> str:
        """The word the short summary shows for ``rep``: its status word from
        ``minitest_report_teststatus`` (a plugin may give its own, e.g. a subtest's
        ``SUBFAILED(i=1)``; an empty one stays empty, as pytest 9.2 shows it), else ``default``."""
        if rep.when == "collect":
            return default
        word = teststatus(self._reporter.config, rep)[2]
        if isinstance(word, str):
            return word  # "" too: pytest 9.2 writes the line without a word
        if isinstance(word, Sequence) and len(word) == 2:
            return str(word[0])  # (word, markup)
        return default  # pytest fails on such a word

    def _node(self, rep: Any) -> str:
        """The node id, what follows its file in bold (pytest 9.2)."""
        path, _, rest = self._pos(rep).partition("::")
        return f"{path}::{self._tw.markup(rest, bold=True)}" if rest else path

    def _pos(self, rep: Any) -> str:
        return self._reporter.config.cwd_relative_nodeid(rep.nodeid or rep.fspath)


def parse_reportchars(chars: str) -> str:
    """The ``-r`` characters in effect, read as pytest 9.2 reads them: ``a`` / ``A`` replace what
    came before by their set, ``N`` clears, ``F`` / ``S`` are old spellings of ``f`` / ``s``, each
    character once (``w`` is left out: the warnings summary is decided elsewhere)."""
    result = ""
    for char in chars:
        if char in "FS":
            char = char.lower()
        if char == "a":
            result = "sxXEf"
        elif char == "A":
            result = "PpsxXEf"
        elif char == "N":
            result = ""
        elif char != "w" and char not in result:
            result += char
    return result


def _crash_message(rep: Any) -> str | None:
    lr = rep.longrepr
    if rep.when == "collect":
        # as pytest 9.2: the message of what raised (an exception, ``fail()``) if there is one; a
        # collection error's own text (an ImportError, a SyntaxError, a bad parametrize) has none
        crash = getattr(lr, "reprcrash", None)
        return str(crash.message) if crash is not None else None
    if isinstance(lr, FailureRepr):
        return lr.crash.message if lr.crash is not None else None
    if isinstance(lr, tuple):
        return None  # (path, line, message): no crash to tell of, as pytest 9.2
    crash = getattr(lr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)  # a repr a plugin made (pytest-check's ExceptionChainRepr)
    if lr is not None:
        return str(lr)  # a custom repr_failure's text: its first line, as pytest shows it
    return None


def _running_on_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("BUILD_NUMBER"))


def _trim_message(msg: str, available: int, verbosity: int) -> str:
    if _running_on_ci() or verbosity >= 2:
        return f" - {msg}"
    msg = msg.split("\n", 1)[0]  # the first line only (pytest 9)
    if 3 + 3 > available:
        return ""
    if 3 + cell_width(msg) > available:
        available -= 3
        msg = msg[:available]
        while 3 + cell_width(msg) > available:
            msg = msg[:-1]
        msg += "..."
    return f" - {msg}"
