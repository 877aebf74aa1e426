"""Runs on spawned (execnet) workers, which the execnet controller (builtin_plugins/parallel/
controller.py) starts and whose collections it checks: the lines it writes in the singular and the
plural, the progress line, collection errors and different collections, a slow collection. Found by
mutation testing (tests/MUTATION.md); tests/test_dist.py and test_remote_workers.py are the rest."""

from __future__ import annotations

import re

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
