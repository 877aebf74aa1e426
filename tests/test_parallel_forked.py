"""Forked workers (builtin_plugins/parallel/forked.py) part by part, in process: the spec and
gateway plugins see, the controller's handle of a worker (its pipes, its end), the terminal lent
to a worker's debugger, the worker's plugin, what the controller says and keeps. The end-to-end
runs are tests/test_dist_fork.py, tests/test_parallel_like_serial.py and the forked cases of
tests/test_dist.py and tests/test_debugging.py; these pin the details found by mutation testing
(tests/MUTATION.md)."""

from __future__ import annotations

import os
import re
import selectors
import signal
import tempfile
import time
from types import SimpleNamespace
from typing import Any

import execnet
import pytest
from conftest import build_minitest_command, run_and_interrupt, verbose_nodeids

from builtin_plugins.parallel import forked
from builtin_plugins.parallel.controller_core import _CLOSED
from builtin_plugins.parallel.forked import (
    ForkController,
    ForkedTerminalLease,
    ForkedWorkerPlugin,
    ForkGateway,
    ForkHandle,
    PopenSpec,
)
from builtin_plugins.parallel.forking import DURATIONS_KEY
from builtin_plugins.parallel.frames import FrameReader, encode
from builtin_plugins.parallel.handles import WorkerHandle
from builtin_plugins.parallel.scheduling import Scheduler
from builtin_plugins.parallel.worker import worker_info
from minitest.nodes import Session
from minitest.reports import PDB_SHOWN, TestReport
from minitest.terminal_api import TERMINAL_REPORTER
from minitest.workers_api import NodeManager, WorkerNode


class Proxy:
    """A module as :mod:`.forked` sees it, with some names replaced: not the real module's (the
    forked workers' command threads use ``os`` and ``time`` while a test runs)."""

    def __init__(self, module: Any, **replaced: Any) -> None:
        self.__dict__.update(replaced)
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


# -- what plugins see of a forked worker -------------------------------------------------------------

def test_the_spec_of_a_forked_worker_is_execnets_popen_spec() -> None:
    spec, other = PopenSpec(), PopenSpec()
    real = execnet.XSpec("popen")
    assert str(spec) == "popen" and repr(spec) == repr(real)
    assert spec.popen is True and spec.python is None
    assert spec == other and spec == real and spec != execnet.XSpec("ssh=host") and spec != "popen"
    assert hash(spec) == hash(real)
    assert spec._real() is spec._real()  # made once
    gateway = ForkGateway("gw4")
    assert gateway.id == "gw4" and str(gateway.spec) == "popen"


# -- the controller's handle of a worker -------------------------------------------------------------

def forked_child(action: str) -> int:
    """A child process that does ``action`` at once: "exit 3", "exit 0", "kill 9", or "wait R W" (it
    closes W, its copy of the pipe's write end, and reads R until the test closes W)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            word, *args = action.split()
            if word == "exit":
                os._exit(int(args[0]))
            if word == "kill":
                if int(args[0]) != signal.SIGKILL:  # whatever this process's handler was
                    signal.signal(int(args[0]), signal.SIG_DFL)
                os.kill(os.getpid(), int(args[0]))
            os.close(int(args[1]))
            os.read(int(args[0]), 1)
        finally:
            os._exit(0)
    return pid


def handle_for(pid: int) -> tuple[ForkHandle, int, int]:
    """A handle on pipes, and the worker's ends of them (commands read, messages written)."""
    command_read, command_write = os.pipe()
    message_read, message_write = os.pipe()
    node = SimpleNamespace(gateway=ForkGateway("gw0"))
    return ForkHandle("gw0", node, pid, command_write, message_read), command_read, message_write  # type: ignore[arg-type]


def test_how_a_worker_ended_is_said() -> None:
    for action, said in (("exit 3", "the worker process exited with code 3"),
                         ("kill 9", f"the worker process was killed by signal {signal.SIGKILL.value}"),
                         ("kill 1", "the worker process was killed by signal 1"),  # SIGHUP: the code is -1
                         ("exit 0", None)):
        pid = forked_child(action)
        handle, command_read, message_write = handle_for(pid)
        try:
            assert handle.remote_error() == said, action
            assert handle.status is not None and handle.reap(0) == handle.status
        finally:
            for fd in (command_read, message_write):
                os.close(fd)
            handle.close_pipes(None)


def test_reaping_a_worker_that_still_runs() -> None:
    hold_read, hold_write = os.pipe()
    pid = forked_child(f"wait {hold_read} {hold_write}")
    os.close(hold_read)
    handle, command_read, message_write = handle_for(pid)
    try:
        assert handle.reap(0) is None and handle.status is None
        assert handle.remote_error() is None or handle.status is not None
        os.close(hold_write)  # it ends
        hold_write = -1
        status = handle.reap(60)
        assert status is not None and os.waitstatus_to_exitcode(status) == 0
        assert handle.remote_error() is None
    finally:
        if hold_write >= 0:
            os.close(hold_write)
        for fd in (command_read, message_write):
            os.close(fd)
        handle.close_pipes(None)
        if handle.status is None:
            os.waitpid(pid, 0)
    # not a child of this process (already reaped elsewhere): nothing to say
    stranger, command_read, message_write = handle_for(pid)
    assert stranger.reap(1) is None and stranger.remote_error() is None
    for fd in (command_read, message_write):
        os.close(fd)
    stranger.close_pipes(None)


