"""The leak report: what a test left behind, as a ``MinitestLeakWarning`` naming the test.

A test that changes a global and does not put it back makes the next tests run in a different
world: a leaked thread keeps running, a changed ``os.environ`` or ``sys.path`` changes what later
tests import or read. minitest does not undo these (pytest does not, and suites rely on state
one test leaves for the next); it reports them.

A leak is what differs after the test's teardown both from before its setup and from before its
call: a function-scoped fixture that undoes its change at teardown (``monkeypatch``) or a
higher-scoped fixture set up for the test is not one. (What the teardown of a module- or
session-scoped fixture changes is reported with the last test of its scope, whose teardown ran it.)
Kinds:

* always: threads still running, ``os.environ``, the current directory, ``sys.path``,
  ``sys.modules`` entries removed or set to something that is not a module, signal handlers;
* with ``--leaks``: also child processes still running, open file descriptors, files created at
  the top of the rootdir (each costs a few system calls per test: more than the ~2% of the
  trivial benchmark that an always-on check may cost);
* ``--leaks=strict``: every kind, and a leak fails its test (an error at teardown);
* ``--leaks=off``: nothing.

Blockable with ``-p no:leaks``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Generator
from types import ModuleType
from typing import Any

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.leak_api import MinitestLeakWarning
from minitest.nodes import Item
from minitest.stash import StashKey

try:
    import _signal  # type: ignore[import-not-found]  # the C module: no enum building at start-up
except ImportError:  # pragma: no cover
    _signal = None

__all__ = ["MinitestLeakWarning"]


#: the signals whose handlers are compared (the ones a test sets in practice)
_SIGNALS = tuple(getattr(_signal, name) for name in ("SIGINT", "SIGTERM", "SIGALRM", "SIGHUP", "SIGUSR1",
                                                     "SIGUSR2", "SIGCHLD", "SIGPIPE")
                 if _signal is not None and hasattr(_signal, name))

_BEFORE = StashKey["_Snapshot"]()


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--leaks", action="store", nargs="?", const="on", default="default", dest="leaks",
                    choices=["default", "on", "strict", "off"],
                    help="report what each test leaves behind as MinitestLeakWarning: threads, "
                         "os.environ, cwd, sys.path, sys.modules, signal handlers by default; "
                         "--leaks adds child processes, open file descriptors and files in the rootdir; "
                         "--leaks=strict also fails the test; --leaks=off reports nothing")


def minitest_configure(config: Config) -> None:
    mode = config.getoption("leaks", "default") or "default"
    if mode == "off":
        return
    config.pluginmanager.register(LeakCheck(config, full=mode in ("on", "strict"), strict=mode == "strict"),
                                  "leaks-check")


class _Snapshot:
    """The globals of the process at one moment (cheap: copies, no system calls by default)."""

    __slots__ = ("threads", "thread_count", "environ", "cwd", "path", "modules_len", "modules", "signals",
                 "children", "fds", "files")

    def __init__(self, full: bool, rootdir: str, previous_modules: dict[str, Any] | None) -> None:
        # the threads themselves only when their number changed (enumerate takes a lock)
        self.thread_count = threading.active_count()
        self.threads: dict[int | None, threading.Thread] | None = None
        environ = getattr(os.environ, "_data", None)
        self.environ: dict[Any, Any] = dict(environ) if environ is not None else dict(os.environ)
        try:
            self.cwd = os.getcwd()
        except OSError:
            self.cwd = "<removed>"
        self.path = list(sys.path)
        self.modules_len = len(sys.modules)
        # the module table is copied only when its size changed (tests import modules: that is
        # no leak, and copying a thousand entries per test is not free)
        if previous_modules is not None and len(previous_modules) == self.modules_len:
            self.modules = previous_modules
        else:
            self.modules = dict(sys.modules)
        self.signals = tuple(map(_signal.getsignal, _SIGNALS)) if _signal is not None else ()
        self.children: set[int] = _children() if full else set()
        self.fds: set[int] = _fds() if full else set()
        self.files: set[str] = _files(rootdir) if full else set()


def _children() -> set[int]:
    """The running child processes (Linux: /proc), or nothing where that cannot be known cheaply."""
    found: set[int] = set()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/children", encoding="ascii") as f:
                found.update(int(pid) for pid in f.read().split())
        except (OSError, ValueError):
            pass
    return found


def _fds() -> set[int]:
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            return {int(fd) for fd in os.listdir(directory)}
        except (OSError, ValueError):
            continue
    return set()


def _files(rootdir: str) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(rootdir)}
    except OSError:
        return set()


class LeakCheck:
    """Snapshots around each test's call and teardown; reports what the call left changed."""

    def __init__(self, config: Config, full: bool, strict: bool) -> None:
        self.full = full
        self.strict = strict
        self.rootdir = str(config.rootpath)
        self._modules: dict[str, Any] | None = None
        self._before_setup: _Snapshot | None = None
        self._debugged = False

    def _snapshot(self) -> _Snapshot:
        snap = _Snapshot(self.full, self.rootdir, self._modules)
        self._modules = snap.modules
        return snap

    def _snapshot_with_threads(self) -> _Snapshot:
        snap = self._snapshot()
        snap.threads = {t.ident: t for t in threading.enumerate()} if snap.thread_count > 1 else None
        return snap

    @hookimpl(tryfirst=True)
    def minitest_runtest_setup(self) -> None:
        # before any fixture of the test is set up. (It was taken at logstart, which the
        # controller of a run on workers replays for every test without running it: ~10 us of
        # its CPU per test, which the workers need. Where between logstart and the fixtures the
        # snapshot is taken changes nothing reported: only what changed during the call counts)
        self._before_setup = self._snapshot_with_threads()

    def minitest_enter_pdb(self) -> None:
        # the debugger changes globals of its own (pdb's SIGINT handler): not the test's leaks
        self._debugged = True

    @hookimpl(tryfirst=True)
    def minitest_runtest_call(self, item: Item) -> None:
        item.stash[_BEFORE] = self._snapshot_with_threads()

    @hookimpl(wrapper=True, tryfirst=True)
    def minitest_runtest_teardown(self, item: Item) -> Generator[None, None, None]:
        result = yield  # the fixtures are torn down first: what they undo is no leak
        before_setup, self._before_setup = self._before_setup, None
        before = item.stash.get(_BEFORE, None)
        if before is not None:
            del item.stash[_BEFORE]
        debugged, self._debugged = self._debugged, False
        if before is None or before_setup is None or debugged:
            return result  # the setup failed (the call never ran), or a debugger was entered
        after = self._snapshot()
        call_window = _leaks(before, after)
        leaks = _both(call_window, _leaks(before_setup, after)) if call_window else []
        if leaks:
            message = f"{item.nodeid} left behind: " + "; ".join(leaks)
            if self.strict:
                from minitest.outcomes import fail

                fail(message, pytrace=False)
            import warnings

            # shown at the test's own line, not this module's
            path, lineno = str(item.path), 0
            location = getattr(item, "location", None)
            if location and location[1] is not None:
                lineno = location[1] + 1
            warning = MinitestLeakWarning(message)
            try:
                warnings.warn_explicit(warning, MinitestLeakWarning, path, lineno, module=item.path.stem)
            except MinitestLeakWarning:
                # the test itself turned warnings into errors (simplefilter("error")) and left it so:
                # the report is not the test's error, it goes to the summary as a warning
                item.ihook.minitest_warning_recorded(
                    warning_message=warnings.WarningMessage(warning, MinitestLeakWarning, path, lineno),
                    when="runtest", nodeid=item.nodeid, location=None)
        return result


