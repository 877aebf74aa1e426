"""The ``shard-durations`` plugin (``--store-durations``): each test's duration into the file."""

from __future__ import annotations

import json
from pathlib import Path

from minitest.atomicfile import atomic_write_text
from minitest.reports import TestReport

from .split import DurationsError, read_durations


class DurationsRecorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.durations: dict[str, float] = {}

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        # the whole test, as pytest-split counts it: setup + call + teardown (every attempt of a rerun)
        self.durations[report.nodeid] = self.durations.get(report.nodeid, 0.0) + float(report.duration or 0.0)

    def minitest_sessionfinish(self) -> None:
        if not self.durations:
            return
        try:
            merged = read_durations(self.path)
        except DurationsError:
            merged = {}  # unreadable: this run's durations replace it
        merged.update(self.durations)
        # sorted and indented, as pytest-split writes it: a small diff when it is committed again
        text = json.dumps(merged, indent=4, sort_keys=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, text)