def test_commands_go_down_the_pipe_until_it_is_closed() -> None:
    handle, command_read, message_write = handle_for(0)
    selector = selectors.DefaultSelector()
    try:
        handle.send("run", indexes=[1, 2])
        handle.send("shutdown")
        got = FrameReader().feed(os.read(command_read, 65536))
        assert got == [("run", {"indexes": [1, 2]}), ("shutdown", {})]
        os.close(command_read)  # a dead worker's pipe: no error
        command_read = -1
        handle.send("stop", interrupt=True)
        selector.register(handle.message_fd, selectors.EVENT_READ, handle)
        fds = handle.message_fd, handle.command_fd
        handle.close_pipes(selector)
        assert (handle.message_fd, handle.command_fd) == (-1, -1) and selector.get_map() == {}
        for fd in fds:
            with pytest.raises(OSError):
                os.fstat(fd)
        handle.send("stop")  # closed: nothing to do
        handle.close_pipes(selector)  # once
    finally:
        selector.close()
        for fd in (command_read, message_write):
            if fd >= 0:
                os.close(fd)
    # a selector that never had it
    handle, command_read, message_write = handle_for(0)
    with selectors.DefaultSelector() as selector:
        handle.close_pipes(selector)
    assert handle.message_fd == -1
    os.close(command_read)
    os.close(message_write)


# -- the terminal lent to a worker's debugger ----------------------------------------------------------

class LeasePlugin:
    """What the lease needs of the worker's plugin: it sends, and the controller answers at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.lease = ForkedTerminalLease(self)  # type: ignore[arg-type]

    def send(self, name: str, **payload: Any) -> None:
        self.sent.append((name, payload))
        if payload.get("held"):
            self.lease.granted.set()


def test_the_lease_is_asked_for_once_and_given_back_once() -> None:
    plugin = LeasePlugin()
    lease = plugin.lease
    lease.release()  # not held: nothing to give back
    lease.release_all()
    assert plugin.sent == [] and lease.depth == 0
    lease.acquire()
    assert plugin.sent == [("terminal", {"held": True})] and lease.depth == 1
    lease.acquire()  # the debugger within the debugger: already held
    assert plugin.sent == [("terminal", {"held": True})] and lease.depth == 2
    lease.release()
    assert plugin.sent == [("terminal", {"held": True})] and lease.depth == 1
    lease.release()
    assert plugin.sent == [("terminal", {"held": True}), ("terminal", {"held": False})] and lease.depth == 0
    lease.acquire()
    lease.acquire()
    lease.acquire()
    lease.release_all()  # the test ended with the debugger left without continue
    assert plugin.sent[2:] == [("terminal", {"held": True}), ("terminal", {"held": False})] and lease.depth == 0
    lease.acquire()
    assert lease.granted.is_set()


class Pipe:
    """The worker's pipe channel: it records what is sent and when it is flushed."""

    def __init__(self) -> None:
        self.events: list[Any] = []

    def send(self, message: Any) -> None:
        self.events.append(message)

    def flush(self) -> None:
        self.events.append("flush")


def test_the_worker_plugin_takes_the_terminal_answers_and_flushes_before_waiting() -> None:
    pipe = Pipe()
    plugin = ForkedWorkerPlugin(pipe, {"workerid": "gw1"})  # type: ignore[arg-type]
    plugin.on_command(("terminal_granted", {}))
    assert plugin.lease.granted.is_set() and plugin.commands.empty()
    plugin.lease.granted.clear()
    plugin.on_command(("run", {"indexes": [0]}))
    assert not plugin.lease.granted.is_set()
    plugin.on_command(("closed", {}))  # no controller to wait for
    assert plugin.lease.granted.is_set()
    plugin.lease.granted.clear()
    plugin.on_command(None)
    assert plugin.lease.granted.is_set()
    assert [plugin.commands.get_nowait() for _ in range(3)] == [("run", {"indexes": []}), ("closed", {}),
                                                                ("closed", {})]
    assert list(plugin.todo) == [0]  # queued as it came
    plugin._take_commands(block=False)
    assert pipe.events == []  # nothing to wait for: the buffer goes with the next message
    plugin.commands.put(("shutdown", {}))
    plugin._take_commands(block=True)
    assert pipe.events == ["flush"] and plugin.shutdown


