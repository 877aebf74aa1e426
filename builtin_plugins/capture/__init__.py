"""Output capture: stdout / stderr (``--capture=fd|sys|tee-sys|no``, ``-s``) and log records of
each test phase, shown in the report of a failing test; the ``capsys``, ``capsysbinary``,
``capfd``, ``capfdbinary`` and ``caplog`` fixtures.

Capture is active only inside the phases (wrappers around ``minitest_runtest_setup/call/teardown``
and collection), so the terminal reporter writes to the real terminal between them. The
:class:`CaptureManager` is registered as the plugin ``capturemanager`` (pytest's name) and
published as the :class:`minitest.capture_api.CaptureControl` contract under ``CAPTURE_CONTROL``
on ``config.stash``; other plugins that must write to the terminal during a phase use its
``global_and_fixture_disabled()``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Generator, Iterator
from typing import Any, AnyStr

from builtin_plugins.capture.logs import (
    CAPLOG_HANDLER,
    CAPLOG_RECORDS,
    DEFAULT_LOG_DATE_FORMAT,
    DEFAULT_LOG_FORMAT,
    LogCapture,
    LogCaptureHandler,
    attach_log_handlers,
    detach_log_handlers,
    level_number,
)
from builtin_plugins.capture.streams import MultiCapture
from minitest import fixture, hookimpl
from minitest.capture_api import CAPTURE_CONTROL
from minitest.config import Config, Parser
from minitest.fixture_types import CaptureFixture, CaptureResult
from minitest.nodes import Collector, Item
from minitest.reports import CollectReport
from minitest.stash import StashKey
from minitest.terminal_api import TERMINAL_REPORTER, TerminalReporterAPI


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--capture", action="store", default="fd", metavar="method", dest="capture",
                    choices=["fd", "sys", "no", "tee-sys"],
                    help="per-test capturing method: one of fd|sys|no|tee-sys")
    group.addoption("-s", action="store_const", const="no", dest="capture",
                    help="shortcut for --capture=no")
    group.addoption("--show-capture", action="store", dest="showcapture", default="all",
                    choices=["no", "stdout", "stderr", "log", "all"],
                    help="which captured output is shown for failed tests: no|stdout|stderr|log|all")
    log = parser.getgroup("logging", "logging")
    log.addoption("--log-level", dest="log_level", default=None, metavar="LEVEL",
                  help="level of the log records captured (the root logger's level is lowered to it)")
    log.addoption("--log-format", dest="log_format", default=None, help="log format of captured records")
    log.addoption("--log-date-format", dest="log_date_format", default=None, help="date format of log records")
    parser.addini("log_level", "default value for --log-level")
    parser.addini("log_format", "default value for --log-format", default=DEFAULT_LOG_FORMAT)
    parser.addini("log_date_format", "default value for --log-date-format", default=DEFAULT_LOG_DATE_FORMAT)


#: the whole manager, for this plugin's own capture fixtures (others get the CAPTURE_CONTROL contract)
_MANAGER = StashKey["CaptureManager"]()
#: the run's capture, started for the import of the initial conftest.py files, until the manager
#: takes it over
_EARLY_CAPTURE = StashKey[MultiCapture]()


@hookimpl(wrapper=True)
def minitest_load_initial_conftests(early_config: Config) -> Generator[None, None, None]:
    """Capture while the initial conftest.py files are imported, with the very streams the tests
    will write to (pytest's order): a module that keeps ``sys.stdout`` at import (structlog's
    ``from sys import stdout``) then holds the object the tests see as ``sys.stdout``.

    What was written meanwhile is written out once they are imported (or failed to import): the
    warnings shown as conftest.py files register (a deprecated hook argument) and their prints
    reach the terminal, as they did before the capture started this early. pytest keeps the
    prints (they show with the first collection report only if that fails) and lists such
    warnings in its summary."""
    method = early_config.known_args.capture or "fd"
    if method == "no":
        return (yield)
    capture = MultiCapture(method)
    early_config.stash[_EARLY_CAPTURE] = capture
    capture.resume()
    try:
        return (yield)
    finally:
        capture.suspend()
        out, err = capture.readouterr()
        if out:
            sys.stdout.write(str(out))
        if err:
            sys.stderr.write(str(err))


@hookimpl(tryfirst=True)
def minitest_configure(config: Config) -> None:
    manager = CaptureManager(config)
    config.stash[_MANAGER] = manager
    config.stash[CAPTURE_CONTROL] = manager
    config.pluginmanager.register(manager, "capturemanager")


class CaptureManager:
    """The run's capture: one global capture resumed in each phase, plus the active capture fixture."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.method = config.getoption("capture", "fd") or "fd"
        # the capture the initial conftest.py files were imported under: the same streams for
        # the whole session (None: none yet, made on first use)
        self._global: MultiCapture | None = config.stash.get(_EARLY_CAPTURE, None)
        self._fixture: CaptureFixtureImpl[Any] | None = None
        self._show = config.getoption("showcapture", "all")
        level = config.getoption("log_level", None) or config.getini("log_level")
        self.log_level = level_number(level, "log_level")
        fmt = config.getoption("log_format", None) or config.getini("log_format")
        datefmt = config.getoption("log_date_format", None) or config.getini("log_date_format")
        self.formatter = logging.Formatter(fmt, datefmt)
        self._handlers: tuple[LogCaptureHandler, LogCaptureHandler] | None = None

    def __repr__(self) -> str:
        return f"<CaptureManager method={self.method!r}>"

    # -- the global capture ----------------------------------------------------------------------
    def _global_capture(self) -> MultiCapture | None:
        if self.method == "no":
            return None
        if self._global is None:
            self._global = MultiCapture(self.method)
        return self._global

    def resume_global_capture(self) -> None:
        capture = self._global_capture()
        if capture is not None:
            capture.resume()
        elif self._reporter is not None:
            # not capturing (-s): the test writes to the terminal, after what the reporter holds
            self._reporter.flush()

    @property
    def _reporter(self) -> TerminalReporterAPI | None:
        return self.config.stash.get(TERMINAL_REPORTER, None)

    def suspend_global_capture(self, in_: bool = False) -> None:
        if self._global is not None:
            self._global.suspend()

    def read_global_capture(self) -> tuple[str, str]:
        if self._global is None:
            return "", ""
        out, err = self._global.readouterr()
        return str(out), str(err)

    def is_capturing(self) -> str | bool:
        if self.method != "no":
            return "global"
        if self._fixture is not None:
            return f"fixture {self._fixture.name}"
        return False

    def minitest_unconfigure(self) -> None:
        if self._global is not None:
            self._global.close()
            self._global = None

    # -- the fixture -----------------------------------------------------------------------------
    def set_fixture(self, fixture: CaptureFixtureImpl[Any]) -> None:
        if self._fixture is not None:
            from minitest.outcomes import fail

            fail(f"cannot use {fixture.name} and {self._fixture.name} at the same time", pytrace=False)
        self._fixture = fixture

    def unset_fixture(self) -> None:
        self._fixture = None

    @contextlib.contextmanager
    def global_and_fixture_disabled(self) -> Iterator[None]:
        """Output goes to the real terminal inside the block (``capsys.disabled()``, ``--setup-show``)."""
        fixture_active = self._fixture is not None and self._fixture._active()
        global_active = self._global is not None and self._global.active
        if fixture_active:
            self._fixture._suspend()  # type: ignore[union-attr]
        if global_active:
            self._global.suspend()  # type: ignore[union-attr]
        # the terminal reporter batches its output: what it holds must come out first
        if self._reporter is not None:
            self._reporter.writer.flush()
        try:
            yield
        finally:
            _flush_std_streams()
            if global_active:
                self._global.resume()  # type: ignore[union-attr]
            if fixture_active and self._fixture is not None:
                self._fixture._resume()

    def _phase_handlers(self) -> tuple[LogCaptureHandler, LogCaptureHandler]:
        """The report and caplog handlers, emptied for a new phase. They are made once and reused:
        building two logging handlers for every phase of every test was a measurable cost."""
        handlers = self._handlers
        if handlers is None:
            handlers = self._handlers = (LogCaptureHandler(), LogCaptureHandler())
            for handler in handlers:
                handler.setFormatter(self.formatter)
        for handler in handlers:
            handler.reset()
            if handler.level != logging.NOTSET:  # (set only by --log-level or caplog.set_level)
                handler.setLevel(logging.NOTSET)
        return handlers

    def start_phase(self, when: str, item: Item) -> tuple[tuple[LogCaptureHandler, LogCaptureHandler], int]:
        """Start capturing the output and the logs of phase ``when`` of ``item``; returns what
        :meth:`finish_phase` needs. (Two plain calls rather than a context manager: this runs three
        times per test, and a generator-based context manager was a measurable part of that.)"""
        handlers = self._phase_handlers()
        caplog_handler = handlers[1]
        stash = item.stash
        # the stash is read before it is written: the handler is the same object in every phase,
        # and the records dict is made once per test (setdefault's default was a new dict every
        # phase); a stash write rebuilds its tuple of values (see Stash), ~0.3 µs each
        if stash.get(CAPLOG_HANDLER, None) is not caplog_handler:
            stash[CAPLOG_HANDLER] = caplog_handler
        records = stash.get(CAPLOG_RECORDS, None)
        if records is None:
            records = stash[CAPLOG_RECORDS] = {}
        elif when == "setup":
            records.clear()
        records[when] = caplog_handler.records
        self.resume_global_capture()
        if self._fixture is not None:
            self._fixture._resume()
        return handlers, attach_log_handlers(handlers, self.log_level)

    def finish_phase(self, when: str, item: Item,
                     started: tuple[tuple[LogCaptureHandler, LogCaptureHandler], int]) -> None:
        """Stop the capture :meth:`start_phase` started and attach what it caught to ``item``."""
        handlers, saved_root_level = started
        detach_log_handlers(handlers, self.log_level, saved_root_level)
        if self._fixture is not None:
            self._fixture._suspend()
        self.suspend_global_capture()
        out, err = self.read_global_capture()
        closed = self._global.closed_streams() if self._global is not None else []
        show = self._show
        if show == "all" or show == "stdout":
            item.add_report_section(when, "stdout", out)
        if show == "all" or show == "stderr":
            item.add_report_section(when, "stderr", err)
        if show == "all" or show == "log":
            item.add_report_section(when, "log", handlers[0].stream.getvalue())
        if when == "teardown":
            # nothing of the test's logging is kept once it is done (items live until the run ends)
            del item.stash[CAPLOG_HANDLER]
            del item.stash[CAPLOG_RECORDS]
        if closed:
            self._replace_closed_global(closed)

    def _replace_closed_global(self, closed: list[str]) -> None:
        """A test closed a stream of the run's capture (``sys.stdout.close()``): that phase fails,
        and the next phase gets a new capture, so the other tests report their real outcomes
        instead of "I/O operation on closed file" in every later setup and teardown."""
        broken, self._global = self._global, None
        if broken is not None:
            try:
                broken.close()
            except (OSError, ValueError):
                pass
        from minitest.outcomes import fail

        names = " and ".join(f"sys.{name}" for name in closed)
        fail(f"the test closed {names}, which is minitest's capture of the test's output; "
             "what it had written is lost (other tests are not affected)", pytrace=False)

    # -- hooks -----------------------------------------------------------------------------------
    @hookimpl(wrapper=True)
    def minitest_make_collect_report(self, collector: Collector) -> Generator[None, CollectReport, CollectReport]:
        self.resume_global_capture()
        try:
            report = yield
        finally:
            self.suspend_global_capture()
        out, err = self.read_global_capture()
        if out:
            report.sections.append(("Captured stdout", out))
        if err:
            report.sections.append(("Captured stderr", err))
        return report

    @hookimpl(wrapper=True)
    def minitest_runtest_setup(self, item: Item) -> Generator[None, None, None]:
        started = self.start_phase("setup", item)
        try:
            return (yield)
        finally:
            self.finish_phase("setup", item, started)

    @hookimpl(wrapper=True)
    def minitest_runtest_call(self, item: Item) -> Generator[None, None, None]:
        started = self.start_phase("call", item)
        try:
            return (yield)
        finally:
            self.finish_phase("call", item, started)

    @hookimpl(wrapper=True)
    def minitest_runtest_teardown(self, item: Item) -> Generator[None, None, None]:
        started = self.start_phase("teardown", item)
        try:
            return (yield)
        finally:
            self.finish_phase("teardown", item, started)

    @hookimpl(tryfirst=True)
    def minitest_keyboard_interrupt(self) -> None:
        self.minitest_unconfigure()

    @hookimpl(tryfirst=True)
    def minitest_internalerror(self) -> None:
        self.minitest_unconfigure()


