"""The shard contract: which part of a run split across machines this run is (``--shard K/N``).

The ``shard`` builtin publishes a :class:`ShardSpec` under :data:`SHARD` on ``config.stash`` in
its ``minitest_configure`` (tryfirst) when ``--shard`` is given, in the controller and in every
worker alike. Report writers record it so that ``minitest merge`` can check that the files it joins
are distinct parts of one split: ``junitxml`` writes the ``<testsuite>`` properties
:data:`JUNIT_SHARD_PROPERTY` (``"K/N"``) and :data:`JUNIT_VERSION_PROPERTY`, the report log its
``SessionStart`` keys ``"shard"`` (``"K/N"``). A run without ``--shard`` has no key.
"""

from __future__ import annotations

from minitest.records import FrozenRecord
from minitest.stash import StashKey

__all__ = ["ShardSpec", "SHARD", "JUNIT_SHARD_PROPERTY", "JUNIT_VERSION_PROPERTY"]


class ShardSpec(FrozenRecord):
    """Shard ``index`` (1-based) of ``count``.

    A :class:`~minitest.records.FrozenRecord`, not a frozen dataclass: imported by every run, made
    only by one with ``--shard`` (0.7 ms of CPU at each start-up)."""

    __slots__ = ("index", "count")
    index: int
    count: int

    def __init__(self, index: int, count: int) -> None:
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "count", count)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


#: the shard this run is, on ``config.stash``; absent without ``--shard``
SHARD = StashKey[ShardSpec]()
#: the ``<testsuite>`` property naming the shard in a JUnit XML report ("2/3")
JUNIT_SHARD_PROPERTY = "minitest.shard"
#: the ``<testsuite>`` property with the minitest version that wrote a sharded report
JUNIT_VERSION_PROPERTY = "minitest.version"
