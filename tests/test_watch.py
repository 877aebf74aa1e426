"""--watch without its extra installed: a clear message naming it (the pseudo-terminal tests of
watch mode run in the probe venv, where watchfiles is installed: tests/probes/test_watch_mode.py)."""

from __future__ import annotations

SUITE = {
    "minitest.ini": "[minitest]\npythonpath = src\n",
    "src/calc.py": "def add(a, b):\n    return a + b\n",
    "src/other.py": "def other():\n    return 1\n",
    "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "tests/test_other.py": "from other import other\n\n\ndef test_other():\n    assert other() == 1\n",
}



def test_watch_without_watchfiles_names_the_extra(tmp_path, files, run):
    files({**SUITE, "sitecustomize_dir/watchfiles.py": "raise ImportError('no watchfiles here')\n"})
    result = run("--watch", pythonpath=[tmp_path / "sitecustomize_dir"])
    assert result.ret == 4
    assert "pip install 'minitest[watch]'" in result.stderr
