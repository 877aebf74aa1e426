"""The ``shard`` builtin: ``--shard K/N``, ``--store-durations``, ``--durations-path``.

Each run goes through the real ``minitest`` console script on a folder in tmp_path.
"""

from __future__ import annotations

import json
from collections import Counter

from conftest import verbose_nodeids

SUITE = {
    "test_plain.py": """
        import minitest

        @minitest.mark.parametrize("n", range(7))
        def test_param(n): pass
        def test_fails(): assert 0
        def test_skips(): minitest.skip("later")
    """,
    "test_module_fixture.py": """
        import minitest

        @minitest.fixture(scope="module")
        def shared(): return 1

        def test_one(shared): pass
        def test_two(shared): pass
        def test_three(shared): pass
    """,
    "sub/test_class.py": """
        import minitest

        class TestBox:
            @minitest.fixture(scope="class")
            def box(self): return []

            def test_in(self, box): pass
            def test_out(self, box): pass

        def test_alone(): pass
        def test_again(): pass
    """,
}


def _ran(result) -> dict[str, str]:
    return dict(verbose_nodeids(result))


def _shards(script, *args: str) -> list[dict[str, str]]:
    shards = []
    for k in (1, 2, 3):
        result = script("-v", "-W", "ignore::DeprecationWarning", "--shard", f"{k}/3", *args)
        ran = _ran(result)
        # the exit code of the shard's own tests: 1 for the shard holding test_fails, else 0
        assert result.ret == (1 if "FAILED" in ran.values() else 0), result.dump()
        shards.append(ran)
    return shards


def _check_union(full: dict[str, str], shards: list[dict[str, str]]) -> None:
    seen = Counter(nodeid for shard in shards for nodeid in shard)
    assert not [n for n, c in seen.items() if c > 1], f"tests in two shards: {seen}"
    union = {nodeid: word for shard in shards for nodeid, word in shard.items()}
    assert union == full, (union, full)
    assert all(shards), f"an empty shard: {shards}"


def test_shards_add_up_to_the_whole_run_without_durations(files, script, tmp_path):
    files(SUITE)
    full = script("-v", "-W", "ignore::DeprecationWarning")
    assert full.ret == 1, full.dump()
    expected = _ran(full)
    assert len(expected) == 16, full.dump()
    shards = _shards(script)
    _check_union(expected, shards)
    # nothing known: 16 tests in 12 units of (nearly) equal weight, so 4 to 6 tests a shard
    assert sorted(len(s) for s in shards) in ([5, 5, 6], [4, 6, 6], [5, 5, 6]), shards
    # a module-scoped fixture keeps its module's tests on one shard, a class-scoped one its class
    for group in (("test_module_fixture.py::test_one", "test_module_fixture.py::test_two",
                   "test_module_fixture.py::test_three"),
                  ("sub/test_class.py::TestBox::test_in", "sub/test_class.py::TestBox::test_out")):
        holders = [i for i, shard in enumerate(shards) if any(n in shard for n in group)]
        assert len(holders) == 1 and all(n in shards[holders[0]] for n in group), (group, shards)
    # the header says how the split was made; the others are deselected
    one = script("--shard", "2/3", "-W", "ignore::DeprecationWarning")
    one.fnmatch_lines(["shard: 2/3 (tests split by a hash of the node ids (no .test_durations*"])
    assert one.outcomes().get("deselected") == 16 - len(shards[1]), one.dump()
    # the same split with workers, and whatever order the tests run in
    parallel = script("-v", "-n", "2", "--shard", "2/3", "-W", "ignore::DeprecationWarning")
    assert _ran(parallel) == shards[1], parallel.dump()
    shuffled = script("-v", "--random", "--seed", "7", "--shard", "2/3", "-W", "ignore::DeprecationWarning")
    assert _ran(shuffled) == shards[1], shuffled.dump()


def test_shards_are_balanced_by_recorded_durations(files, script, tmp_path):
    files(SUITE)
    full = _ran(script("-v", "-W", "ignore::DeprecationWarning"))
    # planted durations: three slow tests, the rest fast; the module's tests weigh 0.9 together
    durations = {nodeid: 0.1 for nodeid in full}
    durations["test_plain.py::test_param[0]"] = 6.0
    durations["test_plain.py::test_param[1]"] = 6.0
    durations["sub/test_class.py::test_alone"] = 6.0
    for name in ("one", "two", "three"):
        durations[f"test_module_fixture.py::test_{name}"] = 0.3
    (tmp_path / ".test_durations").write_text(json.dumps(durations))
    shards = _shards(script)
    _check_union(full, shards)
    loads = [sum(durations[n] for n in shard) for shard in shards]
    slow = ["test_plain.py::test_param[0]", "test_plain.py::test_param[1]", "sub/test_class.py::test_alone"]
    assert sorted(i for i, shard in enumerate(shards) for n in slow if n in shard) == [0, 1, 2], shards
    assert max(loads) - min(loads) <= 0.5, (loads, shards)
    script("--shard", "1/3").fnmatch_lines(["shard: 1/3 (tests split by recorded durations from .test_durations)"])
    # a durations file elsewhere (relative to the invocation directory)
    (tmp_path / "ci").mkdir()
    (tmp_path / ".test_durations").rename(tmp_path / "ci" / "durations.json")
    moved = [_ran(script("-v", "-W", "ignore::DeprecationWarning", "--shard", f"{k}/3",
                         "--durations-path", "ci/durations.json")) for k in (1, 2, 3)]
    assert moved == shards


def test_store_durations_writes_pytest_splits_format(files, script, tmp_path):
    files({"test_a.py": """
        import time
        def test_slow(): time.sleep(0.2)
        def test_fast(): pass
    """})
    (tmp_path / ".test_durations").write_text(json.dumps({"test_gone.py::test_kept": 3.5}))
    result = script("--store-durations", "-n", "2")
    assert result.ret == 0, result.dump()
    stored = json.loads((tmp_path / ".test_durations").read_text())
    # merged with what the file held; every test of the run, setup + call + teardown
    assert set(stored) == {"test_gone.py::test_kept", "test_a.py::test_slow", "test_a.py::test_fast"}, stored
    assert stored["test_gone.py::test_kept"] == 3.5
    assert stored["test_a.py::test_slow"] >= 0.2 > stored["test_a.py::test_fast"], stored
    # pytest-split's older list-of-pairs format is read too
    (tmp_path / ".test_durations").write_text(json.dumps([["test_a.py::test_slow", 1.0]]))
    assert script("--shard", "1/2").ret == 0


def test_bad_shard_input_is_a_usage_error(files, script, tmp_path):
    files({"test_a.py": "def test_a(): pass\n"})
    for value, message in (("0/3", "K must be between 1 and N"), ("4/3", "K must be between 1 and N"),
                           ("x", "expected K/N"), ("1/0", "K must be between 1 and N")):
        result = script("--shard", value)
        assert result.ret == 4, result.dump()
        assert "ERROR: --shard" in result.stderr and message in result.stderr, result.dump()
    (tmp_path / ".test_durations").write_text("{not json")
    broken = script("--shard", "1/2")
    assert broken.ret == 4, broken.dump()
    assert ".test_durations: not JSON" in broken.stderr, broken.dump()
