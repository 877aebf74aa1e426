"""The bootstrap a new execnet worker runs first (builtin_plugins/parallel/remote.py), in process on a
fake channel: the import path and folder it sets up before the worker's code is imported. The real
workers are tests/test_dist.py and tests/test_remote_workers.py; these pin the order of the import
path (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from builtin_plugins.parallel import remote, worker


class Channel:
    def __init__(self, init: dict[str, Any]) -> None:
        self.init = init

    def receive(self) -> dict[str, Any]:
        return self.init


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[tuple[Any, Any, list[str], Path]]:
    """The calls of run_worker, with the import path and folder it saw; sys.path and the folder are
    given back afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", ["/own/a", "/own/b"])
    calls: list[tuple[Any, Any, list[str], Path]] = []
    monkeypatch.setattr(worker, "run_worker",
                        lambda channel, init: calls.append((channel, init, list(sys.path), Path.cwd())))
    return calls


def test_the_controllers_path_then_the_copies_first(started: list[Any], tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    init = {"sys_path": ["/ctl/a", "/ctl/b"], "extra_sys_path": ["/copy/one", "/copy/two"],
            "invocation_dir": str(work)}
    channel = Channel(init)
    remote.bootstrap(channel)
    assert started == [(channel, init, ["/copy/one", "/copy/two", "/ctl/a", "/ctl/b"], work)]


def test_another_python_keeps_its_own_path(started: list[Any], tmp_path: Path) -> None:
    remote.bootstrap(Channel({"sys_path": None, "extra_sys_path": ["/copy"], "invocation_dir": str(tmp_path)}))
    remote.bootstrap(Channel({"invocation_dir": str(tmp_path)}))  # an older controller's message
    assert [call[2] for call in started] == [["/copy", "/own/a", "/own/b"], ["/copy", "/own/a", "/own/b"]]
