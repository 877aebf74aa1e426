"""The console entry point: build the Config, call ``minitest_cmdline_main``, return an ExitCode.

The bootstrap itself (plugins, config file, conftest.py files, the parses) is
:func:`minitest.config.bootstrap`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from minitest.config import Config, MinitestConfigWarning, UsageError, bootstrap, determine_rootdir
from minitest.exitcode import ExitCode
from minitest.pluginmanager import ConftestImportFailure

__all__ = ["ExitCode", "main", "console_main", "prepare_config", "MinitestConfigWarning", "SUBCOMMANDS",
           "expand_subcommand"]


def prepare_config(args: Sequence[str], plugins: Sequence[object] = ()) -> Config:
    """Run the bootstrap (:func:`minitest.config.bootstrap`) and return the Config, not yet
    ``configure``d."""
    return bootstrap(args, plugins)


#: ``minitest NAME ARGS...`` is ``minitest OPTIONS ARGS...``: a subcommand is a run whose builtins
#: are told what to do by an option (``reportlog``'s ``--replay``), so it takes every option a run
#: does (``minitest replay run.jsonl -v -rA``). A file or folder of the same name in the current
#: directory is still a test path (``./replay`` always is).
SUBCOMMANDS: dict[str, tuple[str, ...]] = {
    # print the terminal report of a recorded run (the cache is left as it is: nothing ran here)
    "replay": ("--replay=terminal", "-p", "no:cache"),
    # write report files (--html, --junitxml, --report-log) from a recorded run, no terminal report
    "report": ("--replay=report", "-p", "no:cache", "-p", "no:terminal"),
    # join the shards' JUnit XML files or report logs into one report (OUT first, then the inputs)
    "merge": ("--merge", "-p", "no:cache"),
}


def expand_subcommand(args: Sequence[str]) -> list[str]:
    """``args`` with a leading subcommand name replaced by the options it stands for."""
    if args and args[0] in SUBCOMMANDS and not os.path.exists(args[0]):
        return [*SUBCOMMANDS[args[0]], *args[1:]]
    return list(args)


def main(args: Sequence[str] | None = None, plugins: Sequence[object] = ()) -> int:
    """Run minitest with ``args`` (default ``sys.argv[1:]``); return the exit code."""
    if args is None:
        args = sys.argv[1:]
    from minitest import startup

    caller_display_dir = startup.display_dir  # an in-process run must give the caller's back
    try:
        return _main(args, plugins)
    finally:
        startup.display_dir = caller_display_dir


def _main(args: Sequence[str], plugins: Sequence[object]) -> int:
    args = expand_subcommand(args)
    try:
        config = prepare_config(args, plugins)
    except ConftestImportFailure as exc:
        sys.stderr.write(f"ERROR: {exc}\n")
        return ExitCode.USAGE_ERROR
    except UsageError as exc:
        lines = str(exc).splitlines() or [""]
        sys.stderr.write(f"ERROR: {lines[0]}\n")
        for line in lines[1:]:
            sys.stderr.write(f"{line}\n")
        if lines[0].startswith("usage:"):
            inifile, rootdir = _early_location(args)
            sys.stderr.write(f"  inifile: {inifile}\n  rootdir: {rootdir}\n")
        sys.stderr.write("\n")  # pytest 9.2 ends every usage error with a blank line
        return ExitCode.USAGE_ERROR
    try:
        result = config.hook.minitest_cmdline_main(config=config)
        return int(result if result is not None else ExitCode.OK)
    except UsageError as exc:
        sys.stderr.write(f"ERROR: {exc}\n\n")  # the blank line too, as pytest 9.2
        return ExitCode.USAGE_ERROR
    finally:
        config.ensure_unconfigure()


def _early_location(args: Sequence[str]) -> tuple[str, str]:
    """Best-effort config file and rootdir for a usage message (the parse itself failed)."""
    try:
        positional = [a for a in args if not str(a).startswith("-")]
        rootdir, ini = determine_rootdir(positional, Path.cwd(), None, None)
        return (str(ini.path) if ini.path else "None"), str(rootdir)
    except Exception:
        return "None", str(Path.cwd())


def _skip_exit_collection() -> None:
    """The process ends right after this: keep the interpreter's final garbage collections from
    walking everything the run made.

    At exit CPython clears every module and runs full collections over what is left: the test
    modules, their classes and functions, every node of the collection tree. After a large
    collection that costs more than a fifth of a ``--collect-only`` run. Frozen objects are left
    out of those passes; atexit handlers still run, and objects freed by reference counting are
    still finalized as usual. Only here, where minitest owns the process: ``main()`` called
    in-process leaves the caller's garbage collector alone.
    """
    import gc

    gc.freeze()


def console_main() -> int:
    """The ``minitest`` console script: flushes stdout and survives a closed pipe."""
    try:
        code = main()
        sys.stdout.flush()
        _skip_exit_collection()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
