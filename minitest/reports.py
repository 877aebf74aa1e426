"""Reports: what happened in one phase of a test (TestReport) or one collector (CollectReport).

Reports are plain data so they can travel from a worker process as dicts
(:meth:`BaseReport.to_dict` / :func:`report_from_dict`). ``longrepr`` is either None, a
:class:`FailureRepr` (text and the crash location), or for skips a ``(path, lineno, reason)`` tuple.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from minitest import clock
from minitest.lazylist import ListOnFirstUse

if TYPE_CHECKING:
    from minitest.raises_api import ExceptionInfo

__all__ = ["CallInfo", "TestReport", "CollectReport", "FailureRepr", "ReprCrash", "report_from_dict", "exception_info",
           "is_interactive_exception", "PDB_SHOWN"]

T = TypeVar("T")
Phase = Literal["setup", "call", "teardown", "collect"]


@dataclasses.dataclass
class ReprCrash:
    """Where the failure happened and its one-line message (for ``-r`` and ``--tb=line``)."""

    path: str
    lineno: int
    message: str


@dataclasses.dataclass
class FailureRepr:
    """The rendered failure text plus its crash location."""

    text: str
    crash: ReprCrash | None = None
    sections: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return self.text

    @property
    def reprcrash(self) -> ReprCrash | None:
        """pytest's name for :attr:`crash` (plugins written for pytest read
        ``report.longrepr.reprcrash.message``)."""
        return self.crash


class CallInfo(Generic[T]):
    """The result or exception of one call, with its timing.

    ``excinfo`` is pytest-shaped, as hook implementations written for pytest read it
    (``call.excinfo.value``, ``.type``, ``.errisinstance(...)``, ``.getrepr()``): an
    :class:`~minitest.raises_api.ExceptionInfo`, made on first use and only when the call raised.
    """

    __slots__ = ("_result", "_exc", "_excinfo", "start", "stop", "duration", "when")

    def __init__(self, result: T | None, excinfo: ExceptionInfo[BaseException] | BaseException | None,
                 start: float, stop: float, duration: float, when: str) -> None:
        self._result = result
        if isinstance(excinfo, BaseException):
            self._exc: BaseException | None = excinfo
            self._excinfo: ExceptionInfo[BaseException] | None = None
        else:
            self._exc = excinfo.value if excinfo is not None else None
            self._excinfo = excinfo
        self.start = start
        self.stop = stop
        self.duration = duration
        self.when = when

    @property
    def excinfo(self) -> ExceptionInfo[BaseException] | None:
        """The exception the call raised, as an ExceptionInfo (None if it returned)."""
        exc = self._exc
        if exc is None:
            return None
        if self._excinfo is None:
            from minitest.raises_api import ExceptionInfo  # loaded on the first failure only

            self._excinfo = ExceptionInfo.from_exc_info((type(exc), exc, exc.__traceback__))
        return self._excinfo

    @excinfo.setter
    def excinfo(self, excinfo: ExceptionInfo[BaseException] | None) -> None:
        # pytest's CallInfo is a plain dataclass: a makereport wrapper may swap the exception
        # (pytest-check sets the AssertionError summing up its failed checks)
        self._exc = excinfo.value if excinfo is not None else None
        self._excinfo = excinfo

    @property
    def result(self) -> T:
        if self._exc is not None:
            raise AttributeError(f"{self!r} has no valid result")
        return self._result  # type: ignore[return-value]

    @classmethod
    def from_call(cls, func: Callable[[], T], when: str,
                  reraise: tuple[type[BaseException], ...] | type[BaseException] | None = None) -> CallInfo[T]:
        """Call ``func`` and capture its result or exception (``reraise`` ones propagate)."""
        start = clock.wall()
        precise = clock.perf()
        excinfo = None
        result = None
        try:
            result = func()
        except BaseException as exc:
            if reraise is not None and isinstance(exc, reraise):
                raise
            excinfo = exc
        duration = clock.perf() - precise
        return cls(result, excinfo, start, clock.wall(), duration, when)

    def __repr__(self) -> str:
        if self._exc is None:
            return f"<CallInfo when={self.when!r} result: {self._result!r}>"
        return f"<CallInfo when={self.when!r} excinfo={self.excinfo!r}>"


def exception_info(exc: BaseException, excinfo: ExceptionInfo[BaseException] | None = None) -> Any:
    """``exc`` as the ExceptionInfo a node's ``repr_failure`` receives (pytest's contract: custom
    items and collectors written for pytest read ``excinfo.value``); made only for failures.
    ``excinfo``, the one a CallInfo already made for ``exc``, is used as it is."""
    if exc.__traceback__ is None:
        return exc
    if excinfo is not None:
        return excinfo
    from minitest.raises_api import ExceptionInfo  # loaded on the first failure only

    return ExceptionInfo.from_exception(exc)


#: a report attribute (pytest's name), set True by a debugger that showed the report's traceback
#: before entering post-mortem (``--pdb``): the ERRORS / FAILURES sections do not repeat it
PDB_SHOWN = "_pdbshown"


def is_interactive_exception(call: CallInfo[Any], report: BaseReport) -> bool:
    """Whether the exception of ``call`` deserves ``minitest_exception_interact``: it raised, and
    not a skip, an expected failure or a debugger's quit (pytest's rule)."""
    excinfo = call.excinfo
    if excinfo is None or hasattr(report, "wasxfail"):
        return False
    from minitest.outcomes import outcome_kind

    exc = excinfo.value
    if outcome_kind(exc) in ("skipped", "xfailed"):
        return False
    return not any(cls.__name__ == "BdbQuit" and cls.__module__ == "bdb" for cls in type(exc).__mro__)


class BaseReport:
    """What the test and collect reports share."""

    # Reports are kept for the summary (one per test at least), so their data lives in slots of
    # the subclasses; the __dict__ takes what plugins add (``wasxfail``, ``worker_id``, ...).
    __slots__ = ("__dict__", "__weakref__")
    #: the data :meth:`to_dict` carries besides the added attributes, in this order
    _FIELDS: tuple[str, ...] = ()

    nodeid: str
    outcome: str
    longrepr: Any
    sections: list[tuple[str, str]]
    when: str

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    @property
    def skipped(self) -> bool:
        return self.outcome == "skipped"

    @property
    def fspath(self) -> str:
        return self.nodeid.split("::")[0]

    @property
    def longreprtext(self) -> str:
        """The failure's text without its surrounding blank lines and indentation, as pytest's
        (pytest-check and pytest-json-report put it into their own reports)."""
        lr = self.longrepr
        if lr is None:
            return ""
        if isinstance(lr, tuple):
            return str(lr[2])
        return str(lr).strip()

    @property
    def head_line(self) -> str | None:
        loc = getattr(self, "location", None)
        return loc[2] if loc else None

    @property
    def caplog(self) -> str:
        return "\n".join(c for k, c in self.sections if k.startswith("Captured log"))

    @property
    def capstdout(self) -> str:
        return "".join(c for k, c in self.sections if k.startswith("Captured stdout"))

    @property
    def capstderr(self) -> str:
        return "".join(c for k, c in self.sections if k.startswith("Captured stderr"))

    @property
    def count_towards_summary(self) -> bool:
        return True

    def get_sections(self, prefix: str) -> Iterable[tuple[str, str]]:
        for name, content in self.sections:
            if name.startswith(prefix):
                yield name, content

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serializable) describing this report."""
        data = {name: getattr(self, name) for name in self._FIELDS}
        data.update((k, v) for k, v in self.__dict__.items() if not k.startswith("_"))
        lr = self.longrepr
        if isinstance(lr, FailureRepr):
            data["longrepr"] = {"text": lr.text, "crash": dataclasses.asdict(lr.crash) if lr.crash else None,
                                "sections": [list(s) for s in lr.sections]}
        elif isinstance(lr, tuple):
            data["longrepr"] = list(lr)
        elif lr is not None:
            data["longrepr"] = str(lr)
        data["$report_type"] = type(self).__name__
        data.pop("result", None)
        data["sections"] = [list(s) for s in self.sections]
        if "location" in data and data["location"] is not None:
            data["location"] = list(data["location"])
        if "keywords" in data:
            data["keywords"] = {k: 1 for k in data["keywords"]}
        if "user_properties" in data:
            data["user_properties"] = [list(p) for p in data["user_properties"]]
        return data


