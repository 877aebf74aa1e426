"""A typed store plugins use to keep their own state on config, nodes and reports.

    KEY = StashKey[list[str]]()
    config.stash[KEY] = []

Each plugin creates its own keys, so two plugins never clash on an attribute name.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
D = TypeVar("D")

__all__ = ["Stash", "StashKey"]


class StashKey(Generic[T]):
    """A key of a :class:`Stash`; compared by identity."""

    __slots__ = ()


class Stash:
    """A mapping from :class:`StashKey` to values of the key's type."""

    # Every item of a run has a stash and keeps it until the end, with the same few keys (set by
    # the same plugins in the same order). So the keys are an interned tuple shared by all the
    # stashes holding those keys, and each stash has only a tuple of values (replaced when one is
    # set: a few times per test, for a few entries): ~150 bytes per test less than a dict each. A
    # stash holds a handful of keys, so tuple.index (identity comparison in C) finds one as fast as
    # hashing would.
    __slots__ = ("_keys", "_values")

    def __init__(self) -> None:
        self._keys: tuple[StashKey[Any], ...] = ()
        self._values: tuple[object, ...] = ()

    def __setitem__(self, key: StashKey[T], value: T) -> None:
        keys = self._keys
        if key in keys:
            index = keys.index(key)
            values = self._values
            self._values = (*values[:index], value, *values[index + 1:])
        else:
            self._keys = _shared_keys(keys, key)
            self._values = (*self._values, value)

    def __getitem__(self, key: StashKey[T]) -> T:
        keys = self._keys
        if key in keys:
            return cast(T, self._values[keys.index(key)])
        raise KeyError(key)

    def get(self, key: StashKey[T], default: D) -> T | D:
        keys = self._keys
        if key in keys:
            return cast(T, self._values[keys.index(key)])
        return default

    def setdefault(self, key: StashKey[T], default: T) -> T:
        keys = self._keys
        if key in keys:
            return cast(T, self._values[keys.index(key)])
        self._keys = _shared_keys(keys, key)
        self._values = (*self._values, default)
        return default

    def __delitem__(self, key: StashKey[T]) -> None:
        keys = self._keys
        if key not in keys:
            raise KeyError(key)
        index = keys.index(key)
        self._values = self._values[:index] + self._values[index + 1:]
        self._keys = _interned(keys[:index] + keys[index + 1:])

    def __contains__(self, key: StashKey[T]) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._keys)


#: the key tuples in use, and which tuple adding a key to one of them gives
_KEY_TUPLES: dict[tuple[StashKey[Any], ...], tuple[StashKey[Any], ...]] = {(): ()}
_ADDED: dict[tuple[tuple[StashKey[Any], ...], StashKey[Any]], tuple[StashKey[Any], ...]] = {}
#: past this many distinct key tuples (keys made per node, say), new ones are no longer shared
_MAX_SHARED = 4096


def _shared_keys(keys: tuple[StashKey[Any], ...], key: StashKey[Any]) -> tuple[StashKey[Any], ...]:
    """``keys + (key,)``, the same tuple object for every stash that gets these keys."""
    try:
        return _ADDED[keys, key]
    except KeyError:
        pass
    result = _interned(keys + (key,))
    if len(_ADDED) < _MAX_SHARED:
        _ADDED[keys, key] = result
    return result


def _interned(keys: tuple[StashKey[Any], ...]) -> tuple[StashKey[Any], ...]:
    shared = _KEY_TUPLES.get(keys)
    if shared is not None:
        return shared
    if len(_KEY_TUPLES) < _MAX_SHARED:
        _KEY_TUPLES[keys] = keys
    return keys
