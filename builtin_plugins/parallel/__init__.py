"""Builtin plugin ``parallel``: run the tests in several processes or on several machines (execnet).

Only the options and a few hook implementations live here, so ``import execnet`` and the
controller code are paid for only when ``-n`` / ``--tx`` is used. The pieces:

* :mod:`.options` — what the command line asks for (worker specs, scheduling mode);
* :mod:`.controller_core` — schedules, replays the workers' events here, handles crashes and
  stops (:mod:`.handles`: what it knows of each worker); :mod:`.controller` — starts spawned
  workers through execnet (:mod:`.starting`, :mod:`.shipping` for ``--rsyncdir``);
* :mod:`.scheduling` — which worker runs which items (``load``, ``loadscope``, ``loadfile``);
* :mod:`.starting` — starting one execnet worker within ``--worker-start-timeout``, or saying why
  it could not start; :mod:`.shipping` — the ``--rsyncdir`` copies and their paths mapped back;
* :mod:`.remote` — the bootstrap sent to a new worker; :mod:`.worker` — the worker's side;
* :mod:`.serialize` — reports and warnings as plain data;
* :mod:`.forking` — when local workers are forked from the controller after it collected (and
  how many ``-n auto`` starts), :mod:`.forked` — those workers, :mod:`.frames` — their pipes.
"""

from __future__ import annotations

from collections.abc import Generator
from types import ModuleType
from typing import Any

from minitest import fixture, hookimpl
from minitest.config import Config, Parser
from minitest.errors import UsageError
from minitest.nodes import Session
from minitest.reports import CollectReport, TestReport
from minitest.terminal_api import INTERACTIVE

from .forking import COLLECTED_HERE, no_terminal_message, refusal_before_collection
from .options import check_numbers, dist_mode, is_distributing, settle_dist, worker_specs


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("dist", "distributed and subprocess testing")
    group.addoption("-n", "--numprocesses", dest="numprocesses", metavar="numprocesses", default=None,
                    help="run the tests in N worker processes ('auto': one per CPU, fewer or none when the "
                         "known work is small; 0: no distribution). On POSIX they are forked once the tests "
                         "are collected (MINITEST_DIST_FORK=0: started as new interpreters, as with --tx)")
    group.addoption("--tx", dest="tx", action="append", default=[], metavar="xspec",
                    help="add a worker from an execnet spec, e.g. '3*popen//python=python3.11' or "
                         "'ssh=user@host//python=python3' (repeatable)")
    group.addoption("--rsyncdir", dest="rsyncdir", action="append", default=[], metavar="DIR",
                    help="copy DIR to the remote workers before running (repeatable); names matching "
                         "'.*', '*.pyc', '*.pyo', '*~' and __pycache__ are left out")
    group.addoption("--rsyncignore", dest="rsyncignore", action="append", default=[], metavar="GLOB",
                    help="also leave out of the --rsyncdir copies the files and folders matching GLOB "
                         "(a name or a path relative to the copied folder; repeatable)")
    group.addoption("--dist", dest="dist", default=None,
                    choices=("load", "loadscope", "loadfile", "loadgroup", "worksteal", "no"),
                    help="how items are given to workers: load (small batches to whichever worker is free, "
                         "the default with -n/--tx; a worker that runs out takes tests not started from a "
                         "busy one), loadscope (a module or class stays on one worker), loadfile (a file "
                         "stays on one worker), loadgroup (the tests of one xdist_group mark stay on one "
                         "worker), worksteal (pytest-"
                         "xdist's name for load as minitest does it), no (run in this process)")
    group.addoption("-d", dest="distload", action="store_true", default=False,
                    help="shortcut for --dist=load (pytest-xdist's)")
    group.addoption("--maxprocesses", dest="maxprocesses", type=int, default=None, metavar="N",
                    help="at most N workers, whatever -n asks for (-n auto included)")
    group.addoption("--maxschedchunk", dest="maxschedchunk", type=int, default=None, metavar="N",
                    help="--dist load: send at most N tests to a worker at once (at least 2: a worker "
                         "must know the test after the one it runs); default: sized from known durations")
    group.addoption("--loadscope-reorder", dest="loadscopereorder", action="store_true", default=True,
                    help="loadscope, loadfile, loadgroup: hand out the largest groups first (the default)")
    group.addoption("--no-loadscope-reorder", dest="loadscopereorder", action="store_false",
                    help="loadscope, loadfile, loadgroup: hand out the groups in collection order")
    group.addoption("--testrunuid", dest="testrunuid", default=None, metavar="ID",
                    help="the id every worker's testrun_uid fixture gives (default: a new one per run)")
    group.addoption("--worker-start-timeout", dest="workerstarttimeout", default=None, type=float,
                    metavar="SECONDS",
                    help="give up a worker that shows no sign of life for SECONDS while it starts "
                         "(connecting, copying --rsyncdir, checking minitest there); the others carry on "
                         "(default: 30; 0: wait for ever)")
    group.addoption("--max-worker-restart", dest="maxworkerrestart", default=None, type=int, metavar="N",
                    help="how many crashed workers may be replaced (default: 4 times the number of workers)")


