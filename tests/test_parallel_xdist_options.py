"""pytest-xdist's options and --dist modes, as a project written for pytest-xdist passes them
(in addopts, in CI scripts): loadgroup with xdist_group marks, worksteal, -d, --maxprocesses,
--maxschedchunk, --loadscope-reorder / --no-loadscope-reorder, --testrunuid. Run through the
minitest console script, with forked workers and with spawned ones."""

from __future__ import annotations

import re

import pytest
from conftest import verbose_nodeids

GROUPED = """
    import minitest

    @minitest.mark.xdist_group(name="db")
    def test_db_1(): pass

    @minitest.mark.xdist_group("db")
    def test_db_2(): pass

    @minitest.mark.xdist_group("db")
    def test_db_3(): pass

    @minitest.mark.xdist_group("db")
    def test_db_4(): pass

    @minitest.mark.xdist_group("cache")
    def test_cache_1(): pass

    def test_free_1(): pass

    @minitest.mark.xdist_group("cache")
    def test_cache_2(): pass

    def test_free_2(): pass
"""


def workers_of(stdout: str) -> dict[str, str]:
    return dict(re.findall(r"^test_g\.py::(\S+) PASSED \[(gw\d+)\]", stdout, re.M))


@pytest.mark.parametrize("workers", [["-n", "2"], ["--tx", "2*popen"]], ids=["forked", "spawned"])
def test_loadgroup_runs_each_group_on_one_worker_and_keeps_node_ids(files, run, workers) -> None:
    files({"test_g.py": GROUPED})
    # no durations known: --dist load would split the four db tests over both workers
    result = run(*workers, "--dist", "loadgroup", "-v", "-p", "no:cacheprovider", "--strict-markers")
    assert result.ret == 0 and result.outcomes() == {"passed": 8}, result.dump()
    ran = workers_of(result.stdout)
    assert len(ran) == 8, result.dump()  # node ids as collected: no "@db" (as pytest 9.2 shows them)
    assert len({ran[f"test_db_{i}"] for i in range(1, 5)}) == 1, result.dump()
    assert ran["test_cache_1"] == ran["test_cache_2"], result.dump()
    assert "--dist loadgroup: tests given out an xdist_group at a time, other tests in small batches" \
        in result.stdout, result.dump()
    assert "@" not in "".join(nodeid for nodeid, _ in verbose_nodeids(result))


def test_the_xdist_group_mark_is_known(files, run) -> None:
    files({"test_g.py": GROUPED})
    result = run("--strict-markers", "-q", "-W", "error::UserWarning")  # an unknown mark warns: none here
    assert result.ret == 0 and result.outcomes() == {"passed": 8}, result.dump()
    markers = run("--markers")
    assert "@minitest.mark.xdist_group(name): with --dist loadgroup, the tests of one group run on the " \
           "same worker (as with pytest-xdist)" in markers.stdout, markers.dump()


def test_loadfile_without_known_durations_uses_every_worker(files, run) -> None:
    # the first run (or one without the cache): the first worker forked used to take every file
    files({f"test_{name}.py": "def test_1(): pass\ndef test_2(): pass\ndef test_3(): pass\n" for name in "abcd"})
    result = run("-n", "2", "--dist", "loadfile", "-v", "-p", "no:cacheprovider")
    assert result.ret == 0 and result.outcomes() == {"passed": 12}, result.dump()
    ran = re.findall(r"^(test_\w)\.py::test_\d PASSED \[(gw\d)\]", result.stdout, re.M)
    by_file: dict[str, set[str]] = {}
    for name, worker in ran:
        by_file.setdefault(name, set()).add(worker)
    assert all(len(workers) == 1 for workers in by_file.values()), result.dump()  # a file stays whole
    assert {worker for workers in by_file.values() for worker in workers} == {"gw0", "gw1"}, result.dump()


