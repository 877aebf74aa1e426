"""The ``shard-splitter`` plugin: keeps this shard's part of the selected tests (``--shard K/N``)."""

from __future__ import annotations

from pathlib import Path

from minitest import hookimpl
from minitest.config import Config, UsageError
from minitest.nodes import Item, Session
from minitest.shard_api import ShardSpec

from .split import DurationsError, read_durations, split

#: fixtures of these scopes make their tests one unit (set up once, on one machine)
_GROUPING_SCOPES = ("module", "class")


def unit_key(item: Item) -> str:
    """The unit of ``item``: its module or class when it uses a fixture of that scope, else itself."""
    nodeid = item.nodeid
    info = getattr(item, "fixtureinfo", None)
    if info is None:
        return nodeid
    scopes = set()
    for name in info.names_closure:
        definitions = info.name2fixturedefs.get(name)
        if definitions:
            scopes.add(str(definitions[-1].scope))  # the last definition is the one used
    if "module" in scopes:
        return nodeid.split("::", 1)[0]
    if "class" in scopes:
        base = nodeid.split("[", 1)[0]  # a parametrize id may hold "::"
        return base.rsplit("::", 1)[0]
    return nodeid


class Splitter:
    def __init__(self, config: Config, spec: ShardSpec, path: Path) -> None:
        self.config = config
        self.spec = spec
        self.path = path

    # trylast: split what every other plugin selected (-k, -m, --lf...), whatever order they left
    @hookimpl(trylast=True)
    def minitest_collection_modifyitems(self, session: Session, config: Config, items: list[Item]) -> None:
        try:
            durations = read_durations(self.path)
        except DurationsError as exc:
            raise UsageError(f"--shard: {exc}") from None
        nodeids = [item.nodeid for item in items]
        shards = split(nodeids, [unit_key(item) for item in items], durations, self.spec.count)
        keep = set(shards[self.spec.index - 1])
        kept = [item for i, item in enumerate(items) if i in keep]
        dropped = [item for i, item in enumerate(items) if i not in keep]
        if dropped:
            config.hook.minitest_deselected(items=dropped)
        items[:] = kept
