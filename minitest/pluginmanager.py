"""The plugin manager and its one factory, :func:`get_plugin_manager`.

Discovery order: builtins → ``MINITEST_PLUGINS`` / ``PYTEST_PLUGINS`` and ``-p NAME`` → installed
plugins (entry-point group ``minitest``, then pytest's ``pytest11``) unless autoload is disabled →
``plugins`` from the ini file → conftest.py files → ``minitest_plugins`` / ``pytest_plugins`` in
conftests and test modules.

Plugins written for pytest take part unchanged: their ``pytest_*`` implementations of pytest's own
hooks are implementations of the ``minitest_*`` hooks of the same name, the hooks they declare
themselves (``pytest.hookspec``, ``pytest_addhooks``) keep their ``pytest_*`` names, and both
spellings can be called (``config.hook.pytest_runtest_logreport(...)``).

The kernel knows builtins only by module name: it never imports a feature directly.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import (
    BuiltinFunctionType,
    ClassMethodDescriptorType,
    CodeType,
    FunctionType,
    GetSetDescriptorType,
    MemberDescriptorType,
    MethodDescriptorType,
    ModuleType,
    WrapperDescriptorType,
)
from typing import Any

import pluggy

from minitest import hookspecs
from minitest.config import UsageError
from minitest.pytest_names import (
    PYTEST_AUTOLOAD_ENV,
    PYTEST_BUILTIN_ALIASES,
    PYTEST_ENTRYPOINT_GROUP,
    PYTEST_HOOK_PREFIX,
    PYTEST_HOOKIMPL_ATTR,
    PYTEST_HOOKSPEC_ATTR,
    PYTEST_MAPPED_HOOKS,
    PYTEST_PLUGINS_ATTR,
    PYTEST_PLUGINS_ENV,
    PYTEST_PLUGINS_REPLACED,
    is_pytest_internal_plugin,
)
from minitest.records import FrozenRecord

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
    "debugging": "builtin_plugins.debugging",
    "faulthandler": "builtin_plugins.faulthandler",
    "leaks": "builtin_plugins.leaks",
    "warnings": "builtin_plugins.warnings",
    "unittest": "builtin_plugins.unittest",
    "subtests": "builtin_plugins.subtests",
    "doctest": "builtin_plugins.doctest",
    "pytest_compat": "builtin_plugins.pytest_compat",
    "pytest_shim": "builtin_plugins.pytest_shim",
    "cache": "builtin_plugins.cache",
    "collection_index": "builtin_plugins.collection_index",
    "affected": "builtin_plugins.affected",
    "watch": "builtin_plugins.watch",
    "junitxml": "builtin_plugins.junitxml",
    "reportlog": "builtin_plugins.reportlog",
    "merge": "builtin_plugins.merge",
    # not "html": that is pytest-html's plugin name, which other plugins look up (hypothesis)
    "htmlreport": "builtin_plugins.html",
    "durations": "builtin_plugins.durations",
    "minitester": "builtin_plugins.minitester",
    "timeout": "builtin_plugins.timeout",
    "reruns": "builtin_plugins.reruns",
    "random": "builtin_plugins.random_order",
    "bisect": "builtin_plugins.bisect",
    "shard": "builtin_plugins.shard",
    "repeat": "builtin_plugins.repeat",
    "slow": "builtin_plugins.slow",
    "parallel": "builtin_plugins.parallel",
    "helpconfig": "builtin_plugins.helpconfig",
    "showconfig": "builtin_plugins.showconfig",
    "monitor": "builtin_plugins.monitor",
    "terminal": "builtin_plugins.terminal",
    "logging": "builtin_plugins.live_logging",
}

_PYTEST_PREFIX = PYTEST_HOOK_PREFIX
_PREFIX = "minitest_"


class PluginLoadError(UsageError):
    """A plugin could not be imported or registered (exit code 4)."""


class PluginOrigin(FrozenRecord):
    """Where a registered plugin came from (shown by ``--plugins`` and the header).

    A :class:`~minitest.records.FrozenRecord`, not a frozen dataclass: 0.75 ms of CPU less at
    each start-up."""

    __slots__ = ("kind", "detail", "dist", "version")

    #: "builtin", "entrypoint" (group ``minitest``), "pytest-entrypoint" (group ``pytest11``), "-p",
    #: "env", "ini", "conftest", "module", "object"
    kind: str
    detail: str
    dist: str | None
    version: str | None

    def __init__(self, kind: str, detail: str = "", dist: str | None = None, version: str | None = None) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "detail", detail)
        object.__setattr__(self, "dist", dist)
        object.__setattr__(self, "version", version)

    def describe(self) -> str:
        """Where the plugin came from, in the words ``--plugins`` and ``--show-config`` share:
        ``builtin (builtin_plugins.runner)``, ``entry point ... (distribution NAME VERSION)``."""
        if self.kind == "entrypoint":
            return f"entry point {self.detail} (distribution {self.dist} {self.version})"
        if self.kind == "pytest-entrypoint":
            return f"pytest plugin, entry point {self.detail} (distribution {self.dist} {self.version})"
        if self.kind == "builtin":
            return f"builtin ({self.detail})"
        return f"{self.kind} {self.detail}".rstrip()


class _PathHookProxy:
    """``config.hook`` and ``node.ihook``: the hook relay without the conftest.py files that do not
    cover a path (none left out for ``config.hook``), answering pytest's hook names too.

    A caller is looked up once per name and kept: pluggy never replaces the caller of a name, and
    the proxies of ``node.ihook`` are made anew when a plugin is registered or unregistered.
    """

    def __init__(self, pm: MinitestPluginManager, remove: Sequence[object]) -> None:
        self._pm = pm
        self._remove = remove

    def __getattr__(self, name: str) -> Any:
        target = self._pm.hook_name(name)
        caller = self._pm.subset_hook_caller(target, remove_plugins=self._remove) if self._remove \
            else getattr(self._pm.hook, target)
        self.__dict__[name] = caller
        return caller


class PathHooks:
    """One cached ``hook_for_path`` answer, shared by every node at that path.

    A node keeps the entry (``node.ihook`` was recomputed on each of ~10 reads per test: a method
    call, a Path hash in Python and a dict lookup: ~25 ms of cpu on a 1.75 s run of 10,000 trivial
    tests, measured) and uses it while ``valid``; registering or unregistering a plugin (a conftest.py
    loaded late included) marks every entry stale, so the next read asks the manager again."""

    __slots__ = ("hooks", "valid")

    def __init__(self, hooks: Any) -> None:
        self.hooks = hooks
        self.valid = True


class DistView:
    """A plugin's distribution as pluggy's ``list_plugin_distinfo()`` gives it: the
    ``importlib.metadata`` distribution's attributes plus ``project_name`` (pkg_resources' name
    for its ``Name``, which plugins written for pytest read)."""

    def __init__(self, dist: Any) -> None:
        self._dist = dist

    @property
    def project_name(self) -> str:
        return str(self._dist.metadata["name"])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dist, name)


class MinitestPluginManager(pluggy.PluginManager):
    """pluggy's PluginManager plus plugin origins, conftest.py handling and pytest hook names."""

    def __init__(self) -> None:
        super().__init__("minitest")
        self.add_hookspecs(hookspecs)
        self.origins: dict[str, PluginOrigin] = {}
        self._conftests: dict[Path, ModuleType | None] = {}  # directory → its conftest module
        self._conftest_plugins: list[tuple[Path, ModuleType]] = []
        self._proxy_cache: dict[Path, PathHooks] = {}
        self.unsupported_pytest_hooks: dict[str, list[str]] = {}
        self.rewrite_hook_names: list[str] = []
        self.config: Any = None  # set by the config bootstrap
        self.import_mode = "prepend"
        self.consider_namespace_packages = False
        self.rootpath: Path | None = None
        self.confcutdir: Path | None = None
        self.noconftest = False
        self._blocked: dict[str, None] = {}  # every name passed to set_blocked, in order
        #: (plugin, distribution) of the installed plugins loaded, for :meth:`list_plugin_distinfo`
        self._entrypoint_dists: list[tuple[object, Any]] = []
        #: ``config.hook``: every plugin's hooks, under minitest's and pytest's names
        self.relay: Any = _PathHookProxy(self, ())

    # -- the bootstrap's settings ----------------------------------------------------------------
    def bind_config(self, config: Any) -> None:
        """The Config this manager serves (``pluginmanager.config``), set as soon as it exists."""
        self.config = config

    def set_conftest_options(self, *, rootpath: Path, import_mode: str, noconftest: bool,
                             confcutdir: Path | None, consider_namespace_packages: bool = False) -> None:
        """How conftest.py files are found and imported (rootdir, ``--import-mode``,
        ``--noconftest``, ``--confcutdir``): set by the bootstrap before the first one is loaded."""
        self.rootpath = rootpath
        self.import_mode = import_mode
        self.noconftest = noconftest
        self.confcutdir = confcutdir
        self.consider_namespace_packages = consider_namespace_packages

    # -- hook names ----------------------------------------------------------------------------
    def hook_name(self, name: str) -> str:
        """The hook ``name`` stands for: itself, or for pytest's name of one of minitest's hooks
        (``pytest_runtest_logreport``), the ``minitest_*`` hook. AttributeError for no hook."""
        hooks = self.hook.__dict__
        if name in hooks:
            return name
        if name.startswith(_PYTEST_PREFIX):
            mapped = _PREFIX + name[len(_PYTEST_PREFIX):]
            if mapped in hooks:
                return mapped
        raise AttributeError(f"no hook named {name!r}")

    def parse_hookspec_opts(self, module_or_class: ModuleType | type, name: str) -> Any:
        """minitest's specs, and the hooks plugins written for pytest declare: marked with
        ``pytest.hookspec`` / ``pluggy.HookspecMarker("pytest")``, or (pytest's older rule) any
        undecorated ``pytest_*`` function of a namespace given to ``add_hookspecs``."""
        opts = super().parse_hookspec_opts(module_or_class, name)
        if opts is not None or not name.startswith(_PYTEST_PREFIX):
            return opts
        function = getattr(module_or_class, name, None)
        if not inspect.isroutine(function):
            return None
        declared = getattr(function, PYTEST_HOOKSPEC_ATTR, None)
        return dict(declared) if declared is not None else dict(_PLAIN_SPEC_OPTS)

    # -- hook implementation discovery ---------------------------------------------------------
    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:
        if not name.startswith(_HOOK_PREFIXES) and _plainly_not_a_hook(plugin, name):
            # speed: registering a plugin asks this of every name in dir(plugin) (2,000 names
            # for the builtins), and pluggy reads each through inspect.getattr_static; most are
            # imports, helpers and dunders. Registering the builtins took 38.6 ms, 12.4 ms with this
            # (median of 30, loaded machine). Same answers: see _plainly_not_a_hook.
            return None
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is not None:
            return opts
        if name.startswith(_PREFIX):
            method = getattr(plugin, name, None)
            if inspect.isroutine(method):
                # plain ``def minitest_x(...)`` in a conftest or module: a hook without decorator
                return {}
            return None
        if name.startswith(_PYTEST_PREFIX) or _pytest_marked(plugin, name):
            return self._pytest_hookimpl_opts(plugin, name)
        return None

    def _pytest_hookimpl_opts(self, plugin: object, name: str) -> Any:
        """Map ``pytest_*`` implementations of pytest's own hooks (and pytest-xdist's, which minitest
        declares) onto ``minitest_*`` hooks; keep the name of any other (a hook a pytest plugin
        declares, whose spec may come later)."""
        method = getattr(plugin, name, None)
        if not inspect.isroutine(method):
            return None
        raw = dict(getattr(method, PYTEST_HOOKIMPL_ATTR, {}) or {})
        hook = str(raw.get("specname") or name)
        if hook not in PYTEST_MAPPED_HOOKS:
            flags = {k: bool(raw.get(k, False)) for k in ("wrapper", "hookwrapper", "optionalhook", "tryfirst",
                                                          "trylast")}
            return {**flags, "specname": hook if hook != name else None}
        target = _PREFIX + hook[len(_PYTEST_PREFIX):]
        caller = getattr(self.hook, target, None)
        if caller is None or caller.spec is None:
            where = getattr(plugin, "__file__", repr(plugin))
            seen = self.unsupported_pytest_hooks.setdefault(name, [])
            if where not in seen:
                seen.append(where)
                _warn_at(method, where, f"minitest does not implement the pytest hook {name!r} (used in {where}); "
                                        "it is ignored")
            return None
        extra = _extra_args(method, caller.spec.argnames)
        if extra:
            where = getattr(plugin, "__file__", repr(plugin))
            _warn_at(method, where, f"the pytest hook {name!r} in {where} asks for {', '.join(extra)}, which "
                                    "minitest does not provide; it is ignored")
            return None
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
        except UsageError:
            raise
        except Exception as exc:
            # raised by the plugin's own historic hooks as it registers (addhooks, addoption)
            raise PluginLoadError(f"plugin {name or _describe(plugin)} failed as it was registered: "
                                  f"{type(exc).__name__}: {exc}") from exc
        if registered is not None:
            self.origins[registered] = origin or PluginOrigin("object", f"registered by {_caller_module()}")
            self._forget_path_hooks()
            self.hook.minitest_plugin_registered.call_historic(
                kwargs=dict(plugin=plugin, plugin_name=registered, manager=self)
            )
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        result = super().unregister(plugin, name)
        self._forget_path_hooks()
        return result

    def _forget_path_hooks(self) -> None:
        """The plugins changed: every cached ``hook_for_path`` answer (and the nodes' copies) is stale."""
        for entry in self._proxy_cache.values():
            entry.valid = False
        self._proxy_cache.clear()

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
        if origin.kind == "-p" and self._load_named_entry_point(modname):
            return
        self._mark_rewrite(modname)
        try:
            module = importlib.import_module(modname)
        except ImportError as exc:
            raise PluginLoadError(f'Error importing plugin "{modname}": {exc}') from exc
        except Exception as exc:
            raise PluginLoadError(f'Error importing plugin "{modname}": {type(exc).__name__}: {exc}') from exc
        self.register(module, modname, origin)
        self.consider_module(module)

    def _load_named_entry_point(self, name: str) -> bool:
        """``-p NAME`` naming an installed plugin by its entry-point name (``-p randomly``), as
        pytest allows, also with autoload off; True if one was loaded (or stands replaced)."""
        if name in PYTEST_PLUGINS_REPLACED:
            return True  # its builtin runs
        return any(self.load_entrypoint_plugins(group, only=name) for group in ("minitest", PYTEST_ENTRYPOINT_GROUP))

    def _mark_rewrite(self, modname: str) -> None:
        from minitest.assertion_api import register_assert_rewrite

        register_assert_rewrite(modname)

    def load_entrypoint_plugins(self, group: str = "minitest", only: str | None = None) -> int:
        """Load installed plugins of entry-point group ``group`` (``minitest``, or pytest's
        ``pytest11``), or only the one named ``only``; return how many were loaded.

        A pytest plugin whose job a builtin does (pytest-xdist, pytest-timeout:
        ``PYTEST_PLUGINS_REPLACED``) is not loaded; ``--plugins`` names the builtin that runs.
        """
        from minitest.entrypoints import group_entry_points

        skip = frozenset(PYTEST_PLUGINS_REPLACED) if group == PYTEST_ENTRYPOINT_GROUP else frozenset()
        to_load = [(dist, ep) for dist, ep in group_entry_points(group, skip)
                   if (only is None or ep.name == only) and not (self.get_plugin(ep.name) or self.is_blocked(ep.name))]
        # every module is marked for assertion rewriting before the first is imported, as pytest
        # does: one plugin's module often imports another's (pytest_html.plugin imports
        # pytest_html.fixtures, its second entry point), which would then be imported unrewritten
        for _dist, ep in to_load:
            self._mark_rewrite(ep.module)
        count = 0
        for dist, ep in to_load:
            if self.get_plugin(ep.name) or self.is_blocked(ep.name):
                continue
            project = f"{dist.metadata['name']} {dist.version}"
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginLoadError(
                    f"Error loading installed plugin {ep.name!r} ({ep.value}, from {project}): "
                    f"{type(exc).__name__}: {exc}\n(-p no:{ep.name} runs without it)"
                ) from exc
            kind = "pytest-entrypoint" if group == PYTEST_ENTRYPOINT_GROUP else "entrypoint"
            self.register(plugin, ep.name, PluginOrigin(kind, ep.value, dist.metadata["name"], dist.version))
            self._entrypoint_dists.append((plugin, dist))
            count += 1
        return count

    def list_plugin_distinfo(self) -> list[tuple[Any, Any]]:
        """pluggy's ``(plugin, distribution)`` pairs of the installed plugins, in load order: the
        plugins loaded here are listed as pluggy's own ``load_setuptools_entrypoints`` would list
        them (pytest-metadata reads their names and versions, pytest-html shows them)."""
        ours = [(plugin, DistView(dist)) for plugin, dist in self._entrypoint_dists]
        return [*super().list_plugin_distinfo(), *ours]

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
        """Import and register ``directory/conftest.py`` once (None if none, or above confcutdir)."""
        if directory in self._conftests:
            return self._conftests[directory]
        path = directory / "conftest.py"
        # pytest's rule: none above confcutdir (collection starts at the rootdir, which may be above it)
        above = self.confcutdir is not None and directory in self.confcutdir.parents
        module = self._import_conftest(path) if not (self.noconftest or above) and path.is_file() else None
        self._conftests[directory] = module
        return module

    def _import_conftest(self, path: Path) -> ModuleType:
        from minitest.pathimport import import_path

        assert self.rootpath is not None
        try:
            module = import_path(path, mode=self.import_mode, root=self.rootpath, fresh_name=True,
                                 consider_namespace_packages=self.consider_namespace_packages)
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
        return self.path_hooks(path).hooks

    def path_hooks(self, path: Path) -> PathHooks:
        """:meth:`hook_for_path` as the cache entry a node may keep while it stays ``valid``."""
        try:
            return self._proxy_cache[path]
        except KeyError:
            pass
        remove = [mod for directory, mod in self._conftest_plugins
                  if directory != path and directory not in path.parents]
        entry = PathHooks(_PathHookProxy(self, remove) if remove else self.relay)
        self._proxy_cache[path] = entry
        return entry

    # -- introspection -------------------------------------------------------------------------
    def describe_failing_plugin(self, exc: BaseException) -> str | None:
        """``plugin NAME (origin) raised TYPE in HOOK: message`` for the innermost hook
        implementation in the traceback of ``exc``; None when no plugin's hook is in it.

        The traceback's frames are matched against the code of every registered implementation
        (pluggy's public ``get_hookcallers`` / ``get_hookimpls``): the innermost match is the
        implementation that raised or called what raised. A wrapper failing after its yield has
        its own frame too.
        """
        found = self.failing_hookimpl(exc)
        if found is None:
            return None
        hook_name, impl = found
        name = impl.plugin_name
        origin = self.origins.get(name)
        shown = name
        if name.endswith(".py") and self.rootpath is not None:  # a conftest: its path as node ids write it
            with contextlib.suppress(ValueError):
                shown = Path(name).relative_to(self.rootpath).as_posix()
        where = ""
        if origin is not None:
            where = f" ({origin.kind}{' ' + origin.detail if origin.detail and origin.detail != shown else ''}"
            where += f", distribution {origin.dist} {origin.version})" if origin.dist else ")"
        return f"plugin {shown!r}{where} raised {type(exc).__name__} in {hook_name}: {exc}"

    def failing_hookimpl(self, exc: BaseException) -> tuple[str, pluggy.HookImpl] | None:
        """(hook name, implementation) of the innermost hook implementation in the traceback of
        ``exc`` (see :meth:`describe_failing_plugin`)."""
        codes = self._hookimpl_codes()
        found = None
        tb = exc.__traceback__
        while tb is not None:
            found = codes.get(tb.tb_frame.f_code, found)
            tb = tb.tb_next
        return found

    def _hookimpl_codes(self) -> dict[CodeType, tuple[str, pluggy.HookImpl]]:
        """The code object of every hook implementation → (hook name, implementation)."""
        codes: dict[CodeType, tuple[str, pluggy.HookImpl]] = {}
        for _name, plugin in self.list_name_plugin():
            if plugin is None:
                continue  # a blocked name
            for caller in self.get_hookcallers(plugin) or ():
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin:
                        code = _code_of(impl.function)
                        if code is not None:
                            codes.setdefault(code, (caller.name, impl))
        return codes

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



