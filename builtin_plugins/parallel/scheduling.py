"""Which worker runs which items: a queue of work units handed out as workers run low.

A unit is a list of item indexes that must stay on one worker: a single item for ``load``, every
item of a module or class for ``loadscope`` (so its higher-scoped fixtures are set up once), every
item of a file for ``loadfile``, every item of one ``xdist_group`` for ``loadgroup`` (an item
without one is a unit of its own; the groups come beside the node ids, see :mod:`.loadgroup`). Workers pull: the controller asks for more whenever a worker has
at most :data:`LOW_WATER` items left, so a fast worker takes more and none sits idle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

#: refill a worker when it has this many items left (it always knows its next item, and the
#: next batch arrives while it runs the ones it has)
LOW_WATER = 2
#: the largest batch sent at once in ``load`` mode (smaller batches balance the end of the run)
MAX_BATCH = 32


def scope_key(nodeid: str, mode: str) -> str:
    """The unit an item belongs to: itself, its file, or its module/class (its parent node)."""
    if mode == "loadfile":
        return nodeid.split("::", 1)[0]
    if mode == "loadscope":
        base = nodeid.split("[", 1)[0]  # a parametrize id may contain "::"
        return base.rsplit("::", 1)[0] if "::" in base else base
    return nodeid


def make_units(nodeids: Sequence[str], mode: str, reorder: bool = False,
               groups: Sequence[str | None] | None = None) -> list[list[int]]:
    """Group the item indexes into units, in collection order; with ``reorder`` (pytest-xdist's
    ``--loadscope-reorder``, its default, which applies to every mode that groups) the largest
    units first, so no worker gets a long one at the end (units of one size keep their order)."""
    if mode == "load":
        return [[i] for i in range(len(nodeids))]
    units: dict[tuple[str, str], list[int]] = {}
    for index, nodeid in enumerate(nodeids):
        group = groups[index] if mode == "loadgroup" and groups is not None else None
        key = ("group", group) if group is not None else ("scope", scope_key(nodeid, mode))
        units.setdefault(key, []).append(index)
    grouped = list(units.values())
    if reorder:
        grouped.sort(key=len, reverse=True)
    return grouped


class Scheduler:
    """The queue of units not yet given to a worker."""

    def __init__(self, nodeids: Sequence[str], mode: str, workers: int, *, low_water: int = LOW_WATER,
                 max_batch: int = MAX_BATCH, first: Sequence[int] = (), reorder: bool = False,
                 groups: Sequence[str | None] | None = None) -> None:
        self.mode = mode
        self.workers = max(workers, 1)
        self.low_water = low_water
        self.max_batch = max_batch
        units = make_units(nodeids, mode, reorder, groups)
        if first and mode == "load":
            # the longest-known tests go out first, so no worker gets one at the very end
            chosen = set(first)
            units = [[i] for i in first] + [u for u in units if u[0] not in chosen]
        self.units: deque[list[int]] = deque(units)
        # kept up to date, not summed over the units at each take: that sum was O(tests) per
        # batch, ~150,000 steps for arrow's 1,900 tests on two workers (~10 ms of the controller's CPU)
        self._remaining = sum(len(u) for u in self.units)

    @property
    def empty(self) -> bool:
        return not self.units

    def remaining(self) -> int:
        return self._remaining

    def _pop(self) -> list[int]:
        unit = self.units.popleft()
        self._remaining -= len(unit)
        return unit

    def take(self, pending: int) -> list[int]:
        """The next indexes for a worker that has ``pending`` items left (maybe none)."""
        if pending > self.low_water or not self.units:
            return []
        # a share of what is left: big batches first (less messaging), smaller near the end
        # (balance). Modes that keep units whole also stop at the low-water mark; without the
        # share, with no durations known (the mark is high then), the first worker forked took
        # every unit (a first run, or one without the cache, of -n 2 --dist loadfile ran on one)
        size = max(LOW_WATER, min(self.remaining() // (self.workers * 4), self.max_batch))
        whole_units = self.mode != "load"
        batch: list[int] = []
        while self.units and len(batch) < size and not (whole_units and pending + len(batch) > self.low_water):
            batch.extend(self._pop())
        return batch

    def requeue(self, indexes: Iterable[int]) -> None:
        """Give back the items of a crashed worker; they run next, as one unit."""
        indexes = list(indexes)
        if not indexes:
            return
        if self.mode == "load":
            self.units.extendleft([i] for i in reversed(indexes))
        else:
            self.units.appendleft(indexes)
        self._remaining += len(indexes)

    def clear(self) -> None:
        self.units.clear()
        self._remaining = 0
