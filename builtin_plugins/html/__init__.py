"""Builtin plugin ``html``: ``--html FILE`` writes one self-contained HTML report of the run.

The page needs no network and nothing beside it: the CSS, the script and the run's data (as JSON)
are inside. It shows the totals, a filter by outcome and a search box, each failure with its
traceback (the terminal's colours), captured output folded, the slowest tests and a histogram of
durations, and for a run on workers (``-n``) a timeline of which worker ran what when. The rows of
the test list are made from the data as they scroll into view, so 20,000 tests open as fast as 20.

The file is written atomically at the end of the session (also after Ctrl-C, which still ends the
session); the path is checked before any test runs. ``minitest report run.jsonl --html OUT`` writes
the same page from a recorded run (``reportlog``): it gets the same hook calls.

    collector.py   HtmlCollector: the reports of the run, as the page's data
    page.py        the page: template, assets, escaping the data into a <script> element
    assets/        report.css, report.js
"""

from __future__ import annotations

import os
from pathlib import Path

from minitest.atomicfile import check_writable
from minitest.config import Config, Parser, UsageError


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    # gives way to pytest-html's --html when that plugin is installed (its report, its hooks and
    # extras, which other plugins such as hypothesis feed); the dest is ours alone
    group.addoption("--html", action="store", dest="minitest_htmlpath", metavar="path", default=None, gives_way=True,
                    help="write a self-contained HTML report of the run to path")
    parser.addini("html_title", "the title of the --html report", default="Test report")


def minitest_configure(config: Config) -> None:
    value = config.getoption("minitest_htmlpath", None)
    if not value or hasattr(config, "workerinput"):  # dist workers: the controller writes the file
        return
    path = Path(os.path.normpath(config.invocation_params.dir / Path(os.path.expandvars(os.path.expanduser(value)))))
    # fail now, with exit code 4, rather than after the whole run
    problem = check_writable(path)
    if problem:
        raise UsageError(f"--html: cannot write the report to {path}: {problem}")
    from .collector import HtmlCollector

    collector = HtmlCollector(config, path)
    config.pluginmanager.register(collector, "html-report")
    # written at sessionfinish; if that hook never reached it (a plugin before it raised), now
    config.add_cleanup(collector.write_if_unwritten)
