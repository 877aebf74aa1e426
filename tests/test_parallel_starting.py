"""Starting an execnet worker and saying why it could not start (builtin_plugins/parallel/starting.py),
in process: the host as the messages name it, ssh's connect timeout, the check of the worker's place,
the diagnosis of a failed ssh or local python, and the start thread with its timeout (on a fake
gateway). The real starts (a loopback sshd, popen workers) are tests/test_remote_workers.py; these
pin each rule (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import execnet
import pytest

from builtin_plugins.parallel import starting
from builtin_plugins.parallel.shipping import Shipment, StartRefused
from builtin_plugins.parallel.starting import (
    DIAGNOSIS_SECONDS,
    WorkerStart,
    WorkerStartError,
    _local_python_diagnosis,
    _ssh_diagnosis,
    _ssh_host,
    check_place,
    explain_place,
    where,
    with_connect_timeout,
)


def test_where_names_the_host_and_the_kind_of_worker() -> None:
    assert where("popen") == "this machine (popen)"
    assert where("popen//python=python3") == "this machine (popen)"
    assert where("ssh=-p 2222 -i key user@host") == "user@host:2222 (ssh)"
    assert where("ssh=host") == "host (ssh)"
    assert where("socket=10.0.0.1:8888") == "10.0.0.1:8888 (socket)"
    assert where("vagrant_ssh=default") == "default (vagrant ssh)"


def test_the_ssh_host_is_the_first_word_that_is_no_option_or_its_value() -> None:
    assert _ssh_host("-p 2222 host") == ("host", "2222")
    assert _ssh_host("-p2222 host") == ("host", "2222")
    assert _ssh_host("-i key -o StrictHostKeyChecking=no -v -p 22 u@h -p 1") == ("u@h", "22")
    assert _ssh_host("-v -4 host") == ("host", None)  # options without a value
    assert _ssh_host("-i key host") == ("host", None)
    assert _ssh_host("- host") == ("-", None)  # a lone dash is no option
    assert _ssh_host("-p2 host") == ("host", "2")
    assert _ssh_host("-p") == ("-p", "")  # no host at all: the words as they are
    assert _ssh_host("-p 22") == ("-p 22", "22")
    assert _ssh_host("-v") == ("-v", None)
    assert _ssh_host("-l user -p") == ("-l user -p", "")


def test_ssh_gets_a_connect_timeout_a_little_over_ours() -> None:
    assert with_connect_timeout("ssh=-p 22 host", 30) == "ssh=-o ConnectTimeout=32 -p 22 host"
    assert with_connect_timeout("ssh=host//python=py", 2.7) == "ssh=-o ConnectTimeout=4 host//python=py"
    assert with_connect_timeout("ssh=-o connecttimeout=5 host", 30) == "ssh=-o connecttimeout=5 host"
    assert with_connect_timeout("ssh=host", 1) == "ssh=-o ConnectTimeout=3 host"
    assert with_connect_timeout("ssh=host", 0.5) == "ssh=-o ConnectTimeout=2 host"
    assert with_connect_timeout("ssh=host//chdir=ssh=x", 5) == "ssh=-o ConnectTimeout=7 host//chdir=ssh=x"
    assert with_connect_timeout("ssh=host", 0) == "ssh=host"  # no limit of ours: none of ssh's either
    assert with_connect_timeout("ssh=host", -1) == "ssh=host"
    assert with_connect_timeout("popen", 30) == "popen"


class FakeChannel:
    def __init__(self, *received: Any) -> None:
        self.received = list(received)
        self.sent: list[Any] = []
        self.closed = False

    def receive(self, timeout: float | None = None) -> Any:
        return self.received.pop(0)

    def send(self, item: Any) -> None:
        self.sent.append(item)

    def waitclose(self, timeout: float | None = None) -> None:
        self.closed = True


@pytest.fixture
def own_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """sys.path and the working directory, given back after check_place changed them."""
    monkeypatch.chdir(tmp_path)
    path = list(sys.path)
    monkeypatch.setattr(sys, "path", path)
    return path


def test_check_place_sets_the_import_path_and_folder(own_path: list[str], tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    channel = FakeChannel({"sys_path": ["/a", *own_path], "extra_sys_path": ["/x", "/y"],
                           "invocation_dir": str(work)})
    check_place(channel)
    assert channel.sent == [None]
    assert sys.path[:3] == ["/x", "/y", "/a"]
    assert Path.cwd() == work
    # without a path of the controller's (another python), the worker's own is kept
    channel = FakeChannel({"sys_path": None, "extra_sys_path": ["/z"], "invocation_dir": str(tmp_path)})
    check_place(channel)
    assert channel.sent == [None]
    assert sys.path[:4] == ["/z", "/x", "/y", "/a"]


def test_check_place_names_a_missing_folder(own_path: list[str], tmp_path: Path) -> None:
    channel = FakeChannel({"sys_path": None, "extra_sys_path": [], "invocation_dir": str(tmp_path / "gone")})
    check_place(channel)
    assert channel.sent == [{"what": "folder", "error": f"FileNotFoundError: [Errno 2] No such file or "
                                                         f"directory: '{tmp_path / 'gone'}'"}]


@pytest.mark.parametrize("missing", ["minitest", "builtin_plugins.parallel.worker"])
def test_check_place_names_what_cannot_be_imported(own_path: list[str], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    channel = FakeChannel({"sys_path": None, "extra_sys_path": [], "invocation_dir": str(tmp_path)})
    check_place(channel)
    assert channel.sent == [{"what": "minitest",
                             "error": f"ModuleNotFoundError: import of {missing} halted; None in sys.modules",
                             "python": sys.executable, "version": sys.version.split()[0]}]


def test_explain_place() -> None:
    assert explain_place({"what": "folder", "error": "E"}, "/p") == (
        "the folder the tests run from, /p, is not there (E): send the project with --rsyncdir=. "
        "(a chdir= in the spec says where the copy goes), or make the same path hold the project there")
    assert explain_place({"what": "minitest", "error": "E", "python": "/py", "version": "3.9.1"}, "/p") == (
        "its python (/py, 3.9.1) cannot import minitest (E): install minitest there, or give --tx a "
        "python that has it (//python=PATH)")


class FakeRun:
    """``subprocess.run`` as the diagnoses call it: records the command, answers as told."""

    def __init__(self, returncode: int = 0, stderr: bytes = b"", raises: BaseException | None = None) -> None:
        self.returncode, self.stderr, self.raises = returncode, stderr, raises
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def __call__(self, cmd: list[str], **kwargs: Any) -> Any:
        self.calls.append((cmd, kwargs))
        if self.raises is not None:
            raise self.raises
        return subprocess.CompletedProcess(cmd, self.returncode, b"", self.stderr)


def diagnose_ssh(monkeypatch: pytest.MonkeyPatch, spec: str, **answer: Any) -> tuple[str | None, FakeRun]:
    fake = FakeRun(**answer)
    monkeypatch.setattr(starting.subprocess, "run", fake)
    return _ssh_diagnosis(execnet.XSpec(spec)), fake


def test_ssh_diagnosis_runs_ssh_as_execnet_would(monkeypatch: pytest.MonkeyPatch) -> None:
    said, fake = diagnose_ssh(monkeypatch, "ssh=-p 2 host//python=/opt/py", returncode=255,
                              stderr=b"ssh: connect to host host port 2: Connection refused\n")
    assert said == "ssh: connect to host host port 2: Connection refused"
    assert fake.calls == [(["ssh", "-o", "ConnectTimeout=15", "-p", "2", "host", "/opt/py -c pass"],
                           {"stdin": subprocess.DEVNULL, "capture_output": True, "timeout": DIAGNOSIS_SECONDS})]
    assert DIAGNOSIS_SECONDS == 15.0
    _, fake = diagnose_ssh(monkeypatch, "ssh=-o ConnectTimeout=3 host//ssh_config=/cfg", returncode=255)
    assert fake.calls[0][0] == ["ssh", "-F", "/cfg", "-o", "ConnectTimeout=3", "host", "python -c pass"]


def test_ssh_diagnosis_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = "ssh=host//python=/opt/py"
    assert diagnose_ssh(monkeypatch, spec, returncode=0, stderr=b"noise")[0] is None  # works now
    assert diagnose_ssh(monkeypatch, spec, returncode=127, stderr=b"bash: /opt/py: No such file\n")[0] == (
        "python=/opt/py cannot be run there: bash: /opt/py: No such file")
    assert diagnose_ssh(monkeypatch, spec, returncode=126)[0] == "python=/opt/py cannot be run there: exit code 126"
    assert diagnose_ssh(monkeypatch, spec, returncode=1)[0] is None  # nothing said: nothing to add
    assert diagnose_ssh(monkeypatch, spec, raises=OSError("no ssh"))[0] is None
    assert diagnose_ssh(monkeypatch, spec, raises=subprocess.TimeoutExpired("ssh", 15))[0] is None


def test_local_python_diagnosis(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeRun(returncode=3, stderr=b"Fatal: no encodings\n")
    monkeypatch.setattr(starting.subprocess, "run", fake)
    assert _local_python_diagnosis("/opt/py -E") == "python=/opt/py -E exits with code 3: Fatal: no encodings"
    assert fake.calls == [(["/opt/py", "-E", "-c", "pass"], {"stdin": subprocess.DEVNULL, "capture_output": True,
                                                             "timeout": DIAGNOSIS_SECONDS})]
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(returncode=2))
    assert _local_python_diagnosis("/opt/py") == "python=/opt/py exits with code 2"
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(returncode=0, stderr=b"warning"))
    assert _local_python_diagnosis("/opt/py") is None
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(raises=FileNotFoundError(2, "No such file or directory")))
    assert _local_python_diagnosis("/opt/py") == "python=/opt/py cannot be run: No such file or directory"
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(raises=OSError("odd")))
    assert _local_python_diagnosis("/opt/py") == "python=/opt/py cannot be run: odd"
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(raises=subprocess.TimeoutExpired("py", 15)))
    assert _local_python_diagnosis("/opt/py") is None


class FakeGateway:
    def __init__(self, *answers: Any) -> None:
        self.channel = FakeChannel(*answers)
        self.exited = 0

    def remote_exec(self, source: Any) -> FakeChannel:
        assert source is check_place
        return self.channel

    def exit(self) -> None:
        self.exited += 1
        raise OSError("already gone")  # a gateway that went away by itself: no error for us


def start(monkeypatch: pytest.MonkeyPatch, gateway_or_error: Any, spec: str = "popen", timeout: float = 30,
          gate: threading.Event | None = None) -> tuple[WorkerStart, list[Any]]:
    calls: list[Any] = []

    def start_gateway(group: Any, spec: str, workerid: str, config: Any, on_progress: Any,
                      on_gateway: Any) -> tuple[Any, Shipment]:
        calls.append((group, spec, workerid, config))
        if isinstance(gateway_or_error, BaseException):
            raise gateway_or_error
        on_gateway(gateway_or_error)
        if gate is not None:
            gate.wait(60)
        shipment = Shipment("/run/here")
        shipment.extra_sys_path = ["/copy"]
        return gateway_or_error, shipment

    monkeypatch.setattr(starting, "start_gateway", start_gateway)
    return WorkerStart("group", spec, "gw3", "config", timeout, {"sys_path": None}), calls


def test_a_worker_that_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = FakeGateway(None)
    worker, calls = start(monkeypatch, gateway, spec="ssh=-p 2 host", timeout=30)
    result = worker.wait()
    assert result[0] is gateway and result[1].invocation_dir == "/run/here"
    assert calls == [("group", "ssh=-o ConnectTimeout=32 -p 2 host", "gw3", "config")]
    assert gateway.channel.sent == [{"sys_path": None, "invocation_dir": "/run/here", "extra_sys_path": ["/copy"]}]
    assert gateway.channel.closed and gateway.exited == 0
    assert worker.stage == "checking /run/here and minitest there"


def test_a_worker_without_its_place_is_not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    gateway = FakeGateway({"what": "folder", "error": "E"})
    worker, _ = start(monkeypatch, gateway)
    with pytest.raises(WorkerStartError) as info:
        worker.wait()
    assert str(info.value) == ("could not start worker gw3 on this machine (popen): " +
                               explain_place({"what": "folder", "error": "E"}, "/run/here") + " (spec 'popen')")
    assert gateway.exited == 1  # the gateway that will not be used is ended


def test_why_a_start_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    worker, _ = start(monkeypatch, StartRefused("--rsyncdir x is not a directory"))
    with pytest.raises(WorkerStartError, match=r"^could not start worker gw3 on this machine \(popen\): "
                                               r"--rsyncdir x is not a directory \(spec 'popen'\)$"):
        worker.wait()
    assert worker.error == "--rsyncdir x is not a directory"
    worker, _ = start(monkeypatch, OSError("cannot send"))
    with pytest.raises(WorkerStartError):
        worker.wait()
    assert worker.error == "OSError: cannot send"
    worker, _ = start(monkeypatch, EOFError())
    with pytest.raises(WorkerStartError):
        worker.wait()
    assert worker.error == "EOFError"


def test_a_failed_start_is_diagnosed_by_its_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(returncode=255, stderr=b"Connection refused"))
    worker, _ = start(monkeypatch, OSError("cannot send"), spec="ssh=host")
    with pytest.raises(WorkerStartError, match=r"^could not start worker gw3 on host \(ssh\): Connection refused "):
        worker.wait()
    assert worker._cause(OSError("cannot send")) == "Connection refused"
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(returncode=1))
    assert worker._cause(OSError("cannot send")) == "OSError: cannot send"  # ssh said nothing more
    worker.spec = "popen//python=/opt/py"
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(returncode=4))
    assert worker._cause(OSError("cannot send")) == "python=/opt/py exits with code 4"
    monkeypatch.setattr(starting.subprocess, "run", FakeRun(returncode=0))
    assert worker._cause(OSError("cannot send")) == "OSError: cannot send"
    worker.spec = "popen"
    assert worker._cause(OSError("cannot send")) == "OSError: cannot send"


def test_a_silent_start_is_given_up_by_its_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    gateway = FakeGateway(None)
    worker, _ = start(monkeypatch, gateway, spec="ssh=host", timeout=0.3, gate=gate)
    with pytest.raises(WorkerStartError) as info:
        worker.wait()
    assert str(info.value) == ("could not start worker gw3 on host (ssh): no answer for 0.3 s while copying the "
                               "--rsyncdir folders (--worker-start-timeout; spec 'ssh=host')")
    # the thread of a start given up must not keep the controller's process alive at its end
    assert worker._thread.daemon is True
    gate.set()  # it goes on after all: the gateway is ended, not used
    worker._thread.join(60)
    assert gateway.exited == 1


def test_no_timeout_waits_as_long_as_it_takes(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    gateway = FakeGateway(None)
    worker, _ = start(monkeypatch, gateway, timeout=0, gate=gate)
    timer = threading.Timer(0.5, gate.set)
    timer.start()
    assert worker.wait()[0] is gateway
    assert gateway.exited == 0
    timer.join()


def test_a_slow_start_within_the_timeout_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    gate = threading.Event()
    gateway = FakeGateway(None)
    worker, _ = start(monkeypatch, gateway, timeout=60, gate=gate)
    timer = threading.Timer(0.7, gate.set)  # longer than one look at the thread (0.2 s)
    timer.start()
    assert worker.wait()[0] is gateway
    timer.join()


def test_a_gateway_that_cannot_be_exited_is_no_error() -> None:
    gateway = FakeGateway()
    starting._exit_quietly(gateway)  # its exit() raises: the gateway is gone already
    assert gateway.exited == 1


def test_signs_of_life_move_the_stage_and_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    times = iter([10.0, 20.0, 30.0])
    monkeypatch.setattr(starting.clock, "monotonic", lambda: next(times))
    worker = SimpleNamespace(stage="connecting", last_sign=0.0)
    WorkerStart._alive(worker, None)
    assert (worker.stage, worker.last_sign) == ("connecting", 10.0)
    WorkerStart._alive(worker, "copying")
    assert (worker.stage, worker.last_sign) == ("copying", 20.0)
