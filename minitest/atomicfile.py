"""Writing report and cache files so that a reader never sees half a file.

A file is written next to its destination under a temporary name and moved over it with
``os.replace`` (atomic on POSIX and Windows within one directory): two runs writing the same file
at once leave one complete version, never a mix, and a crash leaves the old file in place.

The new file gets the mode an ordinary ``open()`` would give it (0666 less the umask; an existing
file's own mode), not ``mkstemp``'s 0600: a report is often read by another user or CI step. A
destination that is a symlink is written through (its target is replaced), as ``open()`` would.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["atomic_write_text", "check_writable", "write_report", "report_not_written"]


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically (its directory must exist)."""
    import tempfile

    target = Path(os.path.realpath(path))  # a symlink's target, not the link, is replaced
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _mode_for(target))
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
            f.flush()
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def check_writable(path: str | os.PathLike[str]) -> str | None:
    """Why a report could not be written to ``path``, or None if it can.

    Creates the missing parent directories (a report path like ``reports/junit.xml`` is common)
    and tries a temporary file in the destination directory: permission bits alone say nothing
    when running as root or on some file systems, an actual attempt does.
    """
    import tempfile

    target = Path(path)
    if target.is_dir():
        return f"{target} is a directory"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".check", dir=target.parent)
    except OSError as exc:
        return f"cannot write to {target.parent}: {exc.strerror or exc}"
    os.close(fd)
    os.unlink(tmp)
    return None


def _mode_for(target: Path) -> int:
    """The permission bits ``open(target, "w")`` would leave: the file's own if it exists, else
    0666 less the umask (read without changing it where /proc says it: ``os.umask`` sets it)."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        pass
    return 0o666 & ~_umask()


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no /proc: read it by setting it, and put it back at once
    os.umask(mask)
    return mask


def write_report(path: str | os.PathLike[str], text: str) -> str | None:
    """Write a report file atomically; None when written, else why not (the disk is full, the
    directory went away...): whatever was at ``path`` before is left as it was."""
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        return f"could not write {path}: {exc.strerror or exc} (any earlier file there is unchanged)"
    return None


def report_not_written(session: object, option: str, problem: str) -> None:
    """Say that the report ``option`` asked for was not written, and make the run fail: a CI job
    must not pass without the report it asked for (exit code 4, unless tests failed: 1 stays)."""
    import sys

    from minitest.exitcode import ExitCode

    sys.stderr.write(f"ERROR: {option}: {problem}\n")
    status = getattr(session, "exitstatus", ExitCode.OK)
    if status in (ExitCode.OK, ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = ExitCode.USAGE_ERROR  # type: ignore[attr-defined]
