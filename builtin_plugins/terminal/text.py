"""Helpers the terminal parts share to turn reports and paths into text (no output of their own)."""

from __future__ import annotations

import unicodedata
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


def display_width(text: str) -> int:
    """The terminal columns ``text`` takes (a wide East Asian character two, a combining mark
    none), or -1 if it holds a character that is not printable (an escape of a colour), as
    pytest 9.2 measures the short summary's lines."""
    width = 0
    for char in unicodedata.normalize("NFC", text):
        code = ord(char)
        if 0x20 <= code < 0x7F:
            width += 1
        elif code == 0 or 0x200B <= code <= 0x200F or 0x2028 <= code <= 0x202E or 0x2060 <= code <= 0x2063:
            continue
        else:
            category = unicodedata.category(char)
            if category == "Cc":
                return -1
            if category not in ("Me", "Mn"):
                width += 2 if unicodedata.east_asian_width(char) in ("F", "W") else 1
    return width
