"""Collect and run ``unittest.TestCase`` subclasses the way pytest does.

    pycollect_makeitem (tryfirst) → UnitTestCase for every concrete TestCase subclass
        → TestCaseFunction per ``test*`` method (``runTest`` when there is none)
    make_collect_report (tryfirst wrapper) → an autouse class fixture per TestCase, visible to that
        class only, running setUpClass / tearDownClass / class cleanups
    TestCaseFunction.runtest → ``testcase(result=item)``: the item is the unittest result object,
        and the first outcome unittest hands it (error, skip, expected failure, unexpected success)
        is raised as the test's outcome; a second one (a failing tearDown after a failing test)
        becomes the teardown error.
    addSubTest → one extra "call" report per subtest that failed (or, verbosely, passed/skipped).

``setUpModule`` / ``tearDownModule`` are the fixtures plugin's business (xunit module fixtures).
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from minitest import fixture, hookimpl
from minitest.config import Config, Parser
from minitest.fixture_contract import FIXTURE_MANAGER, FuncFixtureInfo
from minitest.nodes import Collector, Node
from minitest.outcomes import Failed, Skipped, XFailed, outcome_kind
from minitest.python_nodes import MAKEITEM_TESTS_ONLY_ATTR, Class, Function
from minitest.reports import CallInfo, TestReport
from minitest.subtests_api import SUBTEST_DESCRIPTION_ATTR, describe_subtest, subtest_teststatus

if TYPE_CHECKING:
    import unittest

ExcInfo = tuple[type[BaseException], BaseException, types.TracebackType]


def minitest_addoption(parser: Parser) -> None:
    parser.addini("verbosity_subtests", "verbosity of subtest reports ('auto': the -v level); at 0 only "
                  "failed subtests are reported", default="auto")


# ---------------------------------------------------------------------------------------------
# collection
# ---------------------------------------------------------------------------------------------


@hookimpl(tryfirst=True)
def minitest_pycollect_makeitem(collector: Collector, name: str, obj: object) -> UnitTestCase | None:
    # whatever the class is called: unittest discovery does not look at names either
    # stdlib unittest is not imported here: a module that did not import it has no TestCase
    unittest = sys.modules.get("unittest")
    if unittest is None or not (inspect.isclass(obj) and issubclass(obj, unittest.TestCase)):
        return None
    if inspect.isabstract(obj):
        return None  # cannot be instantiated, so nothing to run
    _ensure_subtest_reporting(collector.config)
    return UnitTestCase.from_parent(collector, name=name)


# only classes are ever claimed: the python plugin may skip asking about other names
setattr(minitest_pycollect_makeitem, MAKEITEM_TESTS_ONLY_ATTR, True)


def _is_skipped(obj: object) -> bool:
    """Whether ``obj`` (class or method) carries ``@unittest.skip``."""
    return bool(getattr(obj, "__unittest_skip__", False))


class UnitTestCase(Class):
    """A ``unittest.TestCase`` subclass: one item per test method."""

    def newinstance(self) -> Any:
        # "runTest" is the name TestCase accepts even when no such method exists
        return self.obj("runTest")

    def collect(self) -> Iterable[Node]:
        cls = self.obj
        if not getattr(cls, "__test__", True):
            return []
        items: list[Node] = []
        import unittest

        for name in unittest.TestLoader().getTestCaseNames(cls):
            if getattr(getattr(cls, name), "__test__", True):
                items.append(TestCaseFunction.from_parent(self, name=name))
        if not items and getattr(cls, "runTest", None) is not None:
            items.append(TestCaseFunction.from_parent(self, name="runTest"))
        return items


class TestCaseFunction(Function):
    """One test method of a TestCase, run by unittest itself with this item as its result object."""

    __test__ = False  # not a test class for runners looking at this module
    failfast = False  # read by TestCase.subTest
    # slots as for Function: an instance __dict__ per test costs more than the test's own data
    __slots__ = ("_outcomes", "_subtest_reports", "_making_subtest_report")

    def __init__(self, name: str, parent: Node, **kw: Any) -> None:
        assert isinstance(parent, UnitTestCase)
        super().__init__(name, parent, callobj=getattr(parent.obj, name), **kw)
        self.instance: Any = None
        self._outcomes: list[BaseException] = []
        self._subtest_reports: list[TestReport] = []
        self._making_subtest_report = False
        self.fixtureinfo = _fixture_info(self)

    def setup(self) -> None:
        assert self.parent is not None
        self._outcomes = []
        self.instance = self.parent.obj(self.name)  # type: ignore[attr-defined]
        self._obj = getattr(self.instance, self.name)

    def teardown(self) -> None:
        pending, self._outcomes = self._outcomes, []
        self.instance = None
        self._obj = self._callobj
        super().teardown()
        if pending:
            raise pending[0]  # a second outcome (tearDown failed too): the teardown's error

    def runtest(self) -> None:
        self.instance(result=self)
        if self._outcomes:
            raise self._outcomes.pop(0)

    def repr_failure(self, excinfo: Any, style: str | None = None) -> Any:
        exc = getattr(excinfo, "value", excinfo)
        if not isinstance(exc, BaseException) or exc.__traceback__ is None:
            return super().repr_failure(excinfo, style)
        original = exc.__traceback__
        exc.__traceback__ = _without_unittest_frames(original)
        try:
            return super().repr_failure(exc, style)
        finally:
            exc.__traceback__ = original

    # -- the unittest result protocol ------------------------------------------------------------
    def startTest(self, testcase: unittest.TestCase) -> None:  # noqa: N802 - unittest's names
        pass

    def stopTest(self, testcase: unittest.TestCase) -> None:  # noqa: N802
        pass

    def addSuccess(self, testcase: unittest.TestCase) -> None:  # noqa: N802
        pass

    def addDuration(self, testcase: unittest.TestCase, elapsed: float) -> None:  # noqa: N802
        pass

    def addError(self, testcase: unittest.TestCase, exc_info: ExcInfo) -> None:  # noqa: N802
        exc = exc_info[1]
        if outcome_kind(exc) == "exit":
            raise exc  # stop the run now, as minitest.exit() does anywhere else
        self._outcomes.append(exc)

    def addFailure(self, testcase: unittest.TestCase, exc_info: ExcInfo) -> None:  # noqa: N802
        self._outcomes.append(exc_info[1])

    def addSkip(self, testcase: unittest.TestCase, reason: str) -> None:  # noqa: N802
        skipped = _raised(Skipped(reason, use_item_location=True))
        if isinstance(testcase, _subtest_class()):
            self._log_subtest(testcase, skipped)
        else:
            self._outcomes.append(skipped)

    def addExpectedFailure(self, testcase: unittest.TestCase, exc_info: ExcInfo) -> None:  # noqa: N802
        self._outcomes.append(_raised(XFailed("")))

    def addUnexpectedSuccess(self, testcase: unittest.TestCase) -> None:  # noqa: N802
        # unittest fails such a test, and so does pytest: not an XPASS
        self._outcomes.append(_raised(Failed("Unexpected success", pytrace=False)))

    def addSubTest(self, testcase: unittest.TestCase, subtest: unittest.TestCase,  # noqa: N802
                   exc_info: ExcInfo | None) -> None:
        if exc_info is not None and outcome_kind(exc_info[1]) == "exit":
            raise exc_info[1]
        self._log_subtest(subtest, exc_info[1] if exc_info is not None else None)

    def _log_subtest(self, subtest: Any, exc: BaseException | None) -> None:
        """Make the extra "call" report of one subtest; it is logged once the call phase is over
        (see ``minitest_runtest_makereport``), so reporters write outside the output capture."""
        call: CallInfo[None] = CallInfo(None, exc, 0.0, 0.0, 0.0, "call")
        self._making_subtest_report = True
        try:
            report: TestReport = self.ihook.minitest_runtest_makereport(item=self, call=call)
        finally:
            self._making_subtest_report = False
        description = _subtest_description(subtest)
        setattr(report, SUBTEST_DESCRIPTION_ATTR, description)
        path, lineno, domain = report.location
        # the failure's header names the subtest: "T.test_x (i=2)"
        report.location = (path, lineno, f"{domain} {description}")
        self._subtest_reports.append(report)


def _raised(exc: BaseException) -> BaseException:
    """``exc`` with a traceback from here, as if raised (reports find skip locations in it)."""
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 - only to attach the traceback
        return caught


def _subtest_class() -> type:
    # a private class of unittest.case; tolerate its absence rather than break every TestCase
    return getattr(sys.modules["unittest.case"], "_SubTest", type(None))


def _subtest_description(subtest: Any) -> str:
    message = getattr(subtest, "_message", None)
    if message is getattr(sys.modules["unittest.case"], "_subtest_msg_sentinel", None):
        message = None
    return describe_subtest(message, dict(getattr(subtest, "params", {}) or {}))


def _without_unittest_frames(tb: types.TracebackType) -> types.TracebackType:
    """``tb`` without the frames of unittest itself (modules that set ``__unittest``)."""
    entries: list[types.TracebackType] = []
    current: types.TracebackType | None = tb
    while current is not None:
        entries.append(current)
        current = current.tb_next
    kept = [e for e in entries if not e.tb_frame.f_globals.get("__unittest")]
    if not kept or len(kept) == len(entries):
        return tb
    rebuilt: types.TracebackType | None = None
    for entry in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    assert rebuilt is not None
    return rebuilt


def _fixture_info(item: TestCaseFunction) -> FuncFixtureInfo | None:
    """The fixtures of a test method: autouse ones and ``usefixtures`` marks, never arguments
    (unittest calls the method without any). Parametrizing a TestCase method is not supported, so
    ``generate_tests`` is not called for it, as pytest does not."""
    manager = item.config.stash.get(FIXTURE_MANAGER, None)
    return manager.getfixtureinfo(item, argnames=()) if manager is not None else None


# ---------------------------------------------------------------------------------------------
# setUpClass / tearDownClass
# ---------------------------------------------------------------------------------------------


@hookimpl(wrapper=True, tryfirst=True)
def minitest_make_collect_report(collector: Collector) -> Generator[None, Any, Any]:
    # before the fixtures plugin reads the class (its wrapper runs inside this one), so that
    # setUpClass runs before the class's own autouse fixtures, as in pytest
    if isinstance(collector, UnitTestCase):
        _register_class_fixture(collector)
    return (yield)


class _ClassFixtureHolder:
    """An object the fixture registry parses like a class body: it holds one class fixture."""

    def __init__(self, name: str, func: Any) -> None:
        setattr(self, name, func)


def _register_class_fixture(collector: UnitTestCase) -> None:
    """Register an autouse class fixture running setUpClass / tearDownClass, visible to this class
    only (a fixture, not node setup, so it runs after module fixtures such as setUpModule)."""
    manager = collector.config.stash.get(FIXTURE_MANAGER, None)
    try:
        cls = collector.obj
    except Exception:  # noqa: BLE001 - collecting the class reports the error
        return
    if manager is None or _is_skipped(cls):
        return  # skipped classes are never set up; unittest reports their tests skipped
    if getattr(cls, "setUpClass", None) is None and getattr(cls, "tearDownClass", None) is None:
        return
    name = f"_unittest_setUpClass_fixture_{cls.__qualname__}"

    def unittest_setup_class_fixture() -> Generator[None, None, None]:
        yield from _class_setup(cls)

    holder = _ClassFixtureHolder(name, fixture(scope="class", autouse=True, name=name)(unittest_setup_class_fixture))
    manager.parsefactories(holder, collector.nodeid)


def _class_setup(cls: Any) -> Generator[None, None, None]:
    """setUpClass, (the tests), tearDownClass, with unittest's class cleanups after either."""
    cleanup = getattr(cls, "doClassCleanups", lambda: None)
    try:
        cls.setUpClass()
    except Exception:
        # unittest runs class cleanups when setUpClass fails (but not for BaseException)
        cleanup()
        _raise_class_cleanup_errors(cls)
        raise
    yield
    try:
        cls.tearDownClass()
    finally:
        cleanup()
        _raise_class_cleanup_errors(cls)


