"""The process exit codes of a run."""

from __future__ import annotations

import enum

__all__ = ["ExitCode"]


class ExitCode(enum.IntEnum):
    """The process exit codes, the same as pytest's."""

    OK = 0
    TESTS_FAILED = 1
    INTERRUPTED = 2
    INTERNAL_ERROR = 3
    USAGE_ERROR = 4
    NO_TESTS_COLLECTED = 5
    #: the tests passed, but more warnings were recorded than ``--max-warnings`` / ``max_warnings``
    #: allow (pytest 9.1)
    MAX_WARNINGS_ERROR = 6
