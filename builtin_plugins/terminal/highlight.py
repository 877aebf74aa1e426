"""A traceback on a colour terminal as pytest 9.2 writes it: the source lines of each entry
highlighted by pygments (when it is installed and ``--code-highlight`` is yes, pytest's own
dependency, not minitest's), the ``E`` lines bold red, each location's path bold red, the
separators between entries at the terminal's width, an exception group's native lines plain.

The traceback is the text of a report (``FailureRepr.text``: it also travels from workers and
into reports), so its parts are told apart by their shape, the one
:mod:`minitest.tracebacks` gives them: source lines behind a 4-character prefix (``">   "`` or
four spaces), the failure's lines behind ``"E   "``, a location at the start of a line
(``path:line: ...``).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from minitest.errors import UsageError
from minitest.tracebacks import CAUSE_SENTENCE, CONTEXT_SENTENCE, ENTRY_SEPARATOR

if TYPE_CHECKING:
    from .writer import TerminalWriter

_LOCATION = re.compile(r"(\S.*?):\d+: ")
_SOURCE_PREFIXES = (">   ", "    ")
_CHAIN_SENTENCES = frozenset((CAUSE_SENTENCE, CONTEXT_SENTENCE))


def write_traceback(tw: TerminalWriter, text: str, code_highlight: bool) -> None:
    """Write ``text`` (a traceback in the auto, long, short or line style) coloured."""
    source: list[str] = []
    failure = native = False

    def flush_source() -> None:
        if source:
            _write_source(tw, source, code_highlight)
            source.clear()

    for line in text.split("\n"):
        if line == ENTRY_SEPARATOR:
            flush_source()
            failure = native = False
            tw.sep("_ ")
            continue
        if native:
            if line.startswith("  "):
                tw.line(line)  # Python's own layout of a group: as it is, as pytest
                continue
            native = False
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
        if line.startswith("  + Exception Group Traceback"):
            native = True
            tw.line(line)
            continue
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
    prefixes = [line[:4] for line in lines]
    code = "\n".join(line[4:] for line in lines)
    highlighted = _highlight(code) if code_highlight and tw.hasmarkup else None
    if highlighted is None:
        for line in lines:
            tw.line(line)
        return
    for prefix, line in zip(prefixes, highlighted.splitlines(), strict=False):
        tw.line(prefix + line)


def _formatter() -> object | None:
    """pygments' terminal formatter with pytest's theme variables (``PYTEST_THEME``,
    ``PYTEST_THEME_MODE``), None without pygments; a :class:`UsageError` for a wrong theme."""
    try:
        import pygments.util
        from pygments.formatters.terminal import TerminalFormatter
    except ImportError:
        return None
    theme = os.environ.get("PYTEST_THEME")
    mode = os.environ.get("PYTEST_THEME_MODE", "dark")
    try:
        return TerminalFormatter(bg=mode, style=theme)
    except pygments.util.ClassNotFound:
        raise UsageError(f"PYTEST_THEME environment variable has an invalid value: '{theme}'. "
                         "Hint: See available pygments styles with `pygmentize -L styles`.") from None
    except pygments.util.OptionError:
        raise UsageError(f"PYTEST_THEME_MODE environment variable has an invalid value: '{mode}'. "
                         "The allowed values are 'dark' (default) and 'light'.") from None


def check_theme() -> None:
    """At start: a wrong theme is a usage error then, not in the middle of the summary."""
    _formatter()


def _highlight(code: str) -> str | None:
    """``code`` in pygments' terminal colours (pytest's lexer and formatter); None without
    pygments."""
    if not code:
        return code
    formatter = _formatter()
    if formatter is None:
        return None
    import pygments
    from pygments.lexers.python import PythonLexer

    highlighted: str = pygments.highlight(code, PythonLexer(), formatter)
    if highlighted.endswith("\n") and not code.endswith("\n"):
        highlighted = highlighted[:-1]  # the formatter ends with a newline the code did not have
    # some tokens do not set their colour: reset first, so nothing before carries over (pytest)
    return "\x1b[0m" + highlighted