_HOOK_PREFIXES = (_PREFIX, _PYTEST_PREFIX)
_IMPL_MARKERS = ("minitest_impl", PYTEST_HOOKIMPL_ATTR)
#: exact types whose values ``inspect.isroutine`` always calls no routine (no ``__get__``, or a data
#: descriptor's ``__set__``), the kinds most names of a plugin module are (imported modules,
#: constants), and the attribute descriptors an instance plugin inherits from ``object``
_PLAIN_VALUE_TYPES = frozenset({ModuleType, str, bytes, int, float, bool, dict, list, tuple, set, frozenset,
                                type(None), GetSetDescriptorType, MemberDescriptorType})
#: exact types whose values ``inspect.isroutine`` always calls routines: functions, and the C
#: methods an instance plugin inherits from ``object`` (``__init__``, ``__repr__``, ...)
_ROUTINE_TYPES = frozenset({FunctionType, BuiltinFunctionType, WrapperDescriptorType, MethodDescriptorType,
                            ClassMethodDescriptorType})
_MISSING = object()


def _plainly_not_a_hook(plugin: object, name: str) -> bool:
    """Whether ``plugin.name``, a name without a hook prefix, is certainly no hook implementation:
    found statically (module dict, class dicts along the MRO, instance dict) and not a routine
    carrying ``hookimpl`` options (minitest's or pytest's marker). Anything not found that way
    (a module ``__getattr__``, slots, descriptors) is left to the full check, so the answer is
    always the full check's.

    Asked of every name of every plugin (~2,300 names for the builtins): functions, classes and
    the types above are answered without ``inspect.isroutine`` (same answers: those routines are
    routines, a class or such a value never is): 2.4 -> 1.1 ms of CPU over the ~2,200 unprefixed
    names of the 59 plugins of a ``--lf`` run (a warm loop over them; every answer checked against
    the full check's)."""
    if isinstance(plugin, ModuleType):
        value = plugin.__dict__.get(name, _MISSING)
        if value is _MISSING:
            return False
    else:
        namespaces: list[Mapping[str, Any]] = [getattr(plugin, "__dict__", {}),
                                               *(vars(k) for k in type(plugin).__mro__)]
        for namespace in namespaces:
            if name in namespace:
                value = namespace[name]
                break
        else:
            return False
    kind = type(value)
    if kind in _ROUTINE_TYPES:
        return not (hasattr(value, _IMPL_MARKERS[0]) or hasattr(value, _IMPL_MARKERS[1]))
    if kind in _PLAIN_VALUE_TYPES or isinstance(value, type):
        return True
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    if not inspect.isroutine(value):
        return True  # pluggy and _pytest_marked both want a routine
    return not any(hasattr(value, marker) for marker in _IMPL_MARKERS)


