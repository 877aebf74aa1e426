"""Code and diffs in terminal colours, as pytest 9.2 colours them: pygments (pytest's dependency,
not minitest's) with its terminal formatter and pytest's theme variables, ``PYTEST_THEME`` (a
pygments style) and ``PYTEST_THEME_MODE`` (``dark``, the default, or ``light``).

Shared by the terminal (traceback source lines) and the assertion plugin (the values and diffs
of a failed comparison); each decides whether to colour (``--color``, ``--code-highlight``).
Without pygments nothing is coloured.
"""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, Any, Protocol

from minitest.errors import UsageError
from minitest.terminal_api import TERMINAL_REPORTER

if TYPE_CHECKING:
    from minitest.config import Config

__all__ = ["Highlighter", "check_theme", "code_highlighting", "highlight", "plain"]


class Highlighter(Protocol):
    """Colours a piece of code (``lexer`` "python" or "diff"): :func:`highlight` or :func:`plain`."""

    def __call__(self, code: str, lexer: str = "python") -> str: ...


def code_highlighting(config: Config) -> bool:
    """Whether this run colours code: its terminal writes in colour and ``--code-highlight`` is
    yes (a run without a terminal, a worker's, colours nothing)."""
    stash = getattr(config, "stash", None)  # None: a caller outside a run (the API, unit tests)
    reporter = stash.get(TERMINAL_REPORTER, None) if stash is not None else None
    return (reporter is not None and reporter.writer.hasmarkup
            and config.getoption("code_highlight", "yes") == "yes")


def _formatter() -> Any:
    """pygments' terminal formatter for the theme asked, None without pygments."""
    return _formatter_for(os.environ.get("PYTEST_THEME"), os.environ.get("PYTEST_THEME_MODE", "dark"))


@functools.lru_cache(maxsize=4)
def _formatter_for(theme: str | None, mode: str) -> Any:
    # kept per theme: an explanation highlights each of its values and diff lines on its own
    try:
        import pygments.util
        from pygments.formatters.terminal import TerminalFormatter
    except ImportError:
        return None
    try:
        return TerminalFormatter(bg=mode, style=theme)
    except pygments.util.ClassNotFound:
        raise UsageError(f"PYTEST_THEME environment variable has an invalid value: '{theme}'. "
                         "Hint: See available pygments styles with `pygmentize -L styles`.") from None
    except pygments.util.OptionError:
        raise UsageError(f"PYTEST_THEME_MODE environment variable has an invalid value: '{mode}'. "
                         "The allowed values are 'dark' (default) and 'light'.") from None


@functools.lru_cache(maxsize=2)
def _lexer(name: str) -> Any:
    from pygments.lexers.diff import DiffLexer
    from pygments.lexers.python import PythonLexer

    return DiffLexer() if name == "diff" else PythonLexer()


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

    coloured: str = pygments.highlight(code, _lexer("diff" if lexer == "diff" else "python"), formatter)
    if coloured.endswith("\n") and not code.endswith("\n"):
        coloured = coloured[:-1]  # the formatter ends with a newline the code did not have
    # some tokens do not set their colour: reset first, so nothing before carries over (pytest)
    return "\x1b[0m" + coloured


def plain(code: str, lexer: str = "python") -> str:
    """The highlighter that colours nothing (no colour, or ``--code-highlight=no``)."""
    return code
