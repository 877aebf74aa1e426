"""What a forked ``-n 2`` run costs beyond a serial one, in instructions (valgrind's callgrind), so
the parallel path's overhead can be measured on a busy shared machine, where wall and CPU times of
a one-second run vary by more than the overhead itself.

    python bench/parallel_cost.py [--tests 400]

The suite is bench/suites.py's ``cpu400`` with a near-empty body per test (what is left is what
minitest does per test). Both runs stop the count at the same point, the end of collection (a
plugin forks a throw-away child there, and callgrind dumps the parent's count before each fork it
returns from), so the serial run splits into start-up + collection and the run phase, and the
``-n 2`` run into the same start-up + collection, the controller's work up to the first fork, its
work after it (replaying every report through its hooks, the summary), and each worker's own
work (counted from zero in the child). Instructions, not time: cache misses, page faults and the
system calls' kernel time are not in them.

Overhead per test = (everything the ``-n 2`` run does after collection - the serial run phase) /
tests. Needs valgrind (``apt-get install valgrind``); a run takes about a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import suites  # noqa: E402
from run import PY, bench_env  # noqa: E402

#: marks the end of collection with a fork, which callgrind's --dump-before sees in the parent
FORK_MARK = '''\
import os


def minitest_collection_finish(session):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
'''


def write_suite(root: Path, tests: int) -> Path:
    per_file = 20
    files = suites.cpu400(10)  # 10 squares: the test body is next to nothing
    suite = root / "suite"
    suite.mkdir()
    names = sorted(files)
    for index in range(max(tests // per_file, 1)):
        source = files[names[index % len(names)]]
        (suite / f"test_cost_{index:03d}.py").write_text(suites.respell(source), encoding="utf-8")
    (suite / "minitest.ini").write_text("[minitest]\n", encoding="utf-8")
    (root / "forkmark.py").write_text(FORK_MARK, encoding="utf-8")
    return suite


def summary(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    return 0


def measure(root: Path, suite: Path, label: str, extra: list[str]) -> tuple[list[int], list[int]]:
    """(the main process's parts in order, the children's counts) of one run under callgrind."""
    out = root / label
    out.mkdir()
    env = {**bench_env(autoload=False), "PYTHONPATH": str(root)}
    cmd = ["valgrind", "--tool=callgrind", "--zero-before=PyOS_AfterFork_Child",
           "--dump-before=PyOS_AfterFork_Parent", f"--callgrind-out-file={out}/cg.%p",
           PY, "-m", "minitest", "-q", "-p", "no:cache", "-p", "forkmark", *extra, "."]
    proc = subprocess.run(cmd, cwd=suite, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{label}: exit {proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    files = sorted(out.iterdir())
    pids = sorted({int(f.name.split(".")[1]) for f in files})
    main_pid = pids[0]
    # the main process: cg.PID.1, .2, ... are the dumps at each fork, cg.PID what came after the last
    parts = sorted((f for f in files if int(f.name.split(".")[1]) == main_pid),
                   key=lambda f: int(f.name.split(".")[2]) if f.name.count(".") == 2 else 10**6)
    children = [summary(f) for f in files if int(f.name.split(".")[1]) != main_pid]
    return [summary(f) for f in parts], [c for c in children if c > 1_000_000]  # the fork mark's own child: ~0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=400)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    root = Path(tempfile.mkdtemp(prefix="minitest-parcost-"))
    try:
        suite = write_suite(root, args.tests)
        tests = len(list(suite.glob("test_*.py"))) * 20
        for warm in ([], ["-n", "2"]):  # pycs and rewritten asserts
            subprocess.run([PY, "-m", "minitest", "-q", "-p", "no:cache", *warm, "."], cwd=suite,
                           env=bench_env(autoload=False), capture_output=True, check=False)
        serial, _ = measure(root, suite, "serial", [])
        parallel, workers = measure(root, suite, "n2", ["-n", "2"])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    m = 1e6
    startup, run_phase = serial[0], serial[1]
    n2_startup, to_fork, after = parallel[0], sum(parallel[1:-1]), parallel[-1]
    extra = to_fork + after + sum(workers) - run_phase
    print(f"{tests} tests, instructions (millions):")
    print(f"  serial: start-up + collection {startup / m:.1f}, run phase {run_phase / m:.1f}")
    print(f"  -n 2:   start-up + collection {n2_startup / m:.1f}, controller to the first fork {to_fork / m:.1f}, "
          f"controller after {after / m:.1f}, workers {' + '.join(f'{w / m:.1f}' for w in workers)}")
    print(f"  -n 2 after collection - serial run phase: {extra / m:.1f} ({extra / tests / 1000:.0f} thousand per test)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
