"""pytest-split: ``--splits N --group K`` from a ``.test_durations`` file with both algorithms
(the same tests selected and deselected, its "Running group" lines); ``--store-durations``."""

from __future__ import annotations

import json

import pytest
from conftest import verbose_nodeids
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "test_split.py": '''
import pytest


@pytest.mark.parametrize("i", range(6))
def test_a(i):
    pass


def test_b():
    pass


def test_c():
    pass
''',
    ".test_durations": json.dumps({"test_split.py::test_a[0]": 1.0, "test_split.py::test_a[1]": 1.0,
                                   "test_split.py::test_a[2]": 0.5, "test_split.py::test_b": 3.0,
                                   "test_split.py::test_c": 0.2}),
}


def test_split(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    for algorithm in ("duration_based_chunks", "least_duration"):
        seen = []
        for group in ("1", "2"):
            mine, ref = folder.compare("--splits=2", f"--group={group}", f"--splitting-algorithm={algorithm}")
            for result in (mine, ref):
                result.fnmatch_lines([f"[[]pytest-split[]] Running group {group}/2 (estimated duration: *)"])
            seen += [nodeid for nodeid, _ in verbose_nodeids(mine)]
        assert sorted(seen) == sorted(set(seen)) and len(seen) == 8, seen  # each test in one group


def test_store_durations(probe):  # noqa: F811 - the fixture
    """Not recorded under minitest: the plugin keeps only reports that are instances of
    ``_pytest.reports.TestReport`` (pytest's own class), so the file has no test."""
    folder = probe(TESTS)
    mine = folder.run("minitest", "--store-durations", "--durations-path=mine.json")
    ref = folder.run("pytest", "--store-durations", "--durations-path=ref.json")
    assert counts(mine) == counts(ref) == {"passed": 8}
    mine.fnmatch_lines(["[[]pytest-split[]] Stored test durations in mine.json"])
    assert json.loads((folder.root / "mine.json").read_text()) == {}
    assert len(json.loads((folder.root / "ref.json").read_text())) == 8
