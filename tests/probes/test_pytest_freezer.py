"""pytest-freezer: the ``freezer`` fixture (``move_to``, ``tick``) and the ``freeze_time`` mark,
alone and with the fixture."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_frozen.py": '''
import datetime

import pytest


def test_freezer(freezer):
    freezer.move_to("2020-01-01")
    assert datetime.date.today() == datetime.date(2020, 1, 1)
    freezer.tick(datetime.timedelta(days=1))
    assert datetime.date.today() == datetime.date(2020, 1, 2)


@pytest.mark.freeze_time("2017-05-21")
def test_mark():
    assert datetime.date.today() == datetime.date(2017, 5, 21)


@pytest.mark.freeze_time("2017-05-21")
def test_mark_with_fixture(freezer):
    freezer.move_to("2018-01-01")
    assert datetime.date.today() == datetime.date(2018, 1, 1)


def test_real_clock_again():
    assert datetime.date.today().year > 2024
'''}


def test_freezer(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    assert counts(mine) == {"passed": 4}
