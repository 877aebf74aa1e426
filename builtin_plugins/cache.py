"""The cache between runs: ``.minitest_cache/`` at rootdir, the ``cache`` fixture, and the options
built on it — ``--lf``, ``--ff``, ``--nf``, ``--sw`` / ``--sw-skip`` / ``--sw-reset``, ``--cache-show``,
``--cache-clear``.

Blockable as ``-p no:cache`` (or pytest's name, ``-p no:cacheprovider``): then nothing is read or
written and the options do not exist. The :class:`~minitest.cache_api.Cache` object itself is
defined by the kernel; this plugin creates it as ``config.cache`` and keeps these keys in it:

* ``cache/lastfailed`` — ``{nodeid: true}`` of the tests and collectors that failed last;
* ``cache/nodeids`` — every node id seen (``--nf`` runs the others first);
* ``cache/stepwise`` — where ``--sw`` stopped: ``{"last_failed": nodeid or null, "last_test_count":
  N, "last_cache_date_str": ISO date}``, as pytest 9.2 keeps it.
"""

from __future__ import annotations

import datetime
import fnmatch
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

from minitest import fixture, hookimpl
from minitest.cache_api import CACHEDIR_NAME, Cache
from minitest.config import Config, Parser
from minitest.index_api import (
    INDEX_SKIPS_FILES,
    LASTFAILED_KEY,
    NOT_FULLY_COLLECTED,
    IndexedTest,
    index_safe,
    select_from_index,
)
from minitest.nodes import Collector, Directory, File, Item, Session
from minitest.reports import CollectReport, TestReport
from minitest.terminal_api import TERMINAL_REPORTER


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--lf", "--last-failed", action="store_true", default=False, dest="last_failed",
                    help="rerun only the tests that failed last time (or all if none failed)")
    group.addoption("--ff", "--failed-first", action="store_true", default=False, dest="failed_first",
                    help="run all tests, the ones that failed last time first")
    group.addoption("--nf", "--new-first", action="store_true", default=False, dest="new_first",
                    help="run tests from new files first, then the rest, each by file modification time")
    group.addoption("--cache-show", action="store", nargs="?", const="*", default=None, dest="cacheshow",
                    metavar="glob", help="show the cache contents (values matching the glob, default '*'), "
                                         "don't run tests")
    group.addoption("--cache-clear", action="store_true", default=False, dest="cacheclear",
                    help="remove the cache contents at the start of the run")
    group.addoption("--lfnf", "--last-failed-no-failures", action="store", dest="last_failed_no_failures",
                    choices=("all", "none"), default="all",
                    help="with --lf and no known failures: run 'all' tests (default) or 'none'")
    group.addoption("--sw", "--stepwise", action="store_true", default=False, dest="stepwise",
                    help="stop at the first failure; the next run continues from that test")
    group.addoption("--sw-skip", "--stepwise-skip", action="store_true", default=False, dest="stepwise_skip",
                    help="like --sw, but ignore the first failing test and stop at the next one")
    group.addoption("--sw-reset", "--stepwise-reset", action="store_true", default=False, dest="stepwise_reset",
                    help="forget where --sw stopped and start again from the first test (implies --sw)")
    parser.addini("cache_dir", "the cache directory (relative paths are relative to rootdir)",
                  default=CACHEDIR_NAME)


def cachedir_of(config: Config) -> Path:
    """Where the cache of this run lives: ini ``cache_dir`` (default ``.minitest_cache``) at rootdir."""
    value = os.path.expanduser(os.path.expandvars(str(config.getini("cache_dir"))))
    path = Path(value)
    return path if path.is_absolute() else config.rootpath / path


@hookimpl(tryfirst=True)
def minitest_configure(config: Config) -> None:
    # tryfirst: other plugins may use config.cache in their own minitest_configure
    cache = Cache(cachedir_of(config))
    if config.getoption("cacheclear", False):
        cache.clear()
    config.cache = cache  # type: ignore[attr-defined]
    if config.getoption("stepwise_skip", False) or config.getoption("stepwise_reset", False):
        config.option.stepwise = True
    config.pluginmanager.register(LastFailed(config), "lfplugin")
    config.pluginmanager.register(NewFirst(config), "nfplugin")
    if config.getoption("stepwise", False):
        config.pluginmanager.register(StepWise(config), "stepwiseplugin")


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    if config.getoption("cacheshow", None) is None:
        return None
    config.do_configure()
    show_cache(config)
    return 0