def _leaks(a: _Snapshot, c: _Snapshot) -> dict[str, list[str]]:
    """What differs from ``a`` in ``c``: kind → the entries (thread names, variables...)."""
    found: dict[str, list[str]] = {}
    if c.thread_count > a.thread_count:
        known = a.threads or {threading.main_thread().ident: threading.main_thread()}
        found["threads still running"] = [repr(t.name) for t in threading.enumerate()
                                          if t.ident not in known and t.is_alive()]
    if a.environ != c.environ:
        keys = sorted({*a.environ, *c.environ}, key=str)
        found["os.environ changed"] = [_name(k) for k in keys if a.environ.get(k) != c.environ.get(k)]
    if a.cwd != c.cwd:
        found["the current directory changed to"] = [c.cwd]
    if a.path != c.path:
        found["sys.path changed"] = ([f"+{p!r}" for p in c.path if p not in a.path]
                                     + [f"-{p!r}" for p in a.path if p not in c.path]) or ["reordered"]
    if a.modules is not c.modules:
        found["sys.modules entries that are not modules"] = sorted(
            name for name, value in c.modules.items() if name not in a.modules and not isinstance(value, ModuleType))
        found["sys.modules entries removed"] = sorted(name for name in a.modules if name not in c.modules)
    if a.signals != c.signals:
        found["signal handlers changed"] = [
            _signame(sig) for sig, x, y in zip(_SIGNALS, a.signals, c.signals, strict=True) if x != y]
    found["child processes still running"] = [str(pid) for pid in sorted(c.children - a.children)]
    found["file descriptors left open"] = [str(fd) for fd in sorted(c.fds - a.fds)]
    found["files created in the rootdir"] = sorted(c.files - a.files)
    return {kind: entries for kind, entries in found.items() if entries}


def _both(call_window: dict[str, list[str]], test_window: dict[str, list[str]]) -> list[str]:
    """The entries changed in both windows (the call's, and setup to teardown), as text."""
    out = []
    for kind, entries in call_window.items():
        kept = [e for e in entries if e in test_window.get(kind, ())]
        if kept:
            out.append(f"{kind}: {', '.join(kept)}" if not kind.endswith(" to") else f"{kind} {kept[0]}")
    return out


def _name(key: Any) -> str:
    return key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)


def _signame(sig: int) -> str:
    for name in ("SIGINT", "SIGTERM", "SIGALRM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGPIPE"):
        if getattr(_signal, name, None) == sig:
            return name
    return str(sig)
