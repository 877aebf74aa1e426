"""Builtin plugin ``debugging`` (pytest's name): the Python debugger in a run.

* ``--pdb``: a failing or erroring test phase (setup, call, teardown) or collector enters the
  debugger post-mortem (``minitest_exception_interact``), after the captured output and the
  traceback; ``continue`` goes on with the run, ``quit`` stops it as ``minitest.exit()`` does.
* ``--trace``: each test's call starts in the debugger.
* ``breakpoint()`` / ``pdb.set_trace()`` in a test: the output capture is suspended while the
  debugger has the terminal and resumed on ``continue``.
* ``--pdbcls=module:Class`` uses another debugger class (``IPython.terminal.debugger:TerminalPdb``).

Capture is suspended through the kernel's :data:`~minitest.capture_api.CAPTURE_CONTROL` contract
and the lines go through the reporter published as
:data:`~minitest.terminal_api.TERMINAL_REPORTER`. The ``pdb`` module is imported only when a
debugger is really started, so a run without these options pays nothing for it: the hook of
``breakpoint()`` is ours, and ``pdb.set_trace`` is replaced when (if ever) ``pdb`` is imported.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from minitest import hookimpl
from minitest.capture_api import CAPTURE_CONTROL, CaptureControl
from minitest.config import Config, Parser, UsageError
from minitest.reports import PDB_SHOWN
from minitest.terminal_api import INTERACTIVE, TERMINAL_LEASE, TERMINAL_REPORTER

if TYPE_CHECKING:
    import types
    from importlib.machinery import ModuleSpec

    from minitest.nodes import Collector, Item
    from minitest.raises_api import ExceptionInfo
    from minitest.reports import CallInfo, CollectReport, TestReport


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("general", "general")
    group.addoption("--pdb", dest="usepdb", action="store_true", default=False,
                    help="start the interactive Python debugger on errors or KeyboardInterrupt")
    group.addoption("--pdbcls", dest="usepdb_cls", metavar="modulename:classname", default=None,
                    help="the interactive Python debugger to use with --pdb, --trace and breakpoint(), "
                         "e.g. --pdbcls=IPython.terminal.debugger:TerminalPdb")
    group.addoption("--trace", dest="trace", action="store_true", default=False,
                    help="immediately break when running each test")


def minitest_configure(config: Config) -> None:
    usepdb = bool(config.getoption("usepdb", False))
    trace = bool(config.getoption("trace", False))
    pdbcls = config.getoption("usepdb_cls", None)
    if pdbcls:
        _check_pdbcls(str(pdbcls))
    if usepdb or trace:
        _note_distributed(config, "--pdb" if usepdb else "--trace")
    if trace:
        config.pluginmanager.register(PdbTrace(), "pdbtrace")
    if usepdb:
        config.pluginmanager.register(PdbInvoke(), "pdbinvoke")

    _Debugger.saved.append((_Debugger.config, sys.breakpointhook))
    _Debugger.config = config
    if _default_breakpointhook():
        sys.breakpointhook = _breakpointhook
    _patch_pdb_set_trace()

    def restore() -> None:
        _Debugger.config, sys.breakpointhook = _Debugger.saved.pop()
        if not _Debugger.saved:
            _unpatch_pdb_set_trace()

    config.add_cleanup(restore)


def _check_pdbcls(value: str) -> None:
    """``--pdbcls`` names an importable class, or the run stops before it starts (exit 4)."""
    modname, colon, classname = value.partition(":")
    if not colon or not modname or not classname or ":" in classname:
        raise UsageError(f"--pdbcls: {value!r} is not in the format 'modulename:classname'")
    _import_pdbcls(value)


def _import_pdbcls(value: str) -> type:
    modname, _, classname = value.partition(":")
    try:
        obj: Any = importlib.import_module(modname)
        for part in classname.split("."):  # --pdbcls=pdb:pdb.Pdb works, as in pytest (pdbpp)
            obj = getattr(obj, part)
    except Exception as exc:
        raise UsageError(f"--pdbcls: could not import {value!r}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(obj, type):
        raise UsageError(f"--pdbcls: {value!r} is not a class")
    return obj


def _note_distributed(config: Config, option: str) -> None:
    """The debugger needs the terminal: with workers, only those forked from this process share
    it (the ``parallel`` builtin refuses the others, told by :data:`INTERACTIVE`); ``-n auto``
    runs in this process, as pytest-xdist does with the debugger."""
    if hasattr(config, "workerinput") or config.getoption("collectonly", False):
        return
    if config.getoption("dist", None) == "no":
        return
    numprocesses = config.getoption("numprocesses", None)
    text = str(numprocesses).strip().lower() if numprocesses is not None else ""
    if text in ("auto", "logical"):
        config.option.numprocesses = "0"  # as pytest-xdist: -n auto (often in addopts) yields
        return
    if (text and text != "0") or (not text and config.getoption("tx", None)):
        config.stash[INTERACTIVE] = option


# ---------------------------------------------------------------------------------------------
# the debugger, wrapped
# ---------------------------------------------------------------------------------------------


class _Debugger:
    """The run's state of debugging (pytest's ``pytestPDB``); nested runs stack their config."""

    config: Config | None = None
    saved: list[tuple[Config | None, Callable[..., object]]] = []
    recursive_debug = 0
    wrapped: tuple[str | None, type] | None = None


def _capture(config: Config | None) -> CaptureControl | None:
    return config.stash.get(CAPTURE_CONTROL, None) if config is not None else None


def _take_terminal(config: Config | None) -> None:
    """In a worker sharing the terminal: wait until it is this process's alone."""
    lease = config.stash.get(TERMINAL_LEASE, None) if config is not None else None
    if lease is not None:
        lease.acquire()


