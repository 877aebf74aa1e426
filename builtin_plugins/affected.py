"""``--affected``: run only the tests whose recorded dependencies changed since each last ran.

Each test's dependencies are the files under rootdir that can change its outcome:

* the files whose code ran while it ran, recorded with **coverage.py**, one dynamic context per
  test (``Coverage.switch_context``), plus a context per test module while it is imported and one
  per fixture while it is set up (a session fixture set up during another test is still a
  dependency of every test using it);
* its own file, the ``conftest.py`` / ``__init__.py`` of every directory from rootdir down to it,
  and, statically, every module under rootdir that these import, directly or through other modules
  (an import runs a module's top-level code only in the first test module importing it, so
  coverage alone would miss the others), and the modules defining its fixtures;
* the data files it opened under rootdir (an ``open`` audit hook, active only with ``--affected``).

Why coverage.py rather than tracing written here: it is the maintained, fast (C tracer, and
``sys.monitoring`` on Python 3.12+) and correct way to know which code ran, handles threads,
generators and the corner cases of ``sys.settrace``, and its dynamic contexts are exactly "what ran
during this test". It is an optional dependency (the ``affected`` extra), imported only when
``--affected`` is given; without it ``--affected`` is a usage error naming the extra.

Besides per-test files, the record keeps the configuration (config file, options that change
collection, plugins, Python, the installed distributions, the environment variables listed in the
``affected_env`` ini key) and the list of files under rootdir. A change there selects every test it
could reach: a new or changed config, dependency version or listed variable selects everything; a
new ``conftest.py`` / ``__init__.py`` the tests below it; a new module (``.py``, not a test file)
everything (it may be imported by name or found by a plugin); a new data file the tests with a
dependency in its directory. Tests that failed last time always run, and tests never recorded.

State lives in ``.minitest_cache/d/affected/deps.json``, written atomically and merged under a lock
(two runs at once lose nothing); an unreadable or foreign file is a warning, then every test runs
and the file is rebuilt. With ``-n`` the selection applies but nothing is recorded (the tests that
ran keep their old records, so they run again next time).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import sys
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

from minitest import hookimpl
from minitest.atomicfile import atomic_write_text
from minitest.cache_api import Cache, CacheWarning
from minitest.config import Config, Parser, UsageError
from minitest.fingerprint import (
    FileHashes,
    config_fingerprint,
    content_hash,
    installed_distributions_hash,
    locked,
)
from minitest.fixture_contract import FixtureDef
from minitest.fixture_types import SubRequest
from minitest.index_api import LASTFAILED_KEY, IndexedTest, index_safe, select_from_index
from minitest.nodes import Collector, File, Item, Session
from minitest.reports import CollectReport, TestReport
from minitest.terminal_api import TERMINAL_REPORTER

FORMAT = "minitest-affected/1"
DIRNAME = "affected"
_SKIP_DIRS = {"__pycache__", "node_modules", "build", "dist"}


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--affected", action="store_true", default=False, dest="affected",
                    help="run only the tests whose recorded dependencies (files, config, environment) "
                         "changed since they last ran, and the ones that failed; needs coverage "
                         "(pip install 'minitest[affected]')")
    group.addoption("--why", action="store_true", default=False, dest="affected_why",
                    help="with --affected: list each selected test with the change that selected it")
    parser.addini("affected_env", "environment variables whose values --affected records: a change "
                  "selects every test", type="args", default=[])


def minitest_configure(config: Config) -> None:
    if not config.getoption("affected", False):
        return
    cache: Cache | None = getattr(config, "cache", None)
    if cache is None:
        raise UsageError("--affected keeps its records in the cache: it cannot run with -p no:cache")
    record = not (hasattr(config, "workerinput") or config.getoption("numprocesses", None)
                  or config.getoption("tx", None))
    if record:
        try:
            import coverage  # noqa: F401 - the one place it is needed: fail early with the extra's name
        except ImportError:
            raise UsageError("--affected records dependencies with coverage.py, which is not installed: "
                             "pip install 'minitest[affected]'") from None
    plugin = Affected(config, cache, record)
    config.pluginmanager.register(plugin, "affected-tests")
    select_from_index(config, "affected")


def _warn(message: str) -> None:
    import warnings

    warnings.warn(CacheWarning(message), stacklevel=2)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class Affected:
    def __init__(self, config: Config, cache: Cache, record: bool) -> None:
        self.config = config
        self.cache = cache
        self.root = config.rootpath
        self.dir = cache.cachedir / "d" / DIRNAME
        self.recording = record
        self.db = self._load()
        self.hashes = FileHashes(self.db.get("stat") if self.db else None)
        self.global_detail = self._global_detail()
        self.global_id = content_hash(json.dumps(self.global_detail, sort_keys=True).encode())[:16]
        self.tree = sorted(self._walk())
        self.tree_id = content_hash("\n".join(self.tree).encode())[:16]
        self.lastfailed = cache.get(LASTFAILED_KEY, {})
        if not isinstance(self.lastfailed, dict):
            self.lastfailed = {}
        self._reasons: dict[str, str | None] = {}
        self._changed: dict[str, str | None] = {}
        self._new_by_tree: dict[str, list[str]] = {}
        self.selected: list[tuple[str, str]] = []
        self.unaffected = 0
        self.status: list[str] = []
        # recording
        self.cov: Any = None
        self.context = ""
        self.opened: dict[str, set[str]] = {}
        self.failed: dict[str, bool] = {}
        self.ran: dict[str, Item] = {}
        self.fixture_contexts: dict[str, str] = {}  # fixturedef id -> context name
        if record:
            self._start()

    # -- the stored records -------------------------------------------------------------------------
    def _load(self) -> dict[str, Any] | None:
        path = self.dir / "deps.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self._corrupt(f"could not read the --affected records {path} ({type(exc).__name__}: {exc})")
            return None
        if not (isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("tests"), dict)
                and isinstance(data.get("versions"), list) and isinstance(data.get("globals"), dict)
                and isinstance(data.get("trees"), dict)):
            self._corrupt(f"the --affected records {path} are not ones minitest wrote")
            return None
        return data

    def _corrupt(self, message: str) -> None:
        _warn(f"{message}; running every test, the records are rebuilt at the end of the run")

    def _global_detail(self) -> dict[str, str]:
        detail = config_fingerprint(self.config)
        detail["installed distributions"] = installed_distributions_hash()
        names = [str(n) for n in self.config.getini("affected_env")]
        for name in names:
            detail[f"${name}"] = content_hash(os.environ.get(name, "\0unset").encode())[:16]
        return detail

    def _walk(self) -> Iterable[str]:
        cachedir = self.cache.cachedir
        for current, dirs, files in os.walk(self.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS
                             and not d.endswith(".egg-info") and Path(current, d) != cachedir
                             and not os.path.isfile(os.path.join(current, d, "pyvenv.cfg")))
            rel = os.path.relpath(current, self.root)
            for name in files:
                if not name.endswith((".pyc", ".pyo")):
                    yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")

    # -- why a test runs ------------------------------------------------------------------------------
    def _version_changed(self, rel: str, sha: str) -> str | None:
        key = f"{rel}\0{sha}"
        if key not in self._changed:
            now = self.hashes.hash(str(self.root / rel))
            self._changed[key] = None if now == sha else (f"{rel} deleted" if not now else f"{rel} changed")
        return self._changed[key]

    def _new_files(self, tree_id: str) -> list[str]:
        if tree_id not in self._new_by_tree:
            old = set(self.db["trees"].get(tree_id, [])) if self.db else set()
            self._new_by_tree[tree_id] = [f for f in self.tree if f not in old]
        return self._new_by_tree[tree_id]

    def _is_test_file(self, rel: str) -> bool:
        name = rel.rsplit("/", 1)[-1]
        return any(fnmatch.fnmatch(name, str(p)) for p in self.config.getini("python_files"))

    def reason(self, nodeid: str) -> str | None:
        """Why ``nodeid`` runs (None: unaffected)."""
        if nodeid in self._reasons:
            return self._reasons[nodeid]
        why = self._reason(nodeid)
        self._reasons[nodeid] = why
        return why

    def _reason(self, nodeid: str) -> str | None:
        if nodeid in self.lastfailed:
            return "failed last time"
        db = self.db
        if db is None:
            return "no previous --affected data"
        rec = db["tests"].get(nodeid)
        if not (isinstance(rec, list) and len(rec) == 4):
            return "new test (never recorded)"
        gid, tid, failed, versions = rec
        if failed:
            return "failed last time"
        if gid != self.global_id:
            old = db["globals"].get(gid, {})
            keys = sorted(k for k in set(old) | set(self.global_detail) if old.get(k) != self.global_detail.get(k))
            return f"configuration changed ({', '.join(keys) or 'unknown'})"
        table = db["versions"]
        dirs: set[str] = set()
        for index in versions:
            try:
                rel, sha = table[index]
            except (IndexError, TypeError, ValueError):
                return "record unreadable"
            change = self._version_changed(rel, sha)
            if change:
                return change
            dirs.add(rel.rsplit("/", 1)[0] if "/" in rel else "")
        test_file = nodeid.split("::", 1)[0]
        for new in self._new_files(tid):
            name = new.rsplit("/", 1)[-1]
            parent = new.rsplit("/", 1)[0] if "/" in new else ""
            if name in ("conftest.py", "__init__.py"):
                if not parent or test_file.startswith(parent + "/"):
                    return f"new {new}"
            elif self._is_test_file(new):
                continue
            elif name.endswith(".py"):
                return f"new module {new} (could be imported by any test)"
            elif parent in dirs:
                return f"new file {new} next to a dependency"
        return None

    # -- selection ------------------------------------------------------------------------------------
    def minitest_index_modifyitems(self, config: Config, tests: list[IndexedTest]) -> None:
        tests[:] = [test for test in tests if self.reason(test.nodeid) is not None]

    @hookimpl(trylast=True)
    @index_safe  # deselects exactly the tests minitest_index_modifyitems removes (same reasons)
    def minitest_collection_modifyitems(self, config: Config, items: list[Item]) -> None:
        keep: list[Item] = []
        drop: list[Item] = []
        for item in items:
            why = self.reason(item.nodeid)
            if why is None:
                drop.append(item)
            else:
                keep.append(item)
                self.selected.append((item.nodeid, why))
        if drop:
            config.hook.minitest_deselected(items=drop)
            items[:] = keep

    @hookimpl(wrapper=True)
    def minitest_collection_finish(self, session: Session) -> Generator[None, None, None]:
        yield
        reporter = self.config.stash.get(TERMINAL_REPORTER, None)
        if reporter is None or self.config.get_verbosity() < 0:
            return
        # the index counts the tests of the files it did not import as deselected
        unaffected = sum(1 for nodeid, why in self._reasons.items() if why is None)
        if self.db is None:
            reporter.write_line("affected: no previous --affected data: running every test "
                                "(their dependencies are recorded for the next run)")
        else:
            reporter.write_line(f"affected: {_plural(len(self.selected), 'test')} selected, "
                                f"{unaffected} skipped as unaffected")
        if self.config.getoption("affected_why", False):
            for nodeid, why in self.selected:
                reporter.write_line(f"  {nodeid}: {why}")
        self.unaffected = unaffected

    # -- recording ------------------------------------------------------------------------------------
    def _start(self) -> None:
        if sys.gettrace() is not None:
            _warn("--affected: another tracer is active (a debugger, coverage): dependencies are not "
                  "recorded this run, the tests that ran will run again next time")
            self.recording = False
            return
        import coverage

        self.cov = coverage.Coverage(data_file=None, config_file=False, include=[f"{self.root}{os.sep}*"],
                                     omit=[f"{self.cache.cachedir}{os.sep}*", "*/site-packages/*"])
        self.cov.start()
        sys.addaudithook(self._audit)

    def _switch(self, context: str) -> None:
        self.context = context
        if self.cov is not None:
            self.cov.switch_context(context)

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        # installed for the rest of the process (audit hooks cannot be removed): one comparison
        # per event once recording stops
        if event != "open" or not self.context or not args or not isinstance(args[0], str):
            return
        path = args[0]
        if not os.path.isabs(path):
            path = os.path.join(os.getcwd(), path)
        root = str(self.root)
        if path.startswith(root + os.sep) and "__pycache__" not in path and not path.endswith(".pyc"):
            self.opened.setdefault(self.context, set()).add(os.path.normpath(path))

    @hookimpl(wrapper=True)
    def minitest_make_collect_report(self, collector: Collector) -> Generator[None, CollectReport, CollectReport]:
        if not (self.recording and isinstance(collector, File)):
            return (yield)
        self._switch(f"collect|{collector.nodeid}")
        try:
            return (yield)
        finally:
            self._switch("")

    @hookimpl(wrapper=True)
    def minitest_fixture_setup(self, fixturedef: FixtureDef, request: SubRequest) -> Generator[None, object, object]:
        if not self.recording:
            return (yield)
        previous = self.context
        name = f"fixture|{fixturedef.argname}|{fixturedef.baseid}|{id(fixturedef)}"
        self.fixture_contexts[f"{id(fixturedef)}"] = name
        self._switch(name)
        try:
            return (yield)
        finally:
            self._switch(previous)

    @hookimpl(wrapper=True)
    def minitest_runtest_protocol(self, item: Item, nextitem: Item | None) -> Generator[None, object, object]:
        if not self.recording:
            return (yield)
        self._switch(item.nodeid)
        self.ran[item.nodeid] = item
        try:
            return (yield)
        finally:
            self._switch("")

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        if report.failed:
            self.failed[report.nodeid] = True
        else:
            self.failed.setdefault(report.nodeid, False)

    def minitest_sessionfinish(self, session: Session) -> None:
        if not self.recording or self.cov is None:
            return
        self.cov.stop()
        self.context = ""
        try:
            self.save(self._dependencies())
        except OSError as exc:
            _warn(f"could not write the --affected records in {self.dir}: {exc}")

    def _dependencies(self) -> dict[str, set[str]]:
        """Absolute paths of the files each test that ran depends on."""
        data = self.cov.get_data()
        by_context: dict[str, set[str]] = {}
        for filename in data.measured_files():
            for contexts in data.contexts_by_lineno(filename).values():
                for context in contexts:
                    by_context.setdefault(context, set()).add(filename)
        for context, paths in self.opened.items():
            by_context.setdefault(context, set()).update(paths)
        modules = _ModuleFiles(self.root)
        per_file: dict[str, set[str]] = {}
        deps: dict[str, set[str]] = {}
        for nodeid, item in self.ran.items():
            parent = item.getparent(File)
            path = parent.path if parent is not None else item.path
            key = str(path)
            if key not in per_file:
                start = [str(path), *self._chain(path)]
                found = modules.closure(start)
                if parent is not None:
                    found |= by_context.get(f"collect|{parent.nodeid}", set())
                per_file[key] = found
            files = set(per_file[key]) | by_context.get(nodeid, set())
            info = item.fixtureinfo
            if info is not None:
                for defs in info.name2fixturedefs.values():
                    for fixturedef in defs:
                        context = self.fixture_contexts.get(f"{id(fixturedef)}")
                        if context:
                            files |= by_context.get(context, set())
                        code = getattr(getattr(fixturedef, "func", None), "__code__", None)
                        if code is not None:
                            files |= modules.closure([code.co_filename])
            deps[nodeid] = files
        return deps

    def _chain(self, path: Path) -> list[str]:
        out: list[str] = []
        directory = path.parent
        while True:
            out += [str(directory / "conftest.py"), str(directory / "__init__.py")]
            if directory == self.root or self.root not in directory.parents:
                return [p for p in out if os.path.isfile(p)]
            directory = directory.parent

    def save(self, deps: dict[str, set[str]]) -> None:
        self.cache.mkdir(DIRNAME)
        root = str(self.root)
        fresh: dict[str, tuple[str, str, bool, list[tuple[str, str]]]] = {}
        for nodeid, files in deps.items():
            versions: list[tuple[str, str]] = []
            for path in sorted(files):
                if not path.startswith(root + os.sep):
                    continue
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                versions.append((rel, self.hashes.hash(path)))
            fresh[nodeid] = (self.global_id, self.tree_id, self.failed.get(nodeid, False), versions)
        with locked(self.dir / "deps.lock"):
            current = self._load_quietly()
            tests: dict[str, tuple[str, str, bool, list[tuple[str, str]]]] = {}
            if current is not None:
                table = current["versions"]
                for nodeid, rec in current["tests"].items():
                    try:
                        gid, tid, failed, indices = rec
                        tests[nodeid] = (gid, tid, bool(failed), [(table[i][0], table[i][1]) for i in indices])
                    except (ValueError, TypeError, IndexError):
                        continue  # a damaged record: the test runs next time
            tests.update(fresh)
            # a test file deleted since: its tests leave the records
            tests = {n: r for n, r in tests.items() if (self.root / n.split("::", 1)[0]).exists()}
            versions_index: dict[tuple[str, str], int] = {}
            out_tests: dict[str, list[Any]] = {}
            for nodeid, (gid, tid, failed, versions) in sorted(tests.items()):
                indices = [versions_index.setdefault(v, len(versions_index)) for v in versions]
                out_tests[nodeid] = [gid, tid, failed, indices]
            globals_ = dict(current["globals"]) if current else {}
            globals_[self.global_id] = self.global_detail
            trees = dict(current["trees"]) if current else {}
            trees[self.tree_id] = self.tree
            live_g = {r[0] for r in out_tests.values()}
            live_t = {r[1] for r in out_tests.values()}
            paths = {str(self.root / rel) for rel, _ in versions_index}
            data = {
                "format": FORMAT,
                "globals": {k: v for k, v in globals_.items() if k in live_g},
                "trees": {k: v for k, v in trees.items() if k in live_t},
                "versions": [list(v) for v in versions_index],
                "tests": out_tests,
                "stat": self.hashes.to_json(paths),
            }
            atomic_write_text(self.dir / "deps.json", json.dumps(data, separators=(",", ":")))

    def _load_quietly(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.dir / "deps.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("tests"), dict) \
                and isinstance(data.get("versions"), list) and isinstance(data.get("globals"), dict) \
                and isinstance(data.get("trees"), dict):
            return data
        return None


class _ModuleFiles:
    """The static import closure of files under rootdir: the modules each file imports (read with
    ``ast``, resolved through ``sys.modules`` at the end of the run), and theirs, transitively."""

    def __init__(self, root: Path) -> None:
        self.root = str(root) + os.sep
        self.by_file: dict[str, str] = {}
        self.files: dict[str, str] = {}
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None)
            if isinstance(path, str) and path.startswith(self.root) and "site-packages" not in path:
                path = os.path.normpath(path)
                self.files[name] = path
                self.by_file.setdefault(path, name)
        self.packages = {name: getattr(sys.modules.get(name), "__package__", None) or "" for name in self.files}
        self._imports: dict[str, set[str]] = {}

    def _imported(self, path: str) -> set[str]:
        if path in self._imports:
            return self._imports[path]
        found: set[str] = set()
        self._imports[path] = found
        try:
            with open(path, "rb") as f:
                tree = ast.parse(f.read(), path)
        except (OSError, SyntaxError, ValueError):
            return found
        name = self.by_file.get(path, "")
        package = self.packages.get(name, "") if name else ""
        if name and path.endswith("__init__.py"):
            package = name
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found |= _prefixes(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".") if package else []
                    if node.level - 1 > len(parts):
                        continue
                    parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
                    base = ".".join([*parts, base] if base else parts)
                if not base:
                    continue
                found |= _prefixes(base)
                found |= {f"{base}.{alias.name}" for alias in node.names}
        return found

    def closure(self, start: Iterable[str]) -> set[str]:
        todo = [os.path.normpath(p) for p in start]
        seen: set[str] = set()
        while todo:
            path = todo.pop()
            if path in seen or not path.startswith(self.root):
                continue
            seen.add(path)
            for name in self._imported(path):
                target = self.files.get(name)
                if target is not None and target not in seen:
                    todo.append(target)
        return seen


def _prefixes(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
