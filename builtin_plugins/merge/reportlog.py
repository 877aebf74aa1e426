"""Merging report-log event streams (``--report-log``) into one stream of one run: the first
input's ``SessionStart`` (without its shard mark), every input's events in the order of the
inputs, one ``CollectionFinish`` counting every part's tests, and a ``SessionFinish`` with the
totals (the sum of the parts' durations, tests collected and failed). A test one shard deselected
because another shard runs it is no longer "deselected". ``minitest replay OUT`` then shows the
whole run.

The stream format is the kernel's (:mod:`minitest.reportlog_api`); the checks here are those a
merge needs (the first and last events, the version), not a validation of every event.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from minitest.reportlog_api import SCHEMA_ID, VERSION

from .common import MergeError, check_same, check_shards, plural, write

#: the exit codes, most telling first: an interrupted or broken part says more than a failure
_EXIT_PRECEDENCE = (3, 2, 4, 1, 0, 5)


class Stream:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.events = _read(path)
        self.start = self.events[0]
        self.finish = self.events[-1]
        self.shard: str | None = self.start.get("shard")
        self.ran = {e["nodeid"] for e in self.events if e.get("$report_type") in ("TestReport", "RunTestLogStart")}
        self.deselected = {n for e in self.events if e.get("$report_type") == "Deselected" for n in e["nodeids"]}


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MergeError(f"{path}: cannot read: {exc}") from None
    events: list[dict[str, Any]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise MergeError(f"{path}:{number}: not a JSON object: {exc}") from None
        if not isinstance(event, dict) or "$report_type" not in event:
            raise MergeError(f"{path}:{number}: not a report-log event")
        events.append(event)
    if not events or events[0].get("$report_type") != "SessionStart" or events[0].get("$schema") != SCHEMA_ID:
        raise MergeError(f"{path}: not a minitest report log (its first line must be a SessionStart event "
                         f"with \"$schema\": {SCHEMA_ID!r})")
    version = events[0].get("version")
    if not isinstance(version, int) or version > VERSION:
        raise MergeError(f"{path}: report log version {version!r}: this minitest reads version {VERSION} and older")
    if events[-1].get("$report_type") != "SessionFinish":
        raise MergeError(f"{path}: the stream ends before its SessionFinish event (the run was killed or "
                         "the file was cut short)")
    return events


def merge_reportlog(out: Path, paths: list[Path]) -> str:
    streams = [Stream(path) for path in paths]
    check_same("versions (of the report-log format)", [(s.path, s.start.get("version")) for s in streams])
    check_same("minitest versions", [(s.path, s.start.get("minitest_version")) for s in streams])
    check_shards([(s.path, s.shard) for s in streams])
    owner: dict[str, Path] = {}
    for stream in streams:
        for nodeid in stream.ran:
            if nodeid in owner:
                raise MergeError(f"{nodeid} ran in {owner[nodeid].name} and in {stream.path.name}: "
                                 "these are not the parts of one split run")
        owner.update((nodeid, stream.path) for nodeid in stream.ran)
    events = _merged(streams, set(owner))
    write(out, "".join(json.dumps(e, ensure_ascii=True, separators=(",", ":")) + "\n" for e in events))
    finish = events[-1]
    return f"{plural(int(finish['testscollected'] or 0), 'test')}, {finish['testsfailed']} failed, exit status {finish['exitstatus']}"


def _merged(streams: list[Stream], ran: set[str]) -> list[dict[str, Any]]:
    start = dict(streams[0].start)
    if start.pop("shard", None) is not None:
        # the shard builtin's header line described one part, not the merged run
        start["header"] = [line for line in start.get("header", []) if not str(line).startswith("shard: ")]
    # the shards of one split each collected the whole selection: its size is any one's count;
    # reports of unrelated runs (no shard marks) add up
    sharded = bool(streams[0].shard)

    def combine(counts: list[int]) -> int:
        return max(counts) if sharded else sum(counts)

    merged: list[dict[str, Any]] = [start]
    collection: dict[str, Any] | None = None
    for stream in streams:
        for event in stream.events[1:-1]:
            kind = event["$report_type"]
            if kind == "CollectionFinish":
                if collection is None:
                    collection = dict(event)
                    merged.append(collection)
                else:
                    collection["count"] = combine([int(collection["count"]), int(event["count"])])
                continue
            if kind == "Deselected":
                left = [n for n in event["nodeids"] if n not in ran]
                if left:
                    merged.append({**event, "nodeids": left})
                continue
            merged.append(event)
    finishes = [s.finish for s in streams]
    statuses = {int(f["exitstatus"]) for f in finishes}
    status = next((code for code in _EXIT_PRECEDENCE if code in statuses), max(statuses))
    merged.append({
        "$report_type": "SessionFinish", "exitstatus": status,
        "duration": sum(float(f.get("duration") or 0.0) for f in finishes),
        "stop": max(float(f.get("stop") or 0.0) for f in finishes),
        "testscollected": _collected(streams, sharded),
        "testsfailed": sum(int(f.get("testsfailed") or 0) for f in finishes),
        "shouldfail": next((f["shouldfail"] for f in finishes if f.get("shouldfail")), None),
        "shouldstop": next((f["shouldstop"] for f in finishes if f.get("shouldstop")), None),
    })
    return merged


def _collected(streams: list[Stream], sharded: bool) -> int:
    """The tests a single run would have collected. A shard run without workers counts its whole
    selection, one on workers only its own part (its controller never saw the rest collected):
    so for shards, also every test some part ran or deselected."""
    counts = [int(s.finish.get("testscollected") or 0) for s in streams]
    if not sharded:
        return sum(counts)
    seen = set().union(*(s.ran | s.deselected for s in streams))
    return max(max(counts), len(seen))
