"""Python test discovery: test files, ``Test*`` classes, ``test*`` functions, parametrization.

    collect_file → pycollect_makemodule → Module.collect → pycollect_makeitem (per attribute)
        → Class / Function items, one per parametrization from generate_tests(metafunc)
"""

from __future__ import annotations

import fnmatch
import inspect
import sys
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FunctionType
from typing import Any

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.fixture_api import is_fixture_definition
from minitest.fixture_contract import FIXTURE_MANAGER, FuncFixtureInfo
from minitest.nodes import Collector, Node
from minitest.outcomes import fail
from minitest.parametrize import Metafunc, iter_parametrize_marks
from minitest.python_nodes import (
    MAKEITEM_TESTS_ONLY_ATTR,
    Class,
    Function,
    MinitestCollectionWarning,
    Module,
    PyCollector,
    matches_name,
)

__all__ = ["getfuncargnames"]


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
    parser.addini("parametrize_long_str_id_strategy", "how an auto-generated id shows a str/bytes value "
                  "over 100 characters: short (argname+index, default), sha256 (its hex digest), legacy "
                  "(the whole value) or disallow (an error asking for explicit ids)", type="string",
                  default="short")
    parser.addini("strict_parametrization_ids", "duplicate parametrize ids are an error instead of being "
                  "made unique", type="bool", default=False)


#: the values ``empty_parameter_set_mark`` accepts
EMPTY_PARAMETER_SET_MARKS = ("skip", "xfail", "fail_at_collect")


def minitest_configure(config: Config) -> None:
    # checked before collection, as pytest 9.2 does (#14791): a bad value is a usage error, not a
    # collection error of each test with an empty parameter set
    value = config.getini("empty_parameter_set_mark")
    if value not in EMPTY_PARAMETER_SET_MARKS:
        where = f"{config.inipath}: " if config.inipath is not None else ""
        choices = " | ".join(repr(choice) for choice in EMPTY_PARAMETER_SET_MARKS)
        raise UsageError(f"{where}config option 'empty_parameter_set_mark' expects one of {choices}, "
                         f"got {value!r}")


# ---------------------------------------------------------------------------------------------
# file name matching
# ---------------------------------------------------------------------------------------------


def _matches_file(path: Path, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if "/" in pattern or "\\" in pattern:
            if fnmatch.fnmatch(str(path), f"*{pattern}") or fnmatch.fnmatch(path.as_posix(), f"*{pattern}"):
                return True
        elif fnmatch.fnmatch(path.name, pattern):
            return True
    return False


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
        if matches_name(name, config, "python_classes") and getattr(obj, "__test__", True):
            return Class.from_parent(collector, name=name)
        return None
    # the name first: it is the cheap test, and most names of a module (imports, constants,
    # helpers) fail it
    if not matches_name(name, config, "python_functions"):
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


# it returns None for every name that is neither a class nor a python_functions name
setattr(minitest_pycollect_makeitem, MAKEITEM_TESTS_ONLY_ATTR, True)


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


def _genfunctions(collector: PyCollector, name: str, funcobj: Any) -> Iterator[Function]:
    module = collector.getparent(Module)
    cls_node = collector if isinstance(collector, Class) else None
    cls = cls_node.obj if cls_node is not None else None
    is_method = cls is not None and not isinstance(cls.__dict__.get(name), staticmethod)
    func = funcobj.__func__ if isinstance(funcobj, staticmethod) else funcobj
    argnames = getfuncargnames(func, is_method=is_method)
    definition = Function.from_parent(collector, name=name, callobj=func, argnames=argnames)
    manager = collector.config.stash.get(FIXTURE_MANAGER, None)
    if manager is not None:
        fixtureinfo = manager.getfixtureinfo(definition, argnames)
    else:
        fixtureinfo = FuncFixtureInfo.without_fixtures(argnames)
    metafunc = Metafunc(definition, func, fixtureinfo, collector.config, cls,
                        module.obj if module is not None else None)
    collector.ihook.minitest_generate_tests(metafunc=metafunc)
    metafunc._recompute_direct_params_indices()
    if not metafunc._calls:
        definition.fixtureinfo = fixtureinfo
        yield definition
        return
    if not fixtureinfo.direct_names.isdisjoint(fixtureinfo.name2fixturedefs):
        # a hook gave directly a name the closure has a fixture for (the parametrize marks' names
        # are left out of the closure already): what that fixture uses is not needed, as in pytest
        fixtureinfo.prune_dependency_tree()
    for callspec in metafunc._calls:
        yield Function.from_parent(collector, name=f"{name}[{callspec.id}]", callspec=callspec, callobj=func,
                                   originalname=name, argnames=argnames, fixtureinfo=fixtureinfo)


@hookimpl
def minitest_generate_tests(metafunc: Metafunc) -> None:
    """Apply ``@parametrize`` marks: the function's own (bottom decorator first), then its class's,
    then its module's, as pytest does (which decides the product order of the ids)."""
    marks = list(metafunc.definition.iter_markers("parametrize"))
    for mark, (args, kwargs) in zip(marks, iter_parametrize_marks(marks), strict=True):
        metafunc.parametrize(*args, **kwargs, _param_mark=mark)


#: code flags of ``async def`` functions and async generators
_ASYNC_FLAGS = inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR


def _is_async(func: Any) -> bool:
    """Whether ``func`` is a coroutine or async generator function, as pytest decides it: a method's
    function and a partial's are looked at, ``__wrapped__`` is not (a plugin running the coroutine
    swaps in a sync function made with ``functools.wraps``, which pytest-asyncio does)."""
    if type(func) is FunctionType:
        # a plain function: its code flags say it, without inspect's checks (~0.7 µs per test,
        # ~7 ms of 10,000 trivial tests); a marker set by ``inspect.markcoroutinefunction`` too
        return bool(func.__code__.co_flags & _ASYNC_FLAGS) or "_is_coroutine_marker" in func.__dict__
    return inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func) \
        or getattr(func, "_is_coroutine", False) is True


def _async_fail(pyfuncitem: Function) -> None:
    fail("async def functions are not natively supported by minitest.\n"
         "You need to install a suitable plugin for your async framework, for example:\n"
         "  - anyio\n  - pytest-asyncio\n  - pytest-tornasync\n  - pytest-trio\n  - pytest-twisted",
         pytrace=False)


@hookimpl(trylast=True)
def minitest_pyfunc_call(pyfuncitem: Function) -> bool:
    # the function is read now, not at collection: a plugin may have swapped it for one that runs
    # the coroutine (pytest-asyncio, pytest-trio), or run it in a tryfirst implementation (anyio)
    func = pyfuncitem.obj
    if _is_async(func):
        _async_fail(pyfuncitem)
    funcargs = pyfuncitem.funcargs
    try:
        kwargs = {name: funcargs[name] for name in pyfuncitem.argnames}
    except KeyError as exc:
        fail(f"fixture {exc.args[0]!r} not found", pytrace=False)
    result = func(**kwargs)
    if hasattr(result, "__await__") or hasattr(result, "__aiter__"):
        # a sync function returning a coroutine (a decorated async test): never awaited either
        close = getattr(result, "close", None)
        if callable(close):
            close()  # no "coroutine ... was never awaited" warning on top of the failure
        _async_fail(pyfuncitem)
    elif result is not None:
        warnings.warn(
            MinitestCollectionWarning(
                f"Test functions should return None, but {pyfuncitem.nodeid} returned {type(result)!r}.\n"
                "Did you mean to use `assert` instead of `return`?"
            ),
            stacklevel=1,
        )
    return True
