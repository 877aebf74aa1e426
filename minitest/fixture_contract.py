"""The fixture contract: what the fixtures plugin produces and every other plugin reads.

* :class:`FixtureDef` — one fixture definition and the state of its current setup (what
  ``minitest_fixture_setup(fixturedef, request)`` receives);
* :class:`FuncFixtureInfo` — which fixtures an item needs: its own argument names, the names it
  asks for first (autouse, ``usefixtures``, arguments), their closure, and the definitions per name;
* :class:`FixtureManager` — what the fixtures plugin publishes under :data:`FIXTURE_MANAGER` on
  ``config.stash`` so that the plugins making items (python, unittest, doctest, a third party's)
  get a :class:`FuncFixtureInfo` for each, and can register fixtures of their own making::

      manager = config.stash.get(FIXTURE_MANAGER, None)
      info = manager.getfixtureinfo(item, argnames=()) if manager else FuncFixtureInfo.without_fixtures(())
      item.fixtureinfo = info

An item that uses fixtures carries its :class:`FuncFixtureInfo` in ``item.fixtureinfo`` (kernel
attribute of :class:`minitest.nodes.Item`, None for items without fixtures) and receives their
values in ``item.funcargs``; while the item runs, ``item.fixture_request`` is its request (what a
test gets as ``request``). Without the fixtures plugin (``-p no:fixtures``) no manager is
published and items have no fixtures.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from minitest.scope import RankedScope
from minitest.stash import StashKey

if TYPE_CHECKING:
    from minitest.fixture_types import SubRequest
    from minitest.nodes import Node

__all__ = ["FixtureDef", "FuncFixtureInfo", "FixtureManager", "FIXTURE_MANAGER", "fixture_argnames",
           "closure_names"]


class FixtureDef:
    """One fixture definition and the state of its current setup.

    A name may have several definitions (a conftest's, overridden by a module's, by a class's).
    ``baseid`` is the node-id prefix of the nodes that see this one: ``""`` for plugins and the
    rootdir's conftest.py, ``"sub"`` for ``sub/conftest.py``, a module or class node id for the
    fixtures defined there.
    """

    def __init__(self, argname: str, func: Callable[..., Any], scope: str, params: Sequence[object] | None,
                 ids: Any, autouse: bool, baseid: str, *, location: tuple[str, int] | None = None,
                 argnames: tuple[str, ...] | None = None, plugin_name: str = "", per_run: bool = False) -> None:
        self.argname = argname
        self.func = func
        self.scope = scope
        self.params = params
        self.ids = ids
        self.autouse = autouse
        self.baseid = baseid
        self.plugin_name = plugin_name
        #: declared ``per_run=True`` (session scope): with forked workers, set up once in the
        #: controller before they start, its value inherited by each, torn down after the last ended
        self.per_run = per_run
        #: the fixtures this one requests (its function's arguments without defaults)
        self.argnames = argnames if argnames is not None else fixture_argnames(func)
        #: (file, first line) of the fixture function
        self.location = location if location is not None else _location(func)
        #: registration order (a later definition of the same name, at the same depth, wins)
        self.order = 0
        #: (value, cache key, (exception, traceback) or None) of the current setup; None when not set up
        self.cached_result: tuple[Any, object, tuple[BaseException, Any] | None] | None = None
        #: run when the fixture is torn down, last added first (see :meth:`addfinalizer`)
        self.finalizers: list[Callable[[], object]] = []

    def __repr__(self) -> str:
        return f"<FixtureDef argname={self.argname!r} scope={self.scope!r} baseid={self.baseid!r}>"

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.func) or ""

    def visible_from(self, nodeid: str) -> bool:
        """Whether a node with ``nodeid`` sees this definition."""
        base = self.baseid
        if not base or nodeid == base:
            return True
        return nodeid.startswith((base + "/", base + "::"))

    def addfinalizer(self, fin: Callable[[], object]) -> None:
        """Run ``fin`` when this fixture is torn down (before its own teardown code)."""
        self.finalizers.append(fin)

    def finish(self, request: SubRequest) -> None:
        """Tear this fixture down now: its finalizers last-in first-out (its own teardown code
        among them), then ``minitest_fixture_post_finalizer``; it is no longer set up afterwards.

        Plugins call it to order teardowns (pytest-asyncio tears an async fixture down before the
        event loop it ran in, from a finalizer of the loop's fixture)."""
        from minitest.nodes import run_finalizers

        errors = run_finalizers(self.finalizers)
        try:
            request.node.ihook.minitest_fixture_post_finalizer(fixturedef=self, request=request)
        finally:
            self.cached_result = None
            self.finalizers.clear()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise BaseExceptionGroup(f"errors while tearing down fixture {self.argname!r}", errors[::-1])

    # pytest's private names, read by plugins written for pytest: ``_finalizers`` (the list),
    # ``_scope`` (compared with pytest's ``Scope`` by ``_pytest.fixtures.resolve_fixture_function``,
    # which pytest-asyncio calls on minitest's fixture definitions)
    @property
    def _finalizers(self) -> list[Callable[[], object]]:
        return self.finalizers

    @property
    def _scope(self) -> RankedScope:
        return RankedScope(self.scope)


def fixture_argnames(func: Callable[..., Any]) -> tuple[str, ...]:
    """The fixtures a fixture function requests: parameters without defaults (``self`` of bound
    methods excluded by the signature itself)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in sig.parameters.values()
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.default is p.empty)


def _location(func: Callable[..., Any]) -> tuple[str, int]:
    raw = inspect.unwrap(getattr(func, "__func__", func))
    code = getattr(raw, "__code__", None)
    if code is None:
        return ("?", 0)
    return (code.co_filename, code.co_firstlineno)


#: the definitions of an item that uses no fixture: one shared, read-only empty mapping rather than
#: an empty dict per test (a large run keeps every item until it ends)
_NO_DEFINITIONS: Mapping[str, Sequence[FixtureDef]] = MappingProxyType({})


class FuncFixtureInfo:
    """Which fixtures an item needs (pytest's ``FuncFixtureInfo``).

    Shared by the items made from one test function (one per parametrization): nothing in it is
    per call. ``names_closure`` is what the item sets up, in order; a name there without
    definitions is a direct parameter (or a missing fixture, reported when the item is set up).
    """

    __slots__ = ("argnames", "initialnames", "names_closure", "name2fixturedefs", "direct_names")

    def __init__(self, argnames: Sequence[str], initialnames: Sequence[str], names_closure: list[str],
                 name2fixturedefs: Mapping[str, Sequence[FixtureDef]]) -> None:
        #: the test function's own arguments that are not given defaults
        self.argnames: tuple[str, ...] = tuple(argnames)
        #: what the item asks for itself: autouse fixtures, ``usefixtures`` marks, its arguments
        self.initialnames: tuple[str, ...] = tuple(initialnames)
        #: every fixture the item needs, transitively, widest scope first
        self.names_closure = names_closure
        #: the visible definitions of each name of the closure, outermost first (the last wins)
        self.name2fixturedefs = name2fixturedefs if name2fixturedefs else _NO_DEFINITIONS
        #: the names a ``parametrize`` call gave the test directly (not through a fixture): the
        #: value stands for any fixture of that name, and for what that fixture would use
        self.direct_names: frozenset[str] = frozenset()

    @classmethod
    def without_fixtures(cls, argnames: Sequence[str]) -> FuncFixtureInfo:
        """The info of an item when no fixture manager runs: its arguments, nothing resolved."""
        return cls(argnames, argnames, list(argnames), _NO_DEFINITIONS)

    def prune_dependency_tree(self) -> None:
        """pytest's: ``names_closure`` (in place, its order kept) reduced to the names that
        ``initialnames`` reach through ``name2fixturedefs``, a name given directly reaching
        nothing further. Called once the test is parametrized (by the plugin that makes its
        items, and by pytest plugins that make their own): a ``generate_tests`` hook may have
        given directly a name whose fixture, and what it uses, the closure was made with."""
        reached = set(closure_names(self.initialnames, self.name2fixturedefs.get, self.direct_names))
        self.names_closure[:] = [name for name in self.names_closure if name in reached]

    def __repr__(self) -> str:
        return f"<FuncFixtureInfo {self.names_closure!r}>"


def closure_names(initial: Sequence[str], getdefs: Callable[[str], Sequence[FixtureDef] | None],
                  direct: Collection[str] = ()) -> list[str]:
    """Every name ``initial`` reaches through the definitions ``getdefs`` gives, each once, depth
    first as pytest 9.2 lists ``request.fixturenames`` (each name, then what it needs: ``a, a_dep,
    b, b_dep``); an overriding fixture that requests its own name leads on to the definition it
    overrides, and that one's needs. A name in ``direct`` (a parameter given to the test
    directly) is listed; what a fixture of that name would need is not."""
    names: list[str] = []
    # per name, the definition a request of it reaches now: -1 the closest, -2 the one it
    # overrides (asked for by the closest), ...
    position: dict[str, int] = {}
    for name in initial:
        _visit(name, getdefs, direct, names, position)
    return names


def _visit(name: str, getdefs: Callable[[str], Sequence[FixtureDef] | None], direct: Collection[str],
           names: list[str], position: dict[str, int]) -> None:
    # a module function, not a closure calling itself: that would be a reference cycle per walk,
    # left to the garbage collector with what it holds (a walk per test function at collection)
    index = position.get(name)
    if index == -1:
        return  # done already
    if index is None:
        names.append(name)
        position[name] = index = -1
    if name in direct:
        return
    defs = getdefs(name)
    if not defs or -index > len(defs):
        return  # none, or past the first definition: an error when the test runs
    position[name] = index - 1
    for argname in defs[index].argnames:
        _visit(argname, getdefs, direct, names, position)
    position[name] = index


class FixtureManager(Protocol):
    """The fixtures plugin's registry, as the plugins that make items and fixtures see it."""

    def getfixtureinfo(self, node: Node, argnames: Sequence[str]) -> FuncFixtureInfo:
        """The fixtures of item ``node`` whose function takes ``argnames``: the autouse fixtures
        visible from it, its ``usefixtures`` marks and ``argnames``, with their closure."""
        ...

    def getfixturedefs(self, argname: str, node: Node) -> Sequence[FixtureDef]:
        """The definitions of ``argname`` visible from ``node``, outermost first (empty if none)."""
        ...

    def parsefactories(self, holder: object, baseid: str) -> None:
        """Register the fixtures (``@fixture`` functions) found on ``holder`` — a module, a class,
        an instance or any object — as visible from the nodes under ``baseid``."""
        ...


#: the fixture manager of the run, on ``config.stash``; set by the fixtures plugin at configure
FIXTURE_MANAGER = StashKey[FixtureManager]()


class PytestFixtureManagerView:
    """The run's :class:`FixtureManager` with the signatures of pytest's ``FixtureManager``, as
    plugins written for pytest call it through ``request._fixturemanager`` (hypothesis asks
    ``getfixtureinfo(node=item, func=item.function, cls=None)`` for the fixtures of a test)."""

    __slots__ = ("_manager",)

    def __init__(self, manager: FixtureManager) -> None:
        self._manager = manager

    def getfixtureinfo(self, node: Node, func: Callable[..., Any] | None = None, cls: object = None,
                       funcargs: bool = True) -> FuncFixtureInfo:
        argnames = fixture_argnames(func) if func is not None and funcargs else ()
        return self._manager.getfixtureinfo(node, argnames)

    def getfixturedefs(self, argname: str, node: Node) -> Sequence[FixtureDef] | None:
        # pytest answers None, not an empty sequence, for a name nothing defines
        return self._manager.getfixturedefs(argname, node) or None

    def parsefactories(self, holder: object, nodeid: str = "") -> None:
        self._manager.parsefactories(holder, nodeid)
