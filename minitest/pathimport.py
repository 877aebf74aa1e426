"""Importing test files and conftest.py files by path, in pytest's three import modes.

``prepend`` (default): the first directory above the file that is not a package goes first on
``sys.path`` and the file is imported under its dotted package name. ``append`` puts it last.
``importlib``: nothing on ``sys.path``; a unique module name is derived from the path relative
to rootdir. Import hooks on ``sys.meta_path`` (assertion rewriting) see every import.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["import_path", "ImportPathMismatchError", "resolve_package_path", "module_name_from_path"]


class ImportPathMismatchError(ImportError):
    """A module of the same name was already imported from another file."""

    def __init__(self, name: str, found: str, wanted: Path) -> None:
        self.name_ = name
        self.found = found
        self.wanted = wanted
        super().__init__(
            "import file mismatch:\n"
            f"imported module {name!r} has this __file__ attribute:\n  {found}\n"
            f"which is not the same as the test file we want to collect:\n  {wanted}\n"
            "HINT: remove __pycache__ / .pyc files and/or use a unique basename for your test file modules"
        )


def resolve_package_path(path: Path) -> Path | None:
    """The top-most directory above ``path`` that is still a package (has ``__init__.py``)."""
    found = _package_root(str(path))
    return None if found is None else Path(found)


def _package_root(path: str) -> str | None:
    """:func:`resolve_package_path` on strings (it runs for every test module imported)."""
    result = None
    directory = path if os.path.isdir(path) else os.path.dirname(path)
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        result = directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return result


def _pkg_root_and_module_name(path: Path) -> tuple[Path, str]:
    text = str(path)
    found = _package_root(text)
    if found is None:
        # the common case, a module outside any package: its directory and its bare name
        filename = os.path.basename(text)
        return path.parent, filename.rpartition(".")[0] or filename
    root = Path(found).parent
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return root, ".".join(parts)


def module_name_from_path(path: Path, root: Path) -> str:
    """A dotted module name for ``path`` relative to ``root`` (used by importlib mode)."""
    try:
        rel = path.with_suffix("").relative_to(root)
    except ValueError:
        rel = Path(*path.with_suffix("").parts[1:])
    parts = list(rel.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(p.replace(".", "_") for p in parts) or "__root__"


def import_path(path: Path, *, mode: str = "prepend", root: Path, fresh_name: bool = False) -> ModuleType:
    """Import the file at ``path`` and return its module.

    ``fresh_name``: drop a module of the same top-level name first (used for ``conftest.py`` files
    outside packages, which all share the name ``conftest``).
    """
    if mode == "importlib":
        return _import_with_importlib(path, root)
    pkg_root, module_name = _pkg_root_and_module_name(path)
    entry = str(pkg_root)
    if mode == "append":
        if entry not in sys.path:
            sys.path.append(entry)
    elif not sys.path or sys.path[0] != entry:
        if entry in sys.path:
            sys.path.remove(entry)
        sys.path.insert(0, entry)
    if fresh_name and "." not in module_name:
        sys.modules.pop(module_name, None)
    importlib.import_module(module_name)
    module = sys.modules[module_name]
    if path.name == "__init__.py":
        return module
    found = getattr(module, "__file__", None)
    if found is None or not _same_file(found, path):
        raise ImportPathMismatchError(module_name, str(found), path)
    return module


def _same_file(a: str, b: Path) -> bool:
    if a.endswith((".pyc", ".pyo")):
        a = a[:-1]
    if a == str(b):
        return True  # the usual answer, without the two stat calls of samefile
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(str(b))


def _import_with_importlib(path: Path, root: Path) -> ModuleType:
    module_name = module_name_from_path(path, root)
    existing = sys.modules.get(module_name)
    existing_file = getattr(existing, "__file__", None)
    if existing is not None and existing_file and _same_file(existing_file, path):
        return existing
    spec = None
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(module_name, [str(path.parent)])
        except Exception:
            spec = None
        if spec is not None and spec.origin and _same_file(spec.origin, path):
            break
        spec = None
    if spec is None:
        spec = importlib.util.spec_from_file_location(module_name, str(path))
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path} (no loader)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module
