"""Local workers forked after collection (``builtin_plugins/parallel/forked.py``) and their exact
fallback to spawned (execnet) workers: the same per-test outcomes as a run without workers."""

from __future__ import annotations

import json
import sys
from collections import Counter

import pytest
from conftest import verbose_nodeids

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no os.fork")

SUITE = {
    "conftest.py": """
        import os
        import minitest

        def _log(request, what):
            with open(os.path.join(str(request.config.rootpath), "setups.log"), "a") as log:
                log.write(f"{what} {os.getpid()}\\n")

        @minitest.fixture(scope="session")
        def session_res(request):
            _log(request, "session")
            yield "s"
            _log(request, "session-teardown")

        @minitest.fixture(scope="package")
        def package_res():
            return "p"

        @minitest.fixture(scope="module")
        def module_res(request, session_res):
            return request.module.__name__
    """,
    "test_alpha.py": """
        import minitest

        @minitest.fixture(scope="class")
        def class_res():
            return []

        class TestScopes:
            def test_one(self, class_res, module_res, package_res): class_res.append(1)
            def test_two(self, class_res, module_res): assert class_res == [1]

        @minitest.mark.parametrize("n", range(6))
        def test_param(session_res, n): assert n != 4

        def test_prints():
            print("visible in the report")
            assert 0

        def test_skip(): minitest.skip("not today")

        @minitest.mark.xfail(reason="known")
        def test_xfail(): assert 0

        @minitest.fixture
        def broken(): raise RuntimeError("setup boom")

        def test_error(broken): pass
    """,
    "test_crash.py": """
        import os

        def test_before(module_res): pass
        def test_dies(): os._exit(3)
        def test_after(module_res): pass
    """,
}


def _outcomes(result) -> Counter:
    return Counter(verbose_nodeids(result))


def test_same_outcomes_serial_forked_spawned_and_auto(files, run, tmp_path):
    files(SUITE)
    serial = run("-v", "-p", "no:cache", "-k", "not dies")
    assert serial.ret == 1, serial.dump()
    expected = _outcomes(serial)
    assert len(expected) == 14, serial.dump()

    forked = run("-v", "-n", "2", "-k", "not dies")
    spawned = run("-v", "-n", "2", "-k", "not dies", env={"MINITEST_DIST_FORK": "0"})
    # the forked run wrote what each test took: with enough known work, -n auto starts workers
    durations_file = tmp_path / ".minitest_cache" / "v" / "parallel" / "durations"
    known = json.loads(durations_file.read_text())
    assert set(known) == {nodeid for nodeid, _ in expected}, known
    durations_file.write_text(json.dumps({nodeid: 0.1 for nodeid in known}))
    auto = run("-v", "-n", "auto", "-k", "not dies")
    for name, result in {"forked": forked, "spawned": spawned, "auto": auto}.items():
        context = f"--- {name}\n{result.dump()}\n--- serial\n{serial.dump()}"
        assert _outcomes(result) == expected, context
        assert (result.ret, result.outcomes()) == (serial.ret, serial.outcomes()), context
        result.fnmatch_lines(["*setup boom*", "*- Captured stdout call -*", "visible in the report"])
    forked.fnmatch_lines(["created: 2/2 workers", "2 workers [[]14 items[]]",
                          "forked after collection; scheduling: load, batches of up to *"])
    spawned.fnmatch_lines(["created: 2/2 workers", "2 workers [[]14 items[]]"])
    spawned.no_fnmatch_line("*forked*")
    auto.fnmatch_lines(["forked after collection; scheduling: load, batches of up to *, "
                        "the 14 longest known first"])
    # each process set its session fixture up once and tore it down at its end: the serial run,
    # and every worker of the four runs that was given a test (how many were is up to the timing)
    words = (tmp_path / "setups.log").read_text().split()
    per_process: dict[str, Counter] = {}
    for what, pid in zip(words[::2], words[1::2], strict=True):
        per_process.setdefault(pid, Counter())[what] += 1
    assert all(seen == {"session": 1, "session-teardown": 1} for seen in per_process.values()), per_process
    assert len(per_process) >= 4, per_process  # the serial run and at least one worker per parallel run


def test_a_worker_dying_in_a_fixture_is_blamed_on_its_test(files, run):
    # the worker says which test runs before its set-up starts: a death there, before the test
    # reported anything, is still that test's
    files({"test_fixture_crash.py": """
        import os
        import minitest

        @minitest.fixture
        def dies():
            os._exit(4)

        def test_first():
            pass

        def test_set_up_dies(dies):
            pass
    """})
    result = run("-v", "-n", "1", "-p", "no:cache")
    assert result.ret == 1, result.dump()
    assert dict(verbose_nodeids(result)) == {"test_fixture_crash.py::test_first": "PASSED",
                                             "test_fixture_crash.py::test_set_up_dies": "FAILED"}, result.dump()
    result.fnmatch_lines(["*worker 'gw0' crashed while running test_fixture_crash.py::test_set_up_dies*"])
    assert "exited with code 4" in result.stdout, result.dump()


