"""``--durations=N``: the slowest setups, calls and teardowns, as a section of the summary.

    ============================= slowest 3 durations ==============================
    0.51s call     test_x.py::test_slow
    0.10s setup    test_x.py::test_db

    (1 durations < 0.005s hidden.  Use -vv to show these durations.)

``--durations=0`` lists every phase. Phases faster than 0.005s are hidden unless ``-vv``;
``--durations-min=S`` sets the limit explicitly (then it holds with ``-vv`` too). The phases come
from the run statistics (``RUN_STATS``, every report the terminal received), so the plugin keeps no
state of its own: it only asks them, in its ``minitest_configure``, to keep the passing setups and
teardowns they drop by default.
"""

from __future__ import annotations

from typing import Any

from minitest.config import Config, Parser
from minitest.runstats import RUN_STATS

DEFAULT_MIN = 0.005


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    group.addoption("--durations", action="store", type=int, default=None, metavar="N", dest="durations",
                    help="show the N slowest setup/call/teardown durations (N=0 for all)")
    group.addoption("--durations-min", action="store", type=float, default=None, metavar="S",
                    dest="durations_min",
                    help=f"hide durations shorter than S seconds in --durations (default {DEFAULT_MIN}, "
                         "or 0 with -vv)")


def minitest_configure(config: Config) -> None:
    # the terminal creates the statistics tryfirst: they exist here unless it is disabled
    stats = config.stash.get(RUN_STATS, None)
    if stats is not None and config.getoption("durations", None) is not None:
        stats.keep_idle_phase_reports()


def minitest_terminal_summary(terminalreporter: Any, config: Config) -> None:
    count = config.getoption("durations", None)
    if count is None:
        return
    if count < 0:
        count = 0
    explicit = config.getoption("durations_min", None)
    # -vv shows everything unless a minimum was given explicitly
    if explicit is not None:
        minimum = float(explicit)
    else:
        minimum = 0.0 if config.get_verbosity() >= 2 else DEFAULT_MIN
    stats = config.stash.get(RUN_STATS, None)
    reports = list(stats.phase_reports()) if stats is not None else []
    if not reports:
        return
    # the slowest first; sort is stable, so equal durations keep the order they ran in
    reports.sort(key=lambda rep: rep.duration, reverse=True)
    if count:
        terminalreporter.write_sep("=", f"slowest {count} durations")
        reports = reports[:count]
    else:
        terminalreporter.write_sep("=", "slowest durations")
    for index, rep in enumerate(reports):
        if rep.duration < minimum:
            hint = "" if explicit is not None else "  Use -vv to show these durations."
            terminalreporter.write_line("")
            terminalreporter.write_line(f"({len(reports) - index} durations < {minimum:g}s hidden.{hint})")
            break
        terminalreporter.write_line(f"{rep.duration:.2f}s {rep.when:<8} {rep.nodeid}")
