"""anyio's pytest plugin, loaded from its pytest11 entry point with its own code running:
``@pytest.mark.anyio`` tests parametrized over the ``anyio_backend`` fixture (asyncio and trio),
async and async-generator fixtures (the plugin swaps ``fixturedef.func`` / ``argnames``), methods,
an overridden ``anyio_backend``, and marks added after collection (the plugin then clones items in
``pytest_collection_finish`` with pytest's own ``CallSpec`` / ``FuncFixtureInfo``)."""

from __future__ import annotations

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = '''import anyio
import pytest


@pytest.fixture
async def async_value():
    await anyio.sleep(0)
    return 5


@pytest.fixture
async def async_resource():
    events = ["setup"]
    yield events
    events.append("teardown")


@pytest.mark.anyio
async def test_sleep(anyio_backend_name):
    await anyio.sleep(0)
    assert anyio_backend_name in ("asyncio", "trio")


@pytest.mark.anyio
async def test_async_fixtures(async_value, async_resource):
    assert async_value == 5
    assert async_resource == ["setup"]


@pytest.mark.anyio
async def test_fails():
    await anyio.sleep(0)
    assert 0


@pytest.mark.anyio
@pytest.mark.parametrize("n", [1, 2])
async def test_parametrized(n):
    assert n


class TestInClass:
    @pytest.fixture
    async def in_class(self):
        return self

    @pytest.mark.anyio
    async def test_method(self, in_class):
        assert in_class is self


async def test_unmarked():
    pass
'''

ONE_BACKEND = '''import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


pytestmark = pytest.mark.anyio


async def test_on_asyncio_only(anyio_backend):
    import sniffio
    assert anyio_backend == "asyncio"
'''

LATE_CONFTEST = '''import pytest
def pytest_collection_modifyitems(items):
    for item in items:
        if item.name.startswith("test_late"):
            item.add_marker(pytest.mark.anyio)
'''

LATE = '''import anyio
async def test_late_marked():
    await anyio.sleep(0)
'''


def test_anyio(probe):  # noqa: F811 - the fixture
    files = {"test_anyio_probe.py": TESTS, "only_asyncio/test_one_backend.py": ONE_BACKEND,
             "late/conftest.py": LATE_CONFTEST, "late/test_late.py": LATE}
    mine, _ = probe(files).compare()
    assert mine.outcomes() == {"passed": 13, "failed": 3}
    for nodeid in ("test_anyio_probe.py::test_sleep[asyncio] PASSED", "test_anyio_probe.py::test_sleep[trio] PASSED",
                   "late/test_late.py::test_late_marked[trio] PASSED"):
        assert any(line.startswith(nodeid) for line in mine.lines), mine.dump()
