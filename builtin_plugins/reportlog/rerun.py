"""``--rerun-failed-from FILE``: run here the tests that failed in a recorded run (a CI run's
stream, say). Collection runs as usual; the items that did not fail there are deselected."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from minitest.config import Config
from minitest.nodes import Item, Session


def failed_nodeids(events: Sequence[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """(node ids of the tests whose setup, call or teardown failed, node ids of the collectors
    that failed to collect). A failed attempt followed by a rerun that passed is not a failure:
    its outcome is ``rerun``."""
    tests: set[str] = set()
    collectors: set[str] = set()
    for event in events:
        if event.get("outcome") != "failed":
            continue
        if event["$report_type"] == "TestReport":
            tests.add(event["nodeid"])
        elif event["$report_type"] == "CollectReport":
            collectors.add(event["nodeid"])
    return tests, collectors


class RerunFailedFrom:
    """Registered as ``reportlog-rerun-failed`` only with ``--rerun-failed-from``."""

    def __init__(self, path: Path, tests: set[str], collectors: set[str]) -> None:
        self.path = path
        self.tests = tests
        # a module that failed to collect there: all of its tests, whatever happens to them here
        self.prefixes = tuple(f"{c}::" for c in collectors if c)
        self.selected = 0

    def _wanted(self, item: Item) -> bool:
        nodeid = item.nodeid
        return nodeid in self.tests or (bool(self.prefixes) and nodeid.startswith(self.prefixes))

    def minitest_collection_modifyitems(self, session: Session, config: Config, items: list[Item]) -> None:
        keep = [item for item in items if self._wanted(item)]
        if len(keep) != len(items):
            drop = [item for item in items if not self._wanted(item)]
            items[:] = keep
            config.hook.minitest_deselected(items=drop)
        self.selected = len(keep)

    def minitest_report_collectionfinish(self) -> str:
        failed = len(self.tests)
        line = f"rerun-failed-from: {failed} failed test{'s' if failed != 1 else ''} in {self.path}"
        missing = failed - self.selected
        if missing > 0:
            line += f" ({missing} not collected here)"
        return line
