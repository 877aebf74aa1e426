"""Public types of the builtin fixtures, for type hints in test suites.

    def test_out(capsys: minitest.CaptureFixture[str], request: minitest.FixtureRequest) -> None: ...

The kernel only defines the interfaces (and :class:`TempPathFactory`, which needs nothing else);
the builtin plugins (``fixtures``, ``capture``, ``builtin_fixtures``) provide the objects the
fixtures return, as subclasses of these types so ``isinstance`` checks hold.
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, AnyStr, Generic, NamedTuple, Protocol

from minitest.pytest_names import PYTEST_REQUEST_MANAGER_ATTR
from minitest.stash import StashKey

if TYPE_CHECKING:
    import logging

    from minitest.config import Config
    from minitest.fixture_contract import FixtureDef
    from minitest.nodes import Node, Session

__all__ = ["FixtureRequest", "SubRequest", "CaptureResult", "CaptureFixture", "LogCaptureFixture",
           "TempPathFactory", "Cache", "FixtureLookupError"]


class FixtureLookupError(LookupError):
    """A fixture could not be found (or depends on itself); ``str()`` is the message shown."""

    def __init__(self, argname: str | None, msg: str) -> None:
        super().__init__(msg)
        self.argname = argname
        self.msg = msg


class FixtureRequest(abc.ABC):
    """What the ``request`` fixture gives: the requesting test, the fixture being set up and its scope.

    ``param`` exists only for a fixture parametrized through ``params=`` or ``indirect=``.
    """

    #: the fixture being executed (``None`` for the test's own request)
    fixturename: str | None
    #: "function", "class", "module", "package" or "session"
    scope: str
    #: the test item (for the test's own request) or the node of the fixture's scope
    node: Node
    config: Config
    session: Session
    #: every fixture the test uses (its closure)
    fixturenames: list[str]
    param: Any
    param_index: int

    @property
    @abc.abstractmethod
    def function(self) -> Any:
        """The test function (function scope only)."""

    @property
    @abc.abstractmethod
    def cls(self) -> type | None:
        """The test's class, or None (class and function scope)."""

    @property
    @abc.abstractmethod
    def instance(self) -> Any:
        """The instance the test method runs on, or None."""

    @property
    @abc.abstractmethod
    def module(self) -> Any:
        """The test's module (module scope and narrower)."""

    @property
    def path(self) -> Path:
        """The path of the test's file."""
        return self._pyfuncitem.path  # type: ignore[attr-defined,no-any-return]

    @property
    def fspath(self) -> Any:
        """pytest's legacy ``py.path.local`` of :attr:`path`, as the test's node has it
        (pytest-datadir reads ``request.fspath.dirname``)."""
        return self._pyfuncitem.fspath  # type: ignore[attr-defined]

    @property
    def keywords(self) -> Any:
        return self.node.keywords

    @abc.abstractmethod
    def getfixturevalue(self, argname: str) -> Any:
        """Set up (if needed) and return the value of the fixture ``argname``."""

    @abc.abstractmethod
    def addfinalizer(self, finalizer: Callable[[], object]) -> None:
        """Call ``finalizer`` when the scope of this request ends."""

    def applymarker(self, marker: Any) -> None:
        """Apply a mark (``minitest.mark.xfail(...)``) to the test of this request."""
        self._pyfuncitem.add_marker(marker)  # type: ignore[attr-defined]

    def raiseerror(self, msg: str | None) -> None:
        """Fail the setup with a fixture lookup error carrying ``msg``."""
        raise FixtureLookupError(None, msg or "")


class SubRequest(FixtureRequest):
    """The request a fixture function receives (and ``minitest_fixture_setup`` gets): the fixture's
    own name (``fixturename``, never None here), the scope it is set up in and, for a
    parametrized fixture, its parameter."""

    @property
    @abc.abstractmethod
    def fixturedef(self) -> FixtureDef:
        """The definition being set up."""


class CaptureResult(NamedTuple, Generic[AnyStr]):
    """What ``readouterr()`` returns: the output captured so far."""

    out: AnyStr
    err: AnyStr


class CaptureFixture(abc.ABC, Generic[AnyStr]):
    """The object of ``capsys``, ``capsysbinary``, ``capfd`` and ``capfdbinary``."""

    @abc.abstractmethod
    def readouterr(self) -> CaptureResult[AnyStr]:
        """Return the output captured so far and reset the buffers."""

    @abc.abstractmethod
    def disabled(self) -> contextlib.AbstractContextManager[None]:
        """A context manager in which output goes to the real terminal."""


class LogCaptureFixture(abc.ABC):
    """The object of the ``caplog`` fixture."""

    @property
    @abc.abstractmethod
    def handler(self) -> logging.Handler:
        """The handler collecting the records of the current phase."""

    @abc.abstractmethod
    def get_records(self, when: str) -> list[logging.LogRecord]:
        """The records of phase ``when`` ("setup", "call" or "teardown")."""

    @property
    def records(self) -> list[logging.LogRecord]:
        """The records of the current phase."""
        return self.handler.records  # type: ignore[attr-defined,no-any-return]

    @property
    def text(self) -> str:
        """The formatted log text of the current phase."""
        return self.handler.stream.getvalue()  # type: ignore[attr-defined,no-any-return]

    @property
    def record_tuples(self) -> list[tuple[str, int, str]]:
        """``(logger name, level, message)`` of each record (for simple comparisons)."""
        return [(r.name, r.levelno, r.getMessage()) for r in self.records]

    @property
    def messages(self) -> list[str]:
        """The interpolated message of each record."""
        return [r.getMessage() for r in self.records]

    @abc.abstractmethod
    def clear(self) -> None:
        """Forget the records and text captured so far."""

    @abc.abstractmethod
    def set_level(self, level: int | str, logger: str | None = None) -> None:
        """Set the level of ``logger`` (root by default) and of the handler until the test ends."""

    @abc.abstractmethod
    def at_level(self, level: int | str, logger: str | None = None) -> contextlib.AbstractContextManager[None]:
        """Like :meth:`set_level`, for the body of a ``with`` block only."""


