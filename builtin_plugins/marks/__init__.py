"""Marks: the marker registry, ``--markers``, unknown-mark checks and ``-k`` / ``-m`` selection.

    configure          → the builtin markers join the ``markers`` ini list
    cmdline_main       → ``--markers`` prints the registry and ends the run
    make_collect_report (wrapper) → marks used in a test module that nobody registered warn
                         (``MinitestUnknownMarkWarning``) or, with ``--strict-markers``, make the
                         module's collection fail
    collection_modifyitems → ``-k`` then ``-m`` deselect items (``minitest_deselected``)

The mark objects themselves live in the kernel (:mod:`minitest.marks`); what each mark means is up
to the plugin that reads it (skipping, python, fixtures, warnings ...).
"""

from __future__ import annotations

import inspect
import linecache
import warnings
from collections.abc import Generator, Iterable, Iterator
from types import FunctionType, ModuleType
from typing import TYPE_CHECKING, Any

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.index_api import IndexedTest, index_safe, select_from_index
from minitest.marks import Mark, ParameterSet, get_unpacked_marks, is_unmarked_function, normalize_mark
from minitest.nodes import Collector, Directory, File, Item, Session
from minitest.pytest_names import is_pytest_parameter_set

if TYPE_CHECKING:
    from builtin_plugins.marks.expression import Expression
    from minitest.reports import CollectReport

__all__ = ["MinitestUnknownMarkWarning", "KeywordMatcher", "MarkMatcher", "registered_marker_names"]


class MinitestUnknownMarkWarning(UserWarning):
    """A test uses ``minitest.mark.NAME`` for a NAME no plugin or ini file registered."""


#: the marks minitest's own plugins understand: (signature, description)
BUILTIN_MARKERS: tuple[tuple[str, str], ...] = (
    ("skip(reason=None)", "always skip the test; the optional reason is shown in the report."),
    ("skipif(condition, ..., *, reason=...)",
     "skip the test when any condition is true. A condition is a bool (then reason= is required) "
     "or a string evaluated with os, sys, platform, config and the test module's globals, e.g. "
     "skipif('sys.platform == \"win32\"')."),
    ("xfail(condition, ..., *, reason=..., run=True, raises=None, strict=xfail_strict)",
     "expect the test to fail (when the conditions hold, or always). run=False does not even run "
     "it; raises= limits the expected exception types (others are real failures); strict=True "
     "makes an unexpected pass a failure."),
    ("parametrize(argnames, argvalues)",
     "run the test once per entry of argvalues, passing the values as the named arguments, e.g. "
     "parametrize('n', [1, 2]) makes two tests. Stacked decorators multiply; minitest.param(..., "
     "marks=..., id=...) sets marks and ids of one entry."),
    ("usefixtures(fixturename1, fixturename2, ...)",
     "set up the named fixtures for the test without passing them as arguments."),
    ("filterwarnings(warning)",
     "add a warnings filter (the -W syntax, e.g. 'ignore::DeprecationWarning') while the test runs."),
    ("timeout(seconds)", "fail the test when it runs longer than the given number of seconds."),
    ("tryfirst", "kept for plugins written for pytest; use @minitest.hookimpl(tryfirst=True) instead."),
    ("trylast", "kept for plugins written for pytest; use @minitest.hookimpl(trylast=True) instead."),
)


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("-k", action="store", dest="keyword", default="", metavar="EXPRESSION",
                    help="only run tests whose names match the expression: substrings of test, "
                         "class, module and mark names (case-insensitive) combined with and / or / "
                         "not and parentheses, e.g. -k 'http and not slow'")
    group.addoption("-m", action="store", dest="markexpr", default="", metavar="MARKEXPR",
                    help="only run tests whose marks match the expression, e.g. -m 'slow and not "
                         "network' or -m 'device(serial=\"123\")'")
    group.addoption("--markers", action="store_true", default=False, dest="showmarkers",
                    help="show the registered markers (builtin, plugin and ini ones) and exit")
    group.addoption("--strict-markers", action="store_true", default=False, dest="strict_markers",
                    help="an unregistered mark in a test module is a collection error, not a warning")
    parser.addini("markers", "register markers: one 'name: description' per line", type="linelist")
    parser.addini("strict_markers", "an unregistered mark is an error (like --strict-markers)", type="bool",
                  default=False)


