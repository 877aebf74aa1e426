"""The node classes of Python tests: :class:`Module`, :class:`Class`, :class:`Function` (public API:
``minitest.Module``..., and pytest's ``pytest.Function``... while minitest runs).

Other plugins subclass them (unittest's TestCase nodes) and test for them; the python plugin
decides which files, classes and functions become these nodes (``minitest_collect_file``,
``minitest_pycollect_makeitem``) and makes one :class:`Function` per parametrization.
"""

from __future__ import annotations

import fnmatch
import inspect
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from minitest.config import Config
from minitest.fixture_api import is_fixture_definition
from minitest.fixture_contract import FuncFixtureInfo
from minitest.marks import get_unpacked_marks
from minitest.nodes import CollectError, Collector, File, Item, Node
from minitest.outcomes import outcome_kind
from minitest.parametrize import CallSpec
from minitest.pathimport import ImportPathMismatchError, import_path

__all__ = ["PyObjMixin", "PyCollector", "Module", "Class", "Function", "MinitestCollectionWarning",
           "MAKEITEM_TESTS_ONLY_ATTR", "matches_name", "callspec_of"]


class MinitestCollectionWarning(UserWarning):
    """Something in a test file could not be collected the way it looks like it should be."""



def matches_name(name: str, config: Config, ininame: str) -> bool:
    """Whether ``name`` matches one of the patterns of ini key ``ininame`` (``python_functions``,
    ``python_classes``): a prefix, or a glob."""
    prefixes, globs = config.getini_parsed(ininame, _split_patterns)
    if name.startswith(prefixes):
        return True
    return any(fnmatch.fnmatch(name, pattern) for pattern in globs)