def test_the_worker_plugin_gives_the_terminal_back_at_the_end_of_a_test_and_says_what_was_shown() -> None:
    pipe = Pipe()
    plugin = ForkedWorkerPlugin(pipe, {"workerid": "gw1"})  # type: ignore[arg-type]
    plugin.lease.depth = 2
    plugin.minitest_runtest_logfinish(nodeid="t.py::t", location=("t.py", 1, "t"))
    assert pipe.events == [("terminal", {"held": False}), ("logfinish", {"nodeid": "t.py::t", "location": ["t.py", 1, "t"]})]
    assert plugin.lease.depth == 0 and plugin.in_test is False
    pipe.events.clear()
    shown = TestReport("t.py::t", ("t.py", 1, "t"), {}, "failed", None, "call")
    setattr(shown, PDB_SHOWN, True)
    not_shown = TestReport("t.py::u", ("t.py", 2, "u"), {}, "failed", None, "call")
    other = SimpleNamespace(**{PDB_SHOWN: True, "nodeid": "t.py", "when": "collect"})  # a collect report
    for report in (shown, not_shown, other):
        wrapper = plugin.minitest_exception_interact(node=None, call=None, report=report)
        next(wrapper)
        with pytest.raises(StopIteration):
            wrapper.send(None)
    assert pipe.events == [("pdbshown", {"nodeid": "t.py::t", "when": "call"})]


# -- the controller ----------------------------------------------------------------------------------

class Hook:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            if name == "minitest_report_from_serializable":
                return SimpleNamespace(**kwargs["data"])
            return None

        return call


class Reporter:
    def __init__(self) -> None:
        self.verbosity = 0
        self.lines: list[tuple[str, dict[str, bool]]] = []
        self.show_file_names: list[bool] = []
        self.writer = SimpleNamespace(flush=lambda: self.lines.append(("<flush>", {})))

    def write_line(self, text: str, **marks: bool) -> None:
        self.lines.append((text, marks))

    def set_show_file_names(self, value: bool) -> None:
        self.show_file_names.append(value)


class Cache:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, key: str, default: Any) -> Any:
        return self.values.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


class Channel:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, message: tuple[str, dict[str, Any]]) -> None:
        self.sent.append(message)


def controller_for(count: int = 2, cache: Cache | None = None, options: dict[str, Any] | None = None
                   ) -> tuple[ForkController, list[WorkerHandle]]:
    opts = dict(options or {})
    config = SimpleNamespace(getoption=lambda name, default=None: opts.get(name, default), hook=Hook(),
                             stash={TERMINAL_REPORTER: Reporter()})
    if cache is not None:
        config.cache = cache
    session = SimpleNamespace(config=config, shouldfail=False, shouldstop=False, testsfailed=0,
                              Failed=Session.Failed, Interrupted=Session.Interrupted, items=[])
    controller = ForkController(session, count)  # type: ignore[arg-type]
    gateways = [SimpleNamespace(id=f"gw{i}", spec="popen") for i in range(count)]
    handles = [WorkerHandle(f"gw{i}", "popen", gateway, Channel(),
                            WorkerNode(config, gateway, {"workerid": f"gw{i}"}, NodeManager(["popen"] * count, [])))
               for i, gateway in enumerate(gateways)]
    controller.workers.extend(handles)
    controller.ids = ["t.py::a", "t.py::b"]
    controller.scheduler = Scheduler([], "load", count)  # everything given out
    for handle in handles:
        handle.ids = controller.ids
    return controller, handles


def sent(handle: WorkerHandle) -> list[tuple[str, dict[str, Any]]]:
    return handle.channel.sent  # type: ignore[no-any-return]


def hook_names(controller: ForkController) -> list[str]:
    return [name for name, _ in controller.config.hook.calls]  # type: ignore[attr-defined]


def test_the_terminal_goes_to_one_worker_at_a_time_and_the_others_wait() -> None:
    controller, (gw0, gw1, gw2) = controller_for(3)
    reporter = controller.config.stash[TERMINAL_REPORTER]
    start = ("logstart", {"nodeid": "t.py::a", "location": ["t.py", 1, "a"]})
    controller._dispatch(gw0, start)
    controller._dispatch(gw0, ("terminal", {"held": True}))
    # what its test reported so far is shown first, then the terminal is its
    assert hook_names(controller) == ["minitest_runtest_logstart"] and gw0.buffer == []
    assert sent(gw0) == [("terminal_granted", {})] and controller.terminal_holder is gw0
    assert reporter.lines == [("<flush>", {})]
    controller._dispatch(gw1, ("terminal", {"held": True}))
    controller._dispatch(gw2, ("terminal", {"held": True}))
    assert controller.terminal_queue == [gw1, gw2] and sent(gw1) == []
    slow = ("slow", {"nodeid": "t.py::b", "location": ["t.py", 2, "b"], "seconds": 1.0})
    controller._dispatch(gw1, slow)  # held back while gw0 debugs
    controller._dispatch(gw0, ("terminal", {"held": True}))  # asked again: queued behind the others
    assert hook_names(controller) == ["minitest_runtest_logstart"] and controller.held_back == [(gw1, slow)]
    controller._dispatch(gw1, ("terminal", {"held": False}))  # not its to give back
    assert controller.terminal_holder is gw0
    controller._dispatch(gw0, ("terminal", {"held": False}))
    # what was held back is shown, and the next in the queue gets the terminal
    assert hook_names(controller) == ["minitest_runtest_logstart", "minitest_runtest_slow"]
    assert controller.terminal_holder is gw1 and sent(gw1) == [("terminal_granted", {})]
    assert controller.terminal_queue == [gw2, gw0] and controller.held_back == []
    controller._dispatch(gw2, _CLOSED)  # a waiting worker died: said once gw1 gives the terminal back
    assert controller.held_back == [(gw2, _CLOSED)] and not gw2.done
    controller._dispatch(gw1, ("terminal", {"held": False}))
    assert gw2.done and controller.terminal_holder is gw0 and controller.terminal_queue == []
    assert sent(gw0) == [("terminal_granted", {})] * 2 and sent(gw2) == []
    controller._dispatch(gw1, ("terminal", {"held": True}))
    controller._dispatch(gw0, _CLOSED)  # the holder died at the debugger's prompt: the next one's turn
    assert gw0.done and controller.terminal_holder is gw1 and sent(gw1) == [("terminal_granted", {})] * 2


