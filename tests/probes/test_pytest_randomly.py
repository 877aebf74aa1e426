"""pytest-randomly, loaded from its pytest11 entry point: the order it shuffles to from a given
seed (the same under both runners, since it reorders by node ids), the header line, its reseeding
of ``random`` before each test, ``-p no:randomly`` and ``-p randomly`` with autoload off."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "test_one.py": '''
import random


def test_a():
    pass


def test_b():
    pass


def test_c():
    pass


class TestGroup:
    def test_d(self):
        pass

    def test_e(self):
        pass


def test_reseeded():
    # reseeded from the seed and the node id: the same value under both runners
    print("VALUE", random.random())
    assert 0
''',
    "test_two.py": '''
def test_f():
    pass


def test_g():
    pass
''',
}


def _value(result):  # the printed random value of test_reseeded
    return next(line for line in result.lines if line.startswith("VALUE"))


def test_seeded_order_header_and_reseeding(probe):  # noqa: F811 - the fixture
    mine, ref = probe(TESTS).compare("--randomly-seed=1234", randomly=True)
    assert counts(mine) == {"passed": 7, "failed": 1}
    assert "Using --randomly-seed=1234" in mine.lines, mine.dump()
    assert _value(mine) == _value(ref)


def test_another_seed_another_order(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    first, _ = folder.compare("--randomly-seed=1", randomly=True)
    second, _ = folder.compare("--randomly-seed=2", randomly=True)
    assert first.lines != second.lines


def test_blocked_and_loaded_by_name(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, _ = folder.compare()  # -p no:randomly: file order
    assert not any(line.startswith("Using --randomly-seed") for line in mine.lines), mine.dump()
    mine, ref = folder.compare("-p", "randomly", "--randomly-seed=7", randomly=True,
                               env={"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert "Using --randomly-seed=7" in mine.lines, mine.dump()
