"""Local workers forked from the controller once it has collected (POSIX; :mod:`.forking` says
when). The controller's side is :class:`~.controller_core.Controller`'s — the same scheduling, replay of every
event through this process's hooks, crash reports, replacements and ``-x`` stop — with two
things changed: a worker starts with ``os.fork`` instead of an execnet gateway (and sends no
collection: it has the controller's), and messages travel as batched frames on pipes
(:mod:`.frames`), read with a selector in the main thread, so the controller has no thread and
may fork a replacement at any time.

The worker's side is :class:`~.worker.WorkerPlugin`'s run loop, on the inherited session.
"""

from __future__ import annotations

import os
import selectors
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Generator
from typing import Any, NoReturn

try:
    import fcntl
except ImportError:  # not POSIX: no forked workers either
    fcntl = None  # type: ignore[assignment]

from minitest import hookimpl
from minitest.exitcode import ExitCode
from minitest.fixture_types import TMP_PATH_FACTORY
from minitest.nodes import Session
from minitest.outcomes import Exit
from minitest.reports import PDB_SHOWN, TestReport
from minitest.terminal_api import TERMINAL_LEASE, TERMINAL_REPORTER
from minitest.workers_api import WorkerNode

from .controller_core import _CLOSED, Controller
from .forkguard import ForkGuard
from .forking import (
    CONTROLLER_ONLY,
    CONTROLLER_ONLY_PREFIX,
    DURATIONS_KEY,
    estimated_seconds,
    known_durations,
    refusal_now,
)
from .frames import FrameReader, PipeChannel, encode, write_all
from .handles import WorkerHandle
from .options import CRASH_NOTE, loadscope_reorder, max_batch_option
from .serialize import plain
from .worker import WorkerPlugin, worker_info

#: a test known to take this long goes out before the others (longest first), alone
LONG_TEST_SECONDS = 0.05
#: work a worker keeps queued, and the most sent at once, in estimated seconds: a worker must not
#: run dry while the controller (on a busy machine, sharing the CPUs with the workers) gets its
#: turn to read and reply, and the last batches must stay small enough to balance the end
QUEUED_SECONDS = 0.03
BATCH_SECONDS = 0.06
#: when the run is cut short, how long workers get to end by themselves (a Ctrl-C at the terminal
#: reached them too) before their running test is interrupted
INTERRUPT_AFTER_SECONDS = 1.0
#: while every worker has work queued, the controller reads its pipes at most once a pace. A
#: worker sends a frame as each test starts (the controller must know which test a crash is
#: blamed on); read as it came, each frame woke the controller, which took a core from a worker
#: running tests, for a few messages at a time. Measured on a host busy with other work (so the
#: CPU times vary by more than they change): cpu400 with recorded durations (400 tests of ~2 ms,
#: -n 2) 310-350 wake-ups -> 145-200 and context switches of the whole run 1,335 -> 1,235
#: (medians of 7); 10,000 trivial tests 2,100-3,400 wake-ups -> 100-220. What waits is only
#: replayed later: workers never wait for it (see :meth:`ForkController._may_pace`), and their
#: frames wait in a pipe made big enough for them (:data:`MESSAGE_PIPE_BYTES`)
PACE_SECONDS = 0.01
#: the size asked for each worker's message pipe (Linux; elsewhere the default stays). At ~1 KB
#: per test, a worker running trivial tests fills the default 64 KB within a pace, and would wait
MESSAGE_PIPE_BYTES = 1 << 20


class PopenSpec:
    """``execnet.XSpec("popen")``, the spec of a forked worker (``node.gateway.spec``, the specs of
    ``minitest_xdist_setupnodes``, ``workerinfo["spec"]``), made when something reads it: a forked
    run never imports execnet otherwise. With the spawned workers' modules that import cost ~10 ms
    of a ``-n`` run's start-up (execnet alone 8 ms of ``python -X importtime``, quiet machine)."""

    _spec: Any = None

    def _real(self) -> Any:
        if self._spec is None:
            import execnet

            self._spec = execnet.XSpec("popen")
        return self._spec

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __str__(self) -> str:
        return str(self._real())

    def __repr__(self) -> str:
        return repr(self._real())

    def __eq__(self, other: object) -> bool:
        return bool(self._real() == (other._real() if isinstance(other, PopenSpec) else other))

    def __hash__(self) -> int:
        return hash(self._real())


