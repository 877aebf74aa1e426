"""The report-log contract: how the event stream of a run (``--report-log FILE``) names its format,
and what a run that shows a recorded stream (``minitest replay`` / ``minitest report``) publishes.

The stream is JSON Lines, one event a line; the first line is the ``SessionStart`` event and
carries ``"$schema": SCHEMA_ID`` and ``"version": VERSION``. ``docs/report-log.schema.json``
describes every event; a reader refuses a stream whose first line names another schema, or a
version newer than its own.

A replayed run publishes :class:`ReplayedRun` under :data:`REPLAYED_RUN` on ``config.stash`` in a
``tryfirst`` ``minitest_configure``: its reports come from the file, not from items of this
process, so a plugin that registers its report listeners only when it expects such reports (the
``reruns`` recorder, which otherwise waits for a ``flaky`` mark on a collected item) registers
them when it sees the key, as it does for a parallel run.
"""

from __future__ import annotations

from pathlib import Path

from minitest.records import FrozenRecord
from minitest.stash import StashKey

__all__ = ["SCHEMA_ID", "VERSION", "ReplayedRun", "REPLAYED_RUN"]

#: the ``$schema`` of the first line (the ``$id`` of docs/report-log.schema.json)
SCHEMA_ID = "urn:minitest:report-log"
#: the format's version: a reader accepts this one and older ones
VERSION = 1


class ReplayedRun(FrozenRecord):
    """A run shown from recorded event streams rather than run here.

    A :class:`~minitest.records.FrozenRecord`, not a frozen dataclass: imported by every run, made
    only by a replay (0.7 ms of CPU at each start-up)."""

    __slots__ = ("paths", "start", "distributed")
    #: the stream files, in the order given
    paths: tuple[Path, ...]
    #: when the recorded session started (seconds since the epoch)
    start: float
    #: whether the recorded run ran its tests on workers (``-n`` / ``--tx``)
    distributed: bool

    def __init__(self, paths: tuple[Path, ...], start: float, distributed: bool) -> None:
        object.__setattr__(self, "paths", paths)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "distributed", distributed)


#: the replayed run, on ``config.stash``; absent in a run that runs tests
REPLAYED_RUN = StashKey[ReplayedRun]()
