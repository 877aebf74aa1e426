"""The terminal part that says why the run stopped early: the ``!!!`` lines for ``--maxfail``,
``-x``, a KeyboardInterrupt or ``minitest.exit()`` (with what plugins add about it:
``minitest_report_stop_reason``), and the ``INTERNALERROR>`` lines of an internal error.

Registered as the plugin ``terminalreporter.stop_reasons``
(:data:`minitest.terminal_api.STOP_REASONS`), a :class:`~minitest.terminal_api.SummaryPart`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minitest.exitcode import ExitCode
from minitest.nodes import Session
from minitest.terminal_api import STOP_REASONS

if TYPE_CHECKING:
    from minitest.raises_api import ExceptionInfo

    from .reporter import TerminalReporter


class StopReasons:
    """Writes why the run stopped, just before the final line (and internal errors as they come)."""

    name = STOP_REASONS

    def __init__(self, reporter: TerminalReporter) -> None:
        self._reporter = reporter
        self._interrupt: BaseException | None = None

    def minitest_keyboard_interrupt(self, excinfo: ExceptionInfo[BaseException]) -> None:
        self._interrupt = excinfo.value

    def minitest_internalerror(self, excrepr: str) -> bool:
        tw = self._reporter.writer
        self._reporter.ensure_newline()  # not glued to a progress line
        tw.flush()
        for line in str(excrepr).splitlines():
            tw.line(f"INTERNALERROR> {line}")
        tw.flush()
        return True

    def write_summary(self, session: Session, exitstatus: int) -> None:
        reporter = self._reporter
        if session.shouldfail:
            reporter.write_sep("!", str(session.shouldfail), red=True)
        if exitstatus == ExitCode.INTERRUPTED:
            self._report_interrupt()
            self._interrupt = None
        elif session.shouldstop:
            reporter.write_sep("!", str(session.shouldstop), red=True)
        if session.shouldfail or session.shouldstop:
            self._write_details(session)

    def _write_details(self, session: Session) -> None:
        """What plugins add about the stop (``minitest_report_stop_reason``): which attempt of a
        repeated test failed, for one."""
        for answer in session.config.hook.minitest_report_stop_reason(session=session):
            for line in [answer] if isinstance(answer, str) else answer:
                self._reporter.write_line(str(line), red=True)

    def minitest_unconfigure(self) -> None:
        # minitest.exit(reason, returncode=3) ends with its own exit code: its reason was not
        # among the stop reasons, and is shown after the final line (where pytest shows it)
        if self._interrupt is not None:
            self._report_interrupt()
            self._interrupt = None
            self._reporter.writer.flush()

    def _report_interrupt(self) -> None:
        # pytest 9.2 writes these lines in the default colour (its -x / --maxfail line is red)
        exc = self._interrupt
        if exc is None:
            return
        reporter = self._reporter
        if isinstance(exc, Session.Interrupted):
            reporter.write_sep("!", f"Interrupted: {exc}")
            return
        from minitest.outcomes import Exit

        if isinstance(exc, Exit):
            # pytest's "_pytest.outcomes.Exit: reason", in minitest's name
            reporter.write_sep("!", f"{Exit.__module__}.{Exit.__qualname__}: {exc.msg}")
            return
        reporter.write_sep("!", "KeyboardInterrupt")
        from minitest.tracebacks import raise_location

        where = raise_location(exc)
        if where is not None:
            reporter.ensure_newline()
            reporter.writer.write(str(where[0]), bold=True, red=True)  # pytest's bytes: the path marked
            reporter.writer.line(f":{where[1]}: KeyboardInterrupt")
        reporter.write_line("(to show a full traceback on KeyboardInterrupt use --full-trace)", yellow=True)
