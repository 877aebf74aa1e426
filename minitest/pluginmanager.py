"""The plugin manager and its one factory, :func:`get_plugin_manager`.

Discovery order: builtins → ``MINITEST_PLUGINS`` and ``-p NAME`` → installed plugins (entry-point
group ``minitest``) unless autoload is disabled → ``plugins`` from the ini file → conftest.py
files → ``minitest_plugins`` / ``pytest_plugins`` in conftests and test modules.

The kernel knows builtins only by module name: it never imports a feature directly.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from minitest import hookspecs
from minitest.config import UsageError
from minitest.pytest_names import (
    PYTEST_BUILTIN_ALIASES,
    PYTEST_HOOK_PREFIX,
    PYTEST_HOOKIMPL_ATTR,
    PYTEST_PLUGINS_ATTR,
    is_pytest_internal_plugin,
)

__all__ = ["MinitestPluginManager", "get_plugin_manager", "BUILTIN_PLUGINS", "PluginOrigin",
           "PluginLoadError", "PYTEST_BUILTIN_ALIASES"]

#: short name (usable in ``-p no:NAME``) → module of every builtin plugin, in registration order
BUILTIN_PLUGINS: dict[str, str] = {
    "session": "builtin_plugins.session",
    "python": "builtin_plugins.python",
    "runner": "builtin_plugins.runner",
    "fixtures": "builtin_plugins.fixtures",
    "builtin_fixtures": "builtin_plugins.builtin_fixtures",
    "marks": "builtin_plugins.marks",
    "skipping": "builtin_plugins.skipping",
    "assertion": "builtin_plugins.assertion",
    "capture": "builtin_plugins.capture",
    "warnings": "builtin_plugins.warnings",
    "unittest": "builtin_plugins.unittest",
    "doctest": "builtin_plugins.doctest",
    "pytest_compat": "builtin_plugins.pytest_compat",
    "pytest_shim": "builtin_plugins.pytest_shim",
    "cache": "builtin_plugins.cache",
    "junitxml": "builtin_plugins.junitxml",
    "durations": "builtin_plugins.durations",
    "minitester": "builtin_plugins.minitester",
    "timeout": "builtin_plugins.timeout",
    "parallel": "builtin_plugins.parallel",
    "helpconfig": "builtin_plugins.helpconfig",
    "monitor": "builtin_plugins.monitor",
    "terminal": "builtin_plugins.terminal",
    "logging": "builtin_plugins.live_logging",
}

_PYTEST_PREFIX = PYTEST_HOOK_PREFIX
_PREFIX = "minitest_"


class PluginLoadError(UsageError):
    """A plugin could not be imported or registered (exit code 4)."""


@dataclass(frozen=True)
class PluginOrigin:
    """Where a registered plugin came from (shown by ``--plugins`` and the header)."""

    kind: str  # "builtin", "entrypoint", "-p", "env", "ini", "conftest", "module", "object"
    detail: str = ""
    dist: str | None = None
    version: str | None = None


class _PathHookProxy:
    """``node.ihook``: the hook relay without the conftest.py files that do not cover a path."""

    def __init__(self, pm: MinitestPluginManager, remove: Sequence[object]) -> None:
        self._pm = pm
        self._remove = remove

    def __getattr__(self, name: str) -> Any:
        caller = self._pm.subset_hook_caller(name, remove_plugins=self._remove)
        self.__dict__[name] = caller
        return caller


class MinitestPluginManager(pluggy.PluginManager):
    """pluggy's PluginManager plus plugin origins, conftest.py handling and pytest hook names."""

    def __init__(self) -> None:
        super().__init__("minitest")
        self.add_hookspecs(hookspecs)
        self.origins: dict[str, PluginOrigin] = {}
        self._conftests: dict[Path, ModuleType | None] = {}  # directory → its conftest module
        self._conftest_plugins: list[tuple[Path, ModuleType]] = []
        self._proxy_cache: dict[Path, Any] = {}
        self.unsupported_pytest_hooks: dict[str, list[str]] = {}
        self.rewrite_hook_names: list[str] = []
        self.config: Any = None  # set by the config bootstrap
        self.import_mode = "prepend"
        self.rootpath: Path | None = None
        self.confcutdir: Path | None = None
        self.noconftest = False
        self._blocked: dict[str, None] = {}  # every name passed to set_blocked, in order

    # -- the bootstrap's settings ----------------------------------------------------------------
    def bind_config(self, config: Any) -> None:
        """The Config this manager serves (``pluginmanager.config``), set as soon as it exists."""
        self.config = config

    def set_conftest_options(self, *, rootpath: Path, import_mode: str, noconftest: bool,
                             confcutdir: Path | None) -> None:
        """How conftest.py files are found and imported (rootdir, ``--import-mode``,
        ``--noconftest``, ``--confcutdir``): set by the bootstrap before the first one is loaded."""
        self.rootpath = rootpath
        self.import_mode = import_mode
        self.noconftest = noconftest
        self.confcutdir = confcutdir

    # -- hook implementation discovery ---------------------------------------------------------
    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is not None:
            return opts
        if name.startswith(_PREFIX):
            method = getattr(plugin, name, None)
            if inspect.isroutine(method):
                # plain ``def minitest_x(...)`` in a conftest or module: a hook without decorator
                return {}
            return None
        if name.startswith(_PYTEST_PREFIX):
            return self._pytest_hookimpl_opts(plugin, name)
        return None

    def _pytest_hookimpl_opts(self, plugin: object, name: str) -> Any:
        """Map ``pytest_*`` hooks of plugins written for pytest onto ``minitest_*`` hooks."""
        method = getattr(plugin, name, None)
        if not inspect.isroutine(method):
            return None
        target = _PREFIX + name[len(_PYTEST_PREFIX):]
        if target == "minitest_plugins":
            return None
        caller = getattr(self.hook, target, None)
        if caller is None or caller.spec is None:
            where = getattr(plugin, "__file__", repr(plugin))
            seen = self.unsupported_pytest_hooks.setdefault(name, [])
            if where not in seen:
                seen.append(where)
                warnings.warn(f"minitest does not implement the pytest hook {name!r} (used in {where}); "
                              "it is ignored", stacklevel=2)
            return None
        extra = _extra_args(method, caller.spec.argnames)
        if extra:
            where = getattr(plugin, "__file__", repr(plugin))
            warnings.warn(f"the pytest hook {name!r} in {where} asks for {', '.join(extra)}, which minitest "
                          "does not provide; it is ignored", stacklevel=2)
            return None
        raw = dict(getattr(method, PYTEST_HOOKIMPL_ATTR, {}) or {})
        opts: dict[str, bool | str] = {
            k: bool(raw.get(k, False)) for k in ("wrapper", "hookwrapper", "optionalhook", "tryfirst", "trylast")}
        opts["specname"] = target
        return opts

    def register(self, plugin: object, name: str | None = None, origin: PluginOrigin | None = None) -> str | None:
        if getattr(self.config, "unconfigured", False):
            # pluggy would replay the historic minitest_configure to it, for a run that has ended
            raise PluginLoadError(f"plugin {name or _describe(plugin)} registered after the run was unconfigured")
        try:
            registered = super().register(plugin, name)
        except pluggy.PluginValidationError as exc:
            raise PluginLoadError(f"plugin {name or _describe(plugin)} is invalid: {exc}") from None
        if registered is not None:
            self.origins[registered] = origin or PluginOrigin("object", f"registered by {_caller_module()}")
            self._proxy_cache.clear()
            self.hook.minitest_plugin_registered.call_historic(
                kwargs=dict(plugin=plugin, plugin_name=registered, manager=self)
            )
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        result = super().unregister(plugin, name)
        self._proxy_cache.clear()
        return result

    def check_pending(self) -> None:
        """Every implementation must match a hook: a misspelled hook name is a usage error."""
        for name in self.hook.__dict__:
            if name.startswith("_"):
                continue
            caller = getattr(self.hook, name)
            if caller.spec is not None:
                continue
            for impl in caller.get_hookimpls():
                if impl.optionalhook:
                    continue
                raise PluginLoadError(f"unknown hook {name!r} in plugin {_describe(impl.plugin)}")

    # -- loading plugins -----------------------------------------------------------------------
    def is_blocked(self, name: str) -> bool:
        if super().is_blocked(name):
            return True
        # a builtin's own name is blocked by itself only: ``-p no:capture`` leaves the builtin
        # ``logging`` alone, though pytest's name ``logging`` also blocks ``capture``
        return name not in BUILTIN_PLUGINS and super().is_blocked(PYTEST_BUILTIN_ALIASES.get(name, name))

    def set_blocked(self, name: str) -> None:
        # pluggy keeps no public list of blocked names: --plugins shows them from this record
        self._blocked[name] = None
        super().set_blocked(name)

    def blocked_names(self) -> list[str]:
        """The names blocked now (``-p no:NAME``, their aliases, ``set_blocked``), sorted."""
        is_blocked = super().is_blocked  # exact names: unblock() may have lifted one
        return sorted(n for n in self._blocked if is_blocked(n))

    def block(self, name: str) -> None:
        """``-p no:NAME``: block a plugin by registration name (unknown names are accepted)."""
        self.set_blocked(name)
        alias = PYTEST_BUILTIN_ALIASES.get(name)
        if alias:
            self.set_blocked(alias)
        if name.startswith("builtin_plugins."):
            self.set_blocked(name.rsplit(".", 1)[1])

    def register_builtins(self) -> None:
        for short, modname in BUILTIN_PLUGINS.items():
            if self.is_blocked(short):
                continue
            try:
                module = importlib.import_module(modname)
            except ModuleNotFoundError as exc:
                if exc.name == modname:  # not written yet / not shipped in this build
                    continue
                raise
            self.register(module, short, PluginOrigin("builtin", modname))

    def import_plugin(self, modname: str, origin: PluginOrigin) -> None:
        """Import the module ``modname`` and register it under that name (``-p``, env, ini, pytest_plugins)."""
        modname = str(modname).strip()
        if not modname or self.is_blocked(modname) or self.get_plugin(modname) is not None:
            return
        if modname in BUILTIN_PLUGINS or modname in PYTEST_BUILTIN_ALIASES:
            return  # a builtin is already registered (or was blocked on purpose)
        self._mark_rewrite(modname)
        try:
            module = importlib.import_module(modname)
        except ImportError as exc:
            raise PluginLoadError(f'Error importing plugin "{modname}": {exc}') from exc
        except Exception as exc:
            raise PluginLoadError(f'Error importing plugin "{modname}": {type(exc).__name__}: {exc}') from exc
        self.register(module, modname, origin)
        self.consider_module(module)

    def _mark_rewrite(self, modname: str) -> None:
        from minitest.assertion_api import register_assert_rewrite

        register_assert_rewrite(modname)

    def load_entrypoint_plugins(self, group: str = "minitest") -> int:
        """Load installed plugins (entry-point group ``minitest``); return how many were loaded."""
        from minitest.entrypoints import group_entry_points

        count = 0
        for dist, ep in group_entry_points(group):
            if self.get_plugin(ep.name) or self.is_blocked(ep.name):
                continue
            self._mark_rewrite(ep.module)
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginLoadError(
                    f"Error loading installed plugin {ep.name!r} ({ep.value}, from "
                    f"{dist.metadata['name']} {dist.version}): {type(exc).__name__}: {exc}"
                ) from exc
            name = dist.metadata["name"]
            self.register(plugin, ep.name, PluginOrigin("entrypoint", ep.value, name, dist.version))
            count += 1
        return count

    def consider_module(self, module: ModuleType) -> None:
        """Honour ``minitest_plugins`` / ``pytest_plugins`` in a conftest or test module."""
        for attr in ("minitest_plugins", PYTEST_PLUGINS_ATTR):
            names = getattr(module, attr, None)
            if not names:
                continue
            if isinstance(names, str):
                names = [names]
            for name in names:
                if is_pytest_internal_plugin(name):
                    self._skip_pytest_builtin(name, module)
                    continue
                self.import_plugin(name, PluginOrigin("module", getattr(module, "__file__", "")))

    def _skip_pytest_builtin(self, name: str, module: ModuleType) -> None:
        short = name.rsplit(".", 1)[-1]
        if short in PYTEST_BUILTIN_ALIASES or short in BUILTIN_PLUGINS:
            return
        seen = self.unsupported_pytest_hooks.setdefault("pytest_plugins", [])
        if name not in seen:
            seen.append(name)
            warnings.warn(f"pytest plugin {name!r} has no minitest equivalent and is skipped "
                          f"(named in {getattr(module, '__file__', module)})", stacklevel=2)

    # -- conftest.py files ---------------------------------------------------------------------
    def load_conftests_up_to(self, directory: Path) -> None:
        """Load the conftest.py of every directory from confcutdir (rootdir) down to ``directory``."""
        if self.noconftest:
            return
        top = self.confcutdir or self.rootpath
        chain = [directory, *directory.parents]
        if top is not None and (top == directory or top in directory.parents):
            chain = chain[: chain.index(top) + 1]
        else:
            chain = [directory]
        for d in reversed(chain):
            self.load_conftest(d)

    def load_conftest(self, directory: Path) -> ModuleType | None:
        """Import and register ``directory/conftest.py`` once (None if there is none)."""
        if directory in self._conftests:
            return self._conftests[directory]
        path = directory / "conftest.py"
        module = None
        if not self.noconftest and path.is_file():
            module = self._import_conftest(path)
        self._conftests[directory] = module
        return module

    def _import_conftest(self, path: Path) -> ModuleType:
        from minitest.pathimport import import_path

        assert self.rootpath is not None
        try:
            module = import_path(path, mode=self.import_mode, root=self.rootpath, fresh_name=True)
        except Exception as exc:
            raise ConftestImportFailure(path, exc) from exc
        self._conftest_plugins.append((path.parent, module))
        self.register(module, str(path), PluginOrigin("conftest", str(path)))
        self.consider_module(module)
        return module

    def conftest_modules(self) -> list[tuple[Path, ModuleType]]:
        return list(self._conftest_plugins)

    def hook_for_path(self, path: Path) -> Any:
        """The hooks for a node at ``path``: conftest.py files outside its tree are left out."""
        try:
            return self._proxy_cache[path]
        except KeyError:
            pass
        remove = [mod for directory, mod in self._conftest_plugins
                  if directory != path and directory not in path.parents]
        proxy = _PathHookProxy(self, remove) if remove else self.hook
        self._proxy_cache[path] = proxy
        return proxy

    # -- introspection -------------------------------------------------------------------------
    def getplugin(self, name: str) -> Any:
        """pytest's spelling of ``get_plugin`` (used by conftest.py files written for pytest)."""
        return self.get_plugin(PYTEST_BUILTIN_ALIASES.get(name, name)) or self.get_plugin(name)

    def hasplugin(self, name: str) -> bool:
        return self.getplugin(name) is not None

    def plugin_hooks(self, plugin: object) -> list[str]:
        """Names of the hooks ``plugin`` implements (for ``--plugins``)."""
        return sorted(caller.name for caller in self.get_hookcallers(plugin) or [])


