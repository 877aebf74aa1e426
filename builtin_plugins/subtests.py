"""pytest 9's ``subtests`` fixture: ``with subtests.test(msg="...", i=i):`` runs a block as a
subtest of the test.

Each block gets its own "call" report (made by ``minitest_runtest_makereport``, shown through the
subtest contract of :mod:`minitest.subtests_api` as the unittest builtin shows ``subTest``): a
failing block does not stop the test, and the test itself fails at the end with "contains N
failed subtest(s)", as pytest 9.2 does. The reports are logged once the call phase is over, so
the terminal's lines are not taken for the test's output.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import Any

from minitest import clock, fixture, hookimpl
from minitest.config import Config
from minitest.nodes import Item
from minitest.outcomes import outcome_kind
from minitest.reports import CallInfo, TestReport
from minitest.stash import StashKey
from minitest.subtests_api import SUBTEST_DESCRIPTION_ATTR, describe_subtest, subtest_teststatus

#: the subtest reports of the running test, logged after its call phase
_PENDING = StashKey[list[TestReport]]()
#: set while a subtest's report is being made (the wrapper below leaves that call alone)
_MAKING = StashKey[bool]()


class Subtests:
    """The ``subtests`` fixture's value."""

    def __init__(self, item: Item) -> None:
        self._item = item

    @contextmanager
    def test(self, msg: str | None = None, **kwargs: Any) -> Iterator[None]:
        """Run the ``with`` block as a subtest described by ``msg`` and ``kwargs``; an exception
        in it (a failure, a skip) is its outcome and the test goes on after the block."""
        start = clock.wall()
        began = clock.perf()
        exc: BaseException | None = None
        try:
            yield
        except BaseException as raised:
            if isinstance(raised, KeyboardInterrupt) or outcome_kind(raised) == "exit":
                raise
            exc = raised
        duration = clock.perf() - began
        item = self._item
        call: CallInfo[None] = CallInfo(None, exc, start, clock.wall(), duration, "call")
        item.stash[_MAKING] = True
        try:
            report: TestReport = item.ihook.minitest_runtest_makereport(item=item, call=call)
        finally:
            item.stash[_MAKING] = False
        description = describe_subtest(msg, kwargs)
        setattr(report, SUBTEST_DESCRIPTION_ATTR, description)
        path, lineno, domain = report.location
        report.location = (path, lineno, f"{domain} {description}")  # the failure's header names it
        item.stash.setdefault(_PENDING, []).append(report)


@fixture
def subtests(request: Any) -> Subtests:
    """Run blocks of a test as subtests: ``with subtests.test(msg="case", i=i): ...``."""
    manager = request.config.pluginmanager
    if manager.get_plugin(_REPORTING_NAME) is None:
        manager.register(SubtestReporting(), _REPORTING_NAME)
    return Subtests(request.node)


#: registered when the fixture is first used: runs without it pay no wrapper on every report
_REPORTING_NAME = "subtests-reporting"


class SubtestReporting:
    """Logs a test's subtest reports after its call phase and fails a test whose subtests failed."""

    @hookimpl(wrapper=True)
    def minitest_runtest_makereport(self, item: Item, call: CallInfo[None]) -> Generator[None, TestReport, TestReport]:
        report = yield
        if call.when != "call" or item.stash.get(_MAKING, False):
            return report
        pending = item.stash.get(_PENDING, None)
        if not pending:
            return report
        item.stash[_PENDING] = []
        for subreport in pending:
            item.ihook.minitest_runtest_logreport(report=subreport)
        failed = sum(1 for subreport in pending if subreport.failed)
        if failed and report.passed:
            report.outcome = "failed"
            report.longrepr = f"contains {failed} failed subtest{'s' if failed != 1 else ''}"
        return report

    @hookimpl(tryfirst=True)
    def minitest_report_teststatus(self, report: Any, config: Config) -> tuple[str, str, str] | None:
        return subtest_teststatus(report, config)
