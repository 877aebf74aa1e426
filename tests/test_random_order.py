"""The ``random`` builtin: ``--random`` / ``--seed N`` / ``--seed last`` / the ``random_order`` ini
key, containers kept whole, higher-scoped parameters kept together, per-test reseeding that does
not depend on the tests before, the same seed in workers, and bad input."""

from __future__ import annotations

import json
import re

import pytest
from conftest import collected_nodeids

MODULE = """
import json, os, random

class TestGroup:
    def test_m1(self): pass
    def test_m2(self): pass
    def test_m3(self): pass

def test_f1(): pass
def test_f2(): pass
def test_f3(): pass
def test_f4(): pass
"""

RECORDING = """
import json, os, random

def record(request):
    # each test leaves the first number it draws, named after itself
    name = request.node.nodeid.replace("/", "_").replace(":", "_")
    with open(os.path.join(os.environ["DRAWS_DIR"], name), "w") as f:
        json.dump(random.random(), f)
"""


def _suite(files, modules=4):
    files({f"test_mod{i}.py": MODULE for i in range(modules)})


def _header_seed(result):
    for line in result.lines:
        m = re.match(r"random order: seed (\d+) \(--seed \1 replays it\)$", line)
        if m:
            return int(m.group(1))
    return None


def test_same_seed_same_order_and_other_seeds_differ(files, run):
    _suite(files)
    first = collected_nodeids(run("--seed", "1234", "--co", "-q"))
    assert sorted(first) == sorted(collected_nodeids(run("--co", "-q", "-p", "no:random")))
    assert first == collected_nodeids(run("--seed", "1234", "--co", "-q"))
    others = {tuple(collected_nodeids(run("--seed", str(seed), "--co", "-q"))) for seed in (1, 2, 3)}
    assert len(others | {tuple(first)}) == 4


def test_containers_stay_whole(files, run):
    _suite(files)
    for seed in ("7", "8", "9"):
        ids = collected_nodeids(run("--seed", seed, "--co", "-q"))
        modules = [nodeid.split("::")[0] for nodeid in ids]
        # each module's tests are contiguous, and so are a class's
        assert len({m for m in modules}) == len([m for i, m in enumerate(modules) if i == 0 or modules[i - 1] != m])
        class_positions = [i for i, nodeid in enumerate(ids) if "::TestGroup::" in nodeid]
        for start in range(0, len(class_positions), 3):
            block = class_positions[start:start + 3]
            assert block == list(range(block[0], block[0] + 3)), ids


def test_higher_scoped_parameters_stay_together(files, run):
    files({"test_param.py": """
        import minitest

        @minitest.fixture(scope="module", params=["a", "b"])
        def backend(request):
            return request.param

        def test_one(backend): pass
        def test_two(backend): pass
        def test_three(backend): pass
        def test_plain(): pass
    """})
    for seed in ("1", "2", "3", "4"):
        ids = collected_nodeids(run("--seed", seed, "--co", "-q"))
        params = [nodeid.rsplit("[", 1)[1].rstrip("]") for nodeid in ids if "[" in nodeid]
        # all the tests of one parameter, then all of the other: the module fixture is set up twice
        assert params in (["a"] * 3 + ["b"] * 3, ["b"] * 3 + ["a"] * 3), ids


def test_each_test_draws_the_same_numbers_whatever_ran_before(files, run, tmp_path):
    files({"conftest.py": RECORDING, **{f"test_draw{i}.py": """
        import random
        from conftest import record

        def test_a(request):
            random.random()  # draws that must not change what the next test sees
            record(request)

        def test_b(request):
            record(request)
    """ for i in range(3)}})
    draws = tmp_path / "draws"

    def draw_run(*args):
        draws.mkdir(exist_ok=True)
        for old in draws.iterdir():
            old.unlink()
        result = run("--seed", "99", *args, env={"DRAWS_DIR": str(draws)})
        assert result.ret == 0, result.dump()
        return {p.name: json.loads(p.read_text()) for p in draws.iterdir()}

    everything = draw_run()
    assert len(everything) == 6 and len(set(everything.values())) == 6
    alone = draw_run("test_draw2.py::test_b")
    assert alone == {"test_draw2.py__test_b": everything["test_draw2.py__test_b"]}
    # workers run with the controller's seed: the same numbers per test
    assert draw_run("-n", "2") == everything
    assert draw_run("--seed", "100") != everything


def test_seed_last_and_the_ini_default(files, run):
    _suite(files, modules=2)
    in_file_order = collected_nodeids(run("--co", "-q"))
    result = run("--random")
    seed = _header_seed(result)
    assert seed is not None and result.ret == 0, result.dump()
    replay = run("--seed", "last")
    assert _header_seed(replay) == seed, replay.dump()
    assert collected_nodeids(run("--seed", "last", "--co", "-q")) == collected_nodeids(
        run("--seed", str(seed), "--co", "-q"))
    # the ini key makes random order the project's default; -p no:random turns it off
    files({"minitest.ini": "[minitest]\nrandom_order = true\n"})
    assert _header_seed(run()) is not None
    plain = run("-p", "no:random")
    assert _header_seed(plain) is None and plain.ret == 0, plain.dump()
    assert collected_nodeids(run("-p", "no:random", "--co", "-q")) == in_file_order


@pytest.mark.parametrize(("args", "message"), [
    (("--seed", "abc"), "*--seed: expected a whole number or 'last', got 'abc'*"),
    (("--seed", "-3"), "*--seed: expected a number >= 0, got '-3'*"),
    (("--seed", "last"), "*--seed last: no seed of an earlier random run to replay*run with --random first*"),
    (("--seed", "last", "-p", "no:cache"), "*--seed last: *the cache is off (-p no:cache)*"),
])
def test_bad_seeds(files, run, args, message):
    _suite(files, modules=1)
    result = run(*args)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([message], stream="stderr")
    assert "Traceback" not in result.output, result.dump()
