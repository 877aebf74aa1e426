"""``@minitest.fixture(scope="session", per_run=True)``: with local workers, set up once for the
whole run before the workers fork, its value seen by every worker, torn down after the last ended;
failures reported as a serial run reports them.

Each fixture writes what it does (set-up, teardown, the process it ran in) to a log file, which
tells how many times it ran and where; runs go through the real ``minitest`` console script.
"""

from __future__ import annotations

import textwrap

import pytest
from conftest import verbose_nodeids
from dual_suite import plain_item_plugin

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


def test_the_line_naming_them_is_said_at_default_verbosity_but_not_with_q(files, script, tmp_path):
    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    default = script("-n", "2")
    assert default.ret == 0, default.dump()
    assert default.lines.count("per-run fixtures, set up once for all workers: server") == 1, default.dump()
    quiet = script("-n", "2", "-q")
    assert quiet.ret == 0, quiet.dump()
    quiet.assert_outcomes(passed=13)
    quiet.no_fnmatch_line("*per-run fixtures*")


WORKER_FIXTURES = """
    import os
    from pathlib import Path

    import minitest

    LOG = Path(__file__).parent / "log.txt"

    def log(word):
        with LOG.open("a") as f:
            f.write(f"{word} {os.getpid()}\\n")

    @minitest.fixture(scope="session", per_run=True)
    def server():
        log("setup")
        yield "S"
        log("teardown")

    @minitest.fixture(scope="session")
    def per_worker(server):
        log("worker")
        yield
        log("worker-teardown")

    @minitest.fixture
    def per_test():
        yield
        log("test-teardown")
"""


def test_workers_tear_down_the_fixtures_they_set_up_themselves(files, script, tmp_path):
    # only what the controller set up before forking is left to the controller: a worker's own
    # session and function fixtures are torn down in the worker, as without per-run fixtures
    files({"conftest.py": WORKER_FIXTURES, "test_w.py": """
        import time

        import minitest

        @minitest.mark.parametrize("i", range(8))
        def test_uses(server, per_worker, per_test, i):
            time.sleep(0.02)  # both workers get tests
    """})
    result = script("-n", "2")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=8)
    log = _log(tmp_path)
    workers = {pid for word, pid in log if word == "worker"}
    assert len(workers) == 2, log
    assert sorted(pid for word, pid in log if word == "worker-teardown") == sorted(workers), log
    assert [word for word, _ in log].count("test-teardown") == 8, log
    assert log[0][0] == "setup" and log[-1] == ("teardown", log[0][1]), log


def _server_module(per_run: bool, word: str, tests: int = 0) -> str:
    """A module (or conftest) defining ``server`` (per-run or plain) that logs ``word`` at set-up,
    with ``tests`` tests using it."""
    flag = ", per_run=True" if per_run else ""
    body = f"""
        import os
        import time
        from pathlib import Path

        import minitest

        @minitest.fixture(scope="session"{flag})
        def server():
            with (Path(__file__).parents[1] / "log.txt").open("a") as f:
                f.write(f"{word} {{os.getpid()}}\\n")
            return 1
    """
    if tests:
        body += f"""
        @minitest.mark.parametrize("i", range({tests}))
        def test_uses(server, i):
            time.sleep(0.02)  # both workers get tests
    """
    return body


def test_the_definition_a_test_sees_decides_whether_it_is_per_run(files, script, tmp_path):
    # a: the conftest's plain session fixture overridden in the module by a per-run one: set up once,
    # in the controller; b: a per-run fixture overridden by a plain one: each worker sets that up
    files({"a/conftest.py": _server_module(False, "conftest"), "a/test_a.py": _server_module(True, "override", 6),
           "b/conftest.py": _server_module(True, "conftest"), "b/test_b.py": _server_module(False, "override", 6)})
    per_run = script("-n", "2", "a")
    assert per_run.ret == 0, per_run.dump()
    per_run.assert_outcomes(passed=6)
    assert [word for word, _ in _log(tmp_path)] == ["override"], per_run.dump()
    assert per_run.lines.count("per-run fixtures, set up once for all workers: server") == 1, per_run.dump()
    (tmp_path / "log.txt").unlink()
    plain = script("-n", "2", "b")
    assert plain.ret == 0, plain.dump()
    plain.assert_outcomes(passed=6)
    assert [word for word, _ in _log(tmp_path)] == ["override", "override"], plain.dump()  # once per worker
    plain.no_fnmatch_line("*per-run fixtures*")


