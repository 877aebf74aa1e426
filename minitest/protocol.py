"""The steps of one item's protocol, through the hooks: what the runner does for each item, and
what a plugin that runs an item its own way (reruns, a worker) composes.

    run_phases(item, nextitem)  →  run_phase("setup") → run_phase("call") → run_phase("teardown")
    run_phase(item, when)       →  minitest_runtest_<when> → makereport → logreport → exception_interact

``log=False`` leaves ``minitest_runtest_logreport`` to the caller, who may change a report's
outcome first (a failed attempt that will run again is reported as ``"rerun"``).

A teardown with ``nextitem=item`` ends the item's own scope only: its class, module and session
stay set up for the item to run again.
"""

from __future__ import annotations

from minitest.nodes import Item
from minitest.outcomes import Exit
from minitest.reports import CallInfo, TestReport, is_interactive_exception

__all__ = ["run_phases", "run_phase", "call_and_report"]

#: what a phase lets through instead of reporting it: the run ends
_RERAISE: tuple[type[BaseException], ...] = (Exit, KeyboardInterrupt)


def run_phases(item: Item, nextitem: Item | None = None, log: bool = True) -> list[TestReport]:
    """Setup, call (if setup passed) and teardown of ``item``; returns their reports."""
    reports = [call_and_report(item, "setup", log)]
    if reports[0].passed and not item.config.getoption("setuponly", False):
        reports.append(call_and_report(item, "call", log))
    if item.session.shouldfail or item.session.shouldstop:
        nextitem = None
    reports.append(call_and_report(item, "teardown", log, nextitem=nextitem))
    return reports


def call_and_report(item: Item, when: str, log: bool = True, **kwargs: object) -> TestReport:
    """Run one phase of ``item`` and return its report (logged unless ``log=False``)."""
    return run_phase(item, when, log, **kwargs)[1]


def run_phase(item: Item, when: str, log: bool = True, **kwargs: object) -> tuple[CallInfo[None], TestReport]:
    """Run one phase of ``item``: the call (its exception, if any) and the report made of it."""
    ihook = item.ihook
    hook = getattr(ihook, f"minitest_runtest_{when}")
    call = CallInfo.from_call(lambda: hook(item=item, **kwargs), when, reraise=_RERAISE)
    report: TestReport = ihook.minitest_runtest_makereport(item=item, call=call)
    if log:
        ihook.minitest_runtest_logreport(report=report)
    if call.excinfo is not None and is_interactive_exception(call, report):
        ihook.minitest_exception_interact(node=item, call=call, report=report)
    return call, report
