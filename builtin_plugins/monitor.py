"""Making plugin behaviour visible: ``--trace-hooks`` and ``--plugin-profile``.

``--trace-hooks`` prints every hook call (with the plugins that implement it and its duration),
indented by nesting, through pluggy's ``add_hookcall_monitoring``. ``--plugin-profile`` times each
hook implementation and prints, after the run, where the time went per plugin and per hook
(only pluggy's public API: see :class:`HookProfiler`).
"""

from __future__ import annotations

import inspect
import os
import sys
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import CodeType, FrameType
from typing import IO, Any

from minitest import clock, hookimpl
from minitest.config import Config, Parser
from minitest.pluginmanager import MinitestPluginManager
from minitest.stash import StashKey

PROFILE = StashKey["HookProfiler"]()


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("debugconfig", "debugging and configuration info")
    group.addoption("--trace-hooks", action="store_true", default=False, dest="trace_hooks",
                    help="print every hook call with its plugins and duration (to stderr)")
    group.addoption("--trace-hooks-file", action="store", default=None, dest="trace_hooks_file", metavar="PATH",
                    help="write the --trace-hooks output to PATH instead of stderr")
    group.addoption("--plugin-profile", action="store_true", default=False, dest="plugin_profile",
                    help="after the run, show the time spent per plugin and per hook")


def _plugin_label(pm: MinitestPluginManager, plugin: object, rootpath: Path | None) -> str:
    name = pm.get_name(plugin) or repr(plugin)
    if rootpath is not None and name.endswith(".py"):
        try:
            return Path(name).relative_to(rootpath).as_posix()
        except ValueError:
            pass
    return name


