"""``MonkeyPatch``: change attributes, dict items, environment variables, ``sys.path`` and the
working directory for a while, and undo every change afterwards (the ``monkeypatch`` fixture).

    with MonkeyPatch.context() as mp:
        mp.setenv("HOME", "/tmp/x")
        mp.setattr("os.getcwd", lambda: "/")
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import warnings
from collections.abc import Generator, MutableMapping
from pathlib import Path
from typing import Any

__all__ = ["MonkeyPatch"]

_NOTSET: Any = object()


def _resolve(dotted: str) -> Any:
    """Import the longest importable prefix of ``dotted`` and walk the rest as attributes."""
    parts = dotted.split(".")
    used = parts.pop(0)
    found = importlib.import_module(used)
    for part in parts:
        used += "." + part
        try:
            found = getattr(found, part)
            continue
        except AttributeError:
            pass
        try:
            importlib.import_module(used)
        except ImportError as exc:
            if str(exc).split()[-1].strip("'\"") != used:
                raise  # the module exists but failed to import: show its own error
            raise ImportError(f"import error in {used}: {exc}") from exc
        found = getattr(found, part)
    return found


def _split_target(import_path: str, raising: bool) -> tuple[str, Any]:
    if not isinstance(import_path, str) or "." not in import_path:
        raise TypeError(f"must be absolute import path string, not {import_path!r}")
    module, attr = import_path.rsplit(".", 1)
    target = _resolve(module)
    if raising and not hasattr(target, attr):
        raise AttributeError(f"{target!r} object at {module} has no attribute {attr!r}")
    return attr, target


class MonkeyPatch:
    """Records changes so :meth:`undo` can revert them, last change first."""

    def __init__(self) -> None:
        self._setattr: list[tuple[object, str, object]] = []
        self._setitem: list[tuple[MutableMapping[Any, Any], object, object]] = []
        self._cwd: str | None = None
        self._savesyspath: list[str] | None = None

    @classmethod
    @contextlib.contextmanager
    def context(cls) -> Generator[MonkeyPatch, None, None]:
        """A MonkeyPatch whose changes are undone when the ``with`` block ends."""
        mp = cls()
        try:
            yield mp
        finally:
            mp.undo()

    # -- attributes ------------------------------------------------------------------------------
    def setattr(self, target: Any, name: Any = _NOTSET, value: Any = _NOTSET, raising: bool = True) -> None:
        """Set ``target.name = value``; ``setattr("pkg.mod.attr", value)`` names the target by path.

        ``raising=False`` allows creating an attribute that does not exist yet.
        """
        __tracebackhide__ = True
        if isinstance(value, type(_NOTSET)) and value is _NOTSET:
            if not isinstance(target, str):
                raise TypeError("use setattr(target, name, value) or setattr(target, value) with target "
                                "being a dotted import string")
            value = name
            name, target = _split_target(target, raising)
        elif isinstance(target, str):
            raise TypeError("use setattr(target, name, value) or setattr(target, value) with target "
                            "being a dotted import string")
        oldval = getattr(target, name, _NOTSET)
        if raising and oldval is _NOTSET:
            raise AttributeError(f"{target!r} has no attribute {name!r}")
        # a staticmethod/classmethod read through the class loses its wrapper: keep the raw one
        if isinstance(target, type):
            oldval = target.__dict__.get(name, _NOTSET)
        self._setattr.append((target, name, oldval))
        setattr(target, name, value)

    def delattr(self, target: Any, name: Any = _NOTSET, raising: bool = True) -> None:
        """Delete ``target.name`` (``delattr("pkg.mod.attr")`` works too)."""
        __tracebackhide__ = True
        if name is _NOTSET:
            if not isinstance(target, str):
                raise TypeError("use delattr(target, name) or delattr(target) with target being a dotted "
                                "import string")
            name, target = _split_target(target, raising)
        if not hasattr(target, name):
            if raising:
                raise AttributeError(name)
            return
        oldval = getattr(target, name, _NOTSET)
        if isinstance(target, type):
            oldval = target.__dict__.get(name, _NOTSET)
        self._setattr.append((target, name, oldval))
        delattr(target, name)

    # -- mappings --------------------------------------------------------------------------------
    def setitem(self, dic: MutableMapping[Any, Any], name: Any, value: Any) -> None:
        """Set ``dic[name] = value``."""
        self._setitem.append((dic, name, dic.get(name, _NOTSET)))
        dic[name] = value

    def delitem(self, dic: MutableMapping[Any, Any], name: Any, raising: bool = True) -> None:
        """Delete ``dic[name]`` (KeyError if missing, unless ``raising=False``)."""
        if name not in dic:
            if raising:
                raise KeyError(name)
            return
        self._setitem.append((dic, name, dic.get(name, _NOTSET)))
        del dic[name]

    # -- environment -----------------------------------------------------------------------------
    def setenv(self, name: str, value: str, prepend: str | None = None) -> None:
        """Set the environment variable ``name``; with ``prepend=os.pathsep`` the old value is kept
        after the new one."""
        if not isinstance(value, str):
            warnings.warn(f"Value of environment variable {name} type should be str, but got {value!r} "
                          f"(type: {type(value).__name__}); converted to str implicitly", stacklevel=2)
            value = str(value)
        if prepend and name in os.environ:
            value = value + prepend + os.environ[name]
        self.setitem(os.environ, name, value)

    def delenv(self, name: str, raising: bool = True) -> None:
        """Delete the environment variable ``name``."""
        environ: MutableMapping[str, str] = os.environ
        self.delitem(environ, name, raising=raising)

    # -- sys.path and cwd ------------------------------------------------------------------------
    def syspath_prepend(self, path: str | os.PathLike[str]) -> None:
        """Put ``path`` first on ``sys.path`` (and forget cached import misses)."""
        if self._savesyspath is None:
            self._savesyspath = sys.path[:]
        sys.path.insert(0, str(path))
        importlib.invalidate_caches()

    def chdir(self, path: str | os.PathLike[str]) -> None:
        """Change the working directory (restored by :meth:`undo`)."""
        if self._cwd is None:
            self._cwd = os.getcwd()
        os.chdir(Path(path))

    # -- undo ------------------------------------------------------------------------------------
    def undo(self) -> None:
        """Revert every change, last first. The object can be used again afterwards."""
        for obj, name, value in reversed(self._setattr):
            if value is not _NOTSET:
                setattr(obj, name, value)
            else:
                delattr(obj, name)
        self._setattr[:] = []
        for dictionary, key, value in reversed(self._setitem):
            if value is _NOTSET:
                try:
                    del dictionary[key]
                except KeyError:
                    pass  # removed by the test itself: fine
            else:
                dictionary[key] = value
        self._setitem[:] = []
        if self._savesyspath is not None:
            sys.path[:] = self._savesyspath
            self._savesyspath = None
        if self._cwd is not None:
            os.chdir(self._cwd)
            self._cwd = None
