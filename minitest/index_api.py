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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from minitest.stash import StashKey

if TYPE_CHECKING:
    from minitest.config import Config

__all__ = ["IndexedTest", "INDEX_SAFE_ATTR", "index_safe", "is_index_safe", "LASTFAILED_KEY",
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

F = TypeVar("F", bound=Callable[..., Any])


def index_safe(function: F) -> F:
    """Declare a ``minitest_collection_modifyitems`` implementation index-safe."""
    setattr(function, INDEX_SAFE_ATTR, True)
    return function


def is_index_safe(function: object) -> bool:
    return bool(getattr(function, INDEX_SAFE_ATTR, False))


@dataclass
class IndexedTest:
    """One test as the index recorded it: its node id, the path of its file relative to rootdir,
    and the data plugins put in its record (``record["marks"]``...)."""

    nodeid: str
    file: str
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The test's name (the last part of its node id), as an item's: the index passes the
        tests of the files it did not import to ``minitest_deselected`` as these."""
        return self.nodeid.rsplit("::", 1)[-1]


def select_from_index(config: Config, who: str) -> None:
    """Say (in ``minitest_configure``) that plugin ``who`` selects tests this run and implements
    ``minitest_index_modifyitems``: the index then reads its records and asks the plugins."""
    config.stash.setdefault(INDEX_SELECTORS, set()).add(who)
