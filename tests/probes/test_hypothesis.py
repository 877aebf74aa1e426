"""hypothesis's pytest11 plugin: ``@given`` tests passing and failing (the failing case shown as
hypothesis words it), parametrized and method tests, the function-scoped-fixture health check
(it reads the item's request and fixture manager), ``pytest.skip`` inside a test,
``--hypothesis-profile``, ``--hypothesis-seed`` and ``--hypothesis-show-statistics``."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "conftest.py": '''
from hypothesis import settings

settings.register_profile("ci", max_examples=7)
''',
    "test_props.py": '''
import pytest
from hypothesis import given, strategies as st


@given(st.integers())
def test_passes(x):
    assert isinstance(x, int)


@given(st.integers(min_value=0, max_value=1000))
def test_fails(x):
    assert x < 10


@pytest.mark.parametrize("k", [1, 2])
@given(st.text())
def test_param(k, s):
    assert len(s) >= 0


class TestMethods:
    @given(st.lists(st.integers()))
    def test_sorted(self, xs):
        assert sorted(xs) == sorted(sorted(xs))


@given(x=st.integers())
def test_function_scoped_fixture(tmp_path, x):
    pass


@given(st.integers())
def test_skip(x):
    pytest.skip("not today")
''',
}


def _lines(result, prefix):
    return [line for line in result.lines if line.startswith(prefix)]


def test_given(probe):  # noqa: F811 - the fixture
    mine, ref = probe(TESTS).compare()
    assert counts(mine) == {"passed": 4, "failed": 2, "skipped": 1}
    for line in ("E       assert 10 < 10", "E           x=10,"):
        assert line in mine.lines, mine.dump()
        assert line in ref.lines, ref.dump()
    health = "uses a function-scoped fixture 'tmp_path'"
    assert any(health in line for line in mine.lines), mine.dump()
    # the failing example is saved as a patch, announced in the Hypothesis section
    assert _lines(mine, "`git apply .hypothesis/patches/") == _lines(ref, "`git apply .hypothesis/patches/")
    assert _lines(mine, "`git apply"), mine.dump()


def test_profile_seed_and_statistics(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, ref = folder.compare("--hypothesis-profile=ci", "--hypothesis-seed=3", "--hypothesis-show-statistics",
                               "-k", "passes or fails")
    assert _lines(mine, "hypothesis profile") == _lines(ref, "hypothesis profile") != [], mine.dump()
    assert "=== Hypothesis Statistics ===" in mine.stdout, mine.dump()
    assert "test_props.py::test_passes:" in mine.lines, mine.dump()
    # max_examples=7 from the ci profile
    assert _lines(mine, "    - 7 passing") == _lines(ref, "    - 7 passing") != [], mine.dump()