@hookimpl(tryfirst=True)
def minitest_configure(config: Config) -> None:
    # tryfirst: other plugins' configure may already look at the registry
    for signature, description in BUILTIN_MARKERS:
        config.addinivalue_line("markers", f"{signature}: {description}")
    if (config.getoption("keyword", "") or "").strip() or config.getoption("markexpr", ""):
        select_from_index(config, "marks")


# ---------------------------------------------------------------------------------------------
# the registry and --markers
# ---------------------------------------------------------------------------------------------


def registered_marker_names(config: Config) -> frozenset[str]:
    """The names in the ``markers`` ini list (``name(args): text`` → ``name``)."""
    # asked once per collected module; a plugin may add lines at any time
    return config.getini_parsed("markers", _marker_names)


def _marker_names(lines: list[str]) -> frozenset[str]:
    return frozenset(line.split(":", 1)[0].split("(", 1)[0].strip() for line in lines)


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    if not config.getoption("showmarkers", False):
        return None
    config.do_configure()  # plugins register their markers in minitest_configure
    lines: list[str] = []
    shown: set[str] = set()
    for line in config.getini("markers"):
        name, sep, description = line.partition(":")
        key = name.split("(", 1)[0].strip()
        if key in shown:
            continue  # registered by two plugins (filterwarnings, timeout): the first one is listed
        shown.add(key)
        lines.append(f"@minitest.mark.{name.strip()}:{(' ' + description.strip()) if sep else ''}")
        lines.append("")
    import sys

    sys.stdout.write("\n".join(lines) + ("\n" if lines else ""))
    sys.stdout.flush()
    return 0


# ---------------------------------------------------------------------------------------------
# unknown marks
# ---------------------------------------------------------------------------------------------


def _strict(config: Config) -> bool:
    return bool(config.getoption("strict_markers", False) or config.getini("strict_markers"))


@hookimpl(wrapper=True)
def minitest_make_collect_report(collector: Collector) -> Generator[None, CollectReport, CollectReport]:
    report: CollectReport = yield
    if not (isinstance(collector, File) and report.passed):
        return report
    try:
        module = getattr(collector, "obj", None)  # a python module is imported by now (cached)
    except Exception:
        return report  # some other kind of file whose object cannot be had: nothing to check
    if not isinstance(module, ModuleType):
        return report
    config = collector.config
    known = registered_marker_names(config)
    unknown = [(mark, obj) for mark, obj in _marks_in_module(module) if mark.name not in known]
    if not unknown:
        return report
    if _strict(config):
        # as if the module had failed to import: the whole file is one collection error, pytest's
        # fail(..., pytrace=False) (the short summary says "Failed: ... not found ...")
        from minitest.outcomes import Failed

        message = f"{unknown[0][0].name!r} not found in `markers` configuration option"
        report.outcome = "failed"
        report.longrepr = collector.repr_failure(Failed(msg=message, pytrace=False))
        report.result = []
        return report
    path = str(getattr(collector, "path", ""))
    for mark, obj in unknown:
        try:
            warnings.warn_explicit(
                MinitestUnknownMarkWarning(
                    f"Unknown minitest.mark.{mark.name} - is this a typo?  Register custom marks with the "
                    "`markers` ini option (or config.addinivalue_line('markers', ...) in a plugin) to "
                    "avoid this warning"),
                category=MinitestUnknownMarkWarning,
                filename=path,
                lineno=_mark_line(path, obj, mark.name),
                module=module.__name__,
            )
        except Exception as exc:  # noqa: BLE001 - a warning filter made it an error (filterwarnings = error)
            # pytest warns while the module is imported, so the error is that module's collection
            # error; it is here too, never an internal error
            from minitest.nodes import CollectError

            report.outcome = "failed"
            report.longrepr = collector.repr_failure(CollectError(f"{path}:{_mark_line(path, obj, mark.name)}: "
                                                                  f"{type(exc).__name__}: {exc}"))
            report.result = []
            return report
    return report


