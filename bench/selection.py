"""Benchmark the collection index and --affected against full runs, on bench's 300-module suite.

    python bench/selection.py [--rounds N]

The suite is bench's ``collect`` suite (300 modules in 15 packages, ~3,000 tests), respelled for
minitest, with two tests made to fail and ten modules importing a shared source module
``src/shared.py``. Measured: median wall and CPU time (user + system of the child) of N rounds,
each run a fresh process, -q, bytecode caches warm (``PYTHONDONTWRITEBYTECODE`` is not passed on,
as in bench/run.py: with it, every run compiled minitest's modules and every test module, which is
what the first figures in RESULTS.md measured). The full collection and ``--lf`` alternate, so a
change in the machine's load hits both:

* ``full collection``: ``--collect-only --no-index`` (every module imported);
* ``--lf (index)``: ``--lf`` after a run recorded the index and the two failures; the target of
  issue 20 is at most 0.2x the full collection;
* ``--lf --no-index``: the same selection without the index: as pytest 9.2's ``--lf``, the failures'
  files are collected first and, once a failure is found, the other files are not collected
  (their directories are still walked and their conftest.py files loaded);
* ``node id``: one of the failing tests named on the command line (only its file is collected);
* ``full run``: every test;
* ``--affected``, one source module edited: the ten tests' modules run (and the two failures);
* ``--affected --no-index``: the same, every module imported.

``--floor`` adds what a ``--lf`` run cannot go below, each step a fresh process (alternating with a
full collection): the interpreter alone; plus what the two failing tests' modules import (the
standard library modules they import, then ``minitest``, which they import too: a run of these
tests in any process needs all of it); plus importing every builtin plugin module; plus
registering them (``get_plugin_manager()``); plus the rest of the bootstrap (``prepare_config``:
options, config file, conftest.py files).
"""

from __future__ import annotations

import argparse
import ast
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import suites  # noqa: E402

PY = sys.executable
REPO = Path(__file__).resolve().parent.parent


def write(root: Path) -> None:
    files = {rel: suites.respell(src) for rel, src in suites.collect().items()}
    files["minitest.ini"] = "[minitest]\npythonpath = src\n"
    files["src/shared.py"] = "def shared():\n    return 1\n"
    for n in range(0, 300, 30):  # ten modules use the shared source module
        rel = f"pkg_{n // 20:02d}/test_collect_{n:03d}.py"
        files[rel] += "\n\nfrom shared import shared\n\n\ndef test_shared():\n    assert shared() == 1\n"
    for n in (7, 250):  # two failing tests
        rel = f"pkg_{n // 20:02d}/test_collect_{n:03d}.py"
        files[rel] += "\n\ndef test_broken():\n    assert 1 == 2\n"
    for rel, src in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(src, encoding="utf-8")


FAILING = ("pkg_00/test_collect_007.py", "pkg_12/test_collect_250.py")


