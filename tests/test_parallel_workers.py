"""Starting one worker's gateway (builtin_plugins/parallel/workers.py) in process, on a fake execnet
group: which specs share our import path, which need the ``--rsyncdir`` copies, and what is shipped.
The real starts are tests/test_remote_workers.py and tests/test_dist.py; these pin each rule (found
by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import execnet
import pytest

from builtin_plugins.parallel import workers
from builtin_plugins.parallel.shipping import DEFAULT_IGNORES, StartRefused
from builtin_plugins.parallel.workers import rsync_roots, same_interpreter, start_gateway


class Config:
    def __init__(self, here: Path, **values: Any) -> None:
        self.invocation_params = SimpleNamespace(dir=here)
        self.values = values

    def getoption(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def test_same_interpreter(tmp_path: Path) -> None:
    assert same_interpreter(execnet.XSpec("popen")) is True
    assert same_interpreter(execnet.XSpec(f"popen//python={sys.executable}")) is True
    link = tmp_path / "py"
    link.symlink_to(sys.executable)
    assert same_interpreter(execnet.XSpec(f"popen//python={link}")) is True  # the same file, another name
    assert same_interpreter(execnet.XSpec("popen//python=no-such-python-here")) is False
    other = tmp_path / "other"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    assert same_interpreter(execnet.XSpec(f"popen//python={other}")) is False
    assert same_interpreter(execnet.XSpec("ssh=host")) is False
    assert same_interpreter(execnet.XSpec("popen//via=gw0")) is False
    assert same_interpreter(SimpleNamespace()) is False


def test_rsync_roots_only_for_workers_that_do_not_see_our_folder(tmp_path: Path) -> None:
    config = Config(tmp_path, rsyncdir=[".", "lib"])
    assert rsync_roots(config, ["popen", "popen"]) == []
    assert rsync_roots(config, ["popen", "ssh=host"]) == [tmp_path.resolve(), (tmp_path / "lib").resolve()]
    assert rsync_roots(config, [f"popen//chdir={tmp_path}"]) == [tmp_path.resolve(), (tmp_path / "lib").resolve()]
    assert rsync_roots(Config(tmp_path, rsyncdir=None), ["ssh=host"]) == []
    assert rsync_roots(Config(tmp_path), ["ssh=host"]) == []


class Group:
    def __init__(self) -> None:
        self.made: list[str] = []

    def makegateway(self, spec: str) -> str:
        self.made.append(spec)
        return f"gateway of {spec}"


def test_an_unknown_gateway_type_is_refused(tmp_path: Path) -> None:
    group = Group()
    with pytest.raises(StartRefused) as info:
        start_gateway(group, "pipe=x", "gw0", Config(tmp_path))
    assert str(info.value) == "unknown gateway type in 'pipe=x' (expected popen, ssh=..., socket=...)"
    assert group.made == []


@pytest.mark.parametrize("spec", ["popen", "ssh=host", "socket=h:1", "vagrant_ssh=default"])
def test_each_known_type_gets_its_gateway(tmp_path: Path, spec: str) -> None:
    group = Group()
    connected: list[Any] = []
    gateway, shipment = start_gateway(group, spec, "gw4", Config(tmp_path), on_gateway=connected.append)
    assert group.made == [f"{spec}//id=gw4"]
    assert gateway == connected[0] == f"gateway of {spec}//id=gw4"
    # nothing to send: the worker runs from our folder
    assert (shipment.invocation_dir, shipment.extra_sys_path, shipment.lines) == (str(tmp_path), [], [])


def test_what_is_shipped_and_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped: list[dict[str, Any]] = []

    def ship(gateway: Any, sources: list[Path], here: Path, **kwargs: Any) -> str:
        shipped.append({"gateway": gateway, "sources": sources, "here": here, **kwargs})
        return "shipment"

    monkeypatch.setattr(workers, "ship", ship)
    progress = object()
    config = Config(tmp_path, rsyncdir=[".", "../lib"], rsyncignore=["*.log"])
    # a local worker in our folder sees the files where they are: nothing sent
    assert start_gateway(Group(), "popen", "gw0", config)[1].invocation_dir == str(tmp_path)
    assert shipped == []
    assert start_gateway(Group(), "ssh=host", "gw1", config, on_progress=progress)[1] == "shipment"
    assert start_gateway(Group(), f"popen//chdir={tmp_path}/w", "gw2", config)[1] == "shipment"
    sources = [tmp_path.resolve(), (tmp_path.parent / "lib").resolve()]
    assert shipped[0] == {"gateway": "gateway of ssh=host//id=gw1", "sources": sources, "here": tmp_path,
                          "chdir": False, "ignores": [*DEFAULT_IGNORES, "*.log"], "workerid": "gw1",
                          "on_progress": progress}
    assert shipped[1]["chdir"] is True
    assert shipped[1]["ignores"] == [*DEFAULT_IGNORES, "*.log"]
    start_gateway(Group(), "ssh=host", "gw3", Config(tmp_path, rsyncdir=["."], rsyncignore=None))
    assert shipped[2]["ignores"] == list(DEFAULT_IGNORES)

