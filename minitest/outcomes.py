"""Outcome exceptions: how a test (or minitest itself) says skip, fail, xfail or exit.

The exceptions derive from BaseException so a test's ``except Exception`` does not swallow them.
pytest's own outcome exceptions are recognised by name (see :func:`outcome_kind`), so a suite
that calls ``pytest.skip()`` under minitest is reported the same way.

The other direction: plugins written for pytest catch pytest's classes, ``from _pytest.outcomes
import Skipped`` (pytest-trio turns a lone ``Skipped`` out of a trio nursery back into a skip,
anyio unwraps ``Exit``, hypothesis re-raises ``sys.modules["_pytest.outcomes"].Skipped`` unshrunk
and treats its ``Failed`` as a failure). So when pytest is installed, each of minitest's classes
also derives from pytest's class of the same name: ``isinstance(minitest_skip, _pytest.outcomes.Skipped)``
holds, whoever raised it. Without pytest they are plain classes; nothing here needs pytest.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from minitest.pytest_names import PYTEST_OUTCOMES_MODULE, PYTEST_SKIP_AT_ITEM_KWARG, is_pytest_class

__all__ = ["OutcomeException", "Skipped", "Failed", "XFailed", "Exit", "skip", "fail", "xfail", "exit",
           "importorskip", "outcome_kind", "is_skip_exception"]


def _pytest_class(name: str, otherwise: type[BaseException]) -> type[BaseException]:
    """pytest's outcome class ``name``, or ``otherwise`` when pytest is not installed."""
    try:
        module = importlib.import_module(PYTEST_OUTCOMES_MODULE)
    except ImportError:
        return otherwise
    cls = getattr(module, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, otherwise) else otherwise


# Each class below names pytest's class of the same name as a base. Without pytest that base is
# the builtin the class derives from anyway (a redundant base, the same MRO), which is also what
# mypy sees. The ``__init__`` methods call the builtin exception's ``__init__`` directly rather
# than ``super()``, so pytest's (whose signature changes between versions) never runs; the
# attributes pytest's classes have are set here.
if TYPE_CHECKING:
    _PytestOutcomeException = BaseException
    _PytestSkipped = BaseException
    _PytestFailed = BaseException
    _PytestXFailed = BaseException
    _PytestExit = Exception
else:
    _PytestOutcomeException = _pytest_class("OutcomeException", BaseException)
    _PytestSkipped = _pytest_class("Skipped", BaseException)
    _PytestFailed = _pytest_class("Failed", BaseException)
    _PytestXFailed = _pytest_class("XFailed", BaseException)
    _PytestExit = _pytest_class("Exit", Exception)


class OutcomeException(_PytestOutcomeException):
    """Base of the outcome exceptions; ``msg`` is the reason shown to the user."""

    def __init__(self, msg: str | None = None, pytrace: bool = True) -> None:
        if msg is not None and not isinstance(msg, str):
            raise TypeError(f"{type(self).__name__} expected string as 'msg' parameter, got {type(msg).__name__!r}")
        BaseException.__init__(self, msg)
        self.msg = msg
        self.pytrace = pytrace

    def __repr__(self) -> str:
        return self.msg if self.msg is not None else f"<{type(self).__name__} instance>"

    __str__ = __repr__


class Skipped(OutcomeException, _PytestSkipped):
    """Raised by :func:`skip`: the test is reported as skipped."""

    def __init__(self, msg: str | None = None, pytrace: bool = True, allow_module_level: bool = False,
                 *, use_item_location: bool = False, **pytest_kwargs: bool) -> None:
        super().__init__(msg=msg, pytrace=pytrace)
        self.allow_module_level = allow_module_level
        #: report the item's location (a skip mark, a skip in a fixture) rather than where the
        #: exception was raised; code written for pytest passes pytest's spelling of it
        self.use_item_location = use_item_location or pytest_kwargs.pop(PYTEST_SKIP_AT_ITEM_KWARG, False)
        if pytest_kwargs:
            raise TypeError(f"Skipped() got unexpected keyword arguments: {', '.join(pytest_kwargs)}")


class Failed(OutcomeException, _PytestFailed):
    """Raised by :func:`fail`: the test fails with the given message.

    ``summary_message = False`` (a subclass may set it) leaves the message out of the ``-r`` line.
    """

    summary_message = True


class XFailed(Failed, _PytestXFailed):
    """Raised by :func:`xfail`: the test is reported as an expected failure."""


