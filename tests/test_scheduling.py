"""The parallel controller's work queue (builtin_plugins/parallel/scheduling.py), unit by unit: which
items form a unit per --dist mode, how big a batch a worker gets, and where a crashed worker's items
go. The end-to-end runs (tests/test_dist.py, test_dist_fork.py) see only the outcomes; these pin the
numbers (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

from builtin_plugins.parallel.scheduling import LOW_WATER, MAX_BATCH, Scheduler, make_units, scope_key

IDS = [
    "a.py::test_1",
    "a.py::TestC::test_2",
    "a.py::TestC::test_3[x::y]",
    "b.py::test_4[p]",
    "b.py::test_4[q]",
    "c.py",
]


def test_the_defaults() -> None:
    assert (LOW_WATER, MAX_BATCH) == (2, 32)


def test_scope_key_per_mode() -> None:
    assert [scope_key(n, "loadfile") for n in IDS] == ["a.py", "a.py", "a.py", "b.py", "b.py", "c.py"]
    # a parametrize id may contain "::": it is cut off before looking for the parent
    assert [scope_key(n, "loadscope") for n in IDS] == ["a.py", "a.py::TestC", "a.py::TestC", "b.py", "b.py", "c.py"]
    assert [scope_key(n, "load") for n in IDS] == IDS


def test_make_units_per_mode() -> None:
    assert make_units(IDS, "load") == [[0], [1], [2], [3], [4], [5]]
    assert make_units(IDS, "loadfile") == [[0, 1, 2], [3, 4], [5]]
    assert make_units(IDS, "loadscope") == [[0], [1, 2], [3, 4], [5]]
    assert make_units([], "loadfile") == []


def test_load_batches_shrink_towards_the_end() -> None:
    ids = [f"t.py::test_{i}" for i in range(100)]
    sched = Scheduler(ids, "load", workers=2)
    assert sched.workers == 2 and sched.low_water == 2 and sched.max_batch == 32
    # 100 // (2 * 4) = 12 items; then 88 // 8 = 11; ...
    first = sched.take(0)
    assert first == list(range(12))
    assert sched.remaining() == 88
    assert sched.take(2) == list(range(12, 23))  # at the low-water mark: still refilled
    assert sched.take(3) == []  # above it: nothing
    sizes = []
    while not sched.empty:
        sizes.append(len(sched.take(0)))
    # remaining // 8 each time (77 // 8 = 9, 68 // 8 = 8...), never under LOW_WATER, the last one short
    assert sizes == [9, 8, 7, 6, 5, 5, 4, 4, 3, 3] + [2] * 11 + [1]
    assert sched.take(0) == []


def test_load_batches_are_capped() -> None:
    ids = [f"t.py::test_{i}" for i in range(1000)]
    assert len(Scheduler(ids, "load", workers=1).take(0)) == 32
    assert len(Scheduler(ids, "load", workers=1, max_batch=5).take(0)) == 5


def test_zero_workers_count_as_one() -> None:
    ids = [f"t.py::test_{i}" for i in range(40)]
    sched = Scheduler(ids, "load", workers=0)
    assert sched.workers == 1
    assert sched.take(0) == list(range(10))  # 40 // (1 * 4)


def test_scoped_modes_fill_up_to_the_low_water_mark_by_whole_units() -> None:
    sched = Scheduler(IDS, "loadscope", workers=2)
    assert sched.take(0) == [0, 1, 2]  # [0] then [1, 2]: 3 items, past the mark only by a whole unit
    assert sched.take(2) == [3, 4]
    assert sched.take(1) == [5]
    assert sched.empty and sched.take(0) == []
    sched = Scheduler(IDS, "loadfile", workers=2)
    assert sched.take(2) == [0, 1, 2]  # one whole file even at the mark
    assert sched.take(3) == []


def test_longest_known_tests_go_out_first_in_load_mode() -> None:
    ids = [f"t.py::test_{i}" for i in range(6)]
    sched = Scheduler(ids, "load", workers=1, first=[4, 2])
    assert list(sched.units) == [[4], [2], [0], [1], [3], [5]]
    # only in load mode: scoped modes keep their units
    assert list(Scheduler(IDS, "loadfile", workers=1, first=[5]).units) == [[0, 1, 2], [3, 4], [5]]


def test_requeue_puts_a_crashed_workers_items_next() -> None:
    ids = [f"t.py::test_{i}" for i in range(6)]
    sched = Scheduler(ids, "load", workers=1)
    sched.units.clear()
    sched.units.extend([[4], [5]])
    sched.requeue([1, 2])
    assert list(sched.units) == [[1], [2], [4], [5]]
    sched.requeue([])
    assert list(sched.units) == [[1], [2], [4], [5]]
    scoped = Scheduler(IDS, "loadfile", workers=1)
    scoped.requeue(iter([7, 8]))
    assert list(scoped.units) == [[7, 8], [0, 1, 2], [3, 4], [5]]
    scoped.requeue([])
    assert list(scoped.units)[0] == [7, 8]
    scoped.clear()
    assert scoped.empty and scoped.remaining() == 0


def test_scoped_modes_take_a_share_when_the_low_water_mark_is_high() -> None:
    # no durations known: the mark is in the hundreds; a worker still takes a share of what is
    # left, not every unit (the first worker forked used to run the whole suite)
    ids = [f"{name}.py::test_{i}" for name in "abcd" for i in range(3)]
    sched = Scheduler(ids, "loadfile", workers=2, low_water=300)
    assert sched.take(0) == [0, 1, 2]  # a share: 12 // (2 * 4) = 1, at least two: one whole file
    assert sched.take(0) == [3, 4, 5]
    assert sched.take(3) == [6, 7, 8]
    singles = Scheduler([f"t.py::test_{i}" for i in range(40)], "loadgroup", workers=2, low_water=300)
    assert singles.take(0) == [0, 1, 2, 3, 4]  # 40 // 8
    assert singles.take(0) == [5, 6, 7, 8]  # 35 // 8, whole items (not 4.375)
    # and the low-water mark still counts what the worker has: one left, a mark of two, one more
    marked = Scheduler([f"t.py::test_{i}" for i in range(40)], "loadgroup", workers=1)
    assert marked.take(1) == [0, 1] and marked.take(0) == [2, 3, 4]


def test_largest_groups_first_when_reordered() -> None:
    # pytest-xdist's --loadscope-reorder (its default): every mode that groups; one size keeps its order
    assert make_units(IDS, "loadscope", reorder=True) == [[1, 2], [3, 4], [0], [5]]
    assert make_units(IDS, "loadfile", reorder=True) == [[0, 1, 2], [3, 4], [5]]
    assert make_units(IDS, "load", reorder=True) == [[0], [1], [2], [3], [4], [5]]
    assert list(Scheduler(IDS, "loadscope", workers=1, reorder=True).units) == [[1, 2], [3, 4], [0], [5]]


def test_loadgroup_units_are_the_groups_and_the_tests_without_one() -> None:
    groups = ["db", None, "db", None, "x", "x"]
    assert make_units(IDS, "loadgroup", groups=groups) == [[0, 2], [1], [3], [4, 5]]
    assert make_units(IDS, "loadgroup", reorder=True, groups=groups) == [[0, 2], [4, 5], [1], [3]]
    # a group named like a node id is still a group of its own
    assert make_units(["a.py::t", "b.py::u"], "loadgroup", groups=["b.py::u", None]) == [[0], [1]]
    assert make_units(IDS, "loadgroup") == [[0], [1], [2], [3], [4], [5]]  # no groups: alone each
    assert make_units(IDS, "loadfile", groups=groups) == [[0, 1, 2], [3, 4], [5]]  # groups: loadgroup only
