"""Python test discovery: test files, ``Test*`` classes, ``test*`` functions, parametrization.

    collect_file → pycollect_makemodule → Module.collect → pycollect_makeitem (per attribute)
        → Class / Function items, one per parametrization from generate_tests(metafunc)
"""

from __future__ import annotations

import fnmatch
import inspect
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FunctionType, MappingProxyType, ModuleType
from typing import Any

from builtin_plugins.python.params import CallSpec, Metafunc, iter_parametrize_marks, make_ids
from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.fixture_api import is_fixture_definition
from minitest.marks import get_unpacked_marks
from minitest.nodes import CollectError, Collector, File, Item, Node
from minitest.outcomes import fail, outcome_kind
from minitest.pathimport import ImportPathMismatchError, import_path

__all__ = ["Module", "Class", "Function", "CallSpec", "Metafunc", "make_ids", "getfuncargnames",
           "MinitestCollectionWarning"]


class MinitestCollectionWarning(UserWarning):
    """Something in a test file could not be collected the way it looks like it should be."""


def minitest_addoption(parser: Parser) -> None:
    parser.addini("python_files", "glob patterns of Python test module files", type="args",
                  default=["test_*.py", "*_test.py"])
    parser.addini("python_classes", "prefixes or globs of names of test classes", type="args", default=["Test"])
    parser.addini("python_functions", "prefixes or globs of names of test functions and methods", type="args",
                  default=["test"])
    parser.addini("disable_test_id_escaping_and_forfeit_all_rights_to_community_support",
                  "keep non-ASCII characters in test ids unescaped", type="bool", default=False)
    parser.addini("empty_parameter_set_mark", "what a parametrize with no values makes: skip (default), "
                  "xfail or fail_at_collect", type="string", default="skip")
    parser.addini("strict_parametrization_ids", "duplicate parametrize ids are an error instead of being "
                  "made unique", type="bool", default=False)


# ---------------------------------------------------------------------------------------------
# name matching
# ---------------------------------------------------------------------------------------------


