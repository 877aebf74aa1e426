"""``raises`` and ``ExceptionInfo``: assert that code raises an exception, then inspect it.

    with raises(ValueError, match=r"invalid literal") as excinfo:
        int("x")
    assert excinfo.type is ValueError

    excinfo = raises(ZeroDivisionError, divmod, 1, 0)   # the callable form
"""

from __future__ import annotations

import re
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from minitest.outcomes import fail

__all__ = ["raises", "ExceptionInfo", "RaisesContext", "RaisesGroup", "TracebackEntry"]

E = TypeVar("E", bound=BaseException)

ExpectedType = type[BaseException] | tuple[type[BaseException], ...]


def stringify_exception(exc: BaseException) -> str:
    """The text ``match=`` searches: ``str(exc)`` followed by the exception's notes."""
    try:
        notes = list(getattr(exc, "__notes__", []) or [])
    except Exception:
        notes = []
    try:
        message = str(exc)
    except Exception:
        message = f"<unprintable {type(exc).__name__} object>"
    return "\n".join([message, *map(str, notes)])


def _check_match(regexp: str | re.Pattern[str], text: str) -> None:
    """Raise AssertionError (pytest's wording) when ``regexp`` does not find ``text``."""
    __tracebackhide__ = True
    if re.search(regexp, text):
        return
    message = f"Regex pattern did not match.\n  Expected regex: {regexp!r}\n  Actual message: {text!r}"
    if regexp == text:
        message += "\n Did you mean to `re.escape()` the regex?"
    # from None: the exception that did not match is not shown as this one's context (pytest)
    raise AssertionError(message) from None


class TracebackEntry:
    """One frame of an exception's traceback (``lineno`` is 0-based, as in pytest)."""

    def __init__(self, tb: TracebackType) -> None:
        self.tb = tb
        self.frame = tb.tb_frame
        self.lineno = tb.tb_lineno - 1

    @property
    def path(self) -> str:
        return self.frame.f_code.co_filename

    @property
    def name(self) -> str:
        return self.frame.f_code.co_name

    @property
    def locals(self) -> dict[str, Any]:
        return self.frame.f_locals

    def ishidden(self) -> bool:
        """True when the frame asked to be hidden with ``__tracebackhide__``."""
        value = self.frame.f_locals.get("__tracebackhide__", self.frame.f_globals.get("__tracebackhide__", False))
        return bool(value(self) if callable(value) else value)

    def __repr__(self) -> str:
        return f"<TracebackEntry {self.path}:{self.lineno + 1}>"


