"""The session: the main loop, the collection driver, directories, exit codes, -x / --maxfail.

    cmdline_main → configure → sessionstart → collection → runtestloop → sessionfinish
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.exitcode import ExitCode
from minitest.gcpasses import fewer_gc_passes
from minitest.index_api import IndexedTest, index_safe, select_from_index
from minitest.nodes import Collector, Dir, Item, Node, Package, Session
from minitest.outcomes import Exit
from minitest.reports import CollectReport, TestReport, exception_info, is_interactive_exception
from minitest.stash import StashKey


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("-x", "--exitfirst", action="store_const", dest="maxfail", const=1,
                    help="exit instantly on the first error or failed test")
    group.addoption("--maxfail", metavar="num", action="store", type=int, dest="maxfail", default=0,
                    help="exit after the first num failures or errors")
    group.addoption("--continue-on-collection-errors", action="store_true", default=False,
                    dest="continue_on_collection_errors", help="run tests even if there are collection errors")
    coll = parser.getgroup("collect", "collection")
    coll.addoption("--co", "--collect-only", action="store_true", dest="collectonly", default=False,
                   help="only collect tests, don't run them")
    coll.addoption("--ignore", action="append", dest="ignore", default=[], metavar="path",
                   help="ignore path during collection (repeatable)")
    coll.addoption("--ignore-glob", action="append", dest="ignore_glob", default=[], metavar="path",
                   help="ignore paths matching the glob during collection (repeatable)")
    coll.addoption("--deselect", action="append", dest="deselect", default=[], metavar="nodeid_prefix",
                   help="deselect items by node id prefix (repeatable)")
    coll.addoption("--collect-in-virtualenv", action="store_true", default=False,
                   help="do not skip virtualenv directories during collection")
    coll.addoption("--pyargs", action="store_true", default=False, dest="pyargs",
                   help="try to interpret all arguments as Python packages")
    coll.addoption("--keep-duplicates", action="store_true", default=False, dest="keepduplicates",
                   help="keep duplicate tests")
    parser.addini("norecursedirs", "directory patterns to skip when recursing", type="args",
                  default=["*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}"])


def minitest_configure(config: Config) -> None:
    if config.getoption("deselect", None):
        select_from_index(config, "session")


@hookimpl(trylast=True)
def minitest_cmdline_main(config: Config) -> int:
    return run_session(config)


def run_session(config: Config) -> int:
    """Run the whole session and return its exit status, whatever happens inside."""
    session = Session.from_config(config)
    session.exitstatus = ExitCode.OK
    state = 0
    counter = FailureCounter(session)
    config.pluginmanager.register(counter, "session-failure-counter")
    try:
        try:
            config.do_configure()
            state = 1
            config.hook.minitest_sessionstart(session=session)
            state = 2
            session.exitstatus = _main(config, session)
        except UsageError:
            session.exitstatus = ExitCode.USAGE_ERROR
            raise
        except Session.Failed:
            session.exitstatus = ExitCode.TESTS_FAILED
        except (KeyboardInterrupt, Exit) as exc:
            code: int = ExitCode.INTERRUPTED
            if isinstance(exc, Exit) and exc.returncode is not None:
                code = exc.returncode
            elif isinstance(exc, Session.Interrupted):
                code = ExitCode.INTERRUPTED
            from minitest.raises_api import ExceptionInfo  # only when the run is interrupted

            config.hook.minitest_keyboard_interrupt(excinfo=ExceptionInfo.from_exception(exc))
            session.exitstatus = code
        except BaseException as exc:  # noqa: BLE001 - a bug anywhere must still end cleanly
            reached = _pytest_plugin_reaching_for_internals(config, exc)
            if reached is not None:
                session.exitstatus = ExitCode.USAGE_ERROR
                sys.stderr.write(reached)
            else:
                session.exitstatus = ExitCode.INTERNAL_ERROR
                _report_internal_error(config, exc)
    finally:
        if state >= 2:
            try:
                config.hook.minitest_sessionfinish(session=session, exitstatus=session.exitstatus)
            except BaseException as exc:  # noqa: BLE001
                session.exitstatus = ExitCode.INTERNAL_ERROR
                _report_internal_error(config, exc)
        config.pluginmanager.unregister(counter)
    return int(session.exitstatus)


#: what a plugin written for pytest raises when it reaches for a pytest internal minitest lacks
_REACHING_ERRORS = (AttributeError, ImportError, NameError)


def _pytest_plugin_reaching_for_internals(config: Config, exc: BaseException) -> str | None:
    """The message for an installed pytest plugin whose hook failed on an attribute or import
    minitest does not provide (``item._initrequest()``, pytest's runner internals), or failed
    inside pytest's own code run on minitest's objects (pytest-sugar and pytest-instafail build
    pytest's ``TerminalReporter`` from the config): the plugin, what it reached for, and
    ``-p no:NAME`` as the way out (exit code 4, no traceback); None for anything else, which
    stays an internal error."""
    inside = _pytest_module_raising(exc)
    if not isinstance(exc, _REACHING_ERRORS) and inside is None:
        return None
    pm = config.pluginmanager
    found = pm.failing_hookimpl(exc)
    if found is None:
        return None
    name = found[1].plugin_name
    origin = pm.origins.get(name)
    if origin is None or origin.kind != "pytest-entrypoint":
        return None
    where = f" (raised in pytest's {inside})" if inside is not None else ""
    return (f"ERROR: the pytest plugin {name!r} ({origin.dist} {origin.version}) reached for something "
            f"minitest does not provide, in {found[0]}: {type(exc).__name__}: {exc}{where}\n"
            f"(-p no:{name} runs without it; docs/migrating-from-pytest.md lists what such plugins need)\n")


def _pytest_module_raising(exc: BaseException) -> str | None:
    """The innermost module of pytest's own package (``_pytest.terminal``) in the traceback of
    ``exc``, if any: pytest's internals do not run on minitest's objects, whatever they raise."""
    module = None
    tb = exc.__traceback__
    while tb is not None:
        name = str(tb.tb_frame.f_globals.get("__name__", ""))
        if name.startswith("_pytest."):
            module = name
        tb = tb.tb_next
    return module


def _report_internal_error(config: Config, exc: BaseException) -> None:
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    culprit = config.pluginmanager.describe_failing_plugin(exc)
    if culprit:
        # a traceback through pluggy hides which plugin broke: say it first
        text = culprit + "\n" + text
    from minitest.raises_api import ExceptionInfo  # only on an internal error

    handled = config.hook.minitest_internalerror(excrepr=text, excinfo=ExceptionInfo.from_exception(exc))
    if not any(handled):
        for line in text.splitlines():
            sys.stderr.write(f"INTERNALERROR> {line}\n")
        sys.stderr.flush()


def _main(config: Config, session: Session) -> int:
    config.hook.minitest_collection(session=session)
    config.hook.minitest_runtestloop(session=session)
    if session.testsfailed:
        return ExitCode.TESTS_FAILED
    if session.testscollected == 0:
        return ExitCode.NO_TESTS_COLLECTED
    return ExitCode.OK


# ---------------------------------------------------------------------------------------------
# failure counting and stopping
# ---------------------------------------------------------------------------------------------


class FailureCounter:
    """Counts failures and collection errors on the session; asks to stop at ``--maxfail``.

    Registered as a plugin for the duration of the session (it needs the session, which the
    report hooks do not receive).
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self.maxfail = int(session.config.getoption("maxfail", 0) or 0)

    def _count(self) -> None:
        self.session.testsfailed += 1
        if self.maxfail and self.session.testsfailed >= self.maxfail:
            self.session.shouldfail = f"stopping after {self.session.testsfailed} failures"

    @hookimpl(tryfirst=True)
    def minitest_runtest_logreport(self, report: TestReport) -> None:
        if report.failed and not getattr(report, "wasxfail", None):
            self._count()

    @hookimpl(tryfirst=True)
    def minitest_collectreport(self, report: CollectReport) -> None:
        if report.failed:
            self._count()


# ---------------------------------------------------------------------------------------------
# collection
# ---------------------------------------------------------------------------------------------


def _is_venv(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta" / "history").is_file()


@hookimpl(trylast=True)
def minitest_ignore_collect(collection_path: Path, config: Config) -> bool | None:
    name = collection_path.name
    if name == "__pycache__":
        return True
    ignore_paths = config.stash.get(_IGNORE_KEY, None)
    if ignore_paths is None:
        inv = config.invocation_params.dir
        ignore_paths = {(inv / p).resolve() for p in config.getoption("ignore", []) or []}
        config.stash[_IGNORE_KEY] = ignore_paths
    if collection_path in ignore_paths:
        return True
    for pattern in config.getoption("ignore_glob", []) or []:
        if fnmatch.fnmatch(str(collection_path), str(config.invocation_params.dir / pattern)) or \
                fnmatch.fnmatch(str(collection_path), pattern):
            return True
    if _ignored_by_conftest(config, collection_path):
        return True
    if collection_path.is_dir():
        if not config.getoption("collect_in_virtualenv", False) and _is_venv(collection_path):
            return True
        for pattern in config.getini("norecursedirs"):
            if _fnmatch_path(pattern, collection_path):
                return True
    return None


def _fnmatch_path(pattern: str, path: Path) -> bool:
    """pytest's path pattern rule: a pattern without a path separator matches the last part of
    ``path``; one with a separator matches the whole path, anchored at a separator unless it is
    absolute (``tests/mypy_test_cases`` matches ``.../tests/mypy_test_cases``)."""
    if "/" not in pattern and os.sep not in pattern:
        return fnmatch.fnmatch(path.name, pattern)
    if not os.path.isabs(pattern):
        pattern = f"*{os.sep}{pattern}"
    return fnmatch.fnmatch(str(path), pattern.replace("/", os.sep))


def _ignored_by_conftest(config: Config, path: Path) -> bool:
    """``collect_ignore`` / ``collect_ignore_glob`` of the nearest conftest.py defining them,
    paths relative to that conftest's directory (pytest's rule)."""
    pm = config.pluginmanager
    for attr, is_glob in (("collect_ignore", False), ("collect_ignore_glob", True)):
        for directory, module in reversed(pm.conftest_modules()):
            if directory != path.parent and directory not in path.parents:
                continue
            entries = getattr(module, attr, None)
            if entries is None:
                continue
            for entry in entries:
                target = directory / str(entry)
                if (fnmatch.fnmatch(str(path), str(target)) if is_glob else path == target):
                    return True
            break  # the nearest conftest defining it decides
    return False


_IGNORE_KEY = StashKey[set[Path]]()


@hookimpl(trylast=True)
def minitest_collect_directory(path: Path, parent: Collector) -> Collector:
    cls = Package if (path / "__init__.py").is_file() else Dir
    return cls.from_parent(parent, path=path)


@hookimpl(trylast=True)
def minitest_make_collect_report(collector: Collector) -> CollectReport:
    from minitest.reports import CallInfo

    call = CallInfo.from_call(lambda: list(collector.collect()), "collect")
    longrepr = None
    excinfo = call.excinfo
    if excinfo is None:
        outcome = "passed"
    else:
        from minitest.outcomes import outcome_kind

        exc = excinfo.value
        if outcome_kind(exc) == "skipped":
            outcome = "skipped"
            path, lineno = _raise_location(exc, collector)
            longrepr = (path, lineno, f"Skipped: {getattr(exc, 'msg', None) or exc}".rstrip())  # as pytest's exconly
        else:
            outcome = "failed"
            longrepr = collector.repr_failure(exception_info(exc, excinfo))
    result = call.result if excinfo is None else None
    report = CollectReport(collector.nodeid, outcome, longrepr, result)
    if excinfo is not None:
        report.__dict__[_CALL] = call  # for minitest_exception_interact, taken off in collect_one_node
    return report


def _raise_location(exc: BaseException, node: Node) -> tuple[str, int]:
    from minitest.tracebacks import raise_location  # only needed once something is skipped

    # skip() and importorskip() hide their own frames: the location is the caller's line
    return raise_location(exc, skip_hidden=True) or (str(node.path), 0)


def collect_one_node(collector: Collector) -> CollectReport:
    ihook = collector.ihook
    ihook.minitest_collectstart(collector=collector)
    rep: CollectReport = ihook.minitest_make_collect_report(collector=collector)
    call = rep.__dict__.pop(_CALL, None)
    if call is not None and is_interactive_exception(call, rep):  # before it is logged, as pytest
        ihook.minitest_exception_interact(node=collector, call=call, report=rep)
    ihook.minitest_collectreport(report=rep)
    return rep


#: where the default minitest_make_collect_report leaves the CallInfo of a failed collection
_CALL = "_minitest_call"


@hookimpl(trylast=True)
def minitest_collection(session: Session) -> bool:
    with fewer_gc_passes():  # see minitest.gcpasses
        perform_collect(session)
    return True


def _resolve_arg(config: Config, arg: str) -> tuple[Path, list[str]]:
    base, *names = arg.split("::")
    pyargs = config.getoption("pyargs", False)
    if pyargs and base:
        base = _module_path(base, config.getini("consider_namespace_packages")) or base
    path = (config.invocation_params.dir / base).resolve() if base else config.invocation_params.dir
    if not path.exists():
        if pyargs:
            raise UsageError(f"module or package not found: {arg} (missing __init__.py?)")
        raise UsageError(f"file or directory not found: {arg}")
    return path, names


def _module_path(name: str, consider_namespace_packages: bool) -> str | None:
    """``--pyargs``: the file of module ``name`` (the directory of a package), found as ``import``
    would; None when it is not importable (then the argument is taken as a path)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (AttributeError, ImportError, ValueError):  # a file name ("test_a.py"), no module, no name
        return None
    if spec is None:
        return None
    locations = spec.submodule_search_locations
    if not locations:
        return spec.origin  # a module
    if consider_namespace_packages:
        return next(iter(locations))
    if spec.origin is None:  # a namespace package
        return None
    return os.path.dirname(spec.origin)


def perform_collect(session: Session) -> list[Item]:
    """Collect ``config.args`` into ``session.items`` (and let plugins modify the list).

    ``minitest_collection_finish`` is called whatever happens, as pytest 9.2 calls it (in a
    ``finally``): a wrong argument or -k expression still shows "collected N items" first."""
    config = session.config
    hook = config.hook
    try:
        items = _collect_arguments(session)
        session.items = items
        hook.minitest_collection_modifyitems(session=session, config=config, items=session.items)
    finally:
        hook.minitest_collection_finish(session=session)
    session.testscollected = len(session.items)
    return session.items


def _collect_arguments(session: Session) -> list[Item]:
    config = session.config
    keep_dups = config.getoption("keepduplicates", False)
    resolved = [(_resolve_arg(config, arg), arg) for arg in config.args]
    if not keep_dups:
        resolved = _without_overlaps(resolved)
    session.initial_paths = {p for (p, _), _ in resolved}
    dir_cache: dict[Path, Collector] = {}
    items: list[Item] = []
    seen_items: set[str] = set()
    not_found: list[str] = []
    collected_files: set[Path] = set()
    for (path, names), arg in resolved:
        parent = _directory_chain(session, path if path.is_dir() else path.parent, dir_cache)
        if path.is_dir():
            start = [parent]
        else:
            if path in collected_files and not names and not keep_dups:
                continue
            collected_files.add(path)
            ihook = session.gethookproxy(path)
            start = [c for c in ihook.minitest_collect_file(file_path=path, parent=parent) if c is not None]
        matched_any = False
        for node in start:
            for item in _genitems(node, names):
                matched_any = True
                if item.nodeid in seen_items and not keep_dups:
                    continue
                seen_items.add(item.nodeid)
                items.append(item)
        if names and not matched_any and not _collect_failed(session):
            not_found.append(arg)
    if not_found:
        raise UsageError("not found: " + ", ".join(not_found))
    return items


Resolved = tuple[tuple[Path, list[str]], str]


def _without_overlaps(resolved: list[Resolved]) -> list[Resolved]:
    """The arguments without those another one covers, in their order, as pytest 9 does unless
    ``--keep-duplicates``: a directory covers what is below it, a file its node ids, a test its
    parametrized cases (``x.py::test_a x.py`` is ``x.py``, all of it; ``x.py x.py::nope`` is no
    error). After sorting, an argument comes right after the one that covers it."""
    def key(entry: Resolved) -> tuple[Path, list[str], str]:
        (path, names), _ = entry
        parts, param = _split_parametrization(names)
        return path, parts, param or ""

    kept: list[Resolved] = []
    last: Resolved | None = None
    for entry in sorted(resolved, key=key):
        if last is None or not _covers(last, entry):
            kept.append(entry)
            last = entry
    order = {id(entry): index for index, entry in enumerate(resolved)}
    return sorted(kept, key=lambda entry: order[id(entry)])


def _split_parametrization(names: list[str]) -> tuple[list[str], str | None]:
    """``["TestC", "test_a[1]"]`` -> ``(["TestC", "test_a"], "[1]")``."""
    if names and "[" in names[-1]:
        base, bracket, rest = names[-1].partition("[")
        return [*names[:-1], base], bracket + rest
    return list(names), None


def _covers(by: Resolved, entry: Resolved) -> bool:
    (by_path, by_names), _ = by
    (path, names), _ = entry
    if by_path != path:
        return not by_names and path.is_relative_to(by_path)
    by_parts, by_param = _split_parametrization(by_names)
    parts, param = _split_parametrization(names)
    if parts[:len(by_parts)] != by_parts:  # (a longer one is never the prefix of a shorter one)
        return False
    return by_param is None or by_param == param


def _collect_failed(session: Session) -> bool:
    return session.testsfailed > 0


def _directory_chain(session: Session, directory: Path, cache: dict[Path, Collector]) -> Collector:
    """The collector of ``directory``, creating the Dir nodes from rootdir (or the top) down."""
    if directory in cache:
        return cache[directory]
    root = session.config.rootpath
    chain = [directory, *directory.parents]
    if root in chain:
        chain = chain[: chain.index(root) + 1]
    else:
        chain = [directory]
    pm = session.config.pluginmanager
    parent: Collector = session
    for d in reversed(chain):
        if d in cache:
            parent = cache[d]
            continue
        pm.load_conftest(d)
        node = session.gethookproxy(d).minitest_collect_directory(path=d, parent=parent)
        cache[d] = node
        parent = node
    return parent


def _name_matches(node: Node, name: str) -> bool:
    if node.name == name:
        return True
    # "test_x" selects every parametrized "test_x[...]"
    return "[" not in name and node.name.split("[", 1)[0] == name and isinstance(node, Item)


def _genitems(node: Node, names: list[str]) -> Iterator[Item]:
    if isinstance(node, Item):
        if not names:
            node.ihook.minitest_itemcollected(item=node)
            yield node
        return
    assert isinstance(node, Collector)
    rep = collect_one_node(node)
    if not rep.passed:
        return
    for child in rep.result:
        if names:
            if _name_matches(child, names[0]):
                yield from _genitems(child, names[1:])
        else:
            yield from _genitems(child, [])


@hookimpl(trylast=True)
@index_safe  # --deselect drops exactly what minitest_index_modifyitems drops from the index
def minitest_collection_modifyitems(config: Config, items: list[Item]) -> None:
    prefixes = tuple(config.getoption("deselect", []) or [])
    if not prefixes:
        return
    keep: list[Item] = []
    dropped: list[Item] = []
    for item in items:
        (dropped if item.nodeid.startswith(prefixes) else keep).append(item)
    if dropped:
        config.hook.minitest_deselected(items=dropped)
        items[:] = keep


@hookimpl(trylast=True)
def minitest_index_modifyitems(config: Config, tests: list[IndexedTest]) -> None:
    prefixes = tuple(config.getoption("deselect", []) or [])
    if prefixes:
        tests[:] = [test for test in tests if not test.nodeid.startswith(prefixes)]
