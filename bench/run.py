"""Benchmark minitest against pytest on generated suites, side by side in one run.

    python bench/run.py [--rounds N] [--quick] [--only NAME[,NAME]] [--write-results] [--keep]
    python bench/run.py --profile SUITE          # cProfile + import-time summary of minitest

Each suite (see bench/suites.py) is generated into a temp dir. After one warm-up run of every
runner (which also warms the pyc / rewritten-assert caches), each round runs minitest and pytest
on every benchmark back to back, alternating which goes first, each in its own subprocess with
``-q`` and the cache plugin disabled (``-p no:cache`` / ``-p no:cacheprovider``). Wall time is
taken around the child, max RSS from ``os.wait4`` on the child's pid. Outcome counts parsed
from the final line must agree between the runners, or the row is flagged.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import suites  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable

RUNNERS = {
    "minitest": [PY, "-m", "minitest", "-q", "-p", "no:cache"],
    "pytest": [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
}


# --------------------------------------------------------------------------- measuring one run
@dataclass
class Sample:
    wall: float
    cpu: float  # user + system seconds of the child and the children it waited for
    maxrss_kb: int
    rc: int
    counts: dict[str, int]
    last_line: str
    output: str = field(repr=False, default="")


SUMMARY_WORDS = re.compile(
    r"(\d+) (failed|passed|skipped|deselected|xfailed|xpassed|errors?|warnings?|tests? collected|collected)"
)


def parse_counts(output: str) -> tuple[dict[str, int], str]:
    """The outcome counts of the final summary line (``3 failed, 10 passed in 0.12s``)."""
    for line in reversed(output.splitlines()):
        text = line.strip().strip("=").strip()
        if re.search(r"\bin [\d.]+s\b", text) and (SUMMARY_WORDS.search(text) or "no tests ran" in text):
            counts: dict[str, int] = {}
            for num, word in SUMMARY_WORDS.findall(text):
                word = {"errors": "error", "warnings": "warning", "tests collected": "collected",
                        "test collected": "collected"}.get(word, word)
                counts[word] = counts.get(word, 0) + int(num)
            return counts, text
    return {}, ""


def comparable(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k != "warning" and v}


def run_once(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Sample:
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen from waiting
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    counts, last = parse_counts(text)
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, cpu, usage.ru_maxrss, proc.returncode, counts, last, text)


def clear_pycache(root: Path) -> None:
    for path in list(root.rglob("__pycache__")):
        shutil.rmtree(path, ignore_errors=True)


def bench_env(autoload: bool) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTEST_ADDOPTS", "MINITEST_ADDOPTS", "PYTEST_PLUGINS",
                 "MINITEST_PLUGINS", "PYTHONPYCACHEPREFIX", "FORCE_COLOR", "PY_COLORS"):
        env.pop(name, None)
    env["COLUMNS"] = "80"
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        env["MINITEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


# --------------------------------------------------------------------------- what is measured
@dataclass
class Bench:
    name: str
    suite: str
    target: float | None  # minitest/pytest wall-time ratio to meet; None: informational
    extra: dict[str, list[str]] = field(default_factory=dict)  # runner -> extra args
    cold: bool = False  # clear __pycache__ (compiled + rewritten-assert caches) before every run
    # baselines timed in the same rounds: "floor" (plain script importing the test modules and calling
    # the tests) and "python" (a bare ``python -c pass``), each with its minitest/baseline target or None
    baselines: dict[str, float | None] = field(default_factory=dict)
    rss_target: float | None = None
    spelling: str | None = None  # force the copy minitest runs ("pytest" / "minitest")
    note: str = ""
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    skipped: str = ""


def make_benches() -> list[Bench]:
    return [
        Bench("trivial10k", "trivial10k", 0.33, baselines={"floor": 2.0}, rss_target=0.6),
        Bench("startup", "startup", 0.5, baselines={"floor": None, "python": None}),
        Bench(
            "startup-native",
            "startup",
            None,
            spelling="minitest",
            note="the same one test spelled `import minitest`: minitest's start-up without importing pytest",
        ),
        Bench("collect", "collect", 0.4, extra={"minitest": ["--collect-only"], "pytest": ["--collect-only"]}),
        Bench("fixtures", "fixtures", 0.5),
        Bench("parametrized", "parametrized", 0.5),
        Bench("unittest", "unittest", None, note="no target in the issue"),
        Bench("failing", "failing", 0.7),
        Bench("failing-cold", "failing", None, cold=True,
              note="failing suite with __pycache__ removed before each run (assertion cache cold)"),
        Bench("fixtures -n 2", "fixtures", 0.7,
              extra={"minitest": ["-n", "2"], "pytest": ["-p", "xdist.plugin", "-n", "2"]}),
    ]


ALIASES = {"n2": "fixtures -n 2", "xdist": "fixtures -n 2", "-n2": "fixtures -n 2", "cold": "failing-cold"}


class Harness:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args = args
        self.root = root
        self.env = bench_env(args.autoload)
        self.dirs: dict[str, dict[str, Path]] = {}
        self.spelling: dict[str, str] = {}
        self.spelling_note: dict[str, str] = {}
        self.floor_script: Path | None = None
        self.notes: list[str] = []

    def log(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def run(self, runner: str, bench: Bench, *, spelling: str | None = None) -> Sample:
        if spelling is None:
            spelling = "pytest" if runner == "pytest" else (bench.spelling or self.spelling[bench.suite])
        cwd = self.dirs[bench.suite][spelling]
        if runner == "floor":
            assert self.floor_script is not None
            cmd = [PY, str(self.floor_script), "."]
        elif runner == "python":
            cmd = [PY, "-c", "pass"]
        else:
            cmd = RUNNERS[runner] + bench.extra.get(runner, []) + ["."]
        if bench.cold:
            clear_pycache(cwd)
        return run_once(cmd, cwd, self.env, self.args.timeout)

    # ---------------------------------------------------------------- preparation
    def generate(self, benches: list[Bench]) -> None:
        for name in dict.fromkeys(b.suite for b in benches):
            self.dirs[name] = suites.write_suite(self.root, name)
        if any("floor" in b.baselines for b in benches):
            self.floor_script = suites.write_floor(self.root)

    def choose_spelling(self, bench: Bench, reference: Sample) -> None:
        """Run minitest on the pytest-spelled files if that gives pytest's counts, else the respelled copy."""
        suite = bench.suite
        want = comparable(reference.counts)
        forced = self.args.spelling
        if forced != "auto":
            self.spelling[suite] = forced
            self.spelling_note[suite] = f"{forced} (forced)"
            return
        tried: dict[str, dict[str, int]] = {}
        for spelling in ("pytest", "minitest"):
            sample = self.run("minitest", bench, spelling=spelling)
            tried[spelling] = comparable(sample.counts)
            if tried[spelling] == want and sample.rc == reference.rc:
                self.spelling[suite] = spelling
                self.spelling_note[suite] = spelling
                return

        def score(counts: dict[str, int]) -> int:
            return sum(min(counts.get(k, 0), v) for k, v in want.items())

        best = max(("pytest", "minitest"), key=lambda s: score(tried[s]))
        self.spelling[suite] = best
        self.spelling_note[suite] = best
        self.notes.append(
            f"{suite}: at warm-up neither copy gave pytest's counts ({describe(want)}): minitest on the "
            f"pytest-spelled copy gave {describe(tried['pytest'])}, on the minitest-spelled copy "
            f"{describe(tried['minitest'])}; kept the `{best}` copy (the timed runs are checked in the table)"
        )

    def probe_dist(self, bench: Bench) -> str:
        """'' when both runners accept -n, else the reason to skip."""
        if importlib.util.find_spec("xdist") is None:
            return "pytest-xdist is not installed"
        if "startup" not in self.dirs:
            self.dirs["startup"] = suites.write_suite(self.root, "startup")
        sample = run_once(RUNNERS["minitest"] + ["-n", "2", "."], self.dirs["startup"]["minitest"],
                          self.env, self.args.timeout)
        if sample.rc == 4 or "unrecognized arguments" in sample.output or "error: " in sample.output:
            first = next((ln for ln in sample.output.splitlines() if "error" in ln.lower()), sample.last_line)
            return f"minitest does not accept -n yet (rc={sample.rc}: {first.strip()[:80]})"
        return ""

    def warm_up(self, benches: list[Bench]) -> None:
        for bench in benches:
            if bench.extra.get("minitest", [None])[0] == "-n":
                bench.skipped = self.probe_dist(bench)
                if bench.skipped:
                    self.log(f"  skip {bench.name}: {bench.skipped}")
                    continue
            self.log(f"  warm-up {bench.name}")
            reference = self.run("pytest", bench)
            if bench.suite not in self.spelling:
                self.choose_spelling(bench, reference)
            self.run("minitest", bench)
            for baseline in bench.baselines:
                self.run(baseline, bench)

    # ---------------------------------------------------------------- rounds
    def measure(self, benches: list[Bench], rounds: int) -> None:
        active = [b for b in benches if not b.skipped]
        for r in range(rounds):
            for i, bench in enumerate(active):
                order = ["minitest", "pytest"] if (r + i) % 2 == 0 else ["pytest", "minitest"]
                order += list(bench.baselines)
                for runner in order:
                    sample = self.run(runner, bench)
                    bench.samples.setdefault(runner, []).append(sample)
                    self.log(f"  round {r + 1}/{rounds} {bench.name:<14} {runner:<9} {sample.wall:7.2f}s "
                             f"cpu {sample.cpu:6.2f}s {sample.maxrss_kb / 1024:6.1f} MB  rc={sample.rc}  {sample.last_line}")


