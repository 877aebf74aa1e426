"""``--rsyncdir``: sending the project's sources to a worker, and mapping the copy's paths back.

Only sources travel: names matching :data:`DEFAULT_IGNORES` (``.git``, ``.env``, the cache,
bytecode, editor backups) and ``--rsyncignore`` stay here, as pytest-xdist leaves them. One line
per worker says what was sent. A copy that would land on its own source (``--tx
popen//chdir=<parent of the project> --rsyncdir=.``: the same folder seen from the worker) is not
made, since the copy's ``delete`` would remove the ignored files from the project itself; the
worker then runs the project where it is.
"""

from __future__ import annotations

import fnmatch
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import execnet

#: left out of every copy (pytest-xdist's defaults, plus ``__pycache__`` folders)
DEFAULT_IGNORES = (".*", "*.pyc", "*.pyo", "*~", "__pycache__")

#: runs on the worker: where ``base`` is (made if missing), and the identity of each folder on the
#: way from the root to each destination, to tell whether a destination is its source
_PLACE = """
import os, socket
base, dests = channel.receive()
base = os.path.realpath(os.path.expanduser(base))
os.makedirs(base, exist_ok=True)

def chain(path):
    found = []
    path = os.path.join(base, path)
    while True:
        try:
            st = os.stat(path)
            found.append((st.st_dev, st.st_ino))
        except OSError:
            pass
        parent = os.path.dirname(path)
        if parent == path:
            return found
        path = parent

def machine():
    for name in ("/proc/sys/kernel/random/boot_id", "/etc/machine-id"):
        try:
            with open(name) as f:
                return socket.gethostname() + " " + f.read().strip()
        except OSError:
            pass
    return socket.gethostname()

channel.send((base, machine(), [chain(d) for d in dests]))
"""


class StartRefused(ValueError):
    """A worker start that must not go on: the message says why (no retry or diagnosis helps)."""


def machine_identity() -> str:
    """What :data:`_PLACE` says of the machine it runs on (equal here and there: the same machine)."""
    for name in ("/proc/sys/kernel/random/boot_id", "/etc/machine-id"):
        try:
            return socket.gethostname() + " " + Path(name).read_text().strip()
        except OSError:
            pass
    return socket.gethostname()


def identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


class Shipment:
    """What ``--rsyncdir`` did for one worker: the import path entries and folder to run from, a
    line for the terminal per directory, and the copy's paths that stand for local ones."""

    def __init__(self, invocation_dir: str) -> None:
        self.invocation_dir = invocation_dir
        self.extra_sys_path: list[str] = []
        self.lines: list[str] = []
        #: (path on the worker, local path) per directory copied
        self.path_map: list[tuple[str, str]] = []


class FilteredRSync(execnet.RSync):
    """execnet's RSync without the ignored names, counting instead of printing a line per file."""

    def __init__(self, source: Path, ignores: Sequence[str], on_file: Callable[[], None]) -> None:
        self.sent_files = 0
        self.sent_bytes = 0
        self.left_out: set[str] = set()
        self.ignores = tuple(ignores)
        self._root = str(source)
        self._on_file = on_file
        # no progress callback: execnet's fails (KeyError) when nothing changed since the last copy
        super().__init__(str(source), verbose=False)

    def filter(self, path: str) -> bool:
        name = os.path.basename(path)
        relative = os.path.relpath(path, self._root).replace(os.sep, "/")
        for pattern in self.ignores:
            if fnmatch.fnmatch(name, pattern) or fnmatch.fnmatch(relative, pattern):
                self.left_out.add(pattern)
                return False
        return True

    def _report_send_file(self, gateway: Any, modified_rel_path: str) -> None:
        # execnet's one call per file whose content goes out (where it prints a line when verbose)
        self.sent_files += 1
        try:
            self.sent_bytes += os.path.getsize(os.path.join(self._root, modified_rel_path))
        except OSError:
            pass
        self._on_file()


def ship(gateway: Any, sources: Sequence[Path], here: Path, *, chdir: bool, ignores: Sequence[str],
         workerid: str, on_progress: Callable[[], None]) -> Shipment:
    """Send ``sources`` to the worker of ``gateway``: into its ``chdir`` folder when the spec has
    one, else into ``~/pyexecnetcache`` (pytest-xdist's place)."""
    shipment = Shipment(str(here))
    for source in sources:
        if not source.is_dir():
            raise StartRefused(f"--rsyncdir {source} is not a directory")
    channel = gateway.remote_exec(_PLACE)
    channel.send(("." if chdir else "~/pyexecnetcache", [s.name for s in sources]))
    base, machine, chains = channel.receive(timeout=60)
    channel.waitclose(10)
    same_machine = machine == machine_identity()
    here_placed = False  # the worker's folder for ours is known (in a copy, or ours in place)
    for source, chain in zip(sources, chains, strict=True):
        dest = f"{base}/{source.name}"
        source_id = identity(source)
        if same_machine and chain and chain[0] == source_id:
            # the copy would be the folder itself: the worker sees the project where it is (and
            # runs from our folder if it is in there, even when other folders are copied)
            shipment.lines.append(f"[{workerid}] --rsyncdir {source}: the worker's {dest} is this folder: "
                                  "nothing to send")
            shipment.extra_sys_path.append(dest)
            here_placed = here_placed or _within(here, source)
            continue
        if same_machine and source_id in chain[1:]:
            raise StartRefused(f"--rsyncdir {source}: the worker's copy {dest} would be inside the folder "
                             "it copies (choose a chdir= outside it)")
        rsync = FilteredRSync(source, ignores, on_progress)
        rsync.add_target(gateway, dest, delete=True)
        rsync.send()
        shipment.extra_sys_path.append(dest)
        shipment.path_map.append((dest, str(source)))
        shipment.lines.append(_summary(workerid, source, dest, rsync))
        if _within(here, source):
            rel = here.relative_to(source).as_posix()
            shipment.invocation_dir = dest if rel == "." else f"{dest}/{rel}"
            here_placed = True
    if not here_placed and shipment.path_map:
        shipment.invocation_dir = base  # our directory was not sent: run from the copy's base
    return shipment


def _within(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _summary(workerid: str, source: Path, dest: str, rsync: FilteredRSync) -> str:
    n = rsync.sent_files
    sent = f"{n} file{'s' if n != 1 else ''} sent ({_size(rsync.sent_bytes)})" if n else "up to date"
    line = f"[{workerid}] --rsyncdir {source} -> {dest}: {sent}"
    if rsync.left_out:
        line += f"; left out: {', '.join(p for p in rsync.ignores if p in rsync.left_out)}"
    return line


def _size(count: int) -> str:
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.1f} kB"
    return f"{count / 1_000_000:.1f} MB"
