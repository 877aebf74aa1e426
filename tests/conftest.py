"""Shared helpers for minitest's black-box tests.

Every test builds a real folder in ``tmp_path`` and runs ``python -m minitest`` (or, to compare,
``python -m pytest``) on it in a subprocess, then looks at the exit code and the output lines.

* ``make_files(root, {"a/test_x.py": "...", ...})`` writes dedented files (parents created).
* ``run(*args, cwd=..., env=...)`` runs minitest and returns a :class:`RunResult`.
* ``run_pytest(*args, ...)`` runs pytest (no installed plugins, no cache) the same way.
* ``RunResult.fnmatch_lines(patterns)`` matches glob patterns against the output lines in order,
  like pytest's LineMatcher; ``outcomes()`` parses the final ``N failed, M passed in 0.01s`` line.
* ``verbose_nodeids(result)`` parses ``path::name PASSED [ NN%]`` lines of ``-v`` output.
"""

from __future__ import annotations

import fnmatch
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from builtin_plugins.minitester import RunResult as MinitesterRunResult

REPO_ROOT = Path(__file__).resolve().parents[1]

# environment variables that would change what a run does; removed for every run
_SCRUBBED_PREFIXES = ("PYTEST_", "MINITEST_")
# CI / BUILD_NUMBER too: on CI, pytest (and minitest) print whole short-summary messages; a run
# under test must not change its output with the machine it runs on (a test sets them to test that)
_SCRUBBED = {"NO_COLOR", "FORCE_COLOR", "PY_COLORS", "PYTHONPATH", "PYTHONSTARTUP", "COLUMNS", "LINES", "CI",
             "BUILD_NUMBER"}

# the final line: optional "=== ", the counts, " in 0.01s" (+ " (0:01:02)" on long runs), optional " ==="
_FINAL_LINE = re.compile(r"^(?:=+ )?(?P<body>.*?) in \d+(?:\.\d+)?s(?: \([0-9:]+\))?(?: =+)?$")
_VERBOSE_LINE = re.compile(
    r"^(?P<nodeid>\S+::\S+) (?P<word>PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS|FLAKY)\b")
# the nouns of the final line whose form depends on the count, as pytest words them: the
# singular for exactly one ("1 error", "1 test collected"), the plural otherwise ("0 errors", "2 errors")
_COUNTED_NOUNS = {"error": "errors", "warning": "warnings", "test": "tests"}
_COUNTED_NOUN = re.compile(r"(\d+) (" + "|".join(f"{s}|{p}" for s, p in _COUNTED_NOUNS.items()) + r")\b")

_RUNNER_PREFIX = """\
import sys
from pathlib import Path

PREFIX = "pytest" if Path(sys.argv[0]).parent.name == "pytest" else "minitest"
"""


def dual_conftest(body: str) -> str:
    """A conftest.py that runs under minitest and under pytest, so one folder can be run by both
    to compare: ``PREFIX`` is the hook prefix of the runner importing it ("pytest" when run by
    ``python -m pytest``); ``body`` (dedented) registers hooks as ``globals()[PREFIX + "_x"] = x``."""
    return _RUNNER_PREFIX + textwrap.dedent(body)


def installed_distribution(name: str, version: str, entry_points: str, folder: str = "site") -> dict[str, str]:
    """The files of an installed distribution (a ``*.dist-info`` directory in ``folder``, to be put
    on ``PYTHONPATH``), for ``make_files``: its metadata and its ``entry_points.txt``."""
    base = f"{folder}/{name}-{version}.dist-info"
    return {f"{base}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
            f"{base}/entry_points.txt": entry_points}