def _pytest_marked(plugin: object, name: str) -> bool:
    """Whether ``plugin.name`` carries ``pytest.hookimpl(...)`` options: an implementation whatever
    its name (``@pytest.hookimpl(specname="pytest_runtest_setup") def my_setup(...)``)."""
    if name.startswith("_"):
        return False
    try:
        member = getattr(plugin, name, None)
        # only functions and methods: asking a module (a conftest's ``import pytest``) for the
        # marker attribute could import what it forwards to
        return inspect.isroutine(member) and isinstance(getattr(member, PYTEST_HOOKIMPL_ATTR, None), dict)
    except Exception:  # noqa: BLE001 - an attribute that fails to be read is no hook
        return False


def _code_of(function: Any) -> CodeType | None:
    function = inspect.unwrap(getattr(function, "__func__", function))  # a bound method, a decorated one
    code = getattr(function, "__code__", None)
    return code if isinstance(code, CodeType) else None


def _warn_at(function: Any, where: str, message: str) -> None:
    """Warn about a hook implementation at its ``def`` line, as pluggy places its own warnings
    about implementations: no frame of the plugin is on the stack as it registers, and a stack
    level would name a line of minitest's own code. A routine without code (a C function) is
    placed at its plugin's file (``where``)."""
    code = _code_of(function)
    filename, lineno = (code.co_filename, code.co_firstlineno) if code is not None else (where, 0)
    warnings.warn_explicit(message, UserWarning, filename, lineno)


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


def plugins_from_env() -> list[tuple[str, str]]:
    """(variable, module) for each plugin named in ``MINITEST_PLUGINS`` and ``PYTEST_PLUGINS``."""
    return [(variable, name.strip()) for variable in ("MINITEST_PLUGINS", PYTEST_PLUGINS_ENV)
            for name in os.environ.get(variable, "").split(",") if name.strip()]


def autoload_disabled() -> bool:
    """``MINITEST_DISABLE_PLUGIN_AUTOLOAD`` or pytest's ``PYTEST_DISABLE_PLUGIN_AUTOLOAD`` is set."""
    return bool(os.environ.get("MINITEST_DISABLE_PLUGIN_AUTOLOAD") or os.environ.get(PYTEST_AUTOLOAD_ENV))


def _plain_spec_opts() -> dict[str, Any]:
    def spec() -> None: ...

    return dict(vars(pluggy.HookspecMarker("minitest")(spec))["minitest_spec"])


#: the options of a hook spec declared without a marker (pytest's rule for ``pytest_*`` functions
#: of a spec namespace): what pluggy's marker gives with no arguments, for this pluggy version
_PLAIN_SPEC_OPTS = _plain_spec_opts()
