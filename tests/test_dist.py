"""The ``dist`` plugin: -n / --tx workers on execnet, scheduling, crash recovery, bad input.

Every run starts real worker processes, so each test groups several checks on one folder.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections import Counter

import pytest
from conftest import verbose_nodeids

SUITE = {
    "conftest.py": """
        import os
        import minitest

        @minitest.fixture(scope="module")
        def module_resource(request):
            # one line per set-up: which module, in which process
            with open(os.path.join(str(request.config.rootpath), "setups.log"), "a") as log:
                log.write(f"{request.module.__name__} {os.getpid()}\\n")
            return 42
    """,
    "test_alpha.py": """
        import minitest

        def test_pass(module_resource): assert module_resource == 42
        def test_fail(module_resource): assert module_resource == 0
        @minitest.mark.parametrize("n", range(4))
        def test_param(module_resource, n): assert n < 3
        def test_skip(): minitest.skip("not today")
        @minitest.mark.xfail(reason="known")
        def test_xfail(): assert 0
    """,
    "test_beta.py": """
        import minitest

        @minitest.fixture
        def broken(): raise RuntimeError("setup boom")

        class TestGroup:
            def test_one(self, module_resource): pass
            def test_two(self, module_resource): pass
            def test_error(self, broken): pass
        def test_out(capsys): print("hello"); assert 1
    """,
    "sub/test_gamma.py": """
        import warnings

        def test_warns(module_resource): warnings.warn("careful", UserWarning)
        def test_more(module_resource): pass
    """,
}


def _outcomes_by_id(result) -> Counter:
    return Counter(verbose_nodeids(result))


def test_same_outcomes_with_and_without_workers(files, run, tmp_path):
    files(SUITE)
    base = run("-v", "-n", "0")
    assert base.ret == 1, base.dump()
    expected = _outcomes_by_id(base)
    assert len(expected) == 14, base.dump()
    runs = {
        "load": run("-v", "-n", "2", "--junitxml=out.xml"),
        "loadfile": run("-v", "--tx", f"popen//python={sys.executable}", "--tx", "popen", "--dist", "loadfile"),
    }
    (tmp_path / "setups.log").unlink()
    runs["loadscope"] = run("-v", "-n", "2", "--dist", "loadscope")
    for mode, result in runs.items():
        context = f"--- mode {mode}\n{result.dump()}\n--- without workers\n{base.dump()}"
        assert _outcomes_by_id(result) == expected, context
        assert result.ret == base.ret, context
        assert result.outcomes() == base.outcomes(), context
        result.fnmatch_lines(["created: 2/2 workers", "2 workers ?14 items?"])
        result.fnmatch_lines(["*setup boom*", "*careful*"])
    # loadscope keeps a module on one worker: its module fixture is set up once
    setups = (tmp_path / "setups.log").read_text().split()
    modules = Counter(setups[::2])
    assert modules == {"test_alpha": 1, "test_beta": 1, "test_gamma": 1}, setups
    # reporters in the controller see every report
    xml = (tmp_path / "out.xml").read_text()
    assert xml.count("<testcase") == 14, xml


def test_worker_crash_is_reported_and_the_run_completes(files, run):
    files({"test_crash.py": """
        import os, signal

        def test_a(): pass
        def test_exit(): os._exit(3)
        def test_b(): pass
        def test_kill(): os.kill(os.getpid(), signal.SIGKILL)
        def test_c(): pass
        def test_d(): assert 0
        def test_e(): pass
    """})
    result = run("-n", "2", "-v")
    assert result.ret == 1, result.dump()
    assert result.outcomes() == {"failed": 3, "passed": 4}, result.dump()
    got = dict(verbose_nodeids(result))
    assert got["test_crash.py::test_exit"] == "FAILED" and got["test_crash.py::test_kill"] == "FAILED"
    assert len(got) == 7, result.dump()
    result.re_match_lines([r"worker 'gw\d' crashed while running test_crash.py::test_(exit|kill)"])
    assert "exited with code 3" in result.stdout and "killed by signal 9" in result.stdout
    # a crash with tests left is replaced; one with none left (an idle worker took them) is not
    assert result.stdout.count("replacing crashed worker") in (1, 2), result.dump()



def test_max_worker_restart_counts_replacements_exactly(files, run):
    # one crash with 0 restarts allowed: no replacement, the run stops at the crash (a suite that
    # crashes twice could not tell 0 restarts from 1)
    files({"test_crash.py": """
        import os

        def test_a(): pass
        def test_exit(): os._exit(3)
        def test_b(): pass
    """})
    none = run("-n", "1", "--max-worker-restart", "0", "-v")
    assert none.ret == 2, none.dump()
    assert verbose_nodeids(none) == [("test_crash.py::test_a", "PASSED"),
                                     ("test_crash.py::test_exit", "FAILED")], none.dump()
    # test_b, never run: counted on the final line, as with --tx workers
    none.re_match_lines([r"^=+ 1 failed, 1 passed, 1 not run in [\d.]+s =+$"])
    assert "replacing crashed worker" not in none.stdout, none.dump()
    none.re_match_lines([r"^!+ Interrupted: maximum crashed workers reached: 0 !+$"])
    # two crashes with 1 restart allowed: one replacement, then the second crash stops the run
    files({"test_crash.py": """
        import os, signal

        def test_a(): pass
        def test_exit(): os._exit(3)
        def test_b(): pass
        def test_kill(): os.kill(os.getpid(), signal.SIGKILL)
        def test_c(): pass
    """})
    one = run("-n", "1", "--max-worker-restart", "1", "-v")
    assert one.ret == 2, one.dump()
    assert verbose_nodeids(one) == [("test_crash.py::test_a", "PASSED"), ("test_crash.py::test_exit", "FAILED"),
                                    ("test_crash.py::test_b", "PASSED"), ("test_crash.py::test_kill", "FAILED")]
    one.re_match_lines([r"^=+ 2 failed, 2 passed, 1 not run in [\d.]+s =+$"])
    assert one.stdout.count("replacing crashed worker") == 1, one.dump()
    one.re_match_lines([r"^replacing crashed worker gw0$",
                        r"^!+ Interrupted: maximum crashed workers reached: 1 !+$"])


@pytest.mark.parametrize("workers", ["forked", "spawned"])
def test_exitfirst_stops_all_workers(files, run, tmp_path, workers):
    # test_fails fails once the other worker is inside a slow test; that test is cut short (a
    # serial run would not have started it: tests/test_parallel_like_serial.py) and no worker
    # starts another; the same with workers forked after collection and started as interpreters
    slow = "".join(f"def test_slow_{i}():\n    started({i})\n\n" for i in range(20))
    files({"test_slow.py": textwrap.dedent("""
        import time
        from pathlib import Path

        HERE = Path(__file__).parent

        def wait_for(pattern):
            deadline = time.monotonic() + 60
            while not list(HERE.glob(pattern)) and time.monotonic() < deadline:
                time.sleep(0.01)

        def started(i):
            (HERE / f"started_{i}").touch()
            wait_for("failing")
            time.sleep(30)

        def test_fails():
            wait_for("started_*")
            (HERE / "failing").touch()
            assert 0

    """) + slow})
    result = run("-n", "2", "-x", "-v", env={"MINITEST_DIST_FORK": "0"} if workers == "spawned" else None)
    assert result.ret == 1, result.dump()
    if workers == "forked":
        result.fnmatch_lines(["*forked after collection*"])
    else:
        result.fnmatch_lines(["created: 2/2 workers"])
        result.no_fnmatch_line("*forked*")
    started = [p.name for p in tmp_path.glob("started_*")]
    assert len(started) == 1, (started, result.dump())
    assert verbose_nodeids(result) == [("test_slow.py::test_fails", "FAILED")], result.dump()
    assert result.outcomes() == {"failed": 1}, result.dump()
    result.re_match_lines([r"^!+ stopping after 1 failures !+$"])


def test_bad_worker_specs_and_collections(files, run, tmp_path):
    files({"test_ok.py": "def test_1(): pass\ndef test_2(): pass\n"})
    alone = run("--tx", "popen//python=/nonexistent/python")
    assert alone.ret == 4, alone.dump()
    assert "popen//python=/nonexistent/python" in alone.stderr, alone.dump()

    one_bad = run("--tx", "popen//python=/nonexistent/python", "--tx", "popen")
    assert one_bad.ret == 0, one_bad.dump()
    one_bad.fnmatch_lines(["WARNING: could not start worker gw0 on this machine (popen): python=/nonexistent/python "
                           "cannot be run: No such file or directory (spec 'popen//python=/nonexistent/python'); "
                           "continuing with 1 worker"])
    one_bad.assert_outcomes(passed=2)

    files({"test_ok.py": """
        import os
        if os.environ.get("PYTEST_XDIST_WORKER") == "gw1":
            def test_only_on_gw1(): pass
        def test_1(): pass
    """})
    differ = run("-n", "2")
    assert differ.ret == 2, differ.dump()
    differ.fnmatch_lines(["*Different tests were collected between gw0 and gw1*", "+test_ok.py::test_only_on_gw1"])

    files({"conftest.py": """
        import os
        if os.environ.get("PYTEST_XDIST_WORKER") == "gw1":
            os._exit(7)
    """})
    dies = run("-n", "2")
    assert dies.ret == 2, dies.dump()
    dies.fnmatch_lines(["*worker 'gw1' crashed during collection*", "*exited with code 7*"])


def test_no_distribution_cases(files, run):
    """-n 0, --dist no and --collect-only run in this process; bad -n is a usage error."""
    files({"test_pid.py": """
        import os
        def test_worker_env(): assert "PYTEST_XDIST_WORKER" not in os.environ
    """})
    for args in (["-n", "0"], ["-n", "2", "--dist", "no"]):
        result = run(*args)
        assert result.ret == 0, result.dump()
        result.no_fnmatch_line("*workers*")
    collect = run("-n", "2", "--co", "-q")
    assert collect.ret == 0 and "test_pid.py::test_worker_env" in collect.stdout, collect.dump()
    bad = run("-n", "many")
    assert bad.ret == 4 and "many" in bad.stderr, bad.dump()


def test_rsyncdir_ships_the_tests_to_the_worker_directory(files, run, tmp_path):
    files({"proj/test_where.py": """
        import os

        def test_runs_in_the_copy(worker_id):
            assert worker_id == "gw0"
            assert os.getcwd().endswith(os.path.join("remote", "proj"))
    """})
    (tmp_path / "remote").mkdir()
    result = run("--tx", f"popen//chdir={tmp_path / 'remote'}", "--rsyncdir", ".", cwd=tmp_path / "proj")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=1)
    assert (tmp_path / "remote" / "proj" / "test_where.py").is_file()


def test_xdist_hooks_for_other_plugins(files, run, tmp_path):
    """pytest-xdist's contract: a plugin (here a conftest, both spellings of the hooks) fills
    ``node.workerinput`` before a worker starts, reads it as ``config.workerinput`` there, fills
    ``config.workeroutput`` and gets it back as ``node.workeroutput`` when the worker is down; a
    crashed test can be put back with ``sched.mark_test_pending``; ``-n auto`` asks the plugins."""
    files({
        "conftest.py": """
            import json, os
            import pytest

            def log(*words):
                with open(os.path.join(os.path.dirname(__file__), "events.log"), "a") as out:
                    out.write(json.dumps(words) + "\\n")

            def pytest_xdist_auto_num_workers(config):
                return 3

            def pytest_xdist_setupnodes(config, specs):
                log("setupnodes", [str(s) for s in specs])

            def pytest_xdist_newgateway(gateway):
                log("newgateway", gateway.id)

            def minitest_configure_node(node):
                node.workerinput["secret"] = "s-" + node.gateway.id
                log("configure_node", node.workerinput["workerid"], node.config.hook.pytest_configure_node is not None)

            def pytest_testnodeready(node):
                log("ready", node.gateway.id, node.workerinfo["id"], node.workerinfo["executable"] != "")

            def pytest_xdist_node_collection_finished(node, ids):
                log("collected", node.gateway.id, len(ids))

            @pytest.hookimpl(optionalhook=True)
            def pytest_testnodedown(node, error):
                output = getattr(node, "workeroutput", None)
                rinfo = node.gateway._rinfo()
                log("down", node.gateway.id, output and output.get("seen"), output and output.get("exitstatus"),
                    error is None, list(rinfo.version_info[:2]))

            def pytest_handlecrashitem(crashitem, report, sched):
                if not os.path.exists(os.path.join(os.path.dirname(__file__), "crashed-once")):
                    open(os.path.join(os.path.dirname(__file__), "crashed-once"), "w").close()
                    sched.mark_test_pending(crashitem)
                    log("requeued", crashitem)

            def pytest_runtest_logreport(report):
                node = getattr(report, "node", None)
                if node is not None and report.when == "call":
                    log("report", report.nodeid, node.gateway.id == report.worker_id)

            def pytest_sessionfinish(session):
                config = session.config
                if hasattr(config, "workeroutput"):
                    config.workeroutput["seen"] = config.workerinput["secret"]
        """,
        "test_x.py": """
            import os

            def test_one(): pass
            def test_two(): pass
            def test_crash_once():
                if not os.path.exists(os.path.join(os.path.dirname(__file__), "crashed-once")):
                    os._exit(1)
        """,
    })
    result = run("-n", "2", "-v")
    events = [tuple(json.loads(line)) for line in (tmp_path / "events.log").read_text().splitlines()]
    context = result.dump() + "\n" + "\n".join(map(str, events))
    assert events[0] == ("setupnodes", ["popen", "popen"]), context
    kinds = Counter(e[0] for e in events)
    # the crashed worker was replaced: three workers in all, each configured, ready and down once
    assert kinds["newgateway"] == kinds["configure_node"] == kinds["ready"] == kinds["down"] == 3, context
    assert ("configure_node", "gw0", True) in events and ("ready", "gw1", "gw1", True) in events, context
    assert ("collected", "gw0", 3) in events, context
    downs = {e[1]: e[2:] for e in events if e[0] == "down"}
    finished = [wid for wid, (seen, status, clean, _) in downs.items() if clean]
    assert len(finished) == 2 and all(downs[w][:2] == (f"s-{w}", 0) for w in finished), context
    crashed = [wid for wid, (seen, status, clean, _) in downs.items() if not clean]
    assert len(crashed) == 1 and downs[crashed[0]][:2] == (None, None), context
    assert all(d[3] == list(sys.version_info[:2]) for d in downs.values()), context
    assert ("requeued", "test_x.py::test_crash_once") in events, context
    # report.node is the worker that ran the test; the crash report is logged (as pytest-xdist
    # does: a plugin may change its outcome), then the requeued test runs again and passes
    assert kinds["report"] == 4 and all(e[2] for e in events if e[0] == "report"), context
    assert verbose_nodeids(result).count(("test_x.py::test_crash_once", "PASSED")) == 1, context
    (tmp_path / "events.log").unlink()
    auto = run("-n", "auto", "-q")
    events = [json.loads(line)[0] for line in (tmp_path / "events.log").read_text().splitlines()]
    assert auto.ret == 0 and events.count("ready") == 3, auto.dump()
