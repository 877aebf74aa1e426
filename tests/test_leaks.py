"""The leak report (issue 17): each kind of leak is named with its test as a MinitestLeakWarning;
what a fixture undoes at teardown is not a leak; --leaks adds the costly kinds, --leaks=strict
fails the test, --leaks=off reports nothing."""

from __future__ import annotations

import pytest

LEAKY = """
    import os, signal, subprocess, sys, threading, time
    KEEP = []
    def test_thread():
        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
    def test_env():
        os.environ["LEAKED_VAR"] = "1"
    def test_env_undone(monkeypatch):
        monkeypatch.setenv("UNDONE_VAR", "1")
        monkeypatch.chdir("/")
        monkeypatch.syspath_prepend("/undone")
    def test_cwd(tmp_path):
        os.chdir(tmp_path)
    def test_path():
        sys.path.append("/leaked")
    def test_modules():
        sys.modules["fake_mod"] = object()
    def test_signal():
        signal.signal(signal.SIGUSR1, lambda *a: None)
    def test_child():
        KEEP.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"]))
    def test_fd():
        KEEP.append(open(__file__))
    def test_file():
        open(os.path.join(os.path.dirname(__file__), "created.txt"), "w").close()
    def test_clean():
        pass
"""

ALWAYS = {
    "test_thread": "threads still running: 'Thread-1 (sleep)'",
    "test_env": "os.environ changed: LEAKED_VAR",
    "test_cwd": "the current directory changed to ",
    "test_path": "sys.path changed: +'/leaked'",
    "test_modules": "sys.modules entries that are not modules: fake_mod",
    "test_signal": "signal handlers changed: SIGUSR1",
}
FULL = {
    "test_child": "child processes still running: ",
    "test_fd": "file descriptors left open: ",
    "test_file": "files created in the rootdir: created.txt",
}


def _reported(result):
    return {line.split("::", 1)[1].split(" ", 1)[0]: line for line in result.lines
            if "MinitestLeakWarning: test_leaky.py::" in line}


@pytest.mark.parametrize("mode", ["default", "--leaks"])
def test_each_kind_of_leak_is_reported_with_its_test(files, run, mode):
    files({"test_leaky.py": LEAKY})
    result = run("-p", "no:cache", *([] if mode == "default" else [mode]))
    assert result.ret == 0, result.dump()
    reported = _reported(result)
    expected = dict(ALWAYS, **(FULL if mode == "--leaks" else {}))
    assert set(reported) == set(expected), result.dump()
    for test, text in expected.items():
        assert f"test_leaky.py::{test} left behind: {text}" in reported[test], result.dump()


def test_strict_fails_the_leaking_tests_and_off_reports_nothing(files, run):
    files({"test_leaky.py": LEAKY})
    strict = run("-p", "no:cache", "--leaks=strict")
    assert strict.ret == 1
    assert strict.outcomes() == {"passed": 11, "errors": len(ALWAYS) + len(FULL)}, strict.dump()
    off = run("-p", "no:cache", "--leaks=off")
    assert off.outcomes() == {"passed": 11}, off.dump()
    assert "MinitestLeakWarning" not in off.output