# --------------------------------------------------------------------------- the table
@dataclass
class Row:
    bench: str
    files: str
    mt: str
    pt: str
    ratio: str
    cpu: str
    target: str
    met: str
    outcomes: str

    def cells(self) -> list[str]:
        return [self.bench, self.files, self.mt, self.pt, self.ratio, self.cpu, self.target, self.met,
                self.outcomes]


HEADERS = ["suite", "files", "minitest", "pytest", "ratio", "cpu ratio", "target", "met", "outcomes"]
BASELINE_LABEL = {"floor": "floor", "python": "python -c pass"}


def med(samples: list[Sample], what: str = "wall") -> float:
    return statistics.median(getattr(s, what) for s in samples)


def describe(counts: dict[str, int], sample: Sample | None = None) -> str:
    text = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    if text or sample is None:
        return text or "no summary line"
    tail = next((ln.strip() for ln in reversed(sample.output.splitlines()) if ln.strip()), "no output")
    return f"no summary line, last: {tail[:70]!r}"


def outcome_check(bench: Bench, against: str = "minitest") -> tuple[bool, str]:
    """Do AGAINST's outcome counts (every sample) equal pytest's? Returns (ok, text for the table)."""
    ref = bench.samples["pytest"]
    want = comparable(ref[0].counts)
    stable = all(comparable(s.counts) == want for s in ref)
    if against == "floor":
        got = {"passed": bench.samples["floor"][0].counts.get("passed", 0)}
        ok = all(s.counts.get("passed", 0) == want.get("passed", 0) for s in bench.samples["floor"])
        return ok, ("ok" if ok else f"MISMATCH floor: {describe(got)} / pytest: {describe(want)}")
    mine = bench.samples[against]
    ok = (stable and bool(want) and all(comparable(s.counts) == want for s in mine)
          and {s.rc for s in mine} == {s.rc for s in ref})
    if ok:
        return True, f"ok: {describe(want)}"
    wrong = [s for s in mine if comparable(s.counts) != want or s.rc != ref[0].rc] or mine
    bad = wrong[0]
    return False, (f"MISMATCH in {len(wrong)}/{len(mine)} runs, minitest: {describe(comparable(bad.counts), bad)} "
                   f"rc={bad.rc} / pytest: {describe(want)} rc={ref[0].rc}")


