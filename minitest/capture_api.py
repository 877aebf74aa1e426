"""The contract for output capture: what other plugins may ask of the capture manager.

The ``capture`` builtin implements it and publishes its manager under :data:`CAPTURE_CONTROL` on
``config.stash`` (absent with ``-p no:capture``). A plugin that writes to the terminal while a
test runs (``--setup-show``, a debugger prompt) suspends capture around it::

    from minitest.capture_api import CAPTURE_CONTROL

    control = config.stash.get(CAPTURE_CONTROL, None)
    with control.global_and_fixture_disabled() if control else contextlib.nullcontext():
        print("straight to the terminal")
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from minitest.stash import StashKey

__all__ = ["CaptureControl", "CAPTURE_CONTROL"]


class CaptureControl(Protocol):
    """Suspending and resuming the run's output capture (pytest's names)."""

    def global_and_fixture_disabled(self) -> AbstractContextManager[None]:
        """Inside the block, output goes to the real terminal: both the run's capture and an
        active capture fixture (``capsys``...) are suspended, and resumed after it."""

    def suspend_global_capture(self, in_: bool = False) -> None:
        """Stop capturing the run's output until :meth:`resume_global_capture`."""

    def resume_global_capture(self) -> None:
        """Capture the run's output again."""

    def read_global_capture(self) -> tuple[str, str]:
        """What was captured since the last read, as ``(out, err)``."""

    def is_capturing(self) -> str | bool:
        """What captures the output: ``"global"`` (the run's capture, even while it is suspended
        between phases), ``"fixture NAME"`` (only a capture fixture, under ``-s``), else False."""


#: the run's capture manager, on ``config.stash``; absent when nothing captures
CAPTURE_CONTROL = StashKey[CaptureControl]()