def _split_patterns(patterns: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``patterns`` as (every pattern, as a prefix) and (the ones that are globs); asked for every
    name of every test module and class, so made once per value (``Config.getini_parsed``)."""
    listed = tuple(str(p) for p in patterns)
    return listed, tuple(p for p in listed if any(c in p for c in "*?["))


class PyObjMixin(Node):
    """A node backed by a Python object (module, class or function)."""

    _obj: Any = None

    @property
    def obj(self) -> Any:
        if self._obj is None:
            self._obj = self._getobj()
            self._apply_object_marks(self._obj)
        return self._obj

    @obj.setter
    def obj(self, value: Any) -> None:
        self._obj = value

    def _getobj(self) -> Any:
        assert self.parent is not None
        return getattr(self.parent.obj, self.name)  # type: ignore[attr-defined]

    def _apply_object_marks(self, obj: Any) -> None:
        for mark in get_unpacked_marks(obj):
            self.own_markers.append(mark)
            self.keywords[mark.name] = mark

    def getmodpath(self) -> str:
        # up the parent links, not over a listchain() copy: asked once per test for its location
        parts = []
        node: Node | None = self
        while node is not None and not isinstance(node, Module):
            if isinstance(node, (Class, Function)):
                parts.append(node.name)
            node = node.parent
        return ".".join(reversed(parts))

    @property
    def module(self) -> ModuleType | None:
        node = self.getparent(Module)
        return node.obj if node is not None else None

    @property
    def cls(self) -> type | None:
        node = self.getparent(Class)
        return node.obj if node is not None else None


class PyCollector(PyObjMixin, Collector):
    """Collects the test classes and functions found in an object's namespace."""

    def _namespaces(self) -> list[dict[str, Any]]:
        return [self.obj.__dict__]

    # pytest's collector predicates, which plugins ask from their ``pycollect_makeitem`` hooks
    # (anyio marks coroutine tests only when ``collector.istestfunction(obj, name)``)
    def funcnamefilter(self, name: str) -> bool:
        """Whether ``name`` is a test function name (``python_functions``)."""
        return matches_name(name, self.config, "python_functions")

    def classnamefilter(self, name: str) -> bool:
        """Whether ``name`` is a test class name (``python_classes``)."""
        return matches_name(name, self.config, "python_classes")

    def istestfunction(self, obj: object, name: str) -> bool:
        """Whether ``obj`` found as ``name`` would be collected as a test function: a test name,
        callable, and not a fixture definition."""
        if not self.funcnamefilter(name):
            return False
        if isinstance(obj, (staticmethod, classmethod)):
            obj = getattr(obj, "__func__", False)
        return callable(obj) and not is_fixture_definition(obj)

    def istestclass(self, obj: object, name: str) -> bool:
        """Whether ``obj`` found as ``name`` would be collected as a test class."""
        return isinstance(obj, type) and self.classnamefilter(name) and bool(getattr(obj, "__test__", True))

    def collect(self) -> Iterable[Node]:
        obj = self.obj
        if not getattr(obj, "__test__", True):
            return []
        ihook = self.ihook
        makeitem = ihook.minitest_pycollect_makeitem
        # names every implementation declares it turns down (neither a class nor a test function
        # name) are not asked about: most of a module's names are imports, constants and helpers,
        # and a hook call per name is a large part of collecting. With any other implementation
        # (a plugin, a conftest) every name is passed to the hook, as always. Monitoring changes
        # nothing: --trace-hooks shows these calls left out too, exactly as a normal run makes them.
        # Measured (bench/PROFILE.md): on bench's collect suite 5,700 → 2,700 calls at ~2.3 µs
        # each, ~7 ms of a 0.76 s collect-only run (~1 %); on trivial10k ~200 calls, under 1 ms.
        skip_non_tests = _only_tests_made(makeitem)
        seen: set[str] = set()
        per_namespace: list[list[Node]] = []
        for namespace in self._namespaces():
            found: list[Node] = []
            for name, member in list(namespace.items()):
                if name in seen or name.startswith("__"):
                    continue
                seen.add(name)
                if skip_non_tests and not isinstance(member, type) \
                        and not matches_name(name, self.config, "python_functions"):
                    continue
                res = makeitem(collector=self, name=name, obj=member)
                if res is None:
                    continue
                found.extend(res if isinstance(res, list) else [res])
            per_namespace.append(found)
        result: list[Node] = []
        for found in reversed(per_namespace):
            result.extend(found)
        return result


#: set to True on a ``minitest_pycollect_makeitem`` implementation that returns None for every
#: name that is neither a class nor a test function name (``python_functions``): the python and
#: unittest plugins' implementations declare it. When every implementation does, such names are
#: not passed to the hook at all (see :meth:`PyCollector.collect`).
MAKEITEM_TESTS_ONLY_ATTR = "minitest_makeitem_tests_only"


def _only_tests_made(hook: Any) -> bool:
    """Whether every implementation of ``minitest_pycollect_makeitem`` declares
    :data:`MAKEITEM_TESTS_ONLY_ATTR`. Only the implementations decide, never hook monitoring:
    ``--trace-hooks`` and ``--plugin-profile`` see exactly the calls an unmonitored run makes."""
    return all(getattr(impl.function, MAKEITEM_TESTS_ONLY_ATTR, False) for impl in hook.get_hookimpls())


class Module(PyCollector, File):
    """A test file, imported when first collected."""

    def _getobj(self) -> ModuleType:
        return self._import()

    def _import(self) -> ModuleType:
        config = self.config
        try:
            module = import_path(self.path, mode=config.getoption("importmode", "prepend") or "prepend",
                                 root=config.rootpath,
                                 consider_namespace_packages=config.getini("consider_namespace_packages"))
        except SyntaxError as exc:
            raise CollectError(_short_error(exc, self.config)) from exc
        except ImportPathMismatchError as exc:
            raise CollectError(str(exc)) from exc
        except ImportError as exc:
            tb = _import_traceback(exc, self.config)
            raise CollectError(
                f"ImportError while importing test module '{self.path}'.\n"
                "Hint: make sure your test modules/packages have valid Python names.\n"
                f"Traceback:\n{tb}"
            ) from exc
        except BaseException as exc:
            if outcome_kind(exc) == "skipped":
                if getattr(exc, "allow_module_level", False):
                    raise
                raise CollectError(
                    "Using minitest.skip outside of a test will skip the entire module. If that's your "
                    "intention, pass `allow_module_level=True`. If you want to skip a specific test or an "
                    "entire class, use the @minitest.mark.skip or @minitest.mark.skipif decorators."
                ) from exc
            raise
        config.pluginmanager.consider_module(module)
        return module

    def collect(self) -> Iterable[Node]:
        self.obj  # noqa: B018 - import now so errors are reported for this file
        return super().collect()


def _short_error(exc: BaseException, config: Config) -> str:
    from minitest.tracebacks import format_failure

    return format_failure(exc, style="short").text


def _import_traceback(exc: BaseException, config: Config) -> str:
    from minitest.tracebacks import format_failure

    style = config.getoption("tbstyle", "auto")
    return format_failure(exc, style="short" if style in ("auto", "long", None) else style).text


class Class(PyCollector):
    """A ``Test*`` class; each test runs on a fresh instance."""

    fixture_scope = "class"

    def _namespaces(self) -> list[dict[str, Any]]:
        return [dict(base.__dict__) for base in self.obj.__mro__ if base is not object]

    def collect(self) -> Iterable[Node]:
        obj = self.obj
        if not getattr(obj, "__test__", True):
            return []
        if _has_own_init(obj):
            warnings.warn_explicit(
                MinitestCollectionWarning(
                    f"cannot collect test class {obj.__name__!r} because it has a __init__ constructor "
                    f"(from: {self.parent.nodeid if self.parent else ''})"
                ),
                category=MinitestCollectionWarning,
                filename=str(self.path),
                lineno=_lineno(obj),
            )
            return []
        return super().collect()

    def newinstance(self) -> Any:
        return self.obj()

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, _lineno(self.obj) - 1, self.getmodpath()


def _has_own_init(cls: type) -> bool:
    init = getattr(cls, "__init__", object.__init__)
    new = getattr(cls, "__new__", object.__new__)
    return init is not object.__init__ or new is not object.__new__


def _lineno(obj: Any) -> int:
    try:
        return inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        return code.co_firstlineno if code else 0


class Function(PyObjMixin, Item):
    """One test function or method, with one set of parameters."""

    # every test's attributes in slots (see Node): a run keeps all its items until the end
    __slots__ = ("originalname", "_callspec", "_callobj", "_obj", "argnames", "instance")

    def __init__(self, name: str, parent: Node, callspec: CallSpec | None = None, callobj: Any = None,
                 originalname: str | None = None, fixtureinfo: FuncFixtureInfo | None = None,
                 argnames: Sequence[str] = (), keywords: Mapping[str, Any] | None = None,
                 **kw: Any) -> None:
        super().__init__(name, parent, **kw)
        if callspec is not None and not isinstance(callspec, CallSpec):
            # pytest's own CallSpec, made by a plugin cloning items (anyio, per backend)
            callspec = CallSpec.from_foreign(callspec, fixtureinfo)
        self.originalname = originalname or name
        self._callspec = callspec
        self._callobj = callobj
        self._obj = callobj
        # a plugin re-making an item (pytest-asyncio) passes the old one's fixtureinfo only
        self.argnames: tuple[str, ...] = tuple(argnames) if argnames or fixtureinfo is None \
            else tuple(fixtureinfo.argnames)
        self.fixtureinfo = fixtureinfo
        attrs = getattr(callobj, "__dict__", None)
        if attrs:  # the keywords mapping is only made when there is something to put in it
            self.keywords.update((k, v) for k, v in attrs.items() if not k.startswith("_"))
        for mark in get_unpacked_marks(callobj) if callobj is not None else []:
            self.own_markers.append(mark)
            self.keywords[mark.name] = mark
        if callspec is not None:
            for mark in callspec.marks:
                self.own_markers.append(mark)
                self.keywords[mark.name] = mark
            self.keywords[callspec.id] = True
        if keywords:  # a plugin re-making an item (pytest-asyncio, anyio) hands over the old one's
            self.keywords.update(keywords)

    @property
    def callspec(self) -> CallSpec:
        """The parameters of a parametrized test. As under pytest, a test that is not parametrized
        has no such attribute (plugins test ``hasattr(item, "callspec")``, pytest-benchmark does)."""
        callspec = self._callspec
        if callspec is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'callspec' (not parametrized)")
        return callspec

    @callspec.setter
    def callspec(self, value: CallSpec | None) -> None:
        self._callspec = value


    @property
    def function(self) -> Any:
        """The underlying Python function (unbound)."""
        return getattr(self.obj, "__func__", self.obj)

    def _getobj(self) -> Any:
        return self._callobj

    def _apply_object_marks(self, obj: Any) -> None:
        pass  # taken from the function at creation

    def setup(self) -> None:
        parent_class = self.getparent(Class)
        if parent_class is not None and self.parent is parent_class:
            instance = parent_class.newinstance()
            self.instance = instance
            self._obj = getattr(instance, self.originalname)
        callspec = self._callspec
        if callspec is not None:
            for argname, value in callspec.params.items():
                if argname not in callspec.indirect:
                    self.funcargs[argname] = value

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            # undo setup()'s binding: the bound method would keep the class instance (and what the
            # test put on it) alive for the rest of the run, as every item is kept until the end
            if getattr(self, "instance", None) is not None:
                self.instance = None
                self._obj = self._callobj

    @property
    def instance_or_none(self) -> Any:
        return getattr(self, "instance", None)

    def runtest(self) -> None:
        self.ihook.minitest_pyfunc_call(pyfuncitem=self)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # the item's own file is reported even for a function defined elsewhere (imported into the
        # test module); the line is the function's first line
        obj = self._callobj
        func = getattr(obj, "__func__", obj)
        if hasattr(func, "__wrapped__"):
            func = inspect.unwrap(func)
        code = getattr(func, "__code__", None)
        return self.path, code.co_firstlineno - 1 if code is not None else None, self.getmodpath()

    def _traceback_entry_point(self) -> Any:
        func = inspect.unwrap(getattr(self._callobj, "__func__", self._callobj))
        return getattr(func, "__code__", None)


def callspec_of(item: Node) -> CallSpec | None:
    """The parameters of ``item`` when it is a parametrized test, else None: what the fixtures
    plugin asks of every item, without the AttributeError ``item.callspec`` raises for the others
    (as under pytest), which would cost a raised exception per test."""
    return getattr(item, "_callspec", None) if isinstance(item, Function) else None
