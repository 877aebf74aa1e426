"""The directories behind ``tmp_path``: where they may be made and what may ever be removed.

Rules (each one closes a way a run used to lose or expose somebody's files):

* ``--basetemp`` is emptied before use, so it must not be the current directory, the rootdir, the
  home directory or any parent of them (pytest refuses the first; :func:`check_basetemp`), and it is
  only emptied when minitest made it: an existing non-empty directory without minitest's lock file
  is refused rather than deleted.
* The per-user root ``<tmp>/minitest-of-<user>`` must be a real directory (not a symlink) owned
  by the current user, and is made private (0700) (:func:`user_temp_root`).
* Every run directory holds a ``.lock`` file, written atomically and ``flock``-ed for the life of
  the process (:class:`RunLock`). Old runs are removed only when they are minitest's (have the lock
  file), are not symlinks and their lock is not held (:func:`cleanup_old_runs`): a liveness check
  that holds across PID namespaces and forked children, unlike ``os.kill(pid, 0)``.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from minitest.errors import UsageError

__all__ = ["check_basetemp", "check_given_basetemp", "prepare_given_basetemp", "user_temp_root", "make_numbered_dir",
           "RunLock", "cleanup_old_runs", "LOCK_NAME", "BASETEMP_MESSAGE"]

LOCK_NAME = ".lock"

#: pytest's words, kept as they are: users search for them
BASETEMP_MESSAGE = "basetemp must not be empty, the current working directory or any parent directory of it"

try:  # flock is POSIX; elsewhere liveness falls back to the pid check
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

def _is_ancestor_or_same(base: Path, query: Path) -> bool:
    return base == query or query in base.parents


def check_basetemp(value: str, *, cwd: Path, rootdir: Path | None = None, home: str | None = None) -> Path:
    """The absolute ``--basetemp`` path, or a :class:`UsageError` when emptying it would remove
    files that are not minitest's: empty, the cwd, the rootdir, the home directory or a parent of
    any of them (compared both as written and with symlinks resolved: a cwd entered through a
    symlink has a real path the user may pass)."""
    if not value.strip():
        raise UsageError(f"--basetemp='{value}': {BASETEMP_MESSAGE}")
    given = Path(os.path.expanduser(value))
    absolute = Path(os.path.abspath(cwd / given))
    resolved = Path(os.path.realpath(absolute))
    protected: list[tuple[str, Path]] = [("the current working directory", cwd)]
    if rootdir is not None:
        protected.append(("the rootdir", rootdir))
    home = home if home is not None else os.path.expanduser("~")
    if home and home != "~":
        protected.append(("the home directory", Path(home)))
    for what, path in protected:
        for candidate in {Path(os.path.abspath(path)), Path(os.path.realpath(path))}:
            if _is_ancestor_or_same(candidate, absolute) or _is_ancestor_or_same(candidate, resolved):
                same = candidate in (absolute, resolved)
                where = what if same else f"a parent directory of {what} ({candidate})"
                raise UsageError(f"--basetemp={value}: {BASETEMP_MESSAGE} "
                                 f"(nor the rootdir or the home directory): {absolute} is {where}")
    return absolute


def check_given_basetemp(base: Path) -> None:
    """A :class:`UsageError` unless ``base`` may be used (and emptied) by this run: missing, an
    empty directory, or a directory minitest made whose run is over."""
    try:
        st = os.lstat(base)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        raise UsageError(f"--basetemp={base}: is a symbolic link; minitest empties the base temporary "
                         "directory and does not follow links. Pass the real directory.")
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(f"--basetemp={base}: exists and is not a directory")
    if not any(os.scandir(base)):
        return
    if not os.path.lexists(base / LOCK_NAME):
        raise UsageError(f"--basetemp={base}: exists, is not empty and was not made by minitest "
                         f"(no {LOCK_NAME} file in it); minitest would empty it. Remove it yourself "
                         "or choose another directory.")
    if in_use(base):
        raise UsageError(f"--basetemp={base}: is the base temporary directory of a minitest run "
                         "still running; choose another directory")


def prepare_given_basetemp(base: Path) -> RunLock:
    """Empty (re-create) the given basetemp, which :func:`check_given_basetemp` allowed, and lock it."""
    check_given_basetemp(base)
    if base.is_dir() and any(os.scandir(base)):
        _remove_tree(base)
    base.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = RunLock(base)
    lock.acquire()
    return lock


def user_temp_root(root: Path, user: str) -> Path:
    """``root/minitest-of-<user>``, made if missing; refused when it is a symlink or someone else's
    (whoever owns it could read or swap what the tests write); group/other bits removed."""
    path = root / f"minitest-of-{user}"
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise OSError(f"The temporary directory {path} is not a directory (a symbolic link or a file was "
                      "put in its place). Fix this and try again.")
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        if st.st_uid != getuid():
            raise OSError(f"The temporary directory {path} is not owned by the current user. "
                          "Fix this and try again.")
        if st.st_mode & 0o077:
            os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
    return path


def _numbered(root: Path, prefix: str) -> Iterator[tuple[int, Path]]:
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    pattern = re.compile(re.escape(prefix) + r"(\d+)")
    for entry in entries:
        m = pattern.fullmatch(entry.name)
        # a symlink is never one of ours: mkdir makes real directories
        if m and not entry.is_symlink() and entry.is_dir(follow_symlinks=False):
            yield int(m.group(1)), Path(entry.path)


def make_numbered_dir(root: Path, prefix: str) -> Path:
    """``root/<prefix><N>`` with N one more than the highest existing (retrying on races).
    ``mkdir`` never follows a planted symlink: it fails on any existing name."""
    for _ in range(20):
        highest = max((n for n, _ in _numbered(root, prefix)), default=-1)
        path = root / f"{prefix}{highest + 1}"
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process took this number (or a file/link is in the way)
        return path
    raise OSError(f"could not create a numbered directory with prefix {prefix!r} in {root}")


class RunLock:
    """The ``.lock`` of a run directory: says minitest made it and whether its run is alive.

    The file is filled and ``flock``-ed under a temporary name, then renamed into place, so it is
    never seen empty or unlocked. The lock is held by an open descriptor until the process ends
    (no atexit step a forked child could run in the parent's place)."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        self._fd: int | None = None
        self._pid = os.getpid()

    def acquire(self) -> None:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=".lock-", dir=self.path.parent)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # just the pid: older minitest versions sharing the temp root read it with int()
            os.write(fd, str(os.getpid()).encode())
            os.replace(tmp, self.path)
        except BaseException:
            os.close(fd)
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self._fd = fd

    def release(self) -> None:
        """The run is over (an in-process run ends before its process). Only the process that
        took the lock gives it up, and by closing its descriptor rather than ``LOCK_UN``: a forked
        child that runs the end of the session holds a copy, and must not unlock the parent's."""
        fd, self._fd = self._fd, None
        if fd is not None and os.getpid() == self._pid:
            os.close(fd)


