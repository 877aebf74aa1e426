"""Builtin plugin ``reruns``: a failing test runs again, up to N more times. The options, ini keys
and ``flaky`` mark are pytest-rerunfailures', so a project's configuration works unchanged (the
installed plugin itself is not loaded: this builtin runs instead).

    --reruns N, reruns ini, @mark.flaky(reruns=N)   extra attempts a failing test gets
    --reruns-delay S, --reruns-delay-backoff-factor F   wait S * F**(attempt - 1) seconds first
    --only-rerun REGEX, --rerun-except REGEX        which failures deserve another attempt
    --fail-on-flaky                                  a test that passed only on a rerun: exit 7

    runtest_protocol (tryfirst) → each attempt: setup, call; a failure worth another attempt →
                                  teardown of the item only (its class, module and session stay
                                  set up), its failed reports logged as "rerun"; otherwise the
                                  usual teardown and reports. None for a test with no reruns.
    report_teststatus           → "rerun", R, RERUN (yellow)
    terminal_summary            → with -rR (or --rerun-show-tracebacks): each attempt of the rerun tests

Each report of an item run here carries ``rerun`` (the attempt, from 0), and the item
``execution_count`` (the attempts so far), as pytest-rerunfailures leaves them.
"""

from __future__ import annotations

import inspect
import re
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from minitest import clock, hookimpl
from minitest.config import Config, Parser, UsageError
from minitest.marks import Mark, mark_condition_namespace
from minitest.nodes import Item, Session
from minitest.protocol import run_phase
from minitest.records import FrozenRecord
from minitest.reportlog_api import REPLAYED_RUN
from minitest.reports import CallInfo, TestReport
from minitest.stash import StashKey
from minitest.terminal_api import TerminalReporterAPI

#: pytest-rerunfailures' exit code for ``--fail-on-flaky`` when a test passed only on a rerun
FLAKY_EXIT_CODE = 7
_PHASE_ORDER = {"setup": 0, "call": 1, "teardown": 2}
FLAKY_MARK = frozenset({"flaky"})
#: the plugin name of the :class:`RerunRecorder`
RECORDER = "reruns.recorder"


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("rerunfailures", "re-run failing tests to eliminate flaky failures")
    group.addoption("--reruns", dest="reruns", type=int, default=None, metavar="N",
                    help="run a failing test up to N more times (the flaky mark sets it per test)")
    group.addoption("--reruns-delay", dest="reruns_delay", type=float, default=None, metavar="SECONDS",
                    help="wait this long before each rerun")
    group.addoption("--reruns-delay-backoff-factor", dest="reruns_delay_backoff_factor", type=float,
                    default=None, metavar="FACTOR", help="multiply the delay by this factor after each attempt")
    group.addoption("--only-rerun", dest="only_rerun", action="append", default=None, metavar="REGEX",
                    help="rerun only failures whose 'ExceptionType: message' matches REGEX (repeatable)")
    group.addoption("--rerun-except", dest="rerun_except", action="append", default=None, metavar="REGEX",
                    help="do not rerun failures whose 'ExceptionType: message' matches REGEX (repeatable)")
    group.addoption("--rerun-exclude-path", dest="rerun_exclude_path", action="append", default=None,
                    metavar="PATH", help="never rerun the tests under PATH (relative to the rootdir; repeatable)")
    group.addoption("--reruns-mode", dest="reruns_mode", choices=("strict", "append"), default="strict",
                    help="strict: a flaky mark's count replaces --reruns; append: the two add up")
    group.addoption("--force-reruns", dest="force_reruns", type=int, default=None, metavar="N",
                    help="give every failing test N reruns, whatever its flaky mark says")
    group.addoption("--max-suite-reruns", dest="max_suite_reruns", type=int, default=None, metavar="N",
                    help="no more than N reruns in the whole run (per worker with -n)")
    group.addoption("--fail-on-flaky", dest="fail_on_flaky", action="store_true", default=False,
                    help="end with exit code 7 when a test passed only on a rerun")
    group.addoption("--rerun-show-tracebacks", dest="rerun_show_tracebacks", action="store_true", default=False,
                    help="show the failure of each rerun attempt in the rerun summary")
    parser.addini("reruns", "how many times a failing test runs again (0: never)", default="")
    parser.addini("reruns_delay", "seconds to wait before each rerun", default="")
    parser.addini("reruns_delay_backoff_factor", "multiply the rerun delay by this after each attempt", default="")
    parser.addini("only_rerun", "rerun only failures matching these regexes", type="linelist", default=[])
    parser.addini("rerun_except", "never rerun failures matching these regexes", type="linelist", default=[])


