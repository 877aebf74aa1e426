"""The contract of a run in random order, for plugins that replay it (``--bisect``).

The ``random`` builtin sets :data:`RANDOM_SEED` in ``config.stash`` at configure time when the
order is random (``--random``, ``--seed``, the ``random_order`` ini key): the seed of the order
and of each test's random numbers. ``--seed N`` on another run replays both. Absent: the tests
run in collection order.
"""

from __future__ import annotations

from minitest.stash import StashKey

__all__ = ["RANDOM_SEED"]

#: the seed of this run's random order (absent when the order is not random)
RANDOM_SEED = StashKey[int]()
