"""The kernel's error types that several modules raise."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """A problem with how minitest was invoked (options, paths, config, plugins): exit code 4."""