def minitest_report_header(config: Config) -> str | None:
    cache: Cache | None = getattr(config, "cache", None)
    if cache is None:
        return None
    if config.get_verbosity() > 0 or config.getini("cache_dir") != CACHEDIR_NAME:
        return f"cachedir: {config.rootdir_relative(cache.cachedir)}"
    return None


@fixture
def cache(request: Any) -> Cache:
    """The cache shared between runs: ``cache.get(key, default)``, ``cache.set(key, value)`` (JSON),
    ``cache.mkdir(name)`` (a directory kept between runs)."""
    return request.config.cache


# ---------------------------------------------------------------------------------------------
# --lf / --ff: the tests that failed last time
# ---------------------------------------------------------------------------------------------


def _is_worker(config: Config) -> bool:
    # a dist worker reports to the controller; only the controller keeps the cache
    return hasattr(config, "workerinput")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _status_lines(config: Config, prefix: str, lines: list[str]) -> list[str] | None:
    """The status lines a ``minitest_report_collectionfinish`` answer gives after "collected N
    items" (not with ``-q``): through the hook, not written here, so a report log records them
    and its replay shows them as the run did."""
    if config.get_verbosity() < 0 or not lines:
        return None
    return [f"{prefix}: {line}" for line in lines]


class LastFailed:
    """Tracks failures in ``cache/lastfailed``; ``--lf`` selects them, ``--ff`` runs them first."""

    KEY = LASTFAILED_KEY

    def __init__(self, config: Config) -> None:
        self.config = config
        self.cache: Cache = config.cache  # type: ignore[attr-defined]
        self.active = bool(config.getoption("last_failed") or config.getoption("failed_first"))
        stored = self.cache.get(self.KEY, {})
        if not isinstance(stored, dict):
            self.cache.warn(f"cache value {self.KEY!r} is not a mapping; ignoring it")
            self.cache.unreadable.add(self.KEY)
            stored = {}
        self.lastfailed: dict[str, bool] = dict(stored)
        self._saved = dict(stored)
        self.status: str | None = None
        self.deleted: list[str] = []
        #: files --lf did not collect (none of them failed last time), for the status line
        self.skipped_files = 0
        #: the collection index found last time's failures in its records (and imports their files)
        self.index_found_failures = False
        if config.getoption("last_failed"):
            select_from_index(config, "lfplugin")
            # as pytest's plugins of the same names: collect only what failed (see there)
            self.failed_paths = self._failed_paths()
            wrapper = LastFailedCollection(self)
            config.pluginmanager.register(wrapper, "lfplugin-collwrapper")
            config.stash[INDEX_SKIPS_FILES] = wrapper.skip_from_index

    def _failed_paths(self) -> set[Path]:
        """The files of last time's failures and their directories (those still there)."""
        root = self.config.rootpath
        paths: set[Path] = set()
        for nodeid in self.lastfailed:
            path = root / nodeid.split("::", 1)[0]
            paths.add(path)
            paths.update(path.parents)
        return {path for path in paths if path.exists()}

    def not_fully_collected(self, path: Path) -> None:
        """``path`` was collected in part, or not at all: the collection index keeps its entry."""
        self.config.stash.setdefault(NOT_FULLY_COLLECTED, set()).add(path)

    def _was_failed(self, nodeid: str) -> bool:
        return nodeid in self.lastfailed

    def minitest_collectreport(self, report: CollectReport) -> None:
        if report.failed:
            self.lastfailed[report.nodeid] = True
        elif report.nodeid in self.lastfailed:
            # the collector failed last time and is fine now: its children were never run, so
            # they count as failed until they pass (``--lf`` selects them)
            del self.lastfailed[report.nodeid]
            self.lastfailed.update((child.nodeid, True) for child in report.result)

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        if (report.when == "call" and report.passed) or report.skipped:
            self.lastfailed.pop(report.nodeid, None)
        elif report.failed:
            self.lastfailed[report.nodeid] = True

    def _drop_deleted(self) -> None:
        """Forget the failures of test files deleted since they failed (and say so)."""
        root = self.config.rootpath
        files = {nodeid.split("::", 1)[0] for nodeid in self.lastfailed}
        gone = sorted(f for f in files if f and not (root / f).exists())
        if not gone:
            return
        dropped = [nodeid for nodeid in self.lastfailed if nodeid.split("::", 1)[0] in gone]
        for nodeid in dropped:
            del self.lastfailed[nodeid]
        self.deleted = [f"{_plural(len(dropped), 'known failure')} in test files deleted since the last run: "
                        f"{', '.join(gone)}"]

    @hookimpl(trylast=True)  # as the selection it mirrors: after -k, -m and --deselect
    def minitest_index_modifyitems(self, config: Config, tests: list[IndexedTest]) -> None:
        if not config.getoption("last_failed"):
            return
        if not self.lastfailed:
            if config.getoption("last_failed_no_failures") == "none":
                tests[:] = []
            return
        failed = [test for test in tests if test.nodeid in self.lastfailed]
        if failed:
            # these will be collected and found, so only failures run: the other files are not needed
            tests[:] = failed
            self.index_found_failures = True
        # none known to be there: if none is found, --lf runs every selected test; keep them all

    @hookimpl(wrapper=True, tryfirst=True)
    @index_safe  # deselects what minitest_index_modifyitems removes (see there)
    def minitest_collection_modifyitems(self, config: Config, items: list[Item]) -> Generator[None, None, None]:
        # a wrapper: select after the other plugins (-k, -m, --deselect) have had their say
        yield
        if not self.active:
            return
        if config.getoption("last_failed"):
            self._drop_deleted()
        if not self.lastfailed:
            self.status = "no previously failed tests, "
            if config.getoption("last_failed") and config.getoption("last_failed_no_failures") == "none":
                self.status += "deselecting all items."
                if items:
                    config.hook.minitest_deselected(items=list(items))
                    items[:] = []
            else:
                self.status += "not deselecting items."
            return
        failed = [item for item in items if self._was_failed(item.nodeid)]
        if not failed:
            self.status = f"{_plural(len(self.lastfailed), 'known failure')} not in selected tests"
            return
        others = [item for item in items if not self._was_failed(item.nodeid)]
        # "first" whenever --ff is given, with --lf too (pytest 9.2's words)
        self.status = f"rerun previous {_plural(len(failed), 'failure')}"
        if config.getoption("failed_first"):
            self.status += " first"
        if config.getoption("last_failed"):
            if others:
                config.hook.minitest_deselected(items=others)
            items[:] = failed
        else:
            items[:] = failed + others
        if self.skipped_files:
            self.status += f" (skipped {_plural(self.skipped_files, 'file')})"

    def minitest_report_collectionfinish(self) -> list[str] | None:
        return _status_lines(self.config, "run-last-failure", [*self.deleted, *([self.status] if self.status else [])])

    def minitest_sessionfinish(self, session: Session) -> None:
        config = self.config
        if config.getoption("cacheshow", None) is not None or _is_worker(config):
            return
        # written when changed, or when the file is gone (a test removed the cache directory)
        if self.lastfailed != self._saved or self.KEY in self.cache.unreadable \
                or (self.lastfailed and not self.cache.has(self.KEY)):
            self.cache.set(self.KEY, self.lastfailed)


