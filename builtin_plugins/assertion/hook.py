"""The import hook: a meta-path finder/loader that rewrites the asserts of test modules.

It claims a module only when its file should be rewritten (a conftest.py, a file matching
``python_files``, a file named on the command line, or a module marked with
``register_assert_rewrite``) and otherwise steps aside, so ordinary imports cost one cheap name
check. Rewritten code is cached in ``__pycache__`` under a name of its own
(``test_x.cpython-311-minitest-0.1.0.pyc``) so it never clashes with CPython's pyc, and is reused
while the source's mtime and size are unchanged.
"""

from __future__ import annotations

import fnmatch
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import re
import struct
import sys
import tempfile
import types
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

from builtin_plugins.assertion.rewrite import rewrite_source
from minitest.assertion_api import MinitestAssertRewriteWarning, pending_names
from minitest.version import __version__

__all__ = ["AssertionRewritingHook", "cache_path_for", "read_cached", "write_cached", "CACHE_TAG"]

#: Part of every cache file name: interpreter, and minitest's version (a new version, a new file).
CACHE_TAG = f"{sys.implementation.cache_tag}-minitest-{__version__}"
#: Bumped when the shape of the generated code changes within one version.
_FORMAT = 1
_HEADER = struct.Struct("<4sIII")  # magic, format, source mtime, source size


def cache_path_for(source: Path) -> Path:
    """Where the rewritten code of ``source`` is cached (honours ``PYTHONPYCACHEPREFIX``)."""
    return Path(_cache_file(str(source)))


def _cache_file(source: str, assertion_pass: bool = False) -> str:
    """:func:`cache_path_for` on strings: it runs for every rewritten module that is imported,
    and path objects cost more than the file system calls they stand for. Code rewritten to call
    the assertion_pass hook is cached apart: turning the ini key on or off needs no cleaning."""
    directory, filename = os.path.split(source)
    name = f"{filename.rpartition('.')[0] or filename}.{CACHE_TAG}{'-pass' if assertion_pass else ''}.pyc"
    prefix = getattr(sys, "pycache_prefix", None)
    if prefix:
        resolved = Path(source).resolve()
        return str(Path(prefix) / resolved.parent.relative_to(resolved.anchor) / name)
    return os.path.join(directory, "__pycache__", name)


def _stat_key(source: str | os.PathLike[str]) -> tuple[int, int]:
    st = os.stat(source)
    return int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF


def read_cached(source: str | os.PathLike[str], cache: str | os.PathLike[str]) -> types.CodeType | None:
    """Return the cached code if it is still valid for ``source``, else None."""
    try:
        with open(cache, "rb") as handle:
            data = handle.read()
        mtime, size = _stat_key(source)
    except OSError:
        return None
    if len(data) < _HEADER.size:
        return None
    magic, fmt, cached_mtime, cached_size = _HEADER.unpack_from(data)
    if (magic, fmt, cached_mtime, cached_size) != (importlib.util.MAGIC_NUMBER, _FORMAT, mtime, size):
        return None
    try:
        code = marshal.loads(memoryview(data)[_HEADER.size:])  # no copy of the payload
    except Exception:
        return None
    return code if isinstance(code, types.CodeType) else None


def write_cached(source: str | os.PathLike[str], cache: str | os.PathLike[str], code: types.CodeType,
                 stat_key: tuple[int, int]) -> bool:
    """Write ``code`` to ``cache`` atomically; return False (silently) when that is not possible.

    A temporary file renamed into place means a concurrent run (xdist workers) never reads a
    half-written cache file.
    """
    payload = _HEADER.pack(importlib.util.MAGIC_NUMBER, _FORMAT, *stat_key) + marshal.dumps(code)
    cache = Path(cache)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{cache.stem}.", suffix=".tmp", dir=cache.parent)
    except OSError:
        return False  # read-only directory, a file named __pycache__, ...
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, cache)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True


def _fnmatch_path(pattern: str, path: PurePath | str) -> bool:
    """Match a ``python_files`` pattern: against the name, or the path if it has separators."""
    text = os.fspath(path)
    if os.sep not in pattern and "/" not in pattern:
        return fnmatch.fnmatch(os.path.basename(text), pattern)
    pattern = pattern.replace("/", os.sep)
    if not os.path.isabs(pattern):
        pattern = f"*{os.sep}{pattern}"
    return fnmatch.fnmatch(text, pattern)


