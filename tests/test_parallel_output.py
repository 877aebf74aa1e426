"""A worker's standard output forwarded to the controller (builtin_plugins/parallel/output.py), unit by
unit. The fd-level parts run in a child Python (they repoint fd 1); the reading loop runs in process
on a scripted ``os.read``. The end-to-end check is tests/test_parallel_like_serial.py; these pin
the details (found by mutation testing, tests/MUTATION.md)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from builtin_plugins.parallel import output
from builtin_plugins.parallel.output import OutputForwarder, write_output


def run_child(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # PYTHONUNBUFFERED would write every print at once, as the forwarder's line buffering should
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=env)


def test_fd_1_goes_to_the_controller_line_by_line_until_stop() -> None:
    done = run_child("""
        import os, sys, threading
        from builtin_plugins.parallel.output import OutputForwarder
        got, arrived = [], threading.Event()
        def send(name, **payload):
            got.append((name, payload))
            arrived.set()
        forwarder = OutputForwarder(send)
        forwarder.stop()  # not started: nothing to do
        forwarder.start()
        print("first line")  # no flush: the line goes out when it ends, as on a terminal
        live = arrived.wait(30)
        os.write(1, "second é\\n".encode())  # fd 1 itself (a subprocess's output)
        forwarder.stop()
        forwarder.stop()  # stopped: nothing to do
        print("back on stdout")
        sys.stderr.write(repr((live, got)))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "back on stdout\n"
    live, got = eval(done.stderr)  # noqa: S307 - our own repr
    assert live is True
    assert {name for name, _ in got} == {"output"}
    assert "".join(payload["text"] for _, payload in got) == "first line\nsecond é\n"


def test_a_stdout_that_cannot_be_reconfigured_or_flushed_is_no_error() -> None:
    done = run_child("""
        import io, os, sys
        from builtin_plugins.parallel.output import OutputForwarder
        got = []
        forwarder = OutputForwarder(lambda name, **payload: got.append(payload["text"]))
        real = sys.stdout
        sys.stdout = io.StringIO()  # a plugin's replacement: no reconfigure (AttributeError)
        forwarder.start()
        os.write(1, b"raw\\n")
        class Failing:
            def __init__(self, error):
                self.error = error
            def flush(self):
                raise self.error
        sys.stdout = Failing(ValueError("I/O operation on closed file"))
        forwarder.stop()
        sys.stdout = io.StringIO()
        forwarder.start()
        os.write(1, b"again\\n")
        sys.stdout = Failing(OSError("broken pipe"))
        forwarder.stop()
        sys.stdout = real
        sys.stderr.write(repr(got))
    """)
    assert done.returncode == 0, done.stderr
    assert "".join(eval(done.stderr)) == "raw\nagain\n"  # noqa: S307 - our own repr


def test_stop_does_not_wait_for_ever_for_a_child_holding_the_pipe() -> None:
    # a child process that inherited fd 1 (the pipe) and outlives the worker: stop() waits a
    # little, then the worker's Python exits all the same (the thread must not keep it alive)
    done = run_child("""
        import subprocess, sys
        from builtin_plugins.parallel.output import OutputForwarder
        forwarder = OutputForwarder(lambda name, **payload: None)
        forwarder.start()
        # ends when our end of its stdin closes, i.e. when this process is gone
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
        forwarder.stop()
        sys.stderr.write("stopped")
    """, timeout=120)
    assert (done.returncode, done.stderr) == (0, "stopped")


class ScriptedReads:
    """``os.read`` / ``os.close`` as ``_pump`` calls them, on given chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed: list[int] = []

    def read(self, fd: int, size: int) -> bytes:
        assert size >= 4096
        return self.chunks.pop(0)

    def close(self, fd: int) -> None:
        self.closed.append(fd)


class OsWith:
    """The ``os`` module as :mod:`.output` sees it, with some functions replaced. Not the real
    module's: a run on forked workers reads its command pipe with ``os.read`` in another thread
    while the test runs."""

    def __init__(self, **replaced: Any) -> None:
        self.__dict__.update(replaced)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def test_a_character_split_between_two_reads_arrives_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = ScriptedReads(["x é".encode()[:-1], "é".encode()[-1:] + b"\n", b"\xff", b""])
    monkeypatch.setattr(output, "os", OsWith(read=reads.read, close=reads.close))
    sent: list[tuple[str, dict[str, Any]]] = []
    OutputForwarder(lambda name, **payload: sent.append((name, payload)))._pump(7)
    # nothing is sent for the half character; a byte that is no UTF-8 at the end is replaced
    assert sent == [("output", {"text": "x "}), ("output", {"text": "é\n"}), ("output", {"text": "\ufffd"})]
    assert reads.closed == [7]


def test_a_closed_channel_ends_the_reading_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    reads = ScriptedReads([b"a\n", b"b\n", b""])
    monkeypatch.setattr(output, "os", OsWith(read=reads.read, close=reads.close))
    calls = []

    def send(name: str, **payload: Any) -> None:
        calls.append(payload["text"])
        raise OSError("cannot send: channel closed")

    OutputForwarder(send)._pump(9)
    assert calls == ["a\n"]  # no more reads after the first failed send
    assert reads.closed == [9]


class Writer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def write(self, text: str, flush: bool = False) -> None:
        self.calls.append((text, flush))


def test_write_output_goes_to_the_reporter_flushed(monkeypatch: pytest.MonkeyPatch) -> None:
    writer = Writer()
    reporter = type("Reporter", (), {"writer": writer})()
    write_output(reporter, "hello\n")
    assert writer.calls == [("hello\n", True)]
    stdout = io.StringIO()
    monkeypatch.setattr(output.sys, "stdout", stdout)
    write_output(None, "no reporter\n")  # -p no:terminal: straight to stdout
    assert stdout.getvalue() == "no reporter\n"
