"""What a run's results depend on, as hashes: file contents, the configuration, the environment.

Shared by the plugins that keep state keyed on inputs between runs (the collection index, the
affected-tests database): they compare these hashes with the ones they stored.

* :class:`FileHashes` hashes file contents, reusing a stored hash when the file's stat
  signature (size, mtime, ctime, inode) is unchanged and the file was not "racily clean" (changed
  within 2 s of when the hash was taken, git's rule), so a large tree costs a ``stat`` per file,
  not a read (300 small files: 0.4 ms instead of 1.8 ms; more for larger files).
* :func:`config_fingerprint` is the part of the configuration that can change what a test file
  collects or what a test does: the config file's content, the options (except those known to
  change only how a run reports, :data:`RUN_ONLY_OPTIONS`), the plugins, Python and minitest.
* :func:`locked` serializes read-modify-write of a state file between two runs at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minitest import clock

if TYPE_CHECKING:
    from minitest.config import Config

__all__ = ["FileHashes", "config_fingerprint", "locked", "content_hash", "RUN_ONLY_OPTIONS",
           "installed_distributions_hash"]

#: option dests (of the builtins) that change how a run selects, orders, runs or reports tests,
#: never which tests a file produces: they are left out of :func:`config_fingerprint`. An option
#: not listed here (any plugin's) is part of the fingerprint, which is the safe side: changing it
#: only costs a full collection.
RUN_ONLY_OPTIONS = frozenset({
    "keyword", "markexpr", "deselect", "last_failed", "failed_first", "new_first", "last_failed_no_failures",
    "stepwise", "stepwise_skip", "stepwise_reset", "cacheshow", "cacheclear", "verbose", "quiet", "tbstyle", "showlocals",
    "reportchars", "fulltrace", "color", "code_highlight", "capture", "showcapture", "maxfail",
    "continue_on_collection_errors", "collectonly", "durations", "durations_min", "no_header",
    "no_summary", "force_short_summary", "fold_skipped", "xfail_tb", "numprocesses", "dist", "tx",
    "rsyncdir", "rsyncignore", "workerstarttimeout", "maxworkerrestart", "usepdb", "usepdb_cls", "trace",
    "trace_hooks", "trace_hooks_file", "traceconfig", "plugin_profile", "debug", "pastebin", "xmlpath", "junitprefix", "timeout",
    "timeout_method", "reruns", "reruns_delay", "reruns_delay_backoff_factor", "reruns_mode",
    "only_rerun", "rerun_except", "rerun_exclude_path", "rerun_show_tracebacks", "force_reruns",
    "max_suite_reruns", "fail_on_flaky", "random_order", "random_seed", "random_no_shuffle", "bisect",
    "bisect_run", "basetemp", "setuponly", "setupplan", "setupshow", "runxfail", "max_warnings",
    "log_cli_level", "log_cli_format", "log_cli_date_format", "log_file", "log_file_level",
    "log_file_format", "log_file_date_format", "log_file_mode", "log_format", "log_date_format",
    "log_level", "log_auto_indent", "logger_disable", "help", "version", "file_or_dir",
    "no_index", "affected", "affected_why", "watch", "watch_all", "watch_round", "watch_skip_file",
})

#: a file changed this close (seconds) to when its hash was taken may change again within the
#: timestamp granularity without its stat changing: it is hashed again next time. 2 s, FAT's
#: granularity, the coarsest in use (ext4, APFS, NTFS: ns to 100 ns; old ext3 / HFS+: 1 s)
_RACY_SECONDS = 2.0


def content_hash(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def _signature(st: os.stat_result) -> list[int]:
    """What a stored hash is valid for. Any write to a file changes its ctime (and normally its
    mtime and size); ctime cannot be set back from user space (``os.utime``, ``touch -r``, ``tar``,
    ``rsync -t`` restore the mtime only, and themselves change the ctime), and a file replaced by
    another (an editor saving through a rename, ``git checkout``) has a new inode. So an unchanged
    signature means unchanged content, except for a change within the timestamp granularity of
    the moment the hash was taken: :data:`_RACY_SECONDS` excludes those."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class FileHashes:
    """Content hashes of files, by absolute path, with a stat cache loaded from and saved to a
    JSON-able mapping ``{path: [size, mtime_ns, ctime_ns, inode, hash]}`` (:func:`_signature`).
    A missing or unreadable file hashes to ``""``. ``changed`` says whether the stat cache differs
    from the one loaded (it is worth saving)."""

    def __init__(self, stored: Mapping[str, Any] | None = None) -> None:
        self._stored: dict[str, list[Any]] = {}
        for key, value in (stored or {}).items():
            if isinstance(value, list) and len(value) == 5:  # older layouts: hashed again
                self._stored[key] = value
        self._now: dict[str, str] = {}
        self.started = clock.wall()
        self.changed = False

    def hash(self, path: str) -> str:
        known = self._now.get(path)
        if known is not None:
            return known
        try:
            st = os.stat(path)
        except OSError:
            self._now[path] = ""
            return ""
        signature = _signature(st)
        entry = self._stored.get(path)
        if entry is not None and entry[:4] == signature:
            self._now[path] = str(entry[4])
            return str(entry[4])
        try:
            with open(path, "rb") as f:
                digest = content_hash(f.read())
        except OSError:
            digest = ""
        self._now[path] = digest
        if digest and max(st.st_mtime_ns, st.st_ctime_ns) / 1e9 < self.started - _RACY_SECONDS:
            self._stored[path] = [*signature, digest]
            self.changed = True
        elif self._stored.pop(path, None) is not None:
            self.changed = True
        return digest

    def to_json(self, keep: set[str] | None = None) -> dict[str, list[Any]]:
        """The stat cache to store (only the paths in ``keep`` when given)."""
        if keep is None:
            return dict(self._stored)
        return {k: v for k, v in self._stored.items() if k in keep}


