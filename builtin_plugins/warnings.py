"""Warnings: caught per test (and during collection), filtered with ``-W``, the ``filterwarnings``
ini key and ``@minitest.mark.filterwarnings(...)``, summarised at the end of the run.

Filters use Python's syntax ``action:message:category:module:lineno``; the category may be any
importable dotted path (``error::mypkg.MyWarning``). An ``error`` filter makes the warning an
exception, so the test fails where the warning was issued.
"""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Generator
from typing import Any

from minitest import hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.nodes import Item, Session
from minitest.runstats import MAX_WARNINGS, RUN_STATS
from minitest.stash import StashKey
from minitest.terminal_api import TerminalReporterAPI
from minitest.warnings_api import CONFIG_WARNING_FILTERS

FilterArgs = tuple[str, str, type[Warning], str, int]
#: the -W filters of the run, parsed (``warnings.filterwarnings`` arguments)
COMMAND_LINE_FILTERS = StashKey[list[FilterArgs]]()


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("-W", "--pythonwarnings", action="append", dest="pythonwarnings", default=[],
                    help="set which warnings to report, see -W option of Python itself")
    group.addoption("--max-warnings", action="store", type=int, default=None, metavar="num",
                    dest="max_warnings",
                    help="exit with error if all tests pass but the number of warnings exceeds this threshold")
    group.addoption("--disable-warnings", "--disable-pytest-warnings", action="store_true", default=False,
                    dest="disable_warnings", help="disable the warnings summary (the final line still counts them)")
    parser.addini("filterwarnings", "each line specifies a pattern for warnings.filterwarnings; "
                  "processed after -W/--pythonwarnings", type="linelist")
    parser.addini("max_warnings", "exit with error if all tests pass but the number of warnings exceeds "
                  "this threshold", type="int", default=None)


@hookimpl(tryfirst=True)  # before other plugins' configure, which may issue config-time warnings
def minitest_configure(config: Config) -> None:
    config.addinivalue_line("markers", "filterwarnings(warning): add a warning filter to the given test")
    config.pluginmanager.register(WarningsSummary(config), "warnings-summary")
    # parsed now: a bad filter is a usage error rather than an error in every test
    config.getini_parsed("filterwarnings", _parse_ini_filters)
    config.stash[COMMAND_LINE_FILTERS] = [parse_warning_filter(arg, escape=True)
                                          for arg in config.getoption("pythonwarnings", []) or []]
    config.stash[CONFIG_WARNING_FILTERS] = lambda: _apply_filters(config, None)
    # read now: a bad ini value is a usage error before any test runs, not at the end
    limit = config.getoption("max_warnings", None)
    if limit is None:
        limit = config.getini("max_warnings")
    if limit is not None:
        config.stash[MAX_WARNINGS] = limit


# ---------------------------------------------------------------------------------------------
# filters
# ---------------------------------------------------------------------------------------------


def _resolve_category(name: str) -> type[Warning]:
    if not name:
        return Warning
    if "." not in name:
        import builtins

        cat = getattr(builtins, name, None)
    else:
        module, _, klass = name.rpartition(".")
        try:
            cat = getattr(__import__(module, None, None, [klass]), klass)
        except (ImportError, AttributeError) as exc:
            raise UsageError(f"invalid -W option / filterwarnings value: cannot import category {name!r}: "
                             f"{exc}") from None
    if not (isinstance(cat, type) and issubclass(cat, Warning)):
        raise UsageError(f"invalid -W option / filterwarnings value: {name!r} is not a Warning subclass")
    return cat


def parse_warning_filter(arg: str, *, escape: bool) -> FilterArgs:
    """``action:message:category:module:lineno`` → arguments of ``warnings.filterwarnings``.

    ``escape`` (for ``-W``) takes the message and module literally, as Python's own -W does.
    """
    parts = arg.split(":")
    if len(parts) > 5:
        raise UsageError(f"too many fields ({len(parts)}) in filter {arg!r}; expected action:message:"
                         "category:module:line")
    parts += [""] * (5 - len(parts))
    action_text, message, category_text, module, lineno_text = (p.strip() for p in parts)
    actions = {"default", "error", "ignore", "always", "all", "module", "once"}
    action = next((a for a in actions if a.startswith(action_text)), None) if action_text else "default"
    if action is None:
        raise UsageError(f"invalid action {action_text!r} in warnings filter {arg!r}")
    if action == "all":
        action = "always"
    category = _resolve_category(category_text)
    if message and escape:
        message = re.escape(message)
    if module and escape:
        module = re.escape(module) + r"\Z"
    try:
        lineno = int(lineno_text) if lineno_text else 0
        if lineno < 0:
            raise ValueError
    except ValueError:
        raise UsageError(f"invalid lineno {lineno_text!r} in warnings filter {arg!r}") from None
    return action, message, category, module, lineno


def _parse_ini_filters(lines: list[str]) -> list[FilterArgs]:
    return [parse_warning_filter(arg, escape=False) for arg in lines]


#: a test without this mark (most) skips the generator walk of iter_markers (see Node.has_marker)
_FILTER_MARKS = frozenset({"filterwarnings"})


