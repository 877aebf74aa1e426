"""requests-mock's pytest plugin: the ``requests_mock`` fixture (matching, call counts, an
unregistered URL refused, a failing assertion on a mocked response)."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_http.py": '''
import pytest
import requests
import requests_mock as rm


def test_get(requests_mock):
    requests_mock.get("http://example.test/a", json={"x": 1})
    assert requests.get("http://example.test/a").json() == {"x": 1}
    assert requests_mock.called
    assert requests_mock.call_count == 1


def test_unregistered(requests_mock):
    with pytest.raises(rm.exceptions.NoMockAddress):
        requests.get("http://example.test/none")


def test_fails(requests_mock):
    requests_mock.post("http://example.test/p", status_code=500)
    assert requests.post("http://example.test/p").status_code == 200
'''}


def test_requests_mock(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    assert counts(mine) == {"passed": 2, "failed": 1}
    mine.fnmatch_lines(["E       *assert 500 == 200*"])
