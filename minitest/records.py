"""Small records made at start-up without ``dataclasses``.

``@dataclass(frozen=True)`` writes each class's ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` as source text and ``exec``s it when the class
is created: 0.3 to 1.1 ms of CPU per class (dataclasses' class processing timed on a --lf run of
bench/selection.py's suite, loaded machine), paid by every run that imports the module, whether or
not an instance is ever made. A :class:`FrozenRecord` subclass declares its fields as ``__slots__`` (in order) and writes a plain
``__init__`` that stores them with :func:`object.__setattr__`; the rest is shared here and behaves
as the frozen dataclass's did: equal when the class and the fields are, hashable, a repr of the
fields (``Name(a=1, b='x')``), ``dataclasses.FrozenInstanceError`` on assignment or deletion,
pickled and copied by its fields, ``__match_args__`` for positional patterns.

:class:`Record` is the same for a plain (not frozen) dataclass: its fields are listed in
``__match_args__`` (what a dataclass sets too), instances keep a ``__dict__``, compare equal by
their fields and are unhashable, as a dataclass with ``eq=True`` is.

Only for records no plugin is expected to hand to ``dataclasses`` functions (``fields``,
``replace``, ``asdict``): the public types plugins written for pytest treat as dataclasses
(``Mark``, ``InvocationParams``, ...) stay dataclasses.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

__all__ = ["FrozenRecord", "Record"]


class FrozenRecord:
    """Base of an immutable record whose fields are its ``__slots__``, in order."""

    __slots__: tuple[str, ...] = ()
    __match_args__: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # positional patterns (``case ShardSpec(k, n)``), as a dataclass has them; setattr: mypy
        # rejects assigning ``__match_args__`` outside a class body
        setattr(cls, "__match_args__", cls.__slots__)  # noqa: B010

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), self._values()


class Record:
    """Base of a mutable record whose fields are named, in order, by ``__match_args__``."""

    __match_args__: tuple[str, ...] = ()

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__qualname__}({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            names = self.__match_args__
            return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as a dataclass
