"""The terminal part that reports collection: ``collecting ... `` (``-v``), the ``collected 3 items
/ 1 deselected / 2 selected`` line, and the ``--collect-only`` listing (the tree of nodes, node
ids with ``-q``, counts per file with ``-qq``).

On a terminal, as pytest does there: ``collecting ... `` at any verbosity but ``-q``, rewritten as
``collecting N items`` at most every half second while collection goes on, and at the end as the
``collected`` line, padded to erase what it covers.

Registered as the plugin ``terminalreporter.collected`` (:data:`minitest.terminal_api.COLLECTED`);
it also sets the number of tests the progress counts against (``reporter.collected_total``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from minitest import clock
from minitest.nodes import Item, Session
from minitest.reports import CollectReport
from minitest.terminal_api import COLLECTED

if TYPE_CHECKING:
    from .reporter import TerminalReporter


#: how often the growing count is rewritten on a terminal (pytest's REPORT_COLLECTING_RESOLUTION)
REWRITE_EVERY = 0.5


class Collected:
    """Writes what was collected."""

    name = COLLECTED

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._tw = reporter.writer
        self._isatty = reporter.isatty()
        #: items collected so far and when the count was last written (terminal only); the first
        #: rewrite comes half a second after the reporter started, as pytest's
        self._collecting = 0
        self._last_rewrite = clock.monotonic()

    def minitest_collection(self) -> None:
        if self._reporter.verbosity > (-1 if self._isatty else 0):
            self._tw.write("collecting ... ", flush=True, bold=True)

    def minitest_collectreport(self, report: CollectReport) -> None:
        if not self._isatty:
            return
        self._collecting += sum(1 for child in report.result if isinstance(child, Item))
        now = clock.monotonic()
        if self._reporter.verbosity < 0 or now - self._last_rewrite < REWRITE_EVERY:
            return
        self._last_rewrite = now
        self._reporter.rewrite(self._counts_line("collecting", self._collecting, self._collecting),
                               erase=True, bold=True)
        self._tw.flush()

    # not trylast: as pytest's reporter, a plain hook in the order of registration, so a plugin
    # registered before the terminal (-p, a conftest.py at the start) writes its lines after
    # "collected N items", one registered later (a conftest.py found while collecting) before
    def minitest_collection_finish(self, session: Session) -> None:
        reporter = self._reporter
        # a replayed run has no items of its own: the count it recorded is the session's
        reporter.collected_total = len(session.items) or session.testscollected
        if reporter.verbosity >= 0:
            self._report_collected()
        config = session.config
        answers = config.hook.minitest_report_collectionfinish(
            config=config, start_path=config.invocation_params.dir, items=session.items)
        for answer in reversed(answers):  # pytest's order: the first registered plugin's lines first
            for line in [answer] if isinstance(answer, str) else answer:
                self._tw.line(line)
        if reporter.collect_only:
            self._print_collected(session.items)

    def _report_collected(self) -> None:
        collected = self._reporter.collected_total
        line = self._counts_line("collected", collected + self._reporter.run_stats.count("deselected"), collected)
        if self._isatty:
            self._reporter.rewrite(line, erase=True, bold=True)
            self._tw.write("\n")
        else:  # plain, on the line of "collecting ... " if that was written: pytest's bytes
            self._tw.line(line)

    def _counts_line(self, verb: str, total: int, selected: int) -> str:
        """``collected 4 items / 1 error / 1 deselected / 3 selected``."""
        stats = self._reporter.run_stats
        errors = stats.count("error")
        skipped = stats.count("skipped")
        deselected = stats.count("deselected")
        line = f"{verb} {total} item{'' if total == 1 else 's'}"
        if errors:
            line += f" / {errors} error{'s' if errors != 1 else ''}"
        if deselected:
            line += f" / {deselected} deselected"
        if skipped:
            line += f" / {skipped} skipped"
        if total > selected:
            line += f" / {selected} selected"
        return line

    def _print_collected(self, items: Sequence[Item]) -> None:
        verbosity = self._reporter.verbosity
        if verbosity < -1:
            counts = Counter(item.nodeid.split("::", 1)[0] for item in items)
            for name, count in counts.items():
                self._tw.line(f"{name}: {count}")
            return
        # one write for the whole listing (it can be thousands of lines): same text, no per-line
        # buffer bookkeeping
        if verbosity < 0:
            if items:
                self._tw.write("".join([f"{item.nodeid}\n" for item in items]))
            return
        self._tw.line()
        stack: list[Any] = []
        lines: list[str] = []
        for item in items:
            needed = item.listchain()[1:]
            while stack and stack != needed[: len(stack)]:
                stack.pop()
            for node in needed[len(stack):]:
                stack.append(node)
                indent = "  " * (len(stack) - 1)
                lines.append(f"{indent}<{_node_kind(node)} {node.name}>\n")
        if lines:
            self._tw.write("".join(lines))


def _node_kind(node: Any) -> str:
    name = type(node).__name__
    return {"Package": "Package", "Dir": "Dir"}.get(name, name)