def _marks_in_module(module: ModuleType) -> Iterator[tuple[Mark, Any]]:
    """Every mark used in ``module``: on it, its functions, classes and methods, and inside the
    ``param(..., marks=...)`` entries of parametrize marks. Pairs are (mark, object it is on)."""
    seen: set[int] = set()

    def visit(obj: Any, owner: Any) -> Iterator[tuple[Mark, Any]]:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        is_class = isinstance(obj, type)  # inspect.isclass without the call (every module is walked)
        marks = get_unpacked_marks(obj, consider_mro=False) if is_class else get_unpacked_marks(obj)
        for mark in marks:
            yield mark, owner
            if mark.name == "parametrize":
                for psmark in _param_marks(mark):
                    yield psmark, owner
        if is_class:
            for member in list(vars(obj).values()):
                # a plain function without marks (most of them): nothing to visit; every module
                # is walked after it is collected, so these are skipped before a generator is made
                if is_unmarked_function(member):
                    continue
                if isinstance(member, (staticmethod, classmethod)):
                    # by type, not getattr(member, "__func__"): any other object's __getattr__ may
                    # raise (pytest collects such a class attribute without complaint)
                    member = member.__func__
                if isinstance(member, (FunctionType, type)):
                    yield from visit(member, member)

    yield from visit(module, module)
    module_name = module.__name__
    for value in list(vars(module).values()):
        if is_unmarked_function(value):
            continue
        if isinstance(value, (FunctionType, type)) and getattr(value, "__module__", None) == module_name:
            yield from visit(value, value)


def _param_marks(mark: Mark) -> Iterator[Mark]:
    values = mark.args[1] if len(mark.args) > 1 else mark.kwargs.get("argvalues", ())
    try:
        entries = list(values) if isinstance(values, (list, tuple)) else []
    except TypeError:
        return
    for entry in entries:
        if isinstance(entry, ParameterSet) or is_pytest_parameter_set(entry):
            for m in getattr(entry, "marks", ()):
                nm = normalize_mark(m)
                if nm is not None:
                    yield nm


def _mark_line(path: str, obj: Any, name: str) -> int:
    """The line of ``.mark.NAME`` at or after where ``obj`` starts (the warning points at it)."""
    start = 1
    if not isinstance(obj, ModuleType):
        try:
            start = inspect.getsourcelines(obj)[1]
        except (OSError, TypeError):
            start = 1
    lines = linecache.getlines(path)
    needle = f"mark.{name}"
    for number in range(max(start, 1), len(lines) + 1):
        text = lines[number - 1]
        at = text.find(needle)
        if at != -1 and not text[at + len(needle): at + len(needle) + 1].isidentifier():
            return number
    return start


# ---------------------------------------------------------------------------------------------
# -k and -m
# ---------------------------------------------------------------------------------------------


class KeywordMatcher:
    """``-k``: an identifier matches when it is a substring (any case) of one of the item's names:
    its own and its parents' (not the session's or the root directory's), extra keywords,
    attributes set on the test function, and its marks."""

    def __init__(self, names: Iterable[str]) -> None:
        self._names = [name.lower() for name in names]

    @classmethod
    def from_item(cls, item: Item) -> KeywordMatcher:
        names: set[str] = set()
        for node in item.listchain():
            if isinstance(node, Session):
                continue
            if isinstance(node, Directory) and isinstance(node.parent, Session):
                continue
            names.add(node.name)
        names.update(item.listextrakeywords())
        function = getattr(item, "function", None)
        names.update(getattr(function, "__dict__", {}) or {})
        names.update(mark.name for mark in item.iter_markers())
        return cls(names)

    def __call__(self, subname: str, /, **kwargs: Any) -> bool:
        if kwargs:
            raise UsageError("Keyword expressions do not support call parameters.")
        needle = subname.lower()
        return any(needle in name for name in self._names)


class MarkMatcher:
    """``-m``: ``name`` matches an item with that mark; ``name(k=v)`` one whose mark has those
    keyword arguments (equal values)."""

    def __init__(self, marks: Iterable[Mark]) -> None:
        self._by_name: dict[str, list[Mark]] = {}
        for mark in marks:
            self._by_name.setdefault(mark.name, []).append(mark)

    def __call__(self, name: str, /, **kwargs: Any) -> bool:
        missing = object()
        return any(all(mark.kwargs.get(key, missing) == value for key, value in kwargs.items())
                   for mark in self._by_name.get(name, ()))