def test_a_forked_worker_is_ready_with_the_controllers_workerinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    controller, (gw0, gw1) = controller_for()
    asked: list[int] = []
    monkeypatch.setattr(forked, "worker_info", lambda: asked.append(1) or {"executable": "python"})
    assert not hasattr(gw0.node, "workerinfo")  # not ready: absent, as with pytest-xdist
    controller._dispatch(gw0, ("ready", {"workerinfo": None}))
    controller._dispatch(gw1, ("ready", {"workerinfo": None}))
    assert asked == []  # asked when a plugin reads it (platform.platform() runs a subprocess)
    assert gw0.node.workerinfo == {"executable": "python", "id": "gw0", "spec": "popen"}
    assert gw1.node.workerinfo == {"executable": "python", "id": "gw1", "spec": "popen"}
    assert asked == [1]  # once for every forked worker
    controller._dispatch(gw1, ("ready", {"workerinfo": {"executable": "other"}}))
    assert gw1.node.workerinfo["executable"] == "other" and asked == [1]
    assert set(worker_info()) == {"version", "version_info", "sysplatform", "platform", "executable", "cwd"}


def test_a_failure_the_debugger_showed_is_marked_and_durations_are_added_up() -> None:
    controller, (gw0, _) = controller_for()
    controller._replay(gw0, ("logreport", {"report": {"nodeid": "t.py::b", "when": "call"}}))  # no duration
    controller._replay(gw0, ("logreport", {"report": {"nodeid": None, "when": "call", "duration": 1}}))
    for when, duration in (("call", 1.5), ("teardown", 0), ("setup", 0.25)):
        controller._replay(gw0, ("logreport", {"report": {"nodeid": "t.py::a", "when": when, "duration": duration}}))
    assert controller.seen == {"t.py::a": 1.75}
    report = gw0.last_report
    controller._replay(gw0, ("pdbshown", {"nodeid": "t.py::a", "when": "call"}))  # not the last report's phase
    controller._replay(gw0, ("pdbshown", {"nodeid": "t.py::x", "when": "setup"}))  # nor its test
    assert not hasattr(report, PDB_SHOWN)
    controller._replay(gw0, ("pdbshown", {"nodeid": None, "when": "call"}))
    assert not hasattr(report, PDB_SHOWN)
    gw0.last_report = SimpleNamespace(nodeid="t.py::a", when="call")
    controller._replay(gw0, ("pdbshown", {"nodeid": "t.py::a", "when": "call"}))
    assert getattr(gw0.last_report, PDB_SHOWN) is True
    gw0.last_report = None
    controller._replay(gw0, ("pdbshown", {"nodeid": "t.py::a", "when": "call"}))  # nothing replayed yet


def test_the_controller_reads_less_often_only_while_every_worker_has_work_queued() -> None:
    controller, (gw0, gw1) = controller_for()
    controller.per_test = 0.002  # 2 ms a test: two paces of work are 11 tests
    enough = int(2 * forked.PACE_SECONDS / 0.002) + 1
    gw0.pending.extend(range(enough))
    gw1.pending.extend(range(enough))
    assert controller._may_pace()
    gw1.pending.pop()  # one worker running low: it is fed (or takes work back) as soon as it says so
    assert not controller._may_pace()
    gw1.finished = True  # a worker that said goodbye waits for nothing
    assert controller._may_pace()
    gw1.finished = False
    gw1.done = True  # nor one that is gone
    assert controller._may_pace()
    controller.terminal_queue.append(gw0)  # a worker asks for the terminal: answered at once
    assert not controller._may_pace()
    controller.terminal_queue.clear()
    controller.terminal_holder = gw0  # a debugger runs: the others' reports are held anyway, its own not
    assert not controller._may_pace()
    controller.terminal_holder = None
    controller.stopping = True  # -x, an exit or an interrupt: no waiting while workers stop
    assert not controller._may_pace()
    controller.stopping = False
    controller.per_test = 1.0  # long tests: three each are enough (the running one, its next, one more)
    gw0.pending.clear()
    gw0.pending.extend(range(3))
    assert controller._may_pace()
    gw0.pending.pop()
    assert not controller._may_pace()
    controller.per_test = 0.0  # no estimate at all: never
    assert not controller._may_pace()


