""".ci/run fails when any part of the README's test command fails (issue 23).

The script runs under ``set -euo pipefail``, which does not stop at a failure before the last
``&&`` of a list: ``pip install ... && python -m pytest ...`` with a failed install would skip the
tests and go on. The whole CI cannot run inside a test (a fresh venv, the full suite), so this runs
the script's own option line and its README-command line, word for word, with stand-ins for
``pip`` and ``python`` first on PATH, followed by a marker for "the next step ran".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO_ROOT

CI_RUN = REPO_ROOT / ".ci" / "run"
README_COMMAND = 'pip install -e ".[test]" && python -m pytest -n 2 tests'
NEXT_STEP = "NEXT STEP RAN"

# a stand-in that logs how it was called and exits with the code its environment variable says
STAND_IN = """#!/bin/sh
echo "{name} $*" >> "$STAND_IN_LOG"
exit "${{{variable}:-0}}"
"""


def _script_lines() -> tuple[str, str]:
    """(the ``set -...`` line, the line running the README's command) of .ci/run."""
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    options = [line for line in lines if line.startswith("set -")]
    command = [line for line in lines if README_COMMAND in line]
    assert len(options) == 1 and len(command) == 1, (options, command)
    return options[0], command[0]


def _run_step(tmp_path: Path, pip_rc: int, python_rc: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, variable in (("pip", "PIP_RC"), ("python", "PYTHON_RC")):
        stand_in = bin_dir / name
        stand_in.write_text(STAND_IN.format(name=name, variable=variable), encoding="utf-8")
        stand_in.chmod(0o755)
    options, command = _script_lines()
    script = tmp_path / "step.sh"
    script.write_text(f"{options}\n{command}\necho '{NEXT_STEP}'\n", encoding="utf-8")
    log = tmp_path / "calls.log"
    log.unlink(missing_ok=True)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "STAND_IN_LOG": str(log),
           "PIP_RC": str(pip_rc), "PYTHON_RC": str(python_rc)}
    bash = shutil.which("bash")
    assert bash is not None
    proc = subprocess.run([bash, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return proc, calls


pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason=".ci/run is a bash script")


def test_ci_runs_the_readme_command_verbatim():
    assert f"\n{README_COMMAND}\n" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    _options, command = _script_lines()
    assert command.startswith(README_COMMAND), command


def test_ci_step_fails_when_the_install_fails(tmp_path):
    proc, calls = _run_step(tmp_path, pip_rc=1, python_rc=0)
    assert proc.returncode == 1, proc
    assert calls == ['pip install -e .[test]'], calls  # the tests are not run
    assert NEXT_STEP not in proc.stdout, proc


def test_ci_step_fails_when_the_tests_fail(tmp_path):
    proc, calls = _run_step(tmp_path, pip_rc=0, python_rc=1)
    assert proc.returncode == 1, proc
    assert calls == ['pip install -e .[test]', "python -m pytest -n 2 tests"], calls
    assert NEXT_STEP not in proc.stdout, proc


def test_ci_step_goes_on_when_both_pass(tmp_path):
    proc, calls = _run_step(tmp_path, pip_rc=0, python_rc=0)
    assert proc.returncode == 0, proc
    assert calls == ['pip install -e .[test]', "python -m pytest -n 2 tests"], calls
    assert proc.stdout.splitlines() == [NEXT_STEP], proc
