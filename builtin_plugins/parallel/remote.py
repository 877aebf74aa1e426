"""The bootstrap execnet sends to a new worker (``gateway.remote_exec(remote)``, run as ``__channelexec__``).

It runs as the source text of this module in the worker's interpreter, so it only uses the
standard library until the controller's first message told it where minitest is found.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def bootstrap(channel: Any) -> None:
    init: dict[str, Any] = channel.receive()
    if init.get("sys_path") is not None:
        # the same interpreter as the controller: the same import path, so the same minitest,
        # plugins and test helpers are imported as in a run without workers
        sys.path[:] = init["sys_path"]
    for entry in reversed(init.get("extra_sys_path", [])):
        sys.path.insert(0, entry)  # the directories sent with --rsyncdir
    os.chdir(init["invocation_dir"])
    from builtin_plugins.parallel.worker import run_worker

    run_worker(channel, init)


if __name__ == "__channelexec__":
    bootstrap(channel)  # type: ignore[name-defined]  # noqa: F821 - execnet provides ``channel``
