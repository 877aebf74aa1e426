"""--watch through a pseudo-terminal, in the probe venv (where watchfiles and coverage.py are
installed: the dev environment keeps them out, as watchfiles brings anyio, whose pytest plugin
would load in every run): a first round, a round per save with the affected tests (failures
first), --watch-all for the rest, a clean stop on Ctrl-C."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import REPO_ROOT, clean_env
from probing import probe_venv  # noqa: F401 - fixture
from pseudo_terminal import Terminal as PseudoTerminal
from venvs import Venv

pytestmark = pytest.mark.venv

SUITE = {
    "minitest.ini": "[minitest]\npythonpath = src\n",
    "src/calc.py": "def add(a, b):\n    return a + b\n",
    "src/other.py": "def other():\n    return 1\n",
    "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "tests/test_other.py": "from other import other\n\n\ndef test_other():\n    assert other() == 1\n",
}



class Terminal(PseudoTerminal):
    """``minitest ARGS`` of the probe venv on a pseudo-terminal, with this checkout's minitest and
    no other installed plugin."""

    def __init__(self, venv: Venv, cwd: Path, *args: str) -> None:
        env = clean_env({"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "MINITEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
                        pythonpath=[REPO_ROOT])
        super().__init__(cwd, [str(venv.python), "-m", "minitest", *args], env)


@pytest.fixture
def watching(tmp_path, files, probe_venv):  # noqa: F811 - the fixture
    files(SUITE)
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        term = Terminal(probe_venv, tmp_path, "--watch", "-v", *args)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


def _ctrl_c(term: Terminal) -> int:
    os.killpg(term.proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole group
    term.expect("watch: stopped")
    return term.finish()


def test_watch_reruns_the_affected_tests_on_save_and_stops_on_ctrl_c(tmp_path, watching):
    term = watching()
    first = term.expect("(Ctrl-C to stop)")
    assert "watch: round 1" in first
    assert "tests/test_calc.py::test_add PASSED" in first and "tests/test_other.py::test_other PASSED" in first
    (tmp_path / "src/calc.py").write_text("def add(a, b):\n    return a - b\n")
    second = term.expect("(Ctrl-C to stop)")
    assert "watch: round 2, changed: src/calc.py" in second
    assert "tests/test_calc.py::test_add FAILED" in second
    assert "test_other" not in second.split("round 2", 1)[1].split("short test summary")[0]
    (tmp_path / "src/calc.py").write_text("def add(a, b):\n    return a + b\n")
    third = term.expect("(Ctrl-C to stop)")
    assert "tests/test_calc.py::test_add PASSED" in third  # failed last time: runs, now passes
    assert "Traceback" not in term.output
    assert _ctrl_c(term) == 0
    assert "KeyboardInterrupt" not in term.output


def test_watch_all_runs_the_rest_after_the_affected_pass(tmp_path, watching):
    term = watching("--watch-all")
    term.expect("(Ctrl-C to stop)")
    (tmp_path / "src/calc.py").write_text("def add(a, b):\n    return b + a\n")
    second = term.expect("(Ctrl-C to stop)")
    head, rest = second.split("watch: the affected tests pass; running the rest", 1)
    assert "tests/test_calc.py::test_add PASSED" in head and "test_other" not in head.split("collected")[1]
    assert "tests/test_other.py::test_other PASSED" in rest and "test_add PASSED" not in rest
    assert _ctrl_c(term) == 0


def test_watch_clears_the_screen_between_rounds(tmp_path, files, probe_venv):  # noqa: F811 - the fixture
    files(SUITE)
    term = Terminal(probe_venv, tmp_path, "--watch", "-q")
    try:
        term.expect("(Ctrl-C to stop)")
        raw_before = term.output
        (tmp_path / "src/other.py").write_text("def other():\n    return 1  # saved\n")
        term.expect("(Ctrl-C to stop)")
        assert term.output.count("watch: round") == 2
        assert _ctrl_c(term) == 0
    finally:
        term.close()
    assert raw_before  # the clear sequence itself is stripped by the helper's ANSI filter
