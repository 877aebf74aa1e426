"""Running suites written for pytest, unmodified.

Most of pytest's surface works without this plugin: marks, ``pytest.param`` and pytest's outcome
exceptions are recognised by the kernel by shape, ``pytest_*`` hook functions are mapped onto
``minitest_*`` hooks by the plugin manager, and pytest's config files are read when there is no
minitest config. What remains lives here:

* collect hooks implemented by plugins written for pytest are wrapped, so that a collector built
  on pytest's own node classes is a clear error (``call.excinfo`` needs nothing: minitest's
  CallInfo is pytest-shaped);
* pytest's legacy path fixtures ``tmpdir`` / ``tmpdir_factory`` (pytest's own path class is used
  when pytest is importable — it is only imported when such a fixture is requested);
* a clear "not supported by minitest" error, on the affected tests only, for what has no
  equivalent (``pytester`` / ``testdir``, custom collector classes built on pytest's nodes).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

from pluggy import HookImpl

import minitest
from minitest import hookimpl
from minitest.nodes import CollectError, File, Node
from minitest.pluginmanager import MinitestPluginManager, PluginOrigin


class UnsupportedCollector(File):
    """Stands in for a collector built on pytest's node classes: collecting it is a clear error."""

    reason = ""

    def collect(self) -> Iterable[Node]:
        raise CollectError(self.reason)


def _is_pytest_impl(impl: HookImpl) -> bool:
    return getattr(impl.function, "__name__", "").startswith("pytest_")


