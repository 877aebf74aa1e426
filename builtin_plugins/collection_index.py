"""The collection index: what each test file produced last time, so that a run selecting a few
tests (``--lf``, ``-k``, ``-m``, ``--deselect``, ``--affected``) imports only the files it needs.

After every run (not ``-n`` workers), ``.minitest_cache/d/collection-index/`` keeps, per test file
that was collected whole, its tests (node ids, and per test the record plugins add through
``minitest_index_itemrecord``: marks and keywords for ``-k`` / ``-m``) under a **key**: the hashes
of the file, of the ``conftest.py`` and ``__init__.py`` of every directory from rootdir down to
it, and of the configuration (:func:`minitest.fingerprint.config_fingerprint`: config file,
options that change collection, plugins, Python). Only files whose key changed are rewritten, so a
run that changes nothing pays a hash per test file, not a record per test.

When a plugin selects this run (``minitest.index_api.select_from_index``), the recorded tests of
the files whose key is unchanged go through ``minitest_index_modifyitems``; a file none of whose
tests is left is not imported (``minitest_ignore_collect``). Files whose key changed, new files and
files given on the command line are collected as always. The directories are still walked and
their conftest.py files loaded exactly as in a full collection.

It falls back to a full collection (and says why) whenever skipping could change the result:

* a ``minitest_collection_modifyitems`` implementation that is not index-safe (see
  :mod:`minitest.index_api`): a conftest.py's or a plugin's may deselect or reorder on anything;
* a conftest.py, ``-p`` or ini plugin implementing a hook that shapes collection
  (``generate_tests``, ``pycollect_makeitem``, ``collect_file``...: what it makes may depend on
  more than the files in the key). conftest.py files under the arguments are read as text for
  these hook names before collection (deeper ones load only while collecting);
* ``-n`` / ``--tx`` (the workers collect), ``--pyargs``, ``--no-index``.

A test module that defines ``minitest_plugins`` / ``pytest_plugins``, or whose collection failed
or was skipped, is never skipped. What cannot be detected: a test module whose tests depend on
something outside its key (a data directory listed at import, an environment variable): run with
``--no-index`` once after changing such an input, or list it as a conftest.py-level input.

A missing, foreign or corrupt index means a full collection and a new index (with a warning for a
corrupt one); writes are atomic and merged under a lock, so two runs at once lose nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

from minitest import hookimpl
from minitest.atomicfile import atomic_write_text
from minitest.cache_api import Cache, CacheWarning
from minitest.config import Config, Parser
from minitest.fingerprint import FileHashes, config_fingerprint, content_hash, locked
from minitest.index_api import INDEX_SELECTORS, IndexedTest, index_safe, is_index_safe
from minitest.nodes import Collector, File, Item, Session
from minitest.python_nodes import Module
from minitest.reports import CollectReport
from minitest.terminal_api import TERMINAL_REPORTER

FORMAT = "minitest-collection-index/1"
DIRNAME = "collection-index"

#: hooks whose implementations make the tests of a file: only builtins and installed plugins
#: (whose version is part of the key) may implement them for the index to skip files
_SHAPING_HOOKS = (
    "minitest_collect_file", "minitest_pycollect_makemodule", "minitest_pycollect_makeitem",
    "minitest_generate_tests", "minitest_make_collect_report", "minitest_itemcollected",
    "minitest_collect_directory", "minitest_collection", "minitest_make_parametrize_id",
)
#: what a conftest.py read as text must not mention (either prefix): a hook above, a
#: modifyitems, plugins it loads, or names it imports wholesale
_CONFTEST_WORDS = ("collect_file", "pycollect_", "generate_tests", "make_collect_report", "itemcollected",
                   "collect_directory", "collection_modifyitems", "_collection", "parametrize_id",
                   "_plugins", "import *")


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--no-index", action="store_true", default=False, dest="no_index",
                    help="collect every test file even when the saved collection index says which "
                         "ones a selection (--lf, -k, -m, --affected) needs")


def minitest_configure(config: Config) -> None:
    cache: Cache | None = getattr(config, "cache", None)
    if cache is None or hasattr(config, "workerinput"):
        return  # no cache (-p no:cache), or a worker: only the process that collects keeps it
    if config.getoption("numprocesses", None) or config.getoption("tx", None):
        return  # the workers collect, each on its own
    config.pluginmanager.register(CollectionIndex(config, cache), "collection-index")


def _warn(message: str) -> None:
    import warnings

    warnings.warn(CacheWarning(message), stacklevel=2)


class CollectionIndex:
    def __init__(self, config: Config, cache: Cache) -> None:
        self.config = config
        self.root = config.rootpath
        self.cache = cache
        self.dir = cache.cachedir / "d" / DIRNAME
        self.hashes = FileHashes()
        self.fingerprint = config_fingerprint(config)
        self.global_key = content_hash(json.dumps(self.fingerprint, sort_keys=True).encode())
        self.entries: dict[str, dict[str, Any]] = {}
        self.rebuild = False  # the stored index could not be read: write it whole
        self.loaded = False
        self.skip: set[Path] = set()
        self.skipped_tests = 0
        self.not_imported: list[IndexedTest] = []
        self.status: str | None = None
        self.collected: dict[Path, bool] = {}  # File collectors seen: path -> usable for the index
        self.partial: set[Path] = set()  # files collected for some names only (path::name args)
        self.updates: dict[str, dict[str, Any]] = {}  # rel -> entry written this run
        self.blobs: dict[str, list[list[Any]]] = {}  # blob name -> tests, to write
        self.dirty = False
        self._blob_cache: dict[str, list[list[Any]] | None] = {}
        self._chains: dict[Path, str] = {}

    # -- reading ---------------------------------------------------------------------------------
    def _load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        path = self.dir / "index.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            self._corrupt(f"could not read the collection index {path} ({type(exc).__name__}: {exc})")
            return
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            self._corrupt(f"the collection index {path} is not one minitest wrote")
            return
        if data.get("global") != self.global_key:
            self.dirty = True  # another configuration: every entry is stale
            return
        for rel, entry in data["files"].items():
            if isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("blob"), str):
                self.entries[rel] = entry

    def _corrupt(self, message: str) -> None:
        _warn(f"{message}; collecting every test file, the index is rebuilt at the end of the run")
        self.rebuild = True
        self.dirty = True

    def _blob(self, name: str) -> list[list[Any]] | None:
        if name in self._blob_cache:
            return self._blob_cache[name]
        tests = self._read_blob(name)
        self._blob_cache[name] = tests
        return tests

    def _read_blob(self, name: str) -> list[list[Any]] | None:
        try:
            data = json.loads((self.dir / name).read_text(encoding="utf-8"))
            tests = data["tests"]
            if isinstance(tests, list) and all(isinstance(t, list) and len(t) == 2 and isinstance(t[0], str)
                                               and isinstance(t[1], dict) for t in tests):
                return tests
        except (OSError, ValueError, KeyError, TypeError):
            pass
        _warn(f"could not read the collection index entry {self.dir / name}; collecting its file again")
        self.dirty = True
        return None

    # -- keys ------------------------------------------------------------------------------------
    def key_of(self, path: Path) -> str:
        """The key of test file ``path``: its content, the conftest.py / __init__.py chain, the config."""
        return content_hash(f"{self._chain_key(path.parent)}\n{self.hashes.hash(str(path))}".encode())

    def _chain_key(self, directory: Path) -> str:
        # one per directory (every test file of a directory shares it)
        known = self._chains.get(directory)
        if known is not None:
            return known
        own = f"{self.hashes.hash(str(directory / 'conftest.py'))}:{self.hashes.hash(str(directory / '__init__.py'))}"
        if directory == self.root or directory.parent == directory or self.root not in directory.parents:
            key = f"{self.global_key}/{own}"
        else:
            key = content_hash(f"{self._chain_key(directory.parent)}/{own}".encode())
        self._chains[directory] = key
        return key

    def rel(self, path: Path) -> str | None:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    # -- planning which files to skip --------------------------------------------------------------
    def _arguments(self) -> tuple[list[Path], set[Path]]:
        """(directories, files) named by the arguments (files with ``::names`` go in ``partial``)."""
        inv = self.config.invocation_params.dir
        dirs: list[Path] = []
        files: set[Path] = set()
        for arg in self.config.args:
            base, *names = arg.split("::")
            path = (inv / base).resolve() if base else inv
            if path.is_dir():
                dirs.append(path)
            else:
                files.add(path)
                if names:
                    self.partial.add(path)
        return dirs, files

    def _why_not(self, dirs: list[Path]) -> str | None:
        """Why skipping files could change the result this run (None: it cannot)."""
        config = self.config
        if config.getoption("pyargs", False):
            return "--pyargs"
        pm = config.pluginmanager
        for impl in pm.hook.minitest_collection_modifyitems.get_hookimpls():
            if not is_index_safe(impl.function):
                return f"plugin {impl.plugin_name!r} implements minitest_collection_modifyitems"
        for name in _SHAPING_HOOKS:
            for impl in getattr(pm.hook, name).get_hookimpls():
                if not self._trusted(impl):
                    return f"plugin {impl.plugin_name!r} implements {name}"
        for conftest in self._conftests(dirs):
            try:
                text = conftest.read_text(encoding="utf-8", errors="replace")
            except OSError:
                return f"{self.rel(conftest)} cannot be read"
            for word in _CONFTEST_WORDS:
                if word in text:
                    return f"{self.rel(conftest) or conftest} mentions {word!r} (it may change collection)"
        return None

    def _trusted(self, impl: Any) -> bool:
        module = getattr(impl.function, "__module__", "") or ""
        if module.split(".", 1)[0] == "builtin_plugins":
            return True
        origin = self.config.pluginmanager.origins.get(impl.plugin_name)
        return origin is not None and origin.kind in ("entrypoint", "pytest-entrypoint")

    def _conftests(self, dirs: list[Path]) -> Iterable[Path]:
        seen: set[Path] = set()
        for top in dirs:
            directory = top
            while True:  # the chain above the argument, up to rootdir
                seen.add(directory / "conftest.py")
                if directory == self.root or self.root not in directory.parents:
                    break
                directory = directory.parent
            for current, subdirs, names in os.walk(top):
                subdirs[:] = [d for d in subdirs if not d.startswith(".") and d != "__pycache__"
                              and not os.path.isfile(os.path.join(current, d, "pyvenv.cfg"))]
                if "conftest.py" in names:
                    seen.add(Path(current) / "conftest.py")
        return sorted(p for p in seen if p.is_file())

    def plan(self) -> None:
        config = self.config
        dirs, explicit = self._arguments()
        if config.getoption("no_index", False) or not config.stash.get(INDEX_SELECTORS, set()):
            return
        self._load()
        if not self.entries:
            return
        why = self._why_not(dirs)
        if why is not None:
            self.status = f"full collection: {why}"
            return
        candidates: list[IndexedTest] = []
        files: dict[str, Path] = {}
        for rel, entry in self.entries.items():
            path = self.root / rel
            if path in explicit or not any(d == path.parent or d in path.parents for d in dirs):
                continue
            if entry.get("volatile") or not path.is_file() or self.key_of(path) != entry["key"]:
                continue
            tests = self._blob(entry["blob"])
            if tests is None:
                continue
            files[rel] = path
            candidates.extend(IndexedTest(nodeid, rel, record) for nodeid, record in tests)
            if not tests:
                files[rel] = path  # a file without tests: nothing of it can be selected
        config.hook.minitest_index_modifyitems(config=config, tests=candidates)
        wanted = {test.file for test in candidates}
        for rel, path in files.items():
            if rel not in wanted:
                self.skip.add(path)
                tests = self._blob(self.entries[rel]["blob"]) or []
                self.skipped_tests += len(tests)
                self.not_imported.extend(IndexedTest(nodeid, rel, record) for nodeid, record in tests)
        if self.skip:
            self.status = (f"{_plural(len(self.skip), 'file')} not imported "
                           f"({_plural(self.skipped_tests, 'test')} not selected)")

    # -- hooks -----------------------------------------------------------------------------------
    @hookimpl(wrapper=True)
    def minitest_collection(self, session: Session) -> Generator[None, object, object]:
        self.plan()
        return (yield)

    @hookimpl(tryfirst=True)
    def minitest_ignore_collect(self, collection_path: Path, config: Config) -> bool | None:
        if collection_path in self.skip:
            return True
        return None

    @hookimpl(wrapper=True)
    def minitest_make_collect_report(self, collector: Collector) -> Generator[None, CollectReport, CollectReport]:
        report: CollectReport = yield
        if isinstance(collector, File):
            usable = report.passed
            if usable and isinstance(collector, Module):
                module = collector._obj  # imported by now when it passed; never import it here
                usable = module is not None and not (
                    hasattr(module, "minitest_plugins") or hasattr(module, "pytest_plugins"))
            self.collected[collector.path] = usable
        return report

    @hookimpl(wrapper=True, tryfirst=True)
    @index_safe  # records, never changes the list
    def minitest_collection_modifyitems(self, session: Session, config: Config,
                                        items: list[Item]) -> Generator[None, None, None]:
        # before the others: every collected item is still in the list
        self.record(items)
        yield
        if self.not_imported:
            # counted as what they are: tests a full collection would have deselected, so the
            # "collected N items / M deselected" line is the one a full collection prints
            config.hook.minitest_deselected(items=self.not_imported)

    @hookimpl(wrapper=True)
    def minitest_collection_finish(self) -> Generator[None, None, None]:
        yield
        if self.status:
            reporter = self.config.stash.get(TERMINAL_REPORTER, None)
            if reporter is not None and self.config.get_verbosity() >= 0:
                reporter.write_line(f"collection-index: {self.status}")

    def minitest_sessionfinish(self, session: Session) -> None:
        if self.config.getoption("cacheshow", None) is not None:
            return
        try:
            self.save()
        except OSError as exc:
            _warn(f"could not write the collection index in {self.dir}: {exc}")

    # -- recording -------------------------------------------------------------------------------
    def record(self, items: list[Item]) -> None:
        if self._why_not([]) is not None:
            return  # these files' tests may depend on more than their key: keep no entry for them
        by_file: dict[Path, list[Item]] = {path: [] for path, ok in self.collected.items() if ok}
        unusable = {path for path, ok in self.collected.items() if not ok}
        for item in items:
            parent = item.getparent(File)
            if parent is None or parent.path not in by_file:
                if parent is not None:
                    unusable.add(parent.path)
                continue
            by_file[parent.path].append(item)
        self._load()
        hook = self.config.hook
        for path in unusable | self.partial:
            by_file.pop(path, None)
        for path in unusable:
            rel = self.rel(path)
            if rel is not None and rel in self.entries:
                self.updates[rel] = {}  # a failed or skipped collection: no entry
        for path, file_items in by_file.items():
            rel = self.rel(path)
            if rel is None:
                continue
            key = self.key_of(path)
            entry = self.entries.get(rel)
            if entry is not None and entry["key"] == key and not self.rebuild:
                continue
            tests: list[list[Any]] = []
            for item in file_items:
                record: dict[str, Any] = {}
                hook.minitest_index_itemrecord(item=item, record=record)
                tests.append([item.nodeid, record])
            blob = f"{content_hash(rel.encode())[:16]}-{key[:16]}.json"
            self.blobs[blob] = tests
            self.updates[rel] = {"key": key, "blob": blob, "tests": len(tests)}

    def save(self) -> None:
        if not (self.updates or self.dirty or self.collected):
            return
        self.cache.mkdir(DIRNAME)  # the cache directory with its README, .gitignore and tag
        for name, tests in self.blobs.items():
            # named by file and key: a concurrent run writing the same name writes the same content
            atomic_write_text(self.dir / name, json.dumps({"tests": tests}, separators=(",", ":")))
        with locked(self.dir / "index.lock"):
            # re-read under the lock: another run may have written since this one started
            before: dict[str, Any] | None = None
            try:
                data = json.loads((self.dir / "index.json").read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("format") == FORMAT and data.get("global") == self.global_key \
                        and isinstance(data.get("files"), dict):
                    before = dict(data["files"])
            except (OSError, ValueError):
                pass
            current = dict(before or {})
            old_blobs = {e.get("blob") for e in current.values() if isinstance(e, dict)}
            for rel, entry in self.updates.items():
                if entry:
                    current[rel] = entry
                else:
                    current.pop(rel, None)
            # a test file deleted since: its tests leave the index
            current = {rel: e for rel, e in current.items()
                       if isinstance(e, dict) and (self.root / rel).is_file()}
            if current == before and not self.rebuild:
                return
            atomic_write_text(self.dir / "index.json", json.dumps(
                {"format": FORMAT, "global": self.global_key, "fingerprint": self.fingerprint, "files": current},
                indent=0, sort_keys=True))
            live = {e.get("blob") for e in current.values()}
            for stale in old_blobs - live:
                if isinstance(stale, str):
                    try:
                        os.unlink(self.dir / stale)
                    except OSError:
                        pass


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
