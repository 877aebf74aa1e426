"""Issue 18's table: minitest serial, ``-n 2``, ``-n auto``, pytest and pytest-xdist ``-n 2`` on the
same generated suites, in one run.

    python bench/parallel.py [--rounds N] [--only SUITE[,SUITE]] [--write-results]

The real suite (arrow) needs the network the first time: bench/real_suites.py has the compatibility
corpus tool make its venv, reused afterwards.

Each round runs every runner once per suite, the runners' order rotating from round to round (the
machine is shared: a burst of load then falls on a different runner each time); the table gives
medians of wall and CPU time (user + system of the runner and the workers it waited for) and the
load average before and after. After a warm-up run of each runner (pycs, rewritten asserts, and
the durations ``-n`` records in the cache, which ``-n auto`` reads), the cache plugin stays on for
every runner: it is where ``-n`` finds what each test took.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import real_suites  # noqa: E402
import suites  # noqa: E402
from run import PY, Sample, bench_env, comparable, describe, machine, run_once  # noqa: E402

HERE = Path(__file__).resolve().parent
RUNNERS: dict[str, list[str]] = {
    "minitest": [PY, "-m", "minitest", "-q"],
    "minitest -n 2": [PY, "-m", "minitest", "-q", "-n", "2"],
    "minitest -n auto": [PY, "-m", "minitest", "-q", "-n", "auto"],
    "pytest": [PY, "-m", "pytest", "-q"],
    "pytest-xdist -n 2": [PY, "-m", "pytest", "-q", "-p", "xdist.plugin", "-n", "2"],
}
SUITES = {"trivial10k": "10,000 trivial tests", "cpu400": "400 CPU-bound tests (~2 ms each)",
          "cpu400-5ms": "400 CPU-bound tests (~5 ms each)",
          "fixtures": "2,000 tests with fixture chains", "startup": "1 test",
          **{name: real.title for name, real in real_suites.REAL_SUITES.items()}}


#: a pure-Python loop of ~1 s on the 2-core machine when it is quiet
_SPIN = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(10_000_000):\n    x += i\n" \
        "print(time.perf_counter() - t)\n"


def two_cores_check() -> str:
    """How long one pure-Python loop takes alone, and two at once: on a machine whose two CPUs
    are really free, the pair takes as long as one (1.0x). A shared host may give much less when
    both run (two at once were each 2.2-2.9x slower one night), and then no ``-n 2`` ratio of the
    table says anything about minitest: this line says whether it does."""
    def spin(count: int) -> list[float]:
        procs = [subprocess.Popen([PY, "-c", _SPIN], stdout=subprocess.PIPE, text=True) for _ in range(count)]
        return [float(proc.communicate()[0]) for proc in procs]

    alone = spin(1)[0]
    pair = spin(2)
    return f"one loop {alone:.2f} s alone, {max(pair):.2f} s with two at once ({max(pair) / alone:.2f}x; 1.00x: both CPUs free)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="comma-separated suites (default: all of " + ", ".join(SUITES) + ")")
    parser.add_argument("--write-results", action="store_true", help="write bench/PARALLEL.md")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(SUITES)
    env = bench_env(autoload=False)
    root = Path(tempfile.mkdtemp(prefix="minitest-parbench-"))
    load_before = machine()["load"]
    cores_before = two_cores_check()
    samples: dict[tuple[str, str], list[Sample]] = {}
    try:
        dirs = {name: suites.write_suite(root, name) for name in names if name not in real_suites.REAL_SUITES}
        # a real project's suite runs in its own venv (made by the compatibility corpus tool);
        # PYTHONHASHSEED fixed: arrow parametrizes from sets, and pytest-xdist's workers, each
        # collecting with its own hash seed, would disagree on the tests ("Different tests were
        # collected between gw1 and gw0", the whole run an error) where minitest's forked workers
        # share the controller's one collection
        real = {name: real_suites.prepare(name) for name in names if name in real_suites.REAL_SUITES}
        real_env = {**env, "PYTHONHASHSEED": "0"}

        def once(suite: str, runner: str) -> Sample:
            if suite in real:
                src, py = real[suite]
                cmd = [str(py), *RUNNERS[runner][1:], *real_suites.REAL_SUITES[suite].args]
                return run_once(cmd, src, real_env, 900.0)
            # each runner on its own copy (pytest's files for pytest, the respelled ones for
            # minitest), with its own cache directory
            cwd = dirs[suite]["pytest" if runner.startswith("pytest") else "minitest"]
            return run_once(RUNNERS[runner] + ["."], cwd, env, 900.0)

        for suite in names:
            for runner in RUNNERS:
                once(suite, runner)  # warm-up
        runners = list(RUNNERS)
        for r in range(args.rounds):
            for suite in names:
                order = runners[r % len(runners):] + runners[:r % len(runners)]
                for runner in order:
                    sample = once(suite, runner)
                    samples.setdefault((suite, runner), []).append(sample)
                    print(f"round {r + 1}/{args.rounds} {suite:<10} {runner:<18} {sample.wall:6.2f}s "
                          f"cpu {sample.cpu:6.2f}s rc={sample.rc} {sample.last_line}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    m = machine()
    lines = [
        "# Parallel runs (issue 18) — benchmark results", "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {m['nproc']} CPUs, {m['cpu']}; load average (1/5/15 min) before: {load_before}, "
        f"after: {m['load']} — shared machine: compare the CPU columns too",
        f"- two CPUs free? before: {cores_before}; after: {two_cores_check()}",
        f"- Python {m['python']}, pytest {m['pytest']}, pytest-xdist {m['pytest-xdist']}, minitest {m['minitest']}",
        f"- command: `python bench/parallel.py {' '.join(sys.argv[1:] if argv is None else argv)}`: "
        f"{args.rounds} rounds after a warm-up, runner order rotating, medians; `-q`, cache on, autoload off",
        "- cells: median wall / median CPU seconds (CPU: the runner and its workers); "
        "ratio: serial minitest wall / this wall (> 1: faster than serial minitest)", "",
        "| suite | " + " | ".join(RUNNERS) + " | outcomes |",
        "|---|" + "---|" * (len(RUNNERS) + 1),
    ]
    for suite in names:
        base = statistics.median(s.wall for s in samples[(suite, "minitest")])
        cells = []
        for runner in RUNNERS:
            got = samples[(suite, runner)]
            wall = statistics.median(s.wall for s in got)
            cpu = statistics.median(s.cpu for s in got)
            cells.append(f"{wall:.2f} / {cpu:.2f} ({base / wall:.2f}x)")
        counts = {runner: comparable(samples[(suite, runner)][0].counts) for runner in RUNNERS}
        same = all(comparable(s.counts) == counts["minitest"] for key, ss in samples.items() if key[0] == suite
                   for s in ss)
        outcome = ("same: " if same else "DIFFER: ") + describe(counts["minitest"])
        lines.append(f"| {SUITES[suite]} | " + " | ".join(cells) + f" | {outcome} |")
    lines += ["", "On a busy machine the wall times of a one-second suite vary by more than what the workers "
              "cost: `python bench/parallel_cost.py` counts the instructions a forked `-n 2` run adds to a "
              "serial one (valgrind), which load does not change.",
              "", "## All samples (wall / cpu seconds)", ""]
    for (suite, runner), got in samples.items():
        lines.append(f"- {suite} / {runner}: " + ", ".join(f"{s.wall:.2f}/{s.cpu:.2f}" for s in got))
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write_results:
        (HERE / "PARALLEL.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
