"""When local workers may be forked from the controller, and how many ``-n auto`` starts
(builtin_plugins/parallel/forking.py), in process on a fake plugin manager. The end-to-end runs are
tests/test_dist_fork.py; these pin each reason to keep spawned workers and the arithmetic of
``-n auto`` (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import sys
import threading
import types
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import builtin_plugins.parallel.options as a_builtin_module
from builtin_plugins.parallel import forking
from builtin_plugins.parallel.forking import (
    DURATIONS_KEY,
    FORK_ENV,
    PER_TEST_OVERHEAD,
    TRANSPORT_SECONDS_PER_TEST,
    WORKER_START_SECONDS,
    auto_workers,
    estimated_seconds,
    known_durations,
    no_terminal_message,
    refusal_after_collection,
    refusal_before_collection,
    refusal_now,
)

# the refusals are judged on a POSIX controller (one that can fork); Windows never forks
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no os.fork")


class Impl:
    def __init__(self, plugin: object, name: str) -> None:
        self.plugin, self.plugin_name = plugin, name


class PluginManager:
    def __init__(self, hooks: dict[str, list[Impl]] | None = None, plugins: list[tuple[str, Any]] | None = None):
        self.hook = SimpleNamespace(**{name: SimpleNamespace(get_hookimpls=lambda impls=impls: impls)
                                       for name, impls in (hooks or {}).items()})
        self.plugins = plugins or []

    def list_name_plugin(self) -> list[tuple[str, Any]]:
        return self.plugins


class Config:
    def __init__(self, pm: PluginManager | None = None, **values: Any) -> None:
        self.pluginmanager = pm or PluginManager()
        self.values = values

    def getoption(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


@pytest.fixture(autouse=True)
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The controller as it is when nothing else runs (the test runner may have threads of its own)."""
    monkeypatch.setattr(forking.threading, "active_count", lambda: 1)
    monkeypatch.delenv(FORK_ENV, raising=False)


def module_from(tmp_path: Path, name: str, source: str) -> types.ModuleType:
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    module = types.ModuleType(name)
    module.__file__ = str(path)
    return module


def test_forked_when_nothing_stands_against_it() -> None:
    assert refusal_before_collection(Config(), ["popen", "popen"]) is None
    assert refusal_before_collection(Config(), []) is None


def test_no_fork_without_os_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(forking.os, "fork")
    assert refusal_before_collection(Config(), ["popen"]) == "os.fork is not available"


def test_no_fork_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking.sys, "platform", "win32")
    assert refusal_before_collection(Config(), ["popen"]) == "os.fork is not available"


@pytest.mark.parametrize(("value", "refused"), [("0", True), (" 0 ", True), ("1", False), ("", False)])
def test_the_environment_may_ask_for_spawned_workers(monkeypatch: pytest.MonkeyPatch, value: str,
                                                     refused: bool) -> None:
    assert FORK_ENV == "MINITEST_DIST_FORK"
    monkeypatch.setenv(FORK_ENV, value)
    expected = "MINITEST_DIST_FORK=0" if refused else None
    assert refusal_before_collection(Config(), ["popen"]) == expected


def test_tx_workers_are_spawned() -> None:
    assert refusal_before_collection(Config(tx=["popen"]), ["popen"]) == "--tx workers"
    assert refusal_before_collection(Config(), ["popen", "ssh=host"]) == "--tx workers"


def test_running_threads_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forking.threading, "active_count", lambda: 2)
    other = SimpleNamespace(name="watcher")
    monkeypatch.setattr(forking.threading, "enumerate", lambda: [threading.current_thread(), other])
    assert refusal_now(Config()) == "threads are running in the controller (watcher)"


def test_a_plugin_in_the_worker_protocol_keeps_spawned_workers(tmp_path: Path) -> None:
    builtin = Impl(a_builtin_module, "parallel")
    outsider = Impl(module_from(tmp_path, "cov_plugin", ""), "cov")
    pm = PluginManager({"minitest_configure_node": [builtin], "minitest_testnodedown": [builtin, outsider]})
    assert refusal_now(Config(pm)) == "plugin cov implements minitest_testnodedown"
    pm = PluginManager({"minitest_unconfigure": [outsider]})
    assert refusal_now(Config(pm)) == "plugin cov implements minitest_unconfigure"
    assert refusal_now(Config(PluginManager({"minitest_configure_node": [builtin]}))) is None


