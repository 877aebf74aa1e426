"""Code and diffs in terminal colours, as pytest 9.2 colours them: pygments (pytest's dependency,
not minitest's) with its terminal formatter and pytest's theme variables, ``PYTEST_THEME`` (a
pygments style) and ``PYTEST_THEME_MODE`` (``dark``, the default, or ``light``).

Shared by the terminal (traceback source lines) and the assertion plugin (the values and diffs
of a failed comparison); each decides whether to colour (``--color``, ``--code-highlight``).
Without pygments nothing is coloured.
"""

from __future__ import annotations

import os
from typing import Any

from minitest.errors import UsageError

__all__ = ["check_theme", "highlight", "plain"]


def _formatter() -> Any:
    """pygments' terminal formatter for the theme asked, None without pygments."""
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
    """A :class:`UsageError` for a wrong theme, asked at start rather than in the middle of the
    summary."""
    _formatter()


def highlight(code: str, lexer: str = "python") -> str:
    """``code`` (Python, or a ``diff``) coloured; unchanged without pygments."""
    if not code:
        return code
    formatter = _formatter()
    if formatter is None:
        return code
    import pygments
    from pygments.lexers.diff import DiffLexer
    from pygments.lexers.python import PythonLexer

    coloured: str = pygments.highlight(code, DiffLexer() if lexer == "diff" else PythonLexer(), formatter)
    if coloured.endswith("\n") and not code.endswith("\n"):
        coloured = coloured[:-1]  # the formatter ends with a newline the code did not have
    # some tokens do not set their colour: reset first, so nothing before carries over (pytest)
    return "\x1b[0m" + coloured


def plain(code: str, lexer: str = "python") -> str:
    """The highlighter that colours nothing (no colour, or ``--code-highlight=no``)."""
    return code
