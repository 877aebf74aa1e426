"""skip / skipif / xfail marks, ``--runxfail`` and the xfailed / xpassed outcomes.

    runtest_setup (tryfirst)     → skip / skipif marks skip the test; xfail marks are evaluated
                                   and remembered (``run=False`` stops here: "[NOTRUN]")
    runtest_call (wrapper)       → an xfail mark added while setting up is still honoured
    runtest_makereport (wrapper) → turns the runner's report into xfailed / xpassed / XPASS(strict)
    report_teststatus (tryfirst) → "xfailed" / "xpassed" categories, letters x / X

``minitest.xfail()`` raised inside a test is an xfail whatever the marks say. The report of an
expected failure has ``outcome == "skipped"`` and ``wasxfail`` (the reason); an unexpected pass
has ``outcome == "passed"`` and ``wasxfail``, or fails with "[XPASS(strict)] reason" when strict.
"""

from __future__ import annotations

import traceback
from collections.abc import Generator
from typing import Any

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.marks import Mark, mark_condition_namespace
from minitest.nodes import Item
from minitest.outcomes import Failed, Skipped, XFailed, outcome_kind
from minitest.records import FrozenRecord
from minitest.reports import CallInfo, TestReport
from minitest.stash import StashKey


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--runxfail", action="store_true", dest="runxfail", default=False,
                    help="report the results of xfail tests as if they were not marked")
    parser.addini("xfail_strict", "default for the strict parameter of xfail marks (an unexpected pass "
                  "fails the test)", type="bool", default=False)
    parser.addini("strict_xfail", "the same as xfail_strict", type="bool", default=False)


class XfailSpec(FrozenRecord):
    """An xfail mark that applies to a test (its condition, if any, held).

    A :class:`~minitest.records.FrozenRecord`, not a frozen dataclass: made only for tests with
    an xfail mark (0.7 ms of CPU at each start-up)."""

    __slots__ = ("reason", "run", "strict", "raises")
    reason: str
    run: bool
    strict: bool
    raises: type[BaseException] | tuple[type[BaseException], ...] | None

    def __init__(self, reason: str, run: bool, strict: bool,
                 raises: type[BaseException] | tuple[type[BaseException], ...] | None) -> None:
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "run", run)
        object.__setattr__(self, "strict", strict)
        object.__setattr__(self, "raises", raises)


#: the evaluated xfail of an item (None: no xfail mark applies); set at setup, read at report time
XFAILED = StashKey["XfailSpec | None"]()


# ---------------------------------------------------------------------------------------------
# evaluating conditions
# ---------------------------------------------------------------------------------------------


def _evaluate_condition(item: Item, mark: Mark, condition: object) -> tuple[bool, str]:
    """(holds, reason) of one condition of a skipif / xfail mark; an error is a Failed naming the mark."""
    __tracebackhide__ = True
    if isinstance(condition, str):
        namespace = mark_condition_namespace(item)  # a plugin's bad namespace is its own error, not the mark's
        try:
            code = compile(condition, f"<{mark.name} condition>", "eval")
            result = eval(code, namespace)  # noqa: S307 - the mark asks for it
        except SyntaxError as exc:
            lines = [f"Error evaluating {mark.name!r} condition", "    " + condition]
            if exc.offset is not None:
                lines.append("    " + " " * exc.offset + "^")
            lines.append("SyntaxError: invalid syntax")
            raise Failed("\n".join(lines), pytrace=False) from None
        except Exception as exc:
            lines = [f"Error evaluating {mark.name!r} condition", "    " + condition,
                     *traceback.format_exception_only(type(exc), exc)]
            raise Failed("\n".join(line.rstrip("\n") for line in lines), pytrace=False) from None
    else:
        try:
            result = bool(condition)
        except Exception as exc:
            lines = [f"Error evaluating {mark.name!r} condition as a boolean",
                     *traceback.format_exception_only(type(exc), exc)]
            raise Failed("\n".join(line.rstrip("\n") for line in lines), pytrace=False) from None
    reason = mark.kwargs.get("reason")
    if reason is None:
        if isinstance(condition, str):
            reason = "condition: " + condition
        else:
            raise Failed(f"Error evaluating {mark.name!r}: you need to specify reason=STRING when using "
                         "booleans as conditions.", pytrace=False)
    return bool(result), str(reason)


def _call_text(mark: Mark) -> str:
    """``skip(True, reason='r')``: how the mark was called."""
    arguments = [repr(arg) for arg in mark.args] + [f"{key}={value!r}" for key, value in mark.kwargs.items()]
    return f"{mark.name}({', '.join(arguments)})"


def _conditions(mark: Mark) -> tuple[object, ...]:
    if mark.args:
        return mark.args
    if "condition" in mark.kwargs:
        return (mark.kwargs["condition"],)
    return ()


#: the marks this plugin reads; most tests carry none of them (see ``Node.has_marker``)
SKIP_MARKS = frozenset({"skip", "skipif"})
XFAIL_MARKS = frozenset({"xfail"})
ANY_MARKS = SKIP_MARKS | XFAIL_MARKS