def test_a_workers_message_pipe_holds_what_it_sends_in_a_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    fcntl = pytest.importorskip("fcntl")
    if not hasattr(fcntl, "F_GETPIPE_SZ"):
        pytest.skip("pipe sizes are set on Linux only")
    read, write = os.pipe()
    try:
        default = fcntl.fcntl(write, fcntl.F_GETPIPE_SZ)
        forked._enlarge_pipe(write)
        with open("/proc/sys/fs/pipe-max-size") as f:
            allowed = int(f.read())
        assert fcntl.fcntl(write, fcntl.F_GETPIPE_SZ) == min(forked.MESSAGE_PIPE_BYTES, allowed)
    finally:
        os.close(read)
        os.close(write)
    # refused (over the system's limit for this user, or its pipe quota): the default stays
    read, write = os.pipe()
    real_fcntl = fcntl.fcntl

    def refuse(fd: int, command: int, *args: Any) -> Any:
        if command == fcntl.F_SETPIPE_SZ:
            raise PermissionError(1, "Operation not permitted")
        return real_fcntl(fd, command, *args)

    monkeypatch.setattr(fcntl, "fcntl", refuse)
    try:
        forked._enlarge_pipe(write)
        assert real_fcntl(write, fcntl.F_GETPIPE_SZ) == default
    finally:
        os.close(read)
        os.close(write)


def test_the_durations_seen_are_kept_for_the_next_run() -> None:
    cache = Cache({DURATIONS_KEY: {"t.py::a": 9.0, "t.py::old": 2.0}})
    controller, _ = controller_for(cache=cache)
    assert controller.durations == {"t.py::a": 9.0, "t.py::old": 2.0}
    controller._save_durations()  # nothing seen: nothing written
    assert cache.values == {DURATIONS_KEY: {"t.py::a": 9.0, "t.py::old": 2.0}}
    controller.seen = {"t.py::a": 0.1234567, "t.py::b": 3.0}
    controller._save_durations()
    assert cache.values[DURATIONS_KEY] == {"t.py::a": 0.123457, "t.py::old": 2.0, "t.py::b": 3.0}
    controller, _ = controller_for()  # no cache plugin
    controller.seen = {"t.py::a": 1.0}
    controller._save_durations()


@pytest.mark.parametrize(("count", "ids", "longest", "expected"), [
    (2, 3, [0, 2], ["created: 2/2 workers", "2 workers [3 items]",
                    "forked after collection; scheduling: load, batches of up to 5, the 2 longest known first"]),
    (1, 1, [], ["created: 1/1 worker", "1 worker [1 item]", "forked after collection; scheduling: load, batches of up to 5"]),
])
def test_what_a_forked_run_says_first(count: int, ids: int, longest: list[int], expected: list[str]) -> None:
    controller, _ = controller_for(count)
    controller.ids = [f"t.py::{i}" for i in range(ids)]
    controller._announce(5, longest)
    reporter = controller.config.stash[TERMINAL_REPORTER]
    assert [text for text, _ in reporter.lines] == expected and reporter.show_file_names == [False]
    del controller.config.stash[TERMINAL_REPORTER]
    controller._announce(5, longest)  # no terminal: nothing to say


def test_workers_that_do_not_stop_in_time_are_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    controller, (gw0, gw1) = controller_for()
    gw1.done = True
    now = [100.0]
    monkeypatch.setattr(forked, "time", Proxy(time, monotonic=lambda: now[0]))
    reads: list[float] = []

    def read_ready(timeout: float, closed: bool) -> bool:
        reads.append(timeout)
        assert closed is True
        now[0] += 1
        return False

    monkeypatch.setattr(controller, "_read_ready", read_ready)
    controller.stop_deadline = 101.0
    controller._loop(lambda: True)
    # read until the deadline is passed (not at it), then the live worker is given up
    assert reads == [0.5, 0.5] and gw0.done
    reporter = controller.config.stash[TERMINAL_REPORTER]
    assert reporter.lines == [("[gw0] did not stop in time: killed", {"yellow": True})]
    assert controller.config.hook.calls == [("minitest_testnodedown", {"node": gw0.node,  # type: ignore[attr-defined]
                                                                        "error": "did not stop in time: killed"})]
    reads.clear()
    controller.stop_deadline = None
    left = [3]

    def keep_going() -> bool:
        left[0] -= 1
        return left[0] >= 0

    controller._loop(keep_going)
    assert reads == [0.5, 0.5, 0.5]


