"""Starting one execnet worker, or saying clearly why it could not start.

Each start runs in a thread of its own (the gateways start in parallel) through three stages:
connecting (execnet's gateway), sending the ``--rsyncdir`` copies, and checking the worker's
place (its folder exists there, its python imports minitest). The controller waits while the
worker shows signs of life: a stage without one for ``--worker-start-timeout`` seconds ends that
start with an error naming the host and the stage, and the run carries on with the workers that
did start (a host that accepts the connection and never answers no longer hangs the run).

An ssh start that fails is tried once more as a plain ``ssh HOST PYTHON -c pass`` to capture the
real cause (``bash: /opt/py/bin/python: No such file or directory``, ``Connection refused``),
which execnet only prints on the terminal and follows with ``OSError: cannot send``.
"""

from __future__ import annotations

import shlex
import subprocess
import threading
from typing import Any

import execnet

from minitest import clock
from minitest.config import Config

from .shipping import Shipment, StartRefused
from .workers import start_gateway

#: how long the re-run of a failed ssh start may take to tell its cause
DIAGNOSIS_SECONDS = 15.0
#: ssh options that take a value (so the host is the first word that is none of these)
_SSH_OPTIONS_WITH_VALUE = set("BbcDEeFIiJLlmOoPpQRSWw")


class WorkerStartError(Exception):
    """A worker could not start; the message names it, its host and the reason."""


def where(spec: str) -> str:
    """The worker's host as a user reads it: ``localhost:2222 (ssh)``, ``this machine (popen)``."""
    xspec = execnet.XSpec(spec)
    if xspec.ssh:
        host, port = _ssh_host(xspec.ssh)
        return f"{host}:{port} (ssh)" if port else f"{host} (ssh)"
    if xspec.socket:
        return f"{xspec.socket} (socket)"
    if xspec.vagrant_ssh:
        return f"{xspec.vagrant_ssh} (vagrant ssh)"
    return "this machine (popen)"


def _ssh_host(words_text: str) -> tuple[str, str | None]:
    words = words_text.split()
    port = None
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-") and len(word) >= 2:
            letter = word[1]
            if letter in _SSH_OPTIONS_WITH_VALUE:
                value = word[2:] or (words[index + 1] if index + 1 < len(words) else "")
                if letter == "p":
                    port = value
                index += 1 if word[2:] else 2
                continue
            index += 1
            continue
        return word, port
    return words_text, port


def with_connect_timeout(spec: str, timeout: float) -> str:
    """``spec`` with ssh's own ``ConnectTimeout`` a little over ours, unless it has one: ssh then
    ends by itself after a silent host (our wait is over first, so its message is ours)."""
    xspec = execnet.XSpec(spec)
    if not xspec.ssh or timeout <= 0 or "connecttimeout" in xspec.ssh.lower():
        return spec
    return spec.replace("ssh=", f"ssh=-o ConnectTimeout={int(timeout) + 2} ", 1)


def check_place(channel) -> None:  # no annotation: execnet sends it as source, naming only builtins
    """Runs on the worker (sent as a function): its import path and folder set as the worker's
    will be, then can minitest's worker code be imported there? Answers None or the problem."""
    import os
    import sys

    place = channel.receive()
    if place["sys_path"] is not None:
        sys.path[:] = place["sys_path"]
    for entry in reversed(place["extra_sys_path"]):
        sys.path.insert(0, entry)
    try:
        os.chdir(place["invocation_dir"])
    except OSError as exc:
        channel.send({"what": "folder", "error": f"{type(exc).__name__}: {exc}"})
        return
    import importlib

    try:
        # minitest first, so that its absence is what the error names; then its worker side
        for name in ("minitest", "builtin_plugins.parallel.worker"):
            importlib.import_module(name)
    except Exception as exc:  # noqa: BLE001 - whatever fails is the answer
        channel.send({"what": "minitest", "error": f"{type(exc).__name__}: {exc}",
                      "python": sys.executable, "version": sys.version.split()[0]})
        return
    channel.send(None)


def explain_place(problem: dict[str, str], invocation_dir: str) -> str:
    if problem["what"] == "folder":
        return (f"the folder the tests run from, {invocation_dir}, is not there ({problem['error']}): "
                "send the project with --rsyncdir=. (a chdir= in the spec says where the copy goes), "
                "or make the same path hold the project there")
    return (f"its python ({problem['python']}, {problem['version']}) cannot import minitest "
            f"({problem['error']}): install minitest there, or give --tx a python that has it "
            "(//python=PATH)")


