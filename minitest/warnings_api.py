"""The contract between the kernel's config-time warnings and the plugin that filters warnings.

``Config.issue_config_time_warning`` records the warning under the run's warning filters (``-W``,
the ``filterwarnings`` ini key) when a plugin has put the function that applies them under
:data:`CONFIG_WARNING_FILTERS` (the ``warnings`` builtin does, first thing in its
``minitest_configure``); the recorded warning reaches ``minitest_warning_recorded`` with
``when="config"``, once every plugin is configured, as pytest's historic call reaches them.
"""

from __future__ import annotations

from collections.abc import Callable

from minitest.stash import StashKey

__all__ = ["CONFIG_WARNING_FILTERS"]

#: applies the run's warning filters inside a ``warnings.catch_warnings()`` block
CONFIG_WARNING_FILTERS = StashKey[Callable[[], None]]()