def verdict(ratio: float, target: float | None, outcomes_ok: bool) -> str:
    if target is None:
        return "—" if outcomes_ok else "outcomes differ"
    if not outcomes_ok:
        return "NO (outcomes differ)"
    return "met" if ratio <= target else "not met"


def fmt_target(target: float | None) -> str:
    return f"≤ {target}" if target is not None else "—"


def build_rows(h: Harness, benches: list[Bench]) -> list[Row]:
    rows: list[Row] = []
    for b in benches:
        files = f"{b.spelling} (forced)" if b.spelling else h.spelling_note.get(b.suite, "")
        if b.skipped or not b.samples:
            rows.append(Row(b.name, files, "—", "—", "—", "—", fmt_target(b.target), "skipped",
                            b.skipped or "not run"))
            continue
        mts, pts = b.samples["minitest"], b.samples["pytest"]
        mt, pt = med(mts), med(pts)
        cpu = f"{med(mts, 'cpu') / med(pts, 'cpu'):.2f}"
        ok, outcome = outcome_check(b)
        rows.append(Row(b.name, files, f"{mt:.2f}s", f"{pt:.2f}s", f"{mt / pt:.2f}", cpu, fmt_target(b.target),
                        verdict(mt / pt, b.target, ok), outcome))
        if b.cold:
            warm = next((x for x in benches if x.suite == b.suite and not x.cold and x.samples), None)
            if warm is not None:
                rows.append(Row(f"{b.suite}: warm/cold", files, f"{med(warm.samples['minitest']) / mt:.2f}",
                                f"{med(warm.samples['pytest']) / pt:.2f}", "—", "—", "—", "—",
                                "each runner's warm-cache median / its cold-cache median"))
        for baseline, target in b.baselines.items():
            base = b.samples.get(baseline)
            if not base:
                continue
            bl = med(base)
            if baseline == "floor":
                bok, bout = outcome_check(b, "floor")
                bout = f"ok: floor {describe(comparable(base[0].counts))}" if bok else bout
            else:
                bok, bout = True, "interpreter start-up alone"
            rows.append(Row(f"{b.name} vs {BASELINE_LABEL[baseline]}", files, f"{mt:.2f}s",
                            f"{BASELINE_LABEL[baseline]} {bl:.2f}s", f"{mt / bl:.2f}",
                            f"{med(mts, 'cpu') / med(base, 'cpu'):.2f}", fmt_target(target),
                            verdict(mt / bl, target, bok and ok), bout))
        if b.rss_target is not None:
            mr, pr = med(mts, "maxrss_kb") / 1024, med(pts, "maxrss_kb") / 1024
            rows.append(Row(f"{b.name} max RSS", files, f"{mr:.1f} MB", f"{pr:.1f} MB", f"{mr / pr:.2f}", "—",
                            fmt_target(b.rss_target), verdict(mr / pr, b.rss_target, ok), outcome))
    return rows