def make_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path → text, dedented) under ``root``; return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def check_final_line_wording(body: str, context: str = "") -> None:
    """Fail unless each count of the final line ``body`` (without " in 0.01s") agrees with its noun:
    ``1 warning`` / ``2 warnings``, ``1 error`` / ``2 errors``, ``1 test collected`` / ``2 tests
    collected``; the other words (passed, failed, skipped, ...) do not change with the count."""
    for count, noun in _COUNTED_NOUN.findall(body):
        singular = noun if noun in _COUNTED_NOUNS else noun[:-1]
        expected = singular if int(count) == 1 else _COUNTED_NOUNS[singular]
        assert noun == expected, (
            f"final line says {count} {noun!r}, pytest says {count} {expected!r}: {body!r}\n{context}")


class RunResult:
    """What one subprocess run gave: exit code and decoded output."""

    def __init__(self, args: list[str], ret: int, stdout: bytes, stderr: bytes) -> None:
        self.args = args
        self.ret = ret
        self.stdout_bytes = stdout
        self.stderr_bytes = stderr
        self.stdout = stdout.decode("utf-8", errors="replace")
        self.stderr = stderr.decode("utf-8", errors="replace")
        self.lines = self.stdout.splitlines()
        self.errlines = self.stderr.splitlines()

    def __repr__(self) -> str:
        return f"<RunResult ret={self.ret} args={self.args!r}>"

    @property
    def output(self) -> str:
        """stdout and stderr together (for messages whose stream does not matter)."""
        return self.stdout + "\n" + self.stderr

    def dump(self) -> str:
        out = self.stdout if len(self.stdout) < 20000 else self.stdout[:10000] + "\n...\n" + self.stdout[-10000:]
        return (f"$ {' '.join(self.args)}\nexit code: {self.ret}\n--- stdout ---\n{out}"
                f"\n--- stderr ---\n{self.stderr[-10000:]}")

    # -- final line ----------------------------------------------------------------------------
    def final_line(self) -> str:
        for line in reversed(self.lines):
            if _FINAL_LINE.match(line.strip()):
                return line.strip()
        raise AssertionError(f"no final 'in N.NNs' line in the output\n{self.dump()}")

    def outcomes(self) -> dict[str, int]:
        """Counts from the final line: ``{"failed": 2, "passed": 10}``; ``{}`` for "no tests ran".

        The counting is minitest's own (``builtin_plugins.minitester.RunResult.parseoutcomes``, as
        pytest's ``parseoutcomes``: errors/warnings are keyed by their plural); ``N tests
        collected`` (from ``--co``) gives ``{"collected": N}``. The wording is checked first, since
        the keys cannot tell ``1 warning`` from ``1 warnings``: a count of one must be singular and
        any other count plural, as pytest words them (see ``check_final_line_wording``).
        """
        body = _FINAL_LINE.match(self.final_line()).group("body")
        check_final_line_wording(body, self.dump())
        counts = MinitesterRunResult(self.ret, self.lines, self.errlines, 0.0).parseoutcomes()
        if re.search(r"\d+ tests? collected", body):
            counts["collected"] = counts.pop("tests") if "tests" in counts else counts.pop("test")
        return counts

    def assert_outcomes(self, **expected: int) -> None:
        got = self.outcomes()
        assert got == expected, f"outcomes {got} != expected {expected}\n{self.dump()}"

    # -- line matching -------------------------------------------------------------------------
    def fnmatch_lines(self, patterns: Iterable[str], *, stream: str = "stdout",
                      consecutive: bool = False) -> None:
        """Each glob pattern matches a line, in order (other lines may come between, unless
        ``consecutive``); fail with a readable log otherwise."""
        lines = self._lines(stream)
        _match_lines(lines, list(patterns), consecutive, fnmatch.fnmatchcase, self.dump())

    def re_match_lines(self, patterns: Iterable[str], *, stream: str = "stdout",
                       consecutive: bool = False) -> None:
        lines = self._lines(stream)
        _match_lines(lines, list(patterns), consecutive,
                     lambda line, pat: re.match(pat, line) is not None, self.dump())

    def no_fnmatch_line(self, pattern: str, *, stream: str = "stdout") -> None:
        for line in self._lines(stream):
            assert not fnmatch.fnmatchcase(line, pattern), (
                f"line {line!r} matches {pattern!r}, but should not\n{self.dump()}")

    def _lines(self, stream: str) -> list[str]:
        if stream == "stdout":
            return self.lines
        if stream == "stderr":
            return self.errlines
        if stream == "both":
            return self.lines + self.errlines
        raise ValueError(stream)