def _give_terminal(config: Config | None) -> None:
    lease = config.stash.get(TERMINAL_LEASE, None) if config is not None else None
    if lease is not None:
        lease.release()


class _Writer:
    """Where the debugging lines go: the terminal reporter's writer (``direct``: straight to
    ``sys.stdout``, at the reporter's width, as pytest's own writer for the debugger's lines), or
    plain ``sys.stdout`` without a reporter."""

    def __init__(self, config: Config | None, direct: bool = False) -> None:
        reporter = config.stash.get(TERMINAL_REPORTER, None) if config is not None else None
        self._tw = reporter.writer if reporter is not None else None
        self._direct = direct or self._tw is None

    def line(self, text: str = "", **marks: bool) -> None:
        if self._direct or self._tw is None:
            sys.stdout.write(text + "\n")
        else:
            self._tw.line(text, **marks)

    def sep(self, char: str, title: str) -> None:
        if not self._direct and self._tw is not None:
            self._tw.sep(char, title)
            return
        if self._tw is not None:
            fullwidth = self._tw.fullwidth
        else:
            import shutil

            fullwidth = shutil.get_terminal_size((80, 24)).columns
        fill = char * max((fullwidth - len(title) - 2) // (2 * len(char)), 1)
        text = f"{fill} {title} {fill}"
        if len(text) + len(char.rstrip()) <= fullwidth:
            text += char.rstrip()
        self.line(text)

    def flush(self) -> None:
        if self._tw is not None:
            self._tw.flush()
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stdout.flush()


def _stdin_problem() -> str | None:
    """Why the debugger cannot read commands (None when it can)."""
    stdin = sys.stdin
    if stdin is None or getattr(stdin, "closed", False):
        return "stdin is closed"
    try:
        os.fstat(stdin.fileno())
    except (AttributeError, ValueError):
        return "stdin is closed"
    except OSError as exc:
        import io

        if not isinstance(exc, io.UnsupportedOperation):  # an in-memory stdin (StringIO) is readable
            return "stdin is closed"
    return None


def _pdb_class(config: Config | None) -> type:
    """The debugger class (``--pdbcls`` or ``pdb.Pdb``) wrapped for minitest, made once per value."""
    value = config.getoption("usepdb_cls", None) if config is not None else None
    if _Debugger.wrapped is not None and _Debugger.wrapped[0] == value:
        return _Debugger.wrapped[1]
    if value:
        base = _import_pdbcls(str(value))
    else:
        import pdb

        base = pdb.Pdb
    wrapped = _wrap_pdb_class(base)
    _Debugger.wrapped = (value, wrapped)
    return wrapped


def _wrap_pdb_class(base: type) -> type:
    class MinitestPdb(base):
        """The debugger with minitest's capture handling, quit and continue."""

        _minitest_suspended: contextlib.AbstractContextManager[None] | None = None
        _continued = False
        #: holds the terminal's lease (a worker sharing the terminal), taken when it starts
        _minitest_leased = False

        def _minitest_suspend(self) -> None:
            if not self._minitest_leased:
                _take_terminal(_Debugger.config)
                self._minitest_leased = True
            if self._minitest_suspended is None:
                self._minitest_suspended = _suspend_capture(_Debugger.config)

        def _minitest_resume(self) -> None:
            suspended, self._minitest_suspended = self._minitest_suspended, None
            if suspended is not None:
                suspended.__exit__(None, None, None)
            if self._minitest_leased:
                self._minitest_leased = False
                _give_terminal(_Debugger.config)

        def do_debug(self, arg: str) -> Any:
            _Debugger.recursive_debug += 1
            try:
                return super().do_debug(arg)
            finally:
                _Debugger.recursive_debug -= 1

        def do_continue(self, arg: str) -> Any:
            ret = super().do_continue(arg)
            config = _Debugger.config
            if _Debugger.recursive_debug == 0 and config is not None:
                tw = _Writer(config, direct=True)
                tw.line()
                capture = _capture(config)
                capturing = capture.is_capturing() if capture is not None else False
                if capturing == "global":
                    tw.sep(">", "PDB continue (IO-capturing resumed)")
                elif capturing:
                    tw.sep(">", f"PDB continue (IO-capturing resumed for {capturing})")
                else:
                    tw.sep(">", "PDB continue")
                tw.flush()
                self._minitest_resume()
            if config is not None:
                config.hook.minitest_leave_pdb(config=config, pdb=self)
            self._continued = True
            return ret

        do_c = do_cont = do_continue

        def do_quit(self, arg: str) -> Any:
            ret = super().do_quit(arg)
            if _Debugger.recursive_debug == 0:
                self._minitest_resume()
                from minitest.outcomes import exit

                exit("Quitting debugger")
            return ret

        do_q = do_exit = do_quit

        def do_EOF(self, arg: str) -> Any:
            # Ctrl-D at a terminal quits (as pytest); the end of piped commands goes on with the run
            stdin = sys.stdin
            if stdin is not None and not _isatty(stdin) and _Debugger.recursive_debug == 0:
                self.message("")
                return self.do_continue(arg)
            return super().do_EOF(arg)

        def setup(self, f: Any, tb: Any) -> Any:
            ret = super().setup(f, tb)
            if not ret and self._continued:  # a second breakpoint after continue: suspend again
                self._minitest_suspend()
            return ret

        def get_stack(self, f: Any, t: Any) -> Any:
            stack, i = super().get_stack(f, t)
            if f is None:  # post-mortem: the last frame that does not hide itself
                i = max(0, len(stack) - 1)
                while i and stack[i][0].f_locals.get("__tracebackhide__", False):
                    i -= 1
            return stack, i

    for name in ("do_debug", "do_continue", "do_quit", "do_EOF"):
        doc = getattr(getattr(base, name, None), "__doc__", None)
        if doc:
            getattr(MinitestPdb, name).__doc__ = doc
    MinitestPdb.__qualname__ = MinitestPdb.__name__ = f"Minitest{base.__name__}"
    return MinitestPdb


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _suspend_capture(config: Config | None) -> contextlib.AbstractContextManager[None] | None:
    capture = _capture(config)
    if capture is None:
        return None
    suspended = capture.global_and_fixture_disabled()
    suspended.__enter__()
    return suspended


def _init_pdb(method: str, **kwargs: Any) -> Any:
    """A debugger ready to interact, capture suspended (pytest's ``_init_pdb``); None (after a
    line saying why) when stdin cannot be read: the run goes on without debugging."""
    config = _Debugger.config
    _take_terminal(config)  # a worker: the others' output waits while this one debugs
    suspended = _suspend_capture(config)
    problem = _stdin_problem()  # with capture suspended: the real stdin
    if problem is not None:
        tw = _Writer(config, direct=True)
        tw.line()
        tw.sep(">", f"PDB {method}: {problem}, not entering the debugger")
        tw.flush()
        if suspended is not None:
            suspended.__exit__(None, None, None)
        _give_terminal(config)
        return None
    if config is not None:
        tw = _Writer(config, direct=True)
        tw.line()
        if _Debugger.recursive_debug == 0:
            header = kwargs.pop("header", None)
            capture = _capture(config)
            capturing = capture.is_capturing() if capture is not None else False
            if header is not None:
                tw.sep(">", header)
            elif capturing == "global":
                tw.sep(">", f"PDB {method} (IO-capturing turned off)")
            elif capturing:
                tw.sep(">", f"PDB {method} (IO-capturing turned off for {capturing})")
            else:
                tw.sep(">", f"PDB {method}")
        tw.flush()
    debugger = _pdb_class(config)(**kwargs)
    debugger._minitest_suspended = suspended
    debugger._minitest_leased = True
    if config is not None:
        config.hook.minitest_enter_pdb(config=config, pdb=debugger)
    return debugger


def set_trace(*args: Any, **kwargs: Any) -> None:
    """``pdb.set_trace()`` and ``breakpoint()`` while minitest runs: capture suspended."""
    frame = sys._getframe(1)
    debugger = _init_pdb("set_trace", **kwargs)
    if debugger is not None:
        debugger.set_trace(frame)


#: ``sys.breakpointhook`` while minitest runs (``breakpoint()`` calls it from the test's frame)
_breakpointhook = set_trace


def _default_breakpointhook() -> bool:
    """Whether ``breakpoint()`` would start pdb: ``PYTHONBREAKPOINT`` names no other debugger."""
    if sys.breakpointhook is not sys.__breakpointhook__ and sys.breakpointhook is not _breakpointhook:
        return False  # someone installed their own hook
    return os.environ.get("PYTHONBREAKPOINT", "") in ("", "pdb.set_trace")


# ``pdb.set_trace`` is replaced in the pdb module, imported now or later (a finder on sys.meta_path
# patches it as it loads), so that a run never imports pdb itself for nothing.
_original_set_trace: Callable[..., None] | None = None


def _patch_pdb_set_trace() -> None:
    global _original_set_trace
    pdb = sys.modules.get("pdb")
    if pdb is None:
        if not any(isinstance(finder, _PdbImportPatcher) for finder in sys.meta_path):
            sys.meta_path.insert(0, _PdbImportPatcher())
        return
    if getattr(pdb, "set_trace", None) is not set_trace:
        _original_set_trace = getattr(pdb, "set_trace", None)
        setattr(pdb, "set_trace", set_trace)  # noqa: B010


def _unpatch_pdb_set_trace() -> None:
    global _original_set_trace
    sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, _PdbImportPatcher)]
    pdb = sys.modules.get("pdb")
    if pdb is not None and getattr(pdb, "set_trace", None) is set_trace and _original_set_trace is not None:
        setattr(pdb, "set_trace", _original_set_trace)  # noqa: B010
    _original_set_trace = None


