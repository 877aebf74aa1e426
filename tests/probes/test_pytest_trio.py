"""pytest-trio, loaded from its pytest11 entry point with its own code running:
``@pytest.mark.trio`` tests, async and async-generator fixtures (returned from its
``pytest_fixture_setup`` with ``cached_result`` set by the plugin), its ``autojump_clock`` fixture,
parametrize, and ``trio_mode = true`` (every async test, the ``nursery`` fixture). The plugin swaps
``item.obj`` in a ``pytest_runtest_call`` hookwrapper."""

from __future__ import annotations

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

MARKED = '''import pytest
import trio


@pytest.fixture
async def trio_value():
    await trio.sleep(0)
    return 3


@pytest.fixture
async def trio_resource():
    events = ["setup"]
    yield events
    events.append("teardown")


@pytest.mark.trio
async def test_sleep():
    await trio.sleep(0)


@pytest.mark.trio
async def test_fixtures(trio_value, trio_resource):
    assert trio_value == 3
    assert trio_resource == ["setup"]


@pytest.mark.trio
async def test_fails():
    await trio.sleep(0)
    assert 1 == 0


@pytest.mark.trio
async def test_autojump(autojump_clock):
    await trio.sleep(100)


@pytest.mark.trio
@pytest.mark.parametrize("n", [1, 2])
async def test_parametrized(n):
    assert n
'''

TRIO_MODE = '''import pytest
import trio


@pytest.fixture
async def nursery_value(nursery):
    return nursery


async def test_auto(nursery_value):
    await trio.sleep(0)
    assert nursery_value is not None


async def test_auto_fails():
    raise ValueError("boom")


def test_sync():
    pass
'''


def test_trio_marks(probe):  # noqa: F811 - the fixture
    mine, _ = probe({"test_trio_marked.py": MARKED}).compare()
    assert mine.outcomes() == {"passed": 5, "failed": 1}


def test_trio_mode(probe):  # noqa: F811 - the fixture
    mine, _ = probe({"test_trio_mode.py": TRIO_MODE, "pytest.ini": "[pytest]\ntrio_mode = true\n"}).compare()
    assert mine.outcomes() == {"passed": 2, "failed": 1}
