"""Fixture and parametrization scopes, and which node ends each.

A node class says which scope it ends with the class attribute ``fixture_scope`` (see
:class:`minitest.nodes.Node`): the session ends ``session`` fixtures, a package ``package``, a file
``module``, a test class ``class`` and an item ``function``. Plugins find "the node of a scope" by
that declaration, never by a class name, so a plugin's own node classes take part.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = ["SCOPES", "ScopeName", "scope_rank", "check_scope"]

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