class TestReport(BaseReport):
    """The outcome of one phase (setup, call or teardown) of one test.

    ``keywords`` may be a dict or any mapping (an item's keywords): a mapping is turned into the
    ``{keyword: 1}`` dict when first read, since most reports are never asked for theirs. Empty
    ``sections`` and ``user_properties`` lists are likewise only made when asked for.
    """

    __test__ = False  # not a test class, whatever a runner thinks of the name
    __slots__ = ("nodeid", "location", "_keywords", "outcome", "longrepr", "when", "_sections", "duration",
                 "start", "stop", "_user_properties")
    _FIELDS = ("nodeid", "location", "keywords", "outcome", "longrepr", "when", "sections", "duration",
               "start", "stop", "user_properties")

    def __init__(self, nodeid: str, location: tuple[str, int | None, str], keywords: Mapping[str, Any],
                 outcome: str, longrepr: Any, when: str, sections: Iterable[tuple[str, str]] = (),
                 duration: float = 0.0, start: float = 0.0, stop: float = 0.0,
                 user_properties: Iterable[tuple[str, object]] | None = None, **extra: Any) -> None:
        self.nodeid = nodeid
        self.location = location
        self._keywords = keywords
        self.outcome = outcome
        self.longrepr = longrepr
        self.when = when
        self._sections: list[tuple[str, str]] | tuple[()] = (
            (sections if type(sections) is list else list(sections)) if sections else ())
        self.duration = duration
        self.start = start
        self.stop = stop
        self._user_properties: list[tuple[str, object]] | tuple[()] = (
            list(user_properties) if user_properties else ())
        if extra:
            self.__dict__.update(extra)

    @property
    def keywords(self) -> dict[str, Any]:
        keywords = self._keywords
        if type(keywords) is not dict:
            keywords = self._keywords = dict.fromkeys(keywords, 1)  # as {k: 1 for k in ...}, iterated in C
        return keywords

    @keywords.setter
    def keywords(self, value: Mapping[str, Any]) -> None:
        self._keywords = value

    sections: ListOnFirstUse = ListOnFirstUse("_sections")
    user_properties: ListOnFirstUse = ListOnFirstUse("_user_properties")

    def __repr__(self) -> str:
        return f"<TestReport {self.nodeid!r} when={self.when!r} outcome={self.outcome!r}>"


