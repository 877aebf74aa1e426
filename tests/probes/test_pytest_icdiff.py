"""pytest-icdiff: its side-by-side explanation of a failing ``==`` (``--icdiff-cols``), without
colour when the terminal has none (it asks ``config.get_terminal_writer()``)."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_diff.py": '''
def test_lists():
    assert [1, 2, 3, {"a": 1, "b": 2}] == [1, 2, 4, {"a": 1, "b": 3}]


def test_equal():
    assert [1, 2] == [1, 2]
'''}


def _explanation(result) -> list[str]:
    return [line.rstrip() for line in result.stdout.splitlines() if line.startswith("E  ")]


def test_icdiff(probe):  # noqa: F811 - the fixture
    mine, ref = probe(TESTS).compare("--icdiff-cols=80", plugins=("icdiff",))
    assert counts(mine) == {"passed": 1, "failed": 1}
    mine.fnmatch_lines(["E       AssertionError: assert equals failed"])
    # side by side: both sides of the differing line on one line
    assert any(line.count("{'a': 1, 'b': ") == 2 for line in _explanation(mine)), mine.dump()
    assert _explanation(mine) == _explanation(ref)
