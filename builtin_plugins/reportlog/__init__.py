"""Builtin plugin ``reportlog``: the run as an event stream, and runs shown from one.

    --report-log FILE         one JSON object per line for every session, collection and test event
                              (docs/report-log.md; schema: docs/report-log.schema.json), flushed as
                              it is written
    minitest replay FILE...   (``--replay=terminal``) the terminal report of a recorded run
    minitest report FILE...   (``--replay=report``) report files (``--html``, ``--junitxml``) from it
    --rerun-failed-from FILE  run the tests that failed in a recorded run

Nothing is registered unless one of these is given: a plain run pays nothing per test. The
objects doing the work live in :mod:`.recorder`, :mod:`.replay` and :mod:`.rerun`.
"""

from __future__ import annotations

import os
from pathlib import Path

from minitest import hookimpl
from minitest.atomicfile import check_writable
from minitest.config import Config, Parser, UsageError
from minitest.reportlog_api import REPLAYED_RUN, ReplayedRun


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    # gives way to pytest-reportlog's --report-log when that plugin is installed; the dest is ours alone
    group.addoption("--report-log", action="store", dest="minitest_report_log", metavar="path", default=None,
                    gives_way=True,
                    help="write the run's events to path, one JSON object per line (see docs/report-log.md)")
    group.addoption("--replay", action="store", dest="replay", choices=("terminal", "report"), default=None,
                    help="do not run tests: show the recorded event streams given as arguments, as the "
                         "terminal report ('minitest replay FILE') or only as report files ('minitest report "
                         "FILE --html OUT')")
    group.addoption("--rerun-failed-from", action="store", dest="rerun_failed_from", metavar="path", default=None,
                    help="run only the tests that failed in the run recorded in path (a --report-log file)")


def _path(config: Config, value: str) -> Path:
    path = Path(os.path.expandvars(os.path.expanduser(value)))
    return Path(os.path.normpath(config.invocation_params.dir / path))


def minitest_configure(config: Config) -> None:
    if hasattr(config, "workerinput"):
        return  # a worker's events reach the controller, which records them
    value = config.getoption("minitest_report_log", None)
    if value:
        path = _path(config, value)
        # fail now, with exit code 4, rather than after the whole run
        problem = check_writable(path)
        if problem:
            raise UsageError(f"--report-log: cannot write the report log to {path}: {problem}")
        from .recorder import ReportLogRecorder

        recorder = ReportLogRecorder(config, path)
        config.add_cleanup(recorder.close)
        config.pluginmanager.register(recorder, "reportlog-recorder")
    rerun_from = config.getoption("rerun_failed_from", None)
    if rerun_from and not config.getoption("replay", None):
        from .rerun import RerunFailedFrom, failed_nodeids
        from .stream import StreamError, read_stream

        path = _path(config, rerun_from)
        try:
            # a killed run's stream still names the failures it saw
            events = read_stream(path, complete=False)
        except StreamError as exc:
            raise UsageError(f"--rerun-failed-from: {exc}") from None
        tests, collectors = failed_nodeids(events)
        config.pluginmanager.register(RerunFailedFrom(path, tests, collectors), "reportlog-rerun-failed")


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    mode = config.getoption("replay", None)
    if not mode:
        return None
    from .replay import RecordedRun, Replayer, ReplayHeader
    from .stream import StreamError, read_stream

    if not config.args:
        raise UsageError(f"minitest {'replay' if mode == 'terminal' else 'report'}: give the report log "
                         "file(s) to show (written by --report-log)")
    if mode == "report" and not any(config.getoption(name, None) for name in ("minitest_htmlpath", "xmlpath", "minitest_report_log")):
        raise UsageError("minitest report: nothing to write: give --html OUT.html (or --junitxml, --report-log)")
    paths = [_path(config, arg) for arg in config.args]
    try:
        run = RecordedRun([read_stream(path) for path in paths])
    except StreamError as exc:
        raise UsageError(str(exc)) from None
    # before minitest_configure: plugins deciding there what to listen to see a replayed run
    config.stash[REPLAYED_RUN] = ReplayedRun(tuple(paths), float(run.start_event["start"]), run.distributed)
    pm = config.pluginmanager
    pm.register(ReplayHeader(config, run.start_event), ReplayHeader.name)
    replayer = Replayer(config, run)
    pm.register(replayer, "reportlog-replayer")
    return replayer.run_session(report_only=mode == "report")
