"""Helpers the terminal parts share to turn reports and paths into text (no output of their own)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minitest.config import Config


def display_path(path: str | Path) -> str:
    from minitest.tracebacks import display_path as shorten  # kept out of start-up

    return shorten(path)


def teststatus(config: Config, report: Any) -> tuple[str, str, Any]:
    """(category, letter, word) of ``report`` from ``minitest_report_teststatus``."""
    res = config.hook.minitest_report_teststatus(report=report, config=config)
    if res is None:
        return "", "", ""
    return res[0], res[1], res[2]


def head_line(rep: Any) -> str:
    """The title of a report's section: the test's name as the location gives it, or its node id."""
    loc = getattr(rep, "location", None)
    if loc and loc[2]:
        return str(loc[2])
    return rep.nodeid

