"""Representations of objects that never raise and never flood the terminal.

Failure messages, ``-l`` locals and parameter ids show the values of arbitrary user objects; a
``__repr__`` that raises or returns megabytes must not turn a clear test failure into an internal
error or an unreadable report. (Kernel module: the assertion plugin and the traceback formatter
share it.)
"""

from __future__ import annotations

import reprlib

__all__ = ["DEFAULT_MAXSIZE", "saferepr", "saferepr_unlimited", "ellipsize"]

#: Longest repr shown for one value at the default verbosity (pytest uses the same limit).
DEFAULT_MAXSIZE = 240


def _describe_exception(exc: BaseException) -> str:
    """Name an exception raised by a ``__repr__``, even if the exception's own repr fails."""
    try:
        return repr(exc)
    except Exception:
        try:
            return f'{type(exc).__name__}("{exc}")'
        except Exception:
            return f"unpresentable exception ({type(exc).__name__})"


def _broken_repr(exc: BaseException, obj: object) -> str:
    """Stand-in text for an object whose ``__repr__`` raised ``exc``."""
    return f"<[{_describe_exception(exc)} raised in repr()] {type(obj).__name__} object at 0x{id(obj):x}>"


def ellipsize(text: str, maxsize: int) -> str:
    """Cut the middle of ``text`` so it is at most ``maxsize`` characters, keeping both ends."""
    if len(text) <= maxsize:
        return text
    head = max(0, (maxsize - 3) // 2)
    tail = max(0, maxsize - 3 - head)
    return text[:head] + "..." + text[len(text) - tail :]


class _BoundedRepr(reprlib.Repr):
    """reprlib's container shortening plus a total size cap and protection from broken reprs."""

    def __init__(self, maxsize: int | None, use_ascii: bool = False) -> None:
        super().__init__()
        # reprlib needs an int; "no limit" is expressed as a very large one
        self.maxstring = maxsize if maxsize is not None else 1_000_000_000
        self.maxsize = maxsize
        self.use_ascii = use_ascii

    def repr(self, x: object) -> str:
        try:
            text = ascii(x) if self.use_ascii else super().repr(x)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            text = _broken_repr(exc, x)
        return text if self.maxsize is None else ellipsize(text, self.maxsize)

    def repr_instance(self, x: object, level: int) -> str:
        # reprlib would cut arbitrary objects at 30 characters; use the overall cap instead
        try:
            text = repr(x)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            text = _broken_repr(exc, x)
        return text if self.maxsize is None else ellipsize(text, self.maxsize)


def saferepr(obj: object, maxsize: int | None = DEFAULT_MAXSIZE, use_ascii: bool = False) -> str:
    """Return a repr of ``obj`` that is at most ``maxsize`` characters and never raises.

    Long containers are shortened the reprlib way (``[0, 1, 2, 3, 4, 5, ...]``).
    """
    return _BoundedRepr(maxsize, use_ascii).repr(obj)


def saferepr_unlimited(obj: object, use_ascii: bool = False) -> str:
    """Return the full repr of ``obj`` (used at ``-vv``), never raising."""
    try:
        return ascii(obj) if use_ascii else repr(obj)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return _broken_repr(exc, obj)
