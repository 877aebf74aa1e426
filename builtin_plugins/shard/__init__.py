"""Builtin plugin ``shard``: one part of a run split across CI machines, balanced by durations.

    --shard K/N            run part K of N: the selected tests split into N disjoint parts that
                           together are the whole; the rest is deselected
    --store-durations      write each test's duration (setup + call + teardown) to the durations
                           file, merged with what it holds (pytest-split's option)
    --durations-path PATH  the durations file (default ``.test_durations`` in the rootdir)

The durations file is pytest-split's format (``{"node id": seconds}``) so an existing one works,
and it is meant to be committed: every machine of a CI matrix must compute the same split from the
same checkout, so nothing comes from a machine's cache. How the split is made: :mod:`.split`.

With workers (``-n``), each worker collects and splits alike (the split depends only on the
selected node ids and the file), so workers agree; durations are recorded in the controller,
which sees every report. The module-level hooks only read options: the objects doing the work are
registered when their option is given, so a plain run pays nothing (and the saved collection
index keeps working, as the splitter's ``minitest_collection_modifyitems`` needs every test).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.shard_api import SHARD, ShardSpec

DEFAULT_DURATIONS_FILE = ".test_durations"
# (a pattern: ``re`` compiles it when --shard is given, not at every start-up: 0.2 ms)
_SHARD_SYNTAX = r"^\s*(\d+)\s*/\s*(\d+)\s*$"


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("shard", "splitting the run across machines")
    group.addoption("--shard", dest="shard", default=None, metavar="K/N",
                    help="run part K of N (1 <= K <= N) of the selected tests, split by the recorded "
                         "durations (--durations-path); every machine computes the same split")
    # pytest-split's options: they give way to that plugin when it is installed
    group.addoption("--store-durations", dest="minitest_store_durations", action="store_true", default=False,
                    gives_way=True,
                    help="record each test's duration in the durations file (merged with what it holds); "
                         "commit it so that --shard balances by it")
    group.addoption("--durations-path", dest="minitest_durations_path", default=None, metavar="PATH",
                    gives_way=True,
                    help=f"the durations file --shard and --store-durations use (default: {DEFAULT_DURATIONS_FILE} "
                         "in the rootdir)")


def parse_shard(value: object) -> ShardSpec:
    """``"2/3"`` → ``ShardSpec(2, 3)``; anything else is a usage error (exit code 4)."""
    match = re.match(_SHARD_SYNTAX, str(value))
    if not match:
        raise UsageError(f"--shard: expected K/N such as 2/3 (part K of N), got {value!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise UsageError(f"--shard {value}: K must be between 1 and N (N >= 1), got K={index}, N={count}")
    return ShardSpec(index, count)


def durations_path(config: Config) -> Path:
    value = config.getoption("minitest_durations_path", None)
    if not value:
        return config.rootpath / DEFAULT_DURATIONS_FILE
    path = Path(os.path.expandvars(os.path.expanduser(str(value))))
    return Path(os.path.normpath(config.invocation_params.dir / path))


@hookimpl(tryfirst=True)
def minitest_configure(config: Config) -> None:
    value = config.getoption("shard", None)
    if value is not None:
        spec = parse_shard(value)
        config.stash[SHARD] = spec  # for report writers (minitest.shard_api)
        from .splitter import Splitter

        config.pluginmanager.register(Splitter(config, spec, durations_path(config)), "shard-splitter")
    if config.getoption("minitest_store_durations", False) and not hasattr(config, "workerinput"):
        # workers' reports reach the controller, which writes the file once
        from .store import DurationsRecorder

        recorder = DurationsRecorder(durations_path(config))
        config.pluginmanager.register(recorder, "shard-durations")


def minitest_report_header(config: Config) -> list[str] | None:
    spec = config.stash.get(SHARD, None)
    if spec is None:
        return None
    path = durations_path(config)
    known = "recorded durations from " + _shown(config, path) if path.exists() else \
        f"a hash of the node ids (no {_shown(config, path)}: --store-durations writes it)"
    return [f"shard: {spec} (tests split by {known})"]


def _shown(config: Config, path: Path) -> str:
    try:
        return path.relative_to(config.rootpath).as_posix()
    except ValueError:
        return str(path)

