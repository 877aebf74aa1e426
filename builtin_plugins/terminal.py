"""The terminal reporter: header, progress, failures, short summary and the final line.

It is composed of small parts — :class:`TerminalWriter` (colour, width, batched writes),
the progress display, the sections of the summary — each fed by hooks, so a plugin can add a
section (``minitest_terminal_summary``), change a status letter (``minitest_report_teststatus``)
or replace the reporter entirely (``-p no:terminal`` and register its own).
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import pluggy

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.exitcode import ExitCode
from minitest.nodes import Item, Session
from minitest.reports import CollectReport, FailureRepr, TestReport
from minitest.runstats import OUTCOMES, RUN_STATS, RunStats
from minitest.terminal_api import TERMINAL_REPORTER
from minitest.version import __version__

_REPORTCHARS_DEFAULT = "fE"


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    group.addoption("-v", "--verbose", action="count", default=0, dest="verbose", help="increase verbosity")
    group.addoption("-q", "--quiet", action="count", default=0, dest="quiet", help="decrease verbosity")
    group.addoption("-r", action="store", dest="reportchars", default=_REPORTCHARS_DEFAULT, metavar="chars",
                    help="show extra test summary info: (f)ailed, (E)rror, (s)kipped, (x)failed, (X)passed, "
                         "(p)assed, (P)assed with output, (a)ll except passed, (A)ll, (N)one; default 'fE'")
    group.addoption("--color", metavar="color", action="store", dest="color", default="auto",
                    choices=["yes", "no", "auto"], help="color terminal output (yes/no/auto)")
    group.addoption("--no-header", action="store_true", default=False, help="disable the header")
    group.addoption("--no-summary", action="store_true", default=False, help="disable the summary")


@hookimpl(tryfirst=True, specname="minitest_configure")
def create_run_stats(config: Config) -> None:
    """The run statistics exist before any other plugin's ``minitest_configure`` (tryfirst), so
    a plugin may set them up there (``--durations`` keeps every phase's report)."""
    config.stash[RUN_STATS] = RunStats()


@hookimpl(trylast=True)
def minitest_configure(config: Config) -> None:
    config.option.verbose = int(config.getoption("verbose", 0) or 0) - int(config.getoption("quiet", 0) or 0)
    reporter = TerminalReporter(config, _terminal_stream(config), config.stash[RUN_STATS])
    config.stash[TERMINAL_REPORTER] = reporter
    # the plugin name stays: pytest plugins look the reporter up by it
    config.pluginmanager.register(reporter, "terminalreporter")


def _terminal_stream(config: Config) -> IO[str]:
    """Where the report goes: a duplicate of the process's stdout when sys.stdout is the real one,
    so output capture during a test (which redirects fd 1) can never swallow report lines; the
    current sys.stdout otherwise (an in-process run whose caller replaced it)."""
    stream: IO[str] | None = sys.stdout
    if stream is None or stream is not sys.__stdout__:
        return stream  # type: ignore[return-value]  # a None stdout is the caller's choice, written to as given
    assert stream is not None
    try:
        fd = os.dup(stream.fileno())
        dup = open(fd, "w", encoding=stream.encoding or "utf-8", errors="backslashreplace",  # noqa: SIM115
                   closefd=True)
    except (OSError, ValueError, AttributeError):
        return stream
    dup.isatty = stream.isatty  # type: ignore[method-assign]  # colour decisions follow the real stdout
    config.add_cleanup(dup.close)
    return dup


@hookimpl(trylast=True)
def minitest_report_teststatus(report: TestReport | CollectReport) -> tuple[str, str, str]:
    """The default status of a report (trylast: other plugins decide first)."""
    when = report.when
    if when in ("setup", "teardown", "collect"):
        if report.failed:
            return "error", "E", "ERROR"
        if report.skipped:
            return "skipped", "s", "SKIPPED"
        return "", "", ""
    if report.passed:
        return "passed", ".", "PASSED"
    if report.skipped:
        return "skipped", "s", "SKIPPED"
    return "failed", "F", "FAILED"


# ---------------------------------------------------------------------------------------------
# writing
# ---------------------------------------------------------------------------------------------


def should_use_color(option: str, stream: IO[str]) -> bool:
    if option == "yes":
        return True
    if option == "no":
        return False
    py_colors = os.environ.get("PY_COLORS")
    if py_colors in ("0", "1"):
        return py_colors == "1"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "purple": "35", "cyan": "36",
          "white": "37", "bold": "1", "light": "2"}


