"""Probes of real pytest plugins: each ``test_<plugin>.py`` writes a folder using the plugin's
main features, runs it with pytest and with minitest in one venv where the plugins of
``requirements.txt`` are installed from the package index, and compares outcomes per node id.

A probe module imports the fixtures from here (``from probing import probe, probe_venv``): a
conftest.py in this folder would be imported under the same module name as tests/conftest.py.

The venv is made once per requirements (keyed by their hash, in the system temp directory) and
shared by every worker, later runs and other checkouts; a file lock keeps two workers from
building it at once. So minitest is *not* installed in it: each run imports minitest from the
checkout under test, put first on ``PYTHONPATH`` (an editable install would tie the shared venv
to whichever checkout built it).
"""

from __future__ import annotations

import fcntl
import hashlib
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, RunResult, clean_env, make_files, run_process, verbose_nodeids
from venvs import Venv, make_venv

REQUIREMENTS = Path(__file__).with_name("requirements.txt")
#: part of the cache key: bumped when what the venv holds changes (2: minitest no longer in it)
_LAYOUT = b"probe-venv-2"


def _build(root: Path) -> Venv:
    env = make_venv(root, with_minitest=False)
    installed = env.pip("install", "-q", "-r", str(REQUIREMENTS))
    if installed.returncode != 0:
        pytest.fail(f"installing the probed plugins failed:\n{installed.stdout[-3000:]}\n{installed.stderr[-3000:]}")
    return env


@pytest.fixture(scope="session")
def probe_venv() -> Venv:
    """The shared venv with the probed plugins (minitest comes from this checkout, see above)."""
    key = hashlib.sha256(_LAYOUT + REQUIREMENTS.read_bytes() + sys.version.encode()).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"minitest-probes-{key}"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{root}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = Path(f"{root}.done")
        if done.exists():
            return Venv(root / "env")
        env = _build(root / "env")
        done.write_text("ok\n")
        return env


#: installed plugins that act on every run once installed (pytest-randomly shuffles each probe
#: with a different seed under each runner, pytest-icdiff rewrites every ``==`` explanation): off
#: in each probe but the ones that name them in ``plugins=``
OPT_IN = ("randomly", "icdiff")


class Probe:
    """Runs one folder under both runners in the probe venv."""

    def __init__(self, venv: Venv, root: Path) -> None:
        self.venv = venv
        self.root = root

    def run(self, runner: str, *args: str, env: dict[str, str | None] | None = None,
            randomly: bool = False, plugins: tuple[str, ...] = ()) -> RunResult:
        """One runner on the folder; the :data:`OPT_IN` plugins stay off unless named in
        ``plugins`` (``randomly=True`` is ``plugins=("randomly",)``)."""
        no_cache = ("-p", "no:cacheprovider") if runner == "pytest" else ("-p", "no:cache")
        wanted = {*plugins, *(("randomly",) if randomly else ())}
        off = [arg for name in OPT_IN if name not in wanted for arg in ("-p", f"no:{name}")]
        return run_process([str(self.venv.python), "-m", runner, "-v", *no_cache, *off, *args], self.root,
                           clean_env(env, pythonpath=[REPO_ROOT]))

    def compare(self, *args: str, env: dict[str, str | None] | None = None,
                randomly: bool = False, plugins: tuple[str, ...] = ()) -> tuple[RunResult, RunResult]:
        """Both runners on the folder: the same node ids with the same outcome words, the same
        exit code and final-line counts. Returns ``(minitest, pytest)``."""
        mine = self.run("minitest", *args, env=env, randomly=randomly, plugins=plugins)
        ref = self.run("pytest", *args, env=env, randomly=randomly, plugins=plugins)
        context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
        assert verbose_nodeids(mine) == verbose_nodeids(ref), "node ids / outcomes differ" + context
        assert mine.ret == ref.ret, f"exit code {mine.ret} != pytest's {ref.ret}" + context
        assert mine.outcomes() == ref.outcomes(), "final-line counts differ" + context
        return mine, ref


@pytest.fixture
def probe(probe_venv: Venv, tmp_path: Path):
    """``probe(files)`` → a :class:`Probe` of those files in the probe venv."""

    def _make(files: dict[str, str]) -> Probe:
        make_files(tmp_path, files)
        return Probe(probe_venv, tmp_path)

    return _make


def counts(result: RunResult) -> dict[str, int]:
    """The final-line counts without warnings: how many warnings a run shows depends on the
    packages the venv sees (``--system-site-packages``), not on the plugin probed; ``compare``
    has already checked that both runners agree on them."""
    return {key: value for key, value in result.outcomes().items() if key != "warnings"}