def _matches_file(path: Path, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if "/" in pattern or "\\" in pattern:
            if fnmatch.fnmatch(str(path), f"*{pattern}") or fnmatch.fnmatch(path.as_posix(), f"*{pattern}"):
                return True
        elif fnmatch.fnmatch(path.name, pattern):
            return True
    return False


def _matches_name(name: str, config: Config, ininame: str) -> bool:
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


# ---------------------------------------------------------------------------------------------
# collectors and items
# ---------------------------------------------------------------------------------------------


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
        parts = []
        for node in reversed(self.listchain()):
            if isinstance(node, Module):
                break
            if isinstance(node, (Class, Function)):
                parts.append(node.name)
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

    def collect(self) -> Iterable[Node]:
        obj = self.obj
        if not getattr(obj, "__test__", True):
            return []
        ihook = self.ihook
        makeitem = ihook.minitest_pycollect_makeitem
        # names only the builtin implementations would be asked about, and that they turn down
        # (neither a class nor a test function name), are not asked about: most of a module's
        # names are imports, constants and helpers, and a hook call per name is a large part
        # of collecting. Any other implementation (a plugin, a conftest) and every name is passed
        # to the hook, as always. Monitoring changes nothing: --trace-hooks shows these calls
        # left out too, exactly as a normal run makes them. Measured (bench/PROFILE.md): on
        # bench's collect suite 5,700 → 2,700 calls at ~2.3 µs each, ~7 ms of a 0.76 s
        # collect-only run (~1 %); on trivial10k ~200 calls, under 1 ms.
        skip_non_tests = _only_builtin_makeitem(makeitem, self)
        seen: set[str] = set()
        per_namespace: list[list[Node]] = []
        for namespace in self._namespaces():
            found: list[Node] = []
            for name, member in list(namespace.items()):
                if name in seen or name.startswith("__"):
                    continue
                seen.add(name)
                if skip_non_tests and not isinstance(member, type) \
                        and not _matches_name(name, self.config, "python_functions"):
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


#: set on a ``minitest_pycollect_makeitem`` implementation that returns None for anything that is
#: not a class: names that are neither classes nor test function names may then skip the hook
CLASSES_ONLY_ATTR = "_minitest_makeitem_classes_only"


def _only_builtin_makeitem(hook: Any, collector: Node) -> bool:
    """Whether every implementation of ``minitest_pycollect_makeitem`` for ``collector`` is this
    plugin's own or one marked :data:`CLASSES_ONLY_ATTR`.

    Only the implementations decide, never hook monitoring: ``--trace-hooks`` and
    ``--plugin-profile`` see exactly the calls an unmonitored run makes."""
    for impl in hook.get_hookimpls():
        function = impl.function
        if function is not minitest_pycollect_makeitem and not getattr(function, CLASSES_ONLY_ATTR, False):
            return False
    return True


class Module(PyCollector, File):
    """A test file, imported when first collected."""

    def _getobj(self) -> ModuleType:
        return self._import()

    def _import(self) -> ModuleType:
        config = self.config
        try:
            module = import_path(self.path, mode=config.getoption("importmode", "prepend") or "prepend",
                                 root=config.rootpath)
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
    __slots__ = ("originalname", "callspec", "_callobj", "_obj", "argnames", "fixturenames", "funcargs",
                 "_arg2fixturedefs", "_request", "instance")

    def __init__(self, name: str, parent: Node, callspec: CallSpec | None = None, callobj: Any = None,
                 originalname: str | None = None, fixturenames: Sequence[str] = (),
                 argnames: Sequence[str] = (), **kw: Any) -> None:
        super().__init__(name, parent, **kw)
        self.originalname = originalname or name
        self.callspec = callspec
        self._callobj = callobj
        self._obj = callobj
        self.argnames: tuple[str, ...] = tuple(argnames)
        self.fixturenames: list[str] = list(fixturenames)
        self.funcargs: dict[str, Any] = {}
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
        if self.callspec is not None:
            for argname, value in self.callspec.params.items():
                if argname not in self.callspec.indirect:
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


# ---------------------------------------------------------------------------------------------
# parametrization
# ---------------------------------------------------------------------------------------------


def getfuncargnames(function: Any, *, is_method: bool = False, cls: type | None = None) -> tuple[str, ...]:
    """Names of the arguments a test function needs (no defaults, no ``self``, no mock.patch args)."""
    names = _plain_function_argnames(function)
    if names is None:
        try:
            signature = inspect.signature(function)
        except (ValueError, TypeError):
            return ()
        names = [p.name for p in signature.parameters.values()
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is p.empty]
    patchings = getattr(function, "patchings", None)
    if patchings:
        names = names[len([p for p in patchings if not p.attribute_name and p.new is _mock_default()]):]
    if is_method or (cls is not None and not isinstance(cls.__dict__.get(function.__name__, None), staticmethod)):
        names = names[1:]
    return tuple(names)


def _plain_function_argnames(function: Any) -> list[str] | None:
    """The required argument names read straight from the code object, for a plain function (the
    common case, and inspect.signature is slow when done for every test); None for anything else
    (wrapped, partial, with a __signature__), which goes through inspect.signature."""
    if type(function) is not FunctionType or hasattr(function, "__wrapped__") \
            or "__signature__" in function.__dict__:
        return None
    code = function.__code__
    positional = code.co_varnames[:code.co_argcount]  # positional-only ones included
    keyword_only = code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]
    defaults = len(function.__defaults__ or ())
    required = list(positional[code.co_posonlyargcount:len(positional) - defaults])
    kwdefaults = function.__kwdefaults__ or {}
    required += [name for name in keyword_only if name not in kwdefaults]
    return required


def _mock_default() -> Any:
    mock = sys.modules.get("unittest.mock")
    return getattr(mock, "DEFAULT", object()) if mock else object()


# ---------------------------------------------------------------------------------------------
# hooks
# ---------------------------------------------------------------------------------------------


@hookimpl(trylast=True)
def minitest_collect_file(file_path: Path, parent: Collector) -> Module | None:
    if file_path.suffix != ".py":
        return None
    session = parent.session
    if not session.isinitpath(file_path):
        if not _matches_file(file_path, parent.config.getini("python_files")):
            return None
        if file_path.name == "__init__.py":
            return None
    return parent.ihook.minitest_pycollect_makemodule(module_path=file_path, parent=parent)


@hookimpl(trylast=True)
def minitest_pycollect_makemodule(module_path: Path, parent: Collector) -> Module:
    return Module.from_parent(parent, path=module_path)


@hookimpl(trylast=True)
def minitest_pycollect_makeitem(collector: PyCollector, name: str, obj: object) -> Node | list[Node] | None:
    config = collector.config
    if isinstance(obj, type):  # inspect.isclass / isfunction spelled out: asked for every name
        if _matches_name(name, config, "python_classes") and getattr(obj, "__test__", True):
            return Class.from_parent(collector, name=name)
        return None
    # the name first: it is the cheap test, and most names of a module (imports, constants,
    # helpers) fail it
    if not _matches_name(name, config, "python_functions"):
        return None
    if is_fixture_definition(obj):
        return None  # a fixture named test_*: pytest never collects those either
    raw = obj.__func__ if isinstance(obj, staticmethod) else obj
    if not (isinstance(raw, FunctionType) or isinstance(getattr(raw, "__func__", None), FunctionType)
            or _is_partial_or_wrapped_function(raw)):
        return None
    if not getattr(raw, "__test__", True):
        return None
    if isinstance(collector, Class) and isinstance(collector.obj.__dict__.get(name), classmethod):
        return None
    # a plain function (most tests) is its own unwrapped self: inspect.unwrap is not free
    func = raw if type(raw) is FunctionType and "__wrapped__" not in raw.__dict__ else inspect.unwrap(raw)  # type: ignore[arg-type]  # only callables get here
    if inspect.isgeneratorfunction(func):
        return [_failing_item(collector, name, raw,
                              f"'yield' keyword is allowed in fixtures, but not in tests ({name})")]
    return list(_genfunctions(collector, name, raw))