def test_crash_and_exitfirst_on_forked_workers(files, run):
    files(SUITE)
    for env in ({}, {"MINITEST_DIST_FORK": "0"}):
        crash = run("-v", "-n", "2", "test_crash.py", env=env)
        assert crash.ret == 1, crash.dump()
        assert dict(verbose_nodeids(crash)) == {"test_crash.py::test_before": "PASSED",
                                                "test_crash.py::test_dies": "FAILED",
                                                "test_crash.py::test_after": "PASSED"}, crash.dump()
        crash.re_match_lines([r"worker 'gw\d' crashed while running test_crash.py::test_dies"])
        assert "exited with code 3" in crash.stdout, crash.dump()

        stop = run("-x", "-n", "2", "test_alpha.py", env=env)
        assert stop.ret == 1, stop.dump()
        stop.fnmatch_lines(["*stopping after * failures*"])
        # one failure, or two when the other worker's test in flight failed as well (which test
        # that is depends on the timing; tests/test_dist.py makes it exact with a handshake)
        outcomes = stop.outcomes()
        assert outcomes.get("failed", 0) + outcomes.get("errors", 0) in (1, 2), stop.dump()


def test_auto_runs_a_small_suite_in_this_process(files, run, tmp_path):
    files({"test_small.py": "import os\ndef test_one(): assert 'PYTEST_XDIST_WORKER' not in os.environ\n"})
    result = run("-n", "auto")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["-n auto: no workers for 1 tests of ~0.00s known test time*running in this process"])
    result.no_fnmatch_line("created:*")
    # what the test took is recorded all the same, for the next -n auto
    durations = tmp_path / ".minitest_cache" / "v" / "parallel" / "durations"
    assert list(json.loads(durations.read_text())) == ["test_small.py::test_one"]


def test_plugins_that_need_spawned_workers_keep_them(files, run):
    """A plugin in the worker protocol, or a test file reading the worker's environment, gets
    workers started as workers (execnet), as before forked workers existed."""
    files({"test_plain.py": "def test_one(): pass\ndef test_two(): pass\n"})
    files({"conftest.py": "def minitest_testnodedown(node, error):\n    pass\n"})
    protocol = run("-n", "2")
    assert protocol.ret == 0, protocol.dump()
    protocol.fnmatch_lines(["created: 2/2 workers"])
    protocol.no_fnmatch_line("*forked*")

    files({"conftest.py": "", "test_env.py": """
        import os
        WORKER = os.environ.get("PYTEST_XDIST_WORKER")
        def test_worker(): assert WORKER in ("gw0", "gw1")
    """})
    env_reader = run("-n", "2")
    assert env_reader.ret == 0, env_reader.dump()
    env_reader.fnmatch_lines(["workers spawned, not forked: *test_env.py reads the worker's environment",
                              "created: 2/2 workers"])


def test_each_forked_worker_captures_its_own_output(files, run):
    """The workers inherit the capture's temporary file from the controller: shared, their tests'
    output mixed (a lost or moved character in one test of a few hundred, now and then)."""
    files({"test_out.py": """
        import minitest

        @minitest.mark.parametrize("i", range(300))
        def test_out(i):
            print(f"line-{i}-end")
            assert i % 2, "boom"
    """})
    result = run("-n", "2", "-p", "no:cache")
    assert result.outcomes() == {"failed": 150, "passed": 150}, result.dump()
    captured = [result.lines[i + 1] for i, line in enumerate(result.lines) if "Captured stdout call" in line]
    assert sorted(captured) == sorted(f"line-{i}-end" for i in range(0, 300, 2)), result.dump()


def test_scheduler_longest_first_and_batch_sizes():
    from builtin_plugins.parallel.forking import auto_workers, estimated_seconds
    from builtin_plugins.parallel.scheduling import Scheduler

    ids = [f"t.py::test_{i}" for i in range(10)]
    sched = Scheduler(ids, "load", 2, low_water=3, max_batch=4, first=[7, 2])
    assert sched.take(pending=4) == []  # above the low water: nothing yet
    assert sched.take(pending=3) == [7, 2]  # 10 // 8 = 1, at least 2: the longest first
    assert sched.take(pending=0) == [0, 1]
    assert sched.remaining() == 6
    # batches are sized from the estimates: known durations plus minitest's own cost per test
    assert estimated_seconds(ids[:2], {ids[0]: 0.5}) == [0.5001, 0.0001]
    # -n auto: none for a small, unknown or trivial suite; else the count that saves the most
    assert auto_workers(2, [0.0] * 10) == 0
    assert auto_workers(2, [0.00003] * 10_000) == 0  # 10,000 trivial tests: the transport costs more
    assert auto_workers(2, [0.002] * 400) == 2  # 400 tests of 2 ms
    assert auto_workers(8, [0.06] * 10) == 5  # a sixth worker would cost what it saves
