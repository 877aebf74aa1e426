"""A process forked by a test that returns into minitest instead of exiting is ended, and the test
fails.

Such a child is a copy of the worker without execnet's threads: it would go on running the
worker's loop, wait for work that never comes and keep the controller's pipes open, so the run
hung for ever (pytest-xdist reports the test as failed). The guard wraps the test function call:
in a process that is not the worker, it writes the test's node id to a pipe the worker made and
exits at once (``os._exit``: no buffers flushed twice, no atexit handlers of the worker). The
worker reads the pipe after each test call and fails the test that forked.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

from minitest import hookimpl
from minitest.outcomes import fail


class ForkGuard:
    """Registered in each worker as ``parallel-forkguard``."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._read, self._write = os.pipe()
        os.set_blocking(self._read, False)

    @hookimpl(wrapper=True)
    def minitest_pyfunc_call(self, pyfuncitem: Any) -> Generator[None, Any, Any]:
        try:
            result = yield
        except BaseException as exc:
            if os.getpid() != self.pid:  # the child's exit status as it asked (sys.exit) or 1
                code = exc.code if isinstance(exc, SystemExit) and isinstance(exc.code, int) else 1
                self._end_child(pyfuncitem.nodeid, code)
            raise
        if os.getpid() != self.pid:
            self._end_child(pyfuncitem.nodeid, 0)
        strays = self._strays()
        if strays:
            names = ", ".join(sorted(set(strays)))
            fail(f"a process forked by {names} returned into minitest instead of exiting: it was ended "
                 "(end a forked child with os._exit())", pytrace=False)
        return result

    def _end_child(self, nodeid: str, code: int) -> None:
        try:
            os.write(self._write, nodeid.encode("utf-8", "replace") + b"\n")
        finally:
            os._exit(code)

    def _strays(self) -> list[str]:
        try:
            data = os.read(self._read, 65536)
        except BlockingIOError:
            return []
        return [line for line in data.decode("utf-8", "replace").splitlines() if line]
