"""Runs on spawned (execnet) workers, which the execnet controller (builtin_plugins/parallel/
controller.py) starts and whose collections it checks: the lines it writes in the singular and the
plural, the progress line, collection errors and different collections, a slow collection, a
gateway failing after its start checks, the import path a worker gets, a worker that does not stop.
Found by mutation testing (tests/MUTATION.md); tests/test_dist.py and test_remote_workers.py are the
rest."""

from __future__ import annotations

import re

import pytest
from conftest import build_minitest_command, run_process

THREE = {"test_three.py": "def test_1(): pass\ndef test_2(): pass\ndef test_3(): pass\n"}
ONE = {"test_one.py": "def test_1(): pass\n"}
#: a test file that reads the worker's environment: its workers are spawned after the controller
#: collected (not forked)
READS_ENV = "import os\nWORKER = os.environ.get('PYTEST_XDIST_WORKER')\n"


def test_the_lines_of_one_spawned_worker_and_of_two(files, run, tmp_path) -> None:
    files(ONE)
    one = run("--tx", "popen")
    assert one.ret == 0, one.dump()
    one.fnmatch_lines(["created: 1/1 worker", "1 worker [[]1 item[]]"])
    # the progress line: no file names (the workers' items come in any order), the percentage of
    # the total the workers collected
    assert re.search(r"^\. +\[100%\]$", one.stdout, re.M), one.dump()
    (tmp_path / "test_one.py").unlink()
    files(THREE)
    two = run("--tx", "2*popen")
    assert two.ret == 0, two.dump()
    two.fnmatch_lines(["created: 2/2 workers", "2 workers [[]3 items[]]"])
    assert re.search(r"^\.\.\. +\[100%\]$", two.stdout, re.M), two.dump()


def test_the_lines_when_the_controller_collected_for_spawned_workers(files, run, tmp_path) -> None:
    files({**ONE, "test_one.py": READS_ENV + "def test_1(): pass\n"})
    one = run("-n", "1")
    assert one.ret == 0, one.dump()
    one.fnmatch_lines(["workers spawned, not forked: *", "created: 1/1 worker", "1 worker [[]1 item[]]"])
    (tmp_path / "test_one.py").unlink()
    files({"test_three.py": READS_ENV + THREE["test_three.py"],
           "test_skipped.py": "import minitest\nminitest.skip('not here', allow_module_level=True)\n"})
    two = run("-n", "2")
    assert two.ret == 0, two.dump()
    two.fnmatch_lines(["workers spawned, not forked: *", "created: 2/2 workers", "2 workers [[]3 items[]]"])
    # the controller's own collection counts, the workers' is only compared with it
    assert two.outcomes() == {"passed": 3, "skipped": 1}, two.dump()


def test_a_collection_error_on_spawned_workers(files, run) -> None:
    files({**THREE, "test_broken.py": "import no_such_module_here\n"})
    stopped = run("--tx", "popen")
    assert stopped.ret == 2, stopped.dump()
    stopped.fnmatch_lines(["*ModuleNotFoundError: No module named 'no_such_module_here'*",
                           "*Interrupted: 1 error during collection*"])
    assert stopped.outcomes() == {"errors": 1}, stopped.dump()
    going_on = run("--tx", "popen", "--continue-on-collection-errors")
    assert going_on.ret == 1, going_on.dump()
    assert going_on.outcomes() == {"passed": 3, "errors": 1}, going_on.dump()


def test_spawned_workers_that_collect_different_tests(files, run) -> None:
    files({"test_x.py": """
        import os
        if os.environ.get("PYTEST_XDIST_WORKER") == "gw1":
            def test_only_on_gw1(): pass
        def test_1(): pass
    """})
    result = run("--tx", "2*popen")
    assert result.ret == 2, result.dump()
    result.fnmatch_lines(["*Different tests were collected between gw0 and gw1*", "+test_x.py::test_only_on_gw1"])


def test_a_slow_collection_is_waited_for(files, run) -> None:
    # the controller waits for events in steps of half a second: a quiet step is no end
    files({"test_slow.py": "import time\ntime.sleep(1.5)\n\ndef test_1(): time.sleep(1.5)\n"})
    result = run("--tx", "popen")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=1)


def test_every_worker_is_reported_down_once_when_collection_stops_the_run(files, run, tmp_path) -> None:
    # the workers collected, the controller stopped the run: each still gets its testnodedown
    # (plugins such as pytest-cov collect a worker's data there), with the reason it ended
    files({**THREE, "test_broken.py": "import no_such_module_here\n", "conftest.py": """
        import os

        def minitest_testnodedown(node, error):
            with open(os.path.join(os.path.dirname(__file__), "down.log"), "a") as out:
                out.write(f"{node.gateway.id} {error is not None}\\n")
    """})
    result = run("--tx", "2*popen")
    assert result.ret == 2, result.dump()
    assert sorted((tmp_path / "down.log").read_text().splitlines()) == ["gw0 True", "gw1 True"], result.dump()


YELLOW, RESET = "\x1b[33m", "\x1b[0m"


