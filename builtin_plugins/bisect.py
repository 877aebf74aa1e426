"""Builtin plugin ``bisect``: ``--bisect NODEID`` finds the tests that make NODEID fail when they
run before it (an order-dependent failure: a test polluting shared state), as Ruby minitest's
seed + bisect does.

    minitest --bisect test_x.py::test_victim [the failing run's options and paths]

Each round runs a subset in a fresh process, with the failing run's options, in its order and
with its seed (a random run's order is replayed: ``--seed N``, else the last random run's):

    1. the collected order;                  NODEID not among it → usage error (exit 4)
    2. NODEID alone;                          fails → "not order-dependent" (exit 1)
    3. NODEID after every test before it;     passes → nothing to bisect (exit 4)
    4. halves of the suspects: the half that still fails NODEID is kept (the other half is tried
       only when the first passes, and only verified at the end): ~log2(suspects) rounds for one
       polluter; when NODEID fails only with tests of both halves, each half is narrowed with the
       other kept (Zeller's ddmin).

The result: the smallest set found, the rounds it took, and the one command that reproduces the
failure (exit 1). The rounds write nothing of the user's: the cache goes to a temporary
directory, a ``--junitxml`` report too.

A round is ``minitest ... --bisect-run SPEC``: SPEC (JSON) names the tests to run in order and
where to write which tests were collected and whether NODEID failed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from minitest import hookimpl
from minitest.atomicfile import atomic_write_text
from minitest.config import Config, Parser, UsageError
from minitest.exitcode import ExitCode
from minitest.nodes import Item, Session
from minitest.random_api import RANDOM_SEED
from minitest.reports import TestReport


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("random", "random test order")
    group.addoption("--bisect", dest="bisect", default=None, metavar="NODEID",
                    help="find the tests that make NODEID fail when they run before it (give the failing "
                         "run's options and paths; its seed for a random order, else the last one's)")
    group.addoption("--bisect-run", dest="bisect_run", default=None, help=argparse.SUPPRESS)


@hookimpl(tryfirst=True)
def minitest_configure(config: Config) -> None:
    spec = config.getoption("bisect_run", None)
    if spec:
        config.pluginmanager.register(BisectRound(config, Path(spec)), "bisect.round")
    elif config.getoption("bisect", None) and config.getoption("random_seed", None) is None and _random_order(config):
        # before the random plugin draws a new seed (and keeps it as the last one): a random run is
        # replayed with the seed of the last random run, the one that failed, unless --seed says otherwise
        config.option.random_seed = "last"


def _random_order(config: Config) -> bool:
    """Whether the options ask for a random order (the ``random`` builtin's option and ini key)."""
    if config.getoption("random_order", None):
        return True
    try:
        return bool(config.getini("random_order"))
    except ValueError:  # the random builtin is blocked: its ini key is unknown
        return False


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    target = config.getoption("bisect", None)
    if not target or config.getoption("bisect_run", None):
        return None
    config.do_configure()
    bisector = Bisector(config, str(target))
    try:
        return bisector.run()
    finally:
        bisector.close()


# ---------------------------------------------------------------------------------------------
# one round (the child process)
# ---------------------------------------------------------------------------------------------


class BisectRound:
    """In a round's process: runs only the tests SPEC names, in its order, and writes what happened."""

    def __init__(self, config: Config, spec_path: Path) -> None:
        self.config = config
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        self.run: list[str] | None = spec["run"]
        self.target: str = spec["target"]
        self.result_path = Path(spec["result"])
        self.collected: list[str] = []
        self.target_ran = False
        self.target_failed = False

    @hookimpl(trylast=True)  # after the random order and every other selection
    def minitest_collection_modifyitems(self, config: Config, items: list[Item]) -> None:
        self.collected = [item.nodeid for item in items]
        if self.run is None:
            return
        by_id = {item.nodeid: item for item in items}
        chosen = [by_id[nodeid] for nodeid in self.run if nodeid in by_id]
        wanted = set(self.run)
        left_out = [item for item in items if item.nodeid not in wanted]
        if left_out:
            config.hook.minitest_deselected(items=left_out)
        items[:] = chosen

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        if report.nodeid == self.target:
            self.target_ran = True
            self.target_failed = self.target_failed or report.failed

    def minitest_sessionfinish(self, session: Session) -> None:
        atomic_write_text(self.result_path, json.dumps({
            "collected": self.collected, "target_ran": self.target_ran, "target_failed": self.target_failed}))


# ---------------------------------------------------------------------------------------------
# the driver
# ---------------------------------------------------------------------------------------------


class BisectError(Exception):
    """A round could not run (its output says why)."""


class Bisector:
    """Runs the rounds and narrows the suspects."""

    def __init__(self, config: Config, target: str) -> None:
        self.config = config
        self.target = target
        self.seed = config.stash.get(RANDOM_SEED, None)
        self.workdir = Path(tempfile.mkdtemp(prefix="minitest-bisect-"))
        self.rounds = 0
        args = list(config.invocation_params.args)
        self.options = _without_option(args, "--bisect")
        self.paths = [str(a) for a in config.args] if hasattr(config, "args") else []

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def say(self, text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    # -- rounds ------------------------------------------------------------------------------------
    def _round(self, run: Sequence[str] | None) -> dict[str, Any]:
        spec = self.workdir / "spec.json"
        result = self.workdir / "result.json"
        result.unlink(missing_ok=True)
        spec.write_text(json.dumps({"run": list(run) if run is not None else None, "target": self.target,
                                    "result": str(result)}), encoding="utf-8")
        argv = [sys.executable, "-m", "minitest", *self.options, "-q", "-p", "no:randomly",
                "-o", f"cache_dir={self.workdir / 'cache'}", "--bisect-run", str(spec)]
        if self.seed is not None:
            argv += ["--seed", str(self.seed)]
        if run is None:
            argv.append("--collect-only")
        if self.config.getoption("xmlpath", None):
            argv.append(f"--junitxml={self.workdir / 'junit.xml'}")
        import subprocess  # not at start-up: 2.2 ms of CPU for every run (see watch.py's _spawn)

        proc = subprocess.run(argv, cwd=self.config.invocation_params.dir, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        if not result.exists():
            output = (proc.stdout + proc.stderr).strip().splitlines()
            raise BisectError("\n".join(output[-30:]) or f"exit code {proc.returncode}")
        data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return data

    def fails(self, suspects: Sequence[str], ordered: dict[str, int]) -> bool:
        """Whether the target fails when ``suspects`` run before it (in the run's order)."""
        self.rounds += 1
        run = sorted(suspects, key=ordered.__getitem__) + [self.target]
        data = self._round(run)
        if not data["target_ran"]:
            raise BisectError(f"{self.target} did not run")
        failed = bool(data["target_failed"])
        what = f"after {len(suspects)} test{'s' if len(suspects) != 1 else ''}" if suspects else "alone"
        self.say(f"round {self.rounds}: {what}: {'fails' if failed else 'passes'}")
        return failed

    # -- the search ----------------------------------------------------------------------------------
    def narrow(self, suspects: list[str], ordered: dict[str, int]) -> list[str]:
        """The smallest part of ``suspects`` (all of which make the target fail) that still does.

        Optimistic first: when the first half passes, the culprit is taken to be in the second
        without a round to check it (one round per halving for a single polluter); the one found is
        checked at the end. If that check passes, the failure needs several tests together: ddmin."""
        candidates, verified = suspects, True
        while len(candidates) > 1:
            half = len(candidates) // 2
            first, second = candidates[:half], candidates[half:]
            if self.fails(first, ordered):
                candidates, verified = first, True
            else:
                candidates, verified = second, False
        if verified or self.fails(candidates, ordered):
            return candidates
        return self.ddmin(suspects, [], ordered)

    def ddmin(self, suspects: list[str], kept: list[str], ordered: dict[str, int]) -> list[str]:
        """The smallest part of ``suspects`` that, with ``kept``, makes the target fail (known to
        fail with all of them), checking every step: a half that fails alone, or else each half
        narrowed with the other kept."""
        if len(suspects) <= 1:
            return suspects
        half = len(suspects) // 2
        first, second = suspects[:half], suspects[half:]
        if self.fails(first + kept, ordered):
            return self.ddmin(first, kept, ordered)
        if self.fails(second + kept, ordered):
            return self.ddmin(second, kept, ordered)
        part = self.ddmin(first, kept + second, ordered)
        return part + self.ddmin(second, kept + part, ordered)

    def run(self) -> int:
        try:
            return self._run()
        except BisectError as exc:
            raise UsageError(f"--bisect: a round could not run:\n{exc}") from None

    def _run(self) -> int:
        seed_note = f"seed {self.seed}" if self.seed is not None else "collection order"
        collected = list(self._round(None)["collected"])
        if self.target not in collected:
            raise UsageError(f"--bisect: {self.target} is not among the {len(collected)} tests collected with "
                             "these options (give the failing run's paths and options, and the node id as it "
                             "shows it)")
        ordered = {nodeid: i for i, nodeid in enumerate(collected)}
        before = collected[:ordered[self.target]]
        self.say(f"bisect: {self.target}, {len(before)} tests before it ({seed_note})")
        if self.fails([], ordered):
            self.say(f"not order-dependent: {self.target} fails when run alone ({self.rounds} round)")
            self.say(f"reproduce with: {self.command([])}")
            return ExitCode.TESTS_FAILED
        if not before or not self.fails(before, ordered):
            n = len(before)
            raise UsageError(f"--bisect: {self.target} passes after the {n} test{'s' if n != 1 else ''} before it "
                             f"({seed_note}): nothing to bisect (give the failing run's options and seed; "
                             "a test that fails only now and then is flaky: --count N shows it)")
        culprits = self.narrow(before, ordered)
        culprits.sort(key=ordered.__getitem__)
        noun = "test" if len(culprits) == 1 else "tests"
        self.say(f"{self.target} fails after {len(culprits)} {noun} of the {len(before)} before it "
                 f"(found in {self.rounds} rounds):")
        for nodeid in culprits:
            self.say(f"  {nodeid}")
        self.say(f"reproduce with: {self.command(culprits)}")
        return ExitCode.TESTS_FAILED

    def command(self, culprits: list[str]) -> str:
        """The one command that runs ``culprits`` then the target, in that order, with the seed."""
        import shlex

        options = [a for a in self.options if a not in self.paths]
        if self.seed is not None:
            options = _without_option(options, "--seed") + ["--seed", str(self.seed), "--no-shuffle"]
        return shlex.join(["minitest", *options, *culprits, self.target])


def _without_option(args: list[str], name: str) -> list[str]:
    """``args`` without ``name VALUE`` / ``name=VALUE``."""
    out: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg == name:
            skip = True
            continue
        if arg.startswith(name + "="):
            continue
        out.append(arg)
    return out
