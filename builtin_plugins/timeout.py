"""Builtin plugin ``timeout``: fail a test that runs longer than allowed, showing where every thread
was when time ran out.

The limit comes from ``@minitest.mark.timeout(seconds, method=...)`` (or pytest's mark of the same
name), else ``--timeout``, else the ``timeout`` ini value; 0 means none. It covers the whole
protocol of the item (setup, call and teardown), as pytest-timeout does by default.

Methods (``--timeout-method`` / ``timeout_method`` ini / the mark's ``method``):

* ``signal`` (the default on POSIX in the main thread): ``SIGALRM`` interrupts the test where it
  is, even inside ``time.sleep``; the test fails with "Timeout after Ns" and the run continues.
* ``thread``: a watchdog thread raises the failure in the test's thread; code stuck in C (a
  blocking call) cannot be interrupted that way, so after a grace period the process ends with
  ``os._exit`` — under ``-n`` the controller reports the test as crashed (with the stacks) and starts a
  new worker; in a run without workers, the run ends (as with pytest-timeout).
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # the C module: cheap at start-up (``signal`` builds enums)
import os
import sys
import threading
import traceback
from collections.abc import Callable, Generator
from types import FrameType

from minitest import hookimpl
from minitest.capture_api import CAPTURE_CONTROL
from minitest.config import Config, Parser, UsageError
from minitest.index_api import index_safe
from minitest.nodes import Item
from minitest.outcomes import Failed
from minitest.stash import StashKey
from minitest.terminal_api import TERMINAL_REPORTER

#: how long the thread method waits for an interrupted test to give up before ending the process
THREAD_GRACE_SECONDS = 1.0
_METHODS = ("signal", "thread")
#: source directories of minitest, its builtins and pluggy (left out of the stacks shown)
_RUNNER_DIRS = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (__file__, sys.modules["minitest"].__file__ or "", sys.modules["pluggy"].__file__ or "")
)


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("timeout", "per-test timeouts")
    group.addoption("--timeout", dest="timeout", default=None, metavar="SECONDS",
                    help="fail a test that takes longer than SECONDS (0: no limit); "
                         "the mark timeout(seconds) overrides it per test")
    group.addoption("--timeout-method", dest="timeout_method", default=None, choices=_METHODS,
                    help="how a test is stopped: signal (SIGALRM, the default where available) or thread "
                         "(a watchdog; ends the process if the test cannot be interrupted)")
    parser.addini("timeout", "the default per-test timeout in seconds (0: none)", default="")
    parser.addini("timeout_method", "signal or thread", default="")


def minitest_configure(config: Config) -> None:
    config.addinivalue_line(
        "markers", "timeout(seconds, method=None): fail the test if it runs longer than seconds "
                   "(method: signal or thread)")
    # a bad value should stop the run before any test, not fail each one
    option = _seconds(config.getoption("timeout", None), "--timeout")
    ini = _seconds(config.getini("timeout") or None, "timeout ini value")
    if option or ini:
        _ensure_guard(config)


def _seconds(value: object, what: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UsageError(f"{what}: expected a number of seconds, got {value!r}") from None
    return seconds if seconds > 0 else None


def timeout_settings(item: Item) -> tuple[float, str] | None:
    """``(seconds, method)`` for ``item``, or None when it has no time limit."""
    config = item.config
    marker = item.get_closest_marker("timeout")
    seconds: float | None
    method = None
    if marker is not None:
        raw = marker.args[0] if marker.args else marker.kwargs.get("timeout", marker.kwargs.get("seconds"))
        seconds = _seconds(raw, f"timeout mark of {item.nodeid}")
        method = marker.kwargs.get("method") or (marker.args[1] if len(marker.args) > 1 else None)
    else:
        seconds = _seconds(config.getoption("timeout", None), "--timeout")
        if seconds is None:
            seconds = _seconds(config.getini("timeout") or None, "timeout ini value")
    if seconds is None:
        return None
    method = method or config.getoption("timeout_method", None) or config.getini("timeout_method") or None
    if method is None:
        method = "signal" if _signal_usable() else "thread"
    if method not in _METHODS:
        raise UsageError(f"timeout method must be one of {', '.join(_METHODS)}, got {method!r}")
    if method == "signal" and not _signal_usable():
        method = "thread"  # not the main thread (or no SIGALRM): the only method that works here
    return seconds, str(method)


def _signal_usable() -> bool:
    import signal  # only when a timeout applies: the module builds its enums on import

    return hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()


def format_seconds(seconds: float) -> str:
    return f"{seconds:g}s"


def all_stacks(skip_thread: int | None = None, main_frame: FrameType | None = None) -> str:
    """Every thread's stack (``main_frame`` stands for the main thread's when given)."""
    names = {t.ident: t.name for t in threading.enumerate()}
    main_ident = threading.main_thread().ident
    parts = []
    for ident, frame in sys._current_frames().items():
        if ident == skip_thread:
            continue
        if ident == main_ident and main_frame is not None:
            frame = main_frame
        parts.append(f"~~~~~~~~ Stack of {names.get(ident, 'unknown thread')} ({ident}) ~~~~~~~~")
        parts.append("".join(traceback.format_list(_user_frames(traceback.extract_stack(frame)))).rstrip())
    return "\n".join(parts)


def _user_frames(frames: traceback.StackSummary) -> list[traceback.FrameSummary]:
    """The frames of the test and its code: the runner's own frames say nothing about the hang."""
    skipped = _RUNNER_DIRS
    execnet = sys.modules.get("execnet")  # a worker's own machinery
    if execnet is not None and execnet.__file__:
        skipped += (os.path.dirname(os.path.abspath(execnet.__file__)) + os.sep,)
    kept = [f for f in frames if not f.filename.startswith(skipped) and not f.filename.startswith("<")]
    return kept or list(frames)


