"""A run on workers behaves like a serial one: ``-s`` output, ``-x`` stopping every worker, a crash
reported once, ``--basetemp`` per worker, a forked child that falls through, ``-v`` naming the
worker, the header; and the same per-test outcomes as a serial run.

Each run goes through the real ``minitest`` console script on a folder in tmp_path; nothing is
asserted on wall time (what ran and how it ended tells whether the workers stopped early).
"""

from __future__ import annotations

import sys
import textwrap

import pytest
from conftest import build_minitest_command, run_and_interrupt, verbose_nodeids

#: a session fixture whose teardown leaves a mark per process: it ran, so the worker ended well
TEARDOWN_CONFTEST = """
    import minitest

    @minitest.fixture(scope="session", autouse=True)
    def session_mark(worker_id, request):
        yield
        (request.config.rootpath / f"teardown-{worker_id}").touch()
"""


def test_print_output_of_workers_reaches_the_terminal(files, script):
    files({"test_out.py": """
        import sys

        def test_prints():
            print("printed by a test")
            sys.stderr.write("written to stderr\\n")

        def test_disabled(capsys):
            with capsys.disabled():
                print("printed with capture disabled")
    """})
    serial = script("-s")
    parallel = script("-s", "-n", "2")
    assert serial.ret == parallel.ret == 0, parallel.dump()
    for result in (serial, parallel):
        assert "printed by a test" in result.stdout, result.dump()
        assert "printed with capture disabled" in result.stdout, result.dump()
        assert "written to stderr" in result.stderr, result.dump()
    # captured (no -s): the worker's output stays with its test, as in a serial run
    captured = script("-n", "2")
    assert "printed by a test" not in captured.stdout, captured.dump()
    assert "printed with capture disabled" in captured.stdout, captured.dump()


def test_exitfirst_interrupts_the_test_running_on_the_other_worker(files, script, tmp_path):
    # test_fails fails as soon as the other worker is inside one of the long tests; that test
    # would last a minute: it is cut short (never reported, as a serial run would never have
    # started it), and each worker still tears its session fixture down
    long = "".join(f"def test_long_{i}():\n    started({i})\n\n" for i in range(20))
    files({"conftest.py": TEARDOWN_CONFTEST, "test_stop.py": textwrap.dedent("""
        import time
        from pathlib import Path

        HERE = Path(__file__).parent

        def started(i):
            (HERE / f"started_{i}").touch()
            time.sleep(60)

        def test_fails():
            deadline = time.monotonic() + 60
            while not list(HERE.glob("started_*")) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert 0

    """) + long})
    for option in ("-x", "--maxfail=1"):
        for leftover in [*tmp_path.glob("started_*"), *tmp_path.glob("teardown-*")]:
            leftover.unlink()
        result = script("-n", "2", "-v", option)
        assert result.ret == 1, result.dump()
        assert verbose_nodeids(result) == [("test_stop.py::test_fails", "FAILED")], result.dump()
        assert result.outcomes() == {"failed": 1}, result.dump()
        assert len(list(tmp_path.glob("started_*"))) == 1, result.dump()
        assert sorted(p.name for p in tmp_path.glob("teardown-*")) == ["teardown-gw0", "teardown-gw1"], result.dump()
        result.re_match_lines([r"^!+ stopping after 1 failures !+$"])


def test_basetemp_gives_each_worker_its_own_directory(files, script, tmp_path):
    files({"test_tmp.py": """
        import time
        import minitest

        @minitest.mark.parametrize("n", range(8))
        def test_own_tmp_path(tmp_path, n):
            (tmp_path / "mine").write_text(str(n))
            time.sleep(0.2)  # the other workers start (and empty their base) meanwhile
            assert (tmp_path / "mine").read_text() == str(n)
    """})
    # a base an earlier run made (minitest empties only those: tests/test_data_loss.py)
    assert script("--basetemp=base").ret == 0
    (tmp_path / "base" / "stale").write_text("from an earlier run")
    result = script("-n", "4", "--basetemp=base")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=8)
    workers = sorted(p.name for p in (tmp_path / "base").iterdir() if p.name != ".lock")
    assert workers == ["popen-gw0", "popen-gw1", "popen-gw2", "popen-gw3"], workers


def test_a_forked_child_that_falls_through_ends_and_fails_its_test(files, script):
    files({"test_fork.py": """
        import os

        def test_before(): pass

        def test_fork():
            pid = os.fork()
            if pid == 0:
                return  # the child forgot os._exit()
            os.waitpid(pid, 0)

        def test_after(): pass
    """})
    result = script("-n", "2", "-v")
    assert result.ret == 1, result.dump()
    assert dict(verbose_nodeids(result)) == {"test_fork.py::test_before": "PASSED",
                                            "test_fork.py::test_fork": "FAILED",
                                            "test_fork.py::test_after": "PASSED"}, result.dump()
    result.fnmatch_lines(["*a process forked by test_fork.py::test_fork returned into minitest instead of exiting*"])


