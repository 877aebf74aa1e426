"""Live logging and the log file, as pytest's: ``log_cli`` / ``--log-cli-level`` show the log
records in the terminal as the run makes them, under ``live log setup`` / ``call`` /
``teardown`` (and ``sessionstart``, ``collection``, ``sessionfinish``) section lines;
``--log-file`` writes them to a file for the whole session.

Registered as the builtin ``logging`` (pytest's name: ``-p no:logging`` blocks it, and the
per-phase log capture of ``capture`` with it, as before). The per-test capture of records (the
"Captured log" sections, ``caplog``) stays with ``capture``; this plugin only adds handlers on the
root logger around the session's parts. When neither live logging nor a log file is asked for,
its only per-run work is one null handler around the session's parts (as pytest's: Python's
"last resort" handler stays quiet) and it implements no per-test hook.

The terminal is reached through :data:`minitest.terminal_api.TERMINAL_REPORTER`, capture is
suspended around each live record through :data:`minitest.capture_api.CAPTURE_CONTROL`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from minitest import hookimpl
from minitest.capture_api import CAPTURE_CONTROL
from minitest.config import Config, Parser, UsageError
from minitest.stash import StashKey
from minitest.terminal_api import TERMINAL_REPORTER

if TYPE_CHECKING:
    from minitest.nodes import Session
    from minitest.reports import TestReport
    from minitest.terminal_api import TerminalReporterAPI

DEFAULT_LOG_FORMAT = "%(levelname)-8s %(name)s:%(filename)s:%(lineno)d %(message)s"
DEFAULT_LOG_DATE_FORMAT = "%H:%M:%S"

# (a pattern: ``re`` compiles it when a multi-line record is shown live, not at every start-up: 0.1 ms)
_ANSI_ESCAPE_SEQ = r"\x1b\[[\d;]+m"


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("logging", "logging")

    def add_option_ini(option: str, dest: str, default: Any = None, ini_type: str | None = None,
                       **kwargs: Any) -> None:
        parser.addini(dest, "Default value for " + option, type=ini_type, default=default)
        group.addoption(option, dest=dest, **kwargs)

    parser.addini("log_cli", 'Enable log display during test run (also known as "live logging")',
                  type="bool", default=False)
    add_option_ini("--log-cli-level", "log_cli_level", help="CLI logging level")
    add_option_ini("--log-cli-format", "log_cli_format", help="Log format used by the logging module")
    add_option_ini("--log-cli-date-format", "log_cli_date_format",
                   help="Log date format used by the logging module")
    add_option_ini("--log-file", "log_file", help="Path to a file when logging will be written to")
    add_option_ini("--log-file-mode", "log_file_mode", default="w", choices=["w", "a"],
                   help="Log file open mode")
    add_option_ini("--log-file-level", "log_file_level", help="Log file logging level")
    add_option_ini("--log-file-format", "log_file_format", help="Log format used by the logging module")
    add_option_ini("--log-file-date-format", "log_file_date_format",
                   help="Log date format used by the logging module")
    add_option_ini("--log-auto-indent", "log_auto_indent",
                   help="Auto-indent multiline messages passed to the logging module. Accepts true|on, "
                        "false|off or an integer.")


# -- settings ------------------------------------------------------------------------------------


def _setting(config: Config, name: str) -> Any:
    """The option ``name``, or else its ini value (None when neither exists: the ``log_level`` /
    ``log_format`` ones are ``capture``'s, absent with ``-p no:capture``)."""
    value = config.getoption(name, None)
    if value is None:
        try:
            value = config.getini(name)
        except ValueError:
            return None
    return value


def get_option_ini(config: Config, *names: str) -> Any:
    """The first of ``names`` set, as an option or else in the ini file (pytest's lookup)."""
    for name in names:
        value = _setting(config, name)
        if value:
            return value
    return None


def get_log_level_for_setting(config: Config, *setting_names: str) -> int | None:
    """The level of the first setting given; a name logging does not know is a usage error."""
    for setting_name in setting_names:
        log_level = _setting(config, setting_name)
        if log_level is not None and log_level != "":
            break
    else:
        return None
    if isinstance(log_level, int):
        return log_level
    log_level = str(log_level).upper()
    try:
        return int(getattr(logging, log_level, log_level))
    except ValueError:
        raise UsageError(f"'{log_level}' is not recognized as a logging level name for "
                         f"'{setting_name}'. Please consider passing the logging level num instead.") from None


def _strtobool(value: str) -> bool:
    value = value.lower()
    if value in ("y", "yes", "t", "true", "on", "1"):
        return True
    if value in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(f"invalid truth value {value!r}")


def _auto_indent(option: Any) -> int:
    """-1: indent continuation lines as far as the first line's message; 0: off; N: N spaces."""
    if option is None or option is False:
        return 0
    if option is True:
        return -1
    if isinstance(option, int):
        return max(option, 0)
    if isinstance(option, str):
        try:
            return max(int(option), 0)
        except ValueError:
            pass
        try:
            return -1 if _strtobool(option) else 0
        except ValueError:
            return 0
    return 0


# -- formatting ----------------------------------------------------------------------------------


class DatetimeFormatter(logging.Formatter):
    """A formatter whose date format may use ``%f`` (microseconds)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt and "%f" in datefmt:
            from datetime import datetime, timedelta, timezone

            ct = self.converter(record.created)
            tz = timezone(timedelta(seconds=ct.tm_gmtoff), ct.tm_zone)
            dt = datetime(*ct[0:6], microsecond=int(record.msecs * 1000), tzinfo=tz)
            return dt.strftime(datefmt)
        return super().formatTime(record, datefmt)


class PercentStyleMultiline(logging.PercentStyle):
    """``%`` formatting where the lines of a multi-line message may be indented (``log_auto_indent``)."""

    def __init__(self, fmt: str, auto_indent: Any) -> None:
        super().__init__(fmt)
        self._auto_indent = _auto_indent(auto_indent)

    def format(self, record: logging.LogRecord) -> str:
        if "\n" in record.message:
            auto_indent = (_auto_indent(record.auto_indent) if hasattr(record, "auto_indent")
                           else self._auto_indent)
            if auto_indent:
                lines = record.message.splitlines()
                formatted = self._fmt % {**record.__dict__, "message": lines[0]}
                if auto_indent < 0:
                    indentation = re.sub(_ANSI_ESCAPE_SEQ, "", formatted).find(lines[0])
                else:
                    indentation = auto_indent
                lines[0] = formatted
                return ("\n" + " " * indentation).join(lines)
        return self._fmt % record.__dict__


class ColoredLevelFormatter(DatetimeFormatter):
    """Colours the ``%(levelname)s`` part of the format by the record's level."""

    LOGLEVEL_COLOROPTS: dict[int, tuple[str, ...]] = {
        logging.CRITICAL: ("red",),
        logging.ERROR: ("red", "bold"),
        logging.WARNING: ("yellow",),
        logging.INFO: ("green",),
        logging.DEBUG: ("purple",),
        logging.NOTSET: (),
    }
    LEVELNAME_FMT_REGEX = re.compile(r"%\(levelname\)([+-.]?\d*(?:\.\d+)?s)")

    def __init__(self, reporter: TerminalReporterAPI, fmt: str, datefmt: str | None) -> None:
        super().__init__(fmt, datefmt)
        self._original_fmt = self._style._fmt
        self._level_to_fmt_mapping: dict[int, str] = {}
        match = self.LEVELNAME_FMT_REGEX.search(fmt)
        assert match is not None
        levelname_fmt = match.group()
        for level, colours in self.LOGLEVEL_COLOROPTS.items():
            formatted = levelname_fmt % {"levelname": logging.getLevelName(level)}
            coloured = reporter.writer.markup(formatted, **dict.fromkeys(colours, True))
            self._level_to_fmt_mapping[level] = self.LEVELNAME_FMT_REGEX.sub(coloured.replace("\\", r"\\"), fmt)

    def format(self, record: logging.LogRecord) -> str:
        self._style._fmt = self._level_to_fmt_mapping.get(record.levelno, self._original_fmt)
        return super().format(record)


def _create_formatter(config: Config, log_format: str, log_date_format: str | None,
                      auto_indent: Any) -> logging.Formatter:
    reporter = config.stash.get(TERMINAL_REPORTER, None)
    formatter: logging.Formatter
    if (reporter is not None and config.getoption("color", "no") != "no"
            and ColoredLevelFormatter.LEVELNAME_FMT_REGEX.search(log_format)):
        formatter = ColoredLevelFormatter(reporter, log_format, log_date_format)
    else:
        formatter = DatetimeFormatter(log_format, log_date_format)
    formatter._style = PercentStyleMultiline(formatter._style._fmt, auto_indent=auto_indent)
    return formatter


# -- attaching handlers --------------------------------------------------------------------------


class catching_logs:  # noqa: N801 - pytest's name
    """Attach ``handler`` to the root logger (and the loggers that do not propagate) for a block,
    the root logger's level lowered to ``level`` if given."""

    __slots__ = ("attached", "handler", "level", "orig_level")

    def __init__(self, handler: logging.Handler, level: int | None = None) -> None:
        self.handler = handler
        self.level = level
        self.attached: list[logging.Logger] = []
        self.orig_level = logging.NOTSET

    def __enter__(self) -> logging.Handler:
        root = logging.getLogger()
        if self.level is not None:
            self.handler.setLevel(self.level)
        root.addHandler(self.handler)
        self.attached.append(root)
        for logger in root.manager.loggerDict.values():
            if isinstance(logger, logging.Logger) and not logger.propagate and logger is not root:
                logger.addHandler(self.handler)
                self.attached.append(logger)
        if self.level is not None:
            self.orig_level = root.level
            root.setLevel(min(self.orig_level, self.level))
        return self.handler

    def __exit__(self, *exc_info: object) -> None:
        root = logging.getLogger()
        if self.level is not None:
            root.setLevel(self.orig_level)
        for logger in self.attached:
            logger.removeHandler(self.handler)
        self.attached.clear()


class _FileHandler(logging.FileHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        pass  # the capture's handler makes the test fail


class _NullHandler(logging.NullHandler):
    def handleError(self, record: logging.LogRecord) -> None:
        pass


class LiveLoggingHandler(logging.Handler):
    """Writes each record to the terminal, capture suspended, under a ``live log <phase>`` line.

    pytest's terminal leaves the line of a test's result open until the next output; minitest's
    ends it at once. The handler writes the newlines pytest's output has, given that difference:
    ``_owed_close`` (pytest's line is open, ours already ended), ``_word_written`` (the test's
    result is on the screen: pytest writes an empty line before what comes next).
    """

    def __init__(self, config: Config, reporter: TerminalReporterAPI) -> None:
        super().__init__()
        self.config = config
        self.reporter = reporter
        self._when: str | None = None
        self._section_name_shown = False
        self._first_record_emitted = False
        self._test_outcome_written = False
        self._owed_close = False
        self._word_written = False
        self.blank_owed = False

    def reset(self) -> None:
        self._first_record_emitted = False

    def set_when(self, when: str | None) -> None:
        self._when = when
        self._section_name_shown = False
        if when == "start":
            self._test_outcome_written = False

    def test_started(self) -> None:
        """A test starts: pytest ends the open line (ours is ended), after an empty one if owed."""
        self.write_owed_blank()
        self._owed_close = False
        self._word_written = False

    def result_written(self) -> None:
        """The terminal wrote the test's result word (and ended the line)."""
        self._owed_close = True
        self._word_written = True

    def write_owed_blank(self) -> None:
        if self.blank_owed:
            self.blank_owed = False
            self.reporter.writer.line()

    def _newline(self) -> None:
        if self._owed_close:
            self._owed_close = False
        else:
            self.reporter.write("\n")

    def emit(self, record: logging.LogRecord) -> None:
        control = self.config.stash.get(CAPTURE_CONTROL, None)
        if control is None:
            self._emit(record)
            return
        with control.global_and_fixture_disabled():
            self._emit(record)

    def _emit(self, record: logging.LogRecord) -> None:
        try:
            msg = self.format(record)
        except Exception:
            self.handleError(record)
            return
        if not self._first_record_emitted:
            self._newline()
            self._first_record_emitted = True
        elif self._when in ("teardown", "finish") and not self._test_outcome_written:
            self._test_outcome_written = True
            self._newline()
        self._owed_close = False
        writer = self.reporter.writer
        if not self._section_name_shown and self._when:
            writer.sep("-", "live log " + self._when, bold=True)
            self._section_name_shown = True
        writer.write(msg + "\n")
        writer.flush()
        if self._word_written:
            self.blank_owed = True

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # the capture's handler makes the test fail


# -- the plugin ----------------------------------------------------------------------------------


#: the live handler, while live logging is on
_LIVE_HANDLER = StashKey["LiveLoggingHandler"]()


@hookimpl(trylast=True)  # after the terminal (listed before this plugin) and capture are configured
def minitest_configure(config: Config) -> None:
    session_logging = SessionLogging(config)
    config.pluginmanager.register(session_logging, "logging-plugin")
    if session_logging.live is not None:
        config.stash[_LIVE_HANDLER] = session_logging.live
        config.pluginmanager.register(LiveLogging(session_logging.live), "logging-plugin.live")


@hookimpl(trylast=True)
def minitest_sessionfinish(session: Session) -> None:
    """Right before the terminal's end of the run (trylast too, registered later): the empty
    line pytest's terminal writes there after live records that followed a test's result."""
    handler = session.config.stash.get(_LIVE_HANDLER, None)
    if handler is not None:
        handler.write_owed_blank()


class SessionLogging:
    """The handlers attached for the whole session: the log file (or a null handler) and the
    live log handler, around sessionstart, collection, the test loop and sessionfinish."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.log_file_level = get_log_level_for_setting(config, "log_file_level", "log_level")
        log_file = get_option_ini(config, "log_file") or os.devnull
        self.file_handler: logging.Handler
        if log_file != os.devnull:
            directory = os.path.dirname(os.path.abspath(log_file))
            if not os.path.isdir(directory):
                os.makedirs(directory)
            mode = get_option_ini(config, "log_file_mode") or "w"
            self.file_handler = _FileHandler(log_file, mode=mode, encoding="UTF-8")
            self.file_handler.setFormatter(DatetimeFormatter(
                get_option_ini(config, "log_file_format", "log_format") or DEFAULT_LOG_FORMAT,
                get_option_ini(config, "log_file_date_format", "log_date_format") or DEFAULT_LOG_DATE_FORMAT))
        else:
            self.file_handler = _NullHandler()
        self.log_cli_level = get_log_level_for_setting(config, "log_cli_level", "log_level")
        self.live: LiveLoggingHandler | None = None
        reporter = config.stash.get(TERMINAL_REPORTER, None)
        enabled = config.getoption("log_cli_level", None) is not None or config.getini("log_cli")
        if enabled and reporter is not None:
            self.live = LiveLoggingHandler(config, reporter)
            self.live.setFormatter(_create_formatter(
                config,
                get_option_ini(config, "log_cli_format", "log_format") or DEFAULT_LOG_FORMAT,
                get_option_ini(config, "log_cli_date_format", "log_date_format") or DEFAULT_LOG_DATE_FORMAT,
                get_option_ini(config, "log_auto_indent")))

    def _catching(self, when: str) -> Generator[None, object, object]:
        live = self.live
        if live is None:
            with catching_logs(self.file_handler, level=self.log_file_level):
                return (yield)
        live.set_when(when)
        with catching_logs(live, level=self.log_cli_level), \
                catching_logs(self.file_handler, level=self.log_file_level):
            return (yield)

    @hookimpl(wrapper=True, tryfirst=True)
    def minitest_sessionstart(self) -> Generator[None, object, object]:
        return (yield from self._catching("sessionstart"))

    @hookimpl(wrapper=True, tryfirst=True)
    def minitest_collection(self) -> Generator[None, object, object]:
        return (yield from self._catching("collection"))

    @hookimpl(wrapper=True)
    def minitest_runtestloop(self, session: Session) -> Generator[None, object, object]:
        if self.config.getoption("collectonly", False):
            return (yield)
        if self.live is not None and self.config.get_verbosity() < 1:
            # pytest's: the test's node id is on the line its live records follow
            self.config.option.verbose = 1
        return (yield from self._catching("runtestloop"))

    @hookimpl(wrapper=True, tryfirst=True)
    def minitest_sessionfinish(self) -> Generator[None, object, object]:
        return (yield from self._catching("sessionfinish"))

    def minitest_unconfigure(self) -> None:
        self.file_handler.close()


class LiveLogging:
    """The per-test hooks, registered only when live logging is on: which phase the records
    belong to, and where the terminal's lines end."""

    def __init__(self, handler: LiveLoggingHandler) -> None:
        self.handler = handler

    @hookimpl(tryfirst=True)
    def minitest_runtest_logstart(self) -> None:
        self.handler.test_started()
        self.handler.reset()
        self.handler.set_when("start")

    @hookimpl(trylast=True)
    def minitest_runtest_logreport(self, report: TestReport) -> None:
        config = self.handler.config
        if config.get_verbosity() > 0:
            _, letter, word = config.hook.minitest_report_teststatus(report=report, config=config)
            if letter or word:
                self.handler.result_written()
        self.handler.set_when("logreport")

    @hookimpl(wrapper=True)
    def minitest_runtest_setup(self) -> Generator[None, object, object]:
        self.handler.set_when("setup")
        return (yield)

    @hookimpl(wrapper=True)
    def minitest_runtest_call(self) -> Generator[None, object, object]:
        self.handler.set_when("call")
        return (yield)

    @hookimpl(wrapper=True)
    def minitest_runtest_teardown(self) -> Generator[None, object, object]:
        self.handler.set_when("teardown")
        return (yield)

    def minitest_runtest_logfinish(self) -> None:
        self.handler.set_when("finish")
