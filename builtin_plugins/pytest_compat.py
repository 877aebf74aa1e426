"""Running suites written for pytest, unmodified.

Most of pytest's surface works without this plugin: marks, ``pytest.param`` and pytest's outcome
exceptions are recognised by the kernel by shape, ``pytest_*`` hook functions are mapped onto
``minitest_*`` hooks by the plugin manager, and pytest's config files are read when there is no
minitest config. What remains lives here:

* hook implementations written for pytest see pytest-shaped objects (``call.excinfo`` is an
  ExceptionInfo, not a bare exception);
* pytest's legacy path fixtures ``tmpdir`` / ``tmpdir_factory`` (pytest's own path class is used
  when pytest is importable — it is only imported when such a fixture is requested);
* a clear "not supported by minitest" error, on the affected tests only, for what has no
  equivalent (``pytester`` / ``testdir``, custom collector classes built on pytest's nodes).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import minitest
from minitest import hookimpl
from minitest.nodes import CollectError, File, Node
from minitest.pluginmanager import MinitestPluginManager

#: hooks whose pytest implementations receive a CallInfo
_CALL_HOOKS = ("minitest_runtest_makereport",)
#: hooks whose pytest implementations may return pytest node objects
_COLLECT_HOOKS = ("minitest_collect_file", "minitest_pycollect_makemodule", "minitest_pycollect_makeitem",
                  "minitest_collect_directory")
_ADAPTED = "_minitest_pytest_adapted"


class PytestCallInfo:
    """A CallInfo as pytest's hooks expect it: ``excinfo`` is an ExceptionInfo."""

    def __init__(self, call: Any) -> None:
        self._call = call

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)

    @property
    def excinfo(self) -> Any:
        exc = self._call.excinfo
        if exc is None:
            return None
        from minitest.raises_api import ExceptionInfo

        return ExceptionInfo.from_exception(exc)

    def __repr__(self) -> str:
        return repr(self._call)


class UnsupportedCollector(File):
    """Stands in for a collector built on pytest's node classes: collecting it is a clear error."""

    reason = ""

    def collect(self) -> Iterable[Node]:
        raise CollectError(self.reason)


def _is_pytest_impl(impl: Any) -> bool:
    name = getattr(impl.function, "__name__", "")
    return name.startswith("pytest_")


def _adapt_call_impl(func: Callable[..., Any], argnames: tuple[str, ...]) -> Callable[..., Any]:
    index = argnames.index("call")

    @functools.wraps(func)
    def adapted(*args: Any) -> Any:
        args = list(args)  # type: ignore[assignment]
        args[index] = PytestCallInfo(args[index])  # type: ignore[index]
        return func(*args)

    return adapted


def _adapt_collect_impl(func: Callable[..., Any], argnames: tuple[str, ...]) -> Callable[..., Any]:
    @functools.wraps(func)
    def adapted(*args: Any) -> Any:
        kwargs = dict(zip(argnames, args, strict=False))
        parent = kwargs.get("parent") or kwargs.get("collector")
        path = kwargs.get("file_path") or kwargs.get("module_path") or kwargs.get("path")
        try:
            result = func(*args)
        except Exception as exc:
            if parent is None or not _from_pytest_internals(exc):
                raise
            return _unsupported(parent, path, f"{func.__module__}.{func.__name__} raised {type(exc).__name__}: {exc}")
        if result is None:
            return None
        results = result if isinstance(result, list) else [result]
        if all(isinstance(r, Node) for r in results):
            return result
        if parent is None:
            return None
        return _unsupported(parent, path, f"{func.__module__}.{func.__name__} returned "
                                          f"{type(results[0]).__name__}, a pytest node class")

    return adapted


def _from_pytest_internals(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if "/_pytest/" in tb.tb_frame.f_code.co_filename.replace("\\", "/"):
            return True
        tb = tb.tb_next
    return False


def _unsupported(parent: Node, path: Path | None, what: str) -> Node:
    node = UnsupportedCollector.from_parent(parent, path=Path(path) if path is not None else parent.path)
    node.reason = (f"custom collectors built on pytest's node classes are not supported by minitest ({what}); "
                   "write the collector with minitest.File / minitest.Item instead")
    return node


@hookimpl(tryfirst=True)
def minitest_plugin_registered(plugin: object, manager: MinitestPluginManager) -> None:
    """Give hook implementations written for pytest the objects they expect."""
    for caller in manager.get_hookcallers(plugin) or []:
        name = caller.name
        if name not in _CALL_HOOKS and name not in _COLLECT_HOOKS:
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is not plugin or not _is_pytest_impl(impl) or getattr(impl.function, _ADAPTED, False):
                continue
            if name in _CALL_HOOKS and "call" in impl.argnames:
                impl.function = _adapt_call_impl(impl.function, tuple(impl.argnames))  # type: ignore[misc]  # see issue 15
            elif name in _COLLECT_HOOKS:
                impl.function = _adapt_collect_impl(impl.function, tuple(impl.argnames))  # type: ignore[misc]  # see issue 15
            setattr(impl.function, _ADAPTED, True)


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
