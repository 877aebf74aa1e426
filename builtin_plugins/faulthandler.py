"""faulthandler for the run, as pytest does: a crash (SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGILL)
prints the Python traceback of every thread instead of dying silently, and ini
``faulthandler_timeout = N`` dumps the tracebacks of a test still running after N seconds
(``faulthandler_exit_on_timeout = true`` also ends the process then).

The tracebacks go to a copy of the stderr descriptor taken at configure time, so output capture
(which redirects descriptor 2 during each test) does not swallow them. Blockable with
``-p no:faulthandler`` (pytest's name).
"""

from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import Generator

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.nodes import Item
from minitest.stash import StashKey

#: (the descriptor the tracebacks go to, whether faulthandler was enabled before the run)
_STATE = StashKey[tuple[int, bool]]()


def minitest_addoption(parser: Parser) -> None:
    parser.addini("faulthandler_timeout",
                  "dump the traceback of all threads if a test takes more than this many seconds "
                  "(0: never)", type="float", default=0.0)
    parser.addini("faulthandler_exit_on_timeout",
                  "exit the process after dumping the tracebacks of a test over faulthandler_timeout",
                  type="bool", default=False)


@hookimpl(trylast=True)
def minitest_configure(config: Config) -> None:
    timeout = float(config.getini("faulthandler_timeout") or 0)
    try:
        fd = os.dup(sys.__stderr__.fileno() if sys.__stderr__ is not None else 2)
    except (AttributeError, OSError, ValueError):
        return  # no usable stderr (pythonw, a closed descriptor): nothing to dump to
    was_enabled = faulthandler.is_enabled()
    faulthandler.enable(file=fd, all_threads=True)
    config.stash[_STATE] = (fd, was_enabled)
    if timeout > 0:
        config.pluginmanager.register(_Timeout(fd, timeout, bool(config.getini("faulthandler_exit_on_timeout"))),
                                      "faulthandler-timeout")


def minitest_unconfigure(config: Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    del config.stash[_STATE]
    fd, was_enabled = state
    faulthandler.cancel_dump_traceback_later()
    faulthandler.disable()
    os.close(fd)
    if was_enabled and sys.__stderr__ is not None:
        try:
            faulthandler.enable(file=sys.__stderr__)  # as it was (python -X faulthandler)
        except (OSError, ValueError, AttributeError):
            pass


class _Timeout:
    """Arms the dump around each test (registered only when ``faulthandler_timeout`` is set)."""

    def __init__(self, fd: int, seconds: float, exit_: bool) -> None:
        self.fd = fd
        self.seconds = seconds
        self.exit = exit_

    @hookimpl(wrapper=True, trylast=True)
    def minitest_runtest_protocol(self, item: Item) -> Generator[None, object, object]:
        faulthandler.dump_traceback_later(self.seconds, exit=self.exit, file=self.fd)
        try:
            return (yield)
        finally:
            faulthandler.cancel_dump_traceback_later()

    @hookimpl(tryfirst=True)
    def minitest_enter_pdb(self) -> None:
        # a debugging session is not a hang
        faulthandler.cancel_dump_traceback_later()

    @hookimpl(tryfirst=True)
    def minitest_exception_interact(self) -> None:
        faulthandler.cancel_dump_traceback_later()


