"""The worker's plugin (builtin_plugins/parallel/worker.py) in process: the run loop driven by
scripted commands, what each hook sends to the controller, and what a "stop" does. The end-to-end
runs are tests/test_dist.py, tests/test_dist_fork.py and tests/test_parallel_like_serial.py; these
pin the details found by mutation testing (tests/MUTATION.md)."""

from __future__ import annotations

import json
import queue
import re
import warnings
from types import SimpleNamespace
from typing import Any

import pytest

from builtin_plugins.parallel import worker
from builtin_plugins.parallel.worker import WorkerPlugin
from minitest.exitcode import ExitCode
from minitest.reports import CollectReport, FailureRepr


class Channel:
    """What execnet's channel (or the forked workers' pipe) is to the plugin: it records."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, message: tuple[str, dict[str, Any]]) -> None:
        self.sent.append(message)


class ScriptedCommands(queue.Queue):  # type: ignore[type-arg]
    """The command queue, whose blocking ``get`` (the worker waiting for the controller) notes what
    had run by then and delivers the controller's next scripted answer, through ``deliver`` (the
    plugin's ``on_command``, as the channel's receiver thread would)."""

    def __init__(self, ran: list[tuple[int, int | None]], answers: list[list[tuple[str, dict[str, Any]]]]) -> None:
        super().__init__()
        self.ran = ran
        self.answers = answers
        self.waits: list[list[tuple[int, int | None]]] = []
        self.deliver: Any = self.put

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        if block and self.empty():
            self.waits.append(list(self.ran))
            if not self.answers:
                raise AssertionError("the worker waits for a command the controller never sends")
            for message in self.answers.pop(0):
                self.deliver(message)
        return super().get(block=False)


class Item:
    def __init__(self, index: int, ran: list[tuple[int, int | None]], session: Any, stop_after: int | None) -> None:
        def protocol(item: Item, nextitem: Item | None) -> None:
            ran.append((item.index, None if nextitem is None else nextitem.index))
            if stop_after == item.index:
                session.shouldstop = "a plugin stops"

        self.index = index
        self.ihook = SimpleNamespace(minitest_runtest_protocol=protocol)


def plugin_for(n: int, first: list[tuple[str, dict[str, Any]]], answers: list[list[tuple[str, dict[str, Any]]]],
               stop_after: int | None = None) -> tuple[WorkerPlugin, Any, list[tuple[int, int | None]]]:
    ran: list[tuple[int, int | None]] = []
    session = SimpleNamespace(shouldfail=False, shouldstop=False, items=[])
    session.items = [Item(i, ran, session, stop_after) for i in range(n)]
    plugin = WorkerPlugin(Channel(), {"workerid": "gw3"})
    plugin.commands = commands = ScriptedCommands(ran, answers)
    commands.deliver = plugin.on_command
    for message in first:
        plugin.on_command(message)
    return plugin, session, ran


def test_each_item_runs_once_its_successor_is_known() -> None:
    # the next item decides which fixtures an item tears down: the last one known waits for more
    # work, or for "shutdown", before it runs
    plugin, session, ran = plugin_for(
        5, [("run", {"indexes": [0, 1, 2]})],
        [[("run", {"indexes": [3]})], [("run", {"indexes": [4]}), ("shutdown", {})]])
    assert plugin.minitest_runtestloop(session) is True
    assert ran == [(0, 1), (1, 2), (2, 3), (3, 4), (4, None)]
    assert plugin.commands.waits == [[(0, 1), (1, 2)], [(0, 1), (1, 2), (2, 3)]]
    assert plugin.shutdown is True and plugin.stopped is False


def test_shutdown_runs_what_is_left_and_ends() -> None:
    plugin, session, ran = plugin_for(3, [("run", {"indexes": [2]}), ("shutdown", {})], [])
    plugin.minitest_runtestloop(session)
    assert ran == [(2, None)]
    # nothing to run at all
    plugin, session, ran = plugin_for(3, [("shutdown", {})], [])
    plugin.minitest_runtestloop(session)
    assert ran == [] and plugin.commands.waits == []


def test_a_stop_drops_the_queued_items() -> None:
    plugin, session, ran = plugin_for(
        6, [("run", {"indexes": [0, 1]})], [[("run", {"indexes": [2, 3]}), ("stop", {})]])
    plugin.minitest_runtestloop(session)
    # 2 and 3 came with the stop: the stop wins, as the controller's -x asks
    assert ran == [(0, 1)]
    assert plugin.stopped is True and list(plugin.todo) == []
    # a closed channel is a stop too, and so is whatever is not a message
    for last in (("closed", {}), "garbage"):
        plugin, session, ran = plugin_for(4, [("run", {"indexes": [0, 1, 2]})], [])
        plugin.on_command(last)
        plugin.minitest_runtestloop(session)
        assert ran == [] and plugin.stopped is True, last


def test_the_loop_ends_when_the_session_is_to_stop_or_fail() -> None:
    plugin, session, ran = plugin_for(5, [("run", {"indexes": [0, 1, 2, 3]}), ("shutdown", {})], [], stop_after=1)
    plugin.minitest_runtestloop(session)
    assert ran == [(0, 1), (1, 2)]
    plugin, session, ran = plugin_for(5, [("run", {"indexes": [0, 1, 2, 3]}), ("shutdown", {})], [])
    first = session.items[0].ihook.minitest_runtest_protocol

    def failing(item: Any, nextitem: Any) -> None:
        first(item=item, nextitem=nextitem)
        session.shouldfail = "stopping after 1 failures"

    session.items[0].ihook = SimpleNamespace(minitest_runtest_protocol=failing)
    plugin.minitest_runtestloop(session)
    assert ran == [(0, 1)]


def test_commands_from_the_controller(monkeypatch: pytest.MonkeyPatch) -> None:
    interrupts: list[str] = []
    monkeypatch.setattr(worker, "interrupt_main_thread", lambda: interrupts.append("SIGINT"))
    plugin = WorkerPlugin(Channel(), {"workerid": "gw0"})
    # before the session starts, a stop only goes into the queue
    plugin.on_command(("stop", {"interrupt": True}))
    assert plugin.commands.get_nowait() == ("stop", {"interrupt": True})
    session = SimpleNamespace(shouldstop=False, config=None)
    plugin.session = session  # type: ignore[assignment]
    plugin.on_command(("run", {"indexes": [1]}))
    # queued at once (a steal that follows sees it); the main loop is only woken
    assert list(plugin.todo) == [1]
    assert session.shouldstop is False and plugin.commands.get_nowait() == ("run", {"indexes": []})
    plugin.on_command(("stop", {"interrupt": True}))  # between two tests: nothing to interrupt
    assert session.shouldstop == "stopped by the controller" and interrupts == []
    plugin.in_test = True
    session.shouldstop = False
    plugin.on_command(("stop", {}))  # the end of a run: the running test ends by itself
    assert session.shouldstop == "stopped by the controller" and interrupts == []
    plugin.on_command(("closed", {"interrupt": True}))
    assert interrupts == []
    plugin.on_command(("stop", {"interrupt": True}))  # -x elsewhere: the running test is cut short
    assert interrupts == ["SIGINT"]
    session.shouldstop = False
    plugin.on_command(None)  # not a message: the channel closed
    assert session.shouldstop == "stopped by the controller"
    assert [plugin.commands.get_nowait() for _ in range(4)] == [
        ("stop", {"interrupt": True}), ("stop", {}), ("closed", {"interrupt": True}), ("stop", {"interrupt": True})]
    assert plugin.commands.get_nowait() is worker._CLOSED


def test_a_steal_gives_back_the_last_items_not_started_and_keeps_the_next_one() -> None:
    plugin = WorkerPlugin(Channel(), {"workerid": "gw0"})
    plugin.on_command(("run", {"indexes": [3, 4]}))
    plugin.on_command(("run", {"indexes": [5, 6]}))
    plugin.on_command(("steal", {"count": 2}))  # answered at once, not queued for the main loop
    assert plugin.channel.sent == [("returned", {"indexes": [5, 6]})] and list(plugin.todo) == [3, 4]
    # never the first: the running test was set up knowing it comes next
    plugin.on_command(("steal", {"count": 5}))
    plugin.on_command(("steal", {"count": 1}))
    assert plugin.channel.sent[1:] == [("returned", {"indexes": [4]}), ("returned", {"indexes": []})]
    assert list(plugin.todo) == [3]
    assert [plugin.commands.get_nowait() for _ in range(2)] == [("run", {"indexes": []})] * 2
    assert plugin.commands.empty()


def test_items_given_back_are_not_run() -> None:
    plugin, session, ran = plugin_for(6, [("run", {"indexes": [0, 1, 2, 3, 4, 5]})], [[("shutdown", {})]])
    first = session.items[0].ihook.minitest_runtest_protocol

    def stolen_from_during(item: Any, nextitem: Any) -> None:
        plugin.on_command(("steal", {"count": 3}))  # another worker ran out while item 0 runs
        first(item=item, nextitem=nextitem)

    session.items[0].ihook = SimpleNamespace(minitest_runtest_protocol=stolen_from_during)
    plugin.minitest_runtestloop(session)
    assert plugin.channel.sent == [("returned", {"indexes": [3, 4, 5]})]
    assert ran == [(0, 1), (1, 2), (2, None)]


def test_what_the_hooks_send() -> None:
    channel = Channel()
    plugin = WorkerPlugin(channel, {"workerid": "gw0"})
    location = ("test_a.py", 3, "test_b")
    plugin.minitest_runtest_logstart(nodeid="test_a.py::test_b", location=location)
    assert plugin.in_test is True
    plugin.minitest_runtest_slow(nodeid="test_a.py::test_b", location=location, seconds=2)
    plugin.minitest_runtest_logfinish(nodeid="test_a.py::test_b", location=location)
    assert plugin.in_test is False
    warning = warnings.WarningMessage(UserWarning("careful"), UserWarning, "test_a.py", 5)
    plugin.minitest_warning_recorded(warning_message=warning, when="runtest", nodeid="test_a.py::test_b",
                                     location=location)
    plugin.minitest_warning_recorded(warning_message=warning, when="collect", nodeid="", location=None)
    # a config-time warning: the controller, configured the same way, has it already
    plugin.minitest_warning_recorded(warning_message=warning, when="config", nodeid="", location=("c.py", 1, "f"))
    assert plugin.minitest_internalerror(excrepr="Traceback: boom") is True
    plugin.minitest_deselected(items=[SimpleNamespace(nodeid="test_a.py::test_c")])  # type: ignore[list-item]
    plugin.minitest_collection_finish(session=SimpleNamespace(items=[SimpleNamespace(nodeid="test_a.py::test_b")]))  # type: ignore[arg-type]
    plugin.note_crash("test_a.py::test_b", "Timeout")
    warning_data = {"message": "careful", "category_module": "builtins", "category_name": "UserWarning",
                    "filename": "test_a.py", "lineno": 5, "line": None}
    assert channel.sent == [
        ("logstart", {"nodeid": "test_a.py::test_b", "location": ["test_a.py", 3, "test_b"]}),
        ("slow", {"nodeid": "test_a.py::test_b", "location": ["test_a.py", 3, "test_b"], "seconds": 2.0}),
        ("logfinish", {"nodeid": "test_a.py::test_b", "location": ["test_a.py", 3, "test_b"]}),
        ("warning", {"warning": warning_data, "when": "runtest", "nodeid": "test_a.py::test_b",
                     "location": ["test_a.py", 3, "test_b"]}),
        ("warning", {"warning": warning_data, "when": "collect", "nodeid": "", "location": None}),
        ("internalerror", {"text": "Traceback: boom"}),
        ("deselected", {"nodeids": ["test_a.py::test_c"]}),
        ("collected", {"ids": ["test_a.py::test_b"], "groups": None}),
        ("crashnote", {"nodeid": "test_a.py::test_b", "text": "Timeout"}),
    ]
    assert type(channel.sent[1][1]["seconds"]) is float


def test_a_worker_asked_for_groups_sends_them_with_the_ids() -> None:
    # --dist loadgroup with spawned workers: the controller has no items to read the marks from
    channel = Channel()
    plugin = WorkerPlugin(channel, {"workerid": "gw0", "groups": True})
    marks = {"a": [SimpleNamespace(args=("db", "more"), kwargs={})], "b": [],
             "c": [SimpleNamespace(args=(), kwargs={"name": "x"}), SimpleNamespace(args=(), kwargs={}),
                   SimpleNamespace(args=("x",), kwargs={})]}
    items = [SimpleNamespace(nodeid=f"t.py::{name}", iter_markers=lambda name, n=name: iter(marks[n]))
             for name in "abc"]
    plugin.minitest_collection_finish(session=SimpleNamespace(items=items))  # type: ignore[arg-type]
    # the first argument names the group; several marks: their names sorted and joined (a mark
    # without one is "default")
    assert channel.sent == [("collected", {"ids": ["t.py::a", "t.py::b", "t.py::c"],
                                           "groups": ["db", None, "default_x"]})]


def test_only_failed_collections_are_sent() -> None:
    channel = Channel()
    plugin = WorkerPlugin(channel, {"workerid": "gw0"})
    serialized: list[Any] = []
    hook = SimpleNamespace(minitest_report_to_serializable=lambda config, report: serialized.append(report) or "data")
    plugin.config = SimpleNamespace(hook=hook)  # type: ignore[assignment]
    plugin.minitest_collectreport(report=CollectReport("test_a.py", "passed", None, None))
    failed = CollectReport("test_b.py", "failed", FailureRepr("boom"), None)
    plugin.minitest_collectreport(report=failed)
    assert channel.sent == [("collectreport", {"report": "data"})] and serialized == [failed]


def test_the_session_finish_fills_workeroutput_before_the_other_plugins() -> None:
    config = SimpleNamespace(workeroutput={"seen": 1})
    session = SimpleNamespace(config=config, shouldfail="stopping after 1 failures", shouldstop=False)
    plugin = WorkerPlugin(Channel(), {"workerid": "gw0"})
    wrapper = plugin.minitest_sessionfinish(session=session, exitstatus=ExitCode.TESTS_FAILED)  # type: ignore[arg-type]
    next(wrapper)
    assert config.workeroutput == {"seen": 1, "exitstatus": 1, "shouldfail": "stopping after 1 failures",
                                   "shouldstop": False}
    assert type(config.workeroutput["exitstatus"]) is int
    # not a worker's config: nothing to fill
    wrapper = plugin.minitest_sessionfinish(session=SimpleNamespace(config=SimpleNamespace()), exitstatus=0)  # type: ignore[arg-type]
    next(wrapper)


# -- end to end: what a worker's session looks like from inside, on both kinds of worker ------------

#: each test writes what its worker's session says of itself to ``seen-<worker>-<test>.json``. The
#: names of the worker's attributes and variables are put together at run time: a file that spells
#: them out is one that behaves differently on workers, and gets spawned ones (.forking)
WORKER_VIEW = """
    import json, os

    XDIST = "PYTEST_" + "XDIST_"

    def look(request, name):
        config = request.config
        given = getattr(config, "worker" + "input")
        view = {
            "env": [os.environ[XDIST + "WORKER"], os.environ[XDIST + "WORKER_COUNT"], os.environ[XDIST + "TESTRUNUID"]],
            "input": {k: v for k, v in given.items() if k != "testrunuid"},
            "testrunuid": given["testrunuid"],
            "options": [config.option.dist, config.option.numprocesses],
            "terminal": config.pluginmanager.get_plugin("terminalreporter") is not None,
            "basetemp": str(request.getfixturevalue("tmp_path_factory").getbasetemp()),
        }
        worker = os.environ[XDIST + "WORKER"]
        (config.rootpath / f"seen-{worker}-{name}.json").write_text(json.dumps(view))

    def test_one(request): look(request, "one")
    def test_two(request):
        look(request, "two")
        assert 0