class TerminalWriter:
    """Writes marked-up text; output is buffered and flushed at line ends at most every 0.1s."""

    def __init__(self, stream: IO[str], color: bool) -> None:
        self._stream = stream
        self.hasmarkup = color
        if color and sys.platform == "win32":
            import colorama

            colorama.just_fix_windows_console()
        self._buffer: list[str] = []
        self._last_flush = time.monotonic()
        self.width_of_current_line = 0
        width = 80
        try:
            import shutil

            width = shutil.get_terminal_size(fallback=(80, 24)).columns
        except Exception:
            pass
        self.fullwidth = width if width >= 40 else 80

    def markup(self, text: str, **marks: bool) -> str:
        if not self.hasmarkup:
            return text
        codes = [_CODES[name] for name, on in marks.items() if on and name in _CODES]
        if not codes:
            return text
        return "".join(f"\x1b[{c}m" for c in codes) + text + "\x1b[0m"

    def write(self, text: str, flush: bool = False, **marks: bool) -> None:
        if not text:
            return
        if "\n" in text:
            self.width_of_current_line = len(text.rsplit("\n", 1)[1])
        else:
            self.width_of_current_line += len(text)
        self._buffer.append(self.markup(text, **marks))
        if flush or ("\n" in text and time.monotonic() - self._last_flush > 0.1) or len(self._buffer) > 512:
            self.flush()

    def line(self, text: str = "", **marks: bool) -> None:
        self.write(text, **marks)
        self.write("\n")

    def sep(self, sepchar: str, title: str | None = None, fullwidth: int | None = None, **marks: bool) -> None:
        width = fullwidth or self.fullwidth
        if title:
            n = max((width - len(title) - 2) // (2 * len(sepchar)), 1)
            fill = sepchar * n
            text = f"{fill} {title} {fill}"
        else:
            text = sepchar * (width // len(sepchar))
        if len(text) + len(sepchar.rstrip()) <= width:
            text += sepchar.rstrip()
        self.line(text, **marks)

    def flush(self) -> None:
        if self._stream is not sys.stdout and sys.stdout is not None:
            try:
                sys.stdout.flush()  # what the tests printed uncaptured (-s) comes first
            except (OSError, ValueError):
                pass
        if self._buffer:
            data = "".join(self._buffer)
            self._buffer.clear()
            try:
                self._stream.write(data)
            except UnicodeEncodeError:
                encoding = getattr(self._stream, "encoding", None) or "utf-8"
                self._stream.write(data.encode(encoding, "backslashreplace").decode(encoding))
        try:
            self._stream.flush()
        except (OSError, ValueError):
            pass
        self._last_flush = time.monotonic()


def _plural(count: int, noun: str) -> str:
    if noun in ("error", "warnings"):
        if noun == "error":
            return "error" if count == 1 else "errors"
        return "warning" if count == 1 else "warnings"
    return noun


def format_duration(seconds: float) -> str:
    text = f"{seconds:.2f}s"
    if seconds >= 60:
        hours, rest = divmod(int(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        text += f" ({hours}:{minutes:02d}:{secs:02d})"
    return text


# ---------------------------------------------------------------------------------------------
# the reporter
# ---------------------------------------------------------------------------------------------


class TerminalReporter:
    """Receives the run's events through hooks and writes them to the terminal."""

    def __init__(self, config: Config, stream: IO[str], run_stats: RunStats | None = None) -> None:
        self.config = config
        self.verbosity = config.get_verbosity()
        self._tw = TerminalWriter(stream, should_use_color(config.getoption("color", "auto"), stream))
        self._run_stats = run_stats if run_stats is not None else RunStats()
        #: pytest's name for the counts, category → entries (the same dict as the run statistics)
        self.stats: dict[str, list[Any]] = self._run_stats.legacy_dict()
        self.reportchars = _reportchars(config.getoption("reportchars", _REPORTCHARS_DEFAULT))
        self._session: Session | None = None
        self._start = time.time()
        self._perf_start = time.perf_counter()
        self._current_fspath: str | None = None
        self._progress_done: set[str] = set()
        self._collected = 0
        self._interrupt: BaseException | None = None
        self._started_running = False
        #: progress lines start with the test file's name; the dist controller turns this off since
        #: results of several files arrive interleaved
        self.show_file_names = True
        self._uncaptured = config.getoption("capture", "fd") == "no"
        self.collect_only = bool(config.getoption("collectonly", False))
        self._show_header = not config.getoption("no_header", False) and self.verbosity >= 0
        self._no_summary = bool(config.getoption("no_summary", False))

    # -- small public writing API used by plugins ------------------------------------------------
    @property
    def writer(self) -> TerminalWriter:
        return self._tw

    def write(self, text: str, **marks: bool) -> None:
        self._tw.write(text, **marks)

    def write_line(self, text: str, **marks: bool) -> None:
        self.ensure_newline()
        self._tw.line(text, **marks)

    def write_sep(self, sep: str, title: str | None = None, **marks: bool) -> None:
        self.ensure_newline()
        self._tw.sep(sep, title, **marks)

    def section(self, title: str, sep: str = "=", **marks: bool) -> None:
        self.write_sep(sep, title, **marks)

    def line(self, text: str = "", **marks: bool) -> None:
        self._tw.line(text, **marks)

    def rewrite(self, line: str, erase: bool = False, **marks: bool) -> None:
        if erase:
            fill = self._tw.fullwidth - len(line) - 1
            if fill > 0:
                line += " " * fill
        self._tw.write("\r" + line, **marks)

    def ensure_newline(self) -> None:
        if self._current_fspath is not None or self._tw.width_of_current_line:
            if self._tw.width_of_current_line:
                self._tw.line()
            self._current_fspath = None

    def flush(self) -> None:
        self._tw.flush()

    def set_show_file_names(self, show: bool) -> None:
        """Whether progress lines start with the test file's name (the parallel controller turns
        it off: results of several files arrive interleaved)."""
        self.show_file_names = show

    # -- session start: the header ---------------------------------------------------------------
    @hookimpl(trylast=True)
    def minitest_sessionstart(self, session: Session) -> None:
        self._session = session
        self._start = time.time()
        self._perf_start = time.perf_counter()
        if not self._show_header:
            return
        self.write_sep("=", "test session starts", bold=True)
        py = ".".join(map(str, sys.version_info[:3]))
        line = f"platform {sys.platform} -- Python {py}, minitest-{__version__}, pluggy-{pluggy.__version__}"
        if self.verbosity > 0:
            line += f" -- {sys.executable}"
        self.write_line(line)
        start = self.config.invocation_params.dir
        lines = self.config.hook.minitest_report_header(config=self.config, start_path=start,
                                                        startdir=start)  # deprecated name
        for extra in reversed(lines):
            for line in [extra] if isinstance(extra, str) else extra:
                self.write_line(line)

    @hookimpl(tryfirst=True)
    def minitest_report_header(self, config: Config) -> list[str]:
        # tryfirst, and the results are printed in reverse: these lines come after the plugins'
        # own lines, in the place pytest prints them
        lines = [f"rootdir: {config.rootpath}"]
        if config.inipath is not None:
            lines.append(f"configfile: {_bestrelpath_from(config.inipath, config.rootpath)}")
        if config.args_source == "testpaths":
            lines.append(f"testpaths: {', '.join(config.args)}")
        pm = config.pluginmanager
        installed = []
        for name, origin in pm.origins.items():
            if origin.kind == "entrypoint" and pm.get_plugin(name) is not None:
                installed.append(f"{origin.dist}-{origin.version}")
        if installed:
            lines.append("plugins: " + ", ".join(sorted(set(installed))))
        return lines

    # -- collection ------------------------------------------------------------------------------
    def minitest_collectreport(self, report: CollectReport) -> None:
        if report.failed:
            self._run_stats.add_report("error", report)
        elif report.skipped:
            self._run_stats.add_report("skipped", report)

    def minitest_deselected(self, items: Sequence[Item]) -> None:
        self._run_stats.add_deselected(items)

    def minitest_collection(self) -> None:
        if self.verbosity > 0:
            self._tw.write("collecting ... ", bold=True)

    @hookimpl(trylast=True)
    def minitest_collection_finish(self, session: Session) -> None:
        self._collected = len(session.items)
        if self.verbosity >= 0 or self.collect_only:
            self._report_collected(session)
        if self.collect_only:
            self._print_collected(session.items)

    def set_collected_total(self, count: int) -> None:
        """The number of items the progress percentage counts against (the dist controller sets it:
        only its workers collect)."""
        self._collected = count

    def _report_collected(self, session: Session) -> None:
        if self.verbosity < 0:
            return
        stats = self._run_stats
        errors = stats.count("error")
        skipped = stats.count("skipped")
        deselected = stats.count("deselected")
        total = self._collected + deselected
        line = f"collected {total} item{'' if total == 1 else 's'}"
        if self._tw.width_of_current_line:  # after "collecting ... "
            self._tw.write(line, bold=True)
            line = ""
        if errors:
            line += f" / {errors} error{'s' if errors != 1 else ''}"
        if deselected:
            line += f" / {deselected} deselected"
        if skipped:
            line += f" / {skipped} skipped"
        if deselected:
            line += f" / {self._collected} selected"
        self._tw.line(line, bold=True)

    def _print_collected(self, items: Sequence[Item]) -> None:
        if self.verbosity < -1:
            counts = Counter(item.nodeid.split("::", 1)[0] for item in items)
            for name, count in counts.items():
                self._tw.line(f"{name}: {count}")
            return
        # one write for the whole listing (it can be thousands of lines): same text, no per-line
        # buffer bookkeeping
        if self.verbosity < 0:
            if items:
                self._tw.write("".join([f"{item.nodeid}\n" for item in items]))
            return
        self._tw.line()
        stack: list[Any] = []
        lines: list[str] = []
        for item in items:
            needed = item.listchain()[1:]
            while stack and stack != needed[: len(stack)]:
                stack.pop()
            for node in needed[len(stack):]:
                stack.append(node)
                indent = "  " * (len(stack) - 1)
                lines.append(f"{indent}<{_node_kind(node)} {node.name}>\n")
        if lines:
            self._tw.write("".join(lines))

    # -- running ---------------------------------------------------------------------------------
    def minitest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        if self._uncaptured:
            self._tw.flush()  # -s: the test's own output must follow what is already on the line
        if not self._started_running:
            self._started_running = True
            if self.verbosity >= 0:
                self._tw.line()
        if self.verbosity > 0:
            self.ensure_newline()
            self._tw.write(f"{self.config.cwd_relative_nodeid(nodeid)} ")
            self._current_fspath = None
        elif self.verbosity == 0 and self.show_file_names:
            fspath = location[0]
            if fspath != self._current_fspath:
                if self._current_fspath is not None:
                    self._write_progress()
                    self._tw.line()
                self._current_fspath = fspath
                self._tw.write(display_path(self.config.rootpath / fspath) + " ")

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        category, letter, word = _status(self.config, report)
        self._run_stats.add_report(category, report)
        if not letter and not word:
            return
        marks = _word_markup(category, report)
        if self.verbosity <= 0:
            self._tw.write(letter, **marks)
            return
        if isinstance(word, tuple):
            word, marks = word
        if self._tw.width_of_current_line == 0:
            self._tw.write(f"{self.config.cwd_relative_nodeid(report.nodeid)} ")
        self._tw.write(word, **marks)
        if report.when == "call" or report.failed or report.skipped:
            reason = _verbose_reason(report) if self.verbosity > 0 else ""
            if reason:
                self._tw.write(f" ({reason})")
            self._progress_done.add(report.nodeid)
            self._write_progress_right()
        self._tw.line()

    def minitest_runtest_logfinish(self, nodeid: str) -> None:
        if self.verbosity <= 0:
            self._progress_done.add(nodeid)
            if self.verbosity < -1:
                return
            if len(self._progress_done) == self._collected:
                self._write_progress()
                self._tw.line()
                self._current_fspath = None
            elif self._tw.width_of_current_line + 8 >= self._tw.fullwidth:
                self._write_progress()
                self._tw.line()

    def _progress_text(self) -> str:
        if not self._collected:
            return " [100%]"
        pct = len(self._progress_done) * 100 // self._collected
        return f" [{pct:3d}%]"

    def _write_progress(self) -> None:
        text = self._progress_text()
        fill = self._tw.fullwidth - self._tw.width_of_current_line - len(text) - 1
        self._tw.write(" " * max(fill, 0) + text, **{self._main_color()[0]: True})

    def _write_progress_right(self) -> None:
        text = self._progress_text()
        fill = self._tw.fullwidth - self._tw.width_of_current_line - len(text) - 1
        self._tw.write(" " * max(fill, 1) + text, **{self._main_color()[0]: True})

    # -- interruption and internal errors --------------------------------------------------------
    def minitest_keyboard_interrupt(self, excinfo: BaseException) -> None:
        self._interrupt = excinfo

    def minitest_internalerror(self, excrepr: str) -> bool:
        self.ensure_newline()  # not glued to a progress line
        self._tw.flush()
        for line in str(excrepr).splitlines():
            self._tw.line(f"INTERNALERROR> {line}")
        self._tw.flush()
        return True

    # -- the end: summary sections and the final line --------------------------------------------
    @hookimpl(trylast=True)
    def minitest_sessionfinish(self, session: Session, exitstatus: int) -> None:
        self.ensure_newline()
        summary_codes = (ExitCode.OK, ExitCode.TESTS_FAILED, ExitCode.INTERRUPTED, ExitCode.USAGE_ERROR,
                         ExitCode.NO_TESTS_COLLECTED)
        if self.verbosity >= 0 or self.collect_only:
            self._tw.line()
        if exitstatus in summary_codes and not self._no_summary:
            self.summary_errors()
            self.summary_failures()
            self.config.hook.minitest_terminal_summary(terminalreporter=self, exitstatus=exitstatus,
                                                       config=self.config)
            self.summary_passes()
            self.short_test_summary()
        if session.shouldfail:
            self.write_sep("!", str(session.shouldfail), red=True)
        if exitstatus == ExitCode.INTERRUPTED:
            self._report_interrupt()
        elif session.shouldstop:
            self.write_sep("!", str(session.shouldstop), red=True)
        self.summary_stats()
        self._tw.flush()

    def _report_interrupt(self) -> None:
        exc = self._interrupt
        if exc is None:
            return
        if isinstance(exc, Session.Interrupted):
            self.write_sep("!", f"Interrupted: {exc}", red=True)
            return
        from minitest.outcomes import Exit

        if isinstance(exc, Exit):
            self.write_sep("!", f"Exit: {exc.msg}", red=True)
            return
        self.write_sep("!", "KeyboardInterrupt", red=True)
        from minitest.tracebacks import raise_location

        where = raise_location(exc)
        if where is not None:
            self.write_line(f"{where[0]}:{where[1]}: KeyboardInterrupt")
        self.write_line("(to show a full traceback on KeyboardInterrupt use --full-trace)", yellow=True)

    def _tbstyle(self) -> str:
        return str(self.config.getoption("tbstyle", "auto"))

    def summary_failures(self) -> None:
        reports = [r for r in self.stats.get("failed", []) if isinstance(r, TestReport)]
        if not reports or self._tbstyle() == "no":
            return
        self.write_sep("=", "FAILURES")
        if self._tbstyle() == "line":
            for rep in reports:
                self.write_line(_line_repr(rep))
            return
        for rep in reports:
            self.write_sep("_", _head_line(rep), red=True, bold=True)
            self._write_longrepr(rep)
            self._write_sections(rep)
            self._write_teardown_sections(rep.nodeid)

    def _write_teardown_sections(self, nodeid: str) -> None:
        """What a failed test's (passing) teardown printed: it came after the failure was reported."""
        for rep in self.stats.get("", []):
            if getattr(rep, "when", None) == "teardown" and rep.nodeid == nodeid:
                for name, content in rep.sections:
                    if "teardown" in name:
                        self.write_sep("-", name)
                        self._tw.line(content[:-1] if content.endswith("\n") else content)

    def summary_errors(self) -> None:
        reports = self.stats.get("error", [])
        if not reports or self._tbstyle() == "no":
            return
        self.write_sep("=", "ERRORS")
        for rep in reports:
            if rep.when == "collect":
                title = f"ERROR collecting {rep.nodeid or rep.fspath}"
            else:
                title = f"ERROR at {rep.when} of {_head_line(rep)}"
            self.write_sep("_", title, red=True, bold=True)
            self._write_longrepr(rep)
            self._write_sections(rep)

    def summary_passes(self) -> None:
        self._summary_passes_combined("passed", "PASSES", "P")
        self._summary_passes_combined("xpassed", "XPASSES", "X")  # as pytest: -rX shows their output too

    def _summary_passes_combined(self, category: str, title: str, char: str) -> None:
        if char not in self.reportchars or self._tbstyle() == "no":
            return
        reports = [r for r in self.stats.get(category, []) if r.when == "call"]
        if not reports:
            return
        self.write_sep("=", title)
        for rep in reports:
            if rep.sections:
                self.write_sep("_", _head_line(rep), green=True, bold=True)
                self._write_sections(rep)

    def _write_longrepr(self, rep: Any) -> None:
        lr = rep.longrepr
        if lr is None:
            return
        text = lr[2] if isinstance(lr, tuple) else str(lr)
        if not text:
            return
        for line in text.split("\n"):
            red = line.startswith("E   ")
            self._tw.line(line, red=red, bold=red)

    def _write_sections(self, rep: Any) -> None:
        for name, content in rep.sections:
            if rep.when == "teardown" and "teardown" not in name and rep.failed:
                continue
            self.write_sep("-", name)
            text = content[:-1] if content.endswith("\n") else content
            self._tw.line(text)

    def short_test_summary(self) -> None:
        if not self.reportchars:
            return
        lines: list[str] = []
        for char in self.reportchars:
            if char == "f":
                self._summary_lines(lines, "failed", "FAILED")
            elif char == "E":
                self._summary_lines(lines, "error", "ERROR")
            elif char == "p":  # "P" only adds the PASSES section (output of passed tests)
                self._summary_lines(lines, "passed", "PASSED", with_message=False)
            elif char == "s":
                self._skipped_lines(lines)
            elif char == "x":
                self._xfail_lines(lines, "xfailed", "XFAIL")
            elif char == "X":
                self._xfail_lines(lines, "xpassed", "XPASS")
        if lines:
            self.write_sep("=", "short test summary info", cyan=True, bold=True)
            for line in lines:
                self.write_line(line)

    def _summary_lines(self, lines: list[str], category: str, word: str, with_message: bool = True) -> None:
        color = {"failed": "red", "error": "red", "passed": "green"}.get(category, "yellow")
        for rep in self.stats.get(category, []):
            if category == "passed" and rep.when != "call":
                continue
            shown = self._verbose_word(rep, word)
            line = f"{self._tw.markup(shown, **{color: True})} {self._pos(rep)}"
            message = _crash_message(rep) if with_message else None
            if message:
                line += _trim_message(message, self._tw.fullwidth - len(word) - len(self._pos(rep)) - 1,
                                      self.verbosity)
            lines.append(line)

    def _skipped_lines(self, lines: list[str]) -> None:
        grouped: Counter[tuple[str, int | None, str]] = Counter()
        for rep in self.stats.get("skipped", []):
            lr = rep.longrepr
            if not isinstance(lr, tuple):
                continue
            path, lineno, reason = lr
            if reason.startswith("Skipped: "):
                reason = reason[len("Skipped: "):]
            keywords = getattr(rep, "keywords", {}) or {}
            if rep.when == "setup" and "skip" in keywords and not ("minitestmark" in keywords
                                                                  or "pytestmark" in keywords):
                # a skip mark inherited from a class or module: one line per file, as pytest does
                lineno = None
            grouped[(display_path(path), lineno, reason)] += 1
        word = self._tw.markup("SKIPPED", yellow=True)
        for (path, lineno, reason), count in grouped.items():
            where = f"{path}:{lineno}" if lineno is not None else path
            lines.append(f"{word} [{count}] {where}: {reason}")

    def _xfail_lines(self, lines: list[str], category: str, word: str) -> None:
        color = "yellow"
        for rep in self.stats.get(category, []):
            line = f"{self._tw.markup(word, **{color: True})} {self._pos(rep)}"
            reason = getattr(rep, "wasxfail", "")
            if reason:
                line += f" - {reason}"
            lines.append(line)

    def _verbose_word(self, rep: Any, default: str) -> str:
        """The word the short summary shows for ``rep``: its status word from
        ``minitest_report_teststatus`` (a plugin may give its own, e.g. a subtest's
        ``SUBFAILED(i=1)``), else ``default``."""
        if rep.when == "collect":
            return default
        word = _status(self.config, rep)[2]
        if isinstance(word, tuple):
            word = word[0]
        return word if isinstance(word, str) and word else default

    def _pos(self, rep: Any) -> str:
        return self.config.cwd_relative_nodeid(rep.nodeid or rep.fspath)

    # -- the final line --------------------------------------------------------------------------
    def _main_color(self) -> tuple[str, list[str]]:
        stats = self._run_stats
        if stats.has("failed") or stats.has("error"):
            color = "red"
        elif stats.has("warnings") or stats.has("xpassed") or not stats.any_passed():
            color = "yellow"
        else:
            color = "green"
        return color, [k for k in OUTCOMES if stats.has(k)]

    def stats_parts(self) -> list[tuple[str, str]]:
        """(text, colour) of each count of the final line, in pytest's order."""
        color, _ = self._main_color()
        parts = []
        keys = list(OUTCOMES) + sorted(k for k in self._run_stats.categories() if k and k not in OUTCOMES)
        for key in keys:
            count = self._run_stats.count(key)
            if not count:
                continue
            part_color = {"failed": "red", "error": "red", "passed": "green", "warnings": "yellow",
                          "skipped": "yellow", "deselected": "yellow", "xfailed": "yellow",
                          "xpassed": "yellow"}.get(key, "yellow")
            parts.append((f"{count} {_plural(count, key)}", part_color))
        return parts

    def summary_stats(self) -> None:
        duration = time.perf_counter() - self._perf_start
        color, _ = self._main_color()
        if self.collect_only:
            n = self._collected
            deselected = self._run_stats.count("deselected")
            errors = self._run_stats.count("error")
            if n == 0 and not deselected:
                head = "no tests collected"
            else:
                head = f"{n}/{n + deselected} tests collected" if deselected else \
                    f"{n} test{'s' if n != 1 else ''} collected"
            parts = [head]
            if deselected:
                parts.append(f"({deselected} deselected)")
            if errors:
                parts.append(f"{errors} {_plural(errors, 'error')}")
            text = ", ".join(parts) if not deselected else " ".join(parts[:2]) + (
                ", " + ", ".join(parts[2:]) if parts[2:] else "")
            text = f"{text} in {format_duration(duration)}"
            color = "red" if errors else ("green" if n else "yellow")
            if self.verbosity < 0:
                self._tw.line(text, **{color: True})
            else:
                self.write_sep("=", text, **{color: True})
            return
        counted = self.stats_parts()
        if counted:
            body = ", ".join(self._tw.markup(text, **{c: True, "bold": c == color}) for text, c in counted)
            plain = ", ".join(text for text, _ in counted)
        else:
            body = plain = "no tests ran"
        body += self._tw.markup(f" in {format_duration(duration)}", **{color: True})
        plain += f" in {format_duration(duration)}"
        if self.verbosity < 0:
            self._tw.line(body)
        else:
            width = self._tw.fullwidth
            n = max((width - len(plain) - 2) // 2, 1)
            fill = "=" * n
            line_len = len(fill) * 2 + len(plain) + 2
            tail = "=" if line_len + 1 <= width else ""
            self._tw.line(self._tw.markup(fill + " ", **{color: True}) + body
                          + self._tw.markup(" " + fill + tail, **{color: True}))


def display_path(path: str | Path) -> str:
    from minitest.tracebacks import display_path as shorten  # kept out of start-up

    return shorten(path)


def _bestrelpath_from(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _node_kind(node: Any) -> str:
    name = type(node).__name__
    return {"Package": "Package", "Dir": "Dir"}.get(name, name)


def _status(config: Config, report: Any) -> tuple[str, str, Any]:
    res = config.hook.minitest_report_teststatus(report=report, config=config)
    if res is None:
        return "", "", ""
    return res[0], res[1], res[2]


def _word_markup(category: str, report: Any) -> dict[str, bool]:
    if category in ("failed", "error"):
        return {"red": True}
    if category == "passed":
        return {"green": True}
    if category in ("skipped", "xfailed", "xpassed", "deselected"):
        return {"yellow": True}
    return {}


def _verbose_reason(report: Any) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
        return reason
    wasxfail = getattr(report, "wasxfail", None)
    if wasxfail:
        return str(wasxfail)
    return ""


def _head_line(rep: Any) -> str:
    loc = getattr(rep, "location", None)
    if loc and loc[2]:
        return str(loc[2])
    return rep.nodeid


def _crash_message(rep: Any) -> str | None:
    if rep.when == "collect":
        return None  # pytest shows collection errors without a message in the short summary
    lr = rep.longrepr
    if isinstance(lr, FailureRepr):
        return lr.crash.message if lr.crash is not None else None
    if isinstance(lr, tuple):
        return str(lr[2])
    if lr is not None:
        return str(lr)  # a custom repr_failure's text: its first line, as pytest shows it
    return None


def _running_on_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("BUILD_NUMBER"))


def _trim_message(msg: str, available: int, verbosity: int) -> str:
    if _running_on_ci() or verbosity >= 2:
        return f" - {msg}"
    msg = msg.split("\n", 1)[0]  # the first line only, without marking the cut (pytest 9)
    text = f" - {msg}"
    if len(text) > available:
        if available < 6:
            return ""
        text = text[: available - 3] + "..."
    return text


def _line_repr(rep: Any) -> str:
    lr = rep.longrepr
    if isinstance(lr, FailureRepr) and lr.crash is not None:
        first = lr.crash.message.splitlines()[0] if lr.crash.message else ""
        return f"{lr.crash.path}:{lr.crash.lineno}: {first}"
    return str(lr)


def _reportchars(chars: str) -> str:
    result = ""
    for char in chars:
        if char == "a":
            result += "sxXEf"
        elif char == "A":
            result += "PpsxXEf"
        elif char == "N":
            result = ""
        elif char == "w":
            continue
        elif char not in result:
            result += char
    seen = ""
    for char in result:
        if char not in seen:
            seen += char
    return seen
