"""Writing report and cache files so that a reader never sees half a file.

A file is written next to its destination under a temporary name and moved over it with
``os.replace`` (atomic on POSIX and Windows within one directory): two runs writing the same file
at once leave one complete version, never a mix, and a crash leaves the old file in place.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["atomic_write_text", "check_writable"]


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically (its directory must exist)."""
    import tempfile

    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
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