@fixture(scope="session")
def worker_id(request: Any) -> str:
    """The id of the worker running the test ("gw0", ...), "master" without workers (as pytest-xdist)."""
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["workerid"]) if workerinput else "master"


@fixture(scope="session")
def testrun_uid(request: Any) -> str:
    """One id shared by the controller's workers for this run (as pytest-xdist)."""
    workerinput = getattr(request.config, "workerinput", None)
    return str(workerinput["testrunuid"]) if workerinput else _local_uid()


def _local_uid() -> str:
    from .runuid import new_testrunuid

    return new_testrunuid()


@hookimpl(wrapper=True)
def minitest_load_initial_conftests(early_config: Config) -> Generator[None, None, None]:
    # a wrapper, so before every implementation (pytest-cov's is tryfirst, and decides there
    # whether workers will run the tests)
    settle_dist(early_config.known_args)
    return (yield)


@hookimpl(tryfirst=True)
def minitest_configure(config: Config) -> None:
    # again on the final parse's options: pytest-benchmark turns its benchmarks off when it
    # reads a distributed run
    settle_dist(config.option)
    check_numbers(config)


@hookimpl(trylast=True, specname="minitest_configure")
def register_xdist_group_mark(config: Config) -> None:
    """pytest-xdist's mark, known whether or not the run has workers (``--strict-markers``); last
    in ``--markers``, where pytest lists it (a plugin's, after pytest's own)."""
    config.addinivalue_line("markers", "xdist_group(name): with --dist loadgroup, the tests of one "
                                       "group run on the same worker (as with pytest-xdist)")


@hookimpl(trylast=True, specname="minitest_configure")
def refuse_interaction_without_terminal(config: Config) -> None:
    """``--pdb`` / ``--trace`` need the terminal: forked workers share this process's, spawned
    and remote ones have none (after the debugging builtin's configure said so: trylast)."""
    option = config.stash.get(INTERACTIVE, None)
    if option is not None and is_distributing(config):
        reason = refusal_before_collection(config, worker_specs(config))
        if reason is not None:
            raise UsageError(no_terminal_message(option, reason))


#: how each ``--dist`` mode hands out the tests, for the header
_DISTRIBUTION = {
    "load": "in small batches to whichever worker is free",
    "worksteal": "in small batches to whichever worker is free",
    "loadscope": "a module or class at a time (its fixtures set up once)",
    "loadfile": "a file at a time",
    "loadgroup": "an xdist_group at a time, other tests in small batches",
}


def minitest_report_header(config: Config) -> str | None:
    """How many workers run and how the tests are distributed (the counts of the run follow
    once the workers collected: "2 workers [14 items]")."""
    if not is_distributing(config):
        return None
    specs = worker_specs(config)
    asked = config.getoption("numprocesses", None)
    source = f"-n {asked}" if asked is not None else "--tx"
    mode = str(config.getoption("dist", None) or dist_mode(config))
    return f"workers: {len(specs)} ({source}), --dist {mode}: tests given out {_DISTRIBUTION.get(mode, mode)}"


@hookimpl(tryfirst=True)
def minitest_collection(session: Session) -> bool | None:
    """For forked workers the controller collects, as without workers; for spawned ones it does
    not: each worker does, and the controller compares the ids."""
    config = session.config
    if not is_distributing(config):
        return None
    if refusal_before_collection(config, worker_specs(config)) is None:
        config.stash[COLLECTED_HERE] = True
        return None
    session.items = []
    return True


@hookimpl(tryfirst=True)
def minitest_runtestloop(session: Session) -> bool | None:
    config = session.config
    if not is_distributing(config):
        return None
    if config.stash.get(COLLECTED_HERE, False):
        from .forked_run import run_collected  # execnet is imported here, not at startup

        return run_collected(session)
    from .controller import DistController

    DistController(session).run()
    return True


@hookimpl(trylast=True)
def minitest_report_to_serializable(config: Config, report: TestReport | CollectReport) -> dict | None:
    return _serialize().report_to_data(report)


@hookimpl(trylast=True)
def minitest_report_from_serializable(config: Config, data: dict) -> Any:
    return _serialize().report_from_data(data)


_serialize_module: ModuleType | None = None


def _serialize() -> ModuleType:
    """:mod:`.serialize`, imported on first use (a run without workers never serializes) and then
    kept: an import statement run three times per test costs ~1 us each (the import system's
    handling of a relative from-import, even of a module already imported)."""
    global _serialize_module
    if _serialize_module is None:
        from . import serialize

        _serialize_module = serialize
    return _serialize_module
