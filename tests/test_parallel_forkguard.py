"""The guard against a process forked by a test that returns into minitest
(builtin_plugins/parallel/forkguard.py), in process: its wrapper is driven as pluggy drives it, and
the forked children are real (``os.fork``). The end-to-end run is
tests/test_parallel_like_serial.py::test_a_forked_child_that_falls_through_ends_and_fails_its_test;
these pin the exit status of the child and the failure of the test (found by mutation testing,
tests/MUTATION.md)."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

import pytest

from builtin_plugins.parallel import forkguard
from builtin_plugins.parallel.forkguard import ForkGuard
from minitest.outcomes import Failed

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def no_exit_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """``os._exit`` in this process (the worker) would end the test run with its status, perhaps
    0: refused here; a forked child (a later pid) still exits for real."""
    here, real_exit = os.getpid(), os._exit

    def exit_in_children_only(code: int) -> None:
        if os.getpid() == here:
            raise AssertionError(f"the worker itself was ended (os._exit({code}))")
        real_exit(code)

    monkeypatch.setattr(forkguard.os, "_exit", exit_in_children_only)


def call(guard: ForkGuard, nodeid: str, result: Any = None, raises: BaseException | None = None) -> Any:
    """One test call through the wrapper; returns what the wrapper returns."""
    wrapper = guard.minitest_pyfunc_call(SimpleNamespace(nodeid=nodeid))
    next(wrapper)
    try:
        if raises is not None:
            wrapper.throw(raises)
        else:
            wrapper.send(result)
    except StopIteration as stop:
        return stop.value
    raise AssertionError("the wrapper yielded twice")


def in_child(guard: ForkGuard, nodeid: str, raises: BaseException | None = None) -> int:
    """Fork; the child makes one call through the wrapper (which must end it). Returns the child's
    exit status as ``os.waitstatus_to_exitcode`` gives it (99: the wrapper let the child go on)."""
    pid = os.fork()
    if pid == 0:
        try:
            call(guard, nodeid, raises=raises)
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_in_the_worker_results_and_errors_pass_through() -> None:
    guard = ForkGuard()
    assert call(guard, "t.py::test_a", result=[1]) == [1]
    with pytest.raises(ValueError, match="boom"):
        call(guard, "t.py::test_a", raises=ValueError("boom"))
    assert guard._strays() == []


def test_a_child_that_returns_is_ended_and_its_test_fails() -> None:
    guard = ForkGuard()
    assert in_child(guard, "t.py::test_fork") == 0
    with pytest.raises(Failed) as info:
        call(guard, "t.py::test_fork")
    assert info.value.msg == ("a process forked by t.py::test_fork returned into minitest instead of exiting: "
                              "it was ended (end a forked child with os._exit())")
    assert info.value.pytrace is False
    assert call(guard, "t.py::test_next", result="ok") == "ok"  # read once: the next test is not failed


@pytest.mark.parametrize(("raised", "code"), [
    (SystemExit(3), 3), (SystemExit(0), 0), (SystemExit("bye"), 1), (SystemExit(None), 1), (ValueError("x"), 1),
    (KeyboardInterrupt(), 1),
])
def test_a_child_that_raises_exits_as_it_asked(raised: BaseException, code: int) -> None:
    guard = ForkGuard()
    assert in_child(guard, "t.py::test_fork", raises=raised) == code
    with pytest.raises(Failed, match=r"^a process forked by t.py::test_fork returned"):
        call(guard, "t.py::test_fork")


def test_every_test_that_forked_is_named_once() -> None:
    guard = ForkGuard()
    for nodeid in ("t.py::test_b", "t.py::test_a", "t.py::test_b"):
        assert in_child(guard, nodeid) == 0
    with pytest.raises(Failed, match=r"^a process forked by t.py::test_a, t.py::test_b returned into minitest"):
        call(guard, "t.py::test_b")
