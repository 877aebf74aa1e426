"""``--rsyncdir`` (builtin_plugins/parallel/shipping.py) in process, on real local execnet gateways: what
is sent and left out, where the copy goes, the folder the worker runs from, the line per worker, and
the copies refused because they would land on their own source. The end-to-end runs are
tests/test_remote_workers.py and tests/test_dist.py; these pin each rule (found by mutation testing,
tests/MUTATION.md)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import execnet
import pytest

from builtin_plugins.parallel import shipping
from builtin_plugins.parallel.shipping import (
    DEFAULT_IGNORES,
    FilteredRSync,
    StartRefused,
    _size,
    _summary,
    identity,
    machine_identity,
    ship,
)


@pytest.fixture
def group() -> Iterator[execnet.Group]:
    group = execnet.Group()
    yield group
    group.terminate(timeout=10)


def make_project(root: Path) -> Path:
    for name, text in {"test_a.py": "def test_a(): pass\n", "sub/test_b.py": "x = 1\n",
                       "sub/data.txt": "0123456789", "build/out.log": "log", ".env": "SECRET=1",
                       "__pycache__/m.pyc": "", "old.pyc": "", "notes.txt~": "old"}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_the_default_ignores() -> None:
    assert DEFAULT_IGNORES == (".*", "*.pyc", "*.pyo", "*~", "__pycache__")


def test_machine_identity_is_the_host_and_its_boot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    read: list[str] = []

    def read_text(path: Path) -> str:
        read.append(str(path))
        if str(path) == "/proc/sys/kernel/random/boot_id":
            raise OSError("no /proc")
        return "machine-1\n"

    monkeypatch.setattr(shipping.Path, "read_text", read_text)
    monkeypatch.setattr(shipping.socket, "gethostname", lambda: "box")
    assert machine_identity() == "box machine-1"
    assert read == ["/proc/sys/kernel/random/boot_id", "/etc/machine-id"]

    def nothing(path: Path) -> str:
        raise OSError("none")

    monkeypatch.setattr(shipping.Path, "read_text", nothing)
    assert machine_identity() == "box"


def test_identity_is_device_and_inode(tmp_path: Path) -> None:
    st = os.stat(tmp_path)
    assert identity(tmp_path) == (st.st_dev, st.st_ino)


def test_the_copy_goes_into_chdir_without_the_ignored_names(group: execnet.Group, tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    remote = tmp_path / "remote"
    remote.mkdir()
    gateway = group.makegateway(f"popen//chdir={remote}")
    progress: list[int] = []
    shipment = ship(gateway, [project], project / "sub", chdir=True, ignores=[*DEFAULT_IGNORES, "build"],
                    workerid="gw0", on_progress=lambda: progress.append(1))
    dest = f"{remote}/proj"
    assert files_under(remote / "proj") == {"test_a.py", "sub/test_b.py", "sub/data.txt"}
    assert len(progress) == 3
    assert shipment.extra_sys_path == [dest]
    assert shipment.path_map == [(dest, str(project))]
    assert shipment.invocation_dir == f"{dest}/sub"  # where we are, in the copy
    assert shipment.lines == [f"[gw0] --rsyncdir {project} -> {dest}: 3 files sent (35 bytes); "
                              "left out: .*, *.pyc, *~, __pycache__, build"]
    # the second time, nothing changed: nothing to send, run from the copy of our folder itself
    again = ship(gateway, [project], project, chdir=True, ignores=[*DEFAULT_IGNORES, "build"], workerid="gw1",
                 on_progress=lambda: None)
    assert again.invocation_dir == dest
    assert again.lines == [f"[gw1] --rsyncdir {project} -> {dest}: up to date; left out: .*, *.pyc, *~, "
                           "__pycache__, build"]


def test_without_chdir_the_copy_goes_to_pyexecnetcache(group: execnet.Group, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    one, two = tmp_path / "one", tmp_path / "two"
    (one / "x.py").parent.mkdir()
    (one / "x.py").write_text("")
    (two / "y.py").parent.mkdir()
    (two / "y.py").write_text("y")
    gateway = group.makegateway("popen")
    here = tmp_path / "elsewhere"
    shipment = ship(gateway, [one, two], here, chdir=False, ignores=(), workerid="gw0", on_progress=lambda: None)
    base = os.path.realpath(home / "pyexecnetcache")
    assert files_under(home / "pyexecnetcache") == {"one/x.py", "two/y.py"}
    assert shipment.extra_sys_path == [f"{base}/one", f"{base}/two"]
    assert shipment.invocation_dir == base  # our folder was not sent: the worker runs from the copies' base
    assert shipment.lines == [f"[gw0] --rsyncdir {one} -> {base}/one: 1 file sent (0 bytes)",
                              f"[gw0] --rsyncdir {two} -> {base}/two: 1 file sent (1 bytes)"]


def test_a_copy_onto_its_own_source_is_not_made(group: execnet.Group, tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    gateway = group.makegateway(f"popen//chdir={tmp_path}")
    shipment = ship(gateway, [project], project, chdir=True, ignores=DEFAULT_IGNORES, workerid="gw0",
                    on_progress=lambda: None)
    assert shipment.lines == [f"[gw0] --rsyncdir {project}: the worker's {tmp_path}/proj is this folder: "
                              "nothing to send"]
    assert shipment.extra_sys_path == [f"{tmp_path}/proj"]
    assert shipment.path_map == []
    assert shipment.invocation_dir == str(project)  # it runs the project where it is
    assert (project / ".env").exists() and (project / "build/out.log").exists()  # nothing deleted


def test_after_a_folder_that_needs_no_copy_the_next_is_sent(group: execnet.Group, tmp_path: Path) -> None:
    project = make_project(tmp_path / "a" / "proj")
    lib = tmp_path / "b" / "lib"
    lib.mkdir(parents=True)
    (lib / "helper.py").write_text("")
    gateway = group.makegateway(f"popen//chdir={tmp_path / 'a'}")
    shipment = ship(gateway, [project, lib], project, chdir=True, ignores=DEFAULT_IGNORES, workerid="gw0",
                    on_progress=lambda: None)
    assert shipment.extra_sys_path == [str(project), f"{tmp_path}/a/lib"]
    # our folder is the one it sees in place: it runs from there, not from the copies' base
    assert shipment.invocation_dir == str(project)
    assert shipment.path_map == [(f"{tmp_path}/a/lib", str(lib))]
    assert files_under(tmp_path / "a" / "lib") == {"helper.py"}
    assert len(shipment.lines) == 2 and shipment.lines[1].endswith(": 1 file sent (0 bytes)")


def test_a_copy_inside_its_own_source_is_refused(group: execnet.Group, tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    gateway = group.makegateway(f"popen//chdir={project / 'sub'}")
    with pytest.raises(StartRefused) as info:
        ship(gateway, [project], project, chdir=True, ignores=DEFAULT_IGNORES, workerid="gw0",
             on_progress=lambda: None)
    assert str(info.value) == (f"--rsyncdir {project}: the worker's copy {project}/sub/proj would be inside the "
                               "folder it copies (choose a chdir= outside it)")
    assert not (project / "sub/proj").exists()


def test_a_source_that_is_no_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file.py").write_text("")
    with pytest.raises(StartRefused, match=rf"^--rsyncdir {tmp_path}/file.py is not a directory$"):
        ship(None, [tmp_path, tmp_path / "file.py"], tmp_path, chdir=True, ignores=(), workerid="gw0",
             on_progress=lambda: None)


def test_filter_matches_names_and_relative_paths(tmp_path: Path) -> None:
    rsync = FilteredRSync(tmp_path, ["*.log", "docs/build", "secret.txt"], on_file=lambda: None)
    assert rsync.filter(str(tmp_path / "a" / "run.log")) is False
    assert rsync.filter(str(tmp_path / "docs" / "build")) is False
    assert rsync.filter(str(tmp_path / "build")) is True
    assert rsync.filter(str(tmp_path / "docs" / "index.md")) is True
    assert rsync.left_out == {"*.log", "docs/build"}


def test_sent_files_are_counted_with_their_size(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("12345")
    calls: list[int] = []
    rsync = FilteredRSync(tmp_path, [], on_file=lambda: calls.append(1))
    rsync._report_send_file(None, "a.py")
    rsync._report_send_file(None, "gone.py")  # removed meanwhile: counted, no size
    assert (rsync.sent_files, rsync.sent_bytes, len(calls)) == (2, 5, 2)


def summary(sent_files: int, sent_bytes: int, left_out: set[str], ignores: tuple[str, ...] = ()) -> str:
    rsync: Any = type("R", (), {"sent_files": sent_files, "sent_bytes": sent_bytes, "left_out": left_out,
                                "ignores": ignores})()
    return _summary("gw2", Path("/p"), "/d/p", rsync)


def test_summary_lines() -> None:
    assert summary(0, 0, set()) == "[gw2] --rsyncdir /p -> /d/p: up to date"
    assert summary(1, 10, set()) == "[gw2] --rsyncdir /p -> /d/p: 1 file sent (10 bytes)"
    assert summary(2, 2500, {"b", "a"}, ("a", "c", "b")) == (
        "[gw2] --rsyncdir /p -> /d/p: 2 files sent (2.5 kB); left out: a, b")


def test_sizes() -> None:
    assert [_size(n) for n in (0, 999, 1000, 999_949, 999_999, 1_000_000, 1_049_999, 1_050_000)] == [
        "0 bytes", "999 bytes", "1.0 kB", "999.9 kB", "1000.0 kB", "1.0 MB", "1.0 MB", "1.1 MB"]