def final_counts(output: str) -> str:
    """The counts of a coloured run's final line ("3 passed"), without the colours."""
    last = re.sub(r"\x1b\[[0-9;]*m", "", output).strip().splitlines()[-1]
    match = re.fullmatch(r"=+ (.*) in [0-9.]+s =+", last)
    assert match, output
    return match.group(1)


@pytest.mark.parametrize(("raised", "told"), [
    ("OSError('cannot send (already closed?)')", "OSError: cannot send (already closed?)"),
    ("EOFError('the worker went away')", "EOFError: the worker went away"),
    ("execnet.RemoteError('the worker failed')", "RemoteError: the worker failed"),
])
def test_a_gateway_that_fails_after_its_checks_is_a_worker_that_could_not_start(files, run, raised, told) -> None:
    # what execnet raises when a worker's gateway dies between its start checks and the bootstrap;
    # the conftest's newgateway hook (called at the start of the bootstrap) stands for the death
    files({**THREE, "conftest.py": f"""
        import execnet

        def minitest_xdist_newgateway(gateway):
            if gateway.id == "gw1":
                raise {raised}
    """})
    result = run("--tx", "2*popen", "--color=yes", env={"NO_COLOR": None})
    assert result.ret == 0, result.dump()
    warning = f"WARNING: could not start worker gw1 on this machine (popen): {told}; continuing with 1 worker"
    # in the warning colour, as the other warnings about workers
    assert f"{YELLOW}{warning}{RESET}" in result.stdout.splitlines(), result.dump()
    assert "created: 1/2 workers" in result.stdout, result.dump()
    assert final_counts(result.stdout) == "3 passed", result.dump()


def test_a_worker_of_the_same_python_imports_what_the_controller_imports(files, tmp_path) -> None:
    # ``python -P``: the controller's import path leaves out the folder it runs in, which holds a
    # package named minitest; a new interpreter started by execnet (``python -c``) puts that folder
    # first. The worker gets the controller's path before it even checks that minitest imports.
    files({**ONE, "minitest/__init__.py": "raise ImportError('not the minitest under test')\n"})
    command, env = build_minitest_command("--tx", "popen")
    result = run_process([command[0], "-P", *command[1:]], tmp_path, env)
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 1}, result.dump()


def test_a_worker_with_rsyncdir_has_each_folder_once_on_its_import_path(files, run, tmp_path) -> None:
    # the copied folder goes in front of the controller's import path once, as in a run in that folder
    files({"proj/test_path.py": """
        import sys

        def test_no_folder_twice():
            assert sorted({entry for entry in sys.path if sys.path.count(entry) > 1}) == []
    """})
    (tmp_path / "remote").mkdir()
    result = run("--tx", f"popen//chdir={tmp_path / 'remote'}", "--rsyncdir", ".", cwd=tmp_path / "proj")
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 1}, result.dump()


def test_a_worker_that_does_not_stop_after_exitfirst_is_killed(files, run, tmp_path) -> None:
    # -x: gw0's first test fails once gw1's is running; gw1's test ignores the interruption, so
    # gw1 is killed at the end of the grace period (STOP_GRACE_SECONDS), and only gw1 (gw0 stops)
    started = tmp_path / "stubborn-started"
    files({
        "test_a.py": f"""
            import pathlib, time

            def test_fails():
                for _ in range(1200):
                    if pathlib.Path({str(started)!r}).exists():
                        break
                    time.sleep(0.05)
                assert False

            def test_2(): pass
            def test_3(): pass
        """,
        "test_b.py": f"""
            import os, pathlib, time

            def test_stubborn():
                pathlib.Path({str(started)!r}).write_text(os.environ["PYTEST_XDIST_WORKER"])
                end = time.monotonic() + 120  # killed long before
                while time.monotonic() < end:
                    try:
                        time.sleep(0.1)
                    except KeyboardInterrupt:
                        pass

            def test_2(): pass
            def test_3(): pass
        """,
    })
    # loadfile: each worker takes one file (three items are more than a worker's first batch)
    result = run("--tx", "2*popen", "--dist", "loadfile", "-x", "--color=yes", env={"NO_COLOR": None})
    assert started.exists() and started.read_text() == "gw1", result.dump()
    assert result.ret == 1, result.dump()
    killed = [line for line in result.stdout.splitlines() if "did not stop in time" in line]
    assert killed == [f"{YELLOW}[gw1] did not stop in time: killed{RESET}"], result.dump()
    assert final_counts(result.stdout) == "1 failed", result.dump()


def test_a_gateway_that_fails_to_exit_does_not_spoil_the_end_of_the_run(files, run) -> None:
    # the controller ends the workers with execnet's group.terminate, which raises what a gateway's
    # exit raises; the run has ended by then and ends as it would have (execnet's own clean-up at
    # interpreter exit ends the gateway then: only the first exit fails)
    files({**ONE, "conftest.py": """
        def minitest_xdist_newgateway(gateway):
            exit_gateway = gateway.exit
            calls = []

            def exit_failing_once():
                calls.append(1)
                if len(calls) == 1:
                    raise RuntimeError("the gateway could not be told to exit")
                exit_gateway()

            gateway.exit = exit_failing_once
    """})
    result = run("--tx", "popen")
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 1}, result.dump()
    assert "Error" not in result.stdout + result.stderr, result.dump()
