"""The subtest contract: how a subtest's report is told apart and shown.

A subtest (``unittest``'s ``self.subTest(...)``, the ``subtests`` fixture's
``subtests.test(...)``) is reported as an extra "call" report of its test, made by
``minitest_runtest_makereport`` and carrying its description in :data:`SUBTEST_DESCRIPTION_ATTR`.
Whoever makes such reports uses :func:`describe_subtest` and :func:`subtest_teststatus` here,
so the unittest builtin and the subtests builtin print the same lines (pytest 9.2's
``SUBPASSED[msg] (i=1)``, the ``u`` letter, ``N subtests passed`` counted verbosely only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from minitest.saferepr import saferepr

if TYPE_CHECKING:
    from minitest.config import Config

__all__ = ["SUBTEST_DESCRIPTION_ATTR", "describe_subtest", "subtest_teststatus", "subtests_verbosity"]

#: the attribute of a TestReport holding its subtest's description (absent on other reports)
SUBTEST_DESCRIPTION_ATTR = "subtest_description"


def describe_subtest(msg: object, params: Mapping[str, Any]) -> str:
    """``[msg] (k=v, ...)`` as pytest writes a subtest; ``(<subtest>)`` when it has neither."""
    parts = []
    if msg is not None:
        parts.append(f"[{msg}]")
    if params:
        parts.append("(" + ", ".join(f"{k}={saferepr(v)}" for k, v in params.items()) + ")")
    return " ".join(parts) or "(<subtest>)"


def subtests_verbosity(config: Config) -> int:
    """The ``verbosity_subtests`` ini key (``auto``: the ``-v`` level); 0 shows failed subtests only."""
    try:
        value = str(config.getini("verbosity_subtests") or "auto").strip().lower()
    except ValueError:  # the key's declaring builtin is blocked
        value = "auto"
    if value != "auto":
        try:
            return int(value)
        except ValueError:
            pass
    return int(config.getoption("verbose", 0) or 0)


def subtest_teststatus(report: Any, config: Config) -> tuple[str, str, str] | None:
    """``minitest_report_teststatus``'s answer for a subtest's report (None for other reports)."""
    description = getattr(report, SUBTEST_DESCRIPTION_ATTR, None)
    if description is None or report.when != "call":
        return None
    quiet = subtests_verbosity(config) == 0
    if getattr(report, "wasxfail", None) is not None:
        return ("", "", "") if quiet or not report.skipped else ("xfailed", "y", f"SUBXFAIL{description}")
    if report.failed:
        return "failed", "u", f"SUBFAILED{description}"
    if quiet:
        return "", "", ""  # passed and skipped subtests only show (and count) verbosely
    if report.passed:
        return "subtests passed", "u", f"SUBPASSED{description}"
    return "skipped", "-", f"SUBSKIPPED{description}"
