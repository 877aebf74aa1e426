"""pytest-order: ``@pytest.mark.order`` by index, ``"first"`` / ``"last"`` and ``before=``
(its ``pytest_collection_modifyitems`` reorders the items the same way under both runners)."""

from __future__ import annotations

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_order.py": '''
import pytest


def test_unordered():
    pass


@pytest.mark.order("last")
def test_last():
    pass


@pytest.mark.order(2)
def test_second():
    pass


@pytest.mark.order(1)
def test_first():
    pass


@pytest.mark.order(before="test_unordered")
def test_before_unordered():
    pass
'''}


def test_order_marks(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    ran = [line.split("::")[1].split()[0] for line in mine.lines if line.startswith("test_order.py::")]
    assert ran[:2] == ["test_first", "test_second"], mine.dump()
    assert ran[-1] == "test_last", mine.dump()
    assert ran.index("test_before_unordered") < ran.index("test_unordered"), mine.dump()
