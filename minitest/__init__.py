"""minitest: a pytest-style test runner built as a pluggy microkernel.

This module is the public API and nothing else. Objects that are only needed by some tests
(``raises``, ``approx``, the fixture types) are imported on first use to keep start-up fast.
"""

from __future__ import annotations

import importlib
from typing import Any

import pluggy

from minitest.cli import console_main, main
from minitest.config import Config, Parser, UsageError
from minitest.exitcode import ExitCode
from minitest.fixture_api import fixture, yield_fixture
from minitest.marks import Mark, MarkDecorator, MarkGenerator, ParameterSet, mark, param
from minitest.nodes import Collector, Dir, Directory, File, FSCollector, Item, Node, Package, Session
from minitest.outcomes import exit, fail, importorskip, skip, xfail
from minitest.stash import Stash, StashKey
from minitest.version import __version__

hookimpl = pluggy.HookimplMarker("minitest")
hookspec = pluggy.HookspecMarker("minitest")

# name → module providing it, imported when first used
_LAZY: dict[str, str] = {
    "raises": "minitest.raises_api",
    "ExceptionInfo": "minitest.raises_api",
    "RaisesGroup": "minitest.raises_api",
    "warns": "minitest.recwarn",
    "deprecated_call": "minitest.recwarn",
    "WarningsRecorder": "minitest.recwarn",
    "approx": "minitest.approx_api",
    "register_assert_rewrite": "minitest.assertion_api",
    "MonkeyPatch": "minitest.monkeypatch",
    "FixtureRequest": "minitest.fixture_types",
    "CaptureFixture": "minitest.fixture_types",
    "LogCaptureFixture": "minitest.fixture_types",
    "TempPathFactory": "minitest.fixture_types",
    "SubRequest": "minitest.fixture_types",
    "Metafunc": "minitest.parametrize",
    "Module": "minitest.python_nodes",
    "Class": "minitest.python_nodes",
    "Function": "minitest.python_nodes",
    "FixtureDef": "minitest.fixture_contract",
    "FuncFixtureInfo": "minitest.fixture_contract",
    "Cache": "minitest.cache_api",
    "TestReport": "minitest.reports",
    "CollectReport": "minitest.reports",
    "CallInfo": "minitest.reports",
    "MinitestPluginManager": "minitest.pluginmanager",
    "MinitestLeakWarning": "minitest.leak_api",
}

__all__ = [
    "__version__", "hookimpl", "hookspec", "fixture", "yield_fixture", "mark", "param", "Mark", "MarkDecorator",
    "MarkGenerator", "ParameterSet", "skip", "fail", "xfail", "exit", "importorskip", "ExitCode", "main",
    "console_main", "Config", "Parser", "UsageError", "Node", "Collector", "Item", "File", "FSCollector",
    "Directory", "Dir", "Package", "Session", "Stash", "StashKey", *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'minitest' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
