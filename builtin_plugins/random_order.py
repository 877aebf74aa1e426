"""Builtin plugin ``random``: run the tests in a random order that a seed replays, and give each
test the same random numbers whatever ran before it.

    --random                 shuffle (the ini key ``random_order = true`` makes it the default)
    --seed N / --seed last   replay the order of seed N / of the last random run (kept in the cache)
    --no-shuffle             with --seed: the order as given, each test still seeded (--bisect's replay)

    configure                    → the seed: given, from the cache, or drawn; kept for --seed last
    report_header                → "random order: seed N (--seed N replays it)"
    collection_modifyitems (tf)  → directories and modules shuffled, then the classes and functions
                                   of each module, then the methods of each class; each container
                                   with its own generator (seed, its node id), so a container's
                                   order does not depend on what else was selected. The fixtures
                                   plugin regroups tests sharing a higher-scoped parameter after
                                   this, as pytest does after pytest-randomly.
    runtest_setup / call (tf)    → ``random`` (and numpy's global generator, when numpy is
                                   imported) seeded from (seed, node id)
    configure_node               → workers get the controller's seed: they collect, and shuffle,
                                   the same order

``-p no:random`` turns it off.
"""

from __future__ import annotations

import hashlib
import random
import sys
from collections.abc import Sequence

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.nodes import Item, Node
from minitest.random_api import RANDOM_SEED
from minitest.workers_api import WorkerNode

#: the cache key of the last random run's seed (for ``--seed last``)
CACHE_KEY = "random/seed"
#: where a worker finds the controller's seed in ``config.workerinput``
WORKERINPUT_KEY = "random_seed"


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("random", "random test order")
    group.addoption("--random", dest="random_order", action="store_true", default=None,
                    help="run the tests in a random order (the header shows the seed that replays it)")
    group.addoption("--seed", dest="random_seed", default=None, metavar="N|last",
                    help="the seed of the random order and of each test's random numbers; 'last': the "
                         "seed of the last random run (implies --random)")
    group.addoption("--no-shuffle", dest="random_no_shuffle", action="store_true", default=False,
                    help="with --seed: keep the order given (the tests --bisect names) and still seed each "
                         "test's random numbers")
    parser.addini("random_order", "run the tests in a random order by default (--seed replays one)",
                  type="bool", default=False)


def _parse_seed(value: str) -> int:
    try:
        seed = int(value)
    except ValueError:
        raise UsageError(f"--seed: expected a whole number or 'last', got {value!r}") from None
    if seed < 0:
        raise UsageError(f"--seed: expected a number >= 0, got {value!r}")
    return seed


def _choose_seed(config: Config) -> int:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKERINPUT_KEY in workerinput:
        return int(workerinput[WORKERINPUT_KEY])
    requested = config.getoption("random_seed", None)
    cache = getattr(config, "cache", None)
    if requested == "last":
        seed = cache.get(CACHE_KEY, None) if cache is not None else None
        if not isinstance(seed, int):
            where = "the cache is off (-p no:cache)" if cache is None else f"{cache.cachedir} has none"
            raise UsageError(f"--seed last: no seed of an earlier random run to replay ({where}); "
                             "run with --random first")
        return seed
    if requested is not None:
        return _parse_seed(str(requested))
    return random.SystemRandom().randrange(2**32)


def minitest_configure(config: Config) -> None:
    wanted = config.getoption("random_order", None)
    if wanted is None:
        wanted = config.getoption("random_seed", None) is not None or bool(config.getini("random_order"))
    if not wanted:
        return
    seed = _choose_seed(config)
    config.stash[RANDOM_SEED] = seed
    cache = getattr(config, "cache", None)
    if cache is not None and not hasattr(config, "workerinput"):
        cache.set(CACHE_KEY, seed)
    config.pluginmanager.register(RandomOrder(seed, shuffle=not config.getoption("random_no_shuffle", False)),
                                  "random.order")


def _derived_seed(seed: int, name: str) -> int:
    """A 32-bit seed for ``name`` under ``seed``: the same in every process and Python run
    (``hash()`` of a string is not)."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def shuffled(items: Sequence[Item], seed: int) -> list[Item]:
    """``items`` in the random order of ``seed``: each container's children shuffled, containers
    kept whole (a module's tests stay together)."""
    return _shuffle_level(list(items), 1, seed, "")


def _shuffle_level(items: list[Item], depth: int, seed: int, container: str) -> list[Item]:
    groups: dict[Node, list[Item]] = {}
    for item in items:
        chain = item.listchain()
        node = chain[depth] if depth < len(chain) else item
        groups.setdefault(node, []).append(item)
    order = list(groups)
    random.Random(_derived_seed(seed, container)).shuffle(order)
    result: list[Item] = []
    for node in order:
        group = groups[node]
        if len(group) == 1 and group[0] is node:
            result.append(group[0])
        else:
            result.extend(_shuffle_level(group, depth + 1, seed, node.nodeid))
    return result


class RandomOrder:
    """The hooks of a run in random order (registered only then)."""

    def __init__(self, seed: int, shuffle: bool = True) -> None:
        self.seed = seed
        self.shuffle = shuffle

    def minitest_report_header(self) -> str:
        if not self.shuffle:
            return f"random numbers: seed {self.seed} (order as given)"
        return f"random order: seed {self.seed} (--seed {self.seed} replays it)"

    @hookimpl(tryfirst=True)
    def minitest_collection_modifyitems(self, items: list[Item]) -> None:
        if self.shuffle:
            items[:] = shuffled(items, self.seed)

    def _reseed(self, item: Item) -> None:
        seed = _derived_seed(self.seed, item.nodeid)
        random.seed(seed)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed(seed)

    @hookimpl(tryfirst=True)
    def minitest_runtest_setup(self, item: Item) -> None:
        self._reseed(item)

    @hookimpl(tryfirst=True)
    def minitest_runtest_call(self, item: Item) -> None:
        # again: a fixture drawing numbers at setup would otherwise change what the test draws,
        # depending on whether that (higher-scoped) fixture was set up for this test or before it
        self._reseed(item)

    def minitest_configure_node(self, node: WorkerNode) -> None:
        node.workerinput[WORKERINPUT_KEY] = self.seed
