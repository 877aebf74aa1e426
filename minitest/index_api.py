"""The collection-index contract: what plugins tell the saved collection index, and how they
select from it without importing the test modules.

The ``collection_index`` builtin keeps, per test file, the tests the file produced last time
(node ids and a JSON record per test) under a key made of the file's content, its conftest.py and
``__init__.py`` chain, the config file and the options that change collection. Before collecting,
it hands the recorded tests of the files whose key is unchanged to
``minitest_index_modifyitems``: each selecting plugin (``-k`` / ``-m``, ``--lf``, ``--deselect``,
``--affected``) removes the tests its ``minitest_collection_modifyitems`` would deselect. A file
none of whose tests is left is not imported.

That is exact only when every ``minitest_collection_modifyitems`` implementation deselects
exactly what its ``minitest_index_modifyitems`` removes (or only reorders items by a per-item
key, so the order of a subset is the subset of the order). An implementation declares it by
setting :data:`INDEX_SAFE_ATTR` on its function (:func:`index_safe`); one that does not (a
conftest.py's, a plugin's) makes the index fall back to a full collection.

Records are built by ``minitest_index_itemrecord(item, record)``: each plugin that selects on
something other than the node id puts the JSON-able data it needs in ``record`` under its own key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from minitest.stash import StashKey

if TYPE_CHECKING:
    from minitest.config import Config

__all__ = ["IndexedTest", "RecordSource", "INDEX_SAFE_ATTR", "index_safe", "is_index_safe", "LASTFAILED_KEY",
           "INDEX_SELECTORS", "select_from_index"]

#: set to True on a ``minitest_collection_modifyitems`` implementation whose deselection the
#: index can reproduce (see the module docstring)
INDEX_SAFE_ATTR = "minitest_index_safe"

#: the cache key holding ``{nodeid: true}`` of the tests and collectors that failed last
#: (written by the ``cache`` builtin, read by anyone: ``--affected`` always runs them)
LASTFAILED_KEY = "cache/lastfailed"

#: the names of the plugins that will remove tests in ``minitest_index_modifyitems`` this run
#: (``select_from_index``); with none, the index has nothing to skip and is not even read
INDEX_SELECTORS = StashKey[set[str]]()

#: set by a selector that leaves whole files out as pytest's ``--lf`` does (not collected, not
#: deselected, counted by the selector: "skipped 2 files"): given the files the index does not
#: import, it returns those it skips so; the tests of the others are deselected, as always
INDEX_SKIPS_FILES = StashKey[Callable[[list[str]], set[str]]]()

#: the files a plugin collected only in part this run, or answered for without collecting them
#: (pytest's ``--lf``): what was collected of them says nothing of the whole file, so the index
#: keeps their entries as they were
NOT_FULLY_COLLECTED = StashKey[set[Path]]()

F = TypeVar("F", bound=Callable[..., Any])


def index_safe(function: F) -> F:
    """Declare a ``minitest_collection_modifyitems`` implementation index-safe."""
    setattr(function, INDEX_SAFE_ATTR, True)
    return function


def is_index_safe(function: object) -> bool:
    return bool(getattr(function, INDEX_SAFE_ATTR, False))


class RecordSource(Protocol):
    """Where the records of recorded tests are read from when a plugin first asks for one."""

    def record(self, file: str, nodeid: str) -> dict[str, Any]:
        """The record of the recorded test ``nodeid`` of ``file`` ({} if it cannot be read)."""
        ...


class IndexedTest:
    """One test as the index recorded it: its node id, the path of its file relative to rootdir,
    and the data plugins put in its record (``record["marks"]``...).

    The index reads the records only when a plugin first asks for one (``record``): a run
    selecting by node id (``--lf``, a node-id argument, ``--deselect``) never parses them (3.3 ms
    of CPU of a ``--lf`` run on bench/selection.py's 300 modules, 2,712 tests). A plain class with
    slots, not a dataclass, made with positional arguments: the index makes one per recorded test
    (2,712: 0.55 ms as the dataclass, 0.38 ms; keyword arguments would cost 0.63 ms). Equal and
    shown as the dataclass it replaces was.
    """

    __slots__ = ("nodeid", "file", "_record", "_source")

    def __init__(self, nodeid: str, file: str, record: dict[str, Any] | None = None,
                 source: RecordSource | None = None) -> None:
        self.nodeid = nodeid
        self.file = file
        self._record = record
        self._source = source  # where ``record`` is read from when first asked (record None)

    @property
    def record(self) -> dict[str, Any]:
        if self._record is None:
            self._record = self._source.record(self.file, self.nodeid) if self._source is not None else {}
        return self._record

    @record.setter
    def record(self, value: dict[str, Any]) -> None:
        self._record = value

    @property
    def name(self) -> str:
        """The test's name (the last part of its node id), as an item's: the index passes the
        tests of the files it did not import to ``minitest_deselected`` as these."""
        return self.nodeid.rsplit("::", 1)[-1]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, IndexedTest)
        return (self.nodeid, self.file, self.record) == (other.nodeid, other.file, other.record)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return f"IndexedTest(nodeid={self.nodeid!r}, file={self.file!r}, record={self.record!r})"


def select_from_index(config: Config, who: str) -> None:
    """Say (in ``minitest_configure``) that plugin ``who`` selects tests this run and implements
    ``minitest_index_modifyitems``: the index then reads its records and asks the plugins."""
    config.stash.setdefault(INDEX_SELECTORS, set()).add(who)