def _match_lines(lines: list[str], patterns: list[str], consecutive: bool, match, dump: str) -> None:
    log: list[str] = []
    pos = 0
    for i, pat in enumerate(patterns):
        found = False
        while pos < len(lines):
            line = lines[pos]
            pos += 1
            if match(line, pat):
                log.append(f"matched:   {pat!r}\n    with:  {line!r}")
                found = True
                break
            if consecutive and i > 0:
                log.append(f"no consecutive match for {pat!r}\n    got:   {line!r}")
                raise AssertionError("\n".join(log) + "\n\n" + dump)
        if not found:
            log.append(f"no match for: {pat!r}")
            raise AssertionError("\n".join(log) + "\n\n" + dump)


def verbose_nodeids(result: RunResult) -> list[tuple[str, str]]:
    """``[(nodeid, "PASSED"), ...]`` from the ``-v`` lines of a run."""
    out = []
    for line in result.lines:
        m = _VERBOSE_LINE.match(line)
        if m:
            out.append((m.group("nodeid"), m.group("word")))
    return out


def collected_nodeids(result: RunResult) -> list[str]:
    """The node ids listed by ``--co -q`` (lines containing ``::`` before the blank line)."""
    ids = []
    for line in result.lines:
        if not line.strip():
            break
        if "::" in line:
            ids.append(line.strip())
    return ids