class _PdbImportPatcher:
    """A meta-path finder for ``pdb`` only: the module loads as usual, then ``set_trace`` is ours."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != "pdb":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_patch(module: types.ModuleType) -> None:
            exec_module(module)
            global _original_set_trace
            if _Debugger.saved and getattr(module, "set_trace", None) is not set_trace:
                _original_set_trace = module.set_trace
                setattr(module, "set_trace", set_trace)  # noqa: B010

        spec.loader = _PatchingLoader(loader, exec_and_patch)  # type: ignore[assignment]
        return spec


class _PatchingLoader:
    """The loader of the pdb module, with ``exec_module`` replaced; everything else delegated."""

    def __init__(self, loader: Any, exec_module: Callable[[types.ModuleType], None]) -> None:
        self._loader = loader
        self.exec_module = exec_module

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


# ---------------------------------------------------------------------------------------------
# --pdb and --trace
# ---------------------------------------------------------------------------------------------


class PdbInvoke:
    """``--pdb``: post-mortem debugging of failures and errors."""

    def minitest_exception_interact(self, node: Item | Collector, call: CallInfo[Any],
                                    report: TestReport | CollectReport) -> None:
        config = node.config
        _take_terminal(config)  # a worker: from the first line written, the terminal is its alone
        try:
            capture = _capture(config)
            if capture is not None:
                capture.suspend_global_capture(in_=True)
                out, err = capture.read_global_capture()
                sys.stdout.write(out)
                sys.stdout.write(err)
            problem = _stdin_problem()
            if problem is not None:  # the failure is reported as usual and the run goes on
                tw = _Writer(config)
                tw.line()
                tw.sep(">", f"PDB post_mortem: {problem}, not entering the debugger")
                tw.flush()
                return
            assert call.excinfo is not None
            enter_pdb(config, call.excinfo, report)
        finally:
            _give_terminal(config)

    def minitest_internalerror(self, excinfo: ExceptionInfo[BaseException]) -> None:
        post_mortem(_postmortem_target(excinfo.value))


class PdbTrace:
    """``--trace``: each test's call starts in the debugger."""

    @hookimpl(wrapper=True)
    def minitest_pyfunc_call(self, pyfuncitem: Any) -> Generator[None, object, object]:
        wrap_function_for_tracing(pyfuncitem)
        return (yield)


