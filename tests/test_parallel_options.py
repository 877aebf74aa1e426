"""What the ``parallel`` plugin reads from the command line (builtin_plugins/parallel/options.py), in
process: ``-n``, ``--tx``, ``--dist`` and the worker limits, as the values a user gives them. The
end-to-end runs (tests/test_dist.py, test_dist_fork.py) start workers and see only outcomes; these
pin each rule (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import argparse
from types import SimpleNamespace
from typing import Any

import pytest

from builtin_plugins.parallel import options
from builtin_plugins.parallel.options import (
    DEFAULT_START_TIMEOUT,
    dist_mode,
    is_distributing,
    is_worker,
    max_worker_restart,
    numprocesses,
    settle_dist,
    worker_specs,
    worker_start_timeout,
)
from minitest.config import UsageError


class FakeConfig:
    """What options.py uses of a Config: ``getoption(name, default)`` and one hook."""

    def __init__(self, auto: int | None = None, **values: Any) -> None:
        self.values = values
        self.hook = SimpleNamespace(minitest_xdist_auto_num_workers=lambda config: auto)

    def getoption(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)


def test_is_worker_means_workerinput_is_set() -> None:
    config = FakeConfig()
    assert is_worker(config) is False
    config.workerinput = {"workerid": "gw0"}
    assert is_worker(config) is True


def test_numprocesses_numbers() -> None:
    assert numprocesses(FakeConfig()) is None
    assert numprocesses(FakeConfig(numprocesses=" 3 ")) == 3
    assert numprocesses(FakeConfig(numprocesses=0)) == 0


def test_numprocesses_refuses_other_text_and_negative_counts() -> None:
    with pytest.raises(UsageError) as info:
        numprocesses(FakeConfig(numprocesses="many"))
    assert str(info.value) == "-n/--numprocesses: expected a number or 'auto', got 'many'"
    with pytest.raises(UsageError) as info:
        numprocesses(FakeConfig(numprocesses="-1"))
    assert str(info.value) == "-n/--numprocesses: must not be negative, got -1"


@pytest.mark.parametrize("word", ["auto", "logical", "AUTO"])
def test_numprocesses_auto_asks_the_hook_first(word: str) -> None:
    assert numprocesses(FakeConfig(auto=5, numprocesses=word)) == 5
    # a hook answering 0 is an answer (no workers), not "no answer"
    assert numprocesses(FakeConfig(auto=0, numprocesses=word)) == 0


def test_numprocesses_auto_without_a_hook_answer_counts_the_usable_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []

    def affinity(pid: int) -> set[int]:
        asked.append(pid)
        return {0, 1, 2}

    monkeypatch.setattr(options.os, "sched_getaffinity", affinity, raising=False)
    monkeypatch.setattr(options.os, "cpu_count", lambda: 64)
    assert numprocesses(FakeConfig(numprocesses="auto")) == 3
    assert asked == [0]  # this process's CPUs (0), not another process's or the machine's


@pytest.mark.parametrize("error", [AttributeError, OSError])
def test_cpu_count_falls_back_to_the_machines(monkeypatch: pytest.MonkeyPatch, error: type[Exception]) -> None:
    def no_affinity(pid: int) -> set[int]:
        raise error("no affinity here")

    monkeypatch.setattr(options.os, "sched_getaffinity", no_affinity, raising=False)
    monkeypatch.setattr(options.os, "cpu_count", lambda: 6)
    assert options._cpu_count() == 6
    monkeypatch.setattr(options.os, "cpu_count", lambda: None)  # unknown: one
    assert options._cpu_count() == 1


def test_worker_specs_n_wins_over_tx() -> None:
    assert worker_specs(FakeConfig(numprocesses="2", tx=["ssh=host"])) == ["popen", "popen"]
    assert worker_specs(FakeConfig(numprocesses="0", tx=["ssh=host"])) == []
    assert worker_specs(FakeConfig()) == []
    assert worker_specs(FakeConfig(tx=None)) == []


def test_worker_specs_multiply_with_a_star() -> None:
    config = FakeConfig(tx=["3*popen//python=python3", "popen", " 2 *ssh=h", "x*popen", "*popen"])
    assert worker_specs(config) == [
        "popen//python=python3", "popen//python=python3", "popen//python=python3", "popen",
        "ssh=h", "ssh=h", "x*popen", "*popen",
    ]
    assert worker_specs(FakeConfig(tx=["0*popen"])) == []


def test_dist_mode_defaults_to_load() -> None:
    assert dist_mode(FakeConfig()) == "load"
    assert dist_mode(FakeConfig(dist="loadfile")) == "loadfile"


def test_is_distributing() -> None:
    assert is_distributing(FakeConfig(numprocesses="2")) is True
    assert is_distributing(FakeConfig(numprocesses="2", dist="loadscope")) is True
    assert is_distributing(FakeConfig()) is False
    assert is_distributing(FakeConfig(numprocesses="0")) is False
    assert is_distributing(FakeConfig(numprocesses="2", dist="no")) is False
    assert is_distributing(FakeConfig(numprocesses="2", collectonly=True)) is False
    assert is_distributing(FakeConfig(numprocesses="2", showfixtures=True)) is False
    assert is_distributing(FakeConfig(numprocesses="2", show_fixtures_per_test=True)) is False
    assert is_distributing(FakeConfig(numprocesses="2", collectonly=False, showfixtures=False)) is True
    worker = FakeConfig(numprocesses="2")
    worker.workerinput = {}
    assert is_distributing(worker) is False


@pytest.mark.parametrize(("given", "settled"), [
    ({}, "no"),
    ({"numprocesses": "0"}, "no"),
    ({"numprocesses": " 0 ", "dist": "loadfile"}, "no"),
    ({"numprocesses": "2", "dist": "no"}, "no"),
    ({"numprocesses": "2"}, "load"),
    ({"numprocesses": "auto"}, "load"),
    ({"numprocesses": "2", "dist": "loadfile"}, "loadfile"),
    ({"tx": ["popen"]}, "load"),
    ({"tx": []}, "no"),
    ({"tx": ["popen"], "dist": "loadscope"}, "loadscope"),
    ({"dist": "loadgroup"}, "no"),
])
def test_settle_dist_leaves_what_xdist_leaves(given: dict[str, Any], settled: str) -> None:
    namespace = argparse.Namespace(**given)
    settle_dist(namespace)
    assert namespace.dist == settled


def test_worker_start_timeout() -> None:
    assert DEFAULT_START_TIMEOUT == 30.0
    assert worker_start_timeout(FakeConfig()) == 30.0
    assert worker_start_timeout(FakeConfig(workerstarttimeout="2.5")) == 2.5
    assert worker_start_timeout(FakeConfig(workerstarttimeout=0)) == 0.0
    assert worker_start_timeout(FakeConfig(workerstarttimeout=0.5)) == 0.5
    assert worker_start_timeout(FakeConfig(workerstarttimeout=-3)) == 0.0


def test_max_worker_restart() -> None:
    assert max_worker_restart(FakeConfig(), 3) == 12
    assert max_worker_restart(FakeConfig(maxworkerrestart="0"), 3) == 0
    assert max_worker_restart(FakeConfig(maxworkerrestart="1"), 3) == 1
    assert max_worker_restart(FakeConfig(maxworkerrestart=-2), 3) == 0