class HookTracer:
    """Writes one line when a hook call starts and one when it ends, indented by depth.

    Depth and start times are per thread: a hook called from another thread while the main one is
    inside a hook (the slow builtin's watch calls ``minitest_runtest_slow`` while a test runs)
    keeps its own nesting, and its lines start with the thread's name."""

    def __init__(self, pm: MinitestPluginManager, out: IO[str], rootpath: Path | None) -> None:
        self.pm = pm
        self.out = out
        self.rootpath = rootpath
        self._main = threading.get_ident()
        self._local = threading.local()

    def _starts(self) -> tuple[list[float], str]:
        """This thread's stack of start times, and the prefix of its lines."""
        starts: list[float] | None = getattr(self._local, "starts", None)
        if starts is None:
            starts = self._local.starts = []
        thread = threading.current_thread()
        return starts, "" if thread.ident == self._main else f"[{thread.name}] "

    def before(self, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        plugins = ", ".join(_plugin_label(self.pm, impl.plugin, self.rootpath) for impl in reversed(hook_impls))
        subject = _subject(kwargs)
        starts, prefix = self._starts()
        self.out.write(f"{prefix}{'  ' * len(starts)}{hook_name}{subject} [{plugins}]\n")
        starts.append(clock.perf())

    def after(self, outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        starts, prefix = self._starts()
        elapsed = (clock.perf() - starts.pop()) * 1000
        failed = outcome.exception is not None
        status = f" raised {type(outcome.exception).__name__}" if failed else ""
        self.out.write(f"{prefix}{'  ' * len(starts)}finish {hook_name} {elapsed:.3f}ms{status}\n")


def _subject(kwargs: Mapping[str, Any]) -> str:
    for key in ("item", "report", "collector", "pyfuncitem"):
        value = kwargs.get(key)
        nodeid = getattr(value, "nodeid", None)
        if nodeid is not None:
            when = getattr(value, "when", None) if key == "report" else None
            return f"({nodeid or '<session>'}{' ' + when if when else ''})"
    if "file_path" in kwargs:
        return f"({kwargs['file_path']})"
    return ""


class HookProfiler:
    """Accumulates the own time of each hook implementation, by plugin and hook.

    pluggy offers no public way to wrap one implementation (``HookImpl.function`` is read-only),
    and its hook-call monitoring times whole hook calls, not the implementations inside. So the
    implementations are recognised by their code objects (from the public ``get_hookcallers`` /
    ``get_hookimpls``) in a profile function (``sys.setprofile``, standard Python): the plugins
    and their hook calls stay exactly what they are, only slower while profiled.
    """

    def __init__(self, pm: MinitestPluginManager, rootpath: Path | None) -> None:
        self.pm = pm
        self.rootpath = rootpath
        self.totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
        #: code of an implementation → (plugin label, hook name)
        self._codes: dict[CodeType, tuple[str, str]] = {}
        #: where a generator implementation (a wrapper) starts: a "call" event there is a new call,
        #: anywhere else it is the resumption of a running one
        self._first_offset: dict[CodeType, int] = {}
        #: the implementations running now: (frame, key, start, time spent in nested ones)
        self._running: list[tuple[FrameType, tuple[str, str], float, float]] = []

    def instrument_all(self) -> None:
        """Learn the implementations of every registered plugin (again after each registration)."""
        for _name, plugin in self.pm.list_name_plugin():
            if plugin is None:
                continue  # a blocked name
            label = _plugin_label(self.pm, plugin, self.rootpath)
            for caller in self.pm.get_hookcallers(plugin) or ():
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin:
                        code = _code_of(impl.function)
                        if code is not None:
                            self._codes.setdefault(code, (label, caller.name))

    def start(self) -> Callable[[], None]:
        """Profile the main thread from now on; returns the function that stops it."""
        previous = sys.getprofile()
        sys.setprofile(self._event)
        return lambda: sys.setprofile(previous)

    def _event(self, frame: FrameType, event: str, arg: object) -> None:
        # Hooks nest (the runner's runtestloop calls every test's hooks): counting inclusive time
        # would put the loop on top of every profile. The time of the implementations called
        # inside is subtracted, so a slow conftest shows as itself, not as its caller. A wrapper's
        # frame is entered once before its yield and once after: both parts are its own time.
        if event == "call":
            code = frame.f_code
            key = self._codes.get(code)
            if key is None:
                return
            if code.co_flags & inspect.CO_GENERATOR:
                first = self._first_offset.setdefault(code, frame.f_lasti)
                if frame.f_lasti == first:
                    self.totals[key][1] += 1
            else:
                self.totals[key][1] += 1
            self._running.append((frame, key, clock.perf(), 0.0))
        elif event == "return":
            running = self._running
            if running and running[-1][0] is frame:
                _frame, key, start, nested = running.pop()
                elapsed = clock.perf() - start
                self.totals[key][0] += elapsed - nested
                if running:
                    outer = running[-1]
                    running[-1] = (outer[0], outer[1], outer[2], outer[3] + elapsed)

    def report(self, write_line: Callable[[str], None], write_sep: Callable[[str, str], None]) -> None:
        per_plugin: dict[str, float] = defaultdict(float)
        for (plugin, _hook), (seconds, _calls) in self.totals.items():
            per_plugin[plugin] += seconds
        write_sep("=", "plugin profile")
        write_line(f"{'plugin':<40} {'total':>10}")
        for plugin, seconds in sorted(per_plugin.items(), key=lambda kv: -kv[1]):
            write_line(f"{plugin:<40} {seconds * 1000:>8.2f}ms")
        write_line("")
        write_line(f"{'plugin':<28} {'hook':<34} {'calls':>6} {'total':>10}")
        rows = sorted(self.totals.items(), key=lambda kv: -kv[1][0])
        for (plugin, hook), (seconds, calls) in rows[:25]:
            write_line(f"{plugin[:28]:<28} {hook[:34]:<34} {int(calls):>6} {seconds * 1000:>8.2f}ms")


def _code_of(function: Callable[..., object]) -> CodeType | None:
    function = inspect.unwrap(getattr(function, "__func__", function))  # a bound method, a decorated one
    code = getattr(function, "__code__", None)
    return code if isinstance(code, CodeType) else None


@hookimpl(tryfirst=True)
def minitest_prepare_imports(early_config: Config) -> None:
    pm = early_config.pluginmanager
    option = early_config.known_args
    if getattr(option, "trace_hooks", False) or getattr(option, "trace_hooks_file", None):
        path = getattr(option, "trace_hooks_file", None)
        if path:
            out: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed at unconfigure
            early_config.add_cleanup(out.close)
        else:
            # a duplicate of the real stderr: output capture during tests must not swallow the trace
            try:
                out = open(os.dup(sys.stderr.fileno()), "w", encoding="utf-8", errors="replace")  # noqa: SIM115
                early_config.add_cleanup(out.close)
            except (OSError, ValueError, AttributeError):
                out = sys.stderr
        tracer = HookTracer(pm, out, early_config.rootpath)
        undo = pm.add_hookcall_monitoring(tracer.before, tracer.after)
        early_config.add_cleanup(undo)
    if getattr(option, "plugin_profile", False):
        profiler = HookProfiler(pm, early_config.rootpath)
        early_config.stash[PROFILE] = profiler
        profiler.instrument_all()
        early_config.add_cleanup(profiler.start())


@hookimpl(trylast=True)
def minitest_plugin_registered(manager: MinitestPluginManager) -> None:
    config = manager.config
    if config is None:
        return
    profiler = config.stash.get(PROFILE, None)
    if profiler is not None:
        profiler.instrument_all()


def minitest_terminal_summary(terminalreporter: Any, config: Config) -> None:
    profiler = config.stash.get(PROFILE, None)
    if profiler is not None:
        profiler.report(terminalreporter.write_line, terminalreporter.write_sep)