def wrap_function_for_tracing(pyfuncitem: Any) -> None:
    """Replace the item's function by one that runs it under the debugger."""
    debugger = _init_pdb("runcall")
    if debugger is None:
        return
    testfunction = pyfuncitem.obj

    @functools.wraps(testfunction)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        debugger.runcall(functools.partial(testfunction, *args, **kwargs))

    pyfuncitem.obj = wrapper


def enter_pdb(config: Config, excinfo: ExceptionInfo[BaseException], report: TestReport | CollectReport) -> None:
    """Show what the failure captured and its traceback, then debug it post-mortem."""
    tw = _Writer(config)
    tw.line()
    showcapture = config.getoption("showcapture", "all")
    for name, content in (("stdout", report.capstdout), ("stderr", report.capstderr),
                          ("log", report.caplog)):
        if showcapture in (name, "all") and content:
            tw.sep(">", "captured " + name)
            tw.line(content[:-1] if content.endswith("\n") else content)
    tw.sep(">", "traceback")
    longrepr = report.longrepr
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr or "")
    for line in text.split("\n"):
        red = line.startswith("E   ")
        tw.line(line, red=red, bold=red)
    tw.sep(">", "entering PDB")
    tw.flush()
    setattr(report, PDB_SHOWN, True)  # before: quitting the debugger raises out of post_mortem
    if not post_mortem(_postmortem_target(excinfo.value)):
        delattr(report, PDB_SHOWN)


def _postmortem_target(exc: BaseException) -> BaseException | types.TracebackType | None:
    """What pdb debugs post-mortem: the exception (Python 3.13+) or its traceback; for a doctest's
    unexpected exception or a conftest.py that failed to import, the exception underneath."""
    inner = getattr(exc, "exc_info", None)
    if type(exc).__name__ == "UnexpectedException" and isinstance(inner, tuple) and len(inner) == 3:
        exc = inner[1]
    elif type(exc).__name__ == "ConftestImportFailure" and isinstance(getattr(exc, "cause", None), BaseException):
        exc = exc.cause  # type: ignore[attr-defined]
    if sys.version_info >= (3, 13):
        return exc
    return exc.__traceback__


def post_mortem(target: BaseException | types.TracebackType | None) -> bool:
    """Debug ``target`` post-mortem; False when the debugger could not start."""
    debugger = _init_pdb("post_mortem")
    if debugger is None:
        return False
    debugger.reset()
    try:
        debugger.interaction(None, target)
    finally:
        debugger._minitest_resume()
    if debugger.quitting:
        from minitest.outcomes import exit

        exit("Quitting debugger")
    return True
