"""The terminal part that writes the header: ``== test session starts ==``, the platform line and
the lines of ``minitest_report_header`` (rootdir, configfile, testpaths, plugins, a plugin's own).

Registered as the plugin ``terminalreporter.header`` (:data:`minitest.terminal_api.HEADER`); a
plugin adds lines with ``minitest_report_header`` or replaces the whole header by registering its
own ``minitest_sessionstart`` plugin under that name.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from minitest import hookimpl
from minitest.config import Config
from minitest.nodes import Session
from minitest.terminal_api import HEADER
from minitest.version import platform_line

if TYPE_CHECKING:
    from .reporter import TerminalReporter


class Header:
    """Writes the header when the session starts (not with ``-q``; only its title with ``--no-header``)."""

    name = HEADER

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        config = reporter.config
        self._show = reporter.verbosity >= 0
        # pytest 9.2: --no-header drops the platform line and the lines under it, not the title
        self._title_only = bool(config.getoption("no_header", False))

    @hookimpl(trylast=True)
    def minitest_sessionstart(self, session: Session) -> None:
        if not self._show:
            return
        reporter = self._reporter
        config = reporter.config
        reporter.write_sep("=", "test session starts", bold=True)
        if self._title_only:
            return
        line = platform_line()
        if reporter.verbosity > 0:
            line += f" -- {sys.executable}"
        reporter.write_line(line)
        start = config.invocation_params.dir
        lines = config.hook.minitest_report_header(config=config, start_path=start,
                                                   startdir=start)  # deprecated name
        for extra in reversed(lines):
            for line in [extra] if isinstance(extra, str) else extra:
                reporter.write_line(line)

    def minitest_report_header(self, config: Config) -> list[str]:
        # the results are printed in reverse, and this part is registered after the conftests and
        # -p plugins (at configure): their lines come first, those of a tryfirst implementation
        # after these, as pytest 9.2 prints them
        lines = [f"rootdir: {config.rootpath}"]
        if config.inipath is not None:
            line = f"configfile: {_bestrelpath_from(config.inipath, config.rootpath)}"
            ignored = config.inifile.ignored
            if ignored:
                # pytest's words: a setting written in the other file is silently not used
                line += f" (WARNING: ignoring {config.inifile.flavour} config in {', '.join(p.name for p in ignored)}!)"
            lines.append(line)
        if config.args_source == "testpaths":
            lines.append(f"testpaths: {', '.join(config.args)}")
        pm = config.pluginmanager
        installed = []
        for name, origin in pm.origins.items():
            if origin.kind in ("entrypoint", "pytest-entrypoint") and pm.get_plugin(name) is not None:
                # as pytest writes it: pytest-mock 3.15.1 is "mock-3.15.1"
                dist = str(origin.dist).removeprefix("pytest-")
                installed.append(f"{dist}-{origin.version}")
        if installed:
            # in the order they were loaded, as pytest lists them
            lines.append("plugins: " + ", ".join(dict.fromkeys(installed)))
        return lines


def _bestrelpath_from(path: Path, root: Path) -> str:
    """``path`` relative to ``root``, up through ``..`` when it is outside (``-c /dev/null``:
    ``../../dev/null``), as pytest writes it; as it is when they share nothing (Windows drives)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    import os

    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return str(path)
