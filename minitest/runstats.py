"""The run's statistics: what happened to each test, counted by outcome.

The kernel defines the object; the ``terminal`` builtin creates it in a ``tryfirst``
``minitest_configure`` (so every other plugin's ``minitest_configure`` finds it), publishes it
under :data:`RUN_STATS` on ``config.stash`` and fills it from the report hooks (its
``terminalreporter.statistics`` part); it is absent with ``-p no:terminal``, unless the
replacement publishes its own. Other plugins read and add through this typed API, never through
the reporter's attributes::

    from minitest.runstats import RUN_STATS

    def minitest_terminal_summary(terminalreporter, config):
        stats = config.stash.get(RUN_STATS, None)
        if stats is not None:
            terminalreporter.write_line(f"{stats.count('failed')} failed")

A report is counted before any other plugin's ``minitest_runtest_logreport`` receives it (the
statistics part is ``tryfirst``): a plugin reading the counts there finds that report counted.

Categories are the first element of ``minitest_report_teststatus`` (``passed``, ``failed``,
``error``, ``skipped``, ``xfailed``, ``xpassed``, or a plugin's own), plus ``deselected`` (the
deselected items), ``warnings`` (the warnings recorded) and ``""`` (phase reports without an
outcome of their own: a passing setup or teardown).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, cast

from minitest.stash import StashKey

if TYPE_CHECKING:
    from minitest.nodes import Item
    from minitest.reports import CollectReport, TestReport

__all__ = ["RunStats", "RUN_STATS", "MAX_WARNINGS", "OUTCOMES", "SESSION_DURATION"]

#: the categories of the final line, in the order it lists them
OUTCOMES = ("failed", "passed", "skipped", "deselected", "xfailed", "xpassed", "warnings", "error")


class RunStats:
    """The reports of the run by category, the deselected items, the warnings."""

    __slots__ = ("_by_category", "_keep_idle_phases")

    def __init__(self) -> None:
        # one dict, in the order categories first appeared: pytest's ``terminalreporter.stats``
        # is a read view of it (see :meth:`as_mapping`)
        self._by_category: dict[str, list[Any]] = {}
        self._keep_idle_phases = False

    # -- adding ----------------------------------------------------------------------------------
    def keep_idle_phase_reports(self) -> None:
        """Keep every passing setup/teardown report (category ``""``), not only those with output.

        By default they are dropped unless they carry output to show with a later failure, so a
        large run does not hold two idle reports per test; a plugin reading every phase (the
        ``--durations`` list) asks for them in ``minitest_configure``.
        """
        self._keep_idle_phases = True

    def add_report(self, category: str, report: TestReport | CollectReport) -> None:
        """Count ``report`` under ``category`` (its ``minitest_report_teststatus`` category).

        Passing setup/teardown reports (category ``""``) are kept only when asked for, when they
        carry output, or when a plugin attached attributes of its own to them."""
        # an idle report a plugin attached data to is kept: pytest plugins read their data back
        # from ``terminalreporter.stats`` at the end (hypothesis's statistics ride on teardown)
        if not category and not self._keep_idle_phases and not report.sections \
                and not getattr(report, "__dict__", None):
            return
        reports = self._by_category.get(category)
        if reports is None:
            self._by_category[category] = [report]
        else:
            reports.append(report)

    def add_deselected(self, items: Sequence[Item]) -> None:
        """Count items a plugin deselected (``minitest_deselected``)."""
        self._by_category.setdefault("deselected", []).extend(items)

    def add_warning(self, message: warnings.WarningMessage) -> None:
        """Count a warning recorded during the run."""
        self._by_category.setdefault("warnings", []).append(message)

    # -- reading ---------------------------------------------------------------------------------
    def categories(self) -> list[str]:
        """The categories that have something, in the order they first got it."""
        return list(self._by_category)

    def has(self, category: str) -> bool:
        """Whether anything was counted under ``category``."""
        return category in self._by_category

    def reports(self, category: str) -> Sequence[TestReport | CollectReport]:
        """The reports counted under ``category`` (not ``deselected`` / ``warnings``: see below)."""
        return cast("Sequence[TestReport | CollectReport]", self._by_category.get(category, ()))

    def test_reports(self, category: str) -> list[TestReport]:
        """The test (not collection) reports counted under ``category``."""
        from minitest.reports import TestReport

        return [r for r in self._by_category.get(category, ()) if isinstance(r, TestReport)]

    def deselected(self) -> Sequence[Item]:
        return cast("Sequence[Item]", self._by_category.get("deselected", ()))

    def warnings(self) -> Sequence[warnings.WarningMessage]:
        return cast("Sequence[warnings.WarningMessage]", self._by_category.get("warnings", ()))

    def count(self, category: str) -> int:
        """How many the final line shows for ``category``: every entry, as pytest 9.2 counts them
        (a set-up or teardown report a plugin files under ``passed`` counts too)."""
        return len(self._by_category.get(category, ()))

    def any_passed(self) -> bool:
        """Whether anything was counted as passed (the run's colour: green only then)."""
        return bool(self._by_category.get("passed"))

    def phase_reports(self) -> Iterator[TestReport]:
        """Every setup/call/teardown report kept (with its duration), by category, each in the
        order it came."""
        from minitest.reports import TestReport

        for entries in self._by_category.values():
            for entry in entries:
                if isinstance(entry, TestReport) and isinstance(entry.duration, (int, float)) and entry.when:
                    yield entry

    def as_mapping(self) -> Mapping[str, Sequence[Any]]:
        """A read-only view, category → entries."""
        return MappingProxyType(self._by_category)

    def legacy_dict(self) -> dict[str, list[Any]]:
        """The live dict itself: what pytest plugins know as ``terminalreporter.stats`` (some add
        to it, and what they add is counted on the final line, as with pytest). New code uses the
        methods above."""
        return self._by_category


#: the run statistics, on ``config.stash``; set by the terminal reporter
RUN_STATS = StashKey[RunStats]()

#: the most warnings a passing run may record (``--max-warnings N`` / the ``max_warnings`` ini
#: key), on ``config.stash``; set by the ``warnings`` builtin when given. At the end of a run whose
#: tests passed, the terminal compares the ``warnings`` count with it: more is exit code 6
#: (``ExitCode.MAX_WARNINGS_ERROR``) and a line saying so
MAX_WARNINGS = StashKey[int]()

#: the session's duration in seconds as the final line states it (``in 0.12s``), on
#: ``config.stash``: the final line sets it from its clock when it writes, unless a plugin set it
#: first, and then shows that one (a replayed run sets the recorded duration, so the replay reads
#: as the run did); a plugin recording the run reads it after the final line (a ``sessionfinish``
#: wrapper)
SESSION_DURATION = StashKey[float]()
