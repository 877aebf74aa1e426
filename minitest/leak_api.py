"""The warning of the leak report (the ``leaks`` builtin), defined by the kernel so suites can name
it in filters (``-W error::minitest.MinitestLeakWarning``, ``filterwarnings``)."""

from __future__ import annotations

__all__ = ["MinitestLeakWarning"]


class MinitestLeakWarning(UserWarning):
    """A test left something behind: a running thread or child process, a changed ``os.environ``,
    cwd, ``sys.path``, ``sys.modules`` entry or signal handler, an open file descriptor, a file
    in the rootdir."""
