"""``@minitest.fixture(scope="session", per_run=True)``: with local workers, set up once for the
whole run before the workers fork, its value seen by every worker, torn down after the last ended;
failures reported as a serial run reports them.

Each fixture writes what it does (set-up, teardown, the process it ran in) to a log file, which
tells how many times it ran and where; runs go through the real ``minitest`` console script.
"""

from __future__ import annotations

import pytest
from conftest import verbose_nodeids

CONFTEST = """
    import os
    from pathlib import Path

    import minitest

    LOG = Path(__file__).parent / "log.txt"

    def log(word):
        with LOG.open("a") as f:
            f.write(f"{word} {os.getpid()}\\n")

    @minitest.fixture(scope="session", per_run=True)
    def server(tmp_path_factory):
        log("setup")
        if os.environ.get("SERVER_SETUP_FAILS"):
            raise ConnectionError("cannot start the server")
        base = tmp_path_factory.mktemp("server")
        yield {"url": "http://127.0.0.1:8000", "pid": os.getpid(), "dir": str(base)}
        log("teardown")
        if os.environ.get("SERVER_TEARDOWN_FAILS"):
            raise RuntimeError("the server did not stop")

    @minitest.fixture(scope="session")
    def per_worker():
        log("worker")
        return os.getpid()
"""

TESTS = """
    import os
    import time

    import minitest

    @minitest.mark.parametrize("i", range(12))
    def test_uses_server(server, per_worker, i):
        time.sleep(0.02)  # both workers get tests
        assert server["url"] == "http://127.0.0.1:8000"
        assert os.path.isdir(server["dir"])

    def test_without_server():
        pass
"""


def _log(tmp_path) -> list[tuple[str, int]]:
    path = tmp_path / "log.txt"
    if not path.exists():
        return []
    return [(word, int(pid)) for word, pid in (line.split() for line in path.read_text().splitlines())]


def test_set_up_once_for_all_workers_and_torn_down_after_the_last(files, script, tmp_path):
    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    result = script("-n", "2", "-v")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=13)
    log = _log(tmp_path)
    setups = [pid for word, pid in log if word == "setup"]
    workers = {pid for word, pid in log if word == "worker"}
    assert len(setups) == 1, log
    assert len(workers) == 2 and setups[0] not in workers, log  # the controller set it up, not a worker
    assert log[-1] == ("teardown", setups[0]), log  # once, by the controller, after every worker's set-up
    assert [w for w, _ in log].count("teardown") == 1, log
    result.fnmatch_lines(["per-run fixtures, set up once for all workers: server"])
    assert {worker for _, _, worker in _workers(result)} == {"gw0", "gw1"}, result.dump()


def _workers(result):
    """(node id, outcome, worker) of each ``-v`` line that names its worker."""
    import re

    found = []
    for line in result.lines:
        match = re.match(r"(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED)\s.*\[(gw\d+)\]", line)
        if match:
            found.append(match.groups())
    return found


def test_without_workers_it_is_an_ordinary_session_fixture(files, script, tmp_path):
    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    result = script()
    result.assert_outcomes(passed=13)
    assert [w for w, _ in _log(tmp_path)] == ["setup", "worker", "teardown"]
    result.no_fnmatch_line("per-run fixtures*")


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "workers"])
def test_a_failing_set_up_errors_every_test_using_it(files, script, tmp_path, workers):
    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    result = script(*workers, "-v", env={"SERVER_SETUP_FAILS": "1"})
    assert result.ret == 1, result.dump()
    result.assert_outcomes(passed=1, errors=12)
    assert sorted(verbose_nodeids(result)) == sorted(
        [(f"test_server.py::test_uses_server[{i}]", "ERROR") for i in range(12)]
        + [("test_server.py::test_without_server", "PASSED")]), result.dump()
    assert [w for w, _ in _log(tmp_path)].count("setup") == 1  # cached failed, not retried per worker
    result.fnmatch_lines(["E   *ConnectionError: cannot start the server"])


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "workers"])
def test_a_failing_teardown_is_the_last_tests_teardown_error(files, script, tmp_path, workers):
    # serially the session fixture ends in the teardown of the run's last test: so it is reported
    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    result = script(*workers, env={"SERVER_TEARDOWN_FAILS": "1"})
    assert result.ret == 1, result.dump()
    result.assert_outcomes(passed=13, errors=1)
    result.fnmatch_lines(["*_ ERROR at teardown of test_without_server _*", "E *RuntimeError: the server did not stop",
                          "ERROR test_server.py::test_without_server - RuntimeError: the server*"])
    assert [w for w, _ in _log(tmp_path)].count("teardown") == 1


def test_torn_down_after_a_crash_and_after_exitfirst(files, script, tmp_path):
    # a worker dying and -x stopping the others: the controller still tears the fixture down once
    files({"conftest.py": CONFTEST, "test_server.py": """
        import os

        def test_crash(server):
            os._exit(3)

        def test_fails(server):
            assert 0

        def test_later(server):
            pass
    """})
    crashed = script("-n", "2", "test_server.py::test_crash", "test_server.py::test_later")
    assert crashed.ret == 1, crashed.dump()
    crashed.assert_outcomes(failed=1, passed=1)
    assert [w for w, _ in _log(tmp_path)] == ["setup", "teardown"], crashed.dump()
    (tmp_path / "log.txt").unlink()
    stopped = script("-n", "2", "-x", "test_server.py::test_fails")
    assert stopped.ret == 1, stopped.dump()
    stopped.assert_outcomes(failed=1)
    assert [w for w, _ in _log(tmp_path)] == ["setup", "teardown"], stopped.dump()


def test_not_set_up_when_no_selected_test_uses_it(files, script, tmp_path):
    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    result = script("-n", "2", "-k", "without")
    result.assert_outcomes(passed=1, deselected=12)
    assert _log(tmp_path) == []
    result.no_fnmatch_line("per-run fixtures*")


@pytest.mark.parametrize(("declaration", "message"), [
    ('scope="module", per_run=True', "per_run=True needs scope=\"session\", not 'module'"),
    ('scope="session", per_run=True, params=[1, 2]', "per_run=True cannot be combined with params"),
])
def test_a_wrong_declaration_is_an_error_of_its_module(files, script, declaration, message):
    files({"test_bad.py": f"""
        import minitest

        @minitest.fixture({declaration})
        def shared():
            return 1

        def test_one(shared):
            pass
    """})
    result = script()
    assert result.ret == 2, result.dump()
    result.assert_outcomes(errors=1)
    assert message in result.stdout, result.dump()
