"""What a worker writes to its standard output reaches the controller's terminal, live.

execnet points a worker's file descriptor 1 at ``/dev/null`` (its real stdout carries the
channel), so without this, ``print`` in a test run with ``-s`` (or in ``capsys.disabled()``, or a
subprocess writing to fd 1) was lost on workers while a serial run shows it (pytest-xdist's
issue #82). The worker points fd 1 at a pipe; a thread sends what comes out of it to the
controller as ``("output", {"text": ...})`` messages, which the controller writes to its terminal
as they arrive, where serial output would be: before the result of the test that printed it.
Standard error needs nothing: a local worker shares the controller's.
"""

from __future__ import annotations

import codecs
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

#: how long the end of a worker waits for the last output to be sent (a forked child of a test
#: may keep the pipe open for ever)
DRAIN_SECONDS = 2.0


class OutputForwarder:
    """Worker side: fd 1 → ``send("output", text=...)``."""

    def __init__(self, send: Callable[..., None]) -> None:
        self._send = send
        self._thread: threading.Thread | None = None
        self._saved: int | None = None

    def start(self) -> None:
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        self._saved = os.dup(1)
        os.dup2(write_end, 1)
        os.close(write_end)
        try:
            # a line reaches the controller when it ends, as on a terminal (not when 8 KB are full)
            sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
        self._thread = threading.Thread(target=self._pump, args=(read_end,), name="minitest-output", daemon=True)
        self._thread.start()

    def _pump(self, fd: int) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two reads
        try:
            while True:
                data = os.read(fd, 65536)
                text = decoder.decode(data, final=not data)
                if text:
                    self._send("output", text=text)
                if not data:
                    return
        except Exception:  # noqa: BLE001 - the channel closed: the output has nowhere to go
            return
        finally:
            os.close(fd)

    def stop(self) -> None:
        """Send what is left: end our end of the pipe, wait a little for the thread."""
        if self._thread is None or self._saved is None:
            return
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        os.dup2(self._saved, 1)  # closes the pipe's write end held as fd 1
        os.close(self._saved)
        self._thread.join(DRAIN_SECONDS)
        self._thread = None


def write_output(reporter: Any, text: str) -> None:
    """Controller side: a worker's output, on the terminal now (unbuffered, as in a serial run)."""
    if reporter is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    reporter.writer.write(text, flush=True)
