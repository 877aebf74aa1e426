"""JUnit XML reports: ``--junitxml=PATH`` (alias ``--junit-xml``) for CI systems.

What is written follows pytest's junitxml, so tools reading pytest's files read these:

* one ``<testsuites>`` with one ``<testsuite>`` (name from ini ``junit_suite_name``), its counts,
  ``time``, ``timestamp``, ``hostname`` and the ``record_testsuite_property`` properties;
* a ``<testcase classname name time>`` per test (``file`` and ``line`` too with
  ``junit_family = xunit1``: the xunit2 schema, the default, does not allow them), holding
  ``<skipped>``, ``<error>`` (setup/teardown/collection), ``<failure>`` and, as ini
  ``junit_logging`` asks, ``<system-out>`` / ``<system-err>`` with the captured output;
* characters XML 1.0 cannot carry (control characters, lone surrogates) appear as ``#xNN``;
* a test run again after a failed attempt (a report with outcome ``"rerun"``) stays one
  ``<testcase>``: each failed attempt is a ``<rerunFailure>`` (``<rerunError>`` for setup and
  teardown) holding its ``<stackTrace>``, or ``<flakyFailure>`` / ``<flakyError>`` when the test
  passed in the end: the elements Maven Surefire writes and CI servers read.

The module imports nothing beyond the kernel at start-up: ``xml.etree`` is imported when the
file is written. The file is written atomically and the path is checked before any test runs.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minitest import clock, fixture
from minitest.atomicfile import check_writable, report_not_written, write_report
from minitest.config import Config, Parser, UsageError
from minitest.nodes import Session
from minitest.reports import CollectReport, FailureRepr, TestReport
from minitest.shard_api import JUNIT_SHARD_PROPERTY, JUNIT_VERSION_PROPERTY, SHARD
from minitest.stash import StashKey
from minitest.version import __version__

FAMILIES = ("xunit1", "xunit2", "legacy")
LOGGING_CHOICES = ("no", "log", "system-out", "system-err", "out-err", "all")

# children of <testcase> in the order the xunit2 schema's sequence wants them
_CHILD_ORDER = {"skipped": 0, "error": 1, "failure": 2, "system-out": 3, "system-err": 4}
#: the same for a testcase with earlier attempts, in the order of Maven Surefire's report schema
#: (the layout those elements come from)
_CHILD_ORDER_WITH_ATTEMPTS = {"failure": 0, "rerunFailure": 1, "flakyFailure": 2, "skipped": 3, "error": 4,
                              "rerunError": 5, "flakyError": 6, "system-out": 7, "system-err": 8}
#: the elements of earlier attempts: their text is a <stackTrace> inside them, ``type`` is required
_ATTEMPT_TAGS = frozenset({"rerunFailure", "rerunError", "flakyFailure", "flakyError"})


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("terminal reporting", "reporting")
    group.addoption("--junitxml", "--junit-xml", action="store", dest="xmlpath", metavar="path", default=None,
                    help="write a JUnit XML report of the run to path")
    group.addoption("--junitprefix", "--junit-prefix", action="store", dest="junitprefix", metavar="str",
                    default=None, help="prepend str to the classnames in the JUnit XML report")
    parser.addini("junit_suite_name", "the test suite name in the JUnit XML report", default="minitest")
    parser.addini("junit_logging", "captured output written to the JUnit XML report: "
                  "no|log|system-out|system-err|out-err|all", default="no")
    parser.addini("junit_log_passing_tests", "write captured output of passing tests to the JUnit XML report",
                  type="bool", default=True)
    parser.addini("junit_duration_report", "test duration in the JUnit XML report: total|call",
                  default="total")
    parser.addini("junit_family", "JUnit XML schema: xunit2 (default), xunit1 or legacy (= xunit1)",
                  default="xunit2")


LOGXML = StashKey["LogXML"]()


def minitest_configure(config: Config) -> None:
    xmlpath = config.getoption("xmlpath", None)
    if not xmlpath or hasattr(config, "workerinput"):  # dist workers: the controller writes the file
        return
    family = str(config.getini("junit_family")).strip()
    logging = str(config.getini("junit_logging")).strip()
    duration = str(config.getini("junit_duration_report")).strip()
    if family not in FAMILIES:
        raise UsageError(f"junit_family must be one of {', '.join(FAMILIES)} (got {family!r})")
    if logging not in LOGGING_CHOICES:
        raise UsageError(f"junit_logging must be one of {', '.join(LOGGING_CHOICES)} (got {logging!r})")
    if duration not in ("total", "call"):
        raise UsageError(f"junit_duration_report must be 'total' or 'call' (got {duration!r})")
    path = Path(os.path.expandvars(os.path.expanduser(xmlpath)))
    path = Path(os.path.normpath(config.invocation_params.dir / path))
    # fail now, with exit code 4, rather than after the whole run
    problem = check_writable(path)
    if problem:
        raise UsageError(f"--junitxml: cannot write the report to {path}: {problem}")
    xml = LogXML(
        path, prefix=config.getoption("junitprefix", None), suite_name=str(config.getini("junit_suite_name")),
        logging=logging, duration_report=duration, family="xunit1" if family == "legacy" else family,
        log_passing_tests=bool(config.getini("junit_log_passing_tests")),
    )
    shard = config.stash.get(SHARD, None)
    if shard is not None:
        # which part of a split run this is, for ``minitest merge`` (minitest.shard_api)
        xml.suite_properties += [(JUNIT_SHARD_PROPERTY, str(shard)), (JUNIT_VERSION_PROPERTY, __version__)]
    config.stash[LOGXML] = xml
    config.pluginmanager.register(xml, "junitxml-log")


def minitest_unconfigure(config: Config) -> None:
    xml = config.stash.get(LOGXML, None)
    if xml is not None:
        # the file is normally written at sessionfinish; if that hook never reached us (a plugin
        # before us raised), write what we have now
        if not xml.written:
            problem = xml.write()
            if problem is not None:
                sys.stderr.write(f"ERROR: --junitxml: {problem}\n")
        del config.stash[LOGXML]
        config.pluginmanager.unregister(xml)


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name parameter needs to be a string, but {type(name).__name__} given")


@fixture
def record_property(request: Any) -> Callable[[str, object], None]:
    """Add a ``<property name value>`` to this test's ``<testcase>`` in the JUnit XML report
    (also available to other reporters as ``report.user_properties``).

    The xunit2 schema does not allow properties in a testcase: with ``junit_family = xunit2`` a
    warning says so (use ``record_testsuite_property`` or ``junit_family = xunit1``).
    """
    xml = request.config.stash.get(LOGXML, None)
    if xml is not None and xml.family != "xunit1":
        request.node.warn(UserWarning(
            f"record_property is incompatible with junit_family {xml.family!r} (use 'legacy' or 'xunit1')"))

    def append_property(name: str, value: object) -> None:
        request.node.user_properties.append((name, value))

    return append_property


@fixture(scope="session")
def record_testsuite_property(request: Any) -> Callable[[str, object], None]:
    """Add a ``<property name value>`` to the ``<testsuite>`` of the JUnit XML report (valid in
    xunit2). Does nothing without ``--junitxml``."""
    xml = request.config.stash.get(LOGXML, None)

    def record(name: str, value: object) -> None:
        __tracebackhide__ = True
        _check_name(name)
        if xml is not None:
            xml.suite_properties.append((name, str(value)))

    return record


# ---------------------------------------------------------------------------------------------
# escaping and names
# ---------------------------------------------------------------------------------------------

# everything XML 1.0 cannot hold: C0 controls but tab/LF/CR, surrogates, U+FFFE and U+FFFF
_ILLEGAL_XML_PATTERN = "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def xml_safe(value: object) -> str:
    """``value`` as text with the characters XML cannot carry shown as ``#xNN``."""

    def replace(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"#x{code:02X}" if code <= 0xFF else f"#x{code:04X}"

    return re.sub(_ILLEGAL_XML_PATTERN, replace, str(value))  # compiled on first use, then cached by re


def split_nodeid(nodeid: str) -> list[str]:
    """``a/test_x.py::TestA::test_b[1-2]`` → ``["a.test_x", "TestA", "test_b[1-2]"]``."""
    head, bracket, params = nodeid.partition("[")
    names = head.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return names


def _exception_type(message: str) -> str:
    """``AssertionError`` from ``AssertionError: assert 1 == 2`` (a bare message: ``Failure``)."""
    match = re.match(r"([A-Za-z_][\w.]*)(:|$)", message)
    return match.group(1) if match else "Failure"


def _crash_message(longrepr: Any) -> str:
    if isinstance(longrepr, FailureRepr) and longrepr.crash is not None:
        return longrepr.crash.message
    text = str(longrepr).strip()
    return text.splitlines()[-1] if text else ""


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------


class TestCase:
    """One ``<testcase>`` in the making: attributes, duration and child elements."""

    __test__ = False

    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.duration = 0.0
        self.properties: list[tuple[str, str]] = []
        self.children: list[tuple[str, dict[str, str], str | None]] = []
        #: the attempt (``report.rerun``) that failed last and ran again; its teardown keeps the case open
        self.rerun_attempt: int | None = None

    def add(self, tag: str, text: str | None = None, **attrs: str) -> None:
        self.children.append((tag, attrs, text))

    def has(self, *tags: str) -> bool:
        return any(tag in tags for tag, _, _ in self.children)

    def attempts_were_flaky(self) -> None:
        """The test passed in the end: its failed attempts become flaky ones."""
        self.children = [(tag.replace("rerun", "flaky", 1) if tag in _ATTEMPT_TAGS else tag, attrs, text)
                         for tag, attrs, text in self.children]


class LogXML:
    """Records the run's reports and writes them as JUnit XML at the end of the session."""

    def __init__(self, path: Path, *, prefix: str | None, suite_name: str, logging: str, duration_report: str,
                 family: str, log_passing_tests: bool) -> None:
        self.path = path
        self.prefix = prefix
        self.suite_name = suite_name
        self.logging = logging
        self.duration_report = duration_report
        self.family = family
        self.log_passing_tests = log_passing_tests
        self.cases: list[TestCase] = []
        self.open: dict[str, TestCase] = {}
        self.suite_properties: list[tuple[str, str]] = []
        self.start = clock.wall()
        self.perf_start = clock.perf()
        self.written = False
        #: tests written as two testcases (a failure and a teardown error): counted once
        self.split_cases = 0

    # -- cases -----------------------------------------------------------------------------------
    def _new_case(self, nodeid: str, location: tuple[str, int | None, str] | None) -> TestCase:
        names = split_nodeid(nodeid)
        classnames = names[:-1]
        if self.prefix:
            classnames.insert(0, self.prefix)
        attrs = {"classname": ".".join(classnames), "name": names[-1]}
        if self.family == "xunit1" and location is not None:
            attrs["file"] = location[0]
            if location[1] is not None:
                attrs["line"] = str(location[1])
        case = TestCase(attrs)
        self.cases.append(case)
        self.open[nodeid] = case
        return case

    def _case(self, report: TestReport | CollectReport) -> TestCase:
        case = self.open.get(report.nodeid)
        if case is None:
            case = self._new_case(report.nodeid, getattr(report, "location", None))
        return case

    # -- hooks -----------------------------------------------------------------------------------
    def minitest_sessionstart(self) -> None:
        self.start = clock.wall()
        self.perf_start = clock.perf()

    def minitest_runtest_logreport(self, report: TestReport) -> None:
        case = self._case(report)
        attempt = getattr(report, "rerun", None)
        if report.outcome == "rerun":
            kind = "Failure" if report.when == "call" else "Error"
            message = _crash_message(report.longrepr)
            case.add(f"rerun{kind}", str(report.longrepr), message=message, type=_exception_type(message))
            case.rerun_attempt = attempt
        elif report.failed:
            if report.when == "call":
                if getattr(report, "wasxfail", None) is not None:
                    case.add("skipped", message="xfail-marked test passes unexpectedly")
                else:
                    case.add("failure", str(report.longrepr), message=_crash_message(report.longrepr))
            else:
                if report.when == "teardown" and case.has("failure"):
                    # the schema allows a failure or an error per testcase, not both: the
                    # teardown error gets a testcase of its own (as pytest does)
                    case = self._new_case(report.nodeid, report.location)
                    self.split_cases += 1
                reason = _crash_message(report.longrepr)
                case.add("error", str(report.longrepr), message=f'failed on {report.when} with "{reason}"')
        elif report.skipped:
            wasxfail = getattr(report, "wasxfail", None)
            if wasxfail is not None:
                reason = str(wasxfail)
                case.add("skipped", type="minitest.xfail",
                         message=reason[len("reason: "):] if reason.startswith("reason: ") else reason)
            else:
                path, lineno, reason = report.longrepr if isinstance(report.longrepr, tuple) else ("", 0, "")
                reason = str(reason)
                if reason.startswith("Skipped: "):
                    reason = reason[len("Skipped: "):]
                case.add("skipped", f"{path}:{lineno}: {reason}", type="minitest.skip", message=reason)
        if self.duration_report == "total" or report.when == self.duration_report:
            case.duration += report.duration
        if report.when == "teardown":
            if case.rerun_attempt is not None:
                if case.rerun_attempt == attempt:
                    return  # the test runs again: its next attempt goes into the same testcase
                if not case.has("failure", "error"):
                    case.attempts_were_flaky()
            for name, value in report.user_properties:
                case.properties.append((str(name), str(value)))
            self._write_captured(case, report)
            self.open.pop(report.nodeid, None)

    def _write_captured(self, case: TestCase, report: TestReport) -> None:
        if self.logging == "no":
            return
        if not self.log_passing_tests and not case.has("failure", "error", "skipped"):
            return
        out_parts: list[str] = []
        err_parts: list[str] = []
        if self.logging in ("log", "all") and report.caplog:
            out_parts.append(_block("Captured Log", report.caplog))
        if self.logging in ("system-out", "out-err", "all") and report.capstdout:
            out_parts.append(_block("Captured Out", report.capstdout))
        if self.logging in ("system-err", "out-err", "all") and report.capstderr:
            err_parts.append(_block("Captured Err", report.capstderr))
        if out_parts:
            case.add("system-out", "".join(out_parts))
        if err_parts:
            case.add("system-err", "".join(err_parts))

    def minitest_collectreport(self, report: CollectReport) -> None:
        if report.passed:
            return
        case = self._new_case(report.nodeid, None)
        if report.failed:
            case.add("error", str(report.longrepr), message="collection failure")
        else:
            case.add("skipped", str(report.longreprtext), message="collection skipped")
        self.open.pop(report.nodeid, None)

    def minitest_internalerror(self, excrepr: str) -> None:
        case = TestCase({"classname": "minitest", "name": "internal"})
        case.add("error", str(excrepr), message="internal error")
        self.cases.append(case)

    def minitest_sessionfinish(self, session: Session) -> None:
        problem = self.write()
        if problem is not None:
            report_not_written(session, "--junitxml", problem)

    def minitest_terminal_summary(self, terminalreporter: Any, config: Config) -> None:
        if config.get_verbosity() >= 0:
            terminalreporter.write_sep("-", f"generated xml file: {self.path}")

    # -- writing ---------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        tags = [tag for case in self.cases for tag, _, _ in case.children]
        return {"tests": len(self.cases) - self.split_cases, "errors": tags.count("error"),
                "failures": tags.count("failure"), "skipped": tags.count("skipped")}

    def to_xml(self) -> str:
        import platform
        import xml.etree.ElementTree as ET
        from datetime import UTC, datetime

        counts = self.counts()
        suite = ET.Element("testsuite", {
            "name": xml_safe(self.suite_name),
            "errors": str(counts["errors"]),
            "failures": str(counts["failures"]),
            "skipped": str(counts["skipped"]),
            "tests": str(counts["tests"]),
            "time": f"{clock.perf() - self.perf_start:.3f}",
            "timestamp": datetime.fromtimestamp(self.start, UTC).astimezone().isoformat(),
            "hostname": xml_safe(platform.node()),
        })
        if self.suite_properties:
            props = ET.SubElement(suite, "properties")
            for name, value in self.suite_properties:
                ET.SubElement(props, "property", name=xml_safe(name), value=xml_safe(value))
        for case in self.cases:
            attrs = {k: xml_safe(v) for k, v in case.attrs.items()}
            attrs["time"] = f"{case.duration:.3f}"
            element = ET.SubElement(suite, "testcase", attrs)
            if case.properties:
                props = ET.SubElement(element, "properties")
                for name, value in case.properties:
                    ET.SubElement(props, "property", name=xml_safe(name), value=xml_safe(value))
            order = _CHILD_ORDER_WITH_ATTEMPTS if case.rerun_attempt is not None else _CHILD_ORDER
            for tag, child_attrs, text in sorted(case.children, key=lambda c: order[c[0]]):
                child = ET.SubElement(element, tag, {k: xml_safe(v) for k, v in child_attrs.items()})
                if text is not None and tag in _ATTEMPT_TAGS:
                    ET.SubElement(child, "stackTrace").text = xml_safe(text)
                elif text is not None:
                    child.text = xml_safe(text)
        root = ET.Element("testsuites", name="minitest tests")
        root.append(suite)
        return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode")

    def write(self) -> str | None:
        """Write the file; None when written, else why not (tried once: a second try at
        unconfigure would only fail again)."""
        self.written = True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"could not write {self.path}: {exc.strerror or exc}"
        return write_report(self.path, self.to_xml())


def _block(title: str, content: str) -> str:
    return f" {title} ".center(80, "-") + "\n" + content + ("" if content.endswith("\n") else "\n")