class Cache(Protocol):
    """The ``cache`` fixture's object (provided by the cache plugin)."""

    def get(self, key: str, default: Any) -> Any: ...

    def set(self, key: str, value: object) -> None: ...

    def mkdir(self, name: str) -> Path: ...


# ---------------------------------------------------------------------------------------------
# temporary directories
# ---------------------------------------------------------------------------------------------

#: base directories of runs kept (older ones are removed when a new run starts)
KEEP_RUNS = 3


class TempPathFactory:
    """Makes temporary directories under one base directory per run (the ``tmp_path_factory`` fixture).

    The base is ``<tmp>/minitest-of-<user>/minitest-<N>``; the last :data:`KEEP_RUNS` are kept so a
    failing run can be inspected. ``--basetemp DIR`` uses DIR instead (emptied first, if minitest
    made it). What may be made and removed where is :mod:`minitest.tmpdirs`'s business.
    """

    def __init__(self, given_basetemp: Path | None, *, keep: int = KEEP_RUNS, policy: str = "all",
                 _ispytest: bool = False) -> None:
        self._given_basetemp = None if given_basetemp is None else Path(os.path.abspath(given_basetemp))
        self._basetemp: Path | None = None
        self._keep = keep
        #: pytest's ``tmp_path_retention_policy``: "all" kept, "failed" (only the failed tests'
        #: tmp_path), "none" (the run's base removed when the run ends)
        self.retention_policy = policy
        self._lock: Any = None  # the tmpdirs.RunLock of the base, once made

    @classmethod
    def from_config(cls, config: Config, *, keep: int = KEEP_RUNS, policy: str = "all",
                    _ispytest: bool = False) -> TempPathFactory:
        """The run's factory; a ``--basetemp`` whose emptying would remove the user's files is a
        usage error here, before anything runs."""
        from minitest.tmpdirs import check_basetemp, check_given_basetemp

        given = config.getoption("basetemp", None)
        if given is None:
            return cls(None, keep=keep, policy=policy)
        base = check_basetemp(str(given), cwd=config.invocation_params.dir, rootdir=config.rootpath)
        check_given_basetemp(base)
        return cls(base, keep=keep, policy=policy)

    def mktemp(self, basename: str, numbered: bool = True) -> Path:
        """A new directory ``basename`` (``basename0``, ``basename1``... when numbered) in the base."""
        from minitest.tmpdirs import make_numbered_dir

        basename = os.path.normpath(basename)
        if os.path.isabs(basename) or os.path.dirname(basename):
            raise ValueError(f"{basename} is not a normalized and relative path")
        base = self.getbasetemp()
        if not numbered:
            path = base / basename
            path.mkdir(mode=0o700)
            return path
        return make_numbered_dir(base, basename)

    def getbasetemp(self) -> Path:
        """The base directory of this run (created on first use)."""
        if self._basetemp is not None:
            return self._basetemp
        from minitest import tmpdirs

        if self._given_basetemp is not None:
            base = self._given_basetemp
            self._lock = tmpdirs.prepare_given_basetemp(base)
        else:
            from_env = os.environ.get("MINITEST_DEBUG_TEMPROOT")
            root = Path(from_env or tempfile.gettempdir()).resolve()
            rootdir = tmpdirs.user_temp_root(root, _user() or "unknown")
            base = tmpdirs.make_numbered_dir(rootdir, "minitest-")
            self._lock = tmpdirs.RunLock(base)
            self._lock.acquire()
            tmpdirs.cleanup_old_runs(rootdir, "minitest-", self._keep)
        self._basetemp = base
        return base

    def for_worker(self, workerid: str) -> TempPathFactory:
        """The factory of worker ``workerid`` of this run: a given ``--basetemp DIR`` becomes its
        own ``DIR/popen-<workerid>`` (as pytest-xdist's), so workers never empty each other's
        live ``tmp_path``; without one, it makes a numbered base of its own, as a run does."""
        given = None if self._given_basetemp is None else self._given_basetemp / f"popen-{workerid}"
        return TempPathFactory(given, keep=self._keep, policy=self.retention_policy)

    def release(self) -> None:
        """The run is over: its base may be emptied or pruned by the next run (removed now with
        the "none" retention policy: what the tests wrote there does not stay on disk)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self.retention_policy == "none" and self._basetemp is not None:
            from minitest.tmpdirs import remove_tree

            remove_tree(self._basetemp)


#: the run's :class:`TempPathFactory`, stashed on the config by the builtin that serves ``tmp_path``
#: (a forked worker puts :meth:`TempPathFactory.for_worker`'s in its place)
TMP_PATH_FACTORY = StashKey[TempPathFactory]()


def _user() -> str | None:
    try:
        import getpass  # only when the first temporary directory is made

        return re.sub(r"[\\/:*?\"<>|]", "_", getpass.getuser())
    except (ImportError, OSError, KeyError):
        return None


def _pytest_fixture_manager(request: FixtureRequest) -> Any:
    """pytest's ``request._fixturemanager``: the run's fixture manager, called the pytest way."""
    from minitest.fixture_contract import FIXTURE_MANAGER, PytestFixtureManagerView

    return PytestFixtureManagerView(request.config.stash[FIXTURE_MANAGER])


# under pytest's private name (see pytest_names): plugins written for pytest reach for it
setattr(FixtureRequest, PYTEST_REQUEST_MANAGER_ATTR, property(_pytest_fixture_manager))