class LastFailedCollection:
    """``--lf`` at collection, as pytest 9.2 (its ``lfplugin-collwrapper`` and ``-collskip``):
    the files and directories of last time's failures are collected first; in such a file only
    the tests that failed are kept (all of a file named on the command line, whose others are
    then deselected); once one failure is found, a file without any is not collected at all,
    and the status line counts it ("skipped 1 file"). What is left out so is neither collected
    nor deselected: ``collected 1 item``, ``1 failed`` (a file with no known failure, or no
    failure found at all, is collected as without ``--lf``).

    Registered as its own plugin: a wrapper of ``minitest_make_collect_report`` for the
    ordering and filtering, and, once a failure is found, a plain implementation that answers
    for the other files before they are imported. With the collection index, the files it
    leaves out as not needed by ``--lf`` count as skipped the same way (:meth:`skip_from_index`)."""

    def __init__(self, last_failed: LastFailed) -> None:
        self.last_failed = last_failed
        self.found_failure = False

    @hookimpl(wrapper=True)
    def minitest_make_collect_report(self, collector: Collector) -> Generator[None, CollectReport, CollectReport]:
        report: CollectReport = yield
        paths = self.last_failed.failed_paths
        if isinstance(collector, (Session, Directory)):
            # the failures' places first (a stable sort keeps the order otherwise)
            report.result = sorted(report.result, key=lambda node: node.path in paths, reverse=True)
        elif isinstance(collector, File) and collector.path in paths:
            lastfailed = self.last_failed.lastfailed
            if not self.found_failure:
                if not any(node.nodeid in lastfailed for node in report.result):
                    return report  # no known failure in it: as without --lf
                self.found_failure = True
                self.last_failed.config.pluginmanager.register(_SkipFilesWithoutFailures(self.last_failed),
                                                               "lfplugin-collskip")
            session = collector.session
            kept = [node for node in report.result
                    if node.nodeid in lastfailed or session.isinitpath(node.path) or isinstance(node, Collector)]
            if len(kept) != len(report.result):
                self.last_failed.not_fully_collected(collector.path)
            report.result[:] = kept
        return report

    def skip_from_index(self, files: list[str]) -> set[str]:
        """Of the ``files`` the collection index does not import, those --lf skips (none of last
        time's failures in them, once one is known to be found: the index imports those files)."""
        if not self.last_failed.index_found_failures:
            return set()  # no failure to collect: every test is collected, and deselected or run
        skipped = {file for file in files if Path(file) not in self.last_failed.failed_paths}
        self.last_failed.skipped_files += len(skipped)
        return skipped


