"""Remote workers (``--tx ssh=...`` / ``--tx popen//chdir=...``) that fail well: ``--rsyncdir``
sends the sources only and says so in one line, locations read as the project's, ``-v`` names the
worker; a worker that cannot start (a silent host, no minitest there, no project folder there, a
wrong ``python=``) is named with the reason and the others carry on.

The ssh workers log in to a real OpenSSH server on the loopback, started once for the module
with its own keys (tests/sshd.py); without OpenSSH they are skipped, saying so. Where ssh adds
nothing to what is checked, a ``popen//chdir=`` worker stands in (faster).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import verbose_nodeids
from sshd import SilentServer, Sshd, SshdUnavailable

SUITE = {
    "test_a.py": """
        import minitest

        def test_passes(): pass
        def test_skips(): minitest.skip("not here")
        def test_fails(): assert 0
    """,
    "sub/test_b.py": "def test_b(): pass\n",
}

#: what a project holds besides its sources: none of it may reach a worker's copy
NOT_SOURCES = {
    ".env": "SECRET=1\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".minitest_cache/v/lastfailed": "{}\n",
    "stale.pyc": "",
    "sub/__pycache__/test_b.cpython-311.pyc": "",
    "notes.txt~": "",
}


@pytest.fixture(scope="module")
def sshd(tmp_path_factory) -> Iterator[Sshd]:
    try:
        server = Sshd.start(tmp_path_factory.mktemp("sshd"))
    except SshdUnavailable as exc:
        pytest.skip(f"no OpenSSH server for the remote-worker tests: {exc}")
    yield server
    server.stop()


def make_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def copied(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
                  and "__pycache__" not in p.parts)  # the worker's own imports write bytecode


def test_ssh_worker_gets_the_sources_only_and_reports_like_a_local_run(sshd, run, tmp_path):
    proj = make_project(tmp_path / "proj", {**SUITE, **NOT_SOURCES})
    # no chdir=: the copy goes to ~/pyexecnetcache (pytest-xdist's place; ~ is the server's own)
    remote = sshd.home / "pyexecnetcache"
    spec = sshd.spec(f"//python={sys.executable}")
    result = run("-v", "-rs", "--tx", spec, "--rsyncdir", ".", cwd=proj)
    assert result.ret == 1, result.dump()
    assert copied(remote / "proj") == ["sub/test_b.py", "test_a.py"], result.dump()
    # one line for the copy, none per file (execnet's "<Gateway ...> <= test_a.py")
    result.fnmatch_lines([f"[[]gw0] --rsyncdir {proj} -> {remote}/proj: 2 files sent (* bytes); "
                          "left out: .*, *.pyc, *~, __pycache__"])
    assert "<=" not in result.output, result.dump()
    assert verbose_nodeids(result) == [
        ("sub/test_b.py::test_b", "PASSED"), ("test_a.py::test_passes", "PASSED"),
        ("test_a.py::test_skips", "SKIPPED"), ("test_a.py::test_fails", "FAILED"),
    ], result.dump()
    result.re_match_lines([r"^test_a.py::test_passes PASSED \[gw0\] +\[ 50%\]$"])  # -v names the worker
    # locations are the project's, not the copy's
    result.fnmatch_lines(["test_a.py:6: AssertionError", "SKIPPED [[]1] test_a.py:5: not here"])
    assert "pyexecnetcache" not in result.output.replace(f"-> {remote}/proj", ""), result.dump()

    # the second run sends nothing new, and --rsyncignore leaves more out
    again = run("--tx", spec, "--rsyncdir", ".", "--rsyncignore", "sub", cwd=proj)
    again.fnmatch_lines([f"[[]gw0] --rsyncdir {proj} -> {remote}/proj: up to date; "
                         "left out: .*, *.pyc, *~, sub"])  # sub held the __pycache__
    assert copied(remote / "proj") == ["test_a.py"], again.dump()
    again.assert_outcomes(passed=1, skipped=1, failed=1)


def test_rsyncdir_into_the_projects_own_parent_runs_the_project(run, tmp_path):
    """``--tx popen//chdir=<parent> --rsyncdir=.``: the copy would be the project itself; the
    worker runs the project's tests (not the parent's) and nothing of the project is removed."""
    proj = make_project(tmp_path / "proj", {**SUITE, **NOT_SOURCES})
    make_project(tmp_path, {"test_parent.py": "def test_parent(): assert 0\n"})
    result = run("-v", "--tx", f"popen//chdir={tmp_path}", "--rsyncdir", ".", cwd=proj)
    assert result.ret == 1, result.dump()
    result.fnmatch_lines([f"[[]gw0] --rsyncdir {proj}: the worker's {proj} is this folder: nothing to send"])
    assert [nodeid for nodeid, _ in verbose_nodeids(result)] == [
        "sub/test_b.py::test_b", "test_a.py::test_passes", "test_a.py::test_skips", "test_a.py::test_fails"]
    for name in NOT_SOURCES:
        assert (proj / name).is_file(), name

    # a copy that would land inside the folder it copies is refused
    inside = run("--tx", f"popen//chdir={proj / 'sub'}", "--rsyncdir", ".", cwd=proj)
    assert inside.ret == 4, inside.dump()
    assert "would be inside the folder it copies" in inside.stderr, inside.dump()
    assert not (proj / "sub" / "proj").exists()


OK_SUITE = {"test_ok.py": "def test_1(): pass\ndef test_2(): pass\n"}


def test_a_silent_host_is_given_up_by_name_and_the_other_worker_runs(sshd, run, tmp_path):
    """A host that accepts the connection and never answers (a hung sshd) no longer hangs the run."""
    proj = make_project(tmp_path / "proj", OK_SUITE)
    silent = SilentServer()
    try:
        hung = sshd.spec(f"//python={sys.executable}").replace(f"-p {sshd.port} ", f"-p {silent.port} ")
        healthy = sshd.spec(f"//python={sys.executable}")
        # 4 s: long enough for the healthy worker's login on a busy machine
        result = run("--worker-start-timeout", "4", "--tx", hung, "--tx", healthy, cwd=proj)
        assert result.ret == 0, result.dump()
        result.fnmatch_lines([f"WARNING: could not start worker gw0 on localhost:{silent.port} (ssh): no answer for "
                              "4 s while connecting (--worker-start-timeout; spec *); continuing with 1 worker",
                              "created: 1/2 workers"])
        result.assert_outcomes(passed=2)
    finally:
        silent.stop()


def test_a_worker_that_cannot_start_says_why(sshd, run, tmp_path):
    proj = make_project(tmp_path / "proj", OK_SUITE)
    # a wrong port, a wrong key: ssh's own words, exit 4
    port = run("--tx", sshd.spec(f"//python={sys.executable}").replace(f"-p {sshd.port} ", "-p 1 "), cwd=proj)
    assert port.ret == 4, port.dump()
    assert ("ERROR: could not start worker gw0 on localhost:1 (ssh): ssh: connect to host localhost port 1: "
            "Connection refused") in port.stderr, port.dump()
    (tmp_path / "other_key").write_text("not a key\n")
    (tmp_path / "other_key").chmod(0o600)
    key = run("--tx", sshd.spec(f"//python={sys.executable}").replace(str(sshd.key), str(tmp_path / "other_key")),
              cwd=proj)
    assert key.ret == 4, key.dump()
    assert f"ERROR: could not start worker gw0 on localhost:{sshd.port} (ssh): " in key.stderr, key.dump()
    assert "Permission denied (publickey)" in key.stderr, key.dump()

    # an interpreter without minitest: the base one, without site-packages
    bare = f"{getattr(sys, '_base_executable', sys.executable)} -S"
    no_minitest = run("--tx", sshd.spec(f"//python={bare}"), cwd=proj)
    assert no_minitest.ret == 4, no_minitest.dump()
    assert f"ERROR: could not start worker gw0 on localhost:{sshd.port} (ssh): its python (" in no_minitest.stderr
    assert ("cannot import minitest (ModuleNotFoundError: No module named 'minitest'): install minitest there, "
            "or give --tx a python that has it (//python=PATH)") in no_minitest.stderr, no_minitest.dump()
    assert "Traceback" not in no_minitest.output, no_minitest.dump()

    # a wrong python= path: the shell's own words, not execnet's "cannot send (already closed?)"
    wrong = run("--tx", sshd.spec("//python=/nonexistent/python"), "--tx", sshd.spec(f"//python={sys.executable}"),
                cwd=proj)
    assert wrong.ret == 0, wrong.dump()
    wrong.fnmatch_lines([f"WARNING: could not start worker gw0 on localhost:{sshd.port} (ssh): "
                         "python=/nonexistent/python cannot be run there: *: /nonexistent/python: *; "
                         "continuing with 1 worker"])
    wrong.assert_outcomes(passed=2)
    assert "cannot send" not in wrong.output and "Traceback" not in wrong.output, wrong.dump()


def _folder_hiding_python(tmp_path: Path, hidden: Path) -> str:
    """A python for the spec that runs in a mount namespace where ``hidden`` is an empty folder:
    the worker's machine lacks the project (skips where mount namespaces are not allowed)."""
    wrapper = tmp_path / "python-without-the-project"
    wrapper.write_text("#!/bin/sh\n"
                       f"exec unshare --mount sh -c 'mount -t tmpfs tmpfs \"$0\" && exec \"$@\"' {hidden} "
                       f"{sys.executable} \"$@\"\n")
    wrapper.chmod(0o755)
    probe = subprocess.run([str(wrapper), "-c", "pass"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot hide a folder from a worker here (unshare --mount): {probe.stderr.decode().strip()}")
    return str(wrapper)


def test_a_worker_without_the_project_folder_says_to_send_it(sshd, run, tmp_path):
    proj = make_project(tmp_path / "here" / "proj", OK_SUITE)
    python = _folder_hiding_python(tmp_path, tmp_path / "here")
    missing = run("--tx", sshd.spec(f"//python={python}"), cwd=proj)
    assert missing.ret == 4, missing.dump()
    assert (f"ERROR: could not start worker gw0 on localhost:{sshd.port} (ssh): the folder the tests run from, "
            f"{proj}, is not there (FileNotFoundError: ") in missing.stderr, missing.dump()
    assert "send the project with --rsyncdir=. (a chdir= in the spec says where the copy goes)" in missing.stderr
    assert "Traceback" not in missing.output, missing.dump()

    # doing what it says works
    (tmp_path / "remote").mkdir()
    sent = run("--tx", sshd.spec(f"//python={python}//chdir={tmp_path / 'remote'}"), "--rsyncdir", ".", cwd=proj)
    assert sent.ret == 0, sent.dump()
    sent.assert_outcomes(passed=2)


def _python_with_slots(tmp_path: Path, slots: int) -> str:
    """A python for the spec that starts ``slots`` workers, then refuses (a host that went away)."""
    wrapper = tmp_path / "python-with-slots"
    checks = " || ".join(f"mkdir {tmp_path / f'slot{n}'} 2>/dev/null" for n in range(slots))
    wrapper.write_text("#!/bin/sh\n"
                       f"if {checks}; then exec {sys.executable} \"$@\"; fi\n"
                       "echo 'no more workers here' >&2\n"
                       "exit 1\n")
    wrapper.chmod(0o755)
    return str(wrapper)


def test_a_replacement_that_cannot_start_leaves_the_rest_to_the_other_worker(run, tmp_path):
    proj = tmp_path / "proj"
    # the others wait for the crash, so the crashed worker surely leaves tests behind
    make_project(proj, {"test_crash.py": """
        import os, pathlib, time

        MARK = pathlib.Path(__file__).with_name("crashed")

        def test_crash():
            MARK.touch()
            os._exit(3)
    """ + "".join(f"""
        def test_{n}():
            for _ in range(600):
                if MARK.exists():
                    return
                time.sleep(0.05)
    """ for n in range(12))})
    python = _python_with_slots(tmp_path, 2)
    result = run("-v", "--tx", f"2*popen//python={python}", cwd=proj)
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["replacing crashed worker gw?",
                          "WARNING: could not replace crashed worker gw?: could not start worker gw2 on this machine "
                          f"(popen): python={python} exits with code 1: no more workers here (spec *); "
                          "continuing with 1 worker"])
    result.assert_outcomes(failed=1, passed=12)
    assert dict(verbose_nodeids(result))["test_crash.py::test_crash"] == "FAILED", result.dump()


def test_with_no_worker_left_the_tests_not_run_are_counted(run, tmp_path):
    proj = make_project(tmp_path / "proj", {"test_crash.py": """
        import os

        def test_a(): pass
        def test_crash(): os._exit(3)
        def test_b(): pass
        def test_c(): pass
        def test_d(): pass
    """})
    python = _python_with_slots(tmp_path, 1)
    result = run("-v", "--tx", f"popen//python={python}", cwd=proj)
    assert result.ret == 2, result.dump()
    assert verbose_nodeids(result) == [("test_crash.py::test_a", "PASSED"),
                                       ("test_crash.py::test_crash", "FAILED")], result.dump()
    result.re_match_lines([r"^!+ Interrupted: could not replace crashed worker gw0: could not start worker gw1 on this "
                           r"machine \(popen\): .*no more workers here .*, and no other worker is left !+$",
                           r"^=+ 1 failed, 1 passed, 3 not run in [\d.]+s =+$"])

    # the same count when the crashed worker may not be replaced
    limited = run("--tx", "popen", "--max-worker-restart", "0", cwd=proj)
    assert limited.ret == 2, limited.dump()
    limited.re_match_lines([r"^!+ Interrupted: maximum crashed workers reached: 0 !+$",
                            r"^=+ 1 failed, 1 passed, 3 not run in [\d.]+s =+$"])
    # and with a forked worker
    forked = run("-n", "1", "--max-worker-restart", "0", cwd=proj)
    assert forked.ret == 2, forked.dump()
    forked.re_match_lines([r"^!+ Interrupted: maximum crashed workers reached: 0 !+$",
                           r"^=+ 1 failed, 1 passed, 3 not run in [\d.]+s =+$"])