class ExceptionInfo(Generic[E]):
    """An exception with its type and traceback, as ``raises`` returns it."""

    def __init__(self, exc_info: tuple[type[E], E, TracebackType | None] | None, _striptext: str = "") -> None:
        self._excinfo = exc_info
        self._striptext = _striptext
        self._traceback: list[TracebackEntry] | None = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_exc_info(cls, exc_info: tuple[type[E], E, TracebackType | None],
                      exprinfo: str | None = None) -> ExceptionInfo[E]:
        """Wrap a ``sys.exc_info()``-style triple."""
        striptext = ""
        if exprinfo is None and isinstance(exc_info[1], AssertionError):
            text = str(exc_info[1]) if exc_info[1].args else ""
            if text.startswith("assert "):
                striptext = "AssertionError: "
        return cls(exc_info, striptext)

    @classmethod
    def from_exception(cls, exception: E, exprinfo: str | None = None) -> ExceptionInfo[E]:
        """Wrap a raised exception (it must carry its traceback)."""
        if exception.__traceback__ is None:
            raise AssertionError("Exceptions passed to ExceptionInfo.from_exception(...) "
                                 "must have a non-None __traceback__.")
        return cls.from_exc_info((type(exception), exception, exception.__traceback__), exprinfo)

    @classmethod
    def from_current(cls, exprinfo: str | None = None) -> ExceptionInfo[BaseException]:
        """Wrap the exception being handled."""
        info = sys.exc_info()
        if info[0] is None or info[1] is None:
            raise AssertionError("no current exception")
        return ExceptionInfo.from_exc_info((info[0], info[1], info[2]), exprinfo)

    @classmethod
    def for_later(cls) -> ExceptionInfo[E]:
        """An empty ExceptionInfo to be filled when the exception happens."""
        return cls(None)

    def fill_unfilled(self, exc_info: tuple[type[E], E, TracebackType | None]) -> None:
        """Fill an ExceptionInfo made with :meth:`for_later`."""
        if self._excinfo is not None:
            raise AssertionError("ExceptionInfo was already filled")
        self._excinfo = exc_info

    # -- accessors ------------------------------------------------------------------------

    def _info(self) -> tuple[type[E], E, TracebackType | None]:
        if self._excinfo is None:
            raise AssertionError(".value can only be used after the context manager exits")
        return self._excinfo

    @property
    def type(self) -> type[E]:
        """The exception class."""
        return self._info()[0]

    @property
    def value(self) -> E:
        """The exception instance."""
        return self._info()[1]

    @property
    def tb(self) -> TracebackType | None:
        """The raw traceback object."""
        return self._info()[2]

    @property
    def typename(self) -> str:
        """The exception class's name."""
        return self.type.__name__

    @property
    def traceback(self) -> list[TracebackEntry]:
        """The traceback as a list of :class:`TracebackEntry`."""
        if self._traceback is None:
            entries = []
            tb = self.tb
            while tb is not None:
                entries.append(TracebackEntry(tb))
                tb = tb.tb_next
            self._traceback = entries
        return self._traceback

    @traceback.setter
    def traceback(self, value: list[TracebackEntry]) -> None:
        self._traceback = list(value)

    def exconly(self, tryshort: bool = False) -> str:
        """``"ValueError: message"`` (with ``tryshort``, a rewritten assert's prefix is dropped)."""
        text = "".join(traceback.format_exception_only(self.type, self.value)).rstrip("\n")
        if tryshort and self._striptext and text.startswith(self._striptext):
            text = text[len(self._striptext):]
        return text

    def getrepr(self, showlocals: bool = False, style: str = "long", abspath: bool = False, tbfilter: Any = True,
                funcargs: bool = False, truncate_locals: bool = True, truncate_args: bool = True,
                chain: bool = True) -> Any:
        """The exception rendered as a failure text (``str()`` of the result), with its crash
        location; what a custom ``repr_failure`` may return. Accepts pytest's arguments; minitest
        honours ``style`` ("long", "short", "line", "native", "no"... as ``--tb``) and ``showlocals``."""
        from minitest.tracebacks import format_failure

        return format_failure(self.value, style=style, showlocals=showlocals)

    def errisinstance(self, exc: ExpectedType) -> bool:
        """True if the exception is an instance of ``exc`` (a class or tuple of classes)."""
        return isinstance(self.value, exc)

    def match(self, regexp: str | re.Pattern[str]) -> bool:
        """Check that ``regexp`` matches the exception's text (``re.search``); AssertionError if not."""
        __tracebackhide__ = True
        _check_match(regexp, stringify_exception(self.value))
        return True

    def group_contains(self, expected_exception: ExpectedType, *, match: str | re.Pattern[str] | None = None,
                       depth: int | None = None) -> bool:
        """True if the ExceptionGroup holds an exception of that type (matching ``match``).

        ``depth=None`` searches at any nesting; ``depth=1`` only the group's direct members.
        """
        if not isinstance(self.value, BaseExceptionGroup):
            raise AssertionError("Instance ExceptionInfo does not contain an ExceptionGroup")
        if depth is not None and depth < 1:
            raise ValueError("depth must be None or a positive integer")
        return _group_contains(self.value, expected_exception, match, depth, 1)

    def __repr__(self) -> str:
        if self._excinfo is None:
            return "<ExceptionInfo for raises contextmanager>"
        return f"<ExceptionInfo {self.value!r} tblen={len(self.traceback)}>"


