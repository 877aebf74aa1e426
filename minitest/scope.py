"""Fixture and parametrization scopes, and which node ends each.

A node class says which scope it ends with the class attribute ``fixture_scope`` (see
:class:`minitest.nodes.Node`): the session ends ``session`` fixtures, a package ``package``, a file
``module``, a test class ``class`` and an item ``function``. Plugins find "the node of a scope" by
that declaration, never by a class name, so a plugin's own node classes take part.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["SCOPES", "ScopeName", "RankedScope", "scope_rank", "check_scope"]

ScopeName = Literal["session", "package", "module", "class", "function"]

#: widest first; a fixture may only use fixtures of its own scope or wider
SCOPES: Final[tuple[ScopeName, ...]] = ("session", "package", "module", "class", "function")

_RANK: Final[dict[str, int]] = {name: rank for rank, name in enumerate(SCOPES)}


def scope_rank(scope: str) -> int:
    """0 for ``session`` ... 4 for ``function`` (wider scopes sort first)."""
    return _RANK[scope]


def check_scope(scope: object, what: str = "fixture scope") -> None:
    """Raise ValueError naming the valid scopes when ``scope`` is not one of them."""
    if scope not in _RANK:
        raise ValueError(f"{what} {scope!r} is not one of {', '.join(SCOPES)}")


class RankedScope(str):
    """A scope name that orders by width (``function`` < ``class`` < ... < ``session``), against
    another scope name or pytest's ``Scope`` enum (anything with a scope name as ``value``).

    pytest's own helpers that plugins import (``_pytest.fixtures.resolve_fixture_function``)
    compare ``fixturedef._scope >= Scope.Class`` and read ``._scope.name``; minitest's fixture
    definitions answer ``_scope`` with this, so those comparisons hold without pytest's enum.
    """

    __slots__ = ()

    @property
    def name(self) -> str:
        """pytest's enum member name (``Function``, ``Class``, ...)."""
        return self.capitalize()

    @property
    def value(self) -> str:
        return str(self)

    def _width(self, other: object) -> int | None:
        name = getattr(other, "value", other)
        return -_RANK[name] if isinstance(name, str) and name in _RANK else None

    def __lt__(self, other: object) -> bool:
        theirs = self._width(other)
        return NotImplemented if theirs is None else -_RANK[self] < theirs

    def __le__(self, other: object) -> bool:
        theirs = self._width(other)
        return NotImplemented if theirs is None else -_RANK[self] <= theirs

    def __gt__(self, other: object) -> bool:
        theirs = self._width(other)
        return NotImplemented if theirs is None else -_RANK[self] > theirs

    def __ge__(self, other: object) -> bool:
        theirs = self._width(other)
        return NotImplemented if theirs is None else -_RANK[self] >= theirs

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, getattr(other, "value", other))

    def __hash__(self) -> int:
        return str.__hash__(self)
