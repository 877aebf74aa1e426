"""Fewer passes of the cyclic garbage collector while minitest builds long-lived state.

Start-up (importing the builtins, registering them, building the parser) and collection (test
modules, their functions, the collection tree) make many objects that live as long as the run and
almost no cyclic garbage. With CPython's default first-generation threshold (700 allocations) the
collector runs a pass every few hundred allocations only to promote survivors, then walks them
again in the older generations. Measured on bench/selection.py's 300 modules: a ``--lf`` run spent
7.6 ms of CPU in the collector (64 first-generation passes), 2.6 ms of it in the bootstrap and 1 ms
reading the collection index, the phases that now also run under :func:`fewer_gc_passes`: 6.3 ms
(18 passes). A full collection spent about a tenth of its time in the collector before collection
ran under it. The thresholds are restored afterwards (unless something, a conftest.py or a test
module, set its own meanwhile), so the tests themselves run with the collector as configured.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["fewer_gc_passes", "RAISED_THRESHOLD"]

#: the first-generation threshold while building long-lived state (CPython's default is 700)
RAISED_THRESHOLD = 20_000


@contextlib.contextmanager
def fewer_gc_passes(settle: bool = False) -> Iterator[None]:
    """Raise the collector's first-generation threshold for the duration of the block; thresholds
    of the user's own choosing (0: disabled, or already higher) are left alone, and so are those
    set inside the block. Nests: an inner block finds the raised threshold and changes nothing.

    ``settle``: when the thresholds are restored, collect the first two generations at once
    (``gc.collect(1)``) if the block left more objects in the first generation than its threshold.
    Otherwise the first allocation after the block starts a first-generation pass over them all,
    which moves them to the second generation, and a second-generation pass walks them all again a
    few passes later: for the bootstrap (which leaves ~20,000 objects, all long-lived), the one
    pass now gives the collector the state the second pass would have (the same objects, in the
    oldest generation, the same counts) walking them once: 6.4 -> 5.2 ms of CPU in the collector
    on bench/selection.py's ``--lf`` run (median of 15, ``gc.callbacks`` timing each pass)."""
    before = gc.get_threshold()
    if before[0] == 0 or before[0] >= RAISED_THRESHOLD:
        yield
        return
    raised = (RAISED_THRESHOLD, *before[1:])
    gc.set_threshold(*raised)
    try:
        yield
    finally:
        if gc.get_threshold() == raised:
            gc.set_threshold(*before)
            if settle and gc.isenabled() and gc.get_count()[0] > before[0]:
                gc.collect(1)
