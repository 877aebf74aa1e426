"""Nothing of the user's is ever deleted (issue 17): ``--basetemp``, ``--cache-clear``, the per-user
temp root and the pruning of old runs. Every run goes through the real console entry point in a
subprocess; the temp root of each run is a folder of the test's own (``TMPDIR``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO_ROOT, clean_env

PASSING = {"test_a.py": "def test_a(tmp_path):\n    (tmp_path / 'f').write_text('x')\n"}


def _project(files, tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "keep.txt").write_text("the user's work")
    (tmp_path / "sibling.txt").write_text("next to the project")
    files({"proj/test_a.py": PASSING["test_a.py"]})
    return proj


def _intact(tmp_path):
    assert (tmp_path / "proj" / "keep.txt").read_text() == "the user's work"
    assert (tmp_path / "sibling.txt").read_text() == "next to the project"


@pytest.mark.parametrize("basetemp", [".", "..", "", "./", "{cwd}", "{home}", "{home}/..", "{rootdir}"])
def test_basetemp_that_holds_the_users_files_is_a_usage_error(files, run, tmp_path, basetemp):
    proj = _project(files, tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    (proj / "sub").mkdir()
    (proj / "pyproject.toml").write_text("[tool.minitest]\n")
    value = basetemp.format(cwd=proj / "sub", home=home, rootdir=proj)
    result = run(f"--basetemp={value}", "..", cwd=proj / "sub", env={"HOME": str(home)})
    assert result.ret == 4, result.dump()
    assert "basetemp must not be empty, the current working directory or any parent directory of it" \
        in result.stderr, result.dump()
    _intact(tmp_path)
    assert (proj / "sub").is_dir() and home.is_dir()


def test_basetemp_real_path_of_a_cwd_entered_through_a_symlink(files, tmp_path):
    proj = _project(files, tmp_path)
    link = tmp_path / "link"
    link.symlink_to(proj)
    # a shell that entered the link keeps PWD=link; os.getcwd() is the real path
    cmd = [sys.executable, "-m", "minitest", f"--basetemp={proj}"]
    env = clean_env({"PWD": str(link)}, pythonpath=[REPO_ROOT])
    proc = subprocess.run(cmd, cwd=link, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    cmd = [sys.executable, "-m", "minitest", f"--basetemp={link}"]
    proc = subprocess.run(cmd, cwd=proj, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    _intact(tmp_path)


def test_basetemp_not_made_by_minitest_is_not_emptied(files, run, tmp_path):
    proj = _project(files, tmp_path)
    foreign = tmp_path / "data"
    foreign.mkdir()
    (foreign / "precious").write_text("x")
    result = run(f"--basetemp={foreign}", cwd=proj)
    assert result.ret == 4, result.dump()
    assert "was not made by minitest" in result.stderr
    assert (foreign / "precious").read_text() == "x"
    # an empty directory (tox's envtmpdir) is used; then minitest's own is emptied by the next run
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(f"--basetemp={empty}", cwd=proj).ret == 0
    (empty / "test_a0" / "old").write_text("from the last run")
    assert run(f"--basetemp={empty}", cwd=proj).ret == 0
    assert not (empty / "test_a0" / "old").exists()


def test_basetemp_of_a_live_run_is_refused(files, tmp_path):
    proj = _project(files, tmp_path)
    files({"proj/test_slow.py": "import time\ndef test_s(tmp_path):\n    time.sleep(30)\n"})
    base = tmp_path / "base"
    cmd, env = [sys.executable, "-m", "minitest", f"--basetemp={base}", "test_slow.py"], \
        clean_env(pythonpath=[REPO_ROOT])
    slow = subprocess.Popen(cmd, cwd=proj, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not (base / "test_s0").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc = subprocess.run([sys.executable, "-m", "minitest", f"--basetemp={base}", "test_a.py"], cwd=proj,
                              env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 4, proc.stdout + proc.stderr
        assert "still running" in proc.stderr
        assert (base / "test_s0").is_dir()
    finally:
        slow.kill()
        slow.wait()


# -- the cache ---------------------------------------------------------------------------------


def test_cache_clear_with_cache_dir_dot_keeps_the_rootdir(files, run, tmp_path):
    proj = _project(files, tmp_path)
    (proj / "v").mkdir()
    (proj / "v" / "mine.txt").write_text("not minitest's")
    files({"proj/test_f.py": "def test_f():\n    assert 0\n"})
    assert run("-o", "cache_dir=.", cwd=proj).ret == 1
    result = run("-o", "cache_dir=.", "--cache-clear", cwd=proj)
    assert result.ret == 1, result.dump()
    _intact(tmp_path)
    assert (proj / "v" / "mine.txt").read_text() == "not minitest's"
    assert (proj / "test_a.py").is_file()


def test_cache_clear_with_a_shared_cache_dir_removes_only_minitests_entries(files, run, tmp_path):
    proj = _project(files, tmp_path)
    other = proj / ".cache" / "othertool"
    other.mkdir(parents=True)
    (other / "state").write_text("other tool's")
    files({"proj/test_f.py": "def test_f():\n    assert 0\n"})
    assert run("-o", "cache_dir=.cache", cwd=proj).ret == 1
    assert (proj / ".cache" / "v" / "cache" / "lastfailed").is_file()
    files({"proj/test_f.py": "def test_f():\n    pass\n"})
    assert run("-o", "cache_dir=.cache", "--cache-clear", cwd=proj).ret == 0
    assert (other / "state").read_text() == "other tool's"
    assert not (proj / ".cache" / "v" / "cache" / "nodeids").exists() or \
        "test_f" in (proj / ".cache" / "v" / "cache" / "nodeids").read_text()


def test_cache_clear_through_a_symlinked_cache_dir(files, run, tmp_path):
    proj = _project(files, tmp_path)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (proj / ".minitest_cache").symlink_to(target)
    files({"proj/test_f.py": "def test_f():\n    assert 0\n"})
    assert run(cwd=proj).ret == 1
    assert (target / "v" / "cache" / "lastfailed").is_file()
    files({"proj/test_f.py": "def test_f():\n    pass\n"})
    # cleared: --lf has no stale failure to select from, so everything runs
    result = run("--cache-clear", "--lf", cwd=proj)
    assert result.outcomes() == {"passed": 2}, result.dump()
    assert (proj / ".minitest_cache").is_symlink() and target.is_dir()


def test_a_test_removing_the_cache_dir_does_not_lose_the_failures(files, run, tmp_path):
    proj = _project(files, tmp_path)
    files({"proj/test_f.py": """
        import pathlib, shutil
        def test_rm():
            shutil.rmtree(pathlib.Path(__file__).parent / ".minitest_cache")
        def test_f():
            assert 0
    """})
    (proj / ".minitest_cache").mkdir()
    assert run(cwd=proj).ret == 1
    run(cwd=proj)  # the failure is the same: nothing changed, but the file is gone
    result = run("--lf", cwd=proj)
    assert result.outcomes() == {"failed": 1}, result.dump()  # test_rm left out at collection (pytest)


# -- the per-user temp root -----------------------------------------------------------------------


def _root_run(run, proj, temproot, *args):
    return run(*args, cwd=proj, env={"TMPDIR": str(temproot)})


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_temp_root_owned_by_another_user_is_refused(files, run, tmp_path):
    proj = _project(files, tmp_path)
    temproot = tmp_path / "tmp"
    planted = temproot / f"minitest-of-{_user()}"
    planted.mkdir(parents=True)
    planted.chmod(0o777)
    os.chown(planted, 4242, 4242)  # "another local user" (no account needed for the check)
    result = _root_run(run, proj, temproot)
    assert result.ret == 1, result.dump()
    assert f"The temporary directory {planted} is not owned by the current user" in result.stdout, result.dump()
    assert list(planted.iterdir()) == []


def test_temp_root_symlink_is_refused_and_own_root_is_made_private(files, run, tmp_path):
    proj = _project(files, tmp_path)
    temproot = tmp_path / "tmp"
    temproot.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = temproot / f"minitest-of-{_user()}"
    link.symlink_to(elsewhere)
    result = _root_run(run, proj, temproot)
    assert result.ret == 1 and "is not a directory" in result.stdout, result.dump()
    assert list(elsewhere.iterdir()) == []
    link.unlink()
    link.mkdir(mode=0o777)
    link.chmod(0o777)
    assert _root_run(run, proj, temproot).ret == 0
    assert link.stat().st_mode & 0o777 == 0o700


def _user():
    import getpass

    return getpass.getuser()


def test_old_runs_pruned_only_when_minitests_and_finished(files, run, tmp_path):
    proj = _project(files, tmp_path)
    temproot = tmp_path / "tmp"
    user_root = temproot / f"minitest-of-{_user()}"
    user_root.mkdir(parents=True, mode=0o700)
    # not minitest's (no .lock): a directory that happens to have the name
    (user_root / "minitest-0").mkdir()
    (user_root / "minitest-0" / "data").write_text("x")
    # a symlink with the name, to a directory of the user's
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data").write_text("x")
    (user_root / "minitest-1").symlink_to(outside)
    # a live run of another PID namespace: its pid means nothing here, its flock does
    live = user_root / "minitest-2"
    live.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(live)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"locked\n"
        # a finished run of an older minitest: empty lock
        (user_root / "minitest-3").mkdir()
        (user_root / "minitest-3" / ".lock").write_text("")
        for _ in range(5):
            assert _root_run(run, proj, temproot).ret == 0
        names = sorted(p.name for p in user_root.iterdir())
        assert "minitest-0" in names and "minitest-1" in names and "minitest-2" in names, names
        assert "minitest-3" not in names, names
        assert (outside / "data").is_file() and (live / "keep").is_file()
        # the last three runs of minitest are kept, the others it made are gone
        assert names[-3:] == ["minitest-6", "minitest-7", "minitest-8"], names
        assert "minitest-4" not in names and "minitest-5" not in names
    finally:
        holder.kill()
        holder.wait()


_HOLD_LOCK = """
import fcntl, os, sys, time
d = sys.argv[1]
open(os.path.join(d, "keep"), "w").close()
fd = os.open(os.path.join(d, ".lock"), os.O_CREAT | os.O_WRONLY, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"999999")
print("locked", flush=True)
time.sleep(60)
"""


def test_forked_child_does_not_release_the_parents_run(files, run, tmp_path):
    proj = _project(files, tmp_path)
    files({"proj/test_fork.py": """
        import atexit, os, subprocess, sys
        CHECK = "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, 6)"
        def test_fork(tmp_path_factory):
            lock = tmp_path_factory.getbasetemp() / ".lock"
            pid = os.fork()
            if pid == 0:
                atexit._run_exitfuncs()  # what a child that falls through runs at its end
                os._exit(0)
            os.waitpid(pid, 0)
            # still locked: another process cannot take the lock, so no run prunes this one
            proc = subprocess.run([sys.executable, "-c", CHECK, str(lock)], capture_output=True, text=True)
            assert "BlockingIOError" in proc.stderr
    """})
    temproot = tmp_path / "tmp"
    temproot.mkdir()
    assert _root_run(run, proj, temproot, "test_fork.py").ret == 0


def test_minitester_with_basetemp_in_addopts_keeps_the_outer_basetemp(files, run, tmp_path):
    proj = _project(files, tmp_path)
    files({"proj/test_inner.py": """
        def test_inner(minitester, tmp_path_factory):
            outer = tmp_path_factory.getbasetemp()
            (outer / "evidence").write_text("x")
            minitester.makepyfile(test_x="def test_x(tmp_path): pass")
            minitester.runminitest().assert_outcomes(passed=1)
            minitester.runminitest_subprocess().assert_outcomes(passed=1)
            assert (outer / "evidence").read_text() == "x"
    """})
    base = tmp_path / "base"
    result = run("test_inner.py", cwd=proj, env={"MINITEST_ADDOPTS": f"--basetemp={base}"})
    assert result.ret == 0, result.dump()
    assert (base / "evidence").is_file()


def test_tmp_path_retention_policies(files, run, tmp_path):
    """``tmp_path_retention_policy``: "failed" keeps only the failed tests' tmp_path, "none" removes
    the run's base when it ends (what the tests wrote does not stay on disk); a bad value is a
    usage error."""
    files({"test_t.py": """
        def test_passes(tmp_path):
            (tmp_path / "secret.txt").write_text("passed")
            print("DIR", tmp_path)

        def test_fails(tmp_path):
            (tmp_path / "secret.txt").write_text("failed")
            print("DIR", tmp_path)
            assert False
    """})
    base = tmp_path / "base"

    def dirs(result):
        return [line.split("DIR ", 1)[1] for line in result.output.splitlines() if "DIR " in line]

    files({"minitest.ini": "[minitest]\ntmp_path_retention_policy = failed\n"})
    result = run(f"--basetemp={base}", "-s")
    assert result.ret == 1, result.dump()
    kept = {d: os.path.exists(d) for d in dirs(result)}
    assert sorted(kept.values()) == [False, True], kept  # the passing test's directory is gone
    files({"minitest.ini": "[minitest]\ntmp_path_retention_policy = none\n"})
    result = run(f"--basetemp={base}", "-s")
    assert result.ret == 1 and len(dirs(result)) == 2, result.dump()
    assert not any(os.path.exists(d) for d in dirs(result)) and not base.exists()
    files({"minitest.ini": "[minitest]\ntmp_path_retention_policy = some\n"})
    result = run()
    assert result.ret == 4
    assert "tmp_path_retention_policy must be either all, failed, none. Current input: some." in result.stderr
    files({"minitest.ini": "[minitest]\ntmp_path_retention_count = -1\n"})
    assert run().ret == 4
