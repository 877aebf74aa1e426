"""``@minitest.fixture``: marks a function as a fixture definition.

The decorator only records how the fixture was declared; the ``fixtures`` builtin plugin finds
such functions in conftest.py files, test modules, classes and plugins and resolves them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from types import FunctionType
from typing import Any, TypeVar, overload

from minitest.marks import MARK_ATTRS
from minitest.pytest_names import is_pytest_fixture_definition
from minitest.scope import check_scope

__all__ = ["fixture", "FixtureMarker", "FIXTURE_ATTR", "get_fixture_marker", "yield_fixture",
           "is_fixture_definition"]

F = TypeVar("F", bound=Callable[..., object])

#: the attribute under which the decorator stores its FixtureMarker on the function
FIXTURE_ATTR = "_minitest_fixture"


@dataclasses.dataclass(frozen=True)
class FixtureMarker:
    """How a fixture was declared."""

    scope: str | Callable[..., str] = "function"
    params: tuple[object, ...] | None = None
    autouse: bool = False
    ids: tuple[object | None, ...] | Callable[[Any], object | None] | None = None
    name: str | None = None
    #: set up once for the whole run when workers are forked (see :class:`FixtureDef.per_run`)
    per_run: bool = False

    def __call__(self, function: F) -> F:
        if getattr(function, FIXTURE_ATTR, None) is not None:
            raise ValueError(f"fixture is being applied more than once to the same function {function.__name__!r}")
        if any(getattr(function, attr, None) for attr in MARK_ATTRS):
            # pytest makes this an error too: marks on fixtures have no effect
            raise ValueError(f"marks cannot be applied to fixtures (fixture {function.__name__!r})")
        if isinstance(function, FunctionType) and type(function) is FunctionType:
            # the definition is a copy of the function, as pytest's is a wrapper object: one
            # function may be declared several times (pytest-mock's ``class_mocker =
            # pytest.fixture(scope="class")(_mocker)`` beside ``mocker``), and stays a plain function
            copy = _copy_function(function)
            copy.__dict__[FIXTURE_ATTR] = self
            return copy  # type: ignore[return-value]  # the same function, as F
        try:
            setattr(function, FIXTURE_ATTR, self)
        except AttributeError:  # a bound method or builtin: wrap it
            inner = function

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return inner(*args, **kwargs)

            function = wrapper  # type: ignore[assignment]  # the wrapper stands in for the fixture function

            function.__name__ = inner.__name__
            setattr(function, FIXTURE_ATTR, self)
        return function


def _copy_function(function: FunctionType) -> FunctionType:
    """A new function object with ``function``'s code, defaults, closure, names and attributes."""
    copy = FunctionType(function.__code__, function.__globals__, function.__name__, function.__defaults__,
                        function.__closure__)
    copy.__kwdefaults__ = dict(function.__kwdefaults__) if function.__kwdefaults__ else None
    copy.__qualname__ = function.__qualname__
    copy.__module__ = function.__module__
    copy.__doc__ = function.__doc__
    copy.__annotations__ = dict(function.__annotations__)
    copy.__dict__.update(function.__dict__)
    return copy


@overload
def fixture(function: F, *, scope: str | Callable[..., str] = ..., params: Iterable[object] | None = ...,
            autouse: bool = ..., ids: Sequence[object | None] | Callable[[Any], object | None] | None = ...,
            name: str | None = ..., per_run: bool = ...) -> F: ...


@overload
def fixture(function: None = ..., *, scope: str | Callable[..., str] = ...,
            params: Iterable[object] | None = ..., autouse: bool = ...,
            ids: Sequence[object | None] | Callable[[Any], object | None] | None = ...,
            name: str | None = ..., per_run: bool = ...) -> FixtureMarker: ...


def fixture(function: Any = None, *, scope: Any = "function", params: Any = None, autouse: bool = False,
            ids: Any = None, name: str | None = None, per_run: bool = False) -> Any:
    """Declare a fixture: ``@fixture`` or ``@fixture(scope="module", params=[...], autouse=True)``.

    ``per_run=True`` (session scope only, no ``params``): with local workers (``-n``), the fixture
    is set up once for the whole run, before the workers start, and torn down after the last one
    ended; every worker gets its value. Without workers it changes nothing."""
    if isinstance(scope, str):
        check_scope(scope)
    if per_run and scope != "session":
        # a literal scope: a callable one may not say "session", and a per-worker set-up would
        # then pass for a per-run one
        raise ValueError(f"per_run=True needs scope=\"session\", not {scope!r}")
    if per_run and params is not None:
        raise ValueError("per_run=True cannot be combined with params: a fixture set up once for the whole "
                         "run has one value")
    marker = FixtureMarker(
        scope=scope,
        params=tuple(params) if params is not None else None,
        autouse=autouse,
        ids=None if ids is None else (ids if callable(ids) else tuple(ids)),
        name=name,
        per_run=bool(per_run),
    )
    if function is not None:
        return marker(function)
    return marker


def yield_fixture(*args: Any, **kwargs: Any) -> Any:
    """Deprecated alias of :func:`fixture` kept for old suites."""
    return fixture(*args, **kwargs)


def get_fixture_marker(obj: object) -> FixtureMarker | None:
    """The FixtureMarker of ``obj`` if it was declared with ``@minitest.fixture``."""
    if type(obj) is FunctionType:
        # asked of every function of every test module and class: a plain function's attributes
        # are its __dict__, and a miss through getattr costs an AttributeError
        marker = obj.__dict__.get(FIXTURE_ATTR)
        return marker if isinstance(marker, FixtureMarker) else None
    if type(obj) is type:
        # a class (every test module has some) without a metaclass: its attributes are its MRO's
        # dicts, read without the AttributeError a missing getattr raises
        for klass in obj.__mro__:
            if FIXTURE_ATTR in klass.__dict__:
                marker = klass.__dict__[FIXTURE_ATTR]
                return marker if isinstance(marker, FixtureMarker) else None
        return None
    try:
        marker = getattr(obj, FIXTURE_ATTR, None)
    except Exception:  # objects with exotic __getattr__
        return None
    return marker if isinstance(marker, FixtureMarker) else None


def is_fixture_definition(obj: object) -> bool:
    """Whether ``obj`` declares a fixture (minitest's or pytest's): such objects are never tests."""
    if get_fixture_marker(obj) is not None:
        return True
    return is_pytest_fixture_definition(obj)
