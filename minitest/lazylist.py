"""An attribute that is a list, kept as an empty tuple until first asked for.

Objects a large run keeps one of per test (items, reports) mostly never get marks, user
properties or report sections; an empty list each adds up. Readers that only iterate read the
backing slot itself and never make the list.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ListOnFirstUse"]


class ListOnFirstUse:
    """A list attribute backed by ``slot``, which holds ``()`` until the list is first asked for
    (``getattr`` with a default also covers a subclass whose ``__init__`` never set the slot)."""

    def __init__(self, slot: str) -> None:
        self.slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = getattr(obj, self.slot, ())
        if type(value) is tuple:
            value = []
            setattr(obj, self.slot, value)
        return value

    def __set__(self, obj: object, value: list[Any]) -> None:
        setattr(obj, self.slot, value)