def in_use(path: Path) -> bool:
    """Whether the run that made ``path`` may still be running (True when it cannot be told)."""
    lock = path / LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return True  # being made, or not minitest's: either way not to be removed
    except OSError:
        return True
    try:
        text = os.read(fd, 4096).decode("utf-8", "replace").strip()
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            except OSError:
                pass
    finally:
        os.close(fd)  # drops the flock we may have taken
    # not held (or no flock here): the pid decides, which keeps the runs of older minitest
    # versions (no flock) alive; a reused pid only keeps a dead run a while longer
    return _pid_alive(text)


def _pid_alive(text: str) -> bool:
    """The fallback for locks without flock (older minitest, no fcntl): the pid written in them."""
    if not text:
        return False  # older minitest emptied the lock when its run ended
    try:
        pid = int(text)
    except ValueError:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def cleanup_old_runs(root: Path, prefix: str, keep: int) -> None:
    """Remove the run directories of ``root`` but the ``keep`` newest, leaving alone any that is
    live, a symlink, or has no minitest lock (not made by minitest, or still being made)."""
    runs = sorted(_numbered(root, prefix))
    for _, path in runs[:-keep] if keep > 0 else runs:
        if not (path / LOCK_NAME).exists() or in_use(path):
            continue
        _remove_tree(path)


def remove_tree(path: Path) -> None:
    """Remove a directory minitest made (a test's ``tmp_path``, a run's base): see _remove_tree."""
    _remove_tree(path)


def _remove_tree(path: Path) -> None:
    """Remove ``path`` without following symlinks in it (``shutil.rmtree`` works on descriptors on
    POSIX and refuses a symlinked top, which callers skip anyway)."""
    if not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