def _is_partial_or_wrapped_function(obj: object) -> bool:
    return callable(obj) and inspect.isfunction(inspect.unwrap(obj)) and hasattr(obj, "__wrapped__")


class _FailingItem(Function):
    _failure_message: str

    def runtest(self) -> None:
        fail(self._failure_message, pytrace=False)


def _failing_item(collector: PyCollector, name: str, obj: Any, message: str) -> Function:
    item = _FailingItem.from_parent(collector, name=name, callobj=obj)
    item._failure_message = message
    return item


def _usefixtures_of(node: Node, func: Any) -> list[str]:
    names: list[str] = []
    marks = [m for m in get_unpacked_marks(func) if m.name == "usefixtures"]
    marks += [m for m in node.iter_markers("usefixtures")]
    for mark in marks:
        for arg in mark.args:
            if arg not in names:
                names.append(arg)
    return names


#: what a test that uses no fixture has as its fixture definitions: one shared, read-only empty
#: mapping rather than an empty dict per test (readers treat an empty one as "none")
_NO_FIXTUREDEFS: Mapping[str, Any] = MappingProxyType({})


def _genfunctions(collector: PyCollector, name: str, funcobj: Any) -> Iterator[Function]:
    module = collector.getparent(Module)
    cls_node = collector if isinstance(collector, Class) else None
    cls = cls_node.obj if cls_node is not None else None
    is_method = cls is not None and not isinstance(cls.__dict__.get(name), staticmethod)
    func = funcobj.__func__ if isinstance(funcobj, staticmethod) else funcobj
    argnames = getfuncargnames(func, is_method=is_method)
    fixturenames = list(argnames)
    for extra in _usefixtures_of(collector, func):
        if extra not in fixturenames:
            fixturenames.append(extra)
    definition = Function.from_parent(collector, name=name, callobj=func, argnames=argnames,
                                      fixturenames=fixturenames)
    metafunc = Metafunc(definition, func, fixturenames, collector.config, cls,
                        module.obj if module is not None else None)
    collector.ihook.minitest_generate_tests(metafunc=metafunc)
    metafunc._recompute_direct_params_indices()
    if not metafunc._calls:
        definition.fixturenames = list(metafunc.fixturenames)
        definition._arg2fixturedefs = metafunc._arg2fixturedefs or _NO_FIXTUREDEFS  # type: ignore[attr-defined]
        yield definition
        return
    for callspec in metafunc._calls:
        item = Function.from_parent(collector, name=f"{name}[{callspec.id}]", callspec=callspec, callobj=func,
                                    originalname=name, argnames=argnames, fixturenames=metafunc.fixturenames)
        item._arg2fixturedefs = metafunc._arg2fixturedefs or _NO_FIXTUREDEFS  # type: ignore[attr-defined]
        yield item


@hookimpl
def minitest_generate_tests(metafunc: Metafunc) -> None:
    """Apply ``@parametrize`` marks: the function's own (bottom decorator first), then its class's,
    then its module's, as pytest does (which decides the product order of the ids)."""
    marks = list(metafunc.definition.iter_markers("parametrize"))
    for mark, (args, kwargs) in zip(marks, iter_parametrize_marks(marks), strict=True):
        metafunc.parametrize(*args, **kwargs, _param_mark=mark)


@hookimpl(trylast=True)
def minitest_pyfunc_call(pyfuncitem: Function) -> bool:
    func = pyfuncitem.obj
    raw = inspect.unwrap(getattr(func, "__func__", func))
    if inspect.iscoroutinefunction(raw) or inspect.isasyncgenfunction(raw):
        fail("async def functions are not natively supported by minitest; install an async plugin "
             f"or run the coroutine yourself ({pyfuncitem.nodeid})", pytrace=False)
    funcargs = pyfuncitem.funcargs
    try:
        kwargs = {name: funcargs[name] for name in pyfuncitem.argnames}
    except KeyError as exc:
        fail(f"fixture {exc.args[0]!r} not found", pytrace=False)
    result = func(**kwargs)
    if result is not None and not inspect.isawaitable(result):
        warnings.warn(
            MinitestCollectionWarning(
                f"Test functions should return None, but {pyfuncitem.nodeid} returned {type(result)!r}.\n"
                "Did you mean to use `assert` instead of `return`?"
            ),
            stacklevel=1,
        )
    return True
