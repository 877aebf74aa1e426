"""pytest-localserver: the ``httpserver`` and ``httpsserver`` fixtures (content, status code,
headers, the requests it saw), a failing test showing the server's log."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_server.py": '''
import requests


def test_http(httpserver):
    httpserver.serve_content("hello", code=201, headers={"X-Probe": "1"})
    resp = requests.get(httpserver.url)
    assert (resp.status_code, resp.text, resp.headers["X-Probe"]) == (201, "hello", "1")
    assert httpserver.requests[0].method == "GET"


def test_https(httpsserver):
    httpsserver.serve_content("secure")
    assert requests.get(httpsserver.url, verify=False).text == "secure"


def test_not_found(httpserver):
    httpserver.serve_content("nope", code=404)
    assert requests.get(httpserver.url).status_code == 200
'''}


def test_localserver(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare("-W", "ignore::urllib3.exceptions.InsecureRequestWarning")
    assert counts(mine) == {"passed": 2, "failed": 1}
    mine.fnmatch_lines(["*Captured log call*", "*GET / HTTP/1.1* 404 -"])
