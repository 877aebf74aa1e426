"""pytest-socket: ``--disable-socket`` makes opening a socket raise ``SocketBlockedError``, the
``enable_socket`` mark and ``socket_enabled`` fixture let a test open one again."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_net.py": '''
import socket

import pytest


def test_blocked():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM)


@pytest.mark.enable_socket
def test_enabled_by_mark():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def test_enabled_by_fixture(socket_enabled):
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
'''}


def test_disable_socket(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, ref = folder.compare("--disable-socket")
    assert counts(mine) == {"failed": 1, "passed": 2}
    blocked = [line for line in mine.lines if line.startswith("E ") and "SocketBlockedError" in line]
    assert blocked and blocked == [line for line in ref.lines if line.startswith("E ") and "SocketBlockedError" in line]
    mine, _ = folder.compare()
    assert counts(mine) == {"passed": 3}