def clean_env(extra: Mapping[str, str | None] | None = None, *, pythonpath: Iterable[str | os.PathLike] = ()
              ) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in _SCRUBBED and not k.startswith(_SCRUBBED_PREFIXES)}
    env["NO_COLOR"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COLUMNS"] = "80"
    env["PYTHONIOENCODING"] = "utf-8"
    paths = [str(p) for p in pythonpath]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_process(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> RunResult:
    proc = subprocess.run(cmd, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)
    return RunResult([str(c) for c in cmd], proc.returncode, proc.stdout, proc.stderr)


def run_and_interrupt(cmd: list[str], cwd: Path, env: dict[str, str], ready: Callable[[], bool],
                      whole_group: bool = False) -> RunResult:
    """Run ``cmd`` in a session of its own, and once ``ready()`` (up to 60 s) send it SIGINT (to
    its whole process group with ``whole_group``, as a terminal's Ctrl-C; else to the process
    alone); whatever is left of it at the end is killed (POSIX)."""
    import signal
    import time

    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        for _ in range(1200):
            if ready() or proc.poll() is not None:
                break
            time.sleep(0.05)
        if whole_group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return RunResult(proc.args, proc.returncode, out, err)


def build_minitest_command(*args: str | os.PathLike, env: Mapping[str, str | None] | None = None,
                     pythonpath: Iterable[str | os.PathLike] = ()) -> tuple[list[str], dict[str, str]]:
    """(command, environment) running ``python -m minitest ARGS``; ``pythonpath`` entries come
    before the checkout (so the checkout is used even when minitest is not installed).

    Self-check of the suite: with ``KERNEL_TESTS_RUN_PYTEST=1`` in the environment, pytest runs in
    place of minitest, so the tests that encode pytest's behaviour can be checked against pytest
    itself (those using minitest-only names such as ``minitest_*`` hooks then fail, as expected).
    """
    if os.environ.get("KERNEL_TESTS_RUN_PYTEST"):
        return reference_pytest_command(*args, env=env, pythonpath=pythonpath)
    cmd = [sys.executable, "-m", "minitest", *map(str, args)]
    return cmd, clean_env(env, pythonpath=[*pythonpath, REPO_ROOT])


def reference_pytest_command(*args: str | os.PathLike, env: Mapping[str, str | None] | None = None,
                   pythonpath: Iterable[str | os.PathLike] = ()) -> tuple[list[str], dict[str, str]]:
    """(command, environment) running ``python -m pytest -p no:cacheprovider ARGS`` with installed
    plugins disabled."""
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *map(str, args)]
    base: dict[str, str | None] = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    base.update(env or {})
    return cmd, clean_env(base, pythonpath=pythonpath)


def run_minitest(*args: str | os.PathLike, cwd: Path, env: Mapping[str, str | None] | None = None,
                 pythonpath: Iterable[str | os.PathLike] = ()) -> RunResult:
    cmd, full_env = build_minitest_command(*args, env=env, pythonpath=pythonpath)
    return run_process(cmd, cwd, full_env)


def run_pytest_process(*args: str | os.PathLike, cwd: Path, env: Mapping[str, str | None] | None = None,
                       pythonpath: Iterable[str | os.PathLike] = ()) -> RunResult:
    cmd, full_env = reference_pytest_command(*args, env=env, pythonpath=pythonpath)
    return run_process(cmd, cwd, full_env)


def pytest_configure(config):
    config.addinivalue_line("markers", "venv: builds a virtual environment (deselect with -m 'not venv')")


@pytest.fixture
def files(tmp_path):
    """``files({...})`` writes files under tmp_path (see make_files)."""
    return lambda spec: make_files(tmp_path, spec)


@pytest.fixture
def run(tmp_path):
    """``run(*args, cwd=tmp_path, env=None, pythonpath=())`` → RunResult of minitest."""

    def _run(*args, cwd=None, env=None, pythonpath=()):
        return run_minitest(*args, cwd=cwd or tmp_path, env=env, pythonpath=pythonpath)

    return _run


@pytest.fixture
def run_pytest(tmp_path):
    """Like ``run`` but runs pytest, to compare with what pytest does on the same folder."""

    def _run(*args, cwd=None, env=None, pythonpath=()):
        return run_pytest_process(*args, cwd=cwd or tmp_path, env=env, pythonpath=pythonpath)

    return _run


@pytest.fixture
def compare(run, run_pytest):
    """``compare(*args)``: run minitest and pytest with ``-v`` and the same args; assert the same
    exit code, the same node ids with the same outcome words, the same final-line counts.
    Returns ``(minitest_result, pytest_result)``."""

    def _compare(*args, cwd=None, env=None, pythonpath=(), counts=True):
        mine = run("-v", *args, cwd=cwd, env=env, pythonpath=pythonpath)
        ref = run_pytest("-v", *args, cwd=cwd, env=env, pythonpath=pythonpath)
        context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
        assert verbose_nodeids(mine) == verbose_nodeids(ref), "node ids / outcomes differ" + context
        assert mine.ret == ref.ret, f"exit code {mine.ret} != pytest's {ref.ret}" + context
        if counts:
            assert mine.outcomes() == ref.outcomes(), "final-line counts differ" + context
        return mine, ref

    return _compare


def console_script() -> str:
    """The ``minitest`` script installed next to this interpreter (the venv the suite runs in)."""
    import shutil

    here = Path(sys.executable).parent / ("minitest.exe" if sys.platform == "win32" else "minitest")
    found = str(here) if here.exists() else shutil.which("minitest")
    if found is None:
        pytest.skip("the minitest console script is not installed")
    return found


@pytest.fixture
def script(tmp_path):
    """``script(*args, cwd=tmp_path, env=None)`` → RunResult of the real ``minitest`` console script
    (``-p no:cache`` before a run's arguments: a test's runs leave each other no state; a
    subcommand such as ``merge`` is passed as it is)."""

    def _run(*args, cwd=None, env=None):
        words = [str(a) for a in args]
        prefix = [] if words and words[0] in ("merge", "replay", "report") else ["-p", "no:cache"]
        cmd = [console_script(), *prefix, *words]
        return run_process(cmd, cwd or tmp_path, clean_env(env, pythonpath=[REPO_ROOT]))

    return _run
