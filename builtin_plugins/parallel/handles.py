"""The controller's record of each worker, whatever starts it (an execnet gateway or a fork)."""

from __future__ import annotations

from collections import deque
from typing import Any

from minitest.workers_api import WorkerNode


class WorkerHandle:
    """What the controller knows about one worker (``node`` is what other plugins see of it)."""

    def __init__(self, workerid: str, spec: str, gateway: Any, channel: Any, node: WorkerNode) -> None:
        self.id = workerid
        self.spec = spec
        self.gateway = gateway
        self.channel = channel
        self.node = node
        self.down_reported = False  # minitest_testnodedown was called for it
        self.ids: list[str] | None = None  # its collected node ids, once it sent them
        self.groups: list[str | None] | None = None  # and their xdist_group, with --dist loadgroup
        self.collect_events: list[tuple[str, dict[str, Any]]] = []
        self.pending: deque[int] = deque()  # sent to it and not finished, in the order it runs them
        self.buffer: list[tuple[str, dict[str, Any]]] | None = None  # events of the item in progress
        self.last_report: Any = None  # the last test report replayed (a debugger marks it shown)
        self.running: str | None = None
        self.finished = False  # it said goodbye
        self.done = False  # its channel is closed (or it was given up)
        self.shutdown_sent = False
        #: the idle worker waiting for the items this one was asked to give back (load mode)
        self.giving_to: WorkerHandle | None = None
        #: the worker this one waits on for given-back items
        self.waiting_on: WorkerHandle | None = None
        #: it had nothing to give back when asked: not asked again before its next item finished
        self.nothing_to_give = False
        #: it gave items back: it takes none before its next item finished (it would take back
        #: what it just gave, behind the long test it runs)
        self.gave_back = False
        self.crash_note: str | None = None
        self.error: str | None = None
        #: (path on the worker, local path) of its --rsyncdir copies
        self.path_map: list[tuple[str, str]] = []

    def send(self, name: str, **payload: Any) -> None:
        try:
            self.channel.send((name, payload))
        except Exception:  # noqa: BLE001 - a dead worker's channel: its end is handled elsewhere
            pass

    def item_finished(self, nodeid: str, ids: list[str]) -> None:
        """Drop ``nodeid`` from the pending items (normally the first: items run in order)."""
        for position, index in enumerate(self.pending):
            if ids[index] == nodeid:
                del self.pending[position]
                return

    def remote_error(self) -> str | None:
        """Why the worker's side ended: the exception it raised, or how its process exited."""
        import execnet  # a spawned worker's: a forked controller never imports execnet

        try:
            self.channel.waitclose(0.1)
        except execnet.RemoteError as exc:
            return str(exc).strip() or type(exc).__name__
        except Exception:  # noqa: BLE001 - EOF: the process is gone; say how, if we can tell
            return self._exit_status()
        return None

    def _exit_status(self) -> str | None:
        popen = getattr(getattr(self.gateway, "_io", None), "popen", None)
        if popen is None:
            return None
        try:
            code = popen.wait(timeout=1.0)
        except Exception:  # noqa: BLE001 - still running or not ours to wait for
            return None
        if code < 0:
            return f"the worker process was killed by signal {-code}"
        return f"the worker process exited with code {code}"
