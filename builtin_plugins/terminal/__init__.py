"""The terminal reporter, composed of parts that each do one job.

Like Ruby minitest's composite of Progress, Statistics and Summary reporters, the output is
written by small parts, each a plugin of its own registered under a name from
:data:`minitest.terminal_api.PARTS`:

==========================  =============================  ===========================================
part (plugin name)          module                         its job
==========================  =============================  ===========================================
``terminalreporter``        :mod:`.reporter`               the facade: writing API, end-of-run order
``….header``                :mod:`.header`                 ``== test session starts ==`` and header lines
``….statistics``            :mod:`.statistics`             counting reports into ``RUN_STATS``
``….collected``             :mod:`.collected`              ``collected N items``, ``--collect-only``
``….progress``              :mod:`.progress`               letters / words / percentage while running
``….failures``              :mod:`.failures`               ERRORS and FAILURES sections
``….passes``                :mod:`.failures`               PASSES (``-rP``) / XPASSES sections
``….short_summary``         :mod:`.short_summary`          the ``-r`` short test summary
``….stop_reasons``          :mod:`.stop_reasons`           ``!!!`` lines: -x, --maxfail, interrupts
``….final_line``            :mod:`.final_line`             ``== 1 failed, 2 passed in 0.1s ==``
==========================  =============================  ===========================================

:mod:`.writer` holds the :class:`~.writer.TerminalWriter` (colour, width, batched writes) all of
them write through. A plugin adds a section with ``minitest_terminal_summary``, changes a status
letter with ``minitest_report_teststatus``, replaces one part by registering its own object under
the part's name (see :mod:`minitest.terminal_api`), drops one with ``-p no:NAME``, or replaces
the whole reporter (``-p no:terminal`` and register its own).
"""

from __future__ import annotations

import os
import sys
from typing import IO

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.reports import CollectReport, TestReport
from minitest.runstats import RUN_STATS, RunStats
from minitest.terminal_api import TERMINAL_REPORTER

from .reporter import TerminalReporter
from .short_summary import REPORTCHARS_DEFAULT


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    group.addoption("-v", "--verbose", action="count", default=0, dest="verbose", help="increase verbosity")
    group.addoption("-q", "--quiet", action="count", default=0, dest="quiet", help="decrease verbosity")
    group.addoption("-r", "--report-chars", action="store", dest="reportchars", default=REPORTCHARS_DEFAULT,
                    metavar="chars",
                    help="show extra test summary info: (f)ailed, (E)rror, (s)kipped, (x)failed, (X)passed, "
                         "(p)assed, (P)assed with output, (a)ll except passed, (A)ll, (N)one; default 'fE'")
    group.addoption("--color", metavar="color", action="store", dest="color", default="auto",
                    choices=["yes", "no", "auto"], help="color terminal output (yes/no/auto)")
    group.addoption("--code-highlight", default="yes", choices=["yes", "no"], dest="code_highlight",
                    help="whether code in tracebacks is highlighted (with pygments, if installed; only with "
                         "colour)")
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
    if reporter.writer.hasmarkup:  # (the module is imported only for a colour terminal)
        from minitest.highlighting import check_theme, code_highlighting

        if code_highlighting(config):
            check_theme()
    # the plugin name stays: pytest plugins look the reporter up by it; where it is blocked (a
    # parallel worker: the controller writes the output) the parts stay unregistered too
    if config.pluginmanager.register(reporter, "terminalreporter") is not None:
        reporter.register_parts()


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