class _SkipFilesWithoutFailures:
    """Answers for a file none of last time's failures is in: collected as empty (not imported)."""

    def __init__(self, last_failed: LastFailed) -> None:
        self.last_failed = last_failed

    def minitest_make_collect_report(self, collector: Collector) -> CollectReport | None:
        if isinstance(collector, File) and collector.path not in self.last_failed.failed_paths:
            self.last_failed.skipped_files += 1
            self.last_failed.not_fully_collected(collector.path)
            return CollectReport(collector.nodeid, "passed", None, [])
        return None


# ---------------------------------------------------------------------------------------------
# --nf: new tests first
# ---------------------------------------------------------------------------------------------


def _mtime(item: Item) -> float:
    try:
        return os.stat(item.path).st_mtime
    except OSError:
        return 0.0


class NewFirst:
    """Remembers every node id in ``cache/nodeids``; ``--nf`` runs the unknown ones first."""

    KEY = "cache/nodeids"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.cache: Cache = config.cache  # type: ignore[attr-defined]
        stored = self.cache.get(self.KEY, [])
        self.known: set[str] = set(stored) if isinstance(stored, list) else set()
        self._saved = set(self.known)
        self.active = bool(config.getoption("new_first"))

    @hookimpl(wrapper=True, tryfirst=True)
    @index_safe  # --nf sorts by a per-item key (stable): a subset keeps its order
    def minitest_collection_modifyitems(self, items: list[Item]) -> Generator[None, None, None]:
        yield
        if self.active:
            new = [item for item in items if item.nodeid not in self.known]
            old = [item for item in items if item.nodeid in self.known]
            # most recently modified files first, in each group (sort is stable within a file)
            new.sort(key=_mtime, reverse=True)
            old.sort(key=_mtime, reverse=True)
            items[:] = new + old
        self.known.update(item.nodeid for item in items)

    def minitest_sessionfinish(self) -> None:
        config = self.config
        if config.getoption("cacheshow", None) is not None or _is_worker(config):
            return
        if config.getoption("collectonly", False):
            return
        if self.known != self._saved or self.KEY in self.cache.unreadable \
                or (self.known and not self.cache.has(self.KEY)):
            self.cache.set(self.KEY, sorted(self.known))


# ---------------------------------------------------------------------------------------------
# --sw: step through the failures one run at a time
# ---------------------------------------------------------------------------------------------