def test_a_plugin_that_reads_the_workers_input_keeps_spawned_workers(tmp_path: Path) -> None:
    quiet = module_from(tmp_path, "quiet", "X = 1\n")
    reader = module_from(tmp_path, "reader", "if hasattr(config, 'workerinput'): pass\n")
    env = module_from(tmp_path, "env", "import os\nos.environ.get('PYTEST_XDIST_WORKER')\n")
    output = module_from(tmp_path, "out", "config.workeroutput['x'] = 1\n")
    gone = module_from(tmp_path, "gone", "")
    gone.__file__ = str(tmp_path / "no-such-file.py")
    nofile = types.ModuleType("nofile")
    pm = PluginManager(plugins=[("quiet", quiet), ("blocked", None), ("gone", gone), ("nofile", nofile),
                                ("parallel", a_builtin_module), ("reader", reader)])
    assert refusal_now(Config(pm)) == "plugin reader reads the worker's input or environment"
    for name, module in (("env", env), ("out", output)):
        assert refusal_now(Config(PluginManager(plugins=[(name, module)]))) == (
            f"plugin {name} reads the worker's input or environment")
    assert refusal_now(Config(PluginManager(plugins=pm.plugins[:-1]))) is None


def test_a_plugin_object_is_judged_by_its_class_s_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = module_from(tmp_path, "objplugin", "workerinput\n")
    instance = type("Plugin", (), {"__module__": "objplugin"})()
    monkeypatch.setitem(sys.modules, "objplugin", module)
    assert refusal_now(Config(PluginManager(plugins=[("obj", instance)]))) == (
        "plugin obj reads the worker's input or environment")
    builtin_instance = type("Plugin", (), {"__module__": "builtin_plugins"})()
    assert refusal_now(Config(PluginManager({"minitest_sessionstart": [Impl(builtin_instance, "b")]}))) is None
    lookalike = type("Plugin", (), {"__module__": "builtin_plugins_extra"})()
    assert refusal_now(Config(PluginManager({"minitest_sessionstart": [Impl(lookalike, "l")]}))) == (
        "plugin l implements minitest_sessionstart")


def test_a_test_file_that_reads_the_workers_environment_keeps_spawned_workers(tmp_path: Path) -> None:
    plain = tmp_path / "test_plain.py"
    plain.write_text("def test(): pass\n")
    reads = tmp_path / "test_reads.py"
    reads.write_text("import os\nWORKER = os.environ.get('PYTEST_XDIST_WORKER')\n")
    config = Config()
    assert refusal_after_collection(config, [plain, None, plain, tmp_path / "gone.py"]) is None
    assert refusal_after_collection(config, [plain, reads, plain]) == f"{reads} reads the worker's environment"
    outsider = Impl(module_from(tmp_path, "cov_plugin", ""), "cov")
    config = Config(PluginManager({"minitest_configure_node": [outsider]}))
    assert refusal_after_collection(config, [plain]) == "plugin cov implements minitest_configure_node"


def test_no_terminal_message() -> None:
    assert no_terminal_message("--pdb", "--tx workers") == (
        "--pdb with workers needs them forked from this process, whose terminal they share; these would be "
        "started apart from it (--tx workers), with no terminal: run without -n/--tx (or with -n 0)")


def test_known_durations_come_from_the_cache() -> None:
    class Cache:
        def __init__(self, value: Any) -> None:
            self.value = value

        def get(self, key: str, default: Any) -> Any:
            assert key == DURATIONS_KEY == "parallel/durations"
            return default if self.value is None else self.value

    config = SimpleNamespace(cache=Cache({"t.py::a": 0.5}))
    assert known_durations(config) == {"t.py::a": 0.5}
    assert known_durations(SimpleNamespace(cache=Cache(None))) == {}
    assert known_durations(SimpleNamespace(cache=Cache(["not", "a", "dict"]))) == {}
    assert known_durations(SimpleNamespace()) == {}  # -p no:cacheprovider


def test_the_costs_ahead_of_auto() -> None:
    assert (PER_TEST_OVERHEAD, WORKER_START_SECONDS, TRANSPORT_SECONDS_PER_TEST) == (0.0001, 0.02, 0.0001)
    assert estimated_seconds(["a", "b"], {"a": 2}) == [2.0001, 0.0001]


def test_auto_workers_picks_the_count_that_saves_the_most() -> None:
    assert auto_workers(1, [10.0]) == 0  # one CPU: no worker saves anything
    assert auto_workers(2, [10.0]) == 2
    assert auto_workers(4, [10.0]) == 4
    assert auto_workers(4, [0.1]) == 2  # 0.05 - 0.04 - ... beats 0.0667 - 0.06
    assert auto_workers(3, [0.06]) == 0  # 0.03 - 0.04 < 0: none
    # gain of two workers: 0.5 * own - 0.04 - n * 0.0001
    assert auto_workers(2, [0.0801]) == 0  # 0.04005 - 0.04 - 0.0001 < 0
    assert auto_workers(2, [0.0803]) == 2  # 0.04015 - 0.04 - 0.0001 > 0