class ForkGateway:
    """``node.gateway`` of a forked worker: its id and spec, as plugins read them from execnet's."""

    def __init__(self, workerid: str) -> None:
        self.id = workerid
        self.spec = PopenSpec()


class ForkHandle(WorkerHandle):
    """A forked worker: its pid, the pipe its commands go to, the pipe its messages come from."""

    def __init__(self, workerid: str, node: WorkerNode, pid: int, command_fd: int, message_fd: int) -> None:
        super().__init__(workerid, "popen", node.gateway, None, node)
        self.pid = pid
        self.command_fd = command_fd
        self.message_fd = message_fd
        self.reader = FrameReader()
        #: messages read and not yet dispatched (an interrupt may land between two of them)
        self.inbox: deque[Any] = deque()
        self.status: int | None = None

    def close_pipes(self, selector: selectors.BaseSelector | None) -> None:
        """Once: a closed descriptor's number is soon another pipe's. (A forked child passes no
        selector: an epoll set is shared with the parent, unregistering would be the parent's.)"""
        if self.message_fd < 0:
            return
        if selector is not None:
            try:
                selector.unregister(self.message_fd)
            except (KeyError, ValueError):
                pass
        os.close(self.message_fd)
        os.close(self.command_fd)
        self.message_fd = self.command_fd = -1

    def send(self, name: str, **payload: Any) -> None:
        if self.command_fd < 0:
            return
        try:
            write_all(self.command_fd, encode([(name, payload)]))
        except OSError:  # a dead worker's pipe: its end is handled when its messages stop
            pass

    def reap(self, timeout: float) -> int | None:
        """The worker's wait status, waiting up to ``timeout`` seconds; None if it still runs."""
        deadline = time.monotonic() + timeout
        # a worker's pipe closes as it exits, a moment before it can be waited for: the first
        # pauses are short, then doubled up to 10 ms. A fixed 10 ms pause cost every other -n 2
        # run 10 ms at its end, after the last test (cpu400, its _terminate timed: 0.1 or 10.3 ms)
        pause = 0.0005
        while self.status is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid:
                self.status = status
                break
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.01)
        return self.status

    def remote_error(self) -> str | None:
        status = self.reap(1.0)
        if status is None:
            return None
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            return f"the worker process was killed by signal {-code}"
        if code:
            return f"the worker process exited with code {code}"
        return None


def _enlarge_pipe(fd: int) -> None:
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is None:
        return
    try:
        fcntl.fcntl(fd, set_size, MESSAGE_PIPE_BYTES)
    except OSError:  # above /proc/sys/fs/pipe-max-size, or the user's pipe quota: the default stays
        pass


