"""The collection tree: Session → Directory → File → (Class) → Item.

Nodes know their place (name, parent, node id, path), their marks and keywords, their
finalizers and which hooks apply to them (``ihook``: the hooks of the plugins and of the
conftest.py files whose directory contains the node). What a node *does* when collected or run is
up to the plugin that made it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Container, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from minitest.lazylist import ListOnFirstUse
from minitest.marks import Mark, MarkDecorator, normalize_mark
from minitest.pytest_names import PYTEST_ITEM_ALIASES, PYTEST_NODE_ALIASES
from minitest.stash import Stash

if TYPE_CHECKING:
    from minitest.config import Config
    from minitest.fixture_contract import FuncFixtureInfo
    from minitest.fixture_types import FixtureRequest
    from minitest.pluginmanager import PathHooks

__all__ = ["ItemRef", "Node", "Collector", "Item", "FSCollector", "File", "Directory", "Dir", "Package", "Session",
           "CollectError",
           "NodeKeywords", "SEP", "run_finalizers"]

SEP = "::"
N = TypeVar("N", bound="Node")


class ItemRef:
    """An item known only by its node id, collected in another process (a worker, a recorded
    run): what hooks taking items get there (``minitest_deselected``), with ``nodeid`` and ``name``."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid
        self.name = nodeid.rsplit("::", 1)[-1]

    def __repr__(self) -> str:
        return f"<ItemRef {self.nodeid}>"


class CollectError(Exception):
    """Raised by ``collect()`` for an error to report without a traceback."""