def text_table(rows: list[Row]) -> str:
    cells = [HEADERS] + [r.cells() for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS) - 1)]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(c[i].ljust(widths[i]) for i in range(len(widths))) + "  " + c[-1])
        if n == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 8)
    return "\n".join(lines)


def md_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r.cells()) + " |")
    return "\n".join(lines)


def version_of(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=False).stdout.strip()
        commit = commit + (" + uncommitted changes" if dirty else "")
    except OSError:
        commit = "unknown"
    try:
        load = " ".join(open("/proc/loadavg", encoding="utf-8").read().split()[:3])
    except OSError:
        load = "unknown"
    return {
        "nproc": str(os.cpu_count()), "cpu": cpu, "python": platform.python_version(),
        "pytest": version_of("pytest"), "pytest-xdist": version_of("pytest-xdist"),
        "minitest": version_of("minitest") + f" (git {commit})", "load": load,
    }


def write_results(path: Path, h: Harness, benches: list[Bench], rows: list[Row], rounds: int,
                  elapsed: float, load_before: str) -> None:
    m = machine()
    out = [
        "# minitest vs pytest — benchmark results", "",
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}; load average before/after: "
        f"{load_before} / {m['load']}",
        f"- Python {m['python']}, pytest {m['pytest']}, pytest-xdist {m['pytest-xdist']}, minitest {m['minitest']}",
        f"- command: `python bench/run.py {' '.join(sys.argv[1:])}` — {rounds} rounds after a warm-up run, "
        f"medians, runners alternating; took {elapsed / 60:.1f} min",
        "- both runners: `-q`, cache plugin off (`-p no:cache` / `-p no:cacheprovider`), plugin autoload "
        + ("on" if h.args.autoload else "off (`*_DISABLE_PLUGIN_AUTOLOAD=1`; xdist loaded with `-p xdist.plugin`)"),
        "- `files`: which copy of the generated files minitest ran (`pytest`: the very files pytest ran, "
        "`import pytest`; `minitest`: the same files with `pytest` respelled `minitest`). Under minitest "
        "`import pytest` is served by its `pytest_shim` builtin, so the real pytest is not imported; the "
        "floor script imports the real pytest",
        "", md_table(rows), "",
    ]
    if h.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in h.notes] + [""]
    out += ["## Max RSS per suite (median, MB)", "", "| suite | minitest | pytest | ratio |", "|---|---|---|---|"]
    for b in benches:
        if b.samples:
            mr, pr = med(b.samples["minitest"], "maxrss_kb") / 1024, med(b.samples["pytest"], "maxrss_kb") / 1024
            out.append(f"| {b.name} | {mr:.1f} | {pr:.1f} | {mr / pr:.2f} |")
    out += ["", "## All samples (wall seconds / cpu seconds)", ""]
    for b in benches:
        for runner, samples in b.samples.items():
            out.append(f"- {b.name} / {runner}: " + ", ".join(f"{s.wall:.2f}/{s.cpu:.2f}" for s in samples))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main
