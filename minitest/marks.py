"""Marks as data: ``minitest.mark.NAME(...)``, ``minitest.param(...)``.

Only the objects live here; what a mark means (skip, xfail, parametrize, usefixtures, ...) is
decided by the builtin plugin that reads it. Objects from pytest's own ``pytest.mark`` are
understood too (see :func:`normalize_mark`), so suites written for pytest keep their marks.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from types import FunctionType
from typing import Any

from minitest.pytest_names import PYTEST_MARK_ATTR, is_pytest_parameter_set

__all__ = ["Mark", "MarkDecorator", "MarkGenerator", "ParameterSet", "mark", "param", "get_unpacked_marks",
           "is_unmarked_function", "store_mark", "normalize_mark", "MARK_ATTRS"]

#: attribute names a module or class may use to apply marks to everything in it
MARK_ATTRS = ("minitestmark", PYTEST_MARK_ATTR)


@dataclasses.dataclass(frozen=True)
class Mark:
    """A mark applied to a test, class or module: a name with arguments."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def combined_with(self, other: Mark) -> Mark:
        return Mark(self.name, self.args + other.args, {**self.kwargs, **other.kwargs})


class MarkDecorator:
    """``minitest.mark.NAME`` or ``minitest.mark.NAME(args)``: applies its Mark when used as a decorator."""

    def __init__(self, mark: Mark) -> None:
        self.mark = mark

    @property
    def name(self) -> str:
        return self.mark.name

    @property
    def args(self) -> tuple[Any, ...]:
        return self.mark.args

    @property
    def kwargs(self) -> Mapping[str, Any]:
        return self.mark.kwargs

    def with_args(self, *args: Any, **kwargs: Any) -> MarkDecorator:
        return MarkDecorator(self.mark.combined_with(Mark(self.mark.name, args, kwargs)))

    def __repr__(self) -> str:
        return f"<MarkDecorator {self.mark!r}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # `@mark.foo` applied to a function or class marks it; any other call adds arguments.
        if len(args) == 1 and not kwargs and (inspect.isclass(args[0]) or callable(args[0])):
            func = args[0]
            if not _is_lambda(func) or inspect.isclass(func):
                store_mark(func, self.mark)
                return func
        return self.with_args(*args, **kwargs)


def _is_lambda(obj: object) -> bool:
    return getattr(obj, "__name__", None) == "<lambda>"


def is_unmarked_function(obj: object) -> bool:
    """Whether ``obj`` is a plain function that carries no mark: the common case, asked of every
    test function several times during collection. A function's attributes are its ``__dict__``
    alone, so this needs no ``getattr`` (and no AttributeError per miss)."""
    if type(obj) is not FunctionType:
        return False
    own = obj.__dict__
    return MARK_ATTRS[0] not in own and MARK_ATTRS[1] not in own


def get_unpacked_marks(obj: object, *, consider_mro: bool = True) -> list[Mark]:
    """The marks stored on ``obj`` (a function, class or module), normalised to :class:`Mark`.

    For a class, marks of its bases are included (as pytest does) unless ``consider_mro`` is false.
    """
    if is_unmarked_function(obj):
        return []
    raw: list[Any] = []
    is_class = isinstance(obj, type)  # inspect.isclass, without the call
    if is_class and consider_mro:
        for cls in reversed(obj.__mro__ if isinstance(obj, type) else ()):
            for attr in MARK_ATTRS:
                value = cls.__dict__.get(attr, [])
                raw.extend(value if isinstance(value, (list, tuple)) else [value])
    else:
        for attr in MARK_ATTRS:
            value = getattr(obj, attr, []) if not is_class else obj.__dict__.get(attr, [])
            raw.extend(value if isinstance(value, (list, tuple)) else [value])
    if not raw:
        return []
    marks: list[Mark] = []
    seen: set[int] = set()
    for item in raw:
        if id(item) in seen:
            continue
        seen.add(id(item))
        m = normalize_mark(item)
        if m is not None:
            marks.append(m)
    return marks


def normalize_mark(obj: Any) -> Mark | None:
    """Turn a minitest or pytest mark / mark decorator into a :class:`Mark` (None if it is neither)."""
    if isinstance(obj, Mark):
        return obj
    if isinstance(obj, MarkDecorator):
        return obj.mark
    inner = getattr(obj, "mark", obj)  # pytest's MarkDecorator has .mark
    name, args, kwargs = (getattr(inner, a, None) for a in ("name", "args", "kwargs"))
    if isinstance(name, str) and isinstance(args, tuple) and isinstance(kwargs, Mapping):
        return Mark(name, args, dict(kwargs))
    return None


