"""Doctests: docstrings of Python modules (``--doctest-modules``) and text files (``--doctest-glob``).

    collect_file → DoctestModule (a .py file, imported as test modules are) or DoctestTextfile
        → one DoctestItem per docstring / file with examples: ``mod.py::mod.func``,
          ``test_x.txt::test_x.txt``, shown as ``[doctest] mod.func`` in failure headers
    DoctestItem.runtest → the stdlib runner with minitest's output checker (extra flags
        ALLOW_UNICODE, ALLOW_BYTES, NUMBER) and ``doctest_namespace`` / ``getfixture`` in globals

The ``doctest`` module itself is imported only when a doctest is collected.
"""

from __future__ import annotations

import contextlib
import fnmatch
import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from minitest import fixture
from minitest.config import Config, Parser
from minitest.fixture_contract import FIXTURE_MANAGER, FuncFixtureInfo
from minitest.nodes import CollectError, Collector, File, Item
from minitest.outcomes import outcome_kind, skip
from minitest.pathimport import ImportPathMismatchError, import_path
from minitest.reports import FailureRepr, ReprCrash

if TYPE_CHECKING:
    import doctest

REPORT_CHOICES = ("udiff", "cdiff", "ndiff", "only_first_failure", "none")


def minitest_addoption(parser: Parser) -> None:
    parser.addini("doctest_optionflags", "option flags for doctests", type="args", default=["ELLIPSIS"])
    parser.addini("doctest_encoding", "encoding used for doctest files", default="utf-8")
    group = parser.getgroup("collect", "collection")
    group.addoption("--doctest-modules", action="store_true", default=False, dest="doctestmodules",
                    help="run doctests in all .py modules")
    group.addoption("--doctest-report", type=str.lower, default="udiff", choices=REPORT_CHOICES,
                    dest="doctestreport", help="output format for diffs on doctest failure")
    group.addoption("--doctest-glob", action="append", default=[], metavar="pat", dest="doctestglob",
                    help="doctests file matching pattern, default: test*.txt")
    group.addoption("--doctest-ignore-import-errors", action="store_true", default=False,
                    dest="doctest_ignore_import_errors", help="ignore doctest collection errors")
    group.addoption("--doctest-continue-on-failure", action="store_true", default=False,
                    dest="doctest_continue_on_failure",
                    help="for a given doctest, continue to run after the first failure")


@fixture(scope="session")
def doctest_namespace() -> dict[str, Any]:
    """A dict whose items are injected into the globals of every doctest."""
    return {}


# ---------------------------------------------------------------------------------------------
# which files
# ---------------------------------------------------------------------------------------------


def minitest_collect_file(file_path: Path, parent: Collector) -> Collector | None:
    config = parent.config
    if file_path.suffix == ".py":
        if config.getoption("doctestmodules", False) and not _is_setup_py(file_path) \
                and file_path.name != "__main__.py":
            return DoctestModule.from_parent(parent, path=file_path)
        return None
    if _is_doctest_file(config, file_path, parent):
        return DoctestTextfile.from_parent(parent, path=file_path)
    return None


def _is_setup_py(path: Path) -> bool:
    # a setup.py runs setup() when imported: only skip the real ones
    if path.name != "setup.py":
        return False
    contents = path.read_bytes()
    return b"setuptools" in contents or b"distutils" in contents


def _is_doctest_file(config: Config, path: Path, parent: Collector) -> bool:
    if path.suffix in (".txt", ".rst") and parent.session.isinitpath(path):
        return True
    globs = config.getoption("doctestglob", None) or ["test*.txt"]
    return any(_glob_matches(glob, path) for glob in globs)


def _glob_matches(pattern: str, path: Path) -> bool:
    """A pattern without a separator matches the file name, otherwise the end of the path."""
    if "/" not in pattern and "\\" not in pattern:
        return fnmatch.fnmatch(path.name, pattern)
    if not Path(pattern).is_absolute():
        pattern = f"*/{pattern}"
    return fnmatch.fnmatch(path.as_posix(), pattern)


# ---------------------------------------------------------------------------------------------
# option flags, checker and runner
# ---------------------------------------------------------------------------------------------


def _flag_table() -> dict[str, int]:
    import doctest

    return {
        "DONT_ACCEPT_TRUE_FOR_1": doctest.DONT_ACCEPT_TRUE_FOR_1,
        "DONT_ACCEPT_BLANKLINE": doctest.DONT_ACCEPT_BLANKLINE,
        "NORMALIZE_WHITESPACE": doctest.NORMALIZE_WHITESPACE,
        "ELLIPSIS": doctest.ELLIPSIS,
        "IGNORE_EXCEPTION_DETAIL": doctest.IGNORE_EXCEPTION_DETAIL,
        "COMPARISON_FLAGS": doctest.COMPARISON_FLAGS,
        # registering is idempotent: the same bit every time, also usable as "# doctest: +NUMBER"
        "ALLOW_UNICODE": doctest.register_optionflag("ALLOW_UNICODE"),
        "ALLOW_BYTES": doctest.register_optionflag("ALLOW_BYTES"),
        "NUMBER": doctest.register_optionflag("NUMBER"),
    }