class Exit(_PytestExit):
    """Raised by :func:`exit`: stop the whole run."""

    def __init__(self, msg: str = "unknown reason", returncode: int | None = None) -> None:
        Exception.__init__(self, msg)
        self.msg = msg
        self.returncode = returncode


def skip(reason: str = "", *, allow_module_level: bool = False) -> NoReturn:
    """Skip the running test (or, with ``allow_module_level=True``, the whole module)."""
    __tracebackhide__ = True
    raise Skipped(msg=reason, allow_module_level=allow_module_level)


def fail(reason: str = "", pytrace: bool = True) -> NoReturn:
    """Fail the running test with ``reason``; ``pytrace=False`` shows only the reason."""
    __tracebackhide__ = True
    raise Failed(msg=reason, pytrace=pytrace)


def xfail(reason: str = "") -> NoReturn:
    """Mark the running test as an expected failure and stop it."""
    __tracebackhide__ = True
    raise XFailed(reason)


def exit(reason: str = "", returncode: int | None = None) -> NoReturn:  # noqa: A001 - public API name
    """Stop the whole test run."""
    __tracebackhide__ = True
    raise Exit(reason, returncode)


# pytest's spelling, used in ``except pytest.skip.Exception:`` and ``pytest.raises(pytest.fail.Exception)``:
# each outcome function carries the exception class it raises
skip.Exception = Skipped  # type: ignore[attr-defined]
fail.Exception = Failed  # type: ignore[attr-defined]
xfail.Exception = XFailed  # type: ignore[attr-defined]
exit.Exception = Exit  # type: ignore[attr-defined]


def importorskip(modname: str, minversion: str | None = None, reason: str | None = None,
                 *, exc_type: type[ImportError] | None = None) -> Any:
    """Import ``modname`` and return it, or skip the test (module) when it cannot be imported or is
    older than ``minversion``."""
    __tracebackhide__ = True
    import importlib

    compile(modname, "", "eval")  # a bad name is a SyntaxError here, as in pytest
    try:
        __import__(modname)
    except ImportError as exc:
        if reason is None:
            reason = f"could not import {modname!r}: {exc}"
        raise Skipped(reason, allow_module_level=True) from None
    mod = sys.modules[modname]
    if minversion is None:
        return mod
    verattr = getattr(mod, "__version__", None)
    if verattr is None or _version_tuple(verattr) < _version_tuple(minversion):
        raise Skipped(f"module {modname!r} has __version__ {verattr!r}, required is: {minversion!r}",
                      allow_module_level=True)
    return importlib.import_module(modname)


def _version_tuple(version: str) -> tuple[Any, ...]:
    try:
        from packaging.version import Version

        return (Version(version),)
    except Exception:
        parts: list[Any] = []
        for piece in str(version).replace("-", ".").split("."):
            parts.append((0, int(piece)) if piece.isdigit() else (1, piece))
        return tuple(parts)


def outcome_kind(exc: BaseException) -> str | None:
    """Which outcome ``exc`` stands for: "skipped", "xfailed", "failed", "exit" or None.

    Recognises minitest's exceptions and pytest's by class name, without importing pytest.
    """
    if isinstance(exc, Skipped):
        return "skipped"
    if isinstance(exc, XFailed):
        return "xfailed"
    if isinstance(exc, Failed):
        return "failed"
    if isinstance(exc, Exit):
        return "exit"
    mro = type(exc).__mro__
    # pytest presents some outcome classes as builtins (Skipped.__module__ == "builtins"): any
    # class of the hierarchy coming from pytest marks the whole hierarchy as pytest's
    if any(is_pytest_class(cls) for cls in mro):
        for cls in mro:
            name = cls.__name__
            if name == "Skipped":
                return "skipped"
            if name == "XFailed":
                return "xfailed"
            if name == "Failed":
                return "failed"
            if name == "Exit":
                return "exit"
    unittest = sys.modules.get("unittest")
    if unittest is not None and isinstance(exc, unittest.SkipTest):
        return "skipped"
    return None


def is_skip_exception(exc: BaseException) -> bool:
    """Whether ``exc`` is a ``skip()`` exception, minitest's or pytest's. Unlike
    :func:`outcome_kind`, ``unittest.SkipTest`` is not one: pytest counts only its own skips when
    it decides whether a group of exceptions skips a test."""
    unittest = sys.modules.get("unittest")
    return outcome_kind(exc) == "skipped" and not (unittest is not None and isinstance(exc, unittest.SkipTest))