def store_mark(obj: Any, mark: Mark) -> None:
    """Attach ``mark`` to a function or class: under ``minitestmark``, and under pytest's
    ``pytestmark`` too, where plugins written for pytest look for a function's own marks (anyio
    reads ``obj.pytestmark`` to find ``@pytest.mark.anyio``). The same Mark object is in both
    lists, which :func:`get_unpacked_marks` reads once."""
    for attr in MARK_ATTRS:
        if inspect.isclass(obj):
            own = obj.__dict__.get(attr, [])
        else:
            own = getattr(obj, attr, [])
        own = list(own) if isinstance(own, (list, tuple)) else [own]
        setattr(obj, attr, [*own, mark])


class MarkGenerator:
    """``minitest.mark``: any attribute is a MarkDecorator of that name."""

    def __getattr__(self, name: str) -> MarkDecorator:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in ("parameterize", "parametrise", "parameterise"):
            raise AttributeError(f"Unknown mark {name!r}: did you mean 'parametrize'?")
        return MarkDecorator(Mark(name))


mark = MarkGenerator()


@dataclasses.dataclass(frozen=True)
class ParameterSet:
    """One set of arguments of a parametrized test, with its own marks and id."""

    values: tuple[Any, ...]
    marks: Collection[Mark]
    id: str | None

    @classmethod
    def param(cls, *values: Any, marks: Any = (), id: str | None = None) -> ParameterSet:
        if isinstance(marks, (MarkDecorator, Mark)) or normalize_mark(marks) is not None and not isinstance(
            marks, (list, tuple)
        ):
            marks = (marks,)
        normalized = []
        for m in marks:
            nm = normalize_mark(m)
            if nm is None:
                raise TypeError(f"expected a mark in marks=, got {m!r}")
            normalized.append(nm)
        if id is not None and not isinstance(id, str):
            raise TypeError(f"Expected id to be a string, got {type(id)}: {id!r}")
        return cls(tuple(values), tuple(normalized), id)

    @classmethod
    def extract_from(cls, value: Any, force_tuple: bool) -> ParameterSet:
        """Wrap one entry of parametrize's argvalues (a plain value, tuple, or param())."""
        if isinstance(value, ParameterSet):
            return value
        if is_pytest_parameter_set(value):
            # pytest.param(...) from a suite written for pytest
            return cls.param(*value.values, marks=value.marks, id=value.id)
        if force_tuple:
            return cls((value,), (), None)
        return cls(tuple(value), (), None)


def param(*values: Any, marks: Any = (), id: str | None = None) -> ParameterSet:
    """``minitest.param(*values, marks=..., id=...)`` for one entry of ``parametrize``."""
    return ParameterSet.param(*values, marks=marks, id=id)


def iter_mark_list(marks: Iterable[Any]) -> Iterator[Mark]:
    for m in marks:
        nm = normalize_mark(m)
        if nm is not None:
            yield nm


def parse_argnames(argnames: str | Sequence[str]) -> tuple[list[str], bool]:
    """Split parametrize's argnames; the flag says whether each value is a single argument."""
    if isinstance(argnames, str):
        names = [n.strip() for n in argnames.split(",") if n.strip()]
        return names, len(names) == 1
    return list(argnames), False


ParamIdFn = Callable[[Any], "str | None"]


def mark_condition_namespace(item: Any) -> dict[str, Any]:
    """The globals a mark's string condition is evaluated with (``skipif("sys.platform == 'win32'")``,
    ``flaky(condition=...)``): ``os``, ``sys``, ``platform``, ``config``, what
    ``minitest_markeval_namespace`` implementations add, then the test module's globals."""
    import platform  # only for string conditions: ~2 ms at start-up otherwise

    from minitest.outcomes import Failed

    namespace: dict[str, Any] = {"os": os, "sys": sys, "platform": platform, "config": item.config}
    # the first registered plugin's names first: a nearer conftest.py overrides them
    for extra in reversed(item.ihook.minitest_markeval_namespace(config=item.config)):
        if not isinstance(extra, Mapping):
            # the plugin's mistake, said without minitest's own frames
            raise Failed(f"minitest_markeval_namespace() needs to return a dict, got {extra!r}", pytrace=False)
        namespace.update(extra)
    obj = getattr(item, "obj", None)
    module_globals = getattr(obj, "__globals__", None)
    if isinstance(module_globals, dict):
        namespace.update(module_globals)
    return namespace
