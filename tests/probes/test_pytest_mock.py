"""pytest-mock, loaded from its pytest11 entry point: its fixtures (``mocker``, the scoped
``class_mocker`` ... made by applying ``pytest.fixture`` to one function several times),
``MockerFixture`` for annotations, spies, stubs, and the "pytest introspection follows" text of
its assertion wrappers (which needs the plugin module's asserts rewritten)."""

from __future__ import annotations

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = '''
import os

import pytest
from pytest_mock import MockerFixture


def test_patch(mocker: MockerFixture):
    patched = mocker.patch("os.getcwd", return_value="/x")
    assert os.getcwd() == "/x"
    patched.assert_called_once_with()


def test_patch_object_and_undo(mocker):
    mocker.patch.object(os.path, "exists", lambda path: True)
    assert os.path.exists("/nowhere/at/all")
    mocker.stopall()
    assert not os.path.exists("/nowhere/at/all")


def test_spy(mocker):
    spy = mocker.spy(os.path, "join")
    assert os.path.join("a", "b") == os.path.join("a", "b")
    assert spy.call_count == 2
    assert spy.spy_return == os.path.join("a", "b")


def test_stub(mocker):
    stub = mocker.stub(name="callback")
    stub(1, key="v")
    stub.assert_called_once_with(1, key="v")


def test_introspection_of_a_wrong_call(mocker):
    m = mocker.Mock()
    m(1, flag=True)
    m.assert_called_with(2, flag=False)


@pytest.fixture
def patched_env(mocker):
    return mocker.patch.dict(os.environ, {"PROBE": "1"})


def test_dict_patch_through_a_fixture(patched_env):
    assert os.environ["PROBE"] == "1"


class TestScoped:
    def test_class_mocker(self, class_mocker):
        class_mocker.patch("os.sep", "#")
        assert os.sep == "#"

    def test_module_and_session_mockers(self, module_mocker, session_mocker):
        assert module_mocker is not session_mocker
'''


def test_pytest_mock(probe):  # noqa: F811 - the fixture
    mine, ref = probe({"test_mock.py": TESTS}).compare()
    assert mine.outcomes() == {"passed": 7, "failed": 1}
    # the wrapped assertion explains the arguments as under pytest
    for line in ("E       pytest introspection follows:", "E       Args:", "E       assert (1,) == (2,)",
                 "E       Kwargs:", "E       assert {'flag': True} == {'flag': False}"):
        assert line in mine.lines, mine.dump()
        assert line in ref.lines, ref.dump()
