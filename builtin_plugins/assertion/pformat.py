"""A pretty printer for "Full diff" output: one element per line, always.

The standard library's pprint keeps short containers on one line, which makes a line diff of two
lists say "the whole list changed". Putting each element on its own line (with a trailing comma,
nested containers indented by four spaces) makes the diff point at the elements that differ.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

__all__ = ["pformat_lines"]

_INDENT = "    "


def _sort_key(value: object) -> tuple[str, Any]:
    # sets of mixed types cannot be sorted by value; fall back to the repr for those
    return (type(value).__name__, value)


def _sorted_items(values: Any) -> list[Any]:
    try:
        return sorted(values, key=_sort_key)
    except Exception:
        return sorted(values, key=repr)


def _has_builtin_repr(value: object, base: type) -> bool:
    """True when ``value`` prints like ``base`` (subclasses with their own repr stay as they are)."""
    return type(value).__repr__ is base.__repr__


def _block(opening: str, items: list[list[str]], closing: str) -> list[str]:
    lines = [opening]
    for item in items:
        *body, last = item
        lines.extend(_INDENT + line for line in body)
        lines.append(_INDENT + last + ",")
    lines.append(closing)
    return lines


def _prefixed(prefix: str, item: list[str]) -> list[str]:
    return [prefix + item[0], *item[1:]]


def pformat_lines(value: object) -> list[str]:
    """Return the lines of ``value`` laid out one element per line."""
    try:
        return _format(value)
    except Exception:
        return repr(value).splitlines() or [""]


def _format(value: object) -> list[str]:
    if isinstance(value, dict) and value:
        items = [_prefixed(f"{key!r}: ", _format(item)) for key, item in value.items()]
        if _has_builtin_repr(value, dict):
            return _block("{", items, "}")
        if isinstance(value, collections.defaultdict):
            return _block(f"{type(value).__name__}({value.default_factory!r}, {{", items, "})")
        if isinstance(value, (collections.OrderedDict, collections.Counter)):
            return _block(f"{type(value).__name__}({{", items, "})")
    if isinstance(value, list) and value and _has_builtin_repr(value, list):
        return _block("[", [_format(item) for item in value], "]")
    if isinstance(value, tuple) and value and _has_builtin_repr(value, tuple):
        return _block("(", [_format(item) for item in value], ")")
    if isinstance(value, set) and value and _has_builtin_repr(value, set):
        return _block("{", [_format(item) for item in _sorted_items(value)], "}")
    if isinstance(value, frozenset) and value and _has_builtin_repr(value, frozenset):
        return _block("frozenset({", [_format(item) for item in _sorted_items(value)], "})")
    if isinstance(value, collections.deque) and value:
        return _block("deque([", [_format(item) for item in value], "])")
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and _dataclass_repr_is_generated(value):
        fields = [f for f in dataclasses.fields(value) if f.repr]
        items = [_prefixed(f"{f.name}=", _format(getattr(value, f.name))) for f in fields]
        return _block(f"{type(value).__name__}(", items, ")")
    return repr(value).splitlines() or [""]


def _dataclass_repr_is_generated(value: object) -> bool:
    """A dataclass with a hand-written ``__repr__`` is printed by that repr, not field by field."""
    method = type(value).__repr__
    method = getattr(method, "__wrapped__", method)  # dataclasses wrap it against recursion
    return "__create_fn__" in getattr(method, "__qualname__", "")