def test_worksteal_and_dash_d_are_load(files, run) -> None:
    files({"test_a.py": "def test_1(): pass\ndef test_2(): pass\n"})
    steal = run("-n", "2", "--dist", "worksteal")
    assert steal.ret == 0 and steal.outcomes() == {"passed": 2}, steal.dump()
    steal.fnmatch_lines(["workers: 2 (-n 2), --dist worksteal: tests given out in small batches to whichever "
                         "worker is free", "forked after collection; scheduling: load, *"])
    short = run("-d", "--tx", "2*popen", "-v")
    assert short.ret == 0 and short.outcomes() == {"passed": 2}, short.dump()
    short.fnmatch_lines(["workers: 2 (--tx), --dist load: *"])


def test_maxprocesses_caps_the_workers(files, run) -> None:
    files({"test_a.py": "def test_1(): pass\ndef test_2(): pass\n"})
    result = run("-n", "3", "--maxprocesses", "2")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["workers: 2 (-n 3), --dist load: *", "created: 2/2 workers"])
    one = run("-n", "2", "--maxprocesses", "1")
    assert one.ret == 0 and one.outcomes() == {"passed": 2}, one.dump()
    one.fnmatch_lines(["workers: 1 (-n 2), --dist load: *", "created: 1/1 worker"])


def test_maxschedchunk_caps_the_batches(files, run) -> None:
    files({"test_a.py": "".join(f"def test_{i}(): pass\n" for i in range(40))})
    result = run("-n", "2", "--maxschedchunk", "3", "-p", "no:cacheprovider")
    assert result.ret == 0 and result.outcomes() == {"passed": 40}, result.dump()
    assert "forked after collection; scheduling: load, batches of up to 3" in result.lines, result.dump()
    one = run("-n", "2", "--maxschedchunk", "1", "-p", "no:cacheprovider")
    # at least two still go at once: a worker must know the test after the one it runs
    assert "forked after collection; scheduling: load, batches of up to 2" in one.lines, one.dump()


@pytest.mark.parametrize("args", [["--maxprocesses", "0"], ["-n", "2", "--maxschedchunk", "0"]])
def test_numbers_below_one_are_usage_errors(files, run, args) -> None:
    files({"test_a.py": "def test_1(): pass\n"})
    result = run(*args)
    assert result.ret == 4 and result.stdout == "", result.dump()
    name = args[-2]
    assert f"ERROR: {name}: must be at least 1, got 0" in result.stderr, result.dump()


def test_loadscope_hands_out_the_largest_scope_first_unless_told_not_to(files, run) -> None:
    # one worker: the order it runs the scopes in is the order they were handed out
    files({"test_a.py": "def test_1(): pass\n",
           "test_b.py": "def test_1(): pass\ndef test_2(): pass\ndef test_3(): pass\n"})
    reordered = run("-n", "1", "--dist", "loadscope", "-v", "-p", "no:cacheprovider")
    assert [n for n, _ in verbose_nodeids(reordered)] == [
        "test_b.py::test_1", "test_b.py::test_2", "test_b.py::test_3", "test_a.py::test_1"], reordered.dump()
    kept = run("-n", "1", "--dist", "loadscope", "--no-loadscope-reorder", "-v", "-p", "no:cacheprovider")
    assert [n for n, _ in verbose_nodeids(kept)] == [
        "test_a.py::test_1", "test_b.py::test_1", "test_b.py::test_2", "test_b.py::test_3"], kept.dump()


@pytest.mark.parametrize("workers", [["-n", "2"], ["--tx", "2*popen"]], ids=["forked", "spawned"])
def test_testrunuid_is_what_every_worker_gets(files, run, workers) -> None:
    files({"test_a.py": """
        def test_1(testrun_uid, worker_id):
            assert testrun_uid == "shared-id", (testrun_uid, worker_id)

        def test_2(testrun_uid):
            assert testrun_uid == "shared-id"
    """})
    result = run(*workers, "--testrunuid", "shared-id", "-q")
    assert result.ret == 0 and result.outcomes() == {"passed": 2}, result.dump()
