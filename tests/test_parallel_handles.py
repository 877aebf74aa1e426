"""The controller's record of one worker (builtin_plugins/parallel/handles.py) and the mapping of a
``--rsyncdir`` copy's paths back to the project's (pathmap.py), in process on fake channels. The
end-to-end runs (tests/test_dist.py, test_remote_workers.py) see only the messages these make; these
pin each rule (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace
from typing import Any

import execnet
import pytest

from builtin_plugins.parallel.handles import WorkerHandle
from builtin_plugins.parallel.pathmap import map_paths


class Channel:
    def __init__(self, closing: BaseException | None = None, sending: BaseException | None = None) -> None:
        self.closing, self.sending = closing, sending
        self.sent: list[Any] = []
        self.waited: list[float] = []

    def send(self, item: Any) -> None:
        if self.sending is not None:
            raise self.sending
        self.sent.append(item)

    def waitclose(self, timeout: float) -> None:
        self.waited.append(timeout)
        if self.closing is not None:
            raise self.closing


class Popen:
    def __init__(self, answer: int | BaseException) -> None:
        self.answer = answer
        self.waited: list[float] = []

    def wait(self, timeout: float) -> int:
        self.waited.append(timeout)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def handle(channel: Any = None, popen: Popen | None = None) -> WorkerHandle:
    gateway = SimpleNamespace(_io=SimpleNamespace(popen=popen)) if popen is not None else SimpleNamespace()
    return WorkerHandle("gw0", "popen", gateway, channel or Channel(), node=None)


def test_a_new_handle() -> None:
    h = handle()
    assert (h.id, h.spec, h.down_reported, h.ids, h.finished, h.done, h.shutdown_sent) == (
        "gw0", "popen", False, None, False, False, False)
    assert (list(h.pending), h.collect_events, h.buffer, h.path_map) == ([], [], None, [])
    assert (h.running, h.crash_note, h.error, h.last_report) == (None, None, None, None)


def test_send_wraps_the_payload_and_ignores_a_dead_channel() -> None:
    channel = Channel()
    handle(channel).send("runtests", indices=[1, 2])
    assert channel.sent == [("runtests", {"indices": [1, 2]})]
    handle(Channel(sending=OSError("cannot send"))).send("shutdown")  # no error: its end is handled elsewhere


def test_item_finished_drops_the_item_wherever_it_is() -> None:
    ids = ["a", "b", "c", "d"]
    h = handle()
    h.pending.extend([0, 1, 2, 1])
    h.item_finished("a", ids)
    assert list(h.pending) == [1, 2, 1]
    h.item_finished("c", ids)  # not the first: a debugger or a plugin may change the order
    assert list(h.pending) == [1, 1]
    h.item_finished("b", ids)  # one at a time (an item sent twice is pending twice)
    assert list(h.pending) == [1]
    h.item_finished("d", ids)  # not pending: nothing happens
    assert list(h.pending) == [1]


def test_remote_error_says_what_the_worker_raised() -> None:
    channel = Channel(closing=execnet.RemoteError("Traceback ...\nValueError: boom\n"))
    assert handle(channel).remote_error() == "Traceback ...\nValueError: boom"
    assert channel.waited == [0.1]
    assert handle(Channel(closing=execnet.RemoteError("  "))).remote_error() == "RemoteError"
    assert handle(Channel()).remote_error() is None  # closed cleanly


def test_remote_error_of_a_gone_process_says_how_it_exited() -> None:
    killed = Popen(-9)
    assert handle(Channel(closing=EOFError()), killed).remote_error() == "the worker process was killed by signal 9"
    assert killed.waited == [1.0]
    assert handle(Channel(closing=EOFError()), Popen(-1)).remote_error() == "the worker process was killed by signal 1"
    assert handle(Channel(closing=EOFError()), Popen(3)).remote_error() == "the worker process exited with code 3"
    assert handle(Channel(closing=EOFError()), Popen(0)).remote_error() == "the worker process exited with code 0"
    running = Popen(subprocess.TimeoutExpired("python", 1.0))
    assert handle(Channel(closing=EOFError()), running).remote_error() is None
    assert handle(Channel(closing=EOFError())).remote_error() is None  # no process of ours to ask (ssh, fork)


MAP = [("/home/u/pyexecnetcache/proj", "/work/proj"), ("/home/u/pyexecnetcache/lib", "/work/lib")]


def test_map_paths_in_strings() -> None:
    assert map_paths("/home/u/pyexecnetcache/proj/test_a.py:3: in test", MAP) == "/work/proj/test_a.py:3: in test"
    assert map_paths("/home/u/pyexecnetcache/proj", MAP) == "/work/proj"  # the directory itself
    assert map_paths("from /home/u/pyexecnetcache/lib/m.py and /home/u/pyexecnetcache/proj/t.py", MAP) == (
        "from /work/lib/m.py and /work/proj/t.py")
    # a longer name that only starts like a copy's is not the copy
    assert map_paths("/home/u/pyexecnetcache/project/x.py", MAP) == "/home/u/pyexecnetcache/project/x.py"


def test_map_paths_through_reports_as_plain_data() -> None:
    report = {"nodeid": "test_a.py::t", "location": ["/home/u/pyexecnetcache/proj/test_a.py", 3, "t"],
              "longrepr": {"lines": ["/home/u/pyexecnetcache/lib/m.py:1: E"]}, "duration": 0.5, "ok": None}
    assert map_paths(report, MAP) == {"nodeid": "test_a.py::t", "location": ["/work/proj/test_a.py", 3, "t"],
                                      "longrepr": {"lines": ["/work/lib/m.py:1: E"]}, "duration": 0.5, "ok": None}
    assert map_paths(report, []) is report  # no copies: the value as it is
    keeps = ("/home/u/pyexecnetcache/proj/a.py",)
    assert map_paths(keeps, MAP) is keeps  # only what JSON makes (str, dict, list) is rewritten


@pytest.mark.parametrize("value", ["", "plain text", 3])
def test_map_paths_leaves_other_values(value: Any) -> None:
    assert map_paths(value, MAP) == value