def _apply_filters(config: Config, item: Item | None) -> None:
    if not sys.warnoptions:
        # deprecations matter to test suites: show them (Python hides them outside __main__)
        warnings.filterwarnings("always", category=DeprecationWarning)
        warnings.filterwarnings("always", category=PendingDeprecationWarning)
    # applied around every test: parsed once (the ini lines again only if a plugin added one)
    for args in config.getini_parsed("filterwarnings", _parse_ini_filters):
        warnings.filterwarnings(*args)  # type: ignore[arg-type]  # the parsed action is a valid one
    for args in config.stash.get(COMMAND_LINE_FILTERS, ()):
        warnings.filterwarnings(*args)  # type: ignore[arg-type]  # the parsed action is a valid one
    if item is not None and item.has_marker(_FILTER_MARKS):
        # marks are applied after the ini and -W filters, so they take precedence
        for mark in item.iter_markers("filterwarnings"):
            for arg in mark.args:
                warnings.filterwarnings(*parse_warning_filter(arg, escape=False))  # type: ignore[arg-type]  # as above


# ---------------------------------------------------------------------------------------------
# catching
# ---------------------------------------------------------------------------------------------


def _report_recorded(log: list[warnings.WarningMessage], item: Item | None, when: str, hook: Any) -> None:
    """Report each warning caught while ``item`` (or collection) ran through ``minitest_warning_recorded``."""
    if not log:
        return
    nodeid = "" if item is None else item.nodeid
    # the deprecated old name still works for one release (its implementations were warned about
    # when they were registered); called only when someone implements it
    old_name = hook.minitest_warning_captured
    call_old_name = bool(old_name.get_hookimpls())
    for message in log:
        hook.minitest_warning_recorded(warning_message=message, when=when, nodeid=nodeid, location=None)
        if call_old_name:
            old_name(warning_message=message, when=when, item=item, location=None)


@hookimpl(wrapper=True, tryfirst=True)
def minitest_collection(session: Session) -> Generator[None, object, object]:
    with warnings.catch_warnings(record=True) as log:
        _apply_filters(session.config, None)
        try:
            return (yield)
        finally:
            _report_recorded(log, None, "collect", session.config.hook)


@hookimpl(wrapper=True, tryfirst=True)
def minitest_runtest_protocol(item: Item) -> Generator[None, object, object]:
    # written out rather than through a shared context manager: this runs once per test
    with warnings.catch_warnings(record=True) as log:
        _apply_filters(item.config, item)
        try:
            return (yield)
        finally:
            if log:  # (item.ihook asked only when there is something to report)
                _report_recorded(log, item, "runtest", item.ihook)


# ---------------------------------------------------------------------------------------------
# the summary
# ---------------------------------------------------------------------------------------------


class WarningsSummary:
    """Keeps the warnings of the run and writes the "warnings summary" section."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.recorded: list[tuple[str, str, Any]] = []

    def minitest_warning_recorded(self, warning_message: Any, when: str, nodeid: str) -> None:
        self.recorded.append((nodeid, when, warning_message))
        stats = self.config.stash.get(RUN_STATS, None)
        if stats is not None:  # counted on the final line
            stats.add_warning(warning_message)

    def minitest_terminal_summary(self, terminalreporter: TerminalReporterAPI) -> None:
        # one of the summaries --no-summary drops (pytest's own; other plugins' stay)
        if (not self.recorded or self.config.getoption("no_summary", False)
                or self.config.getoption("disable_warnings", False)):
            return
        grouped: dict[str, list[str]] = {}
        for nodeid, _when, message in self.recorded:
            text = warnings.formatwarning(message.message, message.category, message.filename, message.lineno,
                                          message.line).rstrip()
            # a warning outside any test (collection) is placed by where it was issued
            where = nodeid or self._location(message)
            grouped.setdefault(text, [])
            if where not in grouped[text]:
                grouped[text].append(where)
        terminalreporter.write_sep("=", "warnings summary", yellow=True, bold=False)
        for text, nodeids in grouped.items():
            if len(nodeids) > 1 and self.config.get_verbosity() <= 0:
                ids = _collapse(nodeids)
            else:
                ids = nodeids
            for nodeid in ids:
                terminalreporter.write_line(nodeid)
            for line in text.splitlines():
                terminalreporter.write_line("  " + line)
            terminalreporter.write_line("")
        terminalreporter.write_line("-- Docs: filter warnings with -W, the filterwarnings ini key or @minitest.mark.filterwarnings")


    def _location(self, message: Any) -> str:
        import os

        path = str(message.filename)
        try:
            rel = os.path.relpath(path, self.config.invocation_params.dir)
        except ValueError:
            rel = path
        return f"{rel if len(rel) < len(path) else path}:{message.lineno}"


def _collapse(nodeids: list[str]) -> list[str]:
    """Several tests of one file with the same warning: ``file.py: 3 warnings`` as pytest writes."""
    counts: dict[str, int] = {}
    for nodeid in nodeids:
        path = nodeid.split("::", 1)[0]
        counts[path] = counts.get(path, 0) + 1
    return [f"{path}: {n} warnings" if n > 1 else next(i for i in nodeids if i.startswith(path))
            for path, n in counts.items()]