def get_optionflags(config: Config) -> int:
    """The flags named by the ``doctest_optionflags`` ini value, or'ed together."""
    table = _flag_table()
    flags = 0
    for name in config.getini("doctest_optionflags"):
        try:
            flags |= table[name]
        except KeyError:
            raise ValueError(f"unknown doctest option flag {name!r} in doctest_optionflags "
                             f"(known: {', '.join(sorted(table))})") from None
    return flags


# patterns, not compiled patterns: ``re`` compiles each on its first use (and keeps it in its
# cache), so a run without doctest options does not compile them as this module is imported
# (0.5 ms of CPU at every start-up)
_UNICODE_PREFIX = r"(\W|^)[uU]([rR]?['\"])"
_BYTES_PREFIX = r"(\W|^)[bB]([rR]?['\"])"
_NUMBER = (
    r"""
    (?P<number>
      (?P<mantissa>
        (?P<integer1> [+-]?\d*)\.(?P<fraction>\d+)
        |
        (?P<integer2> [+-]?\d+)\.
      )
      (?:[Ee](?P<exponent1> [+-]?\d+))?
      |
      (?P<integer3> [+-]?\d+)(?:[Ee](?P<exponent2> [+-]?\d+))
    )
    """
)


def _round_to_wanted_precision(want: str, got: str) -> str:
    """``got`` with each float replaced by the one in ``want`` when they agree to its precision."""
    wanted = list(re.finditer(_NUMBER, want, re.VERBOSE))
    found = list(re.finditer(_NUMBER, got, re.VERBOSE))
    if len(wanted) != len(found):
        return got
    shift = 0
    for w, g in zip(wanted, found, strict=True):
        exponent = w.group("exponent1") or w.group("exponent2")
        fraction = w.group("fraction")
        precision = (len(fraction) if fraction else 0) - (int(exponent) if exponent else 0)
        expected, actual = float(w.group()), float(g.group())
        # pytest's rule: equal within 10**-precision (or a relative 1e-6)
        if abs(expected - actual) <= max(10.0 ** -precision, 1e-6 * abs(actual)):
            start, end = g.start() + shift, g.end() + shift
            got = got[:start] + w.group() + got[end:]
            shift += (w.end() - w.start()) - (g.end() - g.start())
    return got


def _make_checker() -> doctest.OutputChecker:
    import doctest

    flags = _flag_table()

    class Checker(doctest.OutputChecker):
        """The stdlib checker, plus ALLOW_UNICODE / ALLOW_BYTES / NUMBER."""

        def check_output(self, want: str, got: str, optionflags: int) -> bool:
            if super().check_output(want, got, optionflags):
                return True
            extra = optionflags & (flags["ALLOW_UNICODE"] | flags["ALLOW_BYTES"] | flags["NUMBER"])
            if not extra:
                return False
            if optionflags & flags["ALLOW_UNICODE"]:
                want, got = re.sub(_UNICODE_PREFIX, r"\1\2", want), re.sub(_UNICODE_PREFIX, r"\1\2", got)
            if optionflags & flags["ALLOW_BYTES"]:
                want, got = re.sub(_BYTES_PREFIX, r"\1\2", want), re.sub(_BYTES_PREFIX, r"\1\2", got)
            if optionflags & flags["NUMBER"]:
                got = _round_to_wanted_precision(want, got)
            return super().check_output(want, got, optionflags)

    return Checker()


class MultipleDoctestFailures(Exception):
    """Several examples of one doctest failed (``--doctest-continue-on-failure``)."""

    def __init__(self, failures: list[Any]) -> None:
        super().__init__(f"{len(failures)} doctest failures")
        self.failures = failures


def _make_runner(config: Config) -> doctest.DocTestRunner:
    import doctest

    continue_on_failure = bool(config.getoption("doctest_continue_on_failure", False))

    class Runner(doctest.DebugRunner):
        """Collects failures in the ``out`` list (or raises the first), and lets minitest's
        skip / fail / exit outcomes through untouched."""

        def report_failure(self, out: Any, test: Any, example: Any, got: str) -> None:
            failure = doctest.DocTestFailure(test, example, got)
            if not continue_on_failure:
                raise failure
            out.append(failure)

        def report_unexpected_exception(self, out: Any, test: Any, example: Any, exc_info: Any) -> None:
            if outcome_kind(exc_info[1]) is not None:
                raise exc_info[1]
            failure = doctest.UnexpectedException(test, example, exc_info)
            if not continue_on_failure:
                raise failure
            out.append(failure)

    return Runner(checker=_make_checker(), verbose=False, optionflags=get_optionflags(config))


