"""Making plugin behaviour visible: ``--trace-hooks`` and ``--plugin-profile``.

``--trace-hooks`` prints every hook call (with the plugins that implement it and its duration),
indented by nesting, through pluggy's ``add_hookcall_monitoring``. ``--plugin-profile`` times each
hook implementation and prints, after the run, where the time went per plugin and per hook.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from minitest import hookimpl
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
    """Writes one line when a hook call starts and one when it ends, indented by depth."""

    def __init__(self, pm: MinitestPluginManager, out: IO[str], rootpath: Path | None) -> None:
        self.pm = pm
        self.out = out
        self.rootpath = rootpath
        self.depth = 0
        self.starts: list[float] = []

    def before(self, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        plugins = ", ".join(_plugin_label(self.pm, impl.plugin, self.rootpath) for impl in reversed(hook_impls))
        subject = _subject(kwargs)
        self.out.write(f"{'  ' * self.depth}{hook_name}{subject} [{plugins}]\n")
        self.depth += 1
        self.starts.append(time.perf_counter())

    def after(self, outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        elapsed = (time.perf_counter() - self.starts.pop()) * 1000
        self.depth -= 1
        failed = outcome.exception is not None
        status = f" raised {type(outcome.exception).__name__}" if failed else ""
        self.out.write(f"{'  ' * self.depth}finish {hook_name} {elapsed:.3f}ms{status}\n")


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
    """Accumulates the time of each hook implementation, by plugin and hook."""

    def __init__(self, pm: MinitestPluginManager, rootpath: Path | None) -> None:
        self.pm = pm
        self.rootpath = rootpath
        self.totals: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0])
        self._wrapped: set[int] = set()
        #: time spent in nested implementations, one entry per implementation running now
        self._nested: list[float] = []

    def instrument_all(self) -> None:
        for name in list(self.pm.hook.__dict__):
            caller = getattr(self.pm.hook, name, None)
            if caller is None or not hasattr(caller, "get_hookimpls"):
                continue
            for impl in caller.get_hookimpls():
                self.instrument(impl, name)

    def instrument(self, impl: Any, hook_name: str) -> None:
        if id(impl) in self._wrapped:
            return
        self._wrapped.add(id(impl))
        label = _plugin_label(self.pm, impl.plugin, self.rootpath)
        key = (label, hook_name)
        func = impl.function
        segment = self._segment
        if inspect.isgeneratorfunction(func):
            impl.function = _timed_generator(func, segment, key, self.totals)
        else:
            @functools.wraps(func)
            def timed(*args: Any, **kwargs: Any) -> Any:
                self.totals[key][1] += 1
                return segment(key, lambda: func(*args, **kwargs))

            impl.function = timed

    def _segment(self, key: tuple[str, str], run: Callable[[], Any]) -> Any:
        """Run one piece of an implementation and add its *own* time to ``key``.

        Hooks nest (the runner's runtestloop calls every test's hooks): counting inclusive time
        would put the loop on top of every profile. The time of the implementations called
        inside is subtracted, so a slow conftest shows as itself, not as its caller.
        """
        stack = self._nested
        stack.append(0.0)
        start = time.perf_counter()
        try:
            return run()
        finally:
            elapsed = time.perf_counter() - start
            self.totals[key][0] += elapsed - stack.pop()
            if stack:
                stack[-1] += elapsed

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


def _timed_generator(func: Callable[..., Generator[Any, Any, Any]],
                     segment: Callable[[tuple[str, str], Callable[[], Any]], Any],
                     key: tuple[str, str], totals: dict[tuple[str, str], list[float]],
                     ) -> Callable[..., Generator[Any, Any, Any]]:
    """Time a wrapper's own code: the part before and the part after its ``yield``."""

    @functools.wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        totals[key][1] += 1
        gen = segment(key, lambda: func(*args, **kwargs))
        try:
            value = segment(key, lambda: next(gen))
        except StopIteration as stop:
            return stop.value
        while True:
            try:
                sent = yield value
            except BaseException as exc:
                try:
                    value = segment(key, functools.partial(gen.throw, exc))
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    value = segment(key, functools.partial(gen.send, sent))
                except StopIteration as stop:
                    return stop.value

    return timed


@hookimpl(tryfirst=True)
def minitest_load_initial_conftests(early_config: Config) -> None:
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
