"""The module object served as ``pytest`` while minitest runs (see the package docstring).

It is built here and installed by the plugin. Names are resolved on first access and cached in
the module's namespace, so a suite that only uses ``pytest.fixture`` / ``pytest.mark`` /
``pytest.raises`` never imports pytest itself:

* the API minitest implements with pytest's meaning comes from :mod:`minitest` (``SERVED``);
* ``hookimpl`` / ``hookspec`` are pluggy markers of the project "pytest", exactly as pytest's are,
  so ``@pytest.hookimpl(...)`` on a ``pytest_*`` function in a conftest keeps its options (the
  plugin manager reads the ``pytest_impl`` attribute when it maps ``pytest_*`` hooks);
* ``__version__`` / ``version_tuple`` and the ``Pytest*Warning`` classes are read from small
  modules of the ``_pytest`` package (the installed pytest's own objects, without importing pytest);
* the node classes and ``Config`` are minitest's (``SERVED_FROM``): the objects a run hands to
  hooks are minitest's, so conftest ``isinstance`` checks hold, and custom collectors written on
  ``pytest.File`` / ``pytest.Item`` are minitest nodes;
* everything else (``Pytester``, ``RaisesExc``, ...) is forwarded to the real pytest, imported on
  first use.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

import pluggy

__all__ = ["SERVED", "SERVED_FROM", "PytestFacade", "make_facade"]

#: pytest names served by minitest's implementation of the same API
SERVED: frozenset[str] = frozenset({
    # writing tests and fixtures
    "fixture", "yield_fixture", "mark", "param", "raises", "warns", "deprecated_call", "approx",
    "skip", "fail", "xfail", "exit", "importorskip", "register_assert_rewrite",
    # the objects those return or fixtures hand out (isinstance checks and annotations must agree)
    "ExceptionInfo", "RaisesGroup", "Mark", "MarkDecorator", "MarkGenerator", "WarningsRecorder",
    "MonkeyPatch", "FixtureRequest", "CaptureFixture", "LogCaptureFixture", "TempPathFactory",
    "Metafunc", "Cache", "Stash", "StashKey", "TestReport", "CollectReport", "CallInfo", "UsageError",
    # conftest.py annotations and comparisons (``parser: pytest.Parser``, ``pytest.ExitCode.OK``)
    "Parser", "ExitCode",
})

#: pytest names whose minitest equivalent is not exported by :mod:`minitest` itself → its module.
#: The node classes and Config are minitest's: the objects a run hands to hooks are minitest's, so
#: ``isinstance(item, pytest.Function)`` in a conftest holds as under pytest, and a custom collector
#: written on ``pytest.File`` / ``pytest.Item`` (pytest's documented pattern) is a minitest node.
SERVED_FROM: dict[str, str] = {
    "FixtureLookupError": "minitest.fixture_types",
    "Config": "minitest", "Session": "minitest", "Collector": "minitest", "Item": "minitest",
    "File": "minitest", "Directory": "minitest",
    "Module": "minitest", "Class": "minitest", "Function": "minitest",
    "Package": "minitest", "Dir": "minitest",
}

#: names answered from the ``_pytest`` package, which is cheap to import (no pytest plugins)
_VERSION_NAMES = {"__version__": "__version__", "version_tuple": "version_tuple"}
#: the only names of pytest's namespace starting with ``_`` that are forwarded to it
_FORWARDED_PRIVATE = frozenset({"__all__", "__pytestPDB"})


class PytestFacade(ModuleType):
    """``sys.modules["pytest"]`` during a minitest run: minitest's API, the rest forwarded."""

    def __init__(self) -> None:
        super().__init__("pytest", "pytest, served by minitest (the real pytest is imported on first use "
                                   "of a name minitest does not implement)")
        # a spec, so importlib.util.find_spec("pytest") works as it does for an imported module
        self.__spec__ = importlib.machinery.ModuleSpec("pytest", None)
        self.hookimpl = pluggy.HookimplMarker("pytest")
        self.hookspec = pluggy.HookspecMarker("pytest")
        # the real pytest once it was imported through this module (``False``: not installed)
        self._minitest_real: ModuleType | bool | None = None

    def __getattr__(self, name: str) -> Any:
        # only called for names not yet in the namespace: resolve, then cache
        if name in SERVED:
            import minitest

            value = getattr(minitest, name)
        elif name in SERVED_FROM:
            value = getattr(importlib.import_module(SERVED_FROM[name]), name)
        elif name in _VERSION_NAMES:
            value = self._version_attr(name)
        elif name.startswith("Pytest") and name.endswith("Warning") and (warning := _light_warning(name)):
            value = warning
        elif name.startswith("_") and name not in _FORWARDED_PRIVATE:
            # ``__file__``, ``__path__``, ``_some_marker_attr``: introspection (inspect.getmodule
            # asks every module for ``__file__``, the fixture scan probes every object of a test
            # module for marker attributes) must not import pytest behind the user's back
            raise AttributeError(f"module 'pytest' (served by minitest) has no attribute {name!r}")
        else:
            value = getattr(self.real_pytest(name), name)
            if name in ("main", "console_main"):
                value = _running_real_pytest(self, value)
        setattr(self, name, value)
        return value

    def __dir__(self) -> list[str]:
        names = set(super().__dir__()) | SERVED | set(SERVED_FROM) | set(_VERSION_NAMES)
        real = self._minitest_real
        if isinstance(real, ModuleType):
            names |= set(dir(real))
        return sorted(names)

    def _version_attr(self, name: str) -> Any:
        try:
            import _pytest
        except ImportError:
            raise AttributeError(_not_installed(name)) from None
        return getattr(_pytest, _VERSION_NAMES[name])

    def real_pytest(self, wanted: str = "") -> ModuleType:
        """Import the real pytest (once), with this module out of ``sys.modules`` meanwhile so that
        pytest's own modules bind the real one; afterwards ``import pytest`` still gives this one."""
        real = self._minitest_real
        if isinstance(real, ModuleType):
            return real
        if real is False:
            raise AttributeError(_not_installed(wanted))
        installed = sys.modules.get("pytest") is self
        if installed:
            del sys.modules["pytest"]
        try:
            real = importlib.import_module("pytest")
        except ImportError as exc:
            if exc.name != "pytest":
                raise
            self._minitest_real = False
            raise AttributeError(_not_installed(wanted)) from None
        finally:
            if installed:
                sys.modules["pytest"] = self
        self._minitest_real = real
        return real


def _light_warning(name: str) -> Any:
    """pytest's warning class ``name`` from the small module that defines them (named in
    ``filterwarnings`` settings, ``pytest.warns(pytest.PytestWarning)``): the very objects pytest
    exports, without importing pytest. None when that module does not have it."""
    try:
        from _pytest import warning_types
    except ImportError:
        return None
    return getattr(warning_types, name, None)


def _not_installed(name: str) -> str:
    return (f"module 'pytest' (served by minitest) has no attribute {name!r}: minitest has no equivalent of "
            f"pytest.{name}, and pytest is not installed to provide it")


def _running_real_pytest(facade: PytestFacade, function: Any) -> Any:
    """``pytest.main()`` called from a test runs the real pytest: while it runs, ``import pytest`` in
    the modules it loads must give the real module, not the facade."""
    import functools

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        real = facade.real_pytest(function.__name__)
        swapped = sys.modules.get("pytest") is facade
        if swapped:
            sys.modules["pytest"] = real
        try:
            return function(*args, **kwargs)
        finally:
            if swapped and sys.modules.get("pytest") is real:
                sys.modules["pytest"] = facade

    return call


def make_facade() -> PytestFacade:
    """A new facade module (not installed anywhere)."""
    return PytestFacade()
