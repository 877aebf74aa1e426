"""The terminal part that counts: every collection and test report, and the deselected items, go
into the run's :class:`minitest.runstats.RunStats` (``config.stash[RUN_STATS]``), the one store
of counts the other parts (progress colour, short summary, final line) and plugins read.

Registered as the plugin ``terminalreporter.statistics``
(:data:`minitest.terminal_api.STATISTICS`). It writes nothing, so replacing the output parts
never changes the counts; the category of a test report is its ``minitest_report_teststatus``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from minitest import hookimpl
from minitest.nodes import Item
from minitest.reports import CollectReport, TestReport
from minitest.terminal_api import STATISTICS

if TYPE_CHECKING:
    from .reporter import TerminalReporter


class Statistics:
    """Adds each report to the run statistics under its category."""

    name = STATISTICS

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._stats = reporter.run_stats

    def minitest_collectreport(self, report: CollectReport) -> None:
        if report.failed:
            self._stats.add_report("error", report)
        elif report.skipped:
            self._stats.add_report("skipped", report)

    def minitest_deselected(self, items: Sequence[Item]) -> None:
        self._stats.add_deselected(items)

    # tryfirst: a report is counted before the progress shows it (in the colour of the counts)
    @hookimpl(tryfirst=True)
    def minitest_runtest_logreport(self, report: TestReport) -> None:
        self._stats.add_report(self._reporter.teststatus(report)[0], report)