class StepWise:
    """Stops at the first failure and starts from it next time (``cache/stepwise``).

    What is kept, and the status lines, are pytest 9.2's: the number of tests the run selected
    goes with the failure, so a run over a different set of tests (a file added, ``-k``) does not
    skip on a stale failure, and the line says how old the record is."""

    KEY = "cache/stepwise"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.cache: Cache = config.cache  # type: ignore[attr-defined]
        self.skip = bool(config.getoption("stepwise_skip"))
        self.reset = bool(config.getoption("stepwise_reset"))
        self.session: Session | None = None
        self.status: list[str] = []
        self.lastfailed: str | None = None
        self.test_count: int | None = None
        #: when the record was written (None without one, or for a record of minitest 0.1, which
        #: kept only the node id: the only record with a failure and no date)
        self.recorded_at: datetime.datetime | None = None
        self._load(self.cache.get(self.KEY, None))

    def _load(self, stored: object) -> None:
        if isinstance(stored, str):
            self.lastfailed = stored
            return
        if not stored:
            return
        try:
            lastfailed = stored["last_failed"]  # type: ignore[index]
            test_count = stored["last_test_count"]  # type: ignore[index]
            recorded_at = datetime.datetime.fromisoformat(stored["last_cache_date_str"])  # type: ignore[index]
        except (KeyError, TypeError, ValueError) as exc:
            self.status.append(f"error reading cache, discarding ({type(exc).__name__}: {exc})")
            return
        self.lastfailed, self.test_count, self.recorded_at = lastfailed, test_count, recorded_at

    def minitest_sessionstart(self, session: Session) -> None:
        self.session = session

    def minitest_collection_modifyitems(self, config: Config, items: list[Item]) -> None:
        previous_count, self.test_count = self.test_count, len(items)
        if self.reset:
            self.status.append("resetting state, not skipping.")
            self.lastfailed = None
            return
        if not self.lastfailed:
            self.status.append("no previously failed tests, not skipping.")
            return
        if previous_count is not None and previous_count != len(items):
            self.status.append(f"test count changed, not skipping (now {len(items)} tests, "
                               f"previously {previous_count}).")
            self.lastfailed = None
            return
        index = next((i for i, item in enumerate(items) if item.nodeid == self.lastfailed), None)
        if index is None:
            self.status.append("previously failed test not found, not skipping.")
            return
        if self.recorded_at is None:
            age = "an earlier minitest version"
        else:
            seconds = int((datetime.datetime.now() - self.recorded_at).total_seconds())
            age = f"{datetime.timedelta(seconds=seconds)} ago"
        # "items" whatever the number, as pytest writes it
        self.status.append(f"skipping {index} already passed items (cache from {age}, use --sw-reset to discard).")
        if index:
            config.hook.minitest_deselected(items=items[:index])
            del items[:index]

    def minitest_report_collectionfinish(self) -> list[str] | None:
        return _status_lines(self.config, "stepwise", self.status)

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        if report.failed:
            if self.skip:
                # --sw-skip: let this one failure pass, stop at the next
                if report.nodeid == self.lastfailed:
                    self.lastfailed = None
                self.skip = False
                return
            self.lastfailed = report.nodeid
            if self.session is not None:
                self.session.shouldstop = "Test failed, continuing from this test next run."
        elif report.when == "call" and report.nodeid == self.lastfailed:
            self.lastfailed = None

    def minitest_sessionfinish(self) -> None:
        if not _is_worker(self.config):
            self.cache.set(self.KEY, {"last_failed": self.lastfailed, "last_test_count": self.test_count,
                                      "last_cache_date_str": datetime.datetime.now().isoformat()})


# ---------------------------------------------------------------------------------------------
# --cache-show
# ---------------------------------------------------------------------------------------------


def show_cache(config: Config) -> None:
    """Print the values (and files of cache directories) whose key matches the glob."""
    from pprint import pformat

    cache: Cache = config.cache  # type: ignore[attr-defined]
    reporter = config.stash.get(TERMINAL_REPORTER, None)
    write_line = reporter.write_line if reporter is not None else (lambda text: print(text))
    write_sep = reporter.write_sep if reporter is not None else (lambda sep, title: print(f"{sep * 8} {title}"))
    pattern = config.getoption("cacheshow") or "*"
    write_line(f"cachedir: {cache.cachedir}")
    if not cache.cachedir.is_dir():
        write_line("cache is empty")
    else:
        write_sep("-", f"cache values for {pattern!r}")
        missing = object()
        for key in cache.values():
            if not fnmatch.fnmatch(key, pattern):
                continue
            value = cache.get(key, missing)
            if value is missing:
                write_line(f"{key} contains unreadable data")
                continue
            write_line(f"{key} contains:")
            for line in pformat(value).splitlines():
                write_line(f"  {line}")
        files = [p for p in cache.directories()
                 if fnmatch.fnmatch(p.relative_to(cache.cachedir / "d").as_posix(), pattern)]
        if files:
            write_sep("-", f"cache directories for {pattern!r}")
            for path in files:
                rel = path.relative_to(cache.cachedir / "d").as_posix()
                write_line(f"{rel} is a file of length {path.stat().st_size:d}")
    if reporter is not None:
        reporter.writer.flush()
