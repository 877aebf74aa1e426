"""Running a command on a pseudo-terminal (the ``pty`` module), for the tests of what minitest
does when its output is a terminal: the debugger's prompts (test_debugging.py), live logging
and the collection count rewritten in place (test_live_logging.py).

The command runs on the slave side; the test reads the master side. Every wait is bounded, and
the process is killed at the end whatever happened, so a broken run fails the test instead of
hanging the suite.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

#: escape sequences: colours, cursor moves, readline's keypad modes
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")
WAIT = 30.0  # seconds: far more than any of these runs needs, and never forever


class Terminal:
    """``cmd`` on a pseudo-terminal of 80 columns: ``expect`` text, ``send`` lines.

    ``output`` is what came out with the escape sequences removed and ``\\r\\n`` as ``\\n``;
    ``raw`` is what came out, as bytes decoded."""

    def __init__(self, cwd: Path, cmd: list[str], env: dict[str, str]) -> None:
        import pty

        env = {**env, "COLUMNS": "80"}
        master, slave = pty.openpty()
        self._master = master
        self.proc = subprocess.Popen(cmd, cwd=str(cwd), env=env, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        self.raw = ""
        self.output = ""
        self._seen = 0  # what expect() consumed

    def _read(self, until: float) -> bool:
        import select

        ready, _, _ = select.select([self._master], [], [], max(0.0, min(0.2, until - time.monotonic())))
        if not ready:
            return True
        try:
            data = os.read(self._master, 65536)
        except OSError:  # the child closed its side (it exited)
            return False
        if not data:
            return False
        text = data.decode("utf-8", "replace")
        self.raw += text
        self.output += ANSI.sub("", text.replace("\r\n", "\n"))
        return True

    def expect(self, text: str, timeout: float = WAIT) -> str:
        """Wait for ``text`` after what was already expected; returns the output up to its end."""
        until = time.monotonic() + timeout
        while True:
            index = self.output.find(text, self._seen)
            if index >= 0:
                chunk = self.output[self._seen:index + len(text)]
                self._seen = index + len(text)
                return chunk
            if time.monotonic() > until or not self._read(until):
                if text in self.output[self._seen:]:
                    continue
                raise AssertionError(f"{text!r} did not come within {timeout}s; output so far:\n{self.output}")

    def send(self, line: str) -> None:
        os.write(self._master, (line + "\n").encode())

    def finish(self, timeout: float = WAIT) -> int:
        """Read the rest of the output until the process closes the terminal; its exit code."""
        until = time.monotonic() + timeout
        while time.monotonic() < until and self._read(until):
            pass
        try:
            return self.proc.wait(timeout=max(0.1, until - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the run did not end within {timeout}s; output:\n{self.output}") from None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self._master)

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()

    @property
    def final_line(self) -> str:
        return next(line for line in reversed(self.lines) if line.strip())


def run_in_terminal(cwd: Path, cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``cmd`` to its end on a pseudo-terminal: (exit code, raw output with ``\\r\\n`` as ``\\n``)."""
    term = Terminal(cwd, cmd, env)
    try:
        code = term.finish()
    finally:
        term.close()
    return code, term.raw.replace("\r\n", "\n")
