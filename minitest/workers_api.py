"""The contract of a distributed run for other plugins: the worker objects the controller's hooks
receive (``minitest_configure_node``, ``minitest_testnodeready``, ``minitest_testnodedown``...).

The ``parallel`` builtin makes one :class:`WorkerNode` per worker and passes it to those hooks; the
shape is pytest-xdist's ``WorkerController`` (the attributes plugins written for pytest-xdist read:
pytest-cov, pytest-randomly, pytest-rerunfailures), so they work unchanged::

    def minitest_configure_node(node):          # controller, before the worker starts
        node.workerinput["seed"] = 1234         # the worker reads config.workerinput["seed"]

    def minitest_sessionfinish(session):        # worker
        if hasattr(session.config, "workeroutput"):
            session.config.workeroutput["seen"] = 10

    def minitest_testnodedown(node, error):     # controller, once the worker ended
        print(node.gateway.id, node.workeroutput.get("seen"), error)

On the worker's side, ``config.workerinput`` is the dict the controller's plugins filled (with
``workerid``, ``workercount``, ``testrunuid``, ``mainargv``) and ``config.workeroutput`` an empty
dict the worker's plugins fill; it reaches the controller as ``node.workeroutput`` (plain data:
what execnet cannot carry arrives as its ``repr``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

__all__ = ["WorkerNode", "NodeManager", "CrashScheduler"]


class NodeManager:
    """What the controller shares about all its workers (pytest-xdist's ``NodeManager``): the
    execnet specs and the directories sent to remote workers (``--rsyncdir``)."""

    def __init__(self, specs: Sequence[str], roots: Sequence[Path]) -> None:
        self.specs = list(specs)
        self.roots = list(roots)


class WorkerNode:
    """One worker, as the controller's plugins see it.

    ``workerinput`` is sent to the worker when it starts (plugins add keys in
    ``minitest_configure_node``); ``workerinfo`` (its Python version, platform, executable, cwd, plus
    ``id`` and ``spec``) is set when it is ready (``minitest_testnodeready``); ``workeroutput`` when
    it finished (``minitest_testnodedown``): absent if it died first, as with pytest-xdist.
    """

    workeroutput: dict[str, Any]

    def __init__(self, config: Any, gateway: Any, workerinput: dict[str, Any], nodemanager: NodeManager) -> None:
        self.config = config
        #: the execnet gateway: ``gateway.id`` is the worker id ("gw0"), ``gateway.spec`` its XSpec
        self.gateway = gateway
        self.workerinput = workerinput
        self.nodemanager = nodemanager
        self._workerinfo: dict[str, Any] | None = None
        self._workerinfo_source: Callable[[], dict[str, Any]] | None = None

    @property
    def workerinfo(self) -> dict[str, Any]:
        """What the worker said of itself when it was ready; absent (``AttributeError``) before."""
        if self._workerinfo is None:
            source = self._workerinfo_source
            if source is None:
                raise AttributeError(f"{self!r} is not ready yet: it has no workerinfo")
            self._workerinfo = source()
            self._workerinfo_source = None
        return self._workerinfo

    @workerinfo.setter
    def workerinfo(self, value: dict[str, Any]) -> None:
        self._workerinfo = value
        self._workerinfo_source = None

    def set_workerinfo_source(self, source: Callable[[], dict[str, Any]]) -> None:
        """``workerinfo`` is ``source()``, asked when it is first read. A forked worker's is the
        controller's own (same interpreter and folder), and asking costs a subprocess
        (``platform.platform()`` runs ``uname -p``): 7-14 ms of the controller's CPU while the
        workers run, which a run whose plugins never read it does not spend."""
        self._workerinfo = None
        self._workerinfo_source = source

    def __repr__(self) -> str:
        return f"<WorkerNode {self.workerinput.get('workerid', '?')}>"


class CrashScheduler(Protocol):
    """The scheduler ``minitest_handlecrashitem`` receives: it may put the crashed test back."""

    def mark_test_pending(self, item: str) -> None:
        """Run the test of node id ``item`` again (on another worker)."""