def select(benches: list[Bench], only: str | None) -> list[Bench]:
    if not only:
        return benches
    wanted = {ALIASES.get(n.strip(), n.strip()) for n in only.split(",") if n.strip()}
    chosen = [b for b in benches if b.name in wanted or b.suite in wanted]
    unknown = wanted - {b.name for b in chosen} - {b.suite for b in chosen}
    if unknown:
        names = ", ".join(b.name for b in benches)
        raise SystemExit(f"unknown benchmark(s) {', '.join(sorted(unknown))}; choose from: {names}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=None, help="timed rounds per runner (default 5)")
    parser.add_argument("--quick", action="store_true", help="2 rounds")
    parser.add_argument("--only", metavar="NAME", help="comma-separated benchmark or suite names")
    parser.add_argument("--write-results", action="store_true", help="write the table to bench/RESULTS.md")
    parser.add_argument("--spelling", choices=("auto", "pytest", "minitest"), default="auto",
                        help="which copy minitest runs: auto picks the one whose outcomes match pytest's")
    parser.add_argument("--autoload", action="store_true",
                        help="let both runners load installed plugins (default: autoload disabled)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before one run is killed")
    parser.add_argument("--keep", action="store_true", help="keep the generated suites (path printed)")
    parser.add_argument("--profile", metavar="SUITE", help="profile minitest on SUITE instead of benchmarking")
    args = parser.parse_args(argv)

    if args.profile:
        import profiling

        return profiling.main(args.profile, keep=args.keep, autoload=args.autoload)

    rounds = args.rounds or (2 if args.quick else 5)
    benches = select(make_benches(), args.only)
    root = Path(tempfile.mkdtemp(prefix="minitest-bench-"))
    h = Harness(args, root)
    load_before = machine()["load"]
    started = time.perf_counter()
    try:
        h.log(f"generating suites in {root}")
        h.generate(benches)
        h.log("warm-up")
        h.warm_up(benches)
        h.measure(benches, rounds)
    finally:
        if args.keep:
            h.log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    elapsed = time.perf_counter() - started

    for suite, note in h.spelling_note.items():
        if note != "pytest":
            h.notes.append(f"{suite}: minitest ran the `{note}` copy of the files")
    for b in benches:
        if b.note:
            h.notes.append(f"{b.name}: {b.note}")
        if b.skipped:
            h.notes.append(f"{b.name}: skipped — {b.skipped}")
    rows = build_rows(h, benches)
    m = machine()
    print(f"\n{m['nproc']} CPUs, {m['cpu']}, Python {m['python']}, pytest {m['pytest']}; {rounds} rounds; "
          f"load average before/after {load_before} / {m['load']} (under load, compare the cpu ratio too)")
    print(text_table(rows))
    if h.notes:
        print()
        for n in h.notes:
            print(f"note: {n}")
    if args.write_results:
        write_results(HERE / "RESULTS.md", h, benches, rows, rounds, elapsed, load_before)
        print(f"\nwrote {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
