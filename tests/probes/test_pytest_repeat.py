"""pytest-repeat: ``--count`` (node ids ``test[1-2]``, parametrized ones ``test[a-1-2]``), the
``repeat`` mark, ``--repeat-scope`` reordering the repetitions."""

from __future__ import annotations

import pytest
from conftest import verbose_nodeids
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_repeat.py": '''
import pytest


def test_plain():
    pass


@pytest.mark.repeat(3)
def test_marked():
    pass


@pytest.mark.parametrize("x", [1, 2])
def test_param(x):
    assert x != 2
'''}


def test_repeat(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, _ = folder.compare()
    assert counts(mine) == {"passed": 5, "failed": 1}
    mine, ref = folder.compare("--count=2", "--repeat-scope=module")
    assert counts(mine) == {"passed": 7, "failed": 2}
    # the module scope runs every test once, then again: the same order under both runners
    assert [nodeid for nodeid, _ in verbose_nodeids(mine)] == [nodeid for nodeid, _ in verbose_nodeids(ref)]
    assert verbose_nodeids(mine)[:2] == [("test_repeat.py::test_plain[1-2]", "PASSED"),
                                         ("test_repeat.py::test_marked[1-3]", "PASSED")]
