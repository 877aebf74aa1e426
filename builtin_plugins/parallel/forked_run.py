"""The run loop of a distributed run whose controller collected: forked workers, or none when
``-n auto`` finds too little work, or spawned ones when forking became unsafe during collection."""

from __future__ import annotations

from typing import Any

from minitest.errors import UsageError
from minitest.nodes import Session
from minitest.reports import TestReport
from minitest.terminal_api import INTERACTIVE, TERMINAL_REPORTER

from .forking import (
    DURATIONS_KEY,
    auto_workers,
    known_durations,
    no_terminal_message,
    refusal_after_collection,
)
from .options import _cpu_count, worker_specs


def run_collected(session: Session) -> bool | None:
    """True when the tests ran on workers; None to let the run loop without workers run them."""
    config = session.config
    if session.testsfailed and not config.getoption("continue_on_collection_errors", False):
        n = session.testsfailed
        raise session.Interrupted(f"{n} error{'s' if n != 1 else ''} during collection")
    count = len(worker_specs(config))
    if str(config.getoption("numprocesses", "")).strip().lower() in ("auto", "logical"):
        durations = known_durations(config)
        known = [float(durations.get(item.nodeid, 0.0)) for item in session.items]
        chosen = min(count, auto_workers(_cpu_count(), known))
        if chosen <= 1:
            _write_line(session, f"-n auto: no workers for {len(known)} tests of ~{sum(known):.2f}s known "
                                 "test time (too little to gain from workers): running in this process")
            # what the tests take, so that a later -n auto knows
            config.pluginmanager.register(DurationRecorder(config, durations), "parallel.durations")
            return None
        count = chosen
    reason = refusal_after_collection(config, (getattr(item, "path", None) for item in session.items))
    if reason is not None:
        option = config.stash.get(INTERACTIVE, None)
        if option is not None:
            raise UsageError(no_terminal_message(option, reason))
        from .controller import DistController

        _write_line(session, f"workers spawned, not forked: {reason}")
        DistController(session, collected_here=True).run()
        return True
    from .forked import ForkController

    ForkController(session, count).run()
    return True


class DurationRecorder:
    """Records the tests' durations in a ``-n auto`` run that stayed in this process (a run with
    workers records them in the controller: :meth:`.forked.ForkController._save_durations`)."""

    def __init__(self, config: Any, durations: dict[str, float]) -> None:
        self.config = config
        self.durations = dict(durations)
        self.seen: dict[str, float] = {}

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        self.seen[report.nodeid] = self.seen.get(report.nodeid, 0.0) + float(report.duration or 0.0)

    def minitest_sessionfinish(self) -> None:
        cache: Any = getattr(self.config, "cache", None)
        if cache is not None and self.seen:
            self.durations.update((k, round(v, 6)) for k, v in self.seen.items())
            cache.set(DURATIONS_KEY, self.durations)


def _write_line(session: Session, text: str) -> None:
    reporter = session.config.stash.get(TERMINAL_REPORTER, None)
    if reporter is not None and reporter.verbosity >= 0:
        reporter.write_line(text)
