"""Starting one worker's gateway (and shipping ``--rsyncdir`` directories); the controller's
record of each worker is :class:`.handles.WorkerHandle`."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import execnet

from minitest.config import Config

from .handles import WorkerHandle
from .shipping import DEFAULT_IGNORES, Shipment, StartRefused, ship

__all__ = ["WorkerHandle", "rsync_roots", "same_interpreter", "start_gateway"]


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
