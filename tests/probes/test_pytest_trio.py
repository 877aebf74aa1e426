"""pytest-trio, loaded from its pytest11 entry point with its own code running:
``@pytest.mark.trio`` tests, async and async-generator fixtures (returned from its
``pytest_fixture_setup`` with ``cached_result`` set by the plugin), its ``autojump_clock`` fixture,
parametrize, and ``trio_mode = true`` (every async test, the ``nursery`` fixture). The plugin swaps
``item.obj`` in a ``pytest_runtest_call`` hookwrapper.

``pytest.skip()`` / ``pytest.xfail()`` inside a trio test leave ``trio.run`` wrapped in an
exception group; the plugin turns a lone ``_pytest.outcomes.Skipped`` / ``XFailed`` leaf back into
a skip / xfail, which holds for minitest's outcomes because they derive from pytest's."""

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

OUTCOMES = '''import pytest
import trio


@pytest.mark.trio
async def test_skip():
    await trio.sleep(0)
    pytest.skip("not today")


@pytest.mark.trio
async def test_skip_in_child_task():
    async def child():
        await trio.sleep(0)
        pytest.skip("from a child")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(child)


@pytest.mark.trio
async def test_xfail():
    await trio.sleep(0)
    pytest.xfail("known bug")


@pytest.mark.trio
async def test_fail():
    await trio.sleep(0)
    pytest.fail("nope")


@pytest.mark.trio
async def test_two_skips():
    async def child():
        pytest.skip("one of two")  # no checkpoint first: both children raise

    async with trio.open_nursery() as nursery:
        nursery.start_soon(child)
        nursery.start_soon(child)
'''


def test_trio_marks(probe):  # noqa: F811 - the fixture
    mine, _ = probe({"test_trio_marked.py": MARKED}).compare()
    assert mine.outcomes() == {"passed": 5, "failed": 1}


def test_trio_mode(probe):  # noqa: F811 - the fixture
    mine, _ = probe({"test_trio_mode.py": TRIO_MODE, "pytest.ini": "[pytest]\ntrio_mode = true\n"}).compare()
    assert mine.outcomes() == {"passed": 2, "failed": 1}


def test_trio_outcomes_inside_the_test(probe):  # noqa: F811 - the fixture
    mine, _ = probe({"test_trio_outcomes.py": OUTCOMES}).compare("-rs")
    # two skipping tasks: the plugin re-raises the group, which pytest 9 reports skipped as well
    assert mine.outcomes() == {"skipped": 3, "xfailed": 1, "failed": 1}
    # the plugin re-raises a lone skip as a bare pytest.skip(): pytest's text for no reason
    assert "test_skip SKIPPED  " in mine.stdout and ": Skipped\n" in mine.stdout
    assert "test_two_skips SKIPPED (Exceptions from" in mine.stdout
