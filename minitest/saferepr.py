"""repr() that never raises and never floods the terminal."""

from __future__ import annotations

import reprlib

__all__ = ["saferepr", "DEFAULT_MAXSIZE"]

DEFAULT_MAXSIZE = 240


def _describe_failure(obj: object, exc: BaseException) -> str:
    try:
        exc_text = repr(exc)
    except BaseException:
        exc_text = f"unpresentable exception ({type(exc).__name__})"
    return f"<[{exc_text} raised in repr()] {type(obj).__name__} object at 0x{id(obj):x}>"


def _ellipsize(text: str, maxsize: int) -> str:
    if len(text) <= maxsize:
        return text
    keep = max(0, maxsize - 3)
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + "..." + (text[len(text) - tail:] if tail else "")


def saferepr(obj: object, maxsize: int | None = DEFAULT_MAXSIZE) -> str:
    """``repr(obj)`` shortened to ``maxsize`` characters (None: unlimited); a failing ``__repr__``
    gives a description of the failure instead of an exception."""
    try:
        if maxsize is None:
            text = repr(obj)
        else:
            limited = reprlib.Repr()
            limited.maxstring = maxsize
            limited.maxother = maxsize
            limited.maxlist = limited.maxtuple = limited.maxdict = limited.maxset = max(6, maxsize // 10)
            text = limited.repr(obj) if isinstance(obj, (list, tuple, dict, set, frozenset)) else repr(obj)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        text = _describe_failure(obj, exc)
    return text if maxsize is None else _ellipsize(text, maxsize)