def _group_contains(group: BaseExceptionGroup, expected: ExpectedType, match: Any,
                    depth: int | None, level: int) -> bool:
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup) and _group_contains(exc, expected, match, depth, level + 1):
            return True
        if depth is not None and level != depth:
            continue
        if isinstance(exc, expected) and (match is None or re.search(match, stringify_exception(exc))):
            return True
    return False


def _validate_expected(expected: Any) -> ExpectedType:
    items = expected if isinstance(expected, tuple) else (expected,)
    if not items:
        raise ValueError("You must specify at least one parameter to match on.")
    for item in items:
        if not (isinstance(item, type) and issubclass(item, BaseException)):
            name = item.__name__ if isinstance(item, type) else type(item).__name__
            raise TypeError(f"Expected a BaseException type, but got {name!r}")
    validated: ExpectedType = expected
    return validated


def _describe_expected(expected: ExpectedType) -> str:
    # pytest 9.2's words: "KeyError", "any of (KeyError, ValueError)"
    if isinstance(expected, tuple):
        if len(expected) > 1:
            return f"any of ({', '.join(e.__name__ for e in expected)})"
        expected = expected[0]
    return expected.__name__


class RaisesContext(Generic[E]):
    """The context manager ``raises(...)`` returns; ``as`` gives the :class:`ExceptionInfo`."""

    def __init__(self, expected: ExpectedType, match: str | re.Pattern[str] | None = None,
                 check: Callable[[BaseException], bool] | None = None) -> None:
        self.expected = expected
        self.match_expr = match
        self.check = check
        self.excinfo: ExceptionInfo[E] | None = None

    def __enter__(self) -> ExceptionInfo[E]:
        self.excinfo = ExceptionInfo.for_later()
        return self.excinfo

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 tb: TracebackType | None) -> bool:
        __tracebackhide__ = True
        if exc_type is None or exc_value is None:
            fail(f"DID NOT RAISE {_describe_expected(self.expected)}")
        if not isinstance(exc_value, self.expected):
            return False  # not ours: let it propagate unchanged
        assert self.excinfo is not None
        self.excinfo.fill_unfilled((exc_type, exc_value, tb))  # type: ignore[arg-type]
        if self.match_expr is not None:
            _check_match(self.match_expr, stringify_exception(exc_value))
        if self.check is not None and not self.check(exc_value):
            raise AssertionError(f"check {self.check!r} did not return True") from None
        return True


def raises(expected_exception: ExpectedType, *args: Any, **kwargs: Any) -> Any:
    """Assert that a block (context manager) or a call (callable form) raises ``expected_exception``.

    ``match`` (context form) is a regular expression searched in the exception's text; ``check``
    a predicate the exception must satisfy. Other exceptions propagate unchanged.
    """
    __tracebackhide__ = True
    expected = _validate_expected(expected_exception)
    if not args:
        unknown = set(kwargs) - {"match", "check"}
        if unknown:
            raise TypeError(f"Unexpected keyword arguments passed to raises: {', '.join(sorted(unknown))}\n"
                            "Use context-manager form instead?")
        return RaisesContext(expected, kwargs.get("match"), kwargs.get("check"))
    func, *call_args = args
    if not callable(func):
        raise TypeError(f"{func!r} object (type: {type(func)}) must be callable")
    try:
        func(*call_args, **kwargs)
    except expected as exc:
        info = ExceptionInfo.from_exception(exc)
        info.traceback = info.traceback[1:]  # drop this function's own frame
        return info
    fail(f"DID NOT RAISE {_describe_expected(expected)}")


