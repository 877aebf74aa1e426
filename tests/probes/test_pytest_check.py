"""pytest-check: soft checks (``check.equal``, ``with check:``, ``@check.check_func``) failing
a test after it ran to its end, a check failing inside an ``xfail`` test, a check followed by a
hard failure; the plugin's failure text and its short-summary message."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_checks.py": '''
import pytest
from pytest_check import check


def test_all_good():
    check.equal(1, 1)
    check.is_true(True)


def test_soft_failures():
    check.equal(1, 2, "one is not two")
    check.greater(1, 5)
    with check:
        assert 3 == 4
    print("still running")


@check.check_func
def is_four(a):
    assert a == 4


def test_check_func():
    is_four(4)
    is_four(5)


@pytest.mark.xfail
def test_xfail_check():
    check.equal(1, 2)


def test_then_hard():
    check.equal(1, 2)
    assert 0, "hard"
'''}


def test_check(probe):  # noqa: F811 - the fixture
    mine, ref = probe(TESTS).compare("-rfx")
    assert counts(mine) == {"passed": 1, "failed": 3, "xfailed": 1}
    for result in (mine, ref):
        result.fnmatch_lines(["FAILURE: check 1 == 2: one is not two", "FAILURE: check 1 > 5",
                              "FAILURE: assert 3 == 4", "*", "Failed Checks: 3", "*Captured stdout call*",
                              "still running"])
        result.fnmatch_lines(["FAILED test_checks.py::test_soft_failures - check 1 == 2: one is not two",
                              "FAILED test_checks.py::test_check_func - assert 5 == 4",
                              "FAILED test_checks.py::test_then_hard - check 1 == 2"])
        result.fnmatch_lines(["Failed Checks: 1", "-----*", "def test_then_hard():"])
