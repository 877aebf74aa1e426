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

Do not commit it to version control; `minitest --cache-clear` removes it.
"""

_GITIGNORE = "# Created by minitest automatically.\n*\n"

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

    def set(self, key: str, value: object) -> None:
        """Store the JSON-serializable ``value`` under ``key`` (atomically)."""
        import json

        path = self._valuepath(key)
        text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
        try:
            self._ensure_cachedir()
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
        path = self._cachedir / "d" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    # -- the directory itself --------------------------------------------------------------------
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

    def clear(self) -> None:
        """Remove the whole cache directory."""
        import shutil

        shutil.rmtree(self._cachedir, ignore_errors=True)

    def values(self) -> list[str]:
        """The keys of the stored values, sorted."""
        base = self._cachedir / "v"
        if not base.is_dir():
            return []
        return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())

    def directories(self) -> list[Path]:
        """Every file under the directories made by :meth:`mkdir`, sorted."""
        base = self._cachedir / "d"
        if not base.is_dir():
            return []
        return sorted(p for p in base.rglob("*") if p.is_file())

    @staticmethod
    def warn(message: str) -> None:
        warnings.warn(CacheWarning(message), stacklevel=3)
