"""``python bench/run.py --profile SUITE``: where minitest spends its time on one generated suite.

Prints, for minitest run on SUITE (after a warm-up run, so caches are warm):
1. the top 30 functions by cumulative and by own time (cProfile, in a subprocess);
2. minitest's own per-plugin / per-hook timing (``--plugin-profile``);
3. the import-time picture (``python -X importtime``): ``import minitest.cli`` alone, and everything
   imported during a real run of SUITE, for minitest and for pytest - totals, the heaviest imports
   by cumulative time, and own import time summed per top-level package.

(Not named ``profile.py``: that would shadow the stdlib module cProfile imports.)
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import run

TOP = 30


def short(path: str) -> str:
    """Shorten a source path for the tables."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    m = re.search(r"/lib/python3\.\d+/(.*)", path)
    if m:
        return "stdlib/" + m.group(1)
    repo = str(run.REPO) + "/"
    if path.startswith(repo):
        return path[len(repo):]
    return path if len(path) < 60 else "…" + path[-57:]


def print_pstats(prof: Path, sort: str, title: str) -> None:
    stats = pstats.Stats(str(prof))
    entries = []
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{short(filename)}:{line}({func})" if filename != "~" else func
        entries.append((nc, cc, tt, ct, where))
    key = 3 if sort == "cumulative" else 2
    entries.sort(key=lambda e: e[key], reverse=True)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"\n--- {title} (total {total:.2f}s under cProfile) ---")
    print(f"{'ncalls':>12} {'tottime':>8} {'cumtime':>8} {'%tot':>5}  function")
    for nc, cc, tt, ct, where in entries[:TOP]:
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        share = (ct if sort == "cumulative" else tt) / total * 100 if total else 0.0
        print(f"{calls:>12} {tt:8.3f} {ct:8.3f} {share:5.1f}  {where}")


IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s+)(\S+)")


def parse_importtime(stderr: str) -> list[tuple[int, int, int, str, str]]:
    """[(self_us, cumulative_us, depth, module, root)] from ``-X importtime`` output.

    ``root`` is the top-level import the module was pulled in by (the output is post-order: a
    module is listed before the module that imported it).
    """
    rows = []
    for line in stderr.splitlines():
        m = IMPORT_LINE.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), (len(m.group(3)) - 1) // 2, m.group(4)))
    out: list[tuple[int, int, int, str, str]] = []
    root = ""
    for s, cum, depth, mod in reversed(rows):
        if depth == 0:
            root = mod
        out.append((s, cum, depth, mod, root))
    out.reverse()
    return out


def summarize_imports(title: str, stderr: str, top: int = 20) -> None:
    rows = parse_importtime(stderr)
    site = sum(cum for _s, cum, depth, m, _r in rows if depth == 0 and m == "site")
    rows = [r for r in rows if r[4] != "site"]
    total = sum(cum for _s, cum, depth, _m, _r in rows if depth == 0)
    print(f"\n--- {title}: {len(rows)} modules, {total / 1000:.1f} ms "
          f"(not counting {site / 1000:.1f} ms of the interpreter's `site`) ---")
    if not rows:
        return
    print(f"{'cumul ms':>9} {'self ms':>8}  module  [pulled in by the top-level import]")
    for s, cum, depth, mod, root in sorted(rows, key=lambda r: r[1], reverse=True)[:top]:
        print(f"{cum / 1000:9.1f} {s / 1000:8.1f}  {mod}" + (f"  [{root}]" if depth else ""))
    per_pkg: dict[str, int] = defaultdict(int)
    for s, _cum, _d, mod, _r in rows:
        per_pkg[mod.split(".")[0]] += s
    ranked = sorted(per_pkg.items(), key=lambda kv: kv[1], reverse=True)[:12]
    print("own import time per top-level package: " + ", ".join(f"{p} {us / 1000:.1f}ms" for p, us in ranked))


PLUGIN_IMPORTS = """
import importlib, sys, time
t = time.perf_counter()
import minitest.cli
from minitest.pluginmanager import BUILTIN_PLUGINS
print("kernel", (time.perf_counter() - t) * 1000, len(sys.modules))
for short, modname in BUILTIN_PLUGINS.items():
    before = len(sys.modules)
    t = time.perf_counter()
    try:
        importlib.import_module(modname)
    except ModuleNotFoundError:
        print(short, -1, 0)
        continue
    print(short, (time.perf_counter() - t) * 1000, len(sys.modules) - before)
"""