class WorkerStart:
    """One worker starting in its own thread: :meth:`wait` returns the gateway and what was
    shipped to it, or raises :class:`WorkerStartError`."""

    def __init__(self, group: Any, spec: str, workerid: str, config: Config, timeout: float,
                 place: dict[str, Any]) -> None:
        self.spec = spec
        self.workerid = workerid
        self.timeout = timeout
        self.stage = "connecting"
        self.last_sign = clock.monotonic()
        self.result: tuple[Any, Shipment] | None = None
        self.error: str | None = None
        self._abandoned = False
        self._gateway: Any = None  # once connected: exited here if the start is given up
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, args=(group, config, place), daemon=True,
                                        name=f"minitest-start-{workerid}")
        self._thread.start()

    def _alive(self, stage: str | None = None) -> None:
        if stage is not None:
            self.stage = stage
        self.last_sign = clock.monotonic()

    def _run(self, group: Any, config: Config, place: dict[str, Any]) -> None:
        try:
            spec = with_connect_timeout(self.spec, self.timeout)
            gateway, shipment = start_gateway(group, spec, self.workerid, config,
                                              on_progress=self._alive, on_gateway=self._connected)
            self._alive(f"checking {shipment.invocation_dir} and minitest there")
            channel = gateway.remote_exec(check_place)
            channel.send({**place, "invocation_dir": shipment.invocation_dir,
                          "extra_sys_path": shipment.extra_sys_path})
            problem = channel.receive()
            channel.waitclose()
            if problem is not None:
                self.error = explain_place(problem, shipment.invocation_dir)
            else:
                self.result = (gateway, shipment)
        except Exception as exc:  # noqa: BLE001 - execnet raises many kinds; all mean "cannot start"
            self.error = self._cause(exc)
        with self._lock:
            give_up = self._abandoned or self.error is not None
        if give_up and self._gateway is not None:
            _exit_quietly(self._gateway)

    def _connected(self, gateway: Any) -> None:
        self._gateway = gateway
        self._alive("copying the --rsyncdir folders")

    def _cause(self, exc: BaseException) -> str:
        xspec = execnet.XSpec(self.spec)
        told = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if isinstance(exc, StartRefused):
            return str(exc)
        if xspec.ssh:
            return _ssh_diagnosis(xspec) or told
        if xspec.popen and xspec.python:
            return _local_python_diagnosis(xspec.python) or told
        return told

    def wait(self) -> tuple[Any, Shipment]:
        """Block until the worker started, failed, or showed no sign of life for the timeout."""
        while self._thread.is_alive():
            self._thread.join(0.2)
            if self.timeout > 0 and clock.monotonic() - self.last_sign > self.timeout and self._thread.is_alive():
                with self._lock:
                    self._abandoned = True
                raise WorkerStartError(
                    f"could not start worker {self.workerid} on {where(self.spec)}: no answer for "
                    f"{self.timeout:g} s while {self.stage} (--worker-start-timeout; spec {self.spec!r})")
        if self.result is None:
            raise WorkerStartError(f"could not start worker {self.workerid} on {where(self.spec)}: "
                                   f"{self.error} (spec {self.spec!r})")
        return self.result


def _exit_quietly(gateway: Any) -> None:
    try:
        gateway.exit()
    except Exception:  # noqa: BLE001 - a gateway already gone is what we want
        pass


def _ssh_diagnosis(xspec: Any) -> str | None:
    """Run ``ssh ARGS PYTHON -c pass`` as execnet would, capturing what it says."""
    args = ["ssh"]
    if xspec.ssh_config is not None:
        args += ["-F", str(xspec.ssh_config)]
    args += xspec.ssh.split()
    if "connecttimeout" not in xspec.ssh.lower():
        args[1:1] = ["-o", f"ConnectTimeout={int(DIAGNOSIS_SECONDS)}"]
    python = xspec.python or "python"
    try:
        done = subprocess.run([*args, f"{python} -c pass"], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=DIAGNOSIS_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    said = done.stderr.decode(errors="replace").strip()
    if done.returncode == 0:
        return None  # works now: the first error is all there is to say
    if done.returncode in (126, 127):
        return f"python={python} cannot be run there: {said or f'exit code {done.returncode}'}"
    return said or None


def _local_python_diagnosis(python: str) -> str | None:
    try:
        done = subprocess.run([*shlex.split(python), "-c", "pass"], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=DIAGNOSIS_SECONDS)
    except OSError as exc:
        return f"python={python} cannot be run: {exc.strerror or exc}"
    except subprocess.TimeoutExpired:
        return None
    if done.returncode == 0:
        return None
    said = done.stderr.decode(errors="replace").strip()
    return f"python={python} exits with code {done.returncode}" + (f": {said}" if said else "")