def skip_reason(item: Item) -> str | None:
    """Why the skip / skipif marks of ``item`` skip it (None: they do not)."""
    __tracebackhide__ = True
    if not item.has_marker(SKIP_MARKS):
        return None
    for mark in item.iter_markers("skipif"):
        conditions = _conditions(mark)
        if not conditions:
            return str(mark.kwargs.get("reason", ""))
        for condition in conditions:
            holds, reason = _evaluate_condition(item, mark, condition)
            if holds:
                return reason
    for mark in item.iter_markers("skip"):
        if len(mark.args) > 1 or (mark.args and "reason" in mark.kwargs):
            # skip(condition, reason=...) is a skipif spelled wrong: an error, as in pytest, rather
            # than a skip whatever the condition says
            raise Failed(f"Error evaluating {mark.name!r}: it takes a single reason, got "
                         f"{_call_text(mark)} - maybe you meant mark.skipif?", pytrace=False)
        if "reason" in mark.kwargs:
            return str(mark.kwargs["reason"])
        if mark.args:
            (reason,) = mark.args
            return str(reason)
        return "unconditional skip"
    return None


def evaluate_xfail(item: Item) -> XfailSpec | None:
    """The first xfail mark of ``item`` that applies (closest first)."""
    __tracebackhide__ = True
    if not item.has_marker(XFAIL_MARKS):
        return None
    config = item.config
    for mark in item.iter_markers("xfail"):
        run = bool(mark.kwargs.get("run", True))
        strict = mark.kwargs.get("strict")
        if strict is None:
            strict = bool(config.getini("strict_xfail") or config.getini("xfail_strict"))
        raises = mark.kwargs.get("raises")
        conditions = _conditions(mark)
        if not conditions:
            return XfailSpec(str(mark.kwargs.get("reason", "")), run, bool(strict), raises)
        for condition in conditions:
            holds, reason = _evaluate_condition(item, mark, condition)
            if holds:
                return XfailSpec(reason, run, bool(strict), raises)
    return None


# ---------------------------------------------------------------------------------------------
# hooks
# ---------------------------------------------------------------------------------------------


def _runxfail(config: Config) -> bool:
    return bool(config.getoption("runxfail"))


# not tryfirst, as in pytest: a plugin's configure hook registered later (a conftest.py) runs first
# and still sees the real minitest.xfail
def minitest_configure(config: Config) -> None:
    if not _runxfail(config):
        return
    # --runxfail runs tests as if nothing expected them to fail: minitest.xfail() (looked up on the
    # module, as tests usually do) returns instead of stopping the test, as in pytest
    import minitest

    original = minitest.xfail

    def xfail_ignored(reason: str = "") -> None:
        """``minitest.xfail`` under --runxfail: does nothing."""

    minitest.xfail = xfail_ignored  # type: ignore[assignment]
    config.add_cleanup(lambda: setattr(minitest, "xfail", original))


@hookimpl(tryfirst=True)
def minitest_runtest_setup(item: Item) -> None:
    __tracebackhide__ = True
    if not item.has_marker(ANY_MARKS):
        # the common case in one mark walk instead of three (skipif, skip, xfail)
        item.stash[XFAILED] = None
        return
    reason = skip_reason(item)
    if reason is not None:
        raise Skipped(reason, use_item_location=True)
    item.stash[XFAILED] = xfailed = evaluate_xfail(item)
    if xfailed is not None and not xfailed.run and not _runxfail(item.config):
        raise XFailed("[NOTRUN] " + xfailed.reason)


@hookimpl(wrapper=True)
def minitest_runtest_call(item: Item) -> Generator[None, None, None]:
    xfailed = item.stash.get(XFAILED, None)
    if xfailed is None:
        # marks may have been added while the test was set up (request.applymarker)
        item.stash[XFAILED] = xfailed = evaluate_xfail(item)
    if xfailed is not None and not xfailed.run and not _runxfail(item.config):
        raise XFailed("[NOTRUN] " + xfailed.reason)
    try:
        return (yield)
    finally:
        if item.stash.get(XFAILED, None) is None:
            # ... or while the test ran (item.add_marker(minitest.mark.xfail) in the test body)
            item.stash[XFAILED] = evaluate_xfail(item)


@hookimpl(wrapper=True)
def minitest_runtest_makereport(item: Item, call: CallInfo[None]) -> Generator[None, TestReport, TestReport]:
    report = yield
    exc = call.excinfo.value if call.excinfo is not None else None
    xfailed = item.stash.get(XFAILED, None)
    if exc is None and xfailed is None:
        return report  # nothing to change (most reports): before reading the --runxfail option
    if _runxfail(item.config):
        return report  # --runxfail: plain outcomes (a minitest.xfail() call is then a failure)
    if exc is not None and outcome_kind(exc) == "xfailed":
        report.outcome = "skipped"
        report.wasxfail = getattr(exc, "msg", None) or ""  # type: ignore[attr-defined]
    elif not report.skipped and xfailed is not None:
        if exc is not None:
            if xfailed.raises is None or isinstance(exc, xfailed.raises):
                report.outcome = "skipped"
                report.wasxfail = xfailed.reason  # type: ignore[attr-defined]
            else:
                report.outcome = "failed"  # an exception the mark did not expect
        elif call.when == "call":
            if xfailed.strict:
                report.outcome = "failed"
                report.longrepr = "[XPASS(strict)] " + xfailed.reason
            else:
                report.outcome = "passed"
                report.wasxfail = xfailed.reason  # type: ignore[attr-defined]
    return report


# not tryfirst, as in pytest: a conftest.py's report_teststatus decides before this one, for xfail
# reports too (the terminal's default answer is trylast)
def minitest_report_teststatus(report: Any) -> tuple[str, str, str] | None:
    if getattr(report, "wasxfail", None) is None:
        return None
    if report.skipped:
        return "xfailed", "x", "XFAIL"
    if report.passed:
        return "xpassed", "X", "XPASS"
    return None
