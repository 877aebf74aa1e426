"""The runner's own clocks, taken when minitest is imported (before any test module is).

A test that replaces ``time.time`` / ``time.perf_counter`` / ``time.monotonic`` / ``time.sleep``
without putting them back (or a freezegun-style library left active) must not change what the
runner measures: durations, the final line's ``in 0.12s``, junitxml times, timeouts, the
terminal's batching. So minitest's code calls these references, never ``time.<name>`` (pytest
does the same in ``_pytest.timing``).
"""

from __future__ import annotations

import time as _time

__all__ = ["wall", "perf", "monotonic", "sleep"]

#: seconds since the epoch (``time.time`` as it was at start-up)
wall = _time.time
#: a precise clock for durations (``time.perf_counter``)
perf = _time.perf_counter
#: a clock that never goes back, for deadlines (``time.monotonic``)
monotonic = _time.monotonic
#: ``time.sleep``
sleep = _time.sleep