class RerunSettings(FrozenRecord):
    """The run-wide settings, read and checked once at configure time.

    This and :class:`RerunPolicy` are :class:`~minitest.records.FrozenRecord` subclasses, not frozen
    dataclasses: 1.8 ms of CPU less at each start-up (the two class creations)."""

    __slots__ = ("reruns", "force", "append", "delay", "backoff", "only_rerun", "rerun_except", "excluded",
                 "max_suite_reruns", "usepdb")
    reruns: int | None  # --reruns, else the ini value; None: no global reruns
    force: int | None
    append: bool
    delay: float
    backoff: float
    only_rerun: tuple[str, ...]
    rerun_except: tuple[str, ...]
    excluded: tuple[Path, ...]
    max_suite_reruns: int | None
    usepdb: bool

    def __init__(self, reruns: int | None, force: int | None, append: bool, delay: float, backoff: float,
                 only_rerun: tuple[str, ...], rerun_except: tuple[str, ...], excluded: tuple[Path, ...],
                 max_suite_reruns: int | None, usepdb: bool) -> None:
        for name, value in zip(self.__slots__, (reruns, force, append, delay, backoff, only_rerun, rerun_except,
                                                excluded, max_suite_reruns, usepdb), strict=True):
            object.__setattr__(self, name, value)


SETTINGS = StashKey[RerunSettings]()
#: reruns done so far in this process (for --max-suite-reruns)
SUITE_RERUNS = StashKey[list[int]]()


def _non_negative(value: object, what: str, kind: type[int] | type[float]) -> Any:
    if value is None or value == "":
        return None
    try:
        number = kind(str(value))
    except (TypeError, ValueError):
        raise UsageError(f"{what}: expected a {'whole ' if kind is int else ''}number, got {value!r}") from None
    if number < 0:
        raise UsageError(f"{what}: expected a number >= 0, got {value!r}")
    return number


def _patterns(config: Config, name: str) -> tuple[str, ...]:
    patterns = config.getoption(name) or config.getini(name) or []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UsageError(f"invalid regular expression for {name}: {pattern!r} ({exc})") from None
    return tuple(patterns)


def minitest_configure(config: Config) -> None:
    config.addinivalue_line(
        "markers", "flaky(reruns=1, reruns_delay=0, reruns_delay_backoff_factor=1.0, condition=True, "
                   "only_rerun=None, rerun_except=None): run the test up to 'reruns' more times when it fails")
    reruns = _non_negative(config.getoption("reruns", None), "--reruns", int)
    if reruns is None:
        reruns = _non_negative(config.getini("reruns"), "reruns ini value", int)
    delay = _non_negative(config.getoption("reruns_delay", None), "--reruns-delay", float)
    if delay is None:
        delay = _non_negative(config.getini("reruns_delay"), "reruns_delay ini value", float)
    backoff = _non_negative(config.getoption("reruns_delay_backoff_factor", None), "--reruns-delay-backoff-factor",
                            float)
    if backoff is None:
        backoff = _non_negative(config.getini("reruns_delay_backoff_factor"), "reruns_delay_backoff_factor ini value",
                                float)
    settings = RerunSettings(
        reruns=reruns,
        force=_non_negative(config.getoption("force_reruns", None), "--force-reruns", int),
        append=config.getoption("reruns_mode", "strict") == "append",
        delay=delay or 0.0,
        backoff=1.0 if backoff is None else backoff,
        only_rerun=_patterns(config, "only_rerun"),
        rerun_except=_patterns(config, "rerun_except"),
        excluded=tuple(config.rootpath / p for p in config.getoption("rerun_exclude_path", None) or ()),
        max_suite_reruns=_non_negative(config.getoption("max_suite_reruns", None), "--max-suite-reruns", int),
        usepdb=bool(config.getoption("usepdb", False)),
    )
    if (settings.reruns or settings.force) and settings.usepdb and not config.getoption("collectonly", False):
        raise UsageError("--reruns cannot be used with --pdb: the debugger stops at the first failure")
    config.stash[SETTINGS] = settings
    config.stash[SUITE_RERUNS] = [0]
    if hasattr(config, "workerinput"):
        return  # a worker's reports are shown and summed up by the controller
    distributing = config.getoption("dist", "no") not in (None, "no")
    # reports from elsewhere (workers, a recorded run) may be reruns whatever the options say here
    replaying = config.stash.get(REPLAYED_RUN, None) is not None
    if settings.reruns or settings.force or distributing or replaying:
        _record_reruns(config)