def _flush_std_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass


# ---------------------------------------------------------------------------------------------
# capture fixtures
# ---------------------------------------------------------------------------------------------


class CaptureFixtureImpl(CaptureFixture[AnyStr]):
    """What ``capsys`` & co return: its own capture, active while its test's phases run."""

    def __init__(self, name: str, method: str, binary: bool, manager: CaptureManager) -> None:
        self.name = name
        self._method = method
        self._binary = binary
        self._manager = manager
        self._capture: MultiCapture | None = None
        self._out: Any = b"" if binary else ""
        self._err: Any = b"" if binary else ""

    def _start(self) -> None:
        self._capture = MultiCapture(self._method, binary=self._binary, stdin=False)
        self._capture.resume()

    def _active(self) -> bool:
        return self._capture is not None and self._capture.active

    def _suspend(self) -> None:
        if self._capture is not None:
            self._capture.suspend()

    def _resume(self) -> None:
        if self._capture is not None:
            self._capture.resume()

    def close(self) -> None:
        if self._capture is not None:
            out, err = self._capture.readouterr()
            self._out += out
            self._err += err
            self._capture.close()
            self._capture = None

    def readouterr(self) -> CaptureResult[AnyStr]:
        out, err = self._out, self._err
        if self._capture is not None:
            new_out, new_err = self._capture.readouterr()
            out, err = out + new_out, err + new_err
        self._out = b"" if self._binary else ""
        self._err = b"" if self._binary else ""
        return CaptureResult(out, err)

    @contextlib.contextmanager
    def disabled(self) -> Generator[None, None, None]:
        with self._manager.global_and_fixture_disabled():
            yield