def _plain(value: Any) -> Any:
    """An option value as JSON, or its type name when it has no stable form (an object)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return type(value).__name__


def config_fingerprint(config: Config, extra_leave_out: frozenset[str] = frozenset()) -> dict[str, str]:
    """The parts of the configuration that change what is collected or run, each as a short
    string (a hash or a version), keyed by what it is: ``python``, ``minitest``, ``config file``,
    ``options``, ``plugins``. Two runs with equal fingerprints collect the same tests from the
    same files."""
    from minitest.version import __version__

    leave_out = RUN_ONLY_OPTIONS | extra_leave_out
    options = {k: _plain(v) for k, v in sorted(vars(config.option).items()) if k not in leave_out}
    inipath = config.inipath
    ini = ""
    if inipath is not None:
        try:
            ini = content_hash(Path(inipath).read_bytes())
        except OSError:
            ini = "unreadable"
    pm = config.pluginmanager
    plugins = sorted(
        f"{name}={origin.dist or ''}@{origin.version or ''}"
        for name, origin in pm.origins.items() if origin.kind in ("entrypoint", "pytest-entrypoint", "-p", "env", "ini")
    )
    return {
        "python": f"{sys.implementation.name}-{'.'.join(map(str, sys.version_info[:3]))}",
        "minitest": __version__,
        "config file": f"{config.rootdir_relative(inipath) if inipath else '-'}:{ini[:16]}",
        "options": content_hash(json.dumps(options, sort_keys=True).encode())[:16],
        "plugins": content_hash("\n".join(plugins).encode())[:16],
    }


def installed_distributions_hash() -> str:
    """A hash of the names (with versions) of the distributions installed on ``sys.path``: a
    changed dependency version changes it. Only directory listings are read."""
    names: list[str] = []
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                names.extend(e.name for e in it if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
    return content_hash("\n".join(sorted(names)).encode())[:16]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) for the block: two runs updating the
    same state file merge one after the other instead of one losing the other's update. Where
    locking is not available (no ``fcntl``), the block runs unlocked; writes stay atomic."""
    try:
        import fcntl
    except ImportError:  # Windows: atomic replace only
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
