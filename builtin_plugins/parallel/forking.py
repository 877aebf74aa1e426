"""When local workers may be forked from the controller after collection, and how many ``-n auto``
starts.

A forked worker inherits the collected session: it does not start an interpreter, import
minitest, configure, import the test modules or collect again (a spawned worker's start-up: on
the 10,000-test suite 1.3 s of CPU each, what ``--co`` costs). It is the same process as the controller, up
to the moment it runs its share; so it is used only where that cannot be told apart from a
spawned worker (execnet's ``popen``), and every case below keeps the spawned workers, exactly as
before:

* no ``os.fork`` (Windows), ``--tx`` specs (remote or custom interpreters), ``--dist no``;
* ``MINITEST_DIST_FORK=0`` in the environment (to compare, or if forking misbehaves somewhere);
* a thread running in the controller (forking copies locks other threads may hold);
* a plugin that is not a builtin takes part in the worker protocol (implements one of
  :data:`WORKER_PROTOCOL_HOOKS`, e.g. pytest-cov), or reads ``workerinput``/``workeroutput`` or
  the ``PYTEST_XDIST_*`` variables (its configure and imports ran in the controller, where they
  are unset): such a plugin expects a worker configured as a worker;
* a collected test file that mentions them (it was imported in the controller, so a test
  defined only ``if os.environ.get("PYTEST_XDIST_WORKER") == "gw1"`` would be missing). The
  scan reads each file once: ~2 ms for the 100 files of 10,000 tests.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable
from typing import Any

from minitest.config import Config
from minitest.stash import StashKey

#: the environment variable that forces spawned (execnet) workers when set to ``0``
FORK_ENV = "MINITEST_DIST_FORK"

#: hooks whose implementation means a plugin wants a worker that started as a worker: the
#: xdist contract, and the per-process lifecycle a forked worker does not repeat
WORKER_PROTOCOL_HOOKS = (
    "minitest_configure_node", "minitest_testnodeready", "minitest_testnodedown",
    "minitest_xdist_setupnodes", "minitest_xdist_newgateway", "minitest_xdist_node_collection_finished",
    "minitest_handlecrashitem", "minitest_report_to_serializable", "minitest_report_from_serializable",
    "minitest_sessionstart", "minitest_unconfigure",
)
#: words in a plugin's source that mean it behaves differently in workers
_WORKER_WORDS = (b"workerinput", b"workeroutput", b"PYTEST_XDIST_")

#: the plugins (registered by builtins) that a spawned worker does not have or keeps inert, as
#: its ``workerinput`` tells them: the controller reports, writes the cache, the JUnit file...
#: A forked worker unregisters them, so it runs its tests with what a spawned one has.
CONTROLLER_ONLY = frozenset({
    "lfplugin", "nfplugin", "stepwiseplugin", "collection-index", "junitxml-log", "html-report",
    "reportlog-recorder", "reportlog-rerun-failed", "reportlog-replayer", "reruns.recorder", "slow.report",
    "logging-plugin.live", "affected-tests", "watch-round", "bisect.round",
})
CONTROLLER_ONLY_PREFIX = "terminalreporter"

#: set by the collection hook when the controller collects for forked workers
COLLECTED_HERE = StashKey[bool]()

#: the cache key of the test durations the controller saw in ``-n`` runs (node id -> seconds)
DURATIONS_KEY = "parallel/durations"
#: what a test costs beyond its recorded phases (all of it when its duration is unknown):
#: minitest's own per-test cost (bench/PROFILE.md: ~110 us per trivial test, of which the phases'
#: durations show ~30 us), so an unknown suite is never thought longer than it is
PER_TEST_OVERHEAD = 0.0001
#: what ``-n auto`` counts per worker: forking it, its pipes, its start (~10-20 ms on the 2-core
#: machine, more under load)
WORKER_START_SECONDS = 0.02
#: and per test: with workers, each report is serialized in a worker and rebuilt and replayed in
#: the controller. On 10,000 trivial tests ``-n 2`` used 2.83 s of CPU where the run without
#: workers used 1.67 s (bench/PARALLEL.md): ~115 us per test, much of it in the controller's
#: replay, which no worker shares. A test must take clearly longer than that to gain anything
TRANSPORT_SECONDS_PER_TEST = 0.0001


def refusal_before_collection(config: Config, specs: list[str]) -> str | None:
    """Why the workers cannot be forked (None: they can, if nothing changes during collection)."""
    if not hasattr(os, "fork") or sys.platform == "win32":
        return "os.fork is not available"
    if os.environ.get(FORK_ENV, "").strip() == "0":
        return f"{FORK_ENV}=0"
    if config.getoption("tx", None) or any(spec != "popen" for spec in specs):
        return "--tx workers"
    return refusal_now(config)


def no_terminal_message(option: str, reason: str) -> str:
    """Why ``--pdb`` (``option``) cannot run with these workers: they would not be forked."""
    return (f"{option} with workers needs them forked from this process, whose terminal they share; "
            f"these would be started apart from it ({reason}), with no terminal: run without -n/--tx "
            "(or with -n 0)")


def refusal_now(config: Config) -> str | None:
    """What may have changed since: threads started, plugins registered (conftest.py files)."""
    if threading.active_count() > 1:
        names = ", ".join(t.name for t in threading.enumerate() if t is not threading.current_thread())
        return f"threads are running in the controller ({names})"
    pm = config.pluginmanager
    for name in WORKER_PROTOCOL_HOOKS:
        caller = getattr(pm.hook, name, None)
        for impl in caller.get_hookimpls() if caller is not None else ():
            if not _is_builtin(impl.plugin):
                return f"plugin {impl.plugin_name} implements {name}"
    for name, plugin in pm.list_name_plugin():
        if plugin is not None and not _is_builtin(plugin) and _mentions_workers(plugin):
            return f"plugin {name} reads the worker's input or environment"
    return None


def refusal_after_collection(config: Config, paths: Iterable[object]) -> str | None:
    reason = refusal_now(config)
    if reason is not None:
        return reason
    for path in dict.fromkeys(paths):
        if path is not None and _file_mentions_workers(str(path)):
            return f"{path} reads the worker's environment"
    return None


def _is_builtin(plugin: object) -> bool:
    module = plugin.__name__ if isinstance(plugin, type(sys)) else type(plugin).__module__
    return module == "builtin_plugins" or module.startswith("builtin_plugins.")


def _mentions_workers(plugin: object) -> bool:
    module = plugin if isinstance(plugin, type(sys)) else sys.modules.get(type(plugin).__module__)
    path = getattr(module, "__file__", None)
    return bool(path) and _file_mentions_workers(str(path))


def _file_mentions_workers(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            text = f.read()
    except OSError:
        return False
    return any(word in text for word in _WORKER_WORDS)


def known_durations(config: Config) -> dict[str, float]:
    cache: Any = getattr(config, "cache", None)
    if cache is None:
        return {}
    value = cache.get(DURATIONS_KEY, {})
    return value if isinstance(value, dict) else {}


def estimated_seconds(nodeids: Iterable[str], durations: dict[str, float]) -> list[float]:
    return [float(durations.get(nodeid, 0.0)) + PER_TEST_OVERHEAD for nodeid in nodeids]


def auto_workers(cpus: int, known: list[float]) -> int:
    """``-n auto`` after collection: the number of workers (up to one per CPU) that saves the most
    time, from the tests' known durations (0 for an unknown one); 0 when none saves any, and the
    tests run in the controller, as without ``-n``."""
    own = sum(known)
    best, best_gain = 0, 0.0
    for workers in range(2, cpus + 1):
        gain = own * (1 - 1 / workers) - workers * WORKER_START_SECONDS - len(known) * TRANSPORT_SECONDS_PER_TEST
        if gain > best_gain:
            best, best_gain = workers, gain
    return best
