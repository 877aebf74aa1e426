"""The hook contracts of minitest: every hook a plugin may implement.

This module is the whole interface between the kernel and the plugins. Each hook's docstring says
when it is called, which pluggy options apply and what an implementation or a wrapper may do.

Conventions:

* ``firstresult`` hooks stop at the first implementation returning something other than ``None``.
* ``historic`` hooks are replayed for plugins registered later (a conftest.py deep in the tree still
  gets ``minitest_addoption`` and ``minitest_configure``).
* A wrapper (``@hookimpl(wrapper=True)``) runs around the other implementations: the ``yield``
  returns their result (or raises their exception) and the wrapper returns the final result.
* Hooks that receive a node are called through ``node.ihook``, so a conftest.py only sees the nodes
  of its own directory tree.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from minitest.config import Config, Parser
    from minitest.fixture_contract import FixtureDef
    from minitest.fixture_types import SubRequest
    from minitest.index_api import IndexedTest
    from minitest.nodes import Collector, Item, Node, Session
    from minitest.parametrize import Metafunc
    from minitest.pluginmanager import MinitestPluginManager
    from minitest.raises_api import ExceptionInfo
    from minitest.reports import CallInfo, CollectReport, TestReport
    from minitest.terminal_api import TerminalReporterAPI
    from minitest.workers_api import CrashScheduler, WorkerNode

hookspec = pluggy.HookspecMarker("minitest")


class MinitestDeprecationWarning(FutureWarning):
    """A plugin implements a deprecated hook or asks for a deprecated hook argument.

    Issued once per implementation when the plugin is registered (pluggy's ``warn_on_impl`` /
    ``warn_on_impl_args``), pointing at the plugin's function. A FutureWarning, so Python shows it
    by default; ``-W error::minitest.hookspecs.MinitestDeprecationWarning`` makes it an error.
    """


#: deprecated hook arguments: the old name keeps working for one release, with this warning
_STARTDIR_DEPRECATED = MinitestDeprecationWarning(
    "the 'startdir' argument of minitest_report_header is deprecated and will be removed in "
    "minitest 0.2; ask for 'start_path' instead (the same pathlib.Path)"
)

# --------------------------------------------------------------------------------------------
# Bootstrap and configuration
# --------------------------------------------------------------------------------------------


@hookspec(historic=True)
def minitest_addhooks(pluginmanager: MinitestPluginManager) -> None:
    """Declare hooks of your own: ``pluginmanager.add_hookspecs(module_or_class)``.

    Called once for every plugin as it is registered (historic), before its ``minitest_addoption``.
    Specs are functions marked with ``minitest.hookspec`` (or, for plugins written for pytest,
    ``pytest.hookspec``, and undecorated ``pytest_*`` functions, as pytest reads them); other
    plugins may implement them before the declaring plugin is registered.
    """


@hookspec(historic=True)
def minitest_addoption(parser: Parser, pluginmanager: MinitestPluginManager) -> None:
    """Register command-line options and ini values.

    Called once for every plugin as it is registered (historic): builtins, ``-p`` plugins, installed
    plugins and conftest.py files alike. Use ``parser.getgroup(name).addoption(...)`` for options
    and ``parser.addini(name, help, type=..., default=...)`` for ini values.
    A conftest.py found after the command line was parsed can still add options; they take effect
    when the final parse happens (conftests of the initial arguments are loaded before it).
    """


@hookspec(historic=True)
def minitest_plugin_registered(plugin: object, plugin_name: str, manager: MinitestPluginManager) -> None:
    """A plugin was registered with the plugin manager.

    Historic: a plugin registered later still hears about every plugin registered before it.
    """


@hookspec
def minitest_prepare_imports(early_config: Config, args: list[str]) -> None:
    """Called once the command line is pre-parsed and the config file is read, before any plugin
    named with ``-p`` or installed, conftest.py or test module is imported.

    The place to install what must be in place before those imports: import hooks that must see
    those modules (assertion rewriting), modules they import (the pytest shim), hook monitoring
    (``--trace-hooks``). Only builtins and plugin objects given to ``minitest.main`` are registered
    yet. Every implementation is called; ``early_config.known_args`` holds the options known so far.
    """


@hookspec
def minitest_load_initial_conftests(early_config: Config, parser: Parser, args: list[str]) -> None:
    """Called once the plugins named with ``-p`` and ``MINITEST_PLUGINS`` / ``PYTEST_PLUGINS``,
    the installed plugins and those of the ini file are registered, and the command line was
    parsed again with their options (``early_config.known_args``), to load the conftest.py files
    of the initial arguments (pytest's order: pytest-cov starts coverage here).
    Every implementation is called. The kernel's own implementation, ``trylast``, loads the
    conftest.py files: the others run before they are imported, and a wrapper surrounds their
    import (``capture`` captures the output meanwhile, so what they keep of ``sys.stdout`` is
    the stream the tests write to, as under pytest).
    """


@hookspec(historic=True)
def minitest_configure(config: Config) -> None:
    """The command line was parsed and every initial plugin is registered.

    Historic: a plugin registered later (a conftest.py found during collection) is configured as it
    is registered. Register markers, stash per-plugin state, register helper plugin objects here.
    """


@hookspec
def minitest_unconfigure(config: Config) -> None:
    """Called once before the process exits, after the session finished."""


@hookspec(firstresult=True)
def minitest_cmdline_main(config: Config) -> int | None:
    """Perform the main command-line action; the result is the exit code.

    firstresult: the default implementation (builtin ``session``) runs the test session. Plugins
    that answer informational options (``--markers``, ``--fixtures``, ``--plugins``) return an exit
    code here before it (``tryfirst``).
    """


@hookspec(warn_on_impl_args={"startdir": _STARTDIR_DEPRECATED})
def minitest_report_header(config: Config, start_path: Path, startdir: Path) -> str | list[str] | None:
    """Return lines to add to the terminal header: they come after the platform line, before the
    rootdir and configfile lines, the lines of plugins registered earlier first (as pytest does).

    ``startdir`` is the deprecated name of ``start_path`` (pytest's old name, so conftest.py files
    written for pytest 6 still work): it is the same ``pathlib.Path`` (not pytest's legacy path
    object), and an implementation asking for it gets a MinitestDeprecationWarning.
    """


@hookspec
def minitest_sessionstart(session: Session) -> None:
    """The session object exists; collection has not started yet."""


@hookspec
def minitest_sessionfinish(session: Session, exitstatus: int) -> None:
    """The whole run finished; ``exitstatus`` is the code the process will return.

    A plugin may change ``session.exitstatus`` here (a tryfirst implementation runs before the
    terminal summary is written).
    """


# --------------------------------------------------------------------------------------------
# Collection
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def minitest_collection(session: Session) -> object | None:
    """Perform the collection of the session (``session.perform_collect()``).

    firstresult: the builtin ``session`` plugin collects; a plugin that replaces collection returns
    a non-None value. After it, ``session.items`` holds the items to run.
    """


@hookspec(firstresult=True)
def minitest_ignore_collect(collection_path: Path, config: Config) -> bool | None:
    """Return True to skip ``collection_path`` (a file or a directory), False to force collecting
    it, or None to let later implementations decide. firstresult."""


@hookspec(firstresult=True)
def minitest_collect_directory(path: Path, parent: Collector) -> Collector | None:
    """Make the collector for the directory ``path`` (a package or a plain directory). firstresult."""


@hookspec
def minitest_collect_file(file_path: Path, parent: Collector) -> Collector | None:
    """Return a collector for ``file_path`` (or None). Every implementation is asked and all the
    collectors returned are used, so several plugins may collect one file (python, doctest)."""


@hookspec(firstresult=True)
def minitest_pycollect_makemodule(module_path: Path, parent: Collector) -> Collector | None:
    """Make the Module collector of a test file the python plugin accepted. firstresult."""


@hookspec(firstresult=True)
def minitest_pycollect_makeitem(collector: Collector, name: str, obj: object) -> Node | list[Node] | None:
    """Turn one attribute of a module or class into a collector, an item, a list of them or None.

    firstresult: the first implementation returning non-None decides (the unittest plugin takes
    TestCase subclasses before the python plugin's default handling).
    """


@hookspec
def minitest_generate_tests(metafunc: Metafunc) -> None:
    """Parametrize a test function through ``metafunc.parametrize(...)``.

    Called by the python plugin once for every collected test function, after its fixture closure
    is known (``metafunc.fixtureinfo``, ``metafunc.fixturenames``: from the fixture manager). The
    python plugin applies ``parametrize`` marks; the fixtures plugin parametrizes the fixtures
    that have ``params``. Every implementation is called; the item per planned call is made after.
    """


@hookspec(firstresult=True)
def minitest_make_parametrize_id(config: Config, val: object, argname: str) -> str | None:
    """The id part of ``val`` (a value of the parametrized argument ``argname``) in a test's id.

    When: while ``metafunc.parametrize`` makes the ids of a call, for each value that has no
    explicit id (``pytest.param(..., id=)``, ``ids=[...]``) and for which the ``ids=`` callable
    gave none; a string returned is used as it is (not escaped), None leaves the value's own id
    (its text, or ``argname`` and the index).

    Pluggy options: firstresult (the first non-None answer wins; ``tryfirst`` goes first). A
    wrapper may change or replace the answer the ``yield`` returns.
    """


@hookspec(firstresult=True)
def minitest_make_collect_report(collector: Collector) -> CollectReport | None:
    """Collect ``collector`` and return its CollectReport (firstresult)."""


@hookspec
def minitest_collectstart(collector: Collector) -> None:
    """Collection of ``collector`` starts."""


@hookspec
def minitest_collectreport(report: CollectReport) -> None:
    """A collector finished collecting (successfully or not)."""


@hookspec
def minitest_itemcollected(item: Item) -> None:
    """An item was collected."""


@hookspec
def minitest_collection_modifyitems(session: Session, config: Config, items: list[Item]) -> None:
    """Filter or reorder ``items`` in place after collection (``-k``, ``-m``, ``--deselect``, ``--lf``).

    Plugins that drop items must announce them through ``minitest_deselected``.
    """


@hookspec
def minitest_deselected(items: Sequence[Item]) -> None:
    """``items`` were deselected (they are counted as such in the final line)."""


@hookspec
def minitest_collection_finish(session: Session) -> None:
    """Collection and modification are complete; ``session.items`` is final."""


@hookspec
def minitest_index_itemrecord(item: Item, record: dict[str, Any]) -> None:
    """Add what your plugin selects on to the collection index's record of ``item``.

    When: at the end of collection, for the items of each test file whose index entry is
    (re)written (not for files the index already holds unchanged). ``record`` is a JSON object;
    put JSON-able data under your own key (``record["marks"] = ...``). See
    :mod:`minitest.index_api`.

    Pluggy options: a plain hook, every implementation is called.
    """


@hookspec
def minitest_index_modifyitems(config: Config, tests: list[IndexedTest]) -> None:
    """Remove from ``tests`` the recorded tests your ``minitest_collection_modifyitems`` would
    deselect, so that the collection index does not import files none of whose tests is left.

    When: before collection, with the recorded tests of the files under the arguments whose key
    is unchanged (``minitest.index_api.IndexedTest``: node id, file, record). Remove only what is
    certain to be deselected; keeping a test only costs an import. Implementations run in the
    order of the ``minitest_collection_modifyitems`` they mirror (``trylast`` for a selection
    made after the others).

    Pluggy options: a plain hook, every implementation is called.
    """


@hookspec
def minitest_markeval_namespace(config: Config) -> dict[str, Any] | None:
    """Extra names for the string conditions of ``skipif`` / ``xfail`` marks
    (``@pytest.mark.skipif("not has_gpu")``).

    When: each time an item's string condition is evaluated, through ``item.ihook`` (a
    conftest.py provides names for its own directory tree). Every implementation is called; the
    dicts are merged over ``os``, ``sys``, ``platform`` and ``config`` (the first registered
    plugin's last, so a nearer conftest wins), then the test module's globals go over them.
    Anything but a dict is an error of that test.

    Pluggy options: a plain hook. A wrapper may add to or filter the list of dicts its ``yield``
    returns.
    """


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def minitest_runtestloop(session: Session) -> object | None:
    """Run all the collected items. firstresult: the builtin ``runner`` runs them in order in this
    process; the ``dist`` plugin replaces it to hand the items to workers."""


@hookspec(firstresult=True)
def minitest_runtest_protocol(item: Item, nextitem: Item | None) -> object | None:
    """Run setup, call and teardown of one item and report each phase.

    ``nextitem`` lets the setup state tear down exactly the scopes that end here.
    firstresult; wrappers (timeout) may surround the whole protocol. An implementation that runs
    the item itself (the ``reruns`` builtin) composes :mod:`minitest.protocol`'s steps and returns
    True; None lets the next implementation run it.
    """


@hookspec
def minitest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """The protocol of one item starts (before its setup)."""


@hookspec
def minitest_runtest_logfinish(nodeid: str, location: tuple[str, int | None, str]) -> None:
    """The protocol of one item finished (after its teardown report)."""


@hookspec
def minitest_runtest_slow(nodeid: str, location: tuple[str, int | None, str], seconds: float) -> None:
    """A test has been running for ``seconds`` and has not finished (``--slow-after``).

    When: by the ``slow`` builtin, once a test has run ``--slow-after`` seconds, and again at each
    multiple (2S, 3S...) while it still runs; between the test's ``minitest_runtest_logstart``
    and ``minitest_runtest_logfinish``, never after. It is called from the slow builtin's watch
    thread, not the main thread (the main thread is busy running the test): an implementation
    must be quick and must not touch the test's state; to write to the terminal it uses
    ``TerminalReporterAPI.write_live_line``, which may be called from any thread. With workers
    (``-n``), the worker's call is forwarded by the ``parallel`` builtin and the controller calls
    the hook again, in its main thread, as soon as the message arrives (before the test's reports,
    which come when it finished): that is where the ``SLOW [> 2.0s] test_x.py::test_x`` line is
    written.

    Pluggy options: a plain hook; every implementation is called. Arguments are plain data (the
    controller has no item), like ``minitest_runtest_logstart``'s.
    """


@hookspec
def minitest_runtest_setup(item: Item) -> None:
    """Set up ``item``: the nodes of its chain and its fixtures. An exception is a setup error.

    The capture plugin wraps this hook (``wrapper=True``) to capture the output of the phase.
    """


@hookspec
def minitest_runtest_call(item: Item) -> None:
    """Run the test itself (``item.runtest()``). An exception is the test's failure."""


@hookspec
def minitest_runtest_teardown(item: Item, nextitem: Item | None) -> None:
    """Tear down what ends with ``item`` (the scopes not shared with ``nextitem``).

    ``nextitem`` is ``item`` itself when the item runs again (a rerun): only the item's own scope
    ends; its class, module and session fixtures stay set up."""


@hookspec(firstresult=True)
def minitest_runtest_makereport(item: Item, call: CallInfo[None]) -> TestReport | None:
    """Make the TestReport of one phase from its CallInfo.

    ``call.excinfo`` is None when the phase passed, else an ExceptionInfo as pytest's
    (``.value``, ``.type``, ``.errisinstance(...)``, ``.getrepr()``): plugins written for
    pytest read it unchanged.

    firstresult. The skipping plugin wraps it to turn skip / xfail exceptions and marks into the
    right outcome; a wrapper may change the report the ``yield`` returns.
    """


@hookspec
def minitest_runtest_logreport(report: TestReport) -> None:
    """A phase report is final: reporters (terminal, junitxml, cache, json) record it here."""


@hookspec(firstresult=True)
def minitest_pyfunc_call(pyfuncitem: Item) -> bool | None:
    """Call the Python test function; return True once called. firstresult: the python plugin's
    default calls it with ``pyfuncitem.funcargs``; a plugin may run it differently (async)."""


@hookspec(firstresult=True)
def minitest_fixture_setup(fixturedef: FixtureDef, request: SubRequest) -> object | None:
    """Execute the fixture function of ``fixturedef`` for ``request`` and return its value.

    Called when a test (or a fixture) needs a fixture that is not set up for its scope and
    parameter yet. firstresult: the fixtures plugin's implementation (trylast) calls the function
    with its own fixtures and caches the value or the exception in ``fixturedef.cached_result``; a
    plugin may run it differently (an async fixture) and return the value. A wrapper sees the value
    (or the exception) the ``yield`` gives and may replace it (``--setup-show`` prints a line).
    """


@hookspec
def minitest_fixture_post_finalizer(fixturedef: FixtureDef, request: SubRequest) -> None:
    """A fixture was torn down: its finalizers ran (its teardown code) and, once every
    implementation returned, its cached value is dropped. Called with the request that set it up.
    Every implementation is called; an exception is reported as an error of the teardown."""


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def minitest_report_teststatus(
    report: TestReport | CollectReport, config: Config
) -> tuple[str, str, str | tuple[str, Mapping[str, bool]]] | None:
    """Return ``(category, short letter, verbose word)`` for a report, e.g. ``("passed", ".", "PASSED")``.

    firstresult: the terminal plugin's default is ``trylast`` so other plugins (skipping for
    xfail/xpass) decide first. The verbose word may be ``(word, {"green": True})`` for colour.
    """


@hookspec
def minitest_report_collectionfinish(config: Config, start_path: Path, items: Sequence[Item]) -> str | list[str] | None:
    """Lines to show after the ``collected N items`` line: a string or a list of strings.

    When: once, by the terminal reporter's ``minitest_collection_finish``, after collection and
    ``minitest_collection_modifyitems`` (``items`` is the final list) and before the
    ``--collect-only`` listing; also with ``-q``. ``start_path`` is the directory minitest was
    started in.

    Pluggy options: a plain hook; every implementation's answer is shown, the last registered
    plugin's first (``tryfirst`` ones last). A wrapper may change the list of answers its
    ``yield`` returns.
    """


@hookspec
def minitest_report_stop_reason(session: Session) -> str | list[str] | None:
    """More about why the run stopped early: lines written under the terminal's ``!!!`` line.

    When: once, at the end of a run that stopped early (``session.shouldfail`` after ``-x`` /
    ``--maxfail``, or ``session.shouldstop``), by the terminal's stop-reasons part right after its
    ``!!! stopping after 1 failures !!!`` line, before the final line; with workers, on the
    controller (it has every report, the workers' included). The ``repeat`` builtin answers which
    attempt of a repeated test failed (``stopped at attempt 3 of 5 of test_x.py::test_x``).

    Pluggy options: a plain hook; every answer is written (a string or a list of lines), in
    pluggy's call order. Not called when nothing stopped the run early.
    """


@hookspec
def minitest_terminal_summary(terminalreporter: TerminalReporterAPI, exitstatus: int, config: Config) -> None:
    """Add sections to the terminal summary.

    When: once, at the end of the session (the terminal reporter's ``minitest_sessionfinish``),
    after the "ERRORS" and "FAILURES" sections and before the "PASSES" section, the short test
    summary and the final line; not called when the run ended with an internal error. With
    ``--no-summary`` it is still called (the terminal's own sections and the warnings summary are
    left out, as pytest 9.2 does). ``exitstatus`` is the run's :class:`~minitest.ExitCode`.

    ``terminalreporter`` is the :class:`~minitest.terminal_api.TerminalReporterAPI` contract:
    ``terminalreporter.write_sep("=", "title")`` starts a section, ``write_line(text)`` writes a
    line. The run's counts are ``config.stash[minitest.runstats.RUN_STATS]``.

    Pluggy options: a plain (not firstresult, not historic) hook; every implementation is called
    and return values are ignored. ``tryfirst`` / ``trylast`` order the sections (the warnings
    summary is one of them). A ``wrapper=True`` implementation may write before and after the
    sections the other implementations write (around its ``yield``); it must return the
    ``yield``'s result (``None``) and should not swallow an exception from them.
    """


@hookspec
def minitest_short_test_summary_lines(terminalreporter: TerminalReporterAPI, reportchars: str) -> list[str] | None:
    """Lines a plugin adds to the short test summary, for the outcomes it defines (the ``reruns``
    builtin lists its flaky tests with their attempts there).

    When: once, while the terminal writes the "short test summary info" section (after the final
    sections of ``minitest_terminal_summary``), which has a title as soon as any line is given.
    ``reportchars`` are the ``-r`` characters in effect (``a`` / ``A`` expanded): a plugin
    decides which of its lines they ask for. With ``-rN`` there is no short summary and no call. A line may carry colour through
    ``terminalreporter.writer.markup(text, red=True)``.

    Pluggy options: a plain hook; the lines of every implementation are written, the last
    registered plugin's first (``tryfirst`` ones first). A wrapper may change the list of answers
    its ``yield`` returns.
    """


@hookspec
def minitest_assertion_pass(item: Item, lineno: int, orig: str, expl: str) -> None:
    """An ``assert`` in a rewritten module passed.

    When: only with the ``enable_assertion_pass_hook`` ini key set and at least one
    implementation registered when the module was rewritten; then every passing assert of a test
    (and of the modules rewritten for it) calls it, in the test's frame. ``lineno`` is the
    assert's line, ``orig`` the source of its expression (``x == 1``), ``expl`` the explanation
    a failure would have shown, without the leading ``assert `` (``1 == 1``).

    Pluggy options: a plain hook, every implementation is called, results are ignored. Rewritten
    modules are cached: turning the ini key on or off makes them be rewritten again.
    """


@hookspec(firstresult=True)
def minitest_assertrepr_compare(config: Config, op: str, left: object, right: object) -> list[str] | None:
    """Explain a failing comparison ``left op right`` as lines of text.

    firstresult: a conftest.py may explain its own types; the assertion plugin's default is trylast.
    """


@hookspec
def minitest_warning_recorded(warning_message: warnings.WarningMessage, when: str, nodeid: str,
                              location: tuple[str, int, str] | None) -> None:
    """A warning was captured during ``when`` ("config", "collect" or "runtest"), by the test
    ``nodeid`` ("" outside a test). Every implementation is called (the warnings summary, workers
    sending it to the controller)."""


@hookspec(warn_on_impl=MinitestDeprecationWarning(
    "minitest_warning_captured is deprecated and will be removed in minitest 0.2; implement "
    "minitest_warning_recorded(warning_message, when, nodeid, location) instead"
))
def minitest_warning_captured(warning_message: warnings.WarningMessage, when: str, item: Item | None,
                              location: tuple[str, int, str] | None) -> None:
    """Deprecated: the old name of :func:`minitest_warning_recorded` (it received the item, not its
    node id). Still called for one release after ``minitest_warning_recorded``; implementing it
    issues a MinitestDeprecationWarning when the plugin is registered."""


@hookspec
def minitest_internalerror(excrepr: str, excinfo: ExceptionInfo[BaseException]) -> bool | None:
    """An internal error happened (a bug in minitest or a plugin): ``excrepr`` is its traceback as
    text (naming the plugin that raised, when known). Every implementation is called; if one
    returns True, the default printing of the traceback to stderr is left out."""


@hookspec
def minitest_exception_interact(node: Item | Collector, call: CallInfo[Any],
                                report: TestReport | CollectReport) -> None:
    """A phase of a test (setup, call, teardown) or the collection of a collector raised an
    exception that may be handled interactively; called after the report was logged
    (``minitest_runtest_logreport`` / ``minitest_collectreport``). ``call.excinfo`` holds the
    exception; ``report`` is its TestReport or CollectReport.

    Not called for skips, expected failures (``report.wasxfail``) or a debugger's quit. Every
    implementation is called, through ``node.ihook``; the ``debugging`` builtin implements it under
    ``--pdb`` (post-mortem debugging). pytest's ``pytest_exception_interact``.
    """


@hookspec
def minitest_enter_pdb(config: Config, pdb: Any) -> None:
    """A debugger is about to take the terminal (``breakpoint()``, ``pdb.set_trace()``, ``--pdb``,
    ``--trace``): output capture is already suspended; ``pdb`` is the ``pdb.Pdb`` (or ``--pdbcls``)
    instance. Every implementation is called. pytest's ``pytest_enter_pdb``.
    """


@hookspec
def minitest_leave_pdb(config: Config, pdb: Any) -> None:
    """The debugger was left with ``continue`` (after ``breakpoint()`` / ``--trace``, or a
    post-mortem): called after capture was resumed. Every implementation is called. pytest's
    ``pytest_leave_pdb``.
    """


@hookspec
def minitest_keyboard_interrupt(excinfo: ExceptionInfo[BaseException]) -> None:
    """The run was interrupted: Ctrl-C, ``minitest.exit()``, or ``-x`` / ``--maxfail`` stopping it
    (``excinfo.value`` says which). Every implementation is called, before the session finishes."""


@hookspec(firstresult=True)
def minitest_report_to_serializable(config: Config, report: TestReport | CollectReport) -> dict[str, Any] | None:
    """Turn a report into a dict of plain data (for sending from a worker). firstresult."""


@hookspec(firstresult=True)
def minitest_report_from_serializable(config: Config, data: dict[str, Any]) -> TestReport | CollectReport | None:
    """Rebuild a report from the dict made by ``minitest_report_to_serializable``. firstresult."""


# --------------------------------------------------------------------------------------------
# Distribution: the controller's view of its workers (pytest-xdist's hooks, pytest_* names map here)
# --------------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def minitest_xdist_auto_num_workers(config: Config) -> int | None:
    """How many workers ``-n auto`` (or ``-n logical``) starts; the first number returned wins,
    else one per usable CPU. pytest-xdist's ``pytest_xdist_auto_num_workers``."""


@hookspec
def minitest_shared_setup(session: Session) -> None:
    """The controller collected and is about to fork its local workers (``-n`` on POSIX): what an
    implementation sets up now, every worker inherits already set up (a fork copies the memory).

    Called once per run, in the controller, before ``minitest_xdist_setupnodes``; not called when
    the workers are spawned (``--tx``, or a run that cannot fork) nor when ``-n auto`` keeps the
    tests in this process. Every implementation is called. The fixtures plugin sets up here the
    fixtures declared ``per_run=True`` that the selected tests use.

    What is set up here belongs to this process: the implementation tears it down in
    ``minitest_shared_teardown`` and must not let a worker tear down its inherited copy (compare
    ``os.getpid()``). An exception raised here is an internal error of the run; a wrapper may time
    the set-up or do something before or after it.
    """


@hookspec
def minitest_shared_teardown(session: Session) -> None:
    """The last of the forked workers ended (finished, crashed or stopped by ``-x``): tear down
    what ``minitest_shared_setup`` set up. Called once, in the controller, before its
    ``minitest_runtestloop`` returns, so a report logged here (a teardown error, as the run's last
    test's, where a serial run has it) counts in the run's outcome. Every implementation is called,
    even when the run is being interrupted; an exception raised here is an internal error.
    """


@hookspec
def minitest_xdist_setupnodes(config: Config, specs: Sequence[Any]) -> None:
    """The controller is about to start its workers; ``specs`` are their ``execnet.XSpec`` objects.
    pytest-xdist's ``pytest_xdist_setupnodes``."""


@hookspec
def minitest_xdist_newgateway(gateway: Any) -> None:
    """A worker's execnet gateway was made (``gateway.id`` is the worker id, "gw0"...), before any
    test code runs there. pytest-xdist's ``pytest_xdist_newgateway``."""


@hookspec
def minitest_configure_node(node: WorkerNode) -> None:
    """A worker is about to start: add what it needs to ``node.workerinput`` (a dict of plain data
    the worker finds as ``config.workerinput``). Called on the controller, once per worker (a
    replacement of a crashed worker included). pytest-xdist's ``pytest_configure_node``.

    ```python
    def minitest_configure_node(node):
        node.workerinput["seed"] = node.config.getoption("seed")
    ```
    """


@hookspec
def minitest_testnodeready(node: WorkerNode) -> None:
    """A worker started its session: ``node.workerinfo`` holds its Python version, platform,
    executable and directory. pytest-xdist's ``pytest_testnodeready``."""


@hookspec
def minitest_xdist_node_collection_finished(node: WorkerNode, ids: Sequence[str]) -> None:
    """A worker collected: ``ids`` are its node ids. pytest-xdist's
    ``pytest_xdist_node_collection_finished``."""


@hookspec
def minitest_testnodedown(node: WorkerNode, error: object | None) -> None:
    """A worker ended: ``error`` is None when it finished its session, else why it died (its
    ``node.workeroutput`` is then missing). ``node.workeroutput`` is the worker's
    ``config.workeroutput`` as it was at the end of its run (plus ``exitstatus``, ``shouldfail``,
    ``shouldstop``). Called before the controller's ``minitest_runtestloop`` returns, so a wrapper
    of it sees every worker's output. pytest-xdist's ``pytest_testnodedown``."""


@hookspec(firstresult=True)
def minitest_handlecrashitem(crashitem: str, report: TestReport, sched: CrashScheduler) -> object | None:
    """A worker died while running the test ``crashitem``; ``report`` is its failure, about to be
    logged: an implementation may change it (``report.outcome``) and put the test back with
    ``sched.mark_test_pending(crashitem)``. firstresult. pytest-xdist's ``pytest_handlecrashitem``."""