class CollectReport(BaseReport):
    """The outcome of collecting one collector; ``result`` holds its children."""

    when = "collect"
    __slots__ = ("nodeid", "outcome", "longrepr", "result", "sections")
    _FIELDS = ("nodeid", "outcome", "longrepr", "sections")

    def __init__(self, nodeid: str, outcome: str, longrepr: Any, result: list[Any] | None,
                 sections: Iterable[tuple[str, str]] = (), **extra: Any) -> None:
        self.nodeid = nodeid
        self.outcome = outcome
        self.longrepr = longrepr
        self.result = result or []
        self.sections = list(sections)
        if extra:
            self.__dict__.update(extra)

    @property
    def location(self) -> tuple[str, int | None, str]:
        return (self.fspath, None, self.fspath)

    def __repr__(self) -> str:
        return f"<CollectReport {self.nodeid!r} lenresult={len(self.result)} outcome={self.outcome!r}>"


#: the keys of :meth:`TestReport.to_dict`'s output for a report with no attribute added by plugins
_PLAIN_TEST_REPORT_KEYS = frozenset((*TestReport._FIELDS, "$report_type"))


def report_from_dict(data: dict[str, Any]) -> TestReport | CollectReport:
    """Rebuild a report from :meth:`BaseReport.to_dict` output."""
    if (data.keys() == _PLAIN_TEST_REPORT_KEYS and data["longrepr"] is None and not data["sections"]
            and not data["user_properties"] and data["$report_type"] == "TestReport"
            and type(data["location"]) is list):
        # the common report (a passed phase, with workers three per test, rebuilt by the
        # controller): the general path below builds the same in ~3x the time
        return TestReport(data["nodeid"], tuple(data["location"]), data["keywords"], data["outcome"], None,
                          data["when"], (), data["duration"], data["start"], data["stop"])
    data = dict(data)
    kind = data.pop("$report_type", "TestReport")
    lr = data.get("longrepr")
    if isinstance(lr, dict):
        crash = ReprCrash(**lr["crash"]) if lr.get("crash") else None
        data["longrepr"] = FailureRepr(lr["text"], crash, [tuple(s) for s in lr.get("sections", [])])
    elif isinstance(lr, list):
        data["longrepr"] = tuple(lr)
    data["sections"] = [tuple(s) for s in data.get("sections", [])]
    if kind == "CollectReport":
        return CollectReport(result=None, **data)
    if data.get("location") is not None:
        data["location"] = tuple(data["location"])
    data["user_properties"] = [tuple(p) for p in data.get("user_properties", [])]
    return TestReport(**data)
