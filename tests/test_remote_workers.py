"""Remote workers (``--tx ssh=...`` / ``--tx popen//chdir=...``) that fail well: ``--rsyncdir``
sends the sources only and says so in one line, locations read as the project's, ``-v`` names the
worker; a worker that cannot start (a silent host, no minitest there, no project folder there, a
wrong ``python=``) is named with the reason and the others carry on.

The ssh workers log in to a real OpenSSH server on the loopback, started once for the module
with its own keys (tests/sshd.py); without OpenSSH they are skipped, saying so. Where ssh adds
nothing to what is checked, a ``popen//chdir=`` worker stands in (faster).
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import verbose_nodeids
from sshd import Sshd, SshdUnavailable

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
    remote = tmp_path / "remote"
    remote.mkdir()
    spec = sshd.spec(f"//python={sys.executable}//chdir={remote}")
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
    assert str(remote) not in result.output.replace(f"-> {remote}/proj", ""), result.dump()

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
