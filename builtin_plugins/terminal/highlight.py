"""A traceback on a colour terminal as pytest 9.2 writes it: the source lines of each entry
highlighted (:mod:`minitest.highlighting`, when pygments is installed and ``--code-highlight``
is yes), the ``E`` lines bold red, each location's path bold red, the
separators between entries at the terminal's width, Python's own layout (``--tb=native``, an
exception group) as it is.

The traceback is the text of a report (``FailureRepr.text``: it also travels from workers and
into reports), so its parts are told apart by their shape, the one
:mod:`minitest.tracebacks` gives them: source lines behind a 4-character prefix (``">   "`` or
four spaces), the failure's lines behind ``"E   "``, a location at the start of a line
(``path:line: ...``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from minitest.highlighting import highlight
from minitest.tracebacks import CAUSE_SENTENCE, CONTEXT_SENTENCE, ENTRY_SEPARATOR

if TYPE_CHECKING:
    from .writer import TerminalWriter

_LOCATION = re.compile(r"(\S.*?):\d+: ")
_SOURCE_PREFIXES = (">   ", "    ")
_CHAIN_SENTENCES = frozenset((CAUSE_SENTENCE, CONTEXT_SENTENCE))
_NATIVE_HEADERS = frozenset(("Traceback (most recent call last):",
                             "  + Exception Group Traceback (most recent call last):"))


def write_traceback(tw: TerminalWriter, text: str, code_highlight: bool) -> None:
    """Write ``text`` (a traceback in the auto, long, short, line or native style) coloured;
    ``code_highlight``: its source lines too (:func:`minitest.highlighting.code_highlighting`)."""
    lines = text.split("\n")
    # Python's own layout (--tb=native, or an exception group in any style, which comes first)
    # is written as it is, as pytest writes it, up to the sentence that leads to minitest's
    # entries (a sentence inside it leads to another "Traceback" of Python's)
    native = bool(lines) and lines[0] in _NATIVE_HEADERS
    source: list[str] = []
    failure = False

    def flush_source() -> None:
        if source:
            _write_source(tw, source, code_highlight)
            source.clear()

    for index, line in enumerate(lines):
        if native:
            if line not in _CHAIN_SENTENCES or lines[index + 2:index + 3] and lines[index + 2] in _NATIVE_HEADERS:
                tw.line(line)
                continue
            native = False
        if line == ENTRY_SEPARATOR:
            flush_source()
            failure = False
            tw.sep("_ ")
            continue
        if failure:
            if line:
                tw.line(line, bold=True, red=True)  # the rest of the failure (pytest: the whole)
                continue
            failure = False
        if line.startswith("E   "):
            flush_source()
            failure = True
            tw.line(line, bold=True, red=True)
            continue
        if line.startswith(_SOURCE_PREFIXES):
            source.append(line)
            continue
        flush_source()
        if line in _CHAIN_SENTENCES:
            tw.line(line, yellow=True)
            continue
        location = _LOCATION.match(line)
        if location:
            tw.write(location.group(1), bold=True, red=True)
            tw.line(line[len(location.group(1)):])
            continue
        tw.line(line)
    flush_source()


def _write_source(tw: TerminalWriter, lines: list[str], code_highlight: bool) -> None:
    """The prefix as it is, the code after it highlighted as one piece (a string over several
    lines stays a string)."""
    if not code_highlight:
        for line in lines:
            tw.line(line)
        return
    prefixes = [line[:4] for line in lines]
    coloured = highlight("\n".join(line[4:] for line in lines))
    for prefix, line in zip(prefixes, coloured.splitlines(), strict=False):
        tw.line(prefix + line)