def plugin_import_costs(env: dict[str, str], cwd: Path, repeat: int = 5) -> None:
    """Import cost of the kernel and of each builtin plugin, in registration order (median of REPEAT).

    ``-X importtime`` misses modules loaded with importlib.import_module (the builtins are), so
    this measures them directly; each plugin's figure includes what it newly imports.
    """
    runs: dict[str, list[float]] = defaultdict(list)
    new: dict[str, int] = {}
    for _ in range(repeat):
        out = subprocess.run([run.PY, "-c", PLUGIN_IMPORTS], cwd=cwd, env=env, capture_output=True, text=True,
                             check=False).stdout
        for line in out.splitlines():
            name, ms, count = line.split()
            runs[name].append(float(ms))
            new[name] = int(count)
    meds = {k: sorted(v)[len(v) // 2] for k, v in runs.items()}
    total = sum(v for v in meds.values() if v > 0)
    print(f"\n--- import cost of the kernel and each builtin plugin (median of {repeat}, {total:.1f} ms in all) ---")
    for name, ms in sorted(meds.items(), key=lambda kv: kv[1], reverse=True):
        if ms < 0:
            print(f"{'-':>9}  {name} (not present)")
        else:
            print(f"{ms:9.1f}  {name} (+{new[name]} modules)")


MEMORY_PLUGIN = """
import os
import tracemalloc


def minitest_sessionfinish(session, exitstatus):
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    with open(os.environ["BENCH_MEMORY_OUT"], "w", encoding="utf-8") as out:
        out.write(f"{total / 2**20:.1f} MiB traced at session finish\\n")
        for stat in stats[:15]:
            frame = stat.traceback[0]
            out.write(f"{stat.size / 2**20:8.2f} MiB {stat.count:8d} blocks  {frame.filename}:{frame.lineno}\\n")
"""


def memory_top(env: dict[str, str], cwd: Path, extra: list[str], root: Path) -> None:
    """What is still allocated when the session finishes (tracemalloc, 1 frame): the max-RSS suspects."""
    plugdir = root / "memplugin"
    plugdir.mkdir(exist_ok=True)
    (plugdir / "bench_memory_plugin.py").write_text(MEMORY_PLUGIN, encoding="utf-8")
    out = root / "memory.txt"
    menv = {**env, "PYTHONTRACEMALLOC": "1", "BENCH_MEMORY_OUT": str(out),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(plugdir), env.get("PYTHONPATH", "")]))}
    sample = run.run_once(run.RUNNERS["minitest"] + ["-p", "bench_memory_plugin", *extra, "."], cwd, menv, 900.0)
    print(f"\n--- memory still allocated at minitest_sessionfinish (tracemalloc; max RSS of that run "
          f"{sample.maxrss_kb / 1024:.1f} MB) ---")
    if not out.exists():
        print(f"(no snapshot written; rc={sample.rc}: {sample.last_line or sample.output[-300:]})")
        return
    for line in out.read_text(encoding="utf-8").splitlines():
        print(line.replace(str(run.REPO) + "/", "").replace(sys.prefix, "<prefix>"))


def main(name: str, keep: bool = False, autoload: bool = False) -> int:
    benches = {b.name: b for b in run.make_benches() if not b.name.endswith("-n 2") and not b.cold}
    if name not in benches:
        raise SystemExit(f"unknown suite {name!r}; choose from: {', '.join(benches)}")
    bench = benches[name]
    suite = bench.suite
    root = Path(tempfile.mkdtemp(prefix="minitest-profile-"))
    args = argparse.Namespace(spelling="auto", autoload=autoload, timeout=900.0)
    h = run.Harness(args, root)
    extra = bench.extra.get("minitest", [])
    try:
        h.generate([bench])
        h.warm_up([bench])
        spelling = bench.spelling or h.spelling[suite]
        cwd = h.dirs[suite][spelling]
        env = h.env
        plain = run.run_once(run.RUNNERS["minitest"] + extra + ["."], cwd, env, args.timeout)
        ref = run.run_once(run.RUNNERS["pytest"] + bench.extra.get("pytest", []) + ["."],
                           h.dirs[suite]["pytest"], env, args.timeout)
        print(f"suite {suite}: minitest ran the {spelling}-spelled copy in {cwd}")
        print(f"  minitest (no profiler): {plain.wall:.2f}s wall, {plain.cpu:.2f}s cpu, "
              f"{plain.maxrss_kb / 1024:.1f} MB  [{plain.last_line}]")
        print(f"  pytest   (no profiler): {ref.wall:.2f}s wall, {ref.cpu:.2f}s cpu, "
              f"{ref.maxrss_kb / 1024:.1f} MB  [{ref.last_line}]")

        prof = root / "minitest.prof"
        cmd = [run.PY, "-m", "cProfile", "-o", str(prof), "-m", "minitest", "-q", "-p", "no:cache", *extra, "."]
        subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        print_pstats(prof, "cumulative", f"minitest on {suite}: top {TOP} by cumulative time")
        print_pstats(prof, "tottime", f"minitest on {suite}: top {TOP} by own time")

        out = subprocess.run(run.RUNNERS["minitest"][:3] + ["-p", "no:cache", "--plugin-profile", *extra, "."],
                             cwd=cwd, env=env, capture_output=True, text=True, check=False).stdout.splitlines()
        start = next((i for i, ln in enumerate(out) if re.match(r"^(plugin|hook)\s", ln)), None)
        print(f"\n--- minitest --plugin-profile on {suite} ---")
        if start is None:
            print("(no --plugin-profile table in the output)")
        else:
            body = [ln for ln in out[start:] if not ln.startswith("=")]
            print("\n".join(body[:60]) + ("\n…" if len(body) > 60 else ""))

        def importtime(cmd: list[str], where: Path) -> str:
            return subprocess.run([run.PY, "-X", "importtime", *cmd], cwd=where, env=env, capture_output=True,
                                  text=True, check=False).stderr

        summarize_imports("python -X importtime -c 'import minitest.cli'",
                          importtime(["-c", "import minitest.cli"], cwd))
        # -s: with capture on, the importtime lines written while test modules are imported are swallowed
        summarize_imports(f"imports during `minitest -q -s` on {suite}",
                          importtime(["-m", "minitest", "-q", "-s", "-p", "no:cache", *extra, "."], cwd))
        summarize_imports(f"imports during `pytest -q -s` on {suite} (for comparison)",
                          importtime(["-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                                      *bench.extra.get("pytest", []), "."], h.dirs[suite]["pytest"]), top=10)
        plugin_import_costs(env, cwd)
        memory_top(env, cwd, extra, root)
    finally:
        if keep:
            print(f"\nkept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "trivial10k"))
