"""Builtin plugin ``slow``: show a test that is still running after S seconds as SLOW while it runs
(as cargo-nextest does), and list the tests that went over at the end.

    --slow-after S, slow_after ini   the limit in seconds (0: off; the option wins over the ini key)

    runtest_protocol (wrapper) → tells the watch thread which test runs and since when
    watch thread               → at S, 2S, 3S... into the same test: ``minitest_runtest_slow``
    runtest_slow               → ``SLOW [> 2.0s] test_x.py::test_sleepy`` on a line of its own
                                 (the progress goes on below it, as after live log lines)
    runtest_logreport          → each test's duration (its phases added up)
    terminal_summary           → "slow tests": those that went over, slowest first

One daemon thread watches every test (a thread per test would cost more than most tests), and
only while ``--slow-after`` is on: otherwise nothing here is registered and a test pays nothing.
The hook is called from that thread, holding the watch's lock, so it can never be called for a
test after the test's protocol ended: the worker's "slow" message always comes before the test's
reports. With ``-n``, the worker's watch calls it, the ``parallel`` builtin forwards it, and the
controller calls it again in its main thread, where this plugin writes the line.

The terminal writes to its own duplicate of stdout, which output capture never redirects, so the
watch thread writes without suspending capture (doing that from another thread would race with
the test's own capture). With ``--pdb`` / ``--trace`` the live lines are left out: they would land
in the debugger's prompt; the summary still lists the slow tests.
"""

from __future__ import annotations

import threading
from collections.abc import Generator

from minitest import clock, hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.nodes import Item
from minitest.reports import TestReport
from minitest.terminal_api import TERMINAL_REPORTER, TerminalReporterAPI

#: plugin names of the two parts
WATCH = "slow.watch"
REPORT = "slow.report"

Location = tuple[str, int | None, str]


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("slow", "tests that take long")
    group.addoption("--slow-after", dest="slow_after", default=None, metavar="SECONDS",
                    help="show a test still running after SECONDS as SLOW while it runs (again at each "
                         "multiple), and list the tests that took longer at the end (0: off)")
    parser.addini("slow_after", "the --slow-after default: seconds after which a running test is shown as SLOW",
                  default="")


def slow_after(config: Config) -> float | None:
    """The limit in seconds, or None when it is off; a value that is no number >= 0 is a usage error."""
    raw = config.getoption("slow_after", None)
    what = "--slow-after"
    if raw is None:
        raw, what = config.getini("slow_after"), "slow_after ini value"
    if raw is None or str(raw).strip() == "":
        return None
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        raise UsageError(f"{what}: expected a number of seconds, got {raw!r}") from None
    if not seconds >= 0 or seconds == float("inf"):  # also refuses nan
        raise UsageError(f"{what}: expected a number of seconds >= 0, got {raw!r}")
    return seconds or None


def minitest_configure(config: Config) -> None:
    limit = slow_after(config)
    if limit is None or config.getoption("collectonly", False):
        return
    pm = config.pluginmanager
    live = not (config.getoption("usepdb", False) or config.getoption("trace", False))
    if live:
        pm.register(SlowWatch(config, limit), WATCH)
    if not hasattr(config, "workerinput"):  # a worker's controller writes the output
        pm.register(SlowReport(config, limit, live), REPORT)


def format_seconds(seconds: float) -> str:
    """``2.0s``, ``0.25s``: one decimal at least, no float noise."""
    text = f"{seconds:.1f}"
    return f"{text}s" if float(text) == seconds else f"{seconds:g}s"


class SlowWatch:
    """The watch thread and the wrapper that tells it which test runs."""

    def __init__(self, config: Config, limit: float) -> None:
        self.config = config
        self.limit = limit
        self._cond = threading.Condition()
        # the running test: (node id, location, monotonic start); None between tests
        self._running: tuple[str, Location, float] | None = None
        self._thread: threading.Thread | None = None

    @hookimpl(wrapper=True, tryfirst=True)  # outermost: a rerun's attempts count as one run
    def minitest_runtest_protocol(self, item: Item) -> Generator[None, object, object]:
        with self._cond:
            self._running = (item.nodeid, item.location, clock.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="minitest slow watch", daemon=True)
                self._thread.start()
            self._cond.notify()
        try:
            return (yield)
        finally:
            with self._cond:  # waits for a SLOW line being written for this test
                self._running = None
                self._cond.notify()

    def _watch(self) -> None:
        with self._cond:
            while True:
                while self._running is None:
                    self._cond.wait()
                running = self._running
                nodeid, location, started = running
                times = 1
                while self._running is running:
                    left = started + times * self.limit - clock.monotonic()
                    if left > 0:
                        self._cond.wait(left)
                        continue
                    try:
                        self.config.hook.minitest_runtest_slow(nodeid=nodeid, location=location,
                                                               seconds=times * self.limit)
                    except Exception:  # noqa: BLE001 - a broken implementation must not end the watch
                        pass
                    times += 1


class SlowReport:
    """In the process that writes the output: the SLOW lines and the "slow tests" section."""

    def __init__(self, config: Config, limit: float, live: bool) -> None:
        self.config = config
        self.limit = limit
        self.live = live
        self._lock = threading.Lock()
        #: node ids shown as SLOW (by the watch thread, or the controller's main thread)
        self._shown: set[str] = set()
        #: the phases' durations added up so far, per test not yet torn down
        self._running: dict[str, float] = {}
        #: (duration, node id) of the tests that went over
        self.slow: list[tuple[float, str]] = []

    def minitest_runtest_slow(self, nodeid: str, location: Location, seconds: float) -> None:
        with self._lock:
            self._shown.add(nodeid)
        reporter = self.config.stash.get(TERMINAL_REPORTER, None)
        if reporter is None or not self.live:
            return
        text = f"SLOW [> {format_seconds(seconds)}] {self.config.cwd_relative_nodeid(nodeid)}"
        reporter.write_live_line(text, yellow=True)

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        nodeid = report.nodeid
        total = self._running.get(nodeid, 0.0) + (report.duration or 0.0)
        if report.when != "teardown":
            self._running[nodeid] = total
            return
        self._running.pop(nodeid, None)
        with self._lock:
            shown = nodeid in self._shown
            self._shown.discard(nodeid)
        if shown or total >= self.limit:
            self.slow.append((total, nodeid))

    def minitest_terminal_summary(self, terminalreporter: TerminalReporterAPI) -> None:
        if not self.slow:
            return
        terminalreporter.write_sep("=", f"slow tests (over {format_seconds(self.limit)})", yellow=True)
        for duration, nodeid in sorted(self.slow, key=lambda entry: -entry[0]):
            terminalreporter.write_line(f"{duration:.2f}s {self.config.cwd_relative_nodeid(nodeid)}")