class NodeKeywords(MutableMapping[str, Any]):
    """The keywords ``-k`` matches: the node's own plus every parent's."""

    __slots__ = ("node", "parent", "_own")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.parent = node.parent
        # the node's name is its one keyword until something is added: the dict holding it is made
        # then (reports of every test read their item's keywords, and most tests add none)
        self._own: dict[str, Any] | None = None

    def _own_dict(self) -> dict[str, Any]:
        own = self._own
        if own is None:
            own = self._own = {self.node.name: True}
        return own

    def __getitem__(self, key: str) -> Any:
        own = self._own
        if own is None:
            if key == self.node.name:
                return True
        elif key in own:
            return own[key]
        if self.parent is None:
            raise KeyError(key)
        return self.parent.keywords[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._own_dict()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._own_dict()[key]

    def __iter__(self) -> Iterator[str]:
        # the node's own keys, then each ancestor's not seen before, nearest first: what iterating
        # the parent's keywords recursively gives, walked in one loop. A test's reports read their
        # item's keywords (a worker sends them, three reports per test); one generator per level
        # made that ~3x dearer
        seen: set[str] = set()
        keywords: NodeKeywords | None = self
        while keywords is not None:
            own = keywords._own if keywords._own is not None else (keywords.node.name,)
            for key in own:
                if key not in seen:
                    seen.add(key)
                    yield key
            parent = keywords.parent
            if parent is None:
                return
            above = parent.keywords
            if type(above) is not NodeKeywords:  # a plugin's own mapping: iterated as it says
                for key in above:
                    if key not in seen:
                        seen.add(key)
                        yield key
                return
            keywords = above

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        own = self._own
        if (key == self.node.name) if own is None else (key in own):
            return True
        return self.parent is not None and key in self.parent.keywords


class Node:
    """Base of every node in the collection tree."""

    # A large run holds every item until it ends, so a node's data lives in slots: as plain instance
    # attributes (20+ per test, added in varying order) each item's __dict__ cost ~1.5 KB. A __dict__
    # is still there for what plugins and pytest-style code set on nodes, but nothing common goes in
    # it. Containers most nodes never fill (marks, keywords, stash, finalizers) are made on first use.
    __slots__ = ("name", "parent", "config", "session", "path", "nodeid", "_keywords", "_own_markers",
                 "_stash", "_finalizers", "_chain", "_extra_keywords", "_ihook", "__dict__", "__weakref__")

    #: the fixture scope this kind of node ends (see :mod:`minitest.scope`): its teardown tears
    #: down the fixtures of that scope; None for nodes that end none (a plain directory)
    fixture_scope: ClassVar[str | None] = None

    def __init__(
        self,
        name: str,
        parent: Node | None = None,
        config: Config | None = None,
        session: Session | None = None,
        path: Path | None = None,
        nodeid: str | None = None,
    ) -> None:
        self.name = name
        self.parent = parent
        if config is None:
            assert parent is not None, "a node needs a parent or a config"
            config = parent.config
        self.config: Config = config
        if session is None:
            assert parent is not None, "a node needs a parent or a session"
            session = parent.session
        self.session: Session = session
        if path is None and parent is not None:
            path = parent.path
        self.path: Path = path  # type: ignore[assignment]
        if nodeid is None:
            assert parent is not None
            nodeid = f"{parent.nodeid}{SEP}{name}" if parent.nodeid else name
        self.nodeid: str = nodeid
        self._ihook: PathHooks | None = None  # set, not left unset: reading an unset slot raises
        # an unset slot costs as much memory as a set one, and reading an unset slot raises
        # AttributeError, which was the largest cost of walking marks: start with no marks
        self._own_markers: list[Mark] | tuple[()] = ()

    #: made on first use (see :attr:`keywords`, :attr:`stash`)
    _keywords: NodeKeywords
    _stash: Stash

    @property
    def keywords(self) -> NodeKeywords:
        """The keywords ``-k`` matches (made on first use)."""
        try:
            keywords: NodeKeywords = self._keywords
        except AttributeError:
            keywords = self._keywords = NodeKeywords(self)
        return keywords

    @keywords.setter
    def keywords(self, value: NodeKeywords) -> None:
        self._keywords = value

    #: the marks applied to this node itself (mark walks read ``_own_markers`` directly)
    own_markers: ListOnFirstUse = ListOnFirstUse("_own_markers")

    @property
    def stash(self) -> Stash:
        """Typed per-plugin state for this node (made on first use)."""
        try:
            stash: Stash = self._stash
            return stash
        except AttributeError:
            self._stash = Stash()
            return self._stash

    @property
    def extra_keyword_matches(self) -> set[str]:
        """Extra words ``-k`` matches for this node (made on first use: most nodes have none, and an
        empty set per test adds up over a large run)."""
        try:
            return self._extra_keywords
        except AttributeError:
            self._extra_keywords: set[str] = set()
            return self._extra_keywords

    @extra_keyword_matches.setter
    def extra_keyword_matches(self, value: set[str]) -> None:
        self._extra_keywords = set(value)

    @classmethod
    def from_parent(cls: type[N], parent: Node, **kw: Any) -> N:
        """Create a node under ``parent`` (the constructor plugins should use)."""
        return cls(parent=parent, **kw)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    @property
    def fspath(self) -> Any:
        """pytest's legacy ``py.path.local`` of the node's path (pathlib when pytest is absent)."""
        try:
            from _pytest._py.path import LocalPath
        except ImportError:
            return self.path
        return LocalPath(self.path)  # type: ignore[no-untyped-call]  # pytest's vendored py.path is untyped

    # -- hooks ---------------------------------------------------------------------------------
    @property
    def ihook(self) -> Any:
        """The hooks that apply to this node (conftest.py files outside its tree excluded)."""
        # kept on the node while the plugin manager's entry is valid (any plugin or conftest.py
        # registered or unregistered makes it stale): read ~10 times per test, it was recomputed
        # each time, ~25 ms of a 1.75 s run of 10,000 trivial tests (see PathHooks)
        try:
            entry = self._ihook
        except AttributeError:  # a node whose class skipped Node.__init__
            entry = None
        if entry is not None and entry.valid:
            return entry.hooks
        session = self.session
        if type(session).gethookproxy is not Session.gethookproxy:
            return session.gethookproxy(self.path)  # a Session subclass decides: asked every time
        entry = self._ihook = self.config.pluginmanager.path_hooks(self.path)
        return entry.hooks

    # -- tree ----------------------------------------------------------------------------------
    def listchain(self) -> list[Node]:
        """The nodes from the session down to this one (a new list; the chain itself is cached,
        since a node never changes parents and this is asked for several times per test)."""
        return list(self._cached_chain())

    def _cached_chain(self) -> list[Node]:
        """The cached chain itself, for the node's own walks (never handed out: callers may mutate)."""
        try:
            return self._chain
        except AttributeError:
            chain = [self] if self.parent is None else [*self.parent._cached_chain(), self]
            self._chain: list[Node] = chain
            return chain

    def listnames(self) -> list[str]:
        return [n.name for n in self.listchain()]

    def getparent(self, cls: type[N]) -> N | None:
        """The closest node of type ``cls``, this one included."""
        node: Node | None = self
        while node is not None and not isinstance(node, cls):
            node = node.parent
        return node

    # -- marks ---------------------------------------------------------------------------------
    def add_marker(self, marker: str | Mark | MarkDecorator | Any, append: bool = True) -> None:
        """Add a mark to this node (``append=False`` puts it first)."""
        if isinstance(marker, str):
            mark = Mark(marker)
        else:
            normalized = normalize_mark(marker)
            if normalized is None:
                raise ValueError("is not a string or minitest.mark.* Marker")
            mark = normalized
        self.keywords[mark.name] = mark
        if append:
            self.own_markers.append(mark)
        else:
            self.own_markers.insert(0, mark)

    def iter_markers(self, name: str | None = None) -> Iterator[Mark]:
        """The marks of this node and its parents, closest first."""
        # up the parent links (the chain closest first, without building or copying it), not
        # through iter_markers_with_node: plugins ask for marks several times per test, and
        # collection asks for each test before its chain was ever needed
        node: Node | None = self
        while node is not None:
            for mark in node._own_markers:
                if name is None or mark.name == name:
                    yield mark
            node = node.parent

    def has_marker(self, names: Container[str]) -> bool:
        """Whether this node or a parent carries a mark named one of ``names``: one walk without a
        generator, for plugins that ask about several names for every test and usually find none
        (skipping asked three iter_markers per setup and one more after each call; with the
        early return of its makereport wrapper, ~35 ms of 1.75 s on 10,000 trivial tests)."""
        node: Node | None = self
        while node is not None:
            for mark in node._own_markers:
                if mark.name in names:
                    return True
            node = node.parent
        return False

    def iter_markers_with_node(self, name: str | None = None) -> Iterator[tuple[Node, Mark]]:
        node: Node | None = self
        while node is not None:
            for mark in node._own_markers:
                if name is None or mark.name == name:
                    yield node, mark
            node = node.parent

    def get_closest_marker(self, name: str, default: Mark | None = None) -> Mark | None:
        return next(self.iter_markers(name), default)

    def listextrakeywords(self) -> set[str]:
        extra: set[str] = set()
        for node in self.listchain():
            extra.update(getattr(node, "_extra_keywords", ()))
        return extra

    # -- setup / teardown ----------------------------------------------------------------------
    def addfinalizer(self, fin: Callable[[], object]) -> None:
        """Run ``fin`` when this node is torn down (finalizers run last-in, first-out)."""
        try:
            self._finalizers.append(fin)
        except AttributeError:
            self._finalizers: list[Callable[[], object]] = [fin]

    def setup(self) -> None:
        """Prepare this node before the first item below it runs."""

    def teardown(self) -> None:
        """Run this node's finalizers, last added first; the first error is re-raised after all ran."""
        finalizers = getattr(self, "_finalizers", None)
        if not finalizers:
            return
        errors = run_finalizers(finalizers)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise BaseExceptionGroup(f"errors while tearing down {self!r}", errors)

    # -- reporting -----------------------------------------------------------------------------
    def warn(self, warning: Warning) -> None:
        """Issue a warning attributed to this node's location."""
        path, lineno = _node_location(self)
        warnings.warn_explicit(warning, category=type(warning), filename=str(path), lineno=(lineno or 0) + 1)

    def repr_failure(self, excinfo: Any, style: str | None = None) -> Any:
        """The text shown for an exception raised while collecting or running this node."""
        from minitest.tracebacks import format_exception_for_node

        return format_exception_for_node(self, excinfo, style)

    def _traceback_entry_point(self) -> Any:
        """The code object from which tracebacks of this node are shown (None: whole traceback)."""
        return None


def run_finalizers(finalizers: list[Callable[[], object]]) -> list[BaseException]:
    """Pop and call ``finalizers`` last-in first-out; every one runs, the errors are returned."""
    errors: list[BaseException] = []
    while finalizers:
        fin = finalizers.pop()
        try:
            fin()
        except BaseException as exc:  # noqa: BLE001 - every finalizer must run
            errors.append(exc)
    return errors


def _node_location(node: Node) -> tuple[Path, int | None]:
    if isinstance(node, Item):
        path, lineno, _ = node.reportinfo()
        return Path(path), lineno
    return node.path, None


class Collector(Node):
    """A node that has children: its ``collect()`` returns them."""

    def repr_failure(self, excinfo: Any, style: str | None = None) -> Any:
        """Collection errors show their message alone, others a short traceback.

        As pytest 9.2: a collection error's text has no crash line (the short summary shows no
        message for it; an exception or ``fail()`` shows its own), and a conftest.py that raised
        while a directory was collected shows its own traceback, not the loader's wrapper."""
        exc = getattr(excinfo, "value", excinfo)
        if isinstance(exc, CollectError) and not self.config.getoption("fulltrace", False):
            from minitest.reports import FailureRepr

            return FailureRepr(str(exc), None)
        from minitest.pluginmanager import ConftestImportFailure

        if isinstance(exc, ConftestImportFailure):
            excinfo = exc.cause
        tbstyle = style or self.config.getoption("tbstyle", "auto")
        return super().repr_failure(excinfo, "short" if tbstyle in ("auto", None) else tbstyle)

    def collect(self) -> Iterable[Node]:
        raise NotImplementedError("collect() must be implemented by a Collector subclass")


class Item(Node):
    """A test: the leaf of the tree. ``runtest()`` runs it.

    An item that uses fixtures has a :class:`~minitest.fixture_contract.FuncFixtureInfo` in
    ``fixtureinfo`` (set by the plugin that made it); the fixtures plugin puts their values in
    ``funcargs`` and, while the item runs, its request in ``fixture_request``.
    """

    __slots__ = ("_user_properties", "_location", "_sections", "fixtureinfo", "funcargs", "fixture_request")

    fixture_scope = "function"
    nextitem = None

    def __init__(self, name: str, parent: Node | None = None, config: Config | None = None,
                 session: Session | None = None, nodeid: str | None = None, **kw: Any) -> None:
        super().__init__(name, parent, config, session, nodeid=nodeid, **kw)
        # set, not left unset: reading an unset slot raises, and reports read these three times per test
        self._user_properties: list[tuple[str, object]] | tuple[()] = ()
        self._sections: list[tuple[str, str, str]] | tuple[()] = ()
        self.fixtureinfo: FuncFixtureInfo | None = None
        self.funcargs: dict[str, Any] = {}
        self.fixture_request: FixtureRequest | None = None

    @property
    def fixturenames(self) -> list[str]:
        """Every fixture this item uses, in setup order (its fixture closure)."""
        info = self.fixtureinfo
        return info.names_closure if info is not None else []

    @fixturenames.setter
    def fixturenames(self, names: list[str]) -> None:
        # this item's own closure from now on: the info is shared with its parametrized siblings
        from minitest.fixture_contract import FuncFixtureInfo

        info = self.fixtureinfo
        if info is None:
            self.fixtureinfo = FuncFixtureInfo(names, names, list(names), {})
        else:
            self.fixtureinfo = FuncFixtureInfo(info.argnames, info.initialnames, list(names),
                                               info.name2fixturedefs)

    # pytest's private names of the two attributes above (``_fixtureinfo``, ``_request``: plugins
    # written for pytest re-make items from them, pytest-asyncio fetches its loop runner through
    # the request) are aliases installed from pytest_names at the end of this module

    #: (name, value) pairs a test records for the reports (``record_property``)
    user_properties: ListOnFirstUse = ListOnFirstUse("_user_properties")

    def recorded_properties(self) -> list[tuple[str, object]] | tuple[()]:
        """:attr:`user_properties` without creating the list when there are none (for reports)."""
        return getattr(self, "_user_properties", ())

    def _cached_chain(self) -> list[Node]:
        # an item's chain is its parent's plus itself, made when asked: a list kept per test costs
        # ~100 bytes each over a large run, and the copy is cheap next to the walks using it
        parent = self.parent
        return [self] if parent is None else [*parent._cached_chain(), self]

    def runtest(self) -> None:
        raise NotImplementedError("runtest() must be implemented by an Item subclass")

    def add_report_section(self, when: str, key: str, content: str) -> None:
        """Attach text (captured output, logs) shown with this item's report of phase ``when``."""
        if content:
            self._report_sections.append((when, key, content))

    #: (when, key, content) of the text shown with the reports (plugins written for pytest append
    #: to this name directly)
    _report_sections: ListOnFirstUse = ListOnFirstUse("_sections")

    def report_sections(self) -> list[tuple[str, str, str]] | tuple[()]:
        """The sections added so far, without making a list when there are none (for reports)."""
        return getattr(self, "_sections", ())

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """(path, 0-based line number or None, description) of this item."""
        return self.path, None, ""

    @property
    def location(self) -> tuple[str, int | None, str]:
        """(path relative to rootdir, 0-based line, description), as reports carry it."""
        try:
            return self._location
        except AttributeError:
            path, lineno, domain = self.reportinfo()
            # usually the node's own Path object: its str is cached, a copy would hash afresh
            relpath = self.session.relative_path(path if isinstance(path, Path) else Path(path))
            self._location: tuple[str, int | None, str] = (relpath, lineno, str(domain))
            return self._location


class FSCollector(Collector):
    """A collector for a path of the file system; its node id is the path relative to rootdir."""

    def __init__(self, path: Path, parent: Node | None = None, config: Config | None = None,
                 session: Session | None = None, nodeid: str | None = None, name: str | None = None) -> None:
        if name is None:
            name = path.name
        if nodeid is None:
            sess = session if session is not None else parent.session  # type: ignore[union-attr]
            nodeid = sess.relative_path(path)
            if nodeid == ".":
                nodeid = ""
        super().__init__(name, parent, config, session, path=path, nodeid=nodeid)


class File(FSCollector):
    """A collector for one file."""

    fixture_scope = "module"


class Directory(FSCollector):
    """A collector for one directory (its subclasses decide how its entries are collected)."""


class Dir(Directory):
    """A directory: collects its entries in name order, files and sub-directories alike."""

    def collect(self) -> Iterable[Node]:
        config = self.config
        pm = config.pluginmanager
        pm.load_conftest(self.path)
        ihook = self.ihook
        try:
            entries = sorted(os.scandir(self.path), key=lambda e: e.name)
        except OSError as exc:
            raise OSError(f"cannot list {self.path}: {exc}") from exc
        for entry in entries:
            path = Path(entry.path)
            if entry.is_dir():
                if entry.name == "__pycache__" or ihook.minitest_ignore_collect(collection_path=path, config=config):
                    continue
                col = ihook.minitest_collect_directory(path=path, parent=self)
                if col is not None:
                    yield col
            elif entry.is_file():
                if ihook.minitest_ignore_collect(collection_path=path, config=config):
                    continue
                for col in ihook.minitest_collect_file(file_path=path, parent=self):
                    if col is not None:
                        yield col


class Package(Dir):
    """A directory with ``__init__.py`` (the unit of ``package``-scoped fixtures)."""

    fixture_scope = "package"



class Session(Collector):
    """The root of the tree, and the run's state: items, failures, stop requests, exit status."""

    fixture_scope = "session"

    class Interrupted(KeyboardInterrupt):
        """Raised to stop the run (``-x``, ``--maxfail``)."""

    class Failed(Exception):
        """Raised when the run should stop because of a test failure."""

    def __init__(self, config: Config) -> None:
        super().__init__("", parent=None, config=config, session=self, path=config.rootpath, nodeid="")
        self.items: list[Item] = []
        self.testsfailed = 0
        self.testscollected = 0
        self.shouldstop: bool | str = False
        self.shouldfail: bool | str = False
        self.exitstatus: int = 0
        self._relpath_cache: dict[Path, str] = {}
        #: the paths named on the command line (explicit files are collected whatever their name)
        self.initial_paths: set[Path] = set()

    @property
    def startpath(self) -> Path:
        """The directory minitest was invoked from."""
        return self.config.invocation_params.dir

    def isinitpath(self, path: Path) -> bool:
        """Whether ``path`` was named on the command line."""
        return path in self.initial_paths

    @classmethod
    def from_config(cls, config: Config) -> Session:
        return cls(config)

    def gethookproxy(self, path: Path) -> Any:
        return self.config.pluginmanager.hook_for_path(path)

    def relative_path(self, path: Path) -> str:
        """``path`` relative to rootdir with forward slashes, as node ids and locations show it."""
        try:
            return self._relpath_cache[path]
        except KeyError:
            pass
        root = self.config.rootpath
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            rel = Path(os.path.relpath(path, root)).as_posix()
        self._relpath_cache[path] = rel or "."
        return rel or "."

    def collect(self) -> Iterable[Node]:
        # the session plugin drives collection through minitest_collection
        return []


def _alias(attr: str) -> property:
    """A read/write property of pytest's private name for the kernel attribute ``attr``."""

    def get(node: Node) -> Any:
        return getattr(node, attr)

    def set_(node: Node, value: Any) -> None:
        setattr(node, attr, value)

    return property(get, set_, doc=f"pytest's private name of ``{attr}`` (plugins written for pytest read it)")


# pytest plugins reach for pytest's private attribute names (pytest_names lists them): the same
# objects under both names, so what a plugin sets through one is what minitest reads
for _name, _attr in PYTEST_NODE_ALIASES.items():
    setattr(Node, _name, _alias(_attr))
for _name, _attr in PYTEST_ITEM_ALIASES.items():
    setattr(Item, _name, _alias(_attr))
del _name, _attr
