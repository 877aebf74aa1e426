"""Importing test files and conftest.py files by path, in pytest's three import modes.

``prepend`` (default): the first directory above the file that is not a package goes first on
``sys.path`` and the file is imported under its dotted package name. ``append`` puts it last.
``importlib``: nothing on ``sys.path``; a unique module name is derived from the path relative
to rootdir. Import hooks on ``sys.meta_path`` (assertion rewriting) see every import.
"""

from __future__ import annotations

import importlib
import importlib.machinery
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
    """A dotted module name for ``path`` relative to ``root`` (importlib mode's fallback name for
    a file that is not importable as it is): ``src/tests/test_foo.py`` → ``src.tests.test_foo``."""
    without_suffix = path.with_suffix("")
    try:
        parts = list(without_suffix.relative_to(root).parts)
    except ValueError:
        parts = list(without_suffix.parts[1:])  # not below root: the whole path but its anchor
    if len(parts) >= 2 and parts[-1] == "__init__":
        parts.pop()
    # a "." in a directory name (".env.310") would make extra intermediate modules
    return ".".join(p.replace(".", "_") for p in parts)


def _compute_module_name(root: Path, path: Path) -> str | None:
    try:
        names = list(path.with_suffix("").relative_to(root).parts)
    except ValueError:
        return None
    if names and names[-1] == "__init__":
        names.pop()
    return ".".join(names) or None


def _spec_matches(spec: importlib.machinery.ModuleSpec | None, path: Path) -> bool:
    if spec is None:
        return False
    if spec.origin:
        return Path(spec.origin) == path
    # a namespace package has no origin, only its directories
    return any(Path(p) == path for p in spec.submodule_search_locations or ())


def _importable_as(name: str, path: Path) -> bool:
    """Whether ``import name`` (with today's ``sys.path``) would import the file at ``path``."""
    try:
        return _spec_matches(importlib.util.find_spec(name), path)
    except (ImportError, ValueError, ImportWarning):
        return False


def _package_name(path: Path, consider_namespace_packages: bool) -> str | None:
    """The module name ``path`` has as part of a package (regular, or with
    ``consider_namespace_packages`` a namespace package importable from ``sys.path``); None for
    a file outside any package."""
    found = _package_root(str(path))
    pkg_root = None if found is None else Path(found).parent
    if consider_namespace_packages:
        start = pkg_root if pkg_root is not None else path.parent
        for candidate in (start, *start.parents):
            name = _compute_module_name(candidate, path)
            if name and _importable_as(name, path):
                pkg_root = candidate
                break
    return None if pkg_root is None else _compute_module_name(pkg_root, path)


def import_path(path: Path, *, mode: str = "prepend", root: Path, fresh_name: bool = False,
                consider_namespace_packages: bool = False) -> ModuleType:
    """Import the file at ``path`` and return its module.

    ``fresh_name``: drop a module of the same top-level name first (used for ``conftest.py`` files
    outside packages, which all share the name ``conftest``).
    """
    if mode == "importlib":
        return _import_with_importlib(path, root, consider_namespace_packages)
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


def _import_with_importlib(path: Path, root: Path, consider_namespace_packages: bool) -> ModuleType:
    """pytest's importlib mode: a file in a package is imported under its package name (its
    parent packages first, so ``from tests.helpers import x`` in ``tests/test_x.py`` works), else
    under a name made from its path below rootdir, with empty modules for the missing parents;
    ``sys.path`` is left alone."""
    name = _package_name(path, consider_namespace_packages)
    if name is not None:
        if name in sys.modules:
            return sys.modules[name]
        module = _import_using_spec(name, path, insert_modules=False)
        if module is not None:
            return module
    name = module_name_from_path(path, root)
    if name in sys.modules:
        return sys.modules[name]
    module = _import_using_spec(name, path, insert_modules=True)
    if module is None:
        raise ImportError(f"Can't find module {name} at location {path}")
    return module


def _import_using_spec(name: str, path: Path, *, insert_modules: bool) -> ModuleType | None:
    """Import ``path`` as the module ``name``, its parent package first (Python's import system
    does that for ``import a.b`` but not for a spec we load ourselves); None when no finder gives
    a spec for that file."""
    parent_name, _, child = name.rpartition(".")
    parent: ModuleType | None = None
    if parent_name:
        parent = sys.modules.get(parent_name)
        if parent is None or not hasattr(parent, "__path__"):
            parent_path = path.parent.parent if path.name == "__init__.py" else path.parent
            if (parent_path / "__init__.py").is_file():
                parent_path = parent_path / "__init__.py"
            parent = _import_using_spec(parent_name, parent_path, insert_modules=insert_modules)
    spec: importlib.machinery.ModuleSpec | None = None
    # the finders on sys.meta_path first: assertion rewriting must see test modules
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is None:
            continue
        try:
            spec = find_spec(name, [str(path.parent)])
        except Exception:
            spec = None
        if _spec_matches(spec, path):
            break
    else:
        loader = None
        if path.is_dir():  # a namespace package: no file for spec_from_file_location to go by
            loader = importlib.machinery.NamespaceLoader(
                child, [str(path)], importlib.machinery.PathFinder.find_spec)
        spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    if not _spec_matches(spec, path):
        return None
    assert spec is not None
    module = importlib.util.module_from_spec(spec)  # gives a namespace package's spec its loader
    assert spec.loader is not None
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    if parent is not None:
        setattr(parent, child, module)
    if insert_modules:
        _insert_missing_modules(name)
    return module


def _insert_missing_modules(name: str) -> None:
    """Make ``name``'s parents importable (``src.tests.test_foo`` needs ``src`` and
    ``src.tests`` in ``sys.modules``): the real package when there is one, else an empty module."""
    while "." in name:
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name)
        if parent is None:
            try:
                if not sys.meta_path:
                    raise ModuleNotFoundError(parent_name)
                parent = importlib.import_module(parent_name)
            except ModuleNotFoundError:
                parent = ModuleType(parent_name, doc="Empty module created by minitest's importmode=importlib.")
            sys.modules[parent_name] = parent
        if not hasattr(parent, child):
            setattr(parent, child, sys.modules[name])
        name = parent_name
