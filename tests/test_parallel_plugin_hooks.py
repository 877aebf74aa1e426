"""The ``parallel`` plugin's own hooks and fixtures (builtin_plugins/parallel/__init__.py): the header,
which run loop runs, the refusal of ``--pdb`` with workers that have no terminal, ``option.dist`` as
other plugins read it, ``worker_id`` / ``testrun_uid``. In process on fakes where the hook decides
alone, in a real run where other plugins read the result (found by mutation testing,
tests/MUTATION.md)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest

import builtin_plugins.parallel as plugin
from builtin_plugins.parallel import controller, forked_run
from builtin_plugins.parallel.forking import COLLECTED_HERE, FORK_ENV
from minitest.errors import UsageError
from minitest.terminal_api import INTERACTIVE


class PluginManager:
    hook = SimpleNamespace()

    def list_name_plugin(self) -> list[tuple[str, Any]]:
        return []


class Config:
    def __init__(self, interactive: str | None = None, **values: Any) -> None:
        self.values = values
        self.stash: dict[Any, Any] = {} if interactive is None else {INTERACTIVE: interactive}
        self.pluginmanager = PluginManager()
        self.hook = SimpleNamespace(minitest_xdist_auto_num_workers=lambda config: None)

    def getoption(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@pytest.fixture(autouse=True)
def forkable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forking allowed, whatever the machine and the test runner's threads."""
    monkeypatch.delenv(FORK_ENV, raising=False)
    monkeypatch.setattr("builtin_plugins.parallel.forking.threading.active_count", lambda: 1)


def test_the_header_says_how_many_workers_and_how_they_get_the_tests() -> None:
    assert plugin.minitest_report_header(Config()) is None
    assert plugin.minitest_report_header(Config(numprocesses="0")) is None
    assert plugin.minitest_report_header(Config(numprocesses="2")) == (
        "workers: 2 (-n 2), --dist load: tests given out in small batches to whichever worker is free")
    assert plugin.minitest_report_header(Config(tx=["2*popen", "ssh=h"], dist="loadscope")) == (
        "workers: 3 (--tx), --dist loadscope: tests given out a module or class at a time (its fixtures set up once)")
    assert plugin.minitest_report_header(Config(numprocesses="1", dist="loadfile")) == (
        "workers: 1 (-n 1), --dist loadfile: tests given out a file at a time")


def test_debugging_is_refused_only_with_workers_that_have_no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin.refuse_interaction_without_terminal(Config(numprocesses="2"))  # no --pdb
    plugin.refuse_interaction_without_terminal(Config("--pdb", numprocesses="2"))  # forked: allowed
    plugin.refuse_interaction_without_terminal(Config("--pdb", tx=["popen"], dist="no"))  # no workers
    with pytest.raises(UsageError, match=r"^--trace with workers needs them forked .*\(--tx workers\)"):
        plugin.refuse_interaction_without_terminal(Config("--trace", tx=["popen"]))
    monkeypatch.setenv(FORK_ENV, "0")
    with pytest.raises(UsageError, match=r"^--pdb with workers needs them forked .*\(MINITEST_DIST_FORK=0\)"):
        plugin.refuse_interaction_without_terminal(Config("--pdb", numprocesses="2"))


def session_of(config: Config) -> Any:
    return SimpleNamespace(config=config, items=["collected"])


