"""Capturing one output stream, at the ``sys`` level or the file-descriptor level.

Every capture can be suspended and resumed; nested captures (a ``capfd`` fixture inside the
global capture) work as long as they are resumed and suspended last-in, first-out.
"""

from __future__ import annotations

import io
import os
import sys
from tempfile import TemporaryFile
from typing import IO, Any

_STREAMS = {0: "stdin", 1: "stdout", 2: "stderr"}


class CaptureIO(io.TextIOWrapper):
    """A text stream that keeps what is written to it (``getvalue()``), bytes included."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="UTF-8", newline="", write_through=True)

    def getvalue(self) -> str:
        buffer = self.buffer
        assert isinstance(buffer, io.BytesIO)  # made in __init__
        return buffer.getvalue().decode("UTF-8", "replace")


class TeeCaptureIO(CaptureIO):
    """A CaptureIO that also writes through to another stream (``--capture=tee-sys``)."""

    def __init__(self, other: IO[str]) -> None:
        self._other = other
        super().__init__()

    def write(self, s: str) -> int:
        super().write(s)
        return self._other.write(s)


class DontReadFromInput(io.TextIOBase):
    """``sys.stdin`` while output is captured: reading is an error with a hint, not a hang."""

    encoding = "UTF-8"

    def read(self, size: int | None = -1) -> str:
        raise OSError("minitest: reading from stdin while output is captured!  Consider using `-s`.")

    readline = read  # type: ignore[assignment]

    def __next__(self) -> str:  # type: ignore[override]  # typeshed types IOBase's as bytes
        return self.read()

    def readlines(self, hint: int | None = -1) -> list[str]:  # type: ignore[override]  # as __next__
        raise OSError("minitest: reading from stdin while output is captured!  Consider using `-s`.")

    def close(self) -> None:
        pass  # a test closing sys.stdin closes nothing of the run's (as pytest's)

    def fileno(self) -> int:
        raise io.UnsupportedOperation("redirected stdin is pseudofile, has no fileno()")

    def isatty(self) -> bool:
        return False

    @property
    def buffer(self) -> Any:
        return self


class SysCapture:
    """Replaces ``sys.stdout`` / ``sys.stderr`` / ``sys.stdin`` while active."""

    def __init__(self, fd: int, *, binary: bool = False, tee: bool = False) -> None:
        self.name = _STREAMS[fd]
        self.binary = binary
        if fd == 0:
            self.tmpfile: Any = DontReadFromInput()
        elif tee:
            self.tmpfile = TeeCaptureIO(getattr(sys, self.name))
        else:
            self.tmpfile = CaptureIO()
        self._saved: list[Any] = []

    def resume(self) -> None:
        self._saved.append(getattr(sys, self.name))
        setattr(sys, self.name, self.tmpfile)

    def suspend(self) -> None:
        if self._saved:
            setattr(sys, self.name, self._saved.pop())

    def snap(self) -> str | bytes:
        if self.name == "stdin" or self.tmpfile.closed:  # closed by the test: what it held is gone
            return b"" if self.binary else ""
        self.tmpfile.flush()
        data: bytes = self.tmpfile.buffer.getvalue()
        self.tmpfile.seek(0)
        self.tmpfile.truncate()
        return data if self.binary else data.decode("UTF-8", "replace")

    def close(self) -> None:
        while self._saved:
            self.suspend()


class FDCapture:
    """Redirects a file descriptor (1 or 2) to a temporary file; ``sys.stdout``/``sys.stderr``
    write into the same file so Python and C-level output keep their order."""

    def __init__(self, fd: int, *, binary: bool = False) -> None:
        self.fd = fd
        self.name = _STREAMS[fd]
        self.binary = binary
        self._fd_saved = os.dup(fd)
        if fd == 0:
            self._devnull = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the capture
            self.tmpfile: Any = DontReadFromInput()
            self._target_fd = self._devnull.fileno()
        else:
            self.tmpfile = io.TextIOWrapper(TemporaryFile(buffering=0), encoding="utf-8", errors="replace",
                                            newline="", write_through=True)
            self._target_fd = self.tmpfile.fileno()
        self._saved_sys: list[Any] = []

    def resume(self) -> None:
        if self.tmpfile.closed:
            # closed by a test: its descriptor number may belong to another file by now, which
            # must not become the process's stdout (the manager replaces a closed capture)
            raise ValueError(f"the capture of {self.name} was closed")
        os.dup2(self._target_fd, self.fd)
        self._saved_sys.append(getattr(sys, self.name))
        setattr(sys, self.name, self.tmpfile)

    def suspend(self) -> None:
        if self._saved_sys:
            setattr(sys, self.name, self._saved_sys.pop())
        os.dup2(self._fd_saved, self.fd)

    def snap(self) -> str | bytes:
        if self.fd == 0 or self.tmpfile.closed or os.lseek(self._target_fd, 0, os.SEEK_CUR) == 0:
            # nothing written (the common case): one system call instead of four
            return b"" if self.binary else ""
        self.tmpfile.seek(0)
        data: bytes = self.tmpfile.buffer.read()
        self.tmpfile.seek(0)
        self.tmpfile.truncate()
        return data if self.binary else data.decode("utf-8", "replace")

    def close(self) -> None:
        while self._saved_sys:
            setattr(sys, self.name, self._saved_sys.pop())
        os.dup2(self._fd_saved, self.fd)
        os.close(self._fd_saved)
        if self.fd == 0:
            self._devnull.close()
        else:
            self.tmpfile.close()


class MultiCapture:
    """stdin, stdout and stderr captured together by one method ("fd", "sys" or "tee-sys")."""

    def __init__(self, method: str, *, binary: bool = False, stdin: bool = True) -> None:
        if method == "fd":
            self.captures: list[Any] = [FDCapture(1, binary=binary), FDCapture(2, binary=binary)]
            if stdin:
                self.captures.append(FDCapture(0))
        else:
            tee = method == "tee-sys"
            self.captures = [SysCapture(1, binary=binary, tee=tee), SysCapture(2, binary=binary, tee=tee)]
            if stdin:
                self.captures.append(SysCapture(0))
        self.active = False

    def resume(self) -> None:
        if self.active:
            return
        # output already written to the real streams must not end up in the capture
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        for capture in self.captures:
            capture.resume()
        self.active = True

    def suspend(self) -> None:
        if not self.active:
            return
        for capture in reversed(self.captures):
            capture.suspend()
        self.active = False

    def closed_streams(self) -> list[str]:
        """The names of the streams whose capture object a test closed (``sys.stdout.close()``)."""
        return [capture.name for capture in self.captures if capture.tmpfile.closed]

    def readouterr(self) -> tuple[Any, Any]:
        if self.active:
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except (OSError, ValueError, AttributeError):
                    pass
        return self.captures[0].snap(), self.captures[1].snap()

    def close(self) -> None:
        self.suspend()
        for capture in self.captures:
            capture.close()
