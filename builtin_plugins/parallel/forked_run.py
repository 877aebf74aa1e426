"""The run loop of a distributed run whose controller collected: forked workers, or none when
``-n auto`` finds too little work, or spawned ones when forking became unsafe during collection."""

from __future__ import annotations

from minitest.nodes import Session
from minitest.terminal_api import TERMINAL_REPORTER

from .forking import auto_workers, estimated_seconds, known_durations, refusal_after_collection
from .options import _cpu_count, worker_specs


def run_collected(session: Session) -> bool | None:
    """True when the tests ran on workers; None to let the run loop without workers run them."""
    config = session.config
    if session.testsfailed and not config.getoption("continue_on_collection_errors", False):
        n = session.testsfailed
        raise session.Interrupted(f"{n} error{'s' if n != 1 else ''} during collection")
    count = len(worker_specs(config))
    if str(config.getoption("numprocesses", "")).strip().lower() in ("auto", "logical"):
        estimates = estimated_seconds((item.nodeid for item in session.items), known_durations(config))
        chosen = min(count, auto_workers(_cpu_count(), estimates))
        if chosen <= 1:
            _write_line(session, f"-n auto: no workers for {len(estimates)} tests of ~{sum(estimates):.2f}s "
                                 "known work (too little to pay for starting them): running in this process")
            return None
        count = chosen
    reason = refusal_after_collection(config, (getattr(item, "path", None) for item in session.items))
    if reason is not None:
        from .controller import DistController

        _write_line(session, f"workers spawned, not forked: {reason}")
        DistController(session, collected_here=True).run()
        return True
    from .forked import ForkController

    ForkController(session, count).run()
    return True


def _write_line(session: Session, text: str) -> None:
    reporter = session.config.stash.get(TERMINAL_REPORTER, None)
    if reporter is not None and reporter.verbosity >= 0:
        reporter.write_line(text)
