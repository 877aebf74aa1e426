"""What both merges share: paths, the format of a file, the shard checks, the errors."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from minitest.atomicfile import atomic_write_text, check_writable
from minitest.config import Config


class MergeError(Exception):
    """Why the inputs cannot be merged (the message names the files)."""


def resolve(config: Config, value: str) -> Path:
    path = Path(os.path.expandvars(os.path.expanduser(value)))
    return Path(os.path.normpath(config.invocation_params.dir / path))


def detect_format(path: Path) -> str:
    """``"junit"`` or ``"reportlog"``: by the extension, else by the first character."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "junit"
    if suffix in (".jsonl", ".json"):
        return "reportlog"
    try:
        with open(path, "rb") as f:
            head = f.read(64).lstrip()
    except OSError as exc:
        raise MergeError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head.startswith(b"<"):
        return "junit"
    if head.startswith(b"{"):
        return "reportlog"
    raise MergeError(f"{path}: neither JUnit XML nor a report log (JSON Lines)")


def check_shards(shards: Sequence[tuple[Path, str | None]]) -> None:
    """The inputs' shard marks (``"K/N"`` or None) must be all absent, or distinct parts of one
    split; a merge of some of the parts is allowed (a CI job that failed left no report)."""
    marked = [(path, mark) for path, mark in shards if mark]
    if not marked:
        return
    if len(marked) != len(shards):
        unmarked = next(path for path, mark in shards if not mark)
        raise MergeError(f"{unmarked.name} is not a shard (no --shard) but {marked[0][0].name} is "
                         f"shard {marked[0][1]}: not the parts of one run")
    counts = {mark.split("/")[1] for _, mark in marked}
    if len(counts) > 1:
        listed = ", ".join(f"{path.name} is {mark}" for path, mark in marked)
        raise MergeError(f"shards of different splits: {listed}")
    seen: dict[str, Path] = {}
    for path, mark in marked:
        if mark in seen:
            raise MergeError(f"shard {mark} given twice: {seen[mark].name} and {path.name}")
        seen[mark] = path


def check_same(what: str, values: Sequence[tuple[Path, object]]) -> None:
    """Every input has the same ``what`` (a suite name, a version)."""
    distinct = {repr(value) for _, value in values}
    if len(distinct) > 1:
        listed = ", ".join(f"{path.name}: {value}" for path, value in values)
        raise MergeError(f"the reports are of different {what} ({listed})")


def write(out: Path, text: str) -> None:
    problem = check_writable(out)
    if problem:
        raise MergeError(f"cannot write {out}: {problem}")
    atomic_write_text(out, text)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
