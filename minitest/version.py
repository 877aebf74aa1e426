"""minitest's version (read by the header, ``--version`` and the assertion cache tag)."""

from __future__ import annotations

__version__ = "0.1.0"


def platform_line() -> str:
    """The header's ``platform linux -- Python 3.11.2, minitest-0.1.0, pluggy-1.6.0`` (recorded
    by ``--report-log`` too, so a replay shows the line of the run it replays)."""
    import sys

    import pluggy

    from minitest.entrypoints import distribution_version

    py = ".".join(map(str, sys.version_info[:3]))
    return f"platform {sys.platform} -- Python {py}, minitest-{__version__}, pluggy-{distribution_version(pluggy, 'pluggy')}"