def test_the_end_of_a_run_stops_reaps_and_closes_every_worker() -> None:
    controller, _ = controller_for(1)
    handles, ends = [], []
    for error in (None, "the worker process exited with code 3"):
        handle, command_read, message_write = handle_for(forked_child("exit 0"))
        handle.error = error
        controller.selector.register(handle.message_fd, selectors.EVENT_READ, handle)
        handles.append(handle)
        ends += [command_read, message_write]
    gone, command_read, message_write = handle_for(forked_child("exit 0"))
    gone.done = True  # its end was seen already: not told to stop
    ends += [command_read, message_write]
    controller.workers = [*handles, gone]
    try:
        for handle in controller.workers:  # ended (not yet reaped): no interrupt, whatever the load
            os.waitid(os.P_PID, handle.pid, os.WEXITED | os.WNOWAIT)  # type: ignore[attr-defined]
        controller._terminate()
        # each one still running is told to stop (once: it ended by itself within the grace time)
        assert [FrameReader().feed(os.read(ends[i], 65536)) for i in (0, 2)] == [[("stop", {})]] * 2
        assert all(h.shutdown_sent for h in handles) and not gone.shutdown_sent
        assert all(h.done and h.status is not None and h.message_fd == -1 for h in controller.workers)  # type: ignore[attr-defined]
        assert controller.config.hook.calls == [  # type: ignore[attr-defined]
            ("minitest_testnodedown", {"node": handles[0].node, "error": "terminated"}),
            ("minitest_testnodedown", {"node": handles[1].node, "error": "the worker process exited with code 3"}),
            ("minitest_testnodedown", {"node": gone.node, "error": "terminated"})]
        assert controller.selector.get_map() is None  # closed
    finally:
        for fd in ends:
            os.close(fd)