def test_who_collects(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = session_of(Config())
    assert plugin.minitest_collection(alone) is None  # no workers: as usual
    assert COLLECTED_HERE not in alone.config.stash
    forked = session_of(Config(numprocesses="2"))
    assert plugin.minitest_collection(forked) is None  # the controller collects for forked workers...
    assert forked.config.stash[COLLECTED_HERE] is True and forked.items == ["collected"]
    spawned = session_of(Config(tx=["popen"]))
    assert plugin.minitest_collection(spawned) is True  # ...not for spawned ones: each worker does
    assert spawned.items == [] and COLLECTED_HERE not in spawned.config.stash


def test_which_run_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[Any] = []
    monkeypatch.setattr(forked_run, "run_collected", lambda session: ran.append(("forked", session)) or "answer")

    class Controller:
        def __init__(self, session: Any) -> None:
            self.session = session

        def run(self) -> None:
            ran.append(("spawned", self.session))

    monkeypatch.setattr(controller, "DistController", Controller)
    assert plugin.minitest_runtestloop(session_of(Config())) is None
    assert ran == []
    forked = session_of(Config(numprocesses="2"))
    forked.config.stash[COLLECTED_HERE] = True
    assert plugin.minitest_runtestloop(forked) == "answer"
    spawned = session_of(Config(numprocesses="2"))
    assert plugin.minitest_runtestloop(spawned) is True
    assert ran == [("forked", forked), ("spawned", spawned)]


DIST_PROBE = """
import json, os

def log(*words):
    with open(os.environ["DIST_LOG"], "a") as out:
        out.write(json.dumps(words) + "\\n")

def minitest_load_initial_conftests(early_config):
    log("initial", early_config.known_args.dist)

def minitest_configure(config):
    log("configure", config.option.dist)
"""


@pytest.mark.parametrize(("args", "dist"), [((), "no"), (("-n", "2"), "load"),
                                            (("-n", "2", "--dist", "loadfile"), "loadfile")])
def test_other_plugins_read_the_effective_dist(files, run, tmp_path, args: tuple[str, ...], dist: str) -> None:
    # as pytest-cov (in load_initial_conftests) and pytest-benchmark (in configure) read it
    files({"plugins/distprobe.py": DIST_PROBE, "test_a.py": "def test_a(): pass\n"})
    log = tmp_path / "dist.log"
    result = run("-p", "distprobe", *args, "test_a.py", env={"DIST_LOG": str(log)},
                 pythonpath=[tmp_path / "plugins"])
    assert result.ret == 0, result.dump()
    events = [tuple(json.loads(line)) for line in log.read_text().splitlines()]
    assert events == [("initial", dist), ("configure", dist)], result.dump()


def test_worker_id_and_testrun_uid(files, run, tmp_path) -> None:
    files({"test_ids.py": """
        import json, os

        def test_ids(worker_id, testrun_uid):
            with open(os.path.join(os.path.dirname(__file__), "ids.log"), "a") as out:
                out.write(json.dumps([worker_id, testrun_uid]) + "\\n")

        def test_again(worker_id, testrun_uid):
            test_ids(worker_id, testrun_uid)
    """})
    log = tmp_path / "ids.log"
    alone = run()
    assert alone.ret == 0, alone.dump()
    ids = [json.loads(line) for line in log.read_text().splitlines()]
    assert [i[0] for i in ids] == ["master", "master"]
    assert ids[0][1] == ids[1][1] and re.fullmatch(r"[0-9a-f]{32}", ids[0][1]), ids
    log.unlink()
    spread = run("-n", "2", "--dist", "loadfile")
    assert spread.ret == 0, spread.dump()
    ids = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0][0] in ("gw0", "gw1"), ids
    assert re.fullmatch(r"[0-9a-f]{32}", ids[0][1]), ids


@pytest.mark.parametrize("listing", ["--fixtures", "--fixtures-per-test"])
@pytest.mark.parametrize("workers", [("-n", "2"), ("--tx", "popen")], ids=["forked", "spawned"])
def test_listing_fixtures_with_workers_lists_them(files, run, listing: str, workers: tuple[str, ...]) -> None:
    # as pytest with pytest-xdist: the fixtures are listed, no test runs (they ran on the workers)
    files({"test_a.py": """
        import minitest

        @minitest.fixture
        def thing():
            \"\"\"a thing\"\"\"

        def test_a(thing): pass
    """})
    result = run(listing, *workers)
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["thing -- test_a.py:3", "    a thing"])
    result.no_fnmatch_line("workers: *")  # the header of a distributed run
    result.no_fnmatch_line("*created: *")
    assert result.outcomes() == {}, result.dump()
    result.fnmatch_lines(["*no tests ran in *"])


def test_with_spawned_workers_the_controller_neither_collects_nor_runs_for_a_conftest(files, run, tmp_path) -> None:
    # the plugin decides first (as pytest-xdist's DSession, registered after the initial
    # conftests, is called before their plain implementations): a conftest's own collection and
    # run loop hooks are not called in the controller (in a worker the worker's loop decides first,
    # as pytest-xdist's WorkerInteractor: only the conftest's collection runs there)
    files({"conftest.py": """
        import os

        def log(session, what):
            where = "worker" if hasattr(session.config, "workerinput") else "controller"
            with open(os.path.join(os.path.dirname(__file__), "hooks.log"), "a") as out:
                out.write(f"{where} {what}\\n")

        def minitest_collection(session):
            log(session, "collection")

        def minitest_runtestloop(session):
            log(session, "runtestloop")
    """, "test_a.py": "def test_a(): pass\n"})
    result = run("--tx", "popen")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=1)
    assert (tmp_path / "hooks.log").read_text().splitlines() == ["worker collection"]


def test_a_plugins_own_report_serialization_comes_first_unless_it_is_trylast(files, run, tmp_path) -> None:
    # as in pytest, whose own implementations are plain ones of plugins registered before any
    # conftest: a conftest's plain implementation is asked first, a trylast one never (pluggy
    # calls two trylast implementations in the order they were registered: the builtin's first)
    files({"conftest.py": """
        import os
        import minitest

        def log(what):
            with open(os.path.join(os.path.dirname(__file__), "hooks.log"), "a") as out:
                out.write(what + "\\n")

        def minitest_report_to_serializable(config, report):
            log("plain to " + report.when if hasattr(report, "when") else "plain to collect")

        @minitest.hookimpl(trylast=True)
        def minitest_report_from_serializable(config, data):
            log("trylast from")
    """, "test_a.py": "def test_a(): pass\n"})
    result = run("--tx", "popen")
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=1)
    logged = (tmp_path / "hooks.log").read_text().splitlines()
    assert {"plain to setup", "plain to call", "plain to teardown"} <= set(logged), logged
    assert "trylast from" not in logged, logged