def _capture_fixture(request: Any, name: str, method: str, binary: bool) -> Generator[Any, None, None]:
    manager = request.config.stash[_MANAGER]
    capture: CaptureFixtureImpl[Any] = CaptureFixtureImpl(name, method, binary, manager)
    manager.set_fixture(capture)
    capture._start()
    try:
        yield capture
    finally:
        capture.close()
        manager.unset_fixture()


@fixture
def capsys(request: Any) -> Generator[CaptureFixture[str], None, None]:
    """Capture writes to ``sys.stdout`` and ``sys.stderr``; ``capsys.readouterr()`` returns them."""
    yield from _capture_fixture(request, "capsys", "sys", False)


@fixture
def capsysbinary(request: Any) -> Generator[CaptureFixture[bytes], None, None]:
    """Like ``capsys``, but ``readouterr()`` returns bytes."""
    yield from _capture_fixture(request, "capsysbinary", "sys", True)


@fixture
def capteesys(request: Any) -> Generator[CaptureFixture[str], None, None]:
    """Like ``capsys``, and the output also passes through to the terminal (or the global capture)."""
    yield from _capture_fixture(request, "capteesys", "tee-sys", False)


@fixture
def capfd(request: Any) -> Generator[CaptureFixture[str], None, None]:
    """Capture writes to file descriptors 1 and 2 (subprocesses and C code included)."""
    yield from _capture_fixture(request, "capfd", "fd", False)


@fixture
def capfdbinary(request: Any) -> Generator[CaptureFixture[bytes], None, None]:
    """Like ``capfd``, but ``readouterr()`` returns bytes."""
    yield from _capture_fixture(request, "capfdbinary", "fd", True)


@fixture
def caplog(request: Any) -> Generator[LogCapture, None, None]:
    """Access and control log capturing: ``caplog.records``, ``.text``, ``.set_level()``, ``.at_level()``."""
    result = LogCapture(request.node)
    yield result
    result.finalize()
