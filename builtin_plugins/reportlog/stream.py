"""The event stream as data: events to JSON lines and back, and reading a stream file with errors
that name the line.

Every event is a JSON object with ``$report_type`` (pytest-reportlog's key, so its readers skip
what they do not know); the first is ``SessionStart`` with ``$schema`` and ``version``
(:mod:`minitest.reportlog_api`). docs/report-log.schema.json describes each event.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path, PurePath
from typing import Any

from minitest.reportlog_api import SCHEMA_ID, VERSION
from minitest.warning_data import category_names, rebuild_warning

#: every event type, and the keys each must have (what a reader relies on)
EVENT_KEYS: dict[str, tuple[str, ...]] = {
    "SessionStart": ("$schema", "version", "start"),
    "CollectReport": ("nodeid", "outcome"),
    "Deselected": ("nodeids",),
    "CollectionFinish": ("count", "lines"),
    "RunTestLogStart": ("nodeid", "location"),
    "TestReport": ("nodeid", "outcome", "when", "location"),
    "RunTestLogFinish": ("nodeid", "location"),
    "WarningMessage": ("when", "nodeid", "message", "category", "filename", "lineno"),
    "KeyboardInterrupt": ("kind", "message"),
    "InternalError": ("text",),
    "SessionFinish": ("exitstatus", "duration"),
}


class StreamError(Exception):
    """A stream that is not a minitest report log, or is cut short (the message names the line)."""


def plain(value: Any) -> Any:
    """``value`` as JSON data: what a plugin stored on a report that JSON cannot carry (a path, an
    exception, bytes) is kept as its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    if isinstance(value, PurePath):
        return str(value)
    return repr(value)


def _as_text(value: Any) -> Any:
    """``json``'s fallback for what it cannot write: one conversion where it is met, instead of a
    walk over every report before writing it (three reports per test)."""
    if isinstance(value, (set, frozenset)):
        return list(value)
    return plain(value)


def dumps(event: dict[str, Any]) -> str:
    """One line of the stream. ASCII only: lone surrogates (undecodable bytes a test printed) are
    kept as ``\\udcXX`` escapes, which every JSON reader accepts."""
    try:
        return json.dumps(event, ensure_ascii=True, separators=(",", ":"), default=_as_text)
    except (TypeError, ValueError):  # a key JSON cannot have (a tuple), a value that refers to itself
        return json.dumps(plain(event), ensure_ascii=True, separators=(",", ":"))


def warning_to_event(message: warnings.WarningMessage, when: str, nodeid: str,
                     location: tuple[str, int, str] | None) -> dict[str, Any]:
    module, qualname = category_names(message.category)
    return {"$report_type": "WarningMessage", "when": when, "nodeid": nodeid,
            "location": list(location) if location else None, "message": str(message.message),
            "category": f"{module}:{qualname}",
            "filename": str(message.filename), "lineno": int(message.lineno or 0),
            "line": message.line if isinstance(message.line, str) else None}


def warning_from_event(event: dict[str, Any]) -> warnings.WarningMessage:
    module, _, qualname = str(event["category"]).partition(":")
    return rebuild_warning(event["message"], module, qualname or "UserWarning", event["filename"], event["lineno"],
                           event.get("line"))


def read_stream(path: Path, complete: bool = True) -> list[dict[str, Any]]:
    """Every event of the stream at ``path``, checked line by line.

    A run that was killed leaves a stream without its ``SessionFinish`` (and maybe half a last
    line): with ``complete`` that is an error naming the line, since a replay of it would not be
    the run; without, the events before the cut are returned.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StreamError(f"{path}: cannot read: {exc.strerror or exc}") from None
    events: list[dict[str, Any]] = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines and not complete:
        lines.pop()  # half a line: the run was killed while writing it
    for number, line in enumerate(lines, 1):
        where = f"{path}:{number}"
        try:
            event = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            cut = " (the file ends in the middle of this line: was the run killed?)" \
                if number == len(lines) and not raw.endswith(b"\n") else ""
            raise StreamError(f"{where}: not a JSON object: {exc}{cut}") from None
        _check_event(event, number, where)
        events.append(event)
    if not events:
        raise StreamError(f"{path}: empty: not a minitest report log")
    if complete and events[-1].get("$report_type") != "SessionFinish":
        raise StreamError(f"{path}:{len(lines)}: the stream ends before its SessionFinish event "
                          "(the run was killed or the file was cut short)")
    return events


def _check_event(event: object, number: int, where: str) -> None:
    if not isinstance(event, dict):
        raise StreamError(f"{where}: not a JSON object")
    kind = event.get("$report_type")
    if number == 1:
        if kind != "SessionStart" or event.get("$schema") != SCHEMA_ID:
            raise StreamError(f"{where}: not a minitest report log (the first line must be a SessionStart "
                              f"event with \"$schema\": {SCHEMA_ID!r})")
        version = event.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise StreamError(f"{where}: report log version {version!r}: this minitest reads version {VERSION} "
                              "and older")
    elif kind == "SessionStart":
        raise StreamError(f"{where}: a second SessionStart: give each run's stream as a file of its own")
    keys = EVENT_KEYS.get(kind) if isinstance(kind, str) else None
    if keys is None:
        raise StreamError(f"{where}: unknown event type {kind!r}")
    missing = [k for k in keys if k not in event]
    if missing:
        raise StreamError(f"{where}: {kind} event without {', '.join(missing)}")