"""

#: each worker writes the exit status its session finishes with, and the one in its workeroutput
FINISH_CONFTEST = """
    import json, os

    def minitest_sessionfinish(session, exitstatus):
        output = getattr(session.config, "worker" + "output", None)
        if output is not None:
            worker = os.environ["PYTEST_" + "XDIST_WORKER"]
            finish = [int(exitstatus), output.get("exitstatus")]
            (session.config.rootpath / f"finish-{worker}.json").write_text(json.dumps(finish))
"""


@pytest.mark.parametrize("workers", ["forked", "spawned"])
def test_a_workers_session_is_told_it_is_a_worker(files, run, tmp_path, workers) -> None:
    files({"test_view.py": WORKER_VIEW, "conftest.py": FINISH_CONFTEST})
    result = run("-n", "2", "-p", "no:cache", "--dist", "loadfile", "--basetemp", "base",
                 env={"MINITEST_DIST_FORK": "0"} if workers == "spawned" else None)
    assert result.ret == 1, result.dump()
    result.assert_outcomes(passed=1, failed=1)
    assert any("forked after collection" in line for line in result.lines) == (workers == "forked"), result.dump()
    seen = sorted(tmp_path.glob("seen-*.json"))
    # --dist loadfile: one worker ran both
    assert [p.name for p in seen] in (
        [f"seen-{w}-{t}.json" for t in ("one", "two")] for w in ("gw0", "gw1")), seen
    views = [json.loads(p.read_text()) for p in seen]
    worker = seen[0].name.split("-")[1]
    for view in views:
        uid = view["testrunuid"]
        assert re.fullmatch(r"[0-9a-f]{32}", uid), view
        assert view["env"] == [worker, "2", uid], view
        assert view["input"] == {"workerid": worker, "workercount": 2, "mainargv": [
            "-n", "2", "-p", "no:cache", "--dist", "loadfile", "--basetemp", "base"]}, view
        # --basetemp DIR: each worker has its own DIR/popen-gwN
        assert view["basetemp"] == str(tmp_path / "base" / f"popen-{worker}"), view
        assert view["options"] == ["no", None], view
        assert view["terminal"] is False, view
    # the worker that ran the failing test finishes with 1, the other (it ran nothing) with 0
    finish = {p.name[len("finish-"):-len(".json")]: json.loads(p.read_text()) for p in tmp_path.glob("finish-*.json")}
    idle = "gw1" if worker == "gw0" else "gw0"
    assert finish == {worker: [1, 1], idle: [0, 0]}, (finish, result.dump())


def test_a_usage_error_in_a_spawned_worker_ends_the_run_with_it(files, run, tmp_path) -> None:
    # while it configures (after its config was made) ...
    files({
        "conftest.py": """
            import os
            import minitest

            def minitest_configure(config):
                if os.environ.get("PYTEST_XDIST_WORKER") == "gw1":
                    raise minitest.UsageError("gw1 refuses its options")
        """,
        "test_u.py": "def test_a(): pass\ndef test_b(): pass\n",
    })
    result = run("-n", "2", "-p", "no:cache", env={"MINITEST_DIST_FORK": "0"})
    assert result.ret == 4, result.dump()
    assert result.errlines == ["ERROR: gw1 refuses its options", ""], result.dump()  # ended by a blank line
    assert result.lines[-1].startswith("=") and "no tests ran in" in result.lines[-1], result.dump()
    # ... and while its config is made (a conftest it cannot import)
    files({"conftest.py": """
        import os

        if os.environ.get("PYTEST_XDIST_WORKER") == "gw1":
            raise ImportError("nothing to import on gw1")
    """})
    result = run("-n", "2", "-p", "no:cache", env={"MINITEST_DIST_FORK": "0"})
    assert result.ret == 4, result.dump()
    assert result.errlines[0] == f"ERROR: ImportError while loading conftest '{tmp_path / 'conftest.py'}'.", result.dump()
    assert result.errlines[-2:] == ["ImportError: nothing to import on gw1", ""], result.dump()
    # ... and while its options are declared
    files({"conftest.py": """
        import os
        import minitest

        def minitest_addoption(parser):
            if os.environ.get("PYTEST_XDIST_WORKER") == "gw1":
                raise minitest.UsageError("gw1 declares no options")
    """})
    result = run("-n", "2", "-p", "no:cache", env={"MINITEST_DIST_FORK": "0"})
    assert result.ret == 4, result.dump()
    assert result.errlines == ["ERROR: gw1 declares no options", ""], result.dump()


def test_other_plugins_hooks_around_the_workers_own(files, run, tmp_path) -> None:
    """On a spawned worker: the ids sent to the controller are the items left after the other
    plugins' collection_finish (here one dropped by the root conftest: the run then runs two tests,
    as a serial run would); a session-finish wrapper finds the exit status already in
    ``workeroutput`` (as pytest-xdist puts it there first) and the worker's loop runs the tests, a
    runtestloop of another plugin is not called, even one registered after the worker's plugin (a
    conftest.py below the root, found while collecting)."""
    files({
        "conftest.py": """
            import os

            def minitest_collection_finish(session):
                if os.environ.get("PYTEST_XDIST_WORKER"):
                    del session.items[-1]
        """,
        "sub/conftest.py": """
            import os
            import minitest

            def log(text):
                with open(os.path.join(os.path.dirname(__file__), "hooks.log"), "a") as out:
                    out.write(text + "\\n")

            @minitest.hookimpl(wrapper=True)
            def minitest_sessionfinish(session):
                output = getattr(session.config, "workeroutput", None)
                if output is not None:
                    log(f"sessionfinish sees exitstatus {output.get('exitstatus')!r}")
                return (yield)

            def minitest_runtestloop(session):
                if os.environ.get("PYTEST_XDIST_WORKER"):
                    log("conftest runtestloop")
        """,
        "sub/test_h.py": "def test_a(): pass\ndef test_b(): assert 0\ndef test_c(): pass\n",
    })
    result = run("-n", "1", "-p", "no:cache", env={"MINITEST_DIST_FORK": "0"})
    assert result.ret == 1, result.dump()
    result.assert_outcomes(passed=1, failed=1)
    assert (tmp_path / "sub" / "hooks.log").read_text().splitlines() == ["sessionfinish sees exitstatus 1"], result.dump()


def test_an_internal_error_in_a_spawned_worker_is_said_by_the_controller_alone(files, run) -> None:
    files({
        "conftest.py": """
            import os

            def minitest_runtest_logfinish(nodeid, location):
                if os.environ.get("PYTEST_XDIST_WORKER"):
                    raise RuntimeError("conftest breaks the worker")
        """,
        "test_i.py": "def test_a(): pass\ndef test_b(): pass\n",
    })
    result = run("-n", "1", "-p", "no:cache", env={"MINITEST_DIST_FORK": "0"})
    assert result.ret == 3, result.dump()
    # the worker's handler says it is handled: its process writes nothing of it
    assert not any("INTERNALERROR>" in line for line in result.errlines), result.dump()
    assert result.lines.count("INTERNALERROR> RuntimeError: a worker had an internal error:") == 1, result.dump()
    assert result.lines.count("INTERNALERROR> RuntimeError: conftest breaks the worker") == 2, result.dump()
