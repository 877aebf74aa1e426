"""How the tests are split into shards: pure functions of the selected node ids, their groups and
the recorded durations, so every machine computes the same split from the same checkout.

* Tests are grouped into **units** first: the tests of a module that use a module-scoped fixture
  stay together (and those of a class using a class-scoped one), so the fixture is set up once,
  on one machine. A unit worth more than a shard's fair share is split back into single tests:
  balance matters more than one more fixture set-up.
* Each unit weighs the sum of its tests' recorded durations; a test without one weighs the mean
  of the known durations (1 second when none is known: the split then balances test counts).
* Units are placed heaviest first, each on the shard that has the least so far (the "longest
  processing time first" rule, within 4/3 of the best possible split). Ties are broken by a hash
  of the unit's key (never by the order of collection, which plugins such as ``--random`` change
  per machine), which spreads the files over the shards when nothing is known: a hash split.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["DurationsError", "read_durations", "split", "stable_hash"]


class DurationsError(Exception):
    """The durations file cannot be read (the message names it)."""


def read_durations(path: Path) -> dict[str, float]:
    """``{nodeid: seconds}`` from a durations file (pytest-split's ``.test_durations``); an absent
    file is no durations. pytest-split's older list-of-pairs format is read too."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise DurationsError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise DurationsError(f"{path}: not JSON: {exc}") from None
    pairs = data.items() if isinstance(data, dict) else data
    durations: dict[str, float] = {}
    try:
        for nodeid, seconds in pairs:
            durations[str(nodeid)] = float(seconds)
    except (TypeError, ValueError):
        raise DurationsError(f"{path}: expected a JSON object {{\"node id\": seconds, ...}}") from None
    return durations


def stable_hash(text: str) -> int:
    """The same number on every machine and Python (``hash()`` of a str is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def split(nodeids: Sequence[str], groups: Sequence[str], durations: Mapping[str, float],
          count: int) -> list[list[int]]:
    """The indexes of ``nodeids`` in each of ``count`` shards (each list in collection order).

    ``groups[i]`` is the unit key of test ``i`` (tests with the same key stay together when that
    is cheap; a test alone has its own node id as key).
    """
    known = [durations[n] for n in nodeids if n in durations]
    default = sum(known) / len(known) if known else 1.0
    weight = [max(durations.get(n, default), 0.0) for n in nodeids]
    units: dict[str, list[int]] = {}
    for index, key in enumerate(groups):
        units.setdefault(key, []).append(index)
    share = sum(weight) / count
    pieces: list[tuple[str, list[int]]] = []
    for key, members in units.items():
        if len(members) > 1 and sum(weight[i] for i in members) > share:
            pieces.extend((nodeids[i], [i]) for i in members)  # too big to keep whole
        else:
            pieces.append((key, members))
    # heaviest first; equal weights in hash order of the key (never the collection order)
    pieces.sort(key=lambda piece: (-sum(weight[i] for i in piece[1]), stable_hash(piece[0]), piece[0]))
    loads = [0.0] * count
    sizes = [0] * count
    shards: list[list[int]] = [[] for _ in range(count)]
    for _, members in pieces:
        # the least loaded shard; on equal loads the one with fewer tests, then the first
        target = min(range(count), key=lambda s: (loads[s], sizes[s], s))
        shards[target].extend(members)
        loads[target] += sum(weight[i] for i in members)
        sizes[target] += len(members)
    return [sorted(members) for members in shards]