def _compile(text: str, option: str) -> Expression:
    # imported here: the expression parser is only needed when -k / -m is given
    from builtin_plugins.marks.expression import Expression, ParseError

    try:
        return Expression.compile(text)
    except ParseError as exc:
        raise UsageError(f"Wrong expression passed to '{option}': {text}: {exc}") from None


def _deselect(config: Config, items: list[Item], keep: Iterable[bool]) -> None:
    kept: list[Item] = []
    dropped: list[Item] = []
    for item, ok in zip(list(items), keep, strict=True):
        (kept if ok else dropped).append(item)
    if dropped:
        config.hook.minitest_deselected(items=dropped)
        items[:] = kept


@hookimpl
@index_safe  # deselects exactly what minitest_index_modifyitems removes from the index's records
def minitest_collection_modifyitems(config: Config, items: list[Item]) -> None:
    keyword = (config.getoption("keyword", "") or "").lstrip()
    if keyword:
        expr = _compile(keyword, "-k")
        _deselect(config, items, [expr.evaluate(KeywordMatcher.from_item(item)) for item in items])
    markexpr = config.getoption("markexpr", "") or ""
    if markexpr:
        expr = _compile(markexpr, "-m")
        if _strict(config):
            # pytest >= 9.2 (#2781): with strict markers, -m names only registered marks
            unknown = expr.idents() - set(registered_marker_names(config))
            if unknown:
                raise UsageError(f"Unknown marker(s) in '-m' expression: {', '.join(sorted(unknown))}. "
                                 "Use 'minitest --markers' to see available markers.")
        _deselect(config, items, [expr.evaluate(MarkMatcher(item.iter_markers())) for item in items])


# ---------------------------------------------------------------------------------------------
# -k and -m on the collection index (files none of whose tests match are not imported)
# ---------------------------------------------------------------------------------------------


def _json_kwargs(mark: Mark) -> dict[str, Any] | None:
    """The mark's keyword arguments if JSON keeps them equal, else None (then ``-m name(k=v)``
    on this mark cannot be decided from the index)."""
    import json

    try:
        kwargs = dict(mark.kwargs)
        return kwargs if json.loads(json.dumps(kwargs)) == kwargs else None
    except (TypeError, ValueError):
        return None


def minitest_index_itemrecord(item: Item, record: dict[str, Any]) -> None:
    matcher = KeywordMatcher.from_item(item)
    record["marks"] = {"k": sorted(set(matcher._names)),
                       "m": [[mark.name, _json_kwargs(mark)] for mark in item.iter_markers()]}


class _RecordedMarks:
    """MarkMatcher over a record: ``name`` / ``name(k=v)`` against the recorded marks."""

    def __init__(self, marks: list[list[Any]]) -> None:
        self.marks = marks

    def __call__(self, name: str, /, **kwargs: Any) -> bool:
        missing = object()
        return any(m[0] == name and all(m[1].get(k, missing) == v for k, v in kwargs.items())
                   for m in self.marks)


def minitest_index_modifyitems(config: Config, tests: list[IndexedTest]) -> None:
    keyword = (config.getoption("keyword", "") or "").lstrip()
    markexpr = config.getoption("markexpr", "") or ""
    if not keyword and not markexpr:
        return
    kexpr = _compile(keyword, "-k") if keyword else None
    mexpr = _compile(markexpr, "-m") if markexpr else None
    mnames = mexpr.idents() if mexpr is not None else frozenset()
    kept: list[IndexedTest] = []
    for test in tests:
        data: Any = test.record.get("marks")
        try:
            names, marks = data["k"], data["m"]
            if kexpr is not None and not kexpr.evaluate(KeywordMatcher(names)):
                continue
            if mexpr is not None:
                if any(m[1] is None and m[0] in mnames for m in marks):
                    kept.append(test)  # keyword arguments the index could not keep: ask the module
                    continue
                if not mexpr.evaluate(_RecordedMarks(marks)):
                    continue
        except Exception:  # noqa: BLE001 - a record of another shape, an error -k reports itself
            pass
        kept.append(test)
    tests[:] = kept