def test_no_descriptor_listing_no_private_copies(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_listing(path: str) -> list[str]:
        raise PermissionError(13, "Permission denied", path)

    with tempfile.TemporaryFile() as shared:
        before = os.fstat(shared.fileno()).st_ino
        monkeypatch.setattr(forked, "os", Proxy(os, listdir=no_listing))
        forked._private_temporary_files()  # nothing to go by: the files stay shared
        assert os.fstat(shared.fileno()).st_ino == before


def test_after_an_interrupt_what_the_pipes_hold_is_shown_and_nothing_more() -> None:
    controller, _ = controller_for(1)
    handle, command_read, message_write = handle_for(0)
    handle.ids = controller.ids
    controller.workers = [handle]
    controller.selector.register(handle.message_fd, selectors.EVENT_READ, handle)
    slow = [("slow", {"nodeid": f"t.py::{name}", "location": ["t.py", 1, name], "seconds": 1.0}) for name in "ab"]
    try:
        handle.inbox.append(slow[0])  # read before the interrupt, not yet shown
        controller._drain()
        assert [kw["nodeid"] for name, kw in controller.config.hook.calls] == ["t.py::a"]  # type: ignore[attr-defined]
        assert not handle.inbox
        os.write(message_write, encode([slow[1]]))  # still in the pipe
        controller._drain()
        assert [kw["nodeid"] for name, kw in controller.config.hook.calls] == ["t.py::a", "t.py::b"]  # type: ignore[attr-defined]
        # what fails to be shown is left: the interrupt is what the run ends with
        os.write(message_write, encode([("usageerror", {"text": "too late"})]))
        controller._drain()
        # a pipe closed meanwhile is closed here; the worker's end is _terminate's to say
        os.close(message_write)
        message_write = -1
        controller._drain()
        assert handle.message_fd == -1 and not handle.done and len(controller.config.hook.calls) == 2  # type: ignore[attr-defined]
    finally:
        for fd in (command_read, message_write):
            if fd >= 0:
                os.close(fd)


# -- end to end --------------------------------------------------------------------------------------

def test_what_a_worker_printed_with_s_is_written_before_it_dies(files, run) -> None:
    # a forked worker writes its tests' -s output to the terminal line by line, as a serial run:
    # the last line before a crash is not lost in a buffer
    files({"test_k.py": """
        import os, signal

        def test_dies():
            print("last words of test_dies")
            os.kill(os.getpid(), signal.SIGKILL)
    """})
    result = run("-s", "-n", "1", "-p", "no:cache", "--max-worker-restart", "0", env={"PYTHONUNBUFFERED": None})
    assert result.ret == 1, result.dump()
    assert "last words of test_dies" in result.lines, result.dump()
    result.fnmatch_lines(["*forked after collection*", "*worker 'gw0' crashed while running test_k.py::test_dies"])


def test_the_batches_and_the_order_said_at_the_start(files, run) -> None:
    # the batch size comes from the tests' estimated time; the durations of the last run (in the
    # cache) put the long tests first, in load mode only
    files({"test_b.py": """
        import time

        def test_quick():
            pass

        def test_slow():
            time.sleep(0.1)

        def test_slower():
            time.sleep(0.3)
    """})
    one = run("-n", "2", "-v", "-p", "no:cache", "test_b.py::test_quick")
    assert one.ret == 0, one.dump()
    # unknown: minitest's own cost per test, 0.1 ms: 30 ms queued, 60 ms at most per batch
    assert "forked after collection; scheduling: load, batches of up to 600" in one.lines, one.dump()
    three = run("-n", "2", "-v", "-p", "no:cache")  # the average of three unknown ones: the same
    assert "forked after collection; scheduling: load, batches of up to 600" in three.lines, three.dump()
    first = run("-n", "2", "-q")
    assert first.ret == 0, first.dump()
    known = run("-n", "1", "-v")
    assert "forked after collection; scheduling: load, batches of up to 2, the 2 longest known first" in known.lines, \
        known.dump()
    assert verbose_nodeids(known) == [("test_b.py::test_slower", "PASSED"), ("test_b.py::test_slow", "PASSED"),
                                      ("test_b.py::test_quick", "PASSED")], known.dump()
    by_file = run("-n", "1", "-v", "--dist", "loadfile")
    assert "forked after collection; scheduling: loadfile, batches of up to 2" in by_file.lines, by_file.dump()
    assert [nodeid for nodeid, _ in verbose_nodeids(by_file)] == [
        "test_b.py::test_quick", "test_b.py::test_slow", "test_b.py::test_slower"], by_file.dump()


def test_a_worker_that_ignores_the_interrupt_is_killed_after_the_grace_time(files, tmp_path) -> None:
    # Ctrl-C sent to the controller alone: the workers are told to stop, then their test is
    # interrupted; a test that ignores SIGINT goes on, and its worker is killed a moment later
    files({"test_deaf.py": """
        import signal, time
        from pathlib import Path

        def test_deaf():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            Path(__file__).with_name("started").write_text("yes")
            time.sleep(120)
    """})
    cmd, env = build_minitest_command("-p", "no:cache", "-v", "-n", "1")
    # once the worker is inside the test; to the controller alone
    result = run_and_interrupt(cmd, tmp_path, env, (tmp_path / "started").exists)
    assert result.ret == 2, result.dump()
    result.fnmatch_lines(["*! KeyboardInterrupt !*"])
    assert result.final_line().startswith("=") and "no tests ran in" in result.final_line(), result.dump()
    assert "test_deaf" not in result.stdout.replace("test_deaf.py", ""), result.dump()


def test_exit_in_a_worker_ends_the_run_and_a_wrapped_stdout_is_no_error(files, run) -> None:
    # minitest.exit() in a forked worker's test ends the whole run with its code, as a serial run;
    # a standard output a plugin wrapped (no reconfigure(), as colorama's) does not break the worker
    files({
        "conftest.py": """
            import sys

            class Wrapper:
                def __init__(self, stream):
                    self._stream = stream
                def write(self, text):
                    return self._stream.write(text)
                def flush(self):
                    self._stream.flush()
                def __getattr__(self, name):
                    if name == "reconfigure":
                        raise AttributeError(name)
                    return getattr(self._stream, name)

            sys.stdout = Wrapper(sys.stdout)
        """,
        "test_e.py": """
            import minitest

            def test_a():
                pass

            def test_exit():
                minitest.exit("enough for today", returncode=3)
        """,
    })
    result = run("-n", "2", "-v", "-s", "-p", "no:cache")  # -s: the wrapper stays sys.stdout
    assert result.ret == 3, result.dump()
    result.fnmatch_lines(["*forked after collection*", "test_e.py::test_a PASSED*", "*! enough for today !*"])
    assert "1 passed in" in result.final_line(), result.dump()
    assert "test_e.py::test_exit" not in result.stdout, result.dump()


def test_only_unlinked_files_are_made_private_each_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A worker's start gives it its own copy of each unlinked temporary file it inherited, going
    on past one it may not replace and past the listing's own descriptor (closed when it is looked
    at); a file with a name (a log another plugin opened) stays shared."""
    hole = open(os.devnull)  # noqa: SIM115 - closed below: the listing's descriptor takes its number
    named = open(tmp_path / "shared.log", "w+b")  # noqa: SIM115 - closed below
    first, second = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    hole.close()
    try:
        refused = min(first.fileno(), second.fileno())
        other = max(first.fileno(), second.fileno())
        before = {fd: os.fstat(fd).st_ino for fd in (named.fileno(), refused, other)}
        real_dup2 = os.dup2

        def refusing_dup2(fd: int, fd2: int, inheritable: bool = True) -> int:
            if fd2 == refused:
                raise OSError(9, "Bad file descriptor")
            return real_dup2(fd, fd2, inheritable)

        monkeypatch.setattr(forked, "os", Proxy(os, dup2=refusing_dup2))
        forked._private_temporary_files()
        after = {fd: os.fstat(fd).st_ino for fd in before}
        assert after[named.fileno()] == before[named.fileno()]
        assert after[refused] == before[refused]
        assert after[other] != before[other]
    finally:
        for f in (named, first, second):
            f.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_a_worker_holds_no_other_workers_pipes(files, run, tmp_path) -> None:
    # forked after gw0, gw1 closes its copies of the controller's ends of gw0's pipes: it holds as
    # many pipes as gw0 (a copy would keep gw0's command pipe open after the controller closed it)
    files({"test_f.py": """
        import os
        import minitest

        def pipes():
            count = 0
            for name in os.listdir("/proc/self/fd"):
                try:
                    count += os.readlink(f"/proc/self/fd/{name}").startswith("pipe:")
                except OSError:
                    pass
            return count

        @minitest.mark.parametrize("i", range(20))  # batches of 2 at first: both workers get some
        def test_pipes(i, worker_id):
            with open(f"pipes-{worker_id}", "a") as out:
                out.write(f"{pipes()}\\n")
    """})
    result = run("-n", "2", "-p", "no:cache")
    assert result.ret == 0, result.dump()
    assert result.errlines == [], result.dump()  # a worker's start says nothing
    counts = {p.name.split("-")[1]: set(p.read_text().split()) for p in tmp_path.glob("pipes-*")}
    assert set(counts) == {"gw0", "gw1"} and counts["gw0"] == counts["gw1"] and len(counts["gw0"]) == 1, (
        counts, result.dump())


def test_a_forked_workers_own_tmp_path_base_is_released_at_its_end(files, run, tmp_path) -> None:
    # without --basetemp each worker makes a numbered base of its own; with the "none" retention
    # policy, what its tests wrote there is gone when the run ends, as after a serial run
    files({"test_t.py": """
        import minitest

        @minitest.mark.parametrize("i", range(20))
        def test_writes(tmp_path, i):
            (tmp_path / "written.txt").write_text(str(i))
    """})
    root = tmp_path / "root"
    root.mkdir()
    result = run("-n", "2", "-p", "no:cache", "-o", "tmp_path_retention_policy=none",
                 env={"MINITEST_DEBUG_TEMPROOT": str(root)})
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=20)
    assert [p for p in root.rglob("written.txt")] == [], result.dump()


def test_each_worker_is_forked_with_its_first_batch(files, run) -> None:
    # --dist loadfile with known durations (tests of 50 ms: two queued at most): each worker takes
    # whole files as it is forked, no more than a share of what is left (two tests here); the first
    # worker then takes the last file, fed before any worker reported
    files({f"test_{name}.py": "import time\n\ndef test_it():\n    time.sleep(0.05)\n" for name in "abcde"})
    first = run("-n", "2", "-q", "--dist", "loadfile")
    assert first.ret == 0, first.dump()
    result = run("-n", "2", "-v", "--dist", "loadfile")
    assert result.ret == 0, result.dump()
    ran = (re.match(r"(\S+)::test_it PASSED \[(gw\d)\]", line) for line in result.lines)
    workers = {m.group(1): m.group(2) for m in ran if m}
    assert workers == {"test_a.py": "gw0", "test_b.py": "gw0", "test_c.py": "gw1", "test_d.py": "gw1",
                       "test_e.py": "gw0"}, result.dump()


def test_forked_workers_without_the_terminal_reporter(files, run) -> None:
    files({"test_t.py": "def test_a(): pass\ndef test_b(): pass\n"})
    result = run("-n", "2", "-p", "no:cache", "-p", "no:terminal")
    assert (result.ret, result.stdout, result.stderr) == (0, "", ""), result.dump()


def test_an_internal_error_in_a_forked_worker_is_the_runs(files, run) -> None:
    files({
        "conftest.py": """
            import os

            def minitest_runtest_logfinish(nodeid, location):
                if os.environ.get("PYTEST_" + "XDIST_WORKER"):  # in the worker, not the controller
                    raise RuntimeError("conftest breaks the worker")
        """,
        "test_i.py": "def test_a(): pass\n",
    })
    result = run("-n", "1", "-p", "no:cache")
    assert result.ret == 3, result.dump()
    result.fnmatch_lines(["*forked after collection*",
                          "INTERNALERROR> * raised RuntimeError in minitest_runtestloop: a worker had an internal error:",
                          "INTERNALERROR> [[]gw0] Traceback (most recent call last):"])
    assert "INTERNALERROR> RuntimeError: conftest breaks the worker" in result.lines, result.dump()


def test_a_long_test_does_not_hold_back_the_tests_queued_behind_it(files, run) -> None:
    # with no durations known, gw0 is given the long test and more after it; once every test was
    # given out, the idle gw1 takes back those gw0 has not started (all but the one right after
    # the long test, which gw0 set it up knowing). The long test waits for them to have run
    # (without the taking back they would wait for it: it fails at its deadline)
    files({"test_a.py": """
        import pathlib
        import time

        import minitest

        DONE = pathlib.Path(__file__).parent / "done"
        FAST = 20

        def test_long():
            deadline = time.monotonic() + 30
            while len(done := [p.name for p in DONE.iterdir() if p.name.isdigit()]) < FAST - 1:
                assert time.monotonic() < deadline, sorted(done)
                time.sleep(0.01)

        @minitest.mark.parametrize("i", range(FAST))
        def test_fast(i):
            (DONE / str(i)).touch()
    """, "done/.keep": ""})
    result = run("-n", "2", "-v", "-p", "no:cacheprovider")
    assert result.ret == 0 and result.outcomes() == {"passed": 21}, result.dump()
    ran_on = dict(re.findall(r"^(test_a\.py::\S+) PASSED \[(gw\d)\]", result.stdout, re.M))
    assert ran_on.pop("test_a.py::test_long") == "gw0" and ran_on.pop("test_a.py::test_fast[0]") == "gw0", \
        result.dump()
    assert set(ran_on.values()) == {"gw1"} and len(ran_on) == 19, result.dump()