def _from_pytest_internals(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if "/_pytest/" in tb.tb_frame.f_code.co_filename.replace("\\", "/"):
            return True
        tb = tb.tb_next
    return False


def _describe(impl: HookImpl) -> str:
    function = impl.function
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__name__', '?')}"


def _unsupported(parent: Node, path: Path | None, what: str) -> Node:
    node = UnsupportedCollector.from_parent(parent, path=Path(path) if path is not None else parent.path)
    node.reason = (f"custom collectors built on pytest's node classes are not supported by minitest ({what}); "
                   "write the collector with minitest.File / minitest.Item instead")
    return node


class _CollectAdapter:
    """Around one collect hook, once a plugin written for pytest implements it: a pytest node
    object returned, or an error raised from inside pytest (its node classes cannot take
    minitest's nodes as parents), becomes an :class:`UnsupportedCollector`, collected as a clear
    error on that file only. A ``wrapper=True`` implementation (it sees the hook's result and
    exceptions), registered only when needed: runs without such plugins pay nothing."""

    hook_name = ""

    def __init__(self, manager: MinitestPluginManager) -> None:
        self.manager = manager

    def _pytest_impls(self) -> list[HookImpl]:
        caller = getattr(self.manager.hook, self.hook_name)
        return [impl for impl in caller.get_hookimpls() if _is_pytest_impl(impl)]

    def _raised_in(self, exc: BaseException) -> HookImpl | None:
        """The pytest-written implementation in ``exc``'s traceback, if any."""
        codes = {getattr(inspect.unwrap(impl.function), "__code__", None): impl for impl in self._pytest_impls()}
        tb = exc.__traceback__
        while tb is not None:
            impl = codes.get(tb.tb_frame.f_code)
            if impl is not None:
                return impl
            tb = tb.tb_next
        return None

    def _adapt(self, parent: Node, path: Path | None) -> Generator[None, Any, Any]:
        try:
            result = yield
        except Exception as exc:
            impl = self._raised_in(exc)
            if impl is None or not _from_pytest_internals(exc):
                raise
            return _unsupported(parent, path, f"{_describe(impl)} raised {type(exc).__name__}: {exc}")
        if self.hook_name == "minitest_collect_file":  # not firstresult: one result per implementation
            return [r if _is_nodes(r) else self._replace(parent, path, r) for r in result]
        if result is None or _is_nodes(result):
            return result
        return self._replace(parent, path, result)

    def _replace(self, parent: Node, path: Path | None, result: object) -> Node:
        first = result[0] if isinstance(result, list) and result else result
        who = ", ".join(_describe(impl) for impl in self._pytest_impls()) or "a pytest hook"
        return _unsupported(parent, path, f"{who} returned {type(first).__name__}, a pytest node class")


def _is_nodes(result: object) -> bool:
    if isinstance(result, list):
        return all(isinstance(r, Node) for r in result)
    return isinstance(result, Node)


class _CollectFileAdapter(_CollectAdapter):
    hook_name = "minitest_collect_file"

    @hookimpl(wrapper=True)
    def minitest_collect_file(self, file_path: Path, parent: Node) -> Generator[None, Any, Any]:
        return (yield from self._adapt(parent, file_path))


class _MakeModuleAdapter(_CollectAdapter):
    hook_name = "minitest_pycollect_makemodule"

    @hookimpl(wrapper=True)
    def minitest_pycollect_makemodule(self, module_path: Path, parent: Node) -> Generator[None, Any, Any]:
        return (yield from self._adapt(parent, module_path))


class _MakeItemAdapter(_CollectAdapter):
    hook_name = "minitest_pycollect_makeitem"

    @hookimpl(wrapper=True)
    def minitest_pycollect_makeitem(self, collector: Node, name: str, obj: object) -> Generator[None, Any, Any]:
        return (yield from self._adapt(collector, None))


class _CollectDirectoryAdapter(_CollectAdapter):
    hook_name = "minitest_collect_directory"

    @hookimpl(wrapper=True)
    def minitest_collect_directory(self, path: Path, parent: Node) -> Generator[None, Any, Any]:
        return (yield from self._adapt(parent, path))


_ADAPTERS: dict[str, type[_CollectAdapter]] = {
    cls.hook_name: cls for cls in (_CollectFileAdapter, _MakeModuleAdapter, _MakeItemAdapter, _CollectDirectoryAdapter)}


@hookimpl(tryfirst=True)
def minitest_plugin_registered(plugin: object, manager: MinitestPluginManager) -> None:
    """A plugin written for pytest implements a collect hook: wrap that hook (once)."""
    # speed: only the four collect hooks are looked at, not ``manager.get_hookcallers(plugin)``,
    # which walks every implementation of every hook (~200) for each of the ~60 plugins a run
    # registers: 2.2 -> 0.5 ms of CPU per --lf run (minimum of 9). Same adapters, registered in
    # the order get_hookcallers gave (the hook relay's order).
    hooks = [caller for caller in (getattr(manager.hook, hook_name, None) for hook_name in _ADAPTERS)
             if caller is not None
             and any(impl.plugin is plugin and _is_pytest_impl(impl) for impl in caller.get_hookimpls())]
    if len(hooks) > 1:
        relay_order = list(vars(manager.hook))
        hooks.sort(key=lambda caller: relay_order.index(caller.name))
    for caller in hooks:
        adapter = _ADAPTERS[caller.name]
        name = f"pytest_compat:{caller.name}"
        if manager.get_plugin(name) is None:
            manager.register(adapter(manager), name, PluginOrigin("builtin", f"{__name__}.{adapter.__name__}"))


# ---------------------------------------------------------------------------------------------
# fixtures pytest suites use that minitest spells differently or does not have
# ---------------------------------------------------------------------------------------------


def _local_path_class() -> Callable[[Any], Any]:
    try:
        from _pytest._py.path import LocalPath
    except ImportError:  # pytest is not installed: pathlib stands in
        return Path
    return LocalPath


class TempdirFactory:
    """pytest's ``tmpdir_factory``: ``tmp_path_factory`` handing out legacy path objects."""

    def __init__(self, tmp_path_factory: Any) -> None:
        self._factory = tmp_path_factory
        self._cls = _local_path_class()

    def mktemp(self, basename: str, numbered: bool = True) -> Any:
        return self._cls(self._factory.mktemp(basename, numbered))

    def getbasetemp(self) -> Any:
        return self._cls(self._factory.getbasetemp())


@minitest.fixture(scope="session")
def tmpdir_factory(tmp_path_factory: Any) -> TempdirFactory:
    """Like ``tmp_path_factory``, with pytest's legacy ``py.path.local`` objects."""
    return TempdirFactory(tmp_path_factory)


@minitest.fixture
def tmpdir(tmp_path: Path) -> Any:
    """Like ``tmp_path``, as pytest's legacy ``py.path.local`` object."""
    return _local_path_class()(tmp_path)


def _not_supported(name: str) -> Iterator[None]:
    minitest.fail(f"the {name!r} fixture (pytest's plugin-testing helper) is not supported by minitest; "
                  "use the 'minitester' fixture instead", pytrace=False)
    yield


@minitest.fixture
def pytester() -> Iterator[None]:
    """Not supported: pytest's own plugin-testing helper."""
    yield from _not_supported("pytester")


@minitest.fixture
def testdir() -> Iterator[None]:
    """Not supported: pytest's own (legacy) plugin-testing helper."""
    yield from _not_supported("testdir")
