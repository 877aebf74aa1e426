"""Capturing log records per test phase: the "Captured log" report sections and ``caplog``."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Generator
from typing import Any

from minitest.fixture_types import LogCaptureFixture
from minitest.stash import StashKey

DEFAULT_LOG_FORMAT = "%(levelname)-8s %(name)s:%(filename)s:%(lineno)d %(message)s"
DEFAULT_LOG_DATE_FORMAT = "%H:%M:%S"

#: the handler of the current phase that ``caplog`` reads, and the records of each phase
CAPLOG_HANDLER = StashKey["LogCaptureHandler"]()
CAPLOG_RECORDS = StashKey[dict[str, list[logging.LogRecord]]]()


class LogCaptureHandler(logging.StreamHandler):
    """Keeps the records it handles and their formatted text."""

    stream: io.StringIO

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        super().emit(record)

    def reset(self) -> None:
        self.records = []
        self.stream = io.StringIO()

    def clear(self) -> None:
        self.records.clear()
        self.stream = io.StringIO()

    def handleError(self, record: logging.LogRecord) -> None:
        # a broken log call in a test must show up, not be printed to stderr and forgotten
        raise  # noqa: PLE0704 - re-raise the exception being handled


def level_number(value: Any, setting: str) -> int | None:
    """A level given as a name or a number, or None when not set."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    text = str(value).upper()
    if text.isdigit():
        return int(text)
    level = logging.getLevelName(text)
    if not isinstance(level, int):
        from minitest.config import UsageError

        raise UsageError(f"'{value}' is not recognized as a logging level name for '{setting}'. "
                         "Please consider passing the logging level num instead.")
    return level


def attach_log_handlers(handlers: tuple[logging.Handler, ...] | list[logging.Handler], level: int | None) -> int:
    """Attach ``handlers`` to the root logger (and lower its level to ``level`` if set); returns
    the root logger's level before, for :func:`detach_log_handlers`."""
    root = logging.getLogger()
    for handler in handlers:
        if level is not None:
            handler.setLevel(level)
        root.addHandler(handler)
    saved = root.level
    if level is not None:
        root.setLevel(min(saved, level))
    return saved


def detach_log_handlers(handlers: tuple[logging.Handler, ...] | list[logging.Handler], level: int | None,
                        saved_level: int) -> None:
    """Undo :func:`attach_log_handlers`."""
    root = logging.getLogger()
    if level is not None:
        root.setLevel(saved_level)
    for handler in handlers:
        root.removeHandler(handler)


class LogCapture(LogCaptureFixture):
    """The ``caplog`` object: reads the records of the test it belongs to, sets levels until the
    test ends."""

    def __init__(self, item: Any) -> None:
        self._item = item
        self._initial_handler_level: int | None = None
        self._initial_logger_levels: dict[str | None, int] = {}

    @property
    def handler(self) -> LogCaptureHandler:
        return self._item.stash[CAPLOG_HANDLER]

    def get_records(self, when: str) -> list[logging.LogRecord]:
        return self._item.stash.get(CAPLOG_RECORDS, {}).get(when, [])

    def clear(self) -> None:
        self.handler.clear()

    def _set(self, level: int | str, logger: str | None) -> tuple[logging.Logger, int, int]:
        logger_obj = logging.getLogger(logger)
        number = level_number(level, "caplog") or 0
        old_logger = logger_obj.level
        old_handler = self.handler.level
        logger_obj.setLevel(number)
        self.handler.setLevel(number)
        return logger_obj, old_logger, old_handler

    def set_level(self, level: int | str, logger: str | None = None) -> None:
        logger_obj, old_logger, old_handler = self._set(level, logger)
        self._initial_logger_levels.setdefault(logger, old_logger)
        if self._initial_handler_level is None:
            self._initial_handler_level = old_handler

    @contextlib.contextmanager
    def at_level(self, level: int | str, logger: str | None = None) -> Generator[None, None, None]:
        logger_obj, old_logger, old_handler = self._set(level, logger)
        try:
            yield
        finally:
            logger_obj.setLevel(old_logger)
            self.handler.setLevel(old_handler)

    def finalize(self) -> None:
        """Restore the levels changed with :meth:`set_level`."""
        for name, level in self._initial_logger_levels.items():
            logging.getLogger(name).setLevel(level)
        if self._initial_handler_level is not None:
            self.handler.setLevel(self._initial_handler_level)
