"""pytest-aiohttp (on pytest-asyncio's auto mode): the ``aiohttp_client``, ``aiohttp_server``
and ``aiohttp_raw_server`` fixtures serving an application on the loopback address."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "pytest.ini": "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n",
    "test_app.py": '''
import pytest
from aiohttp import web


async def hello(request):
    return web.Response(text="Hello, world")


@pytest.fixture
def app():
    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def test_client(aiohttp_client, app):
    client = await aiohttp_client(app)
    resp = await client.get("/")
    assert resp.status == 200
    assert "Hello" in await resp.text()


async def test_server(aiohttp_server, app):
    server = await aiohttp_server(app)
    assert server.port


async def test_raw_server(aiohttp_raw_server, aiohttp_client):
    async def handler(request):
        return web.Response(text="raw")

    client = await aiohttp_client(await aiohttp_raw_server(handler))
    assert await (await client.get("/")).text() == "raw"


async def test_not_found(aiohttp_client, app):
    client = await aiohttp_client(app)
    assert (await client.get("/missing")).status == 200
''',
}


def test_aiohttp(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    assert counts(mine) == {"passed": 3, "failed": 1}
    mine.fnmatch_lines(["E       *assert 404 == 200"])