class ConftestImportFailure(UsageError):
    """A conftest.py raised while being imported (exit code 4)."""

    def __init__(self, path: Path, cause: BaseException) -> None:
        self.path = path
        self.cause = cause
        super().__init__(f"ImportError while loading conftest '{path}'.\n{_format_cause(cause)}")


def _format_cause(exc: BaseException) -> str:
    import traceback

    tb = exc.__traceback__
    # leave out our own import machinery frames
    from minitest.tracebacks import INTERNAL_DIRS

    # the user's frames only: not the import machinery, minitest, its builtins (the assertion
    # rewriter imports conftest files) or pluggy
    frames = [f for f in traceback.extract_tb(tb)
              if "importlib" not in f.filename and not f.filename.startswith(INTERNAL_DIRS)]
    lines = traceback.format_list(frames[-6:])
    return "".join(lines) + "".join(traceback.format_exception_only(type(exc), exc)).rstrip()



def _caller_module() -> str:
    """The module that called ``register`` (a plugin registering a helper object), for --plugins."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith(("minitest.pluginmanager", "pluggy")):
        frame = frame.f_back  # type: ignore[assignment]
    return str(frame.f_globals.get("__name__", "?")) if frame is not None else "?"


def _extra_args(function: Any, spec_args: tuple[str, ...]) -> list[str]:
    """Arguments ``function`` requires that the hook spec does not provide."""
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return []
    names = [p.name for p in params
             if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY) and p.default is p.empty and p.name != "self"]
    return [n for n in names if n not in spec_args]


def _describe(plugin: object) -> str:
    name = getattr(plugin, "__name__", None) or type(plugin).__name__
    path = getattr(plugin, "__file__", None)
    return f"{name} ({path})" if path else str(name)


def get_plugin_manager(blocked: list[str] | None = None) -> MinitestPluginManager:
    """Create the plugin manager with the hook specs and the builtin plugins registered.

    ``blocked`` names (from ``-p no:NAME``) are blocked before anything is registered.
    """
    pm = MinitestPluginManager()
    for name in blocked or ():
        pm.block(name)
    pm.register_builtins()
    return pm


def plugins_from_env() -> list[str]:
    return [p.strip() for p in os.environ.get("MINITEST_PLUGINS", "").split(",") if p.strip()]


def autoload_disabled() -> bool:
    return bool(os.environ.get("MINITEST_DISABLE_PLUGIN_AUTOLOAD"))