class ForkController(Controller):
    """A distributed run of a session the controller collected, on ``count`` forked workers."""

    def __init__(self, session: Session, count: int) -> None:
        super().__init__(session, ["popen"] * count, [])
        self.selector = selectors.DefaultSelector()
        self.durations = known_durations(self.config)
        self.seen: dict[str, float] = {}
        # what every forked worker's "ready" says of it (same machine, interpreter and folder as
        # this process), asked when a plugin first reads a node's workerinfo, not before the
        # first fork (platform.platform() runs ``uname -p`` in a subprocess, ~6 ms a worker would
        # wait for) nor as a worker is ready (7-14 ms of this process's CPU while the workers run)
        self.workerinfo: dict[str, Any] | None = None
        #: the worker the terminal is lent to (its debugger), those waiting for it, and what the
        #: other workers reported meanwhile
        self.terminal_holder: WorkerHandle | None = None
        self.terminal_queue: list[WorkerHandle] = []
        self.held_back: list[tuple[WorkerHandle, Any]] = []
        #: the mean estimated seconds of a test (recorded durations; minitest's own cost when none)
        self.per_test = 0.0

    def run(self) -> None:
        self.ids = [item.nodeid for item in self.session.items]
        estimates = estimated_seconds(self.ids, self.durations)
        per_test = self.per_test = max(sum(estimates) / max(len(estimates), 1), 1e-6)
        longest = sorted((i for i, s in enumerate(estimates) if s >= LONG_TEST_SECONDS),
                         key=lambda i: -estimates[i]) if self.mode == "load" else []
        low_water = max(2, int(QUEUED_SECONDS / per_test))
        max_batch = max_batch_option(self.config, max(low_water, int(BATCH_SECONDS / per_test)))
        with self.given_basetemp_held():
            # what the workers are to share (per-run fixtures) is set up before the first fork
            self.config.hook.minitest_shared_setup(session=self.session)
            try:
                from .scheduling import Scheduler

                groups = None
                if self.mode == "loadgroup":
                    from .loadgroup import groups_of

                    groups = groups_of(self.session.items)
                self.scheduler = Scheduler(self.ids, self.mode, len(self.specs), low_water=low_water,
                                           max_batch=max_batch, first=longest,
                                           reorder=loadscope_reorder(self.config), groups=groups)
                self._start_workers()
                self._announce(max_batch, longest)
                for handle in self.live():
                    self._feed(handle)
                self._loop(lambda: any(not h.done for h in self.workers))
            except KeyboardInterrupt:
                self._drain()
                raise
            finally:
                self._terminate()
                try:
                    self.config.hook.minitest_shared_teardown(session=self.session)
                finally:
                    self._save_durations()
        self._count_not_run()
        self._raise_stop()

    def _announce(self, max_batch: int, longest: list[int]) -> None:
        n, m = len(self.workers), len(self.ids or [])
        self._write_line(f"created: {n}/{len(self.specs)} worker{'s' if len(self.specs) != 1 else ''}")
        self._write_line(f"{n} worker{'s' if n != 1 else ''} [{m} item{'s' if m != 1 else ''}]")
        order = f", the {len(longest)} longest known first" if longest else ""
        self._write_line(f"forked after collection; scheduling: {self.mode}, batches of up to {max_batch}{order}")
        reporter = self.config.stash.get(TERMINAL_REPORTER, None)
        if reporter is not None:
            reporter.set_show_file_names(False)  # lines from several workers: as with spawned ones

    # -- starting workers ----------------------------------------------------------------------
    def _start_workers(self) -> None:
        self.config.hook.minitest_xdist_setupnodes(config=self.config, specs=[PopenSpec() for _ in self.specs])
        for _ in self.specs:
            self._fork(self._new_id())

    def _start_worker(self, spec: str) -> WorkerHandle:
        """A replacement for a crashed worker: forked like the first ones."""
        reason = refusal_now(self.config)
        if reason is not None:
            raise RuntimeError(f"cannot fork a replacement: {reason}")
        return self._fork(self._new_id())

    def _fork(self, workerid: str) -> ForkHandle:
        args = [str(a) for a in self.config.invocation_params.args]
        node = WorkerNode(self.config, ForkGateway(workerid), {
            "workerid": workerid, "workercount": len(self.specs), "testrunuid": self.testrunuid, "mainargv": args,
        }, self.nodemanager)
        self.config.hook.minitest_configure_node(node=node)
        command_read, command_write = os.pipe()
        message_read, message_write = os.pipe()
        _enlarge_pipe(message_write)
        # its first batch goes with it, not as a "run" message after the fork: a message would
        # reach it only once the controller forked every other worker and printed the header
        # lines, and then only through its command thread's turn at the GIL
        first = self.scheduler.take(0) if self.scheduler is not None else []
        sys.stdout.flush()  # or the child's copy of unwritten output would be written twice
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(command_write)
            os.close(message_read)
            for other in self.workers:
                if isinstance(other, ForkHandle):
                    other.close_pipes(None)
            os.close(self.selector.fileno())  # the child's copy; close() would touch the set
            run_child(self.session, node, command_read, message_write, first)
        os.close(command_read)
        os.close(message_write)
        handle = ForkHandle(workerid, node, pid, command_write, message_read)
        handle.ids = self.ids  # it has the controller's collection
        handle.pending.extend(first)
        self.selector.register(message_read, selectors.EVENT_READ, handle)
        self.workers.append(handle)
        return handle

    def _worker_ready(self, handle: WorkerHandle, info: dict[str, Any] | None) -> None:
        if info is not None:
            super()._worker_ready(handle, info)
            return
        workerid, spec = handle.id, handle.gateway.spec
        handle.node.set_workerinfo_source(lambda: {**self._own_workerinfo(), "id": workerid, "spec": spec})
        self.config.hook.minitest_testnodeready(node=handle.node)

    def _own_workerinfo(self) -> dict[str, Any]:
        if self.workerinfo is None:
            self.workerinfo = worker_info()
        return self.workerinfo

    # -- the terminal, lent to a worker that debugs -----------------------------------------------
    def _dispatch(self, handle: WorkerHandle, message: Any) -> None:
        name = message[0] if isinstance(message, tuple) else None
        if name == "terminal":
            self._terminal_asked(handle, bool(message[1].get("held")))
            return
        holder = self.terminal_holder
        if holder is not None and handle is not holder:
            self.held_back.append((handle, message))  # shown once the terminal is given back
            return
        super()._dispatch(handle, message)
        if message is _CLOSED:
            if handle in self.terminal_queue:
                self.terminal_queue.remove(handle)
            if handle is self.terminal_holder:  # it died at the debugger's prompt
                self._terminal_asked(handle, False)

    def _terminal_asked(self, handle: WorkerHandle, held: bool) -> None:
        if held:
            if self.terminal_holder is None:
                self._lend_terminal(handle)
            else:
                self.terminal_queue.append(handle)
            return
        if handle is not self.terminal_holder:
            return
        self.terminal_holder = None
        held_back, self.held_back = self.held_back, []
        for other, message in held_back:
            self._dispatch(other, message)
        if self.terminal_queue and self.terminal_holder is None:
            self._lend_terminal(self.terminal_queue.pop(0))

    def _lend_terminal(self, handle: WorkerHandle) -> None:
        """The worker alone writes to the terminal and reads from it until it gives it back; what
        its test reported so far is shown first (a serial run shows the F before the debugger)."""
        self.terminal_holder = handle
        if handle.buffer:
            events, handle.buffer = handle.buffer, []
            for event in events:
                self._replay(handle, event)
        reporter = self._reporter()
        if reporter is not None:
            reporter.writer.flush()
        sys.stdout.flush()
        handle.send("terminal_granted")

    # -- the event loop ------------------------------------------------------------------------
    def _loop(self, keep_going: Any) -> None:
        while keep_going():
            if self.stop_deadline is not None and time.monotonic() > self.stop_deadline:
                for handle in self.live():
                    self._write_line(f"[{handle.id}] did not stop in time: killed", yellow=True)
                    handle.done = True
                    self._node_down(handle, "did not stop in time: killed")
                return
            if self._read_ready(0.5, closed=True) and self._may_pace():
                time.sleep(PACE_SECONDS)

    def _may_pace(self) -> bool:
        """Whether the next read may wait: no worker could run out of work meanwhile (each has at
        least two paces of estimated work it was given; a worker that is low is fed, or takes work
        back, as soon as it says so), none asks for the terminal or holds it, no stop is under way."""
        if self.stopping or self.terminal_holder is not None or self.terminal_queue or self.per_test <= 0:
            return False
        enough = max(3, int(2 * PACE_SECONDS / self.per_test) + 1)
        return all(len(h.pending) >= enough for h in self.workers if not h.done and not h.finished)

    def _read_ready(self, timeout: float, closed: bool) -> bool:
        """Dispatch what the workers' pipes hold (waiting up to ``timeout`` for something); a
        closed pipe is dispatched as the worker's end if ``closed``. False if nothing was ready."""
        ready = self.selector.select(timeout=timeout)
        for key, _ in ready:
            handle = key.data
            try:
                chunk = os.read(key.fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                handle.close_pipes(self.selector)
                if closed:
                    self._dispatch(handle, _CLOSED)
                continue
            handle.inbox.extend(handle.reader.feed(chunk))
            self._dispatch_inbox(handle)
        return bool(ready)

    def _dispatch_inbox(self, handle: ForkHandle) -> None:
        # one message at a time off the inbox: a Ctrl-C during one leaves the others for _drain
        inbox = handle.inbox
        while inbox:
            self._dispatch(handle, inbox.popleft())

    def _drain(self, seconds: float = 0.5) -> None:
        """Ctrl-C: report what the workers finished before it, as a serial run reports the tests
        that ran before its interrupt. Their messages may still wait in the pipes (a worker starts
        its first tests as it is forked, before this process reads anything): what is there now is
        read and shown, nothing more is waited for. A worker's end is left to :meth:`_terminate`
        (the interrupt ended its test: no crash to report)."""
        deadline = time.monotonic() + seconds
        try:
            for handle in self.workers:
                if isinstance(handle, ForkHandle):
                    self._dispatch_inbox(handle)
            while time.monotonic() < deadline and self._read_ready(0, closed=False):
                pass
        except Exception:  # noqa: BLE001 - best effort: the interrupt is what the run ends with
            return

    def _replay(self, handle: WorkerHandle, event: tuple[str, dict[str, Any]]) -> None:
        name, payload = event
        if name == "pdbshown":
            # the worker's debugger showed this failure: the FAILURES section does not repeat it
            report = handle.last_report
            if report is not None and (report.nodeid, report.when) == (payload["nodeid"], payload["when"]):
                setattr(report, PDB_SHOWN, True)
            return
        if name == "logreport":
            data = payload["report"]
            nodeid, duration = data.get("nodeid"), data.get("duration")
            if isinstance(nodeid, str) and isinstance(duration, (int, float)):
                self.seen[nodeid] = self.seen.get(nodeid, 0.0) + float(duration)
        super()._replay(handle, event)

    def _terminate(self) -> None:
        # the loop ends when every worker is done, unless it was cut short (Ctrl-C, an error
        # here): a worker still running is told to stop. A Ctrl-C at the terminal reached the
        # workers too, and each is already ending its test and tearing down its fixtures: a
        # second interrupt now would cut that teardown short. Those still running a moment later
        # (Ctrl-C sent to this process alone, an error here) have their test interrupted and are
        # killed after the grace period
        running = [handle for handle in self.workers if not handle.done]
        for handle in running:
            handle.shutdown_sent = True
            handle.send("stop")
        settle = time.monotonic() + INTERRUPT_AFTER_SECONDS
        for handle in running:
            assert isinstance(handle, ForkHandle)
            if handle.reap(max(settle - time.monotonic(), 0.0)) is None:
                handle.send("stop", interrupt=True)
        deadline = time.monotonic() + 2.0
        for handle in self.workers:
            assert isinstance(handle, ForkHandle)
            if handle.reap(max(deadline - time.monotonic(), 0.0)) is None:
                try:
                    os.kill(handle.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                handle.reap(1.0)
            handle.done = True
            handle.close_pipes(self.selector)
            self._node_down(handle, handle.error or "terminated")
        self.selector.close()

    def _save_durations(self) -> None:
        """What each test took (all phases), for the next run's batches, order and ``-n auto``."""
        cache: Any = getattr(self.config, "cache", None)
        if cache is None or not self.seen:
            return
        merged = dict(self.durations)
        merged.update((k, round(v, 6)) for k, v in self.seen.items())
        cache.set(DURATIONS_KEY, merged)


class ForkedTerminalLease:
    """The terminal, which a forked worker shares with the controller and the other workers
    (:class:`minitest.terminal_api.TerminalLease`): the worker asks the controller for it and
    waits for its answer; the controller holds everyone else's output until it is given back."""

    def __init__(self, plugin: ForkedWorkerPlugin) -> None:
        self.plugin = plugin
        self.depth = 0
        self.granted = threading.Event()

    def acquire(self) -> None:
        self.depth += 1
        if self.depth == 1:
            self.granted.clear()
            self.plugin.send("terminal", held=True)
            self.granted.wait()  # as long as another worker debugs: the user is at the terminal

    def release(self) -> None:
        if self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            sys.stdout.flush()  # what the debugger wrote comes before anything the others wrote
            sys.stderr.flush()
            self.plugin.send("terminal", held=False)

    def release_all(self) -> None:
        """At the end of a test: a debugger left without ``continue`` gives the terminal back."""
        if self.depth:
            self.depth = 1
            self.release()


class ForkedWorkerPlugin(WorkerPlugin):
    """The worker's plugin, with the channel's buffer sent before the worker waits for work (the
    controller sends more when it hears the last tests finished), and the terminal's lease."""

    def __init__(self, channel: PipeChannel, init: dict[str, Any]) -> None:
        super().__init__(channel, init)
        self.lease = ForkedTerminalLease(self)

    def send(self, name: str, **payload: Any) -> None:
        # the pipe channel takes its own lock: one lock per message, not two (five messages a test)
        self.channel.send((name, payload))

    def on_command(self, message: Any) -> None:
        if isinstance(message, tuple) and message[0] == "terminal_granted":
            self.lease.granted.set()
            return
        if not isinstance(message, tuple) or message[0] == "closed":
            self.lease.granted.set()  # no controller to wait for
        super().on_command(message)

    def minitest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.lease.release_all()
        super().minitest_runtest_logfinish(nodeid, location)

    @hookimpl(wrapper=True)
    def minitest_exception_interact(self, node: Any, call: Any, report: Any) -> Generator[None, None, None]:
        try:
            return (yield)
        finally:
            if hasattr(report, PDB_SHOWN) and isinstance(report, TestReport):
                self.send("pdbshown", nodeid=report.nodeid, when=report.when)

    def _take_commands(self, block: bool) -> None:
        if block:
            self.channel.flush()
        super()._take_commands(block)


def run_child(session: Session, node: WorkerNode, command_fd: int, message_fd: int,
              first: list[int]) -> NoReturn:
    """The forked worker's main: run ``first`` (the item indexes it was given as it was forked),
    then what the controller sends, then leave without running the controller's exit handlers
    (``os._exit``)."""
    code = 1
    try:
        code = _child(session, node, command_fd, message_fd, first)
    except BaseException:  # noqa: BLE001 - whatever it is, the controller must hear of it
        try:
            text = traceback.format_exc()
            write_all(message_fd, encode([("internalerror", {"text": text})]))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def _private_temporary_files() -> None:
    """Give this worker its own copy of every unlinked temporary file it inherited.

    A forked process shares its parent's open files, offsets included. The capture plugin's
    ``TemporaryFile`` (the fd capture's target) would be written, rewound and truncated by every
    worker at once, mixing their tests' output ("\nome output" for "some output\n" was seen). An
    unlinked file can only be reached through inherited descriptors, so each gets a private file
    with the same content and offset, on the same descriptor number: whoever holds it sees no
    change."""
    import stat
    import tempfile

    fd_dir = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    try:
        fds = [int(name) for name in os.listdir(fd_dir)]
    except OSError:
        return
    for fd in fds:
        try:
            info = os.fstat(fd)
        except OSError:
            continue  # the listing's own descriptor, closed by now
        if not stat.S_ISREG(info.st_mode) or info.st_nlink != 0:
            continue
        try:
            offset = os.lseek(fd, 0, os.SEEK_CUR)
            with tempfile.TemporaryFile(buffering=0) as copy:
                position = 0
                while chunk := os.pread(fd, 1 << 16, position):
                    copy.write(chunk)
                    position += len(chunk)
                os.dup2(copy.fileno(), fd, inheritable=os.get_inheritable(fd))
            os.lseek(fd, offset, os.SEEK_SET)
        except OSError:
            # not ours to replace: valgrind lists its own descriptors in /proc/self/fd and refuses
            # dup2 onto them (EBADF); such a file stays shared, as every file a worker inherits
            continue


def _child(session: Session, node: WorkerNode, command_fd: int, message_fd: int, first: list[int]) -> int:
    # standard input and output stay the controller's, as in a serial run: what a test writes
    # with -s (or in capsys.disabled()) reaches the terminal as it is written, before the
    # controller shows the test's result (a spawned worker forwards it: .output), and the debugger
    # reads the terminal, once the controller lent it (ForkedTerminalLease). While a test runs,
    # capture puts /dev/null on standard input, as without workers
    try:
        sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass
    _private_temporary_files()
    config = session.config
    pm = config.pluginmanager
    for name, _plugin in list(pm.list_name_plugin()):
        if name in CONTROLLER_ONLY or name.startswith(CONTROLLER_ONLY_PREFIX):
            pm.unregister(name=name)
    if TERMINAL_REPORTER in config.stash:
        del config.stash[TERMINAL_REPORTER]  # a spawned worker has none: plugins skip their output
    workerid = str(node.workerinput["workerid"])
    init = {"workerid": workerid, "workercount": node.workerinput["workercount"],
            "testrunuid": node.workerinput["testrunuid"]}
    channel = PipeChannel(command_fd, message_fd)
    plugin = ForkedWorkerPlugin(channel, init)
    os.environ["PYTEST_XDIST_WORKER"] = workerid
    os.environ["PYTEST_XDIST_WORKER_COUNT"] = str(init["workercount"])
    os.environ["PYTEST_XDIST_TESTRUNUID"] = str(init["testrunuid"])
    config.workerinput = dict(node.workerinput)  # type: ignore[attr-defined]
    workeroutput: dict[str, Any] = {}
    config.workeroutput = workeroutput  # type: ignore[attr-defined]
    config.option.dist = "no"
    config.option.numprocesses = None
    config.stash[CRASH_NOTE] = plugin.note_crash
    config.stash[TERMINAL_LEASE] = plugin.lease
    pm.register(plugin, "parallel.worker")
    pm.register(ForkGuard(), "parallel-forkguard")  # a test's forked child that falls through
    factory = config.stash.get(TMP_PATH_FACTORY, None)
    if factory is not None:  # --basetemp DIR: this worker's is DIR/popen-gwN
        config.stash[TMP_PATH_FACTORY] = factory.for_worker(workerid)
    plugin.session = session
    plugin.config = config
    plugin.todo.extend(first)
    channel.setcallback(plugin.on_command, endmarker=("closed", {}))
    plugin.send("ready", workerinfo=None)  # the controller's own: ForkController._dispatch
    try:
        plugin.minitest_runtestloop(session)
        exitstatus = ExitCode.TESTS_FAILED if session.testsfailed else ExitCode.OK
    except KeyboardInterrupt:
        # the controller's interrupt (-x elsewhere: .worker.interrupt_main_thread) or Ctrl-C: the
        # running test's fixtures were torn down on the way out, as a spawned worker's session ends
        exitstatus = ExitCode.INTERRUPTED
    except Exit as exc:
        # the debugger's quit, or minitest.exit() in a test: the whole run ends, as a serial one
        plugin.send("exit", reason=str(exc.msg), returncode=exc.returncode)
        exitstatus = ExitCode.INTERRUPTED
    config.hook.minitest_sessionfinish(session=session, exitstatus=exitstatus)
    workeroutput.setdefault("exitstatus", exitstatus)
    worker_factory = config.stash.get(TMP_PATH_FACTORY, None)
    if worker_factory is not None and worker_factory is not factory:
        worker_factory.release()  # what unconfigure does in a spawned worker (this one never configured)
    sys.stdout.flush()
    plugin.send("finished", exitstatus=exitstatus, workeroutput=plain(workeroutput))
    channel.flush()
    return 0