class TimeoutGuard:
    """Arms a timer around each test's protocol. Registered only when some test can time out (a
    timeout option or ini value, or a collected test with a timeout mark), so a run without
    timeouts pays nothing per test."""

    @hookimpl(wrapper=True)
    def minitest_runtest_protocol(self, item: Item) -> Generator[None, object, object]:
        settings = timeout_settings(item)
        if settings is None:
            return (yield)
        seconds, method = settings
        arm = _arm_signal if method == "signal" else _arm_thread
        disarm = arm(item, seconds)
        try:
            return (yield)
        finally:
            disarm()


#: the guard once registered: this plugin's own record, so it is registered at most once per run
_GUARD = StashKey[TimeoutGuard]()


def _ensure_guard(config: Config) -> None:
    if _GUARD not in config.stash:
        guard = TimeoutGuard()
        config.stash[_GUARD] = guard
        config.pluginmanager.register(guard, "timeout-guard")


@hookimpl(trylast=True)
@index_safe  # looks at the selected items only
def minitest_collection_modifyitems(config: Config, items: list[Item]) -> None:
    if any(item.get_closest_marker("timeout") is not None for item in items):
        _ensure_guard(config)


def _message(seconds: float, stacks: str) -> str:
    return f"Timeout after {format_seconds(seconds)}\n\n{stacks}"


# the runner's own references, taken at start-up: a test that replaces signal.signal or
# signal.setitimer (and does not put them back) must not disarm the next test's timeout
_SIGNAL = getattr(_signal, "signal", None)
_SETITIMER = getattr(_signal, "setitimer", None)


def _arm_signal(item: Item, seconds: float) -> Callable[[], None]:
    assert _SIGNAL is not None and _SETITIMER is not None  # _signal_method_available() said so

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        __tracebackhide__ = True
        raise Failed(_message(seconds, all_stacks(main_frame=frame)))

    previous = _SIGNAL(_signal.SIGALRM, on_alarm)
    _SETITIMER(_signal.ITIMER_REAL, seconds)

    def disarm() -> None:
        _SETITIMER(_signal.ITIMER_REAL, 0)
        _SIGNAL(_signal.SIGALRM, previous)

    return disarm


def _arm_thread(item: Item, seconds: float) -> Callable[[], None]:
    import ctypes  # only this method needs it; not paid for at start-up

    target = threading.get_ident()
    finished = threading.Event()
    lock = threading.Lock()  # the interrupt is raised only while the test is still running

    def watchdog() -> None:
        if finished.wait(seconds):
            return
        text = _message(seconds, all_stacks(skip_thread=threading.get_ident()))

        class Timeout(Failed):
            """Raised asynchronously in the test's thread (the class carries the message)."""

            def __init__(self) -> None:
                super().__init__(text)

        # reported like the signal method's failure ("Failed: Timeout after 1s")
        Timeout.__name__ = Timeout.__qualname__ = Failed.__name__
        Timeout.__module__ = Failed.__module__

        with lock:
            if finished.is_set():
                return
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(Timeout))
        if finished.wait(THREAD_GRACE_SECONDS):
            return
        _end_process(item, text)

    thread = threading.Thread(target=watchdog, name=f"timeout watchdog {item.nodeid}", daemon=True)
    thread.start()

    def disarm() -> None:
        with lock:
            finished.set()
        # an interrupt raised just as the test finished must not hit the code that follows
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)

    return disarm


def _end_process(item: Item, text: str) -> None:
    """The test is stuck where no exception reaches it: end the process (a worker is replaced)."""
    from builtin_plugins.parallel.options import CRASH_NOTE

    note = item.config.stash.get(CRASH_NOTE, None)
    if note is not None:
        try:
            note(item.nodeid, text)
        except Exception:  # noqa: BLE001 - the controller still sees the crash without the note
            pass
    capture = item.config.stash.get(CAPTURE_CONTROL, None)
    if capture is not None:
        try:
            capture.suspend_global_capture()  # the message goes to the real stderr, not the capture
        except Exception:  # noqa: BLE001 - the process ends anyway; the message is what matters
            pass
    reporter = item.config.stash.get(TERMINAL_REPORTER, None)
    if reporter is not None:
        reporter.flush()  # what the run printed so far is not lost with the process
    sys.stderr.write(f"\n+++++ {item.nodeid}: {text}\n+++++ Timeout: the test could not be interrupted; "
                     f"ending the process\n")
    sys.stderr.flush()
    os._exit(1)