class AssertionRewritingHook(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the modules to rewrite and loads them from the rewrite cache or freshly rewritten."""

    def __init__(self, python_files: Callable[[], Sequence[str]] | Sequence[str] = ("test_*.py", "*_test.py"),
                 initial_paths: Iterable[str | os.PathLike[str]] = ()) -> None:
        self._python_files_source = python_files
        self._patterns: list[str] | None = None
        self._name_matcher: Callable[[str], object] | None = None
        self._marked: set[str] = set()
        self._marked_cache: dict[str, bool] = {}
        self._initial_paths: set[str] = set()
        self.set_initial_paths(initial_paths)
        self.rewritten: set[str] = set()  # module names this hook loaded (rewritten or opted out)
        self.rewrites = 0  # how many modules were rewritten (not served from the cache)
        self.cache_hits = 0
        self._finding = False
        #: enable_assertion_pass_hook: passing asserts call the assertion_pass hook
        self.assertion_pass = False
        self.mark_rewrite(*pending_names())

    # -- configuration ---------------------------------------------------------------------

    @property
    def patterns(self) -> list[str]:
        if self._patterns is None:
            source = self._python_files_source
            try:
                patterns = source() if callable(source) else source
            except Exception:
                patterns = ("test_*.py", "*_test.py")
            self._patterns = [str(p) for p in patterns or ()]
        return self._patterns

    def set_initial_paths(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        """Files named on the command line are rewritten even if they do not match ``python_files``."""
        for path in paths:
            text = str(path).split("::", 1)[0]
            if text.endswith(".py"):
                self._initial_paths.add(os.path.normcase(os.path.abspath(text)))

    def mark_rewrite(self, *names: str) -> None:
        """Rewrite modules ``names`` and their submodules when they are imported from now on."""
        already = [name for name in names if name in sys.modules and name not in self.rewritten
                   and not self._is_marked(name)]
        for name in already:
            module = sys.modules[name]
            loader = getattr(getattr(module, "__spec__", None), "loader", None)
            if loader is self or getattr(module, "__file__", None) is None:
                continue
            warnings.warn(MinitestAssertRewriteWarning(f"Module already imported so cannot be rewritten: {name}"),
                          stacklevel=3)
        self._marked.update(names)
        self._marked_cache.clear()

    def _is_marked(self, name: str) -> bool:
        cached = self._marked_cache.get(name)
        if cached is None:
            cached = any(name == marked or name.startswith(marked + ".") for marked in self._marked)
            self._marked_cache[name] = cached
        return cached

    # -- finding ---------------------------------------------------------------------------

    def _may_rewrite(self, name: str) -> bool:
        """A cheap test on the module name alone, before the (costly) search for its file."""
        if self._is_marked(name):
            return True
        last = name.rpartition(".")[2]
        if last == "conftest" or self._initial_paths:
            return True
        matcher = self._name_matcher
        if matcher is None:
            matcher = self._name_matcher = self._compile_name_matcher()
        return matcher(last + ".py") is not None

    def _compile_name_matcher(self) -> Callable[[str], object]:
        """One regular expression for every ``python_files`` pattern, asked about each import's
        file name (every module imported during the run, the standard library's included)."""
        patterns = self.patterns
        if any("/" in pattern or os.sep in pattern for pattern in patterns):
            return lambda name: True  # a pattern on paths: the file must be found to be judged
        if not patterns:
            return lambda name: None
        regex = "|".join(f"(?:{fnmatch.translate(os.path.normcase(p))})" for p in patterns)
        match = re.compile(regex).match
        return lambda name: match(os.path.normcase(name))

    def _should_rewrite(self, name: str, origin: str) -> bool:
        if os.path.basename(origin) == "conftest.py" or self._is_marked(name):
            return True
        if self._initial_paths and os.path.normcase(os.path.abspath(origin)) in self._initial_paths:
            return True
        return any(_fnmatch_path(pattern, origin) for pattern in self.patterns)

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if self._finding or not self._may_rewrite(fullname):
            return None
        self._finding = True  # the path search below may import; do not recurse into ourselves
        try:
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        finally:
            self._finding = False
        if spec is None or spec.origin is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        if not os.path.isfile(spec.origin) or not self._should_rewrite(fullname, spec.origin):
            return None
        return importlib.util.spec_from_file_location(
            fullname, spec.origin, loader=self, submodule_search_locations=spec.submodule_search_locations
        )

    # -- loading ---------------------------------------------------------------------------

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # the default module object is fine

    def exec_module(self, module: types.ModuleType) -> None:
        __tracebackhide__ = True
        spec = module.__spec__
        assert spec is not None and spec.origin is not None
        source_path = Path(spec.origin)
        code = self.get_code_for(source_path)
        self.rewritten.add(spec.name)
        exec(code, module.__dict__)

    def get_code_for(self, source_path: Path) -> types.CodeType:
        """The rewritten code of ``source_path``, from the cache when it is still valid."""
        __tracebackhide__ = True
        cache = _cache_file(str(source_path), self.assertion_pass)
        code = read_cached(source_path, cache)
        if code is not None:
            self.cache_hits += 1
            return code
        stat_key = _stat_key(source_path)
        source = Path(source_path).read_bytes()
        code = rewrite_source(source, str(source_path), assertion_pass=self.assertion_pass)
        self.rewrites += 1
        if not sys.dont_write_bytecode:
            write_cached(source_path, cache, code, stat_key)
        return code

    # resources and source access, so pkgutil.get_data / importlib.resources keep working

    def get_data(self, path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    def get_resource_reader(self, name: str) -> Any:
        from importlib.readers import FileReader

        spec = sys.modules[name].__spec__
        return FileReader(types.SimpleNamespace(path=spec.origin))  # type: ignore[arg-type,union-attr]

    def install(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        while self in sys.meta_path:
            sys.meta_path.remove(self)
