"""pytest-asyncio, loaded from its pytest11 entry point with its own code running: strict mode
(``@pytest.mark.asyncio``, ``@pytest_asyncio.fixture`` async and async-generator fixtures, loop
scopes on marks and fixtures, methods and their fixtures, parametrize, skip/xfail), auto mode from
``--asyncio-mode`` and from the ``asyncio_mode`` ini key, ``asyncio_default_fixture_loop_scope``.
The plugin replaces the items with its own ``Function`` subclass, swaps ``item.obj`` around
``runtest()`` and ``fixturedef.func`` in a ``pytest_fixture_setup`` wrapper."""

from __future__ import annotations

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

STRICT = '''import asyncio

import pytest
import pytest_asyncio


@pytest_asyncio.fixture
async def value():
    await asyncio.sleep(0)
    return 42


@pytest_asyncio.fixture
async def resource():
    events = ["setup"]
    yield events
    events.append("teardown")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def module_loop():
    return asyncio.get_running_loop()


@pytest.fixture
def sync_value():
    return 1


@pytest.mark.asyncio
async def test_await(value, sync_value):
    await asyncio.sleep(0)
    assert value + sync_value == 43


@pytest.mark.asyncio
async def test_async_generator_fixture(resource):
    assert resource == ["setup"]


@pytest.mark.asyncio
async def test_fails():
    await asyncio.sleep(0)
    assert 1 == 2


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_a(module_loop):
    assert asyncio.get_running_loop() is module_loop


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_b(module_loop):
    assert asyncio.get_running_loop() is module_loop


@pytest.mark.asyncio
@pytest.mark.parametrize("n", [1, 2])
async def test_parametrized(n):
    assert n in (1, 2)


async def test_unmarked_in_strict_mode():
    assert False


class TestClass:
    @pytest_asyncio.fixture
    async def method_fixture(self):
        return self

    @pytest.mark.asyncio
    async def test_method(self, method_fixture):
        assert method_fixture is self

    @pytest.mark.asyncio
    @pytest.mark.skip(reason="skipped async")
    async def test_skipped(self):
        pass

    @pytest.mark.asyncio
    @pytest.mark.xfail(reason="expected")
    async def test_xfail(self):
        raise ValueError
'''

AUTO = '''
import asyncio

import pytest


@pytest.fixture(scope="module")
async def shared_loop():
    return asyncio.get_running_loop()


@pytest.fixture
async def plain_async_fixture():
    await asyncio.sleep(0)
    yield "value"


async def test_unmarked_runs(plain_async_fixture):
    assert plain_async_fixture == "value"


async def test_module_scoped_fixture_loop(shared_loop):
    # asyncio_default_fixture_loop_scope = module: the fixture's loop is the module's, the
    # test's own loop is a function-scoped one
    assert shared_loop is not asyncio.get_running_loop()


async def test_fails():
    raise RuntimeError("boom")


def test_sync():
    pass
'''


def test_strict_mode(probe):  # noqa: F811 - the fixture
    mine, ref = probe({"test_strict.py": STRICT}).compare()
    assert mine.outcomes() == {"passed": 7, "failed": 2, "skipped": 1, "xfailed": 1}
    assert "asyncio: mode=Mode.STRICT, debug=False, asyncio_default_fixture_loop_scope=None, " \
           "asyncio_default_test_loop_scope=function" in mine.lines, mine.dump()
    assert "E       assert 1 == 2" in mine.lines, mine.dump()
    # unmarked in strict mode: not run by the plugin, the runner's own message
    assert any(line.startswith("async def functions are not natively supported") for line in mine.lines)


def test_auto_mode_from_the_command_line(probe):  # noqa: F811 - the fixture
    files = {"test_auto.py": AUTO,
             "pytest.ini": "[pytest]\nasyncio_default_fixture_loop_scope = module\n"}
    mine, _ = probe(files).compare("--asyncio-mode=auto")
    assert mine.outcomes() == {"passed": 3, "failed": 1}
    assert "E       RuntimeError: boom" in mine.lines, mine.dump()


def test_auto_mode_from_the_ini_file(probe):  # noqa: F811 - the fixture
    files = {"test_auto.py": AUTO,
             "pytest.ini": "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = module\n"}
    mine, _ = probe(files).compare()
    assert mine.outcomes() == {"passed": 3, "failed": 1}
    assert any("asyncio: mode=Mode.AUTO" in line for line in mine.lines), mine.dump()
