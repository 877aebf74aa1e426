"""pytest-httpx: the ``httpx_mock`` fixture answering requests, and its teardown check that fails
a test whose registered response was never requested."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_http.py": '''
import httpx
import pytest


def test_json(httpx_mock):
    httpx_mock.add_response(url="https://example.org/items", json={"items": [1, 2]})
    assert httpx.get("https://example.org/items").json() == {"items": [1, 2]}


def test_unrequested_response(httpx_mock):
    httpx_mock.add_response(url="https://example.org/never")


@pytest.mark.httpx_mock(assert_all_responses_were_requested=False)
def test_unrequested_allowed_by_mark(httpx_mock):
    httpx_mock.add_response(url="https://example.org/never")
'''}


def test_httpx_mock(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    assert counts(mine) == {"passed": 3, "errors": 1}
