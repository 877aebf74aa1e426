"""``--bisect NODEID``: a planted polluter among 200 tests found in ~log2 rounds, the reproduce
command that fails, a failure that needs two tests together, a random order replayed with its
seed, the user's cache left as it was, and the cases with nothing to bisect."""

from __future__ import annotations

import math
import re
import shlex

import pytest
from conftest import collected_nodeids

VICTIM = "tests/test_zz_victim.py::test_victim"


def _suite(files, polluters=((3, 7),), needs_all=False):
    """10 modules of 20 tests; the victim fails when the polluters ran before it (any of them, or
    all of them with ``needs_all``)."""
    spec = {"tests/state.py": "polluted = set()\n"}
    for m in range(10):
        body = ["from state import polluted\n"]
        for t in range(20):
            action = f"polluted.add(({m}, {t}))" if (m, t) in polluters else "pass"
            body.append(f"def test_{t}():\n    {action}\n")
        spec[f"tests/test_m{m:02d}.py"] = "".join(body)
    check = f"assert not polluted >= {set(polluters)!r}" if needs_all else "assert not polluted"
    spec["tests/test_zz_victim.py"] = f"from state import polluted\ndef test_victim():\n    {check}\n"
    files(spec)


def _rounds(result):
    m = re.search(r"found in (\d+) rounds", result.stdout)
    assert m, result.dump()
    return int(m.group(1))


def _reproduce(result, run):
    line = next(line for line in result.lines if line.startswith("reproduce with: "))
    argv = shlex.split(line[len("reproduce with: "):])
    assert argv[0] == "minitest"
    return run(*argv[1:])


def test_finds_the_polluter_among_200_tests(files, run):
    _suite(files)
    assert run("tests").ret == 1
    result = run("--bisect", VICTIM, "tests")
    assert result.ret == 1, result.dump()
    # the search is deterministic: every round, exactly (halving the 200 down to the polluter,
    # tests/test_m03.py::test_7, the 68th, then the single tests left), well under 2 log2(200)
    result.fnmatch_lines([
        f"bisect: {VICTIM}, 200 tests before it (collection order)",
        "round 1: alone: passes",
        "round 2: after 200 tests: fails",
        "round 3: after 100 tests: fails",
        "round 4: after 50 tests: passes",
        "round 5: after 25 tests: fails",
        "round 6: after 12 tests: passes",
        "round 7: after 6 tests: fails",
        "round 8: after 3 tests: passes",
        "round 9: after 1 test: passes",
        "round 10: after 1 test: passes",
        "round 11: after 1 test: fails",
        f"{VICTIM} fails after 1 test of the 200 before it (found in 11 rounds):",
        "  tests/test_m03.py::test_7",
        "reproduce with: minitest tests/test_m03.py::test_7 tests/test_zz_victim.py::test_victim",
    ], consecutive=True)
    assert _rounds(result) == 11 <= 2 * math.log2(200), result.dump()
    again = _reproduce(result, run)
    assert (again.ret, again.outcomes()) == (1, {"failed": 1, "passed": 1}), again.dump()


def test_a_failure_needing_two_tests(files, run):
    _suite(files, polluters=((1, 2), (8, 15)), needs_all=True)
    result = run("--bisect", VICTIM, "tests")
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([f"{VICTIM} fails after 2 tests of the 200 before it (found in * rounds):",
                          "  tests/test_m01.py::test_2", "  tests/test_m08.py::test_15"])
    assert _reproduce(result, run).ret == 1


def test_random_order_replayed_with_its_seed_and_the_cache_kept(files, run, tmp_path):
    _suite(files, polluters=((3, 7),))
    # a seed whose order puts the polluter before the victim
    seed = next(str(s) for s in range(1, 50)
                if (ids := collected_nodeids(run("--seed", str(s), "--co", "-q", "tests")))
                and ids.index("tests/test_m03.py::test_7") < ids.index(VICTIM))
    failing = run("--seed", seed, "tests")
    assert failing.ret == 1, failing.dump()
    cache = tmp_path / ".minitest_cache"
    before = {p.relative_to(cache): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    # no --seed: the last random run's seed
    result = run("--bisect", VICTIM, "--random", "tests")
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([f"bisect: {VICTIM}, * tests before it (seed {seed})", "  tests/test_m03.py::test_7",
                          f"reproduce with: minitest --random --seed {seed} --no-shuffle tests/test_m03.py::test_7 {VICTIM}"])
    assert _reproduce(result, run).ret == 1
    after = {p.relative_to(cache): p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    assert after == before  # the rounds kept their cache elsewhere


def test_a_victim_failing_alone_is_not_order_dependent(files, run):
    files({"test_alone.py": "def test_before(): pass\ndef test_victim(): assert False\n"})
    result = run("--bisect", "test_alone.py::test_victim")
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["round 1: alone: fails",
                          "not order-dependent: test_alone.py::test_victim fails when run alone (1 round)"])


@pytest.mark.parametrize(("target", "message"), [
    ("test_ok.py::test_missing", "*--bisect: test_ok.py::test_missing is not among the 2 tests collected*"),
    ("test_ok.py::test_b", "*--bisect: test_ok.py::test_b passes after the 1 test before it*nothing to bisect*"),
])
def test_nothing_to_bisect(files, run, target, message):
    files({"test_ok.py": "def test_a(): pass\ndef test_b(): pass\n"})
    result = run("--bisect", target)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([message], stream="stderr")
    assert "Traceback" not in result.output
