"""Messages between the controller and its forked workers: lists of ``(name, payload)`` tuples,
each list one length-prefixed frame on a pipe.

execnet carries one message per ``channel.send``: a pure-Python serializer, a lock and a queue
hand-off in a receiver thread each time. A worker sends five messages per test (logstart, three
reports, logfinish). Here a frame holds many messages, pickle is C, and the worker's side of a
test's messages costs one ``os.write``. Measured on 10,000 trivial tests, ``-n 2``, quiet 2-core
machine: spawned workers with execnet 7.4 s CPU (4.1 s wall), forked ones with these frames 3.9 s
(2.7 s), no workers 2.75 s (2.76 s); of the 3.5 s saved, ~2.6 s is the spawned workers' start-up
and collection (``--co``: 1.3 s each), ~0.9 s the transport.

A frame's body is :mod:`marshal` data (both ends are the same interpreter: the worker is a fork),
which carries every message minitest sends (plain data: the reports as their serializable dicts);
anything marshal refuses goes as a pickle instead, marked by the body's first byte. ``pickle``
is imported only then: its import (with ``_compat_pickle``) was ~1 ms of the serial start of every
forked ``-n`` run (``python -X importtime``), before the first worker could start.
"""

from __future__ import annotations

import marshal
import os
import struct
import threading
from collections.abc import Callable
from typing import Any

Message = tuple[str, dict[str, Any]]

_HEADER = struct.Struct("!I")
#: messages that go out at once: the controller must know which test runs (a crash is blamed on
#: it), hear the last words before an exit, and pass given-back items to the idle worker waiting
#: for them; everything else waits for the next of these
_URGENT = frozenset({"logstart", "ready", "finished", "crashnote", "internalerror", "usageerror", "slow",
                     "terminal", "returned"})
#: at most this many messages wait in a worker's buffer (a test with many warnings)
_MAX_BUFFERED = 256


_MARSHAL, _PICKLE = b"M", b"P"


def encode(messages: list[Message]) -> bytes:
    try:
        body = _MARSHAL + marshal.dumps(messages)
    except ValueError:  # an object marshal does not know (a plugin's payload)
        import pickle

        body = _PICKLE + pickle.dumps(messages, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(body)) + body


def decode(body: bytes | bytearray) -> list[Message]:
    if body[:1] == _MARSHAL:
        messages: list[Message] = marshal.loads(memoryview(body)[1:])
        return messages
    import pickle

    unpickled: list[Message] = pickle.loads(memoryview(body)[1:])
    return unpickled


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class FrameReader:
    """Reassembles frames from the bytes read off one pipe (reads may split or join frames)."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, chunk: bytes) -> list[Message]:
        self._data += chunk
        messages: list[Message] = []
        start = 0
        data = self._data
        while len(data) - start >= _HEADER.size:
            (size,) = _HEADER.unpack_from(data, start)
            end = start + _HEADER.size + size
            if len(data) < end:
                break
            messages.extend(decode(data[start + _HEADER.size:end]))
            start = end
        del data[:start]
        return messages


class PipeChannel:
    """The worker's end: what :class:`~.worker.WorkerPlugin` expects of an execnet channel
    (``send`` and ``setcallback``), over two pipes."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._buffer: list[Message] = []
        self._lock = threading.Lock()  # the slow watch and the timeout guard send from threads

    def send(self, message: Message) -> None:
        with self._lock:
            self._buffer.append(message)
            if message[0] in _URGENT or len(self._buffer) >= _MAX_BUFFERED:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if self._buffer:
            data = encode(self._buffer)
            self._buffer = []
            write_all(self._write_fd, data)

    def setcallback(self, callback: Callable[[Any], None], endmarker: Any) -> None:
        """Call ``callback`` with each command from the controller, in a thread (as execnet does),
        then with ``endmarker`` when the controller's end closes."""

        def receive() -> None:
            reader = FrameReader()
            while True:
                try:
                    chunk = os.read(self._read_fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    callback(endmarker)
                    return
                for message in reader.feed(chunk):
                    callback(message)

        threading.Thread(target=receive, name="minitest-commands", daemon=True).start()