# ---------------------------------------------------------------------------------------------
# collectors
# ---------------------------------------------------------------------------------------------


class DoctestTextfile(File):
    """A text file of doctest examples: one item for the whole file."""

    obj = None  # nothing to import; fixture discovery finds no fixtures here

    def collect(self) -> Iterable[Item]:
        import doctest

        runner = _make_runner(self.config)  # first: registers the flags "# doctest: +NUMBER" names
        text = self.path.read_text(encoding=self.config.getini("doctest_encoding"))
        name = self.path.name
        parser = doctest.DocTestParser()
        test = parser.get_doctest(text, {"__name__": "__main__"}, name, str(self.path), 0)
        if not test.examples:
            return []
        return [DoctestItem.from_parent(self, name=name, runner=runner, dtest=test)]


class DoctestModule(File):
    """The docstrings of a Python module: one item per docstring that has examples."""

    _module: ModuleType | None = None

    @property
    def obj(self) -> ModuleType:
        """The imported module (the fixtures plugin reads its autouse fixtures from here)."""
        if self._module is None:
            self._module = self._import()
        return self._module

    def _import(self) -> ModuleType:
        if self.path.name == "conftest.py":
            for plugin in self.config.pluginmanager.get_plugins():
                if isinstance(plugin, ModuleType) and _same_file(getattr(plugin, "__file__", None), self.path):
                    return plugin  # already imported as a conftest: never import it twice
        mode = self.config.getoption("importmode", "prepend") or "prepend"
        try:
            return import_path(self.path, mode=mode, root=self.config.rootpath,
                               consider_namespace_packages=self.config.getini("consider_namespace_packages"))
        except SyntaxError as exc:
            raise CollectError(_format(exc, "short")) from exc
        except ImportPathMismatchError as exc:
            raise CollectError(str(exc)) from exc
        except ImportError as exc:
            raise CollectError(
                f"ImportError while importing test module '{self.path}'.\n"
                "Hint: make sure your test modules/packages have valid Python names.\n"
                f"Traceback:\n{_format(exc, 'short')}"
            ) from exc

    def collect(self) -> Iterable[Item]:
        try:
            module = self.obj
        except CollectError:
            if self.config.getoption("doctest_ignore_import_errors", False):
                skip(f"unable to import module {self.path!r}")
            raise
        finder = _finder()
        runner = _make_runner(self.config)
        with _mock_aware_unwrap():
            tests = finder.find(module, module.__name__)
        return [DoctestItem.from_parent(self, name=test.name, runner=runner, dtest=test)
                for test in tests if test.examples]


def _same_file(filename: str | None, path: Path) -> bool:
    if not filename:
        return False
    try:
        return Path(filename).resolve() == path.resolve()
    except OSError:
        return False


def _format(exc: BaseException, style: str) -> str:
    from minitest.tracebacks import format_failure

    return format_failure(exc, style=style).text


def _finder() -> doctest.DocTestFinder:
    import doctest

    class Finder(doctest.DocTestFinder):
        """The stdlib finder, with the line numbers of properties and wrapped functions fixed
        (wrong before Python 3.11.9) and ``cached_property`` docstrings found (before 3.13)."""

        def _find_lineno(self, obj: Any, source_lines: Any) -> Any:
            if isinstance(obj, property):
                obj = getattr(obj, "fget", obj)
            if hasattr(obj, "__wrapped__"):
                obj = inspect.unwrap(obj)
            return super()._find_lineno(obj, source_lines)  # type: ignore[misc]

        def _from_module(self, module: Any, object: Any) -> Any:  # noqa: A002 - stdlib's name
            import functools

            if isinstance(object, functools.cached_property):
                object = object.func
            return super()._from_module(module, object)  # type: ignore[misc]

    return Finder()


def _is_mock(obj: object) -> bool:
    # a mock answers any attribute, so ``__wrapped__`` chains never end
    try:
        return getattr(obj, "minitest_mock_example_attribute_that_shouldnt_exist", None) is not None
    except Exception:
        return False


@contextlib.contextmanager
def _mock_aware_unwrap() -> Iterator[None]:
    """Let the finder unwrap functions without recursing forever into mock objects."""
    real_unwrap = inspect.unwrap

    def unwrap(func: Callable[..., Any], *, stop: Callable[[Any], Any] | None = None) -> Any:
        if stop is None:
            return real_unwrap(func, stop=_is_mock)
        outer_stop = stop
        return real_unwrap(func, stop=lambda obj: _is_mock(obj) or outer_stop(obj))

    inspect.unwrap = unwrap
    try:
        yield
    finally:
        inspect.unwrap = real_unwrap


