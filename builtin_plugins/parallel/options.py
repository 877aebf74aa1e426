"""What the command line asks of the ``parallel`` plugin: whether to distribute, on which workers, how.

Kept free of execnet so it can be imported at startup.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

from minitest.config import Config, UsageError
from minitest.stash import StashKey


def is_worker(config: Config) -> bool:
    """True inside a worker process (``config.workerinput`` is set there, as with pytest-xdist)."""
    return hasattr(config, "workerinput")


def numprocesses(config: Config) -> int | None:
    """The ``-n`` value as a number (``auto`` = usable CPUs), or None when not given."""
    value = config.getoption("numprocesses", None)
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("auto", "logical"):
        # a plugin may know better (pytest-xdist's hook, implemented by suites that need fewer)
        chosen = config.hook.minitest_xdist_auto_num_workers(config=config)
        return _at_most_maxprocesses(config, int(chosen) if chosen is not None else _cpu_count())
    try:
        count = int(text)
    except ValueError:
        raise UsageError(f"-n/--numprocesses: expected a number or 'auto', got {value!r}") from None
    if count < 0:
        raise UsageError(f"-n/--numprocesses: must not be negative, got {count}")
    return _at_most_maxprocesses(config, count)


def _at_most_maxprocesses(config: Config, count: int) -> int:
    """``--maxprocesses N`` caps the number of workers, ``-n auto``'s or a given one (as pytest-xdist)."""
    limit = _positive_option(config, "maxprocesses")
    return min(count, limit) if limit is not None and count else count


def _positive_option(config: Config, name: str) -> int | None:
    """The value of the number option ``--NAME`` (None: not given); below 1 is a usage error."""
    value = config.getoption(name, None)
    if value is not None and int(value) < 1:
        raise UsageError(f"--{name}: must be at least 1, got {value}")
    return None if value is None else int(value)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, not the machine's
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_specs(config: Config) -> list[str]:
    """One execnet spec per worker: ``-n N`` wins over ``--tx`` (as in pytest-xdist); ``3*spec``
    in ``--tx`` stands for three workers."""
    count = numprocesses(config)
    if count:
        return ["popen"] * count
    if count == 0:
        return []
    specs: list[str] = []
    for raw in config.getoption("tx", []) or []:
        times, star, rest = str(raw).partition("*")
        if star and times.strip().isdigit():
            specs.extend([rest] * int(times))
        else:
            specs.append(str(raw))
    return specs


def dist_mode(config: Config) -> str:
    """The scheduling mode; ``load`` when workers are asked for without ``--dist``, and for
    pytest-xdist's ``worksteal``: minitest's ``load`` already has idle workers take back tests
    not started from busy ones (:mod:`.controller_core`)."""
    mode = str(config.getoption("dist", None) or "load")
    return "load" if mode == "worksteal" else mode


def loadscope_reorder(config: Config) -> bool:
    """Whether the modes that keep groups together hand out the largest first (pytest-xdist's
    ``--loadscope-reorder``, on unless ``--no-loadscope-reorder``)."""
    return bool(config.getoption("loadscopereorder", True))


def max_batch_option(config: Config, computed: int) -> int:
    """``--maxschedchunk N`` (pytest-xdist's): at most N tests sent to a worker at once in load
    mode, however many the durations would allow (at least two still go: a worker must know the
    test after the one it runs)."""
    chunk = _positive_option(config, "maxschedchunk")
    return computed if chunk is None else max(min(computed, chunk), 2)


def check_numbers(config: Config) -> None:
    """``--maxprocesses`` / ``--maxschedchunk`` below 1: a usage error at start, before any output."""
    for name in ("maxprocesses", "maxschedchunk"):
        _positive_option(config, name)


#: the options with which a run lists what it collected instead of running it (``--collect-only``,
#: ``--fixtures``, ``--fixtures-per-test``): nothing for workers to do, as with pytest-xdist
_LISTING_OPTIONS = ("collectonly", "showfixtures", "show_fixtures_per_test")


def is_distributing(config: Config) -> bool:
    """Distribute this run? Not in a worker, not when the run only lists (``--collect-only``,
    ``--fixtures``...), not with ``--dist no``."""
    if is_worker(config) or any(config.getoption(name, False) for name in _LISTING_OPTIONS):
        return False
    if config.getoption("dist", None) == "no":
        return False
    return bool(worker_specs(config))


def settle_dist(option: argparse.Namespace) -> None:
    """Give ``--dist`` its effective value, as pytest-xdist leaves it for other plugins to read:
    ``"no"`` when the run stays in this process (no ``-n`` / ``--tx``, ``-n 0``, ``--dist no``),
    else the scheduling mode (``load`` unless another was asked for). pytest-cov and
    pytest-benchmark test ``option.dist != "no"`` to know whether workers run the tests."""
    requested = getattr(option, "dist", None)
    if getattr(option, "distload", False):  # -d: pytest-xdist's shortcut for --dist load
        requested = "load"
    processes = str(getattr(option, "numprocesses", None) or "").strip().lower()
    workers = processes not in ("", "0") or bool(getattr(option, "tx", None))
    if requested == "no" or not workers:
        option.dist = "no"
    elif requested is None:
        option.dist = "load"


#: seconds a starting worker may stay silent (connecting, copying, checking) by default: enough
#: for a slow ssh login and interpreter start, short enough not to look like a hang
DEFAULT_START_TIMEOUT = 30.0


def worker_start_timeout(config: Config) -> float:
    """How long a starting worker may stay silent before it is given up (0: no limit)."""
    value = config.getoption("workerstarttimeout", None)
    return DEFAULT_START_TIMEOUT if value is None else max(float(value), 0.0)



def max_worker_restart(config: Config, workers: int) -> int:
    value = config.getoption("maxworkerrestart", None)
    if value is None:
        return 4 * workers
    return max(int(value), 0)


#: in a worker: ``note(nodeid, text)`` tells the controller why the process is about to exit
#: (the timeout plugin uses it before ``os._exit``)
CRASH_NOTE = StashKey[Callable[[str, str], None]]()
