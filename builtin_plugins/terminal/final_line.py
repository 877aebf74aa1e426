"""The terminal part that writes the final line, ``==== 1 failed, 3 passed in 0.12s ====`` (with
``--collect-only``: ``==== 4 tests collected in 0.01s ====``), in the run's main colour: red with
failures or errors, yellow with warnings, xpasses, a plugin's own category or nothing passed, green
otherwise.

Registered as the plugin ``terminalreporter.final_line``
(:data:`minitest.terminal_api.FINAL_LINE`), a :class:`~minitest.terminal_api.SummaryPart`: a
plugin replaces it by registering its own ``write_summary(session, exitstatus)`` under that
name. The counts are the run's :class:`~minitest.runstats.RunStats`; a plugin's own category
(the first item of its ``minitest_report_teststatus``) is counted on the line too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitest import clock
from minitest.nodes import Session
from minitest.runstats import OUTCOMES, SESSION_DURATION, RunStats
from minitest.terminal_api import FINAL_LINE

if TYPE_CHECKING:
    from .reporter import TerminalReporter

_PART_COLORS = {"failed": "red", "error": "red", "passed": "green",
                "subtests passed": "green", "subtests failed": "red"}

# the categories pytest 9.2 knows, in the final line's order; any other (a plugin's own, as
# "rerun" or "flaky") is listed after them in the order it first came, and makes the run yellow
_KNOWN_CATEGORIES = (*OUTCOMES, "subtests passed", "subtests failed", "subtests skipped")


def _unknown_categories(stats: RunStats) -> list[str]:
    return [key for key in stats.categories() if key and key not in _KNOWN_CATEGORIES]


def main_color(stats: RunStats, finished: bool = True) -> str:
    """The colour of the run so far (of the final line and of the progress percentage).

    ``finished``: every test reported. As pytest's, a run still going is green while nothing but
    skips came yet (yellow for "nothing passed" is decided at the end)."""
    if stats.has("failed") or stats.has("error"):
        return "red"
    if stats.has("warnings") or stats.has("xpassed") or _unknown_categories(stats):
        return "yellow"
    if stats.any_passed() or not finished:
        return "green"
    return "yellow"


def format_duration(seconds: float) -> str:
    text = f"{seconds:.2f}s"
    if seconds >= 60:
        hours, rest = divmod(int(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        text += f" ({hours}:{minutes:02d}:{secs:02d})"
    return text


def _plural(count: int, noun: str) -> str:
    if noun == "error":
        return "error" if count == 1 else "errors"
    if noun == "warnings":
        return "warning" if count == 1 else "warnings"
    return noun


class FinalLine:
    """Writes the last line of the run: the counts and the time the session took."""

    name = FINAL_LINE

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._tw = reporter.writer
        self._perf_start = clock.perf()

    def minitest_sessionstart(self, session: Session) -> None:
        self._perf_start = clock.perf()

    def write_summary(self, session: Session, exitstatus: int) -> None:
        self.summary_stats()

    def session_duration(self) -> float:
        """The duration the line states: the clock's, published as ``SESSION_DURATION``, or the
        one a plugin published before (a replayed run's recorded duration)."""
        stash = self._reporter.config.stash
        duration = stash.get(SESSION_DURATION, None)
        if duration is None:
            duration = stash[SESSION_DURATION] = clock.perf() - self._perf_start
        return duration

    def stats_parts(self) -> list[tuple[str, str]]:
        """(text, colour) of each count of the final line, in pytest's order."""
        stats = self._reporter.run_stats
        parts = []
        keys = list(_KNOWN_CATEGORIES) + _unknown_categories(stats)
        for key in keys:
            count = stats.count(key)
            if count:
                parts.append((f"{count} {_plural(count, key)}", _PART_COLORS.get(key, "yellow")))
        return parts

    def summary_stats(self) -> None:
        duration = self.session_duration()
        if self._reporter.verbosity < -1:
            return  # -qq: no final line, as pytest 9.2
        if self._reporter.collect_only:
            self._write_collected(duration)
            return
        color = main_color(self._reporter.run_stats)
        counted = self.stats_parts()
        if counted:
            body = ", ".join(self._tw.markup(text, **{c: True, "bold": c == color}) for text, c in counted)
            plain = ", ".join(text for text, _ in counted)
        else:
            plain = "no tests ran"
            body = self._tw.markup(plain, yellow=True)  # pytest's bytes: coloured on its own too
        self._write_line(body, plain, color, duration)

    def _write_line(self, body: str, plain: str, color: str, duration: float) -> None:
        """The counts (``body`` with its colours, ``plain`` without) and the duration, as pytest
        writes them: between ``=`` fills, or alone with ``-q``; the whole line in ``color``."""
        body += self._tw.markup(f" in {format_duration(duration)}", **{color: True})
        plain += f" in {format_duration(duration)}"
        if self._reporter.verbosity < 0:
            self._tw.line(body, **{color: True})  # pytest's bytes: the -q line in the main colour too
        else:
            width = self._tw.fullwidth
            n = max((width - len(plain) - 2) // 2, 1)
            fill = "=" * n
            line_len = len(fill) * 2 + len(plain) + 2
            tail = "=" if line_len + 1 <= width else ""
            # pytest's bytes: the whole line in the main colour, which is switched on again
            # after the counts' own colours end
            back_on = self._tw.markup("", **{color: True}).removesuffix("\x1b[0m")
            self._tw.line(f"{fill} {body}{back_on} {fill}{tail}", **{color: True})

    def _write_collected(self, duration: float) -> None:
        """The final line of ``--collect-only``: how many tests were collected."""
        n = self._reporter.collected_total
        stats = self._reporter.run_stats
        deselected = stats.count("deselected")
        errors = stats.count("error")
        if n == 0 and not deselected:
            head = "no tests collected"
        else:
            # pytest 9.2: every test deselected is "no tests collected (N deselected)"
            head = (f"{n}/{n + deselected} tests collected" if n else "no tests collected") if deselected else \
                f"{n} test{'s' if n != 1 else ''} collected"
        if deselected:
            head += f" ({deselected} deselected)"
        # as pytest: the count in its own colour, then the errors in red (the line's colour then)
        counted = [(head, "green" if n else "yellow")]
        if errors:
            counted.append((f"{errors} {_plural(errors, 'error')}", "red"))
        body = ", ".join(self._tw.markup(text, **{c: True}) for text, c in counted)
        plain = ", ".join(text for text, _ in counted)
        self._write_line(body, plain, counted[-1][1], duration)
