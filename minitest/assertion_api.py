"""Public entry point to assertion rewriting that the kernel may use without importing builtins.

``register_assert_rewrite("mypkg.helpers")`` asks the import hook (installed by the ``assertion``
plugin) to rewrite the asserts of those modules too. The kernel calls it for plugin modules
before importing them. The hook may not be installed yet (or at all, with ``--assert=plain``): the
names are then remembered here and the hook picks them up when it is installed.
"""

from __future__ import annotations

import sys

__all__ = ["register_assert_rewrite", "MinitestAssertRewriteWarning", "pending_names"]


class MinitestAssertRewriteWarning(UserWarning):
    """A problem with assertion rewriting (a module imported too early, an always-true assert)."""


# names registered before any hook existed; the hook drains this list when installed
_pending: list[str] = []


def register_assert_rewrite(*names: str) -> None:
    """Mark the modules ``names`` (and their submodules) for assertion rewriting.

    Call it before the modules are imported, e.g. in a conftest.py or a plugin's ``__init__``.
    """
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"expected module names as *args, got: {names!r}")
    # any finder with a ``mark_rewrite`` method is a rewrite hook (ours, or pytest's when both run)
    mark_rewrites = [getattr(finder, "mark_rewrite", None) for finder in sys.meta_path]
    callables = [mark for mark in mark_rewrites if callable(mark)]
    if not callables:
        _pending.extend(names)
        return
    for mark_rewrite in callables:
        mark_rewrite(*names)


def pending_names() -> list[str]:
    """Return (and forget) the names registered while no import hook was installed."""
    names = list(_pending)
    _pending.clear()
    return names
