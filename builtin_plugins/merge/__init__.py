"""Builtin plugin ``merge``: ``minitest merge OUT IN1 IN2 ...`` joins the reports of the shards of
one run (``--shard K/N`` on several machines) into one report with the totals of a single run.

The inputs are JUnit XML files (``--junitxml``, :mod:`.junit`) or report-log event streams
(``--report-log``, :mod:`.reportlog`), told apart by their extension (``.xml``; ``.jsonl`` /
``.json``) or else by their first character. Everything is read and checked before anything is
written, and OUT is written atomically: a merge that fails leaves OUT as it was. Refused, with a
usage error (exit code 4) naming the files: inputs of different formats, suites (JUnit suite
names, ``junit_family``) or versions (of minitest or of the stream format), the same shard twice,
shards of different splits (``1/2`` with ``2/3``), a test present in two inputs, a cut-short file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError

from .common import MergeError, resolve


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    group.addoption("--merge", dest="merge_reports", action="store_true", default=False,
                    help="do not run tests: merge the shards' reports given as arguments into the first "
                         "('minitest merge OUT.xml IN1.xml IN2.xml ...'; JUnit XML or report-log JSONL)")


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    if not config.getoption("merge_reports", False):
        return None
    paths = [resolve(config, arg) for arg in config.args]
    if len(paths) < 2:
        raise UsageError("minitest merge: give the output file, then the reports to merge "
                         "(minitest merge OUT.xml IN1.xml IN2.xml ...)")
    out, inputs = paths[0], paths[1:]
    try:
        summary = merge(out, inputs)
    except MergeError as exc:
        raise UsageError(f"minitest merge: {exc}; nothing was written") from None
    sys.stdout.write(f"merged {len(inputs)} report{'s' if len(inputs) != 1 else ''} into {out}: {summary}\n")
    return 0


def merge(out: Path, inputs: list[Path]) -> str:
    """Merge ``inputs`` into ``out``; returns the totals as a short line."""
    from .common import detect_format

    kinds = {path: detect_format(path) for path in inputs}
    if len(set(kinds.values())) > 1:
        listed = ", ".join(f"{path.name} ({kind})" for path, kind in kinds.items())
        raise MergeError(f"the reports are not of one format: {listed}")
    kind = next(iter(kinds.values()))
    wanted = {".xml": "junit", ".jsonl": "reportlog", ".json": "reportlog"}.get(out.suffix.lower())
    if wanted is not None and wanted != kind:
        raise MergeError(f"{out.name}: a {wanted} file name for {kind} reports")
    if out.resolve() in {path.resolve() for path in inputs}:
        raise MergeError(f"{out} is also an input: give a new file as the first argument")
    if kind == "junit":
        from .junit import merge_junit

        return merge_junit(out, inputs)
    from .reportlog import merge_reportlog

    return merge_reportlog(out, inputs)