def run(root: Path, *args: str, python: tuple[str, ...] | None = None) -> tuple[float, float, str]:
    """(wall, cpu, last line of output) of one run (``python``: these interpreter arguments instead
    of ``-m minitest -q``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINITEST_", "PYTEST_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MINITEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONPATH"] = str(REPO)
    argv = [PY, *python] if python is not None else [PY, "-m", "minitest", "-q", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    last = next((line for line in reversed(proc.stdout.splitlines()) if line.strip()), "")
    return wall, cpu, last


Row = tuple[str, float, float, str]  # label, median wall, median cpu, last line
#: a run: label, minitest's arguments, or (label, (), interpreter arguments) for a floor step
Run = tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], tuple[str, ...]]


def medians(root: Path, rounds: int, runs: list[Run], before: object = None) -> list[Row]:
    """Each of ``runs`` ``rounds`` times, alternating."""
    samples: dict[str, list[tuple[float, float]]] = {spec[0]: [] for spec in runs}
    last: dict[str, str] = {}
    for _ in range(rounds):
        for label, args, *python in runs:
            if callable(before):
                before()
            wall, cpu, last[label] = run(root, *args, python=python[0] if python else None)
            samples[label].append((wall, cpu))
    return [(label, statistics.median(w for w, _ in samples[label]), statistics.median(c for _, c in samples[label]),
             last[label]) for label, *_ in runs]


def own_imports(root: Path) -> list[str]:
    """The modules the failing tests' files import at their top level (``minitest`` included)."""
    names: list[str] = []
    for rel in FAILING:
        for node in ast.parse((root / rel).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    return list(dict.fromkeys(names))


def floor_steps(root: Path) -> list[Run]:
    """The floor of a ``--lf`` run, step by step (see the module docstring)."""
    # the failing tests' modules import these; src/ is on their path through pythonpath = src
    theirs = [name for name in own_imports(root) if name != "minitest"]
    imports = f"import sys; sys.path.insert(0, 'src'); import {', '.join(theirs)}"
    kernel = f"{imports}; import minitest"
    builtins = ("import importlib; from minitest.pluginmanager import BUILTIN_PLUGINS; "
                "[importlib.import_module(m) for m in BUILTIN_PLUGINS.values()]")
    register = "from minitest.pluginmanager import get_plugin_manager; get_plugin_manager()"
    bootstrap = "from minitest.cli import prepare_config; prepare_config(['-q', '--lf'])"
    return [
        ("floor: python -c pass", (), ("-c", "pass")),
        ("floor: + the failing modules' other imports", (), ("-c", imports)),
        ("floor: + import minitest (they do too)", (), ("-c", kernel)),
        ("floor: + import every builtin", (), ("-c", f"{kernel}; {builtins}")),
        ("floor: + register them", (), ("-c", f"{kernel}; {register}")),
        ("floor: + the rest of the bootstrap", (), ("-c", f"{kernel}; {bootstrap}")),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--floor", action="store_true", help="also measure the floor of a --lf run, step by step")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="minitest-bench-selection-") as tmp:
        root = Path(tmp)
        write(root)
        run(root)  # warm the pyc caches, record the index and the failures
        rows: list[Row] = []

        def add(runs: list[Run], before: object = None) -> list[Row]:
            measured = medians(root, args.rounds, runs, before)
            for label, wall, cpu, last in measured:
                print(f"  {label:<34} {wall:6.3f}s  cpu {cpu:6.3f}s  {last}", file=sys.stderr, flush=True)
            rows.extend(measured)
            return measured

        full_collect, lf = add([("full collection (--co --no-index)", ("--co", "--no-index")), ("--lf (index)", ("--lf",))])
        add([("--lf --no-index", ("--lf", "--no-index"))])
        (node,) = add([("node id (1 test)", (f"{FAILING[0]}::test_broken",))])
        floor: list[Row] = []
        beside = full_collect
        if args.floor:
            beside, *floor = add([("full collection, beside the floor", ("--co", "--no-index")), *floor_steps(root),
                                  ("--lf (index), beside the floor", ("--lf",))])
        (full_run,) = add([("full run", ("-p", "no:cache"))])
        run(root, "--affected")  # record the dependencies
        shared = root / "src/shared.py"
        counter = [0]

        def edit() -> None:
            counter[0] += 1
            shared.write_text(f"def shared():\n    return 1  # edit {counter[0]}\n")

        (affected,) = add([("--affected (1 source module edited)", ("--affected",))], before=edit)
        add([("--affected --no-index (same edit)", ("--affected", "--no-index"))], before=edit)
        print()
        print(f"| run | wall (median of {args.rounds}) | cpu | outcome |")
        print("| --- | --- | --- | --- |")
        for label, wall, cpu, last in rows:
            print(f"| {label} | {wall:.3f}s | {cpu:.3f}s | {last} |")
        print()
        print(f"--lf / full collection: {lf[1] / full_collect[1]:.2f} wall, {lf[2] / full_collect[2]:.2f} cpu "
              "(target <= 0.20)")
        print(f"node id / full collection: {node[1] / full_collect[1]:.2f} wall, {node[2] / full_collect[2]:.2f} cpu")
        for label, wall, cpu, _ in floor:
            print(f"{label} / full collection: {wall / beside[1]:.2f} wall, {cpu / beside[2]:.2f} cpu")
        print(f"--affected / full run: {affected[1] / full_run[1]:.2f} wall, {affected[2] / full_run[2]:.2f} cpu")
        return 0 if lf[1] / full_collect[1] <= 0.2 else 1


if __name__ == "__main__":
    sys.exit(main())
