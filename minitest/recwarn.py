"""Recording and asserting warnings: ``WarningsRecorder`` (the ``recwarn`` fixture), ``warns``,
``deprecated_call``.

    with warns(UserWarning, match="must be positive"):
        check(-1)
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from minitest.outcomes import fail

__all__ = ["WarningsRecorder", "WarningsChecker", "warns", "deprecated_call"]

WarningType = type[Warning] | tuple[type[Warning], ...]


class WarningsRecorder(warnings.catch_warnings):
    """Records every warning issued inside it (all filters set to "always")."""

    def __init__(self, *, _ispytest: bool = False) -> None:
        super().__init__(record=True)
        self._entered = False
        self._list: list[warnings.WarningMessage] = []

    @property
    def list(self) -> list[warnings.WarningMessage]:
        """The recorded warnings."""
        return self._list

    def __getitem__(self, index: int) -> warnings.WarningMessage:
        return self._list[index]

    def __iter__(self) -> Iterator[warnings.WarningMessage]:
        return iter(self._list)

    def __len__(self) -> int:
        return len(self._list)

    def pop(self, cls: type[Warning] = Warning) -> warnings.WarningMessage:
        """Remove and return the first warning of class ``cls`` (an exact match is preferred over a
        subclass); AssertionError if there is none."""
        __tracebackhide__ = True
        best: int | None = None
        for index, record in enumerate(self._list):
            if record.category is cls:
                return self._list.pop(index)
            if issubclass(record.category, cls) and (
                best is None or not issubclass(record.category, self._list[best].category)
            ):
                best = index
        if best is not None:
            return self._list.pop(best)
        raise AssertionError(f"{cls!r} not found in warning list")

    def clear(self) -> None:
        """Forget the warnings recorded so far."""
        self._list[:] = []

    def __enter__(self) -> WarningsRecorder:  # type: ignore[override]
        if self._entered:
            raise RuntimeError(f"Cannot enter {self!r} twice")
        recorded = super().__enter__()
        assert recorded is not None
        self._list = recorded
        self._entered = True
        warnings.simplefilter("always")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self._entered:
            raise RuntimeError(f"Cannot exit {self!r} without entering first")
        super().__exit__(exc_type, exc_value, tb)
        self._entered = False


def _as_warning_tuple(expected: Any) -> tuple[type[Warning], ...]:
    items = expected if isinstance(expected, tuple) else (expected,)
    for item in items:
        if not (isinstance(item, type) and issubclass(item, Warning)):
            raise TypeError(f"exceptions must be derived from Warning, not {type(item)}")
    return items


class WarningsChecker(WarningsRecorder):
    """``warns(...)``: fails unless a matching warning was issued; other warnings are re-issued."""

    def __init__(self, expected_warning: WarningType = Warning,
                 match_expr: str | re.Pattern[str] | None = None) -> None:
        super().__init__()
        self.expected_warning = _as_warning_tuple(expected_warning)
        self.match_expr = match_expr

    def matches(self, record: warnings.WarningMessage) -> bool:
        """Whether ``record`` is of the expected class and matches the regex."""
        return issubclass(record.category, self.expected_warning) and bool(
            self.match_expr is None or re.search(self.match_expr, str(record.message))
        )

    def __exit__(self, exc_type: type[BaseException] | None, exc_value: BaseException | None,
                 tb: TracebackType | None) -> None:
        super().__exit__(exc_type, exc_value, tb)
        __tracebackhide__ = True
        if exc_type is not None:
            return  # the block's own exception is what the user needs to see

        def emitted() -> str:
            from pprint import pformat  # only for the failure message

            return pformat([record.message for record in self], indent=2)

        try:
            if not any(issubclass(record.category, self.expected_warning) for record in self):
                fail(f"DID NOT WARN. No warnings of type {self.expected_warning} were emitted.\n"
                     f" Emitted warnings: {emitted()}.")
            elif not any(self.matches(record) for record in self):
                # pytest 9.2's words, and its hint when the pattern is a warning's very text
                hint = ""
                if isinstance(self.match_expr, str) and any(
                        self.match_expr == str(record.message) for record in self
                        if issubclass(record.category, self.expected_warning)):
                    hint = "\n Did you mean to `re.escape()` the regex?"
                fail(f"Regex pattern did not match any of the {len(self)} warnings emitted.\n"
                     f" Regex: {self.match_expr!r}\n Emitted warnings: {emitted()}.{hint}")
        finally:
            # warnings the test did not ask about must still reach the outer filters and reports
            for record in self:
                if not self.matches(record):
                    warnings.warn_explicit(message=record.message, category=record.category,
                                           filename=record.filename, lineno=record.lineno,
                                           source=record.source)


def warns(expected_warning: WarningType = Warning, *args: Any, match: str | re.Pattern[str] | None = None,
          **kwargs: Any) -> Any:
    """Assert that code issues a warning of class ``expected_warning`` (matching ``match``).

    Context manager form returns the recorder; ``warns(Warn, func, *args, **kwargs)`` calls ``func``
    and returns its result.
    """
    __tracebackhide__ = True
    if not args:
        if kwargs:
            raise TypeError(f"Unexpected keyword arguments passed to warns: {', '.join(sorted(kwargs))}\n"
                            "Use context-manager form instead?")
        return WarningsChecker(expected_warning, match_expr=match)
    func: Callable[..., Any] = args[0]
    if not callable(func):
        raise TypeError(f"{func!r} object (type: {type(func)}) must be callable")
    with WarningsChecker(expected_warning, match_expr=match):
        return func(*args[1:], **kwargs)


def deprecated_call(func: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
    """Assert that code issues a DeprecationWarning, PendingDeprecationWarning or FutureWarning."""
    __tracebackhide__ = True
    if func is not None:
        args = (func, *args)
    return warns((DeprecationWarning, PendingDeprecationWarning, FutureWarning), *args, **kwargs)
