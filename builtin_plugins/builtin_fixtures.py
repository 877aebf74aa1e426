"""The general-purpose builtin fixtures: ``tmp_path``, ``tmp_path_factory``, ``monkeypatch``,
``recwarn``, ``minitestconfig`` (alias ``pytestconfig``).

Capture fixtures (``capsys``, ``capfd``, ``caplog`` ...) live with the capture plugin, ``request``
is provided by the fixtures plugin itself.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

from minitest import fixture
from minitest.config import Config, Parser
from minitest.fixture_types import TempPathFactory
from minitest.monkeypatch import MonkeyPatch
from minitest.recwarn import WarningsRecorder
from minitest.stash import StashKey

_FACTORY = StashKey[TempPathFactory]()
#: a test's directory name keeps at most this many characters of the test's name
_MAX_NAME = 30


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--basetemp", dest="basetemp", default=None, metavar="dir",
                    help="base temporary directory for this test run (emptied first if minitest made it; "
                         "must not be the cwd, the rootdir, the home directory or a parent of them)")


def minitest_configure(config: Config) -> None:
    # created lazily: a run that uses no temporary directory creates none
    config.stash[_FACTORY] = TempPathFactory.from_config(config, _ispytest=True)


def minitest_unconfigure(config: Config) -> None:
    factory = config.stash.get(_FACTORY, None)
    if factory is not None:
        factory._release()


@fixture(scope="session")
def minitestconfig(request: Any) -> Config:
    """The run's :class:`minitest.Config`."""
    return request.config


@fixture(scope="session")
def pytestconfig(request: Any) -> Config:
    """The run's :class:`minitest.Config` (the name pytest suites use)."""
    return request.config


@fixture(scope="session")
def tmp_path_factory(request: Any) -> TempPathFactory:
    """A :class:`minitest.TempPathFactory` making directories under this run's base directory."""
    return request.config.stash[_FACTORY]


@fixture
def tmp_path(request: Any, tmp_path_factory: TempPathFactory) -> Path:
    """A new empty directory for this test (``<base>/<test name><N>``)."""
    name = re.sub(r"[\W]", "_", request.node.name)[:_MAX_NAME]
    return tmp_path_factory.mktemp(name, numbered=True)


@fixture
def monkeypatch() -> Generator[MonkeyPatch, None, None]:
    """A :class:`minitest.MonkeyPatch`; every change is undone after the test."""
    mp = MonkeyPatch()
    yield mp
    mp.undo()


@fixture
def recwarn() -> Generator[WarningsRecorder, None, None]:
    """A :class:`minitest.WarningsRecorder` recording the warnings the test issues."""
    with WarningsRecorder(_ispytest=True) as recorder:
        yield recorder
