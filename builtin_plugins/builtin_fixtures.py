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

from minitest import fixture, hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.fixture_types import TMP_PATH_FACTORY, TempPathFactory
from minitest.monkeypatch import MonkeyPatch
from minitest.nodes import Item
from minitest.recwarn import WarningsRecorder
from minitest.reports import TestReport
from minitest.stash import StashKey

#: a test's directory name keeps at most this many characters of the test's name
_MAX_NAME = 30


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--basetemp", dest="basetemp", default=None, metavar="dir",
                    help="base temporary directory for this test run (emptied first if minitest made it; "
                         "must not be the cwd, the rootdir, the home directory or a parent of them)")
    parser.addini("tmp_path_retention_count", "how many runs' temporary directories to keep (by "
                  "tmp_path_retention_policy)", default="3")
    parser.addini("tmp_path_retention_policy", "which tests' tmp_path directories are kept: all, failed "
                  "(only those of failed tests), none (the run's base is removed when it ends)", default="all")


_POLICIES = ("all", "failed", "none")
#: whether a phase of the test failed (the "failed" retention policy keeps only those tmp_paths)
_FAILED = StashKey[bool]()


def minitest_configure(config: Config) -> None:
    count = config.getini("tmp_path_retention_count")
    policy = str(config.getini("tmp_path_retention_policy")).strip().lower()
    try:
        keep = int(count)
    except (TypeError, ValueError):
        raise UsageError(f"tmp_path_retention_count must be >= 0. Current input: {count}.") from None
    if keep < 0:
        raise UsageError(f"tmp_path_retention_count must be >= 0. Current input: {count}.")
    if policy not in _POLICIES:
        raise UsageError(f"tmp_path_retention_policy must be either all, failed, none. Current input: {policy}.")
    # created lazily: a run that uses no temporary directory creates none
    config.stash[TMP_PATH_FACTORY] = TempPathFactory.from_config(config, keep=keep, policy=policy, _ispytest=True)
    if policy == "failed":
        # only then: a wrapper on every report of every test is not free (~1 us each)
        config.pluginmanager.register(FailedTests(), "tmp_path-retention")


class FailedTests:
    """Notes which tests failed, for the "failed" retention policy of ``tmp_path``."""

    @hookimpl(wrapper=True)
    def minitest_runtest_makereport(self, item: Item, call: Any) -> Generator[None, TestReport, TestReport]:
        report = yield
        if report.failed:
            item.stash[_FAILED] = True
        return report


def minitest_unconfigure(config: Config) -> None:
    factory = config.stash.get(TMP_PATH_FACTORY, None)
    if factory is not None:
        factory.release()


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
    return request.config.stash[TMP_PATH_FACTORY]


@fixture
def tmp_path(request: Any, tmp_path_factory: TempPathFactory) -> Generator[Path, None, None]:
    """A new empty directory for this test (``<base>/<test name><N>``); with
    ``tmp_path_retention_policy = failed`` removed after the test unless it failed."""
    name = re.sub(r"[\W]", "_", request.node.name)[:_MAX_NAME]
    path = tmp_path_factory.mktemp(name, numbered=True)
    yield path
    if tmp_path_factory.retention_policy == "failed" and not request.node.stash.get(_FAILED, False):
        from minitest.tmpdirs import remove_tree

        remove_tree(path)


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
