"""Real projects' suites for bench/parallel.py, set up by the compatibility corpus tool.

The corpus tool (tests/compat/corpus.py) downloads a project's pinned sdist, builds a venv with the
project, its test requirements, the pytest pin and minitest built from this checkout; here the
venv also gets pytest-xdist, and the suite runs with plugin autoload off for every runner, the
plugins it needs named with ``-p`` (pytest's and minitest's spelling alike), and the project's
addopts cleared (its coverage and JUnit options would time something else). Nothing of the
project is kept in this repository; the venvs live in the corpus' work directory, reused.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "compat"))

import corpus  # noqa: E402

XDIST = "pytest-xdist==3.8.0"


@dataclass(frozen=True)
class RealSuite:
    project: str  # a name of corpus.PROJECTS
    title: str  # the table's row
    args: tuple[str, ...]  # given to every runner (after the runner's own)


REAL_SUITES = {
    "arrow": RealSuite("arrow", "arrow 1.4.0: dates and time zones (real suite)",
                       ("-o", "addopts=", "-p", "pytest_mock", "tests")),
}


def prepare(name: str, workdir: Path = corpus.DEFAULT_WORKDIR) -> tuple[Path, Path]:
    """The project's source folder and venv python, made (or reused) by the corpus tool, with
    pytest-xdist added."""
    suite = REAL_SUITES[name]
    project = next(p for p in corpus.PROJECTS if p.name == suite.project)
    workdir.mkdir(parents=True, exist_ok=True)
    env = corpus.base_env(workdir)
    wheel, digest = corpus.build_minitest(workdir, env)
    src, py = corpus.prepare(project, workdir, wheel, digest, corpus.pytest_version(), env)
    has_xdist = subprocess.run([str(py), "-c", "import xdist"], capture_output=True).returncode == 0
    if not has_xdist:
        subprocess.run([str(py), "-m", "pip", "install", "-q", XDIST], check=True, env=env)
    return src, py
