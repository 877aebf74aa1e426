"""What the runner takes from the process when a run starts, so that its own work does not
depend on what a test changes afterwards (``os.chdir`` without going back, ...).

* :data:`display_dir`: the directory paths are shown relative to (tracebacks, file names in
  the progress). The run's invocation directory, set by the bootstrap; an in-process run
  (``minitester``) sets its own and puts the caller's back when it returns.
"""

from __future__ import annotations

import os

__all__ = ["display_dir"]

try:
    display_dir: str = os.getcwd()
except OSError:  # started in a removed directory
    display_dir = os.sep
