"""pytest-benchmark, loaded from its pytest11 entry point: the ``benchmark`` fixture (plain and
``pedantic``), the ``benchmark`` mark's group, the tables in the terminal summary, and
``--benchmark-disable`` / ``--benchmark-skip``. It declares hooks of its own (``pytest_addhooks``,
undecorated ``pytest_benchmark_*`` specs) and reads ``getoption("dist", "no")``."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_bench.py": '''
import pytest


def work():
    return sum(range(100))


def test_bench(benchmark):
    assert benchmark(work) == 4950


@pytest.mark.benchmark(group="grouped")
def test_pedantic(benchmark):
    benchmark.pedantic(work, rounds=3, iterations=2)


@pytest.mark.parametrize("n", [1, 2])
def test_parametrized(benchmark, n):
    benchmark(lambda: n * 2)


def test_plain():
    pass
'''}


def _table_heads(result):
    return [line.strip("- ") for line in result.lines if line.startswith("---") and "benchmark" in line]


def test_tables(probe):  # noqa: F811 - the fixture
    mine, ref = probe(TESTS).compare()
    assert counts(mine) == {"passed": 5}
    assert _table_heads(mine) == _table_heads(ref) == ["benchmark: 3 tests", "benchmark 'grouped': 1 tests"]
    names = [line.split()[0] for line in mine.lines if line.startswith("test_") and "::" not in line]
    assert sorted(names) == ["test_bench", "test_parametrized[1]", "test_parametrized[2]", "test_pedantic"]
    assert "Legend:" in mine.lines, mine.dump()
    assert "disabled" not in mine.stderr, mine.dump()


def test_disable_and_skip(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, _ = folder.compare("--benchmark-disable")
    assert counts(mine) == {"passed": 5}
    assert _table_heads(mine) == [], mine.dump()
    mine, _ = folder.compare("--benchmark-skip")
    assert counts(mine) == {"passed": 1, "skipped": 4}
