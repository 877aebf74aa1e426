"""The collection index: what each test file produced last time, so that a run selecting a few
tests (``--lf``, ``-k``, ``-m``, ``--deselect``, ``--affected``) imports only the files it needs.

After every run (not ``-n`` workers), ``.minitest_cache/d/collection-index/index.jsonl`` keeps, per
test file that was collected whole, its tests (node ids, and per test the record plugins add
through ``minitest_index_itemrecord``: marks and keywords for ``-k`` / ``-m``) under a **key**: the
hashes of the file, of the ``conftest.py`` and ``__init__.py`` of every directory from rootdir down
to it, and of the configuration (:func:`minitest.fingerprint.config_fingerprint`: config file,
options that change collection, plugins, Python).

A selecting run costs start-up plus what the index does, so (CPU times measured on
bench/selection.py's 300 modules; the index's share of ``--lf`` went from 21 ms to 8 ms, then with
the records read lazily from 9.6 to 5.7 ms, both measured interleaved on a loaded machine):

* the index is one file, read once: reading and parsing 300 per-file records took 4.4 ms, the
  same records in one file 2.9 ms;
* its two lines are the index proper (keys, node ids, stat cache) and the tests' records, which
  are parsed only when a plugin asks for one (``-k`` / ``-m``: :class:`_Records`): reading the
  index in a ``--lf`` run 4.5 -> 1.2 ms (the records were most of the JSON: a keyword list and
  marks per test);
* the content hashes in the keys come from a stat cache kept in the index
  (:class:`minitest.fingerprint.FileHashes`: a file whose size, mtime, ctime and inode are
  unchanged since it was hashed is not read again): 0.4 ms instead of 1.8 ms for 300 small files;
* paths are plain strings on the per-file path (pathlib cost 3 ms for 300 files);
* a run that changes nothing writes nothing (re-reading and comparing the index cost 1.2 ms).

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
corrupt one; a corrupt entry: its file is collected again); writes are atomic and merged under a
lock, so two runs at once lose nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import Any

from minitest import hookimpl
from minitest.atomicfile import atomic_write_text
from minitest.cache_api import Cache, CacheWarning
from minitest.config import Config, Parser
from minitest.fingerprint import FileHashes, config_fingerprint, content_hash, locked
from minitest.gcpasses import fewer_gc_passes
from minitest.index_api import (
    INDEX_SELECTORS,
    INDEX_SKIPS_FILES,
    NOT_FULLY_COLLECTED,
    IndexedTest,
    index_safe,
    is_index_safe,
)
from minitest.nodes import Collector, File, Item, Session
from minitest.python_nodes import Module
from minitest.reports import CollectReport
from minitest.terminal_api import TERMINAL_REPORTER

FORMAT = "minitest-collection-index/3"
DIRNAME = "collection-index"
#: two JSON lines: the index (keys, node ids, stat cache), then the records of the tests (read only
#: when a plugin asks for one: see :class:`_Records`)
INDEX_FILE = "index.jsonl"
#: the file of the earlier layouts (/1: one index of keys and one file of tests per test file;
#: /2: the records inside the one JSON document): replaced without a warning, their files removed
_OLD_INDEX_FILE = "index.json"

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
        self.root_s = str(self.root)
        self.root_prefix = os.path.join(self.root_s, "")  # with its trailing separator
        self.hashes = FileHashes()  # with the stored stat cache once the index is read
        self.fingerprint = config_fingerprint(config)
        self.global_key = content_hash(json.dumps(self.fingerprint, sort_keys=True).encode())
        self.entries: dict[str, dict[str, Any]] = {}
        self.rebuild = False  # the stored index could not be read: write it whole
        self.old_format = False  # an earlier layout was found: remove its files when writing
        self.records = _Records(b"", {}, self._bad_records)
        self.bad: set[str] = set()  # entries whose tests could not be read: rewrite them
        self.loaded = False
        self.skip: set[str] = set()  # absolute paths of the files not to import
        self.skipped_tests = 0
        self.not_imported: list[IndexedTest] = []
        self.status: str | None = None
        self.collected: dict[Path, bool] = {}  # File collectors seen: path -> usable for the index
        self.partial: set[Path] = set()  # files collected for some names only (path::name args)
        self.updates: dict[str, dict[str, Any]] = {}  # rel -> entry written this run ({}: remove it)
        self.dirty = False
        self._chains: dict[str, str] = {}

    # -- reading ---------------------------------------------------------------------------------
    def _load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        path = self.dir / INDEX_FILE
        try:
            # the records line is kept as it was read: parsing it was most of the cost of reading
            # the index; bytes, not text: decoding the records line too cost 0.2 ms (300 modules)
            head, _, records = path.read_bytes().partition(b"\n")
            data = json.loads(head)
        except FileNotFoundError:
            if (self.dir / _OLD_INDEX_FILE).exists():
                self.old_format = self.dirty = True
            return
        except (OSError, ValueError) as exc:
            self._corrupt(f"could not read the collection index {path} ({type(exc).__name__}: {exc})")
            return
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
            self._corrupt(f"the collection index {path} is not one minitest wrote")
            return
        stat = data.get("stat")
        # content hashes do not depend on the configuration: kept even when the entries are not
        self.hashes = FileHashes(stat if isinstance(stat, dict) else None)
        if data.get("global") != self.global_key:
            self.dirty = True  # another configuration: every entry is stale
            return
        for rel, entry in data["files"].items():
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                self.entries[rel] = entry
        self.records = _Records(records, self.entries, self._bad_records)

    def _corrupt(self, message: str) -> None:
        _warn(f"{message}; collecting every test file, the index is rebuilt at the end of the run")
        self.rebuild = True
        self.dirty = True

    def _tests(self, rel: str) -> list[str] | None:
        """The recorded node ids of the tests of ``rel`` (None, with a warning, when its entry is
        malformed: its file is then collected and its entry rewritten)."""
        tests = self.entries[rel].get("tests")
        if isinstance(tests, list) and all(isinstance(t, str) for t in tests):
            return tests
        self._bad_records(rel)
        return None

    def _bad_records(self, rel: str) -> None:
        """The entry of ``rel`` (its node ids, or its records when a plugin asked for one) cannot
        be read: its file is collected and its entry rewritten."""
        if rel not in self.bad:
            _warn(f"could not read the collection index entry of {rel} in {self.dir / INDEX_FILE}; "
                  "collecting its file again")
            self.bad.add(rel)

    # -- keys ------------------------------------------------------------------------------------
    def key_of(self, path: str) -> str:
        """The key of test file ``path`` (absolute): its content, the conftest.py / __init__.py
        chain, the config."""
        return content_hash(f"{self._chain_key(os.path.dirname(path))}\n{self.hashes.hash(path)}".encode())

    def _chain_key(self, directory: str) -> str:
        # one per directory (every test file of a directory shares it)
        known = self._chains.get(directory)
        if known is not None:
            return known
        own = (f"{self.hashes.hash(os.path.join(directory, 'conftest.py'))}:"
               f"{self.hashes.hash(os.path.join(directory, '__init__.py'))}")
        parent = os.path.dirname(directory)
        if directory == self.root_s or parent == directory or not directory.startswith(self.root_prefix):
            key = f"{self.global_key}/{own}"
        else:
            key = content_hash(f"{self._chain_key(parent)}/{own}".encode())
        self._chains[directory] = key
        return key

    def _abs(self, rel: str) -> str:
        return self.root_prefix + (rel if os.sep == "/" else rel.replace("/", os.sep))

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
        under = tuple(os.path.join(str(d), "") for d in dirs)
        named = {str(f) for f in explicit}
        files: dict[str, list[IndexedTest]] = {}  # rel -> its tests, for the files that may be skipped
        candidates: list[IndexedTest] = []
        for rel, entry in self.entries.items():
            path = self._abs(rel)
            if path in named or not path.startswith(under):
                continue
            # a deleted file hashes to "": its key differs
            if entry.get("volatile") or self.key_of(path) != entry["key"]:
                continue
            tests = self._tests(rel)
            if tests is None:
                continue
            # the same objects go to minitest_deselected for the files not imported
            records = self.records
            files[rel] = [IndexedTest(nodeid, rel, None, records) for nodeid in tests]
            candidates.extend(files[rel])
        config.hook.minitest_index_modifyitems(config=config, tests=candidates)
        wanted = {test.file for test in candidates}
        for rel, indexed in files.items():
            # a file whose records could not be read (asked for by a plugin) is collected: the
            # plugin decided on an empty record
            if rel not in wanted and rel not in self.bad:
                self.skip.add(self._abs(rel))
                self.skipped_tests += len(indexed)
                self.not_imported.extend(indexed)
        if self.skip:
            self.status = (f"{_plural(len(self.skip), 'file')} not imported "
                           f"({_plural(self.skipped_tests, 'test')} not selected)")
            skipper = config.stash.get(INDEX_SKIPS_FILES, None)
            if skipper is not None:
                # left out as a full collection leaves them out (--lf): neither collected nor
                # deselected there either
                quiet = skipper(sorted(self.skip))
                self.not_imported = [test for test in self.not_imported if self._abs(test.file) not in quiet]

    # -- hooks -----------------------------------------------------------------------------------
    @hookimpl(wrapper=True)
    def minitest_collection(self, session: Session) -> Generator[None, object, object]:
        with fewer_gc_passes():  # the index's records are long-lived objects (minitest.gcpasses)
            self.plan()
        return (yield)

    @hookimpl(tryfirst=True)
    def minitest_ignore_collect(self, collection_path: Path, config: Config) -> bool | None:
        if self.skip and str(collection_path) in self.skip:
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
        untouched = self.config.stash.get(NOT_FULLY_COLLECTED, set())  # their entries stay as they were
        unusable -= untouched
        for path in unusable | self.partial | untouched:
            by_file.pop(path, None)
        for path in unusable:
            rel = self.rel(path)
            if rel is not None and rel in self.entries:
                self.updates[rel] = {}  # a failed or skipped collection: no entry
        for path, file_items in by_file.items():
            rel = self.rel(path)
            if rel is None:
                continue
            key = self.key_of(str(path))
            entry = self.entries.get(rel)
            if entry is not None and entry["key"] == key and not self.rebuild and rel not in self.bad:
                continue
            tests: list[str] = []
            records: list[dict[str, Any]] = []
            for item in file_items:
                record: dict[str, Any] = {}
                hook.minitest_index_itemrecord(item=item, record=record)
                tests.append(item.nodeid)
                records.append(record)
            self.updates[rel] = {"key": key, "tests": tests, "records": records}

    def save(self) -> None:
        if not self.loaded:
            return  # nothing was collected whole, nothing was read
        deleted = [rel for rel in self.entries if not os.path.isfile(self._abs(rel))]
        if not (self.updates or self.dirty or self.bad or deleted or self.hashes.changed):
            return  # the usual selecting run
        self.cache.mkdir(DIRNAME)  # the cache directory with its README, .gitignore and tag
        with locked(self.dir / "index.lock"):
            # re-read under the lock: another run may have written since this one started
            files: dict[str, Any] = {}
            stat: dict[str, Any] = {}
            data: Any = None
            records: Any = None
            try:
                head, _, tail = (self.dir / INDEX_FILE).read_text(encoding="utf-8").partition("\n")
                data = json.loads(head)
                records = json.loads(tail)
            except (OSError, ValueError):
                pass  # no index; or a records line that cannot be read: the entries are made again
            if isinstance(data, dict) and data.get("format") == FORMAT:
                if data.get("global") == self.global_key and isinstance(data.get("files"), dict):
                    files = {rel: {**entry, "records": records.get(rel) if isinstance(records, dict) else None}
                             for rel, entry in data["files"].items() if isinstance(entry, dict)}
                if isinstance(data.get("stat"), dict):
                    stat = data["stat"]
            for rel in self.bad - self.updates.keys():
                files.pop(rel, None)  # malformed and not collected again this run: no entry
            for rel, entry in self.updates.items():
                if entry:
                    files[rel] = entry
                else:
                    files.pop(rel, None)
            # a test file deleted since: its tests leave the index
            files = {rel: e for rel, e in files.items() if os.path.isfile(self._abs(rel))}
            # an entry whose records cannot be read (a run selecting by node id never reads them,
            # so it may be the first to find out, here) is dropped: made again when its file is
            # next collected, meanwhile that file is collected whenever a selection needs it
            unreadable = sorted(rel for rel, e in files.items() if not _well_formed(e))
            if unreadable:
                _warn(f"could not read the collection index records of {', '.join(unreadable[:3])}"
                      f"{' and others' if len(unreadable) > 3 else ''} in {self.dir / INDEX_FILE}; "
                      "their files are collected again the next time a selection needs them")
                files = {rel: e for rel, e in files.items() if rel not in unreadable}
            # a stat entry is valid whichever run wrote it (it says what it is valid for); this
            # run's win. Kept: those of the test files and of their directories' chain files
            stat = {**stat, **self.hashes.to_json()}
            keep = self._chain_files(files)
            index = {"format": FORMAT, "global": self.global_key, "fingerprint": self.fingerprint,
                     "files": {rel: {"key": e["key"], "tests": e["tests"]} for rel, e in files.items()},
                     "stat": {path: v for path, v in stat.items() if path in keep}}
            atomic_write_text(self.dir / INDEX_FILE, "".join((
                json.dumps(index, separators=(",", ":"), sort_keys=True), "\n",
                json.dumps({rel: e["records"] for rel, e in files.items()}, separators=(",", ":"), sort_keys=True),
                "\n")))
            if self.old_format:  # the index of formats /1 and /2, the per-file records of /1
                for old in [self.dir / _OLD_INDEX_FILE, *self.dir.glob("*-*.json")]:
                    try:
                        os.unlink(old)
                    except OSError:
                        pass

    def _chain_files(self, files: Iterable[str]) -> set[str]:
        """The test files ``files`` (relative) and the conftest.py / __init__.py their keys hash."""
        keep: set[str] = set()
        dirs: set[str] = set()
        for rel in files:
            path = self._abs(rel)
            keep.add(path)
            directory = os.path.dirname(path)
            while directory not in dirs and directory.startswith(self.root_prefix):
                dirs.add(directory)
                directory = os.path.dirname(directory)
        dirs.add(self.root_s)
        for directory in dirs:
            keep.add(os.path.join(directory, "conftest.py"))
            keep.add(os.path.join(directory, "__init__.py"))
        return keep


def _well_formed(entry: object) -> bool:
    """An entry as written: a key, node ids and as many records."""
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    tests, records = entry.get("tests"), entry.get("records")
    return (isinstance(tests, list) and isinstance(records, list) and len(tests) == len(records)
            and all(isinstance(t, str) for t in tests) and all(isinstance(r, dict) for r in records))


class _Records:
    """The records line of the index, parsed when a plugin first asks for a record.

    A run that selects by node id (``--lf``, a node-id argument, ``--deselect``) never asks: on
    bench/selection.py's 300 modules (2,712 tests) reading the index went from 4.5 to 1.2 ms of
    CPU with the records left unparsed (parsing them, the keywords and marks of every test, was
    most of it). A malformed line or entry is reported through ``bad(rel)`` (a warning; the
    file is collected and its entry rewritten) and reads as an empty record.
    """

    def __init__(self, text: bytes, entries: dict[str, dict[str, Any]], bad: Callable[[str], None]) -> None:
        self.text = text
        self.entries = entries
        self.bad = bad
        self.parsed: dict[str, Any] | None = None
        self.by_file: dict[str, dict[str, dict[str, Any]]] = {}  # file -> nodeid -> record ({}: unreadable)

    def record(self, file: str, nodeid: str) -> dict[str, Any]:
        known = self.by_file.get(file)
        if known is None:
            known = self.by_file[file] = self._read(file)
        record = known.get(nodeid)
        if record is None:
            self.bad(file)
            return {}
        return record

    def _read(self, file: str) -> dict[str, dict[str, Any]]:
        if self.parsed is None:
            try:
                parsed = json.loads(self.text)
            except ValueError:
                parsed = None
            self.parsed = parsed if isinstance(parsed, dict) else {}
        records = self.parsed.get(file)
        tests = self.entries.get(file, {}).get("tests")
        if (isinstance(records, list) and isinstance(tests, list) and len(records) == len(tests)
                and all(isinstance(r, dict) for r in records)):
            return dict(zip(tests, records, strict=True))
        return {}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