def test_every_process_tears_down_what_it_set_up_when_a_parameter_change_redoes_a_fixture(files, script, tmp_path):
    # two per-run fixtures over two parameters of the session fixture they use: setting up `second`
    # (base 2) in the controller tears `first` (base 1) down again there; the worker running test_a
    # sets `first` up itself, and tears it down itself; the controller still tears down the rest
    files({"conftest.py": """
        import os
        from pathlib import Path

        import minitest

        def log(word):
            with (Path(__file__).parent / "log.txt").open("a") as f:
                f.write(f"{word} {os.getpid()}\\n")

        @minitest.fixture(scope="session", params=[1, 2])
        def base(request):
            log(f"base-setup-{request.param}")
            yield request.param
            log(f"base-teardown-{request.param}")

        @minitest.fixture(scope="session", per_run=True)
        def first(base):
            log("first-setup")
            yield
            log("first-teardown")

        @minitest.fixture(scope="session", per_run=True)
        def second(base):
            log("second-setup")
            yield
            log("second-teardown")
    """, "test_q.py": """
        import minitest

        @minitest.mark.parametrize("base", [1], indirect=True)
        def test_a(first):
            pass

        @minitest.mark.parametrize("base", [2], indirect=True)
        def test_b(second):
            pass
    """})
    result = script("-n", "2")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=2)
    log = _log(tmp_path)
    controller = log[0][1]
    assert [word for word, pid in log if pid == controller] == [
        "base-setup-1", "first-setup", "first-teardown", "base-teardown-1", "base-setup-2", "second-setup",
        "second-teardown", "base-teardown-2"], log
    assert log[-2:] == [("second-teardown", controller), ("base-teardown-2", controller)], log  # after the workers
    for worker in {pid for _, pid in log} - {controller}:
        words = [word for word, pid in log if pid == worker]
        assert sorted(w.replace("setup", "x") for w in words if "setup" in w) == sorted(
            w.replace("teardown", "x") for w in words if "teardown" in w), log
    assert [word for word, _ in log].count("first-setup") == 2, log  # the worker running test_a did it again


def test_items_without_fixtures_before_the_users_are_passed_over(files, script, tmp_path):
    # a plugin's own items (no fixture info) collected first: the tests after them still have their
    # per-run fixture set up once, in the controller
    files({"conftest.py": textwrap.dedent(WORKER_FIXTURES) + plain_item_plugin(), "a.plain": "", "test_w.py": """
        import time

        import minitest

        @minitest.mark.parametrize("i", range(6))
        def test_uses(server, i):
            time.sleep(0.02)  # both workers get tests
    """})
    collected = script("--co", "-q")
    assert collected.lines[:2] == ["a.plain::plain", "test_w.py::test_uses[0]"], collected.dump()
    result = script("-n", "2")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=7)
    assert [word for word, _ in _log(tmp_path)] == ["setup", "teardown"], result.dump()
    assert result.lines.count("per-run fixtures, set up once for all workers: server") == 1, result.dump()


def test_a_clean_teardown_adds_no_report(files, script, tmp_path):
    # nothing to report when the per-run fixtures tear down without error: the last test is in the
    # junit file once, as each of the others
    import xml.etree.ElementTree as ET

    files({"conftest.py": CONFTEST, "test_server.py": TESTS})
    result = script("-n", "2", "--junitxml=out.xml")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=13)
    suite = ET.parse(tmp_path / "out.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "13", result.dump()
    names = sorted(case.get("name", "") for case in suite.iter("testcase"))
    assert names == sorted([f"test_uses_server[{i}]" for i in range(12)] + ["test_without_server"])
