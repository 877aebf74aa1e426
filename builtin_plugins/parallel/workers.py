"""Starting one worker's gateway (and shipping ``--rsyncdir`` directories), and the controller's
record of each worker."""

from __future__ import annotations

import os
import shutil
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import execnet

from minitest.config import Config
from minitest.workers_api import WorkerNode

from .shipping import DEFAULT_IGNORES, Shipment, StartRefused, ship


class WorkerHandle:
    """What the controller knows about one worker (``node`` is what other plugins see of it)."""

    def __init__(self, workerid: str, spec: str, gateway: Any, channel: Any, node: WorkerNode) -> None:
        self.id = workerid
        self.spec = spec
        self.gateway = gateway
        self.channel = channel
        self.node = node
        self.down_reported = False  # minitest_testnodedown was called for it
        self.ids: list[str] | None = None  # its collected node ids, once it sent them
        self.collect_events: list[tuple[str, dict[str, Any]]] = []
        self.pending: deque[int] = deque()  # sent to it and not finished, in the order it runs them
        self.buffer: list[tuple[str, dict[str, Any]]] | None = None  # events of the item in progress
        self.last_report: Any = None  # the last test report replayed (a debugger marks it shown)
        self.running: str | None = None
        self.finished = False  # it said goodbye
        self.done = False  # its channel is closed (or it was given up)
        self.shutdown_sent = False
        self.crash_note: str | None = None
        self.error: str | None = None
        #: (path on the worker, local path) of its --rsyncdir copies
        self.path_map: list[tuple[str, str]] = []

    def send(self, name: str, **payload: Any) -> None:
        try:
            self.channel.send((name, payload))
        except Exception:  # noqa: BLE001 - a dead worker's channel: its end is handled elsewhere
            pass

    def item_finished(self, nodeid: str, ids: list[str]) -> None:
        """Drop ``nodeid`` from the pending items (normally the first: items run in order)."""
        for position, index in enumerate(self.pending):
            if ids[index] == nodeid:
                del self.pending[position]
                return

    def remote_error(self) -> str | None:
        """Why the worker's side ended: the exception it raised, or how its process exited."""
        try:
            self.channel.waitclose(0.1)
        except execnet.RemoteError as exc:
            return str(exc).strip() or type(exc).__name__
        except Exception:  # noqa: BLE001 - EOF: the process is gone; say how, if we can tell
            return self._exit_status()
        return None

    def _exit_status(self) -> str | None:
        popen = getattr(getattr(self.gateway, "_io", None), "popen", None)
        if popen is None:
            return None
        try:
            code = popen.wait(timeout=1.0)
        except Exception:  # noqa: BLE001 - still running or not ours to wait for
            return None
        if code < 0:
            return f"the worker process was killed by signal {-code}"
        return f"the worker process exited with code {code}"


def same_interpreter(xspec: Any) -> bool:
    """A local popen worker running this very Python (so it may share our ``sys.path``)."""
    if not getattr(xspec, "popen", False) or getattr(xspec, "via", None):
        return False
    python = getattr(xspec, "python", None)
    if not python:
        return True
    found = shutil.which(python)
    return found is not None and os.path.realpath(found) == os.path.realpath(sys.executable)


def rsync_roots(config: Config, specs: list[str]) -> list[Path]:
    """The directories sent to the workers (``--rsyncdir``): none when every worker is a local
    process in our directory, which sees our files where they are (as pytest-xdist's roots)."""
    if all(_local_in_place(execnet.XSpec(spec)) for spec in specs):
        return []
    return [Path(config.invocation_params.dir, d).resolve() for d in config.getoption("rsyncdir", []) or []]


def _local_in_place(xspec: Any) -> bool:
    return bool(xspec.popen and not xspec.chdir)


def start_gateway(group: Any, spec: str, workerid: str, config: Config,
                  on_progress: Callable[[], None] = lambda: None,
                  on_gateway: Callable[[Any], None] = lambda gateway: None) -> tuple[Any, Shipment]:
    """Start the gateway of ``spec``; returns it and what ``--rsyncdir`` sent (the extra import
    path entries, the directory the worker runs from, the lines saying so)."""
    xspec = execnet.XSpec(spec)
    if not (xspec.popen or xspec.ssh or xspec.socket or xspec.vagrant_ssh):
        raise StartRefused(f"unknown gateway type in {spec!r} (expected popen, ssh=..., socket=...)")
    gateway = group.makegateway(f"{spec}//id={workerid}")
    on_gateway(gateway)
    here = Path(config.invocation_params.dir)
    sources = [Path(here, d).resolve() for d in config.getoption("rsyncdir", []) or []]
    if not sources or _local_in_place(xspec):
        return gateway, Shipment(str(here))  # the worker sees our files where they are
    ignores = [*DEFAULT_IGNORES, *(config.getoption("rsyncignore", []) or [])]
    # execnet already moved the worker into ``chdir``; without one, xdist's default place
    return gateway, ship(gateway, sources, here, chdir=bool(xspec.chdir), ignores=ignores,
                         workerid=workerid, on_progress=on_progress)