def _record_reruns(config: Config) -> None:
    """Show and sum up the reruns. Registered only in a run that may have some: most runs have
    none, and its hooks would see every report (a ``rerun`` status check, three times per test)."""
    if not config.pluginmanager.has_plugin(RECORDER):
        config.pluginmanager.register(RerunRecorder(config), RECORDER)


def minitest_collection_finish(session: Session) -> None:
    config = session.config
    if hasattr(config, "workerinput") or config.pluginmanager.has_plugin(RECORDER):
        return
    if any(item.has_marker(FLAKY_MARK) for item in session.items):
        _record_reruns(config)


# ---------------------------------------------------------------------------------------------
# which tests get reruns, and which failures
# ---------------------------------------------------------------------------------------------


class RerunPolicy(FrozenRecord):
    """How one test is rerun."""

    __slots__ = ("reruns", "delay", "backoff", "only_rerun", "rerun_except", "mark")
    reruns: int
    delay: float
    backoff: float
    only_rerun: tuple[str | type[BaseException], ...]
    rerun_except: tuple[str | type[BaseException], ...]
    mark: Mark | None

    def __init__(self, reruns: int, delay: float, backoff: float, only_rerun: tuple[str | type[BaseException], ...],
                 rerun_except: tuple[str | type[BaseException], ...], mark: Mark | None) -> None:
        for name, value in zip(self.__slots__, (reruns, delay, backoff, only_rerun, rerun_except, mark), strict=True):
            object.__setattr__(self, name, value)

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (2 for the first rerun)."""
        return self.delay * self.backoff ** (attempt - 2)


def _mark_value(mark: Mark, name: str, position: int, default: Any) -> Any:
    if name in mark.kwargs:
        return mark.kwargs[name]
    if len(mark.args) > position:
        return mark.args[position]
    return default


def _filters(mark: Mark | None, name: str, configured: tuple[str, ...]) -> tuple[str | type[BaseException], ...]:
    if mark is None or name not in mark.kwargs:
        return configured
    value = mark.kwargs[name]
    if value is None:
        return ()
    if isinstance(value, str) or isinstance(value, type):
        return (value,)
    return tuple(value)


def rerun_policy(item: Item, settings: RerunSettings) -> RerunPolicy | None:
    """How ``item`` is rerun; None when it never is (no reruns asked for, or its path excluded)."""
    mark = item.get_closest_marker("flaky")
    if settings.force is not None:
        reruns: int | None = settings.force
    elif mark is not None:
        reruns = int(_mark_value(mark, "reruns", 0, 1))
        if settings.append and settings.reruns is not None:
            reruns += settings.reruns
    else:
        reruns = settings.reruns
    if reruns is None or reruns <= 0:
        return None
    if settings.excluded and any(Path(item.path).is_relative_to(p) for p in settings.excluded):
        return None
    if mark is not None:
        delay = float(_mark_value(mark, "reruns_delay", 1, 0))
        backoff = float(_mark_value(mark, "reruns_delay_backoff_factor", 2, 1.0))
    else:
        delay, backoff = settings.delay, settings.backoff
    return RerunPolicy(reruns, max(delay, 0.0), backoff if backoff >= 0 else 1.0,
                       _filters(mark, "only_rerun", settings.only_rerun),
                       _filters(mark, "rerun_except", settings.rerun_except), mark)


def _exception_chain(exc: BaseException | None, follow_context: bool) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        if exc.__cause__ is not None:
            exc = exc.__cause__
        elif follow_context and not exc.__suppress_context__:
            exc = exc.__context__
        else:
            exc = None


def _matches(filters: Sequence[str | type[BaseException]], exc: BaseException | None, follow_context: bool) -> bool:
    """Whether an exception of the chain is of a filter's type or its 'Type: message' matches a regex
    (the causes are followed too: a failure wrapping a timeout is a timeout)."""
    for link in _exception_chain(exc, follow_context):
        text = f"{type(link).__name__}: {link}"
        for wanted in filters:
            if isinstance(wanted, type):
                if isinstance(link, wanted):
                    return True
            elif re.search(wanted, text):
                return True
    return False


def _excluded_by_filters(policy: RerunPolicy, exc: BaseException | None) -> bool:
    """Whether a failure is one the filters say not to rerun."""
    if policy.only_rerun and not _matches(policy.only_rerun, exc, follow_context=True):
        return True
    return bool(policy.rerun_except) and _matches(policy.rerun_except, exc, follow_context=False)


def _condition_holds(item: Item, mark: Mark | None, exc: BaseException | None) -> bool:
    """The flaky mark's ``condition``: a bool, a string evaluated like skipif's (with ``error``), or a
    callable taking the error (or nothing). An error in it is a warning, and no rerun."""
    if mark is None or "condition" not in mark.kwargs:
        return True
    condition = mark.kwargs["condition"]
    try:
        if callable(condition):
            try:
                inspect.signature(condition).bind(exc)
            except TypeError:
                return bool(condition())
            except ValueError:  # no signature to read (a builtin): try it with the error
                pass
            return bool(condition(exc))
        if isinstance(condition, str):
            namespace = mark_condition_namespace(item)
            namespace["error"] = exc
            return bool(eval(compile(condition, "<flaky condition>", "eval"), namespace))  # noqa: S307
        return bool(condition)
    except Exception as error:  # noqa: BLE001 - the mark's problem: say so, do not rerun
        import warnings

        lines = [f"Error evaluating 'flaky' condition {condition!r}",
                 *traceback.format_exception_only(type(error), error)]
        warnings.warn("\n".join(line.rstrip("\n") for line in lines), stacklevel=1)
        return False


# ---------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------


def _worth_another_attempt(item: Item, policy: RerunPolicy, results: list[tuple[CallInfo[None], TestReport]]) -> bool:
    failures = [(call, report) for call, report in results if report.failed]
    if not failures or any(hasattr(report, "wasxfail") for _, report in results):
        return False
    errors = [call.excinfo.value if call.excinfo is not None else None for call, _ in failures]
    if any(_excluded_by_filters(policy, exc) for exc in errors):
        return False
    return any(_condition_holds(item, policy.mark, exc) for exc in errors)


def _allow_suite_rerun(config: Config, settings: RerunSettings) -> bool:
    done = config.stash[SUITE_RERUNS]
    if settings.max_suite_reruns is not None and done[0] >= settings.max_suite_reruns:
        return False
    done[0] += 1
    return True


def _forget_failed_fixtures(item: Item) -> None:
    """A higher-scoped fixture whose setup failed is set up again for the next attempt (its cached
    error would fail it at once); the ones that worked stay as they are."""
    info = item.fixtureinfo
    if info is None:
        return
    for fixturedefs in info.name2fixturedefs.values():
        for fixturedef in fixturedefs:
            cached = fixturedef.cached_result
            if cached is not None and cached[2] is not None:
                fixturedef.cached_result = None


def _run_attempt(item: Item, nextitem: Item | None, policy: RerunPolicy, attempt: int) -> bool:
    """One attempt: the phases, logged; returns whether the item runs again."""
    session = item.session
    config = item.config
    results = [run_phase(item, "setup", log=False)]
    if results[0][1].passed and not config.getoption("setuponly", False):
        results.append(run_phase(item, "call", log=False))
    stopping = bool(session.shouldfail or session.shouldstop)
    again = attempt <= policy.reruns and not stopping and _worth_another_attempt(item, policy, results)
    teardown_next = item if again else (None if stopping else nextitem)
    results.append(run_phase(item, "teardown", log=False, nextitem=teardown_next))
    if not again and attempt <= policy.reruns and not stopping:
        again = _worth_another_attempt(item, policy, results)  # only the teardown failed
    # (decided after a failed teardown, the item's class and module were torn down as usual:
    # the next attempt sets them up again)
    again = again and _allow_suite_rerun(config, config.stash[SETTINGS])
    for _, report in results:
        report.rerun = attempt - 1  # type: ignore[attr-defined]  # pytest-rerunfailures' attribute
        if again and report.failed:
            report.outcome = "rerun"
        item.ihook.minitest_runtest_logreport(report=report)
    if again:
        _forget_failed_fixtures(item)
    return again


@hookimpl(tryfirst=True)
def minitest_runtest_protocol(item: Item, nextitem: Item | None) -> bool | None:
    settings = item.config.stash.get(SETTINGS, None)
    if settings is None:
        return None
    if settings.reruns is None and settings.force is None and not item.has_marker(FLAKY_MARK):
        return None  # the usual case: one walk up the marks, not the policy's lookups
    policy = rerun_policy(item, settings)
    if policy is None:
        return None
    ihook = item.ihook
    attempt = 0
    while True:
        attempt += 1
        item.execution_count = attempt  # type: ignore[attr-defined]  # pytest-rerunfailures' name
        ihook.minitest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        again = _run_attempt(item, nextitem, policy, attempt)
        ihook.minitest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        if not again:
            return True
        if policy.delay:
            clock.sleep(policy.delay_before(attempt + 1))


# ---------------------------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------------------------


class RerunRecorder:
    """Keeps the reports of the tests that were rerun (in the process that reports: the controller
    with ``-n``) for the summary and ``--fail-on-flaky``."""

    def __init__(self, config: Config) -> None:
        self.config = config
        #: node id → every report of the test, when one of its attempts was a rerun
        self.attempts: dict[str, list[TestReport]] = {}
        self._first_attempts: dict[str, list[TestReport]] = {}
        #: node ids of the tests that passed only on a rerun
        self.flaky: list[str] = []

    @hookimpl(tryfirst=True)
    def minitest_report_teststatus(self, report: TestReport) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        if report.outcome == "rerun":
            return "rerun", "R", ("RERUN", {"yellow": True})
        attempt: int = getattr(report, "rerun", None) or 0
        if attempt and report.when == "call" and report.passed:
            # passed, but not at the first attempt: flaky (counted apart from the tests that passed)
            return "flaky", "L", ("FLAKY", {"yellow": True})
        return None

    def minitest_short_test_summary_lines(self, terminalreporter: TerminalReporterAPI) -> list[str]:
        """``FLAKY nodeid - passed at attempt 2 of 2; failed before: AssertionError: ...`` per
        flaky test: shown whenever there is a short summary, as failures are."""
        lines = []
        word = terminalreporter.writer.markup("FLAKY", yellow=True)
        for nodeid in self.flaky:
            reports = self.attempts.get(nodeid, [])
            attempts = 1 + max((getattr(r, "rerun", 0) for r in reports), default=0)
            failures = [_first_line(r.longrepr) for r in reports if r.outcome == "rerun"]
            before = "; failed before: " + " | ".join(dict.fromkeys(failures)) if failures else ""
            line = f"{nodeid} - passed at attempt {attempts}{before}"
            width = terminalreporter.writer.fullwidth - len("FLAKY ")
            if terminalreporter.verbosity < 1 and len(line) > width:
                line = line[:max(width - 3, len(nodeid))] + "..."  # as the FAILED lines: -v shows all
            lines.append(f"{word} {line}")
        return lines

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        attempt = getattr(report, "rerun", None)
        if attempt is None:
            return
        nodeid = report.nodeid
        if attempt == 0 and report.outcome != "rerun":
            # most tests never rerun: keep nothing of theirs once their first attempt is over
            if nodeid not in self.attempts:
                if report.when == "teardown":
                    self._first_attempts.pop(nodeid, None)
                else:
                    self._first_attempts.setdefault(nodeid, []).append(report)
                return
        if nodeid not in self.attempts:
            self.attempts[nodeid] = self._first_attempts.pop(nodeid, [])
        self.attempts[nodeid].append(report)
        if report.when == "call" and report.passed and attempt > 0:
            self.flaky.append(nodeid)

    def minitest_terminal_summary(self, terminalreporter: TerminalReporterAPI) -> None:
        config = self.config
        tracebacks = bool(config.getoption("rerun_show_tracebacks", False))
        chars = str(config.getoption("reportchars", "") or "").rpartition("N")[2]
        if not self.attempts or not (tracebacks or "r" in chars or "R" in chars):
            return
        terminalreporter.write_sep("=", "rerun test summary info", cyan=True, bold=True)
        for report in self._summary_reports():
            category, _, word = config.hook.minitest_report_teststatus(report=report, config=config)
            markup: dict[str, bool] = {}
            if isinstance(word, tuple):
                word, markup = word[0], dict(word[1])
            elif report.failed:
                markup = {"red": True}
            elif report.passed:
                markup = {"green": True}
            terminalreporter.write_line(f"{word or report.outcome.upper()} {report.nodeid}", **markup)
            if tracebacks and report.outcome == "rerun" and report.longrepr is not None:
                for line in str(report.longrepr).splitlines():
                    terminalreporter.write_line(line)

    def _summary_reports(self) -> Iterator[TestReport]:
        for reports in self.attempts.values():
            ordered = sorted(reports, key=lambda r: (getattr(r, "rerun", 0), _PHASE_ORDER.get(r.when, 2)))
            for report in ordered:
                if report.passed and report.when != "call":
                    continue  # a passing setup or teardown says nothing
                yield report

    @hookimpl(tryfirst=True)
    def minitest_sessionfinish(self, session: Session, exitstatus: int) -> None:
        if exitstatus == 0 and self.flaky and self.config.getoption("fail_on_flaky", False):
            session.exitstatus = FLAKY_EXIT_CODE


def _first_line(longrepr: object) -> str:
    """The crash message of a failed attempt (its last ``E`` line, or the last line)."""
    crash = getattr(longrepr, "crash", None)
    if crash is not None and getattr(crash, "message", None):
        return str(crash.message).splitlines()[0]
    text = str(longrepr).strip()
    return text.splitlines()[-1] if text else ""
