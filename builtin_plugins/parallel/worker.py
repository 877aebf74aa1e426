"""The worker's side: build a Config from the controller's arguments, collect, then run the items
the controller sends, forwarding every report as plain data.

Messages are ``(name, payload-dict)`` tuples. From the controller: ``("run", {"indexes": [...]})``,
``("shutdown", {})`` (no more work: finish what you have), ``("steal", {"count": n})`` (give back up
to ``n`` of the items not started, from the end of the queue, answered with ``returned``, at once,
even during a long test) and ``("stop", {})`` (``-x``: finish the current item and end). To the
controller: ``collected``, ``collectreport``, ``deselected``,
``logstart``, ``logreport``, ``logfinish``, ``warning``, ``slow`` (``minitest_runtest_slow``, sent
from the slow builtin's watch thread while the test runs), ``crashnote``, ``internalerror``,
``usageerror``, ``returned``, ``ready`` (with the worker's ``workerinfo``, when its session starts) and finally
``finished`` (with the exit status and ``config.workeroutput``).
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from collections import deque
from collections.abc import Generator, Sequence
from typing import Any

from minitest import hookimpl
from minitest.config import Config, UsageError
from minitest.nodes import Item, Session
from minitest.reports import CollectReport, TestReport

from .forkguard import ForkGuard
from .options import CRASH_NOTE
from .output import OutputForwarder
from .serialize import plain, warning_to_data

#: put in the command queue when the controller's channel closes
_CLOSED: tuple[str, dict[str, object]] = ("closed", {})


class WorkerPlugin:
    """Registered in the worker's plugin manager: forwards events, runs what it is sent."""

    def __init__(self, channel: Any, init: dict[str, Any]) -> None:
        self.channel = channel
        self.workerid: str = init["workerid"]
        #: send each item's xdist_group with the collected ids (--dist loadgroup)
        self.send_groups = bool(init.get("groups"))
        self.commands: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.config: Config | None = None
        self.session: Session | None = None
        self.todo: deque[int] = deque()
        #: held while the main loop takes its next item and while a steal takes items back: the
        #: item after the running one (its ``nextitem``, which decides its teardown) is never given
        self.todo_lock = threading.Lock()
        self.shutdown = False
        self.stopped = False
        #: between a test's logstart and logfinish (what a "stop" with interrupt cuts short)
        self.in_test = False
        # messages also go out from other threads (the slow watch, the timeout watchdog): one at a time
        self._send_lock = threading.Lock()

    def send(self, name: str, **payload: Any) -> None:
        with self._send_lock:
            self.channel.send((name, payload))

    def on_command(self, message: Any) -> None:
        """execnet's receiver thread: queue the command for the main loop."""
        if message is _CLOSED or not isinstance(message, tuple):
            message = _CLOSED
        name = message[0]
        if name == "run":
            # queued at once, not by the main loop between tests: a steal that follows takes back
            # what the controller counted as this worker's, in the controller's order
            with self.todo_lock:
                self.todo.extend(message[1]["indexes"])
            message = ("run", {"indexes": []})  # still wakes the main loop if it waits for work
        elif name == "steal":
            self.give_back(int(message[1]["count"]))
            return
        if name in ("stop", "closed") and self.session is not None:
            # seen by minitest.protocol.run_phases before the current item's teardown: tear everything down now
            self.session.shouldstop = "stopped by the controller"
            if name == "stop" and message[1].get("interrupt") and self.in_test:
                # -x / --maxfail elsewhere: a serial run would not have started this test, so it
                # ends now (KeyboardInterrupt) instead of running to its end; fixtures are torn down
                interrupt_main_thread()
        self.commands.put(message)

    def give_back(self, count: int) -> None:
        """Up to ``count`` items not started, from the end of the queue, back to the controller
        (another worker ran out of work). The first queued item stays: the running item was set
        up knowing it comes next."""
        with self.todo_lock:
            given = [self.todo.pop() for _ in range(min(count, len(self.todo) - 1))]  # none of an empty queue
        given.reverse()
        self.send("returned", indexes=given)

    def note_crash(self, nodeid: str, text: str) -> None:
        """Tell the controller why this process is about to die (the timeout plugin's last words)."""
        self.send("crashnote", nodeid=nodeid, text=text)

    def minitest_sessionstart(self, session: Session) -> None:
        self.session = session
        self.config = session.config
        self.send("ready", workerinfo=worker_info())

    @hookimpl(wrapper=True, tryfirst=True)
    def minitest_sessionfinish(self, session: Session, exitstatus: int) -> Generator[None, None, None]:
        # what pytest-xdist puts in workeroutput before the other implementations run
        output = getattr(session.config, "workeroutput", None)
        if isinstance(output, dict):
            output["exitstatus"] = int(exitstatus)
            output["shouldfail"] = session.shouldfail
            output["shouldstop"] = session.shouldstop
        return (yield)

    # -- collection ----------------------------------------------------------------------------
    def minitest_collectreport(self, report: CollectReport) -> None:
        if not report.passed:  # passed collectors are of no interest to the controller
            self.send("collectreport", report=self._serialize(report))

    def minitest_deselected(self, items: Sequence[Item]) -> None:
        self.send("deselected", nodeids=[item.nodeid for item in items])

    @hookimpl(trylast=True)
    def minitest_collection_finish(self, session: Session) -> None:
        groups = None
        if self.send_groups:  # --dist loadgroup: the controller has no items to read them from
            from .loadgroup import groups_of

            groups = groups_of(session.items)
        self.send("collected", ids=[item.nodeid for item in session.items], groups=groups)

    # -- running -------------------------------------------------------------------------------
    def minitest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.in_test = True
        self.send("logstart", nodeid=nodeid, location=list(location))

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        self.send("logreport", report=self._serialize(report))

    def minitest_runtest_logfinish(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.in_test = False
        self.send("logfinish", nodeid=nodeid, location=list(location))

    def minitest_runtest_slow(self, nodeid: str, location: tuple[str, int | None, str], seconds: float) -> None:
        # called from the slow builtin's watch thread: the controller shows it at once
        self.send("slow", nodeid=nodeid, location=list(location), seconds=float(seconds))

    def minitest_warning_recorded(self, warning_message: Any, when: str, nodeid: str, location: Any) -> None:
        if when == "config":
            return  # the controller, configured the same way, issued it too: counted once
        loc = list(location) if isinstance(location, (tuple, list)) else None
        self.send("warning", warning=warning_to_data(warning_message), when=when, nodeid=nodeid, location=loc)

    def minitest_internalerror(self, excrepr: str) -> bool:
        self.send("internalerror", text=str(excrepr))
        return True

    def _serialize(self, report: TestReport | CollectReport) -> dict[str, Any]:
        assert self.config is not None
        return self.config.hook.minitest_report_to_serializable(config=self.config, report=report)

    @hookimpl(tryfirst=True)
    def minitest_runtestloop(self, session: Session) -> bool:
        """Run the items the controller sends, in order, until told there is no more."""
        items = session.items
        while True:
            self._take_commands(block=False)
            if self.stopped:
                break
            with self.todo_lock:
                # the next item must be known: it decides which fixtures this one tears down
                ready = len(self.todo) >= 2 or (self.shutdown and len(self.todo) > 0)
                if ready:
                    item = items[self.todo.popleft()]
                    nextitem = items[self.todo[0]] if self.todo else None
            if ready:
                item.ihook.minitest_runtest_protocol(item=item, nextitem=nextitem)
                if session.shouldfail or session.shouldstop:
                    break
                continue
            if self.shutdown:
                break
            self._take_commands(block=True)
        return True

    def _take_commands(self, block: bool) -> None:
        while True:
            try:
                name, payload = self.commands.get(block=block)
            except queue.Empty:
                return
            block = False
            # "run": only a wake-up, its items were queued as it came (on_command)
            if name == "shutdown":
                self.shutdown = True
            elif name in ("stop", "closed"):
                self.stopped = True
                with self.todo_lock:
                    self.todo.clear()


def interrupt_main_thread() -> None:
    """Raise KeyboardInterrupt in the main thread, which runs the tests, even inside a sleep or a
    blocking call (a real SIGINT to that thread; ``interrupt_main`` only where there is none)."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
    else:  # pragma: no cover - Windows
        import _thread

        _thread.interrupt_main()


def worker_info() -> dict[str, Any]:
    """What the controller's plugins learn of this worker (pytest-xdist's ``workerinfo``)."""
    # imported here: ~1 ms of a forked run's serial start, before the first fork (-X importtime);
    # a forked run asks for this once its first worker is ready
    import platform

    return {
        "version": sys.version, "version_info": tuple(sys.version_info), "sysplatform": sys.platform,
        "platform": platform.platform(), "executable": sys.executable, "cwd": os.getcwd(),
    }


def run_worker(channel: Any, init: dict[str, Any]) -> None:
    """The worker's main: a whole minitest session whose run loop is driven by the controller."""
    from minitest.cli import prepare_config
    from minitest.pluginmanager import ConftestImportFailure

    plugin = WorkerPlugin(channel, init)
    channel.setcallback(plugin.on_command, endmarker=_CLOSED)
    output = OutputForwarder(plugin.send)  # print() in a test reaches the controller's terminal
    output.start()
    # the names pytest-xdist uses, so suites that look for them behave the same
    os.environ["PYTEST_XDIST_WORKER"] = init["workerid"]
    os.environ["PYTEST_XDIST_WORKER_COUNT"] = str(init["workercount"])
    os.environ["PYTEST_XDIST_TESTRUNUID"] = init["testrunuid"]
    try:
        config = prepare_config(init["args"], plugins=[plugin])
        config.pluginmanager.register(ForkGuard(), "parallel-forkguard")
    except (UsageError, ConftestImportFailure) as exc:
        plugin.send("usageerror", text=str(exc))
        return
    # what the controller's plugins put in ``node.workerinput`` (minitest_configure_node)
    config.workerinput = init.get("workerinput") or {  # type: ignore[attr-defined]
        "workerid": init["workerid"], "workercount": init["workercount"],
        "testrunuid": init["testrunuid"], "mainargv": list(init["args"]),
    }
    workeroutput: dict[str, Any] = {}
    config.workeroutput = workeroutput  # type: ignore[attr-defined]
    # the run stays in this process: plugins reading the options see it so (as pytest-xdist sets them)
    config.option.dist = "no"
    config.option.numprocesses = None
    # --basetemp DIR: each worker empties and fills its own DIR/popen-gwN (as pytest-xdist), never
    # another's live tmp_path
    basetemp = config.getoption("basetemp", None)
    if basetemp:
        config.option.basetemp = os.path.join(str(basetemp), f"popen-{init['workerid']}")
    config.stash[CRASH_NOTE] = plugin.note_crash
    # the controller writes the terminal output: the worker's reporter is never created
    config.pluginmanager.set_blocked("terminalreporter")
    try:
        code = config.hook.minitest_cmdline_main(config=config)
    except UsageError as exc:
        plugin.send("usageerror", text=str(exc))
        return
    finally:
        config.ensure_unconfigure()
        sys.stdout.flush()
    workeroutput.setdefault("exitstatus", int(code or 0))
    output.stop()  # the last output before the end
    plugin.send("finished", exitstatus=int(code or 0), workeroutput=plain(workeroutput))