def _raise_class_cleanup_errors(cls: type) -> None:
    errors = [exc for _, exc, _ in getattr(cls, "tearDown_exceptions", None) or ()]
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ExceptionGroup("Unittest class cleanup errors", errors)


# ---------------------------------------------------------------------------------------------
# reporting subtests
# ---------------------------------------------------------------------------------------------


class SubtestReporting:
    """Registered when the first TestCase class is collected, so runs without unittest tests do
    not pay for a makereport wrapper on every phase of every test."""

    @hookimpl(wrapper=True)
    def minitest_runtest_makereport(self, item: Any, call: CallInfo[None]) -> Generator[None, TestReport, TestReport]:
        """Log the subtest reports of a TestCase method just before its own call report (as pytest
        orders them): the call phase is over, so the terminal's lines are not captured as output."""
        report = yield
        if isinstance(item, TestCaseFunction) and call.when == "call" and not item._making_subtest_report:
            pending, item._subtest_reports = item._subtest_reports, []
            for subreport in pending:
                item.ihook.minitest_runtest_logreport(report=subreport)
        return report


def _ensure_subtest_reporting(config: Config) -> None:
    if config.pluginmanager.get_plugin("unittest-subtests") is None:
        config.pluginmanager.register(SubtestReporting(), "unittest-subtests")


@hookimpl(tryfirst=True)
def minitest_report_teststatus(report: Any, config: Config) -> tuple[str, str, str] | None:
    return subtest_teststatus(report, config)

