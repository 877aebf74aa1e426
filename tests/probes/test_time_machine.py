"""time-machine: the ``time_machine`` fixture moving the clock, and its ``time_machine`` mark."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_clock.py": '''
import datetime
import time

import pytest


def test_fixture(time_machine):
    time_machine.move_to(datetime.datetime(2020, 1, 2, tzinfo=datetime.timezone.utc))
    assert datetime.date.today() == datetime.date(2020, 1, 2)


@pytest.mark.time_machine(datetime.datetime(1999, 12, 31, 23, 0, tzinfo=datetime.timezone.utc), tick=False)
def test_mark():
    assert time.gmtime().tm_year == 1999


def test_real_clock_again():
    assert datetime.date.today().year > 2020
'''}


def test_time_machine(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    assert counts(mine) == {"passed": 3}