def test_verbose_names_the_worker_and_the_header_the_distribution(files, script):
    files({"test_a.py": "def test_1(): pass\ndef test_2(): pass\n"})
    result = script("-n", "2", "-v")
    result.re_match_lines([r"^test_a.py::test_\d PASSED \[gw[01]\] +\[ 50%\]$"])
    result.fnmatch_lines(["workers: 2 (-n 2), --dist load: tests given out in small batches to whichever worker is free"])
    by_file = script("-n", "2", "--dist", "loadfile")
    by_file.fnmatch_lines(["workers: 2 (-n 2), --dist loadfile: tests given out a file at a time"])
    serial = script("-v")
    serial.no_fnmatch_line("*[[]gw*")
    serial.no_fnmatch_line("workers:*")


SCOPES_SUITE = {
    "pkg/__init__.py": "",
    "pkg/conftest.py": """
        import minitest

        @minitest.fixture(scope="session")
        def session_value(): return {"n": 0}

        @minitest.fixture(scope="package")
        def package_value(): return "pkg"
    """,
    "pkg/test_scopes.py": """
        import os
        import minitest

        @minitest.fixture(scope="module")
        def module_value(session_value):
            session_value["n"] += 1
            return session_value["n"]

        @minitest.fixture
        def function_value(): return 1

        class TestClass:
            @minitest.fixture(scope="class")
            def class_value(self, package_value): return package_value + "-class"

            def test_class(self, class_value, function_value): assert class_value == "pkg-class"
            def test_class_fails(self, class_value): assert class_value == "other"

        @minitest.mark.parametrize("n", range(3))
        def test_param(module_value, n): assert module_value == 1

        def test_skip(): minitest.skip("skipped")
        @minitest.mark.xfail
        def test_xfail(): assert 0
        @minitest.fixture
        def broken(): raise RuntimeError("setup fails")
        def test_error(broken): pass
        def test_crash():
            if os.environ.get("PYTEST_XDIST_WORKER"):
                os._exit(3)   # a serial run would die with it: it runs only on workers
    """,
}


def test_same_outcomes_serial_and_on_workers(files, script):
    files(SCOPES_SUITE)
    crash = "pkg/test_scopes.py::test_crash"
    serial = script("-v", "--deselect", crash)
    expected = dict(verbose_nodeids(serial))
    assert len(expected) == 8, serial.dump()
    expected[crash] = "FAILED"  # the crash: reported once, as failed
    for mode in ("load", "loadscope"):
        parallel = script("-v", "-n", "2", "--dist", mode, "--junitxml=out.xml")
        got = verbose_nodeids(parallel)
        assert dict(got) == expected and len(got) == len(expected), parallel.dump()  # none twice
        assert parallel.ret == serial.ret == 1, parallel.dump()
        parallel.re_match_lines([rf"^.*worker 'gw\d' crashed while running {crash}"])
    # -x: the first failure ends both runs at the same point
    files({"pkg/test_scopes.py": textwrap.dedent("""
        import os, time
        from pathlib import Path

        HERE = Path(__file__).parent

        def test_first_fails(session_value):
            if os.environ.get("PYTEST_XDIST_WORKER"):  # wait until the other worker is busy
                deadline = time.monotonic() + 60
                while not list(HERE.glob("busy_*")) and time.monotonic() < deadline:
                    time.sleep(0.01)
            assert 0

    """) + "".join(f"def test_busy_{i}(package_value):\n    (HERE / 'busy_{i}').touch()\n    time.sleep(60)\n\n"
                  for i in range(10))})
    serial_x = script("-v", "-x")
    parallel_x = script("-v", "-x", "-n", "2")
    assert verbose_nodeids(parallel_x) == verbose_nodeids(serial_x) == [
        ("pkg/test_scopes.py::test_first_fails", "FAILED")], parallel_x.dump()
    assert parallel_x.ret == serial_x.ret == 1
    assert parallel_x.outcomes() == serial_x.outcomes() == {"failed": 1}


@pytest.mark.parametrize("target", ["process group", "controller"])
def test_ctrl_c_stops_the_workers_and_prints_the_partial_summary(files, tmp_path, target):
    # Ctrl-C at a terminal reaches the whole process group; a kill -INT only the controller:
    # either way the workers' running tests are cut short, their session fixtures torn down,
    # and the summary says what ran, as a serial run's does
    if sys.platform == "win32":
        pytest.skip("SIGINT to a child process is POSIX only")
    files({"conftest.py": TEARDOWN_CONFTEST, "test_int.py": """
        import time
        from pathlib import Path

        import minitest

        def test_first():
            pass

        @minitest.mark.parametrize("i", range(4))
        def test_waits(i):
            Path(__file__).with_name(f"started-{i}").write_text("yes")
            time.sleep(120)
    """})
    cmd, env = build_minitest_command("-p", "no:cache", "-v", "-n", "2")
    # once both workers are inside a long test
    result = run_and_interrupt(cmd, tmp_path, env, lambda: len(list(tmp_path.glob("started-*"))) >= 2,
                               whole_group=target == "process group")
    assert result.ret == 2, result.dump()
    result.fnmatch_lines(["test_int.py::test_first PASSED*", "*! KeyboardInterrupt !*"])
    assert result.final_line().startswith("=") and " 1 passed in " in result.final_line(), result.dump()
    assert "test_waits" not in result.stdout, result.dump()  # cut short: not reported, as serially
    assert sorted(p.name for p in tmp_path.glob("teardown-*")) == ["teardown-gw0", "teardown-gw1"], result.dump()