class RaisesGroup:
    """Expect an ExceptionGroup whose members match ``expected`` (classes or nested RaisesGroup).

        with RaisesGroup(ValueError, RaisesGroup(TypeError)):
            raise ExceptionGroup("", [ValueError(), ExceptionGroup("", [TypeError()])])

    Each expected item must match a distinct member, in any order, and every member must be
    expected. ``match`` applies to the group's message, ``check`` to the group itself.
    ``allow_unwrapped`` accepts a bare exception for a single expected class;
    ``flatten_subgroups`` matches members of nested groups as if they were direct members.
    """

    def __init__(self, *expected: Any, match: str | re.Pattern[str] | None = None,
                 check: Callable[[BaseExceptionGroup], bool] | None = None,
                 allow_unwrapped: bool = False, flatten_subgroups: bool = False) -> None:
        if not expected:
            raise ValueError("Expected at least one exception type or RaisesGroup")
        for item in expected:
            if not isinstance(item, RaisesGroup):
                _validate_expected(item)
        self.expected = expected
        self.match_expr = match
        self.check = check
        self.allow_unwrapped = allow_unwrapped
        self.flatten_subgroups = flatten_subgroups
        self.excinfo: ExceptionInfo[BaseExceptionGroup] | None = None
        self.fail_reason: str | None = None

    def __repr__(self) -> str:
        return f"RaisesGroup({', '.join(getattr(e, '__name__', repr(e)) for e in self.expected)})"

    @staticmethod
    def _item_matches(item: Any, exc: BaseException) -> bool:
        if isinstance(item, RaisesGroup):
            return item.matches(exc)
        return isinstance(exc, item)

    def matches(self, exc: BaseException | None) -> bool:
        """True if ``exc`` is a group of exactly the expected members; else sets ``fail_reason``."""
        if exc is None:
            self.fail_reason = "exception is None"
            return False
        if not isinstance(exc, BaseExceptionGroup):
            if self.allow_unwrapped and len(self.expected) == 1 and self._item_matches(self.expected[0], exc):
                return True
            self.fail_reason = f"{type(exc).__name__}() is not an exception group"
            return False
        if self.match_expr is not None and not re.search(self.match_expr, exc.message):
            self.fail_reason = f"Regex pattern {self.match_expr!r} did not match {exc.message!r}"
            return False
        members = list(_flatten(exc) if self.flatten_subgroups else exc.exceptions)
        if not _assign(list(self.expected), members, self._item_matches):
            self.fail_reason = (f"members {members!r} do not match the expected "
                                f"{', '.join(getattr(e, '__name__', repr(e)) for e in self.expected)}")
            return False
        if self.check is not None and not self.check(exc):
            self.fail_reason = f"check {self.check!r} did not return True"
            return False
        return True

    def __enter__(self) -> ExceptionInfo[BaseExceptionGroup]:
        self.excinfo = ExceptionInfo.for_later()
        return self.excinfo

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 tb: TracebackType | None) -> bool:
        __tracebackhide__ = True
        if exc_type is None or exc_value is None:
            fail(f"DID NOT RAISE any exception, expected {self!r}")
        if not self.matches(exc_value):
            if not isinstance(exc_value, BaseExceptionGroup) and not self.allow_unwrapped:
                raise AssertionError(f"Raised exception did not match: {self.fail_reason}")
            raise AssertionError(f"Raised exception group did not match: {self.fail_reason}")
        assert self.excinfo is not None
        self.excinfo.fill_unfilled((exc_type, exc_value, tb))  # type: ignore[arg-type]
        return True


def _flatten(group: BaseExceptionGroup) -> list[BaseException]:
    result: list[BaseException] = []
    for exc in group.exceptions:
        result.extend(_flatten(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return result


def _assign(expected: list[Any], members: list[BaseException],
            matches: Callable[[Any, BaseException], bool]) -> bool:
    """Is there a one-to-one pairing of expected items and members? (small backtracking search)"""
    if len(expected) != len(members):
        return False
    if not expected:
        return True
    first, rest = expected[0], expected[1:]
    for index, member in enumerate(members):
        if matches(first, member) and _assign(rest, members[:index] + members[index + 1:], matches):
            return True
    return False
