"""The cache shared between runs: ``config.cache`` and the ``cache`` fixture.

Values are JSON files under ``<cachedir>/v/<key>``; ``mkdir(name)`` hands out directories under
``<cachedir>/d/``. Every write is atomic (temporary file + ``os.replace``), so two runs that write
at once leave one complete value. A value that cannot be read (corrupt JSON, not a file, not
readable) gives a :class:`CacheWarning` and reads as missing; the plugin that owns the key then
rewrites it, which repairs the file.

The kernel defines the object; the ``cache`` builtin plugin creates it and adds the options
(``--lf``, ``--ff``, ...) on top of it.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from minitest.atomicfile import atomic_write_text

__all__ = ["Cache", "CacheWarning", "CACHEDIR_NAME"]

#: the default cache directory, relative to rootdir (ini ``cache_dir`` changes it)
CACHEDIR_NAME = ".minitest_cache"

_README = """\
# minitest cache directory #

This directory holds the state minitest keeps between runs, such as the tests that failed last
time (used by `--lf` and `--ff`) and the values plugins and tests store with the `cache` fixture.

Do not commit it to version control; `minitest --cache-clear` empties it.
"""

_GITIGNORE = "# Created by minitest automatically.\n*\n"

#: the line of CACHEDIR.TAG saying minitest made the whole cache directory (so may clear it)
_CACHEDIR_TAG_MINE = "created by minitest"

#: put in ``v/`` and ``d/`` when minitest makes them in a cache directory it did not make itself
#: (``cache_dir = .cache``, ``cache_dir = .``): ``--cache-clear`` removes only marked entries there
_OWNED_MARKER = ".minitest-cache"

# marks the directory as a cache for backup tools (https://bford.info/cachedir/)
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by minitest.\n"
)


class CacheWarning(UserWarning):
    """The cache could not be read or written; the run goes on without it."""


class Cache:
    """Values and directories kept between runs in ``cachedir``."""

    def __init__(self, cachedir: Path) -> None:
        self._cachedir = Path(cachedir)
        #: keys whose file could not be read this run: their owner should write them again
        self.unreadable: set[str] = set()

    @property
    def cachedir(self) -> Path:
        return self._cachedir

    def __repr__(self) -> str:
        return f"<Cache {self._cachedir}>"

    # -- values ----------------------------------------------------------------------------------
    def _valuepath(self, key: str) -> Path:
        parts = Path(key).parts
        if not parts or Path(key).is_absolute() or ".." in parts:
            raise ValueError(f"invalid cache key {key!r}: use a relative path like 'myplugin/data'")
        return self._cachedir.joinpath("v", *parts)

    def get(self, key: str, default: Any) -> Any:
        """The value stored under ``key`` (a ``/``-separated name, e.g. ``"myplugin/state"``),
        or ``default`` if there is none or it cannot be read."""
        import json  # imported here: runs that never touch the cache (--version) don't pay for it

        path = self._valuepath(key)
        try:
            with path.open("r", encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return default
        except (OSError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            self.unreadable.add(key)
            self.warn(f"could not read cache value {key!r} from {path} ({type(exc).__name__}: {exc}); "
                      "continuing as if it were empty, it is rewritten at the end of the run")
            return default

    def has(self, key: str) -> bool:
        """Whether a value is stored under ``key`` (a test may have removed the cache directory:
        a plugin that writes only changed values checks this before skipping a write)."""
        return self._valuepath(key).is_file()

    def set(self, key: str, value: object) -> None:
        """Store the JSON-serializable ``value`` under ``key`` (atomically)."""
        import json

        path = self._valuepath(key)
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
        try:
            self._ensure_cachedir()
            self._ensure_subdir("v")
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(path, text)
        except OSError as exc:
            self.warn(f"could not write cache value {key!r} to {path}: {exc}")
            return
        self.unreadable.discard(key)

    # -- directories -----------------------------------------------------------------------------
    def mkdir(self, name: str) -> Path:
        """A directory named ``name`` inside the cache (created if needed), kept between runs."""
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            raise ValueError(f"name {name!r} is not allowed: it must be a single path component")
        self._ensure_cachedir()
        self._ensure_subdir("d")
        path = self._cachedir / "d" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- the directory itself --------------------------------------------------------------------
    def _ensure_subdir(self, name: str) -> None:
        """Make ``v/`` or ``d/``; in a cache directory minitest did not make, leave the marker
        that lets ``--cache-clear`` remove it later (and only it)."""
        sub = self._cachedir / name
        if sub.is_dir():
            return
        sub.mkdir(parents=True, exist_ok=True)
        if not self._is_minitest_cachedir():
            (sub / _OWNED_MARKER).write_text("made by minitest: --cache-clear may remove this directory\n",
                                             encoding="utf-8")

    def _ensure_cachedir(self) -> None:
        """Create the cache directory with its README, .gitignore and CACHEDIR.TAG.

        It is filled in a temporary directory and renamed into place, so a concurrent run sees
        either no cache directory or a complete one; the loser of a race drops its copy.
        """
        if self._cachedir.is_dir():
            return
        import shutil
        import tempfile

        self._cachedir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".minitest-cache-", dir=self._cachedir.parent))
        try:
            # mkdtemp makes the directory private (0700); a cache directory is an ordinary one
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)
            (tmp / "README.md").write_text(_README, encoding="utf-8")
            (tmp / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
            (tmp / "CACHEDIR.TAG").write_text(_CACHEDIR_TAG, encoding="utf-8")
            try:
                os.rename(tmp, self._cachedir)
            except OSError:
                if not self._cachedir.is_dir():
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def clear(self) -> str | None:
        """Remove the values and directories minitest stored (``v/`` and ``d/``), nothing else.

        The cache directory itself and whatever else is in it stay: ``cache_dir`` may name a
        directory shared with other tools (``.cache``) or the rootdir itself. ``v/`` and ``d/`` go
        only when minitest made them (the cache directory has minitest's ``CACHEDIR.TAG``, or the
        entry holds minitest's marker file) and are not symlinks; nothing below them is followed.
        A symlinked cache directory is cleared in its target (the values are read through it).
        Returns why nothing was removed, or None.
        """
        import shutil

        cachedir = self._cachedir
        if not cachedir.exists():
            return None
        owned_dir = self._is_minitest_cachedir()
        kept: list[str] = []
        for name in ("v", "d"):
            entry = cachedir / name
            if not os.path.lexists(entry):
                continue
            if entry.is_symlink() or not entry.is_dir():
                kept.append(f"{entry} is not a directory minitest made (a symlink or a file)")
                continue
            if not (owned_dir or (entry / _OWNED_MARKER).is_file()):
                kept.append(f"{entry} was not made by minitest (no {_OWNED_MARKER} in it, and {cachedir} "
                            "has no CACHEDIR.TAG of minitest's)")
                continue
            shutil.rmtree(entry, ignore_errors=True)
        if kept:
            reason = "; ".join(kept)
            self.warn(f"--cache-clear left entries alone: {reason}")
            return reason
        return None

    def _is_minitest_cachedir(self) -> bool:
        try:
            return _CACHEDIR_TAG_MINE in (self._cachedir / "CACHEDIR.TAG").read_text(encoding="utf-8")
        except (OSError, ValueError):
            return False

    def values(self) -> list[str]:
        """The keys of the stored values, sorted."""
        base = self._cachedir / "v"
        if not base.is_dir():
            return []
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*")
                      if p.is_file() and p.name != _OWNED_MARKER)

    def directories(self) -> list[Path]:
        """Every file under the directories made by :meth:`mkdir`, sorted."""
        base = self._cachedir / "d"
        if not base.is_dir():
            return []
        return sorted(p for p in base.rglob("*") if p.is_file() and p != base / _OWNED_MARKER)

    @staticmethod
    def warn(message: str) -> None:
        warnings.warn(CacheWarning(message), stacklevel=3)