# ---------------------------------------------------------------------------------------------
# the item
# ---------------------------------------------------------------------------------------------


class DoctestItem(Item):
    """One docstring (or text file) run by the doctest runner."""

    obj = None  # no Python function behind it (fixture requests look for one)
    cls = None
    instance = None

    def __init__(self, name: str, parent: Collector, runner: doctest.DocTestRunner, dtest: doctest.DocTest,
                 **kw: Any) -> None:
        super().__init__(name, parent, **kw)
        self.runner = runner
        self.dtest = dtest
        self.fixtureinfo = _fixture_info(self)

    @property
    def module(self) -> ModuleType | None:
        parent = self.parent
        return parent.obj if isinstance(parent, DoctestModule) else None

    def runtest(self) -> None:
        import doctest

        if all(example.options.get(doctest.SKIP, False) for example in self.dtest.examples):
            skip("all tests skipped by +SKIP option")
        self.dtest.globs.update(self._globals())
        failures: list[Any] = []
        self.runner.run(self.dtest, out=failures)  # type: ignore[arg-type]
        if failures:
            raise MultipleDoctestFailures(failures)

    def _globals(self) -> dict[str, Any]:
        """``getfixture`` and the items of ``doctest_namespace`` (fixtures are set up by now)."""
        request = self.fixture_request
        globs: dict[str, Any] = {}
        if request is not None:
            globs["getfixture"] = request.getfixturevalue
        namespace = self.funcargs.get("doctest_namespace")
        if namespace is None and request is not None:
            namespace = request.getfixturevalue("doctest_namespace")
        globs.update(namespace or {})
        return globs

    def repr_failure(self, excinfo: Any, style: str | None = None) -> Any:
        import doctest

        exc = getattr(excinfo, "value", excinfo)
        if isinstance(exc, MultipleDoctestFailures):
            failures = exc.failures
        elif isinstance(exc, (doctest.DocTestFailure, doctest.UnexpectedException)):
            failures = [exc]
        else:
            return super().repr_failure(excinfo, style)
        report_flag = _report_flag(self.config.getoption("doctestreport", "udiff") or "udiff")
        checker = _make_checker()
        blocks: list[str] = []
        crash: ReprCrash | None = None
        for failure in failures:
            lines, location, lineno = _describe_failure(failure, checker, report_flag)
            blocks.extend(lines)
            blocks.append(f"{location}:{lineno}: {type(failure).__name__}")
            if crash is None:
                # no message: pytest's short summary shows a doctest failure by its node id alone
                crash = ReprCrash(location, lineno or 0, "")
        return FailureRepr("\n".join(blocks), crash)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.dtest.lineno, f"[doctest] {self.name}"


def _describe_failure(failure: Any, checker: Any, report_flag: int) -> tuple[list[str], str, int | None]:
    """The source around the failing example (numbered), then expected vs got or the exception."""
    import doctest
    import traceback

    example, test = failure.example, failure.test
    lineno = None if test.lineno is None else test.lineno + example.lineno + 1
    if lineno is not None and test.docstring is not None:
        numbered = [f"{i + test.lineno + 1:03d} {line}" for i, line in enumerate(test.docstring.splitlines())]
        # the ten lines up to the failing example are enough to find it
        lines = numbered[max(example.lineno - 9, 0): example.lineno + 1]
    else:
        lines = ["EXAMPLE LOCATION UNKNOWN, not showing all tests of that example"]
        prompt = ">>>"
        for source_line in example.source.splitlines():
            lines.append(f"??? {prompt} {source_line}")
            prompt = "..."
    if isinstance(failure, doctest.DocTestFailure):
        lines += checker.output_difference(example, failure.got, report_flag).split("\n")
    else:
        exc_type, exc_value, exc_tb = failure.exc_info
        lines.append(f"UNEXPECTED EXCEPTION: {exc_value!r}")
        lines += [x.strip("\n") for x in traceback.format_exception(exc_type, exc_value, exc_tb)]
    return lines, str(test.filename), lineno


def _report_flag(choice: str) -> int:
    import doctest

    return {
        "udiff": doctest.REPORT_UDIFF,
        "cdiff": doctest.REPORT_CDIFF,
        "ndiff": doctest.REPORT_NDIFF,
        "only_first_failure": doctest.REPORT_ONLY_FIRST_FAILURE,
        "none": 0,
    }[choice]


def _fixture_info(item: DoctestItem) -> FuncFixtureInfo | None:
    """A doctest uses ``doctest_namespace`` and the autouse fixtures (and ``usefixtures`` marks);
    doctests are never parametrized, so ``generate_tests`` is not called for them."""
    manager = item.config.stash.get(FIXTURE_MANAGER, None)
    return manager.getfixtureinfo(item, argnames=("doctest_namespace",)) if manager is not None else None

