"""Reports and warnings as plain data that execnet can carry (and back).

execnet only transports builtin types, so whatever a plugin stored on a report that is not plain
data (an exception object, a path) travels as its ``repr``/``str``.
"""

from __future__ import annotations

import warnings
from pathlib import PurePath
from typing import Any

from minitest.reports import CollectReport, TestReport, report_from_dict
from minitest.warning_data import category_names, rebuild_warning

_REPORT_TYPE = "$report_type"


def report_to_data(report: TestReport | CollectReport) -> dict[str, Any]:
    if type(report) is TestReport:
        data = _plain_test_report(report)
        if data is not None:
            return data
    return plain(report.to_dict())


def _plain_test_report(report: TestReport) -> dict[str, Any] | None:
    """``plain(report.to_dict())`` for the common report, built in one step: no failure, no
    output sections, no user properties, no attributes added by plugins, plain values. None for
    any other report (the general path decides).

    A worker sends three reports per test; the general path (a dict of every field, then a walk
    of it that checks each value) made serializing them ~40 % of what a worker adds to running a
    test (Python function calls per test, cProfile; instruction counts under callgrind agree)."""
    if report.longrepr is not None or vars(report) or report.sections or report.user_properties:
        return None
    nodeid, outcome, when, location = report.nodeid, report.outcome, report.when, report.location
    duration, start, stop = report.duration, report.start, report.stop
    if (type(nodeid) is not str or type(outcome) is not str or type(when) is not str
            or type(location) is not tuple or len(location) != 3
            or type(duration) not in _NUMBERS or type(start) not in _NUMBERS or type(stop) not in _NUMBERS):
        return None
    path, line, name = location
    if type(path) is not str or type(name) is not str or (line is not None and type(line) is not int):
        return None
    keywords = dict.fromkeys(report.keywords, 1)
    for key in keywords:
        if type(key) is not str:
            return None
    return {"nodeid": nodeid, "location": [path, line, name], "keywords": keywords, "outcome": outcome,
            "longrepr": None, "when": when, "sections": [], "duration": duration, "start": start, "stop": stop,
            "user_properties": [], _REPORT_TYPE: "TestReport"}


def report_from_data(data: dict[str, Any]) -> TestReport | CollectReport | None:
    if _REPORT_TYPE not in data:
        return None  # not ours: let another implementation decide
    return report_from_dict(data)


#: the exact types ``plain`` returns as they are, and the exact types of keys it keeps: checked
#: with ``type(x) in`` before the general ``isinstance`` rules. A report's dict is mostly these;
#: the check more than halves ``plain``'s cost on one (5.3 -> 2.2 us; three reports per test:
#: timeit on a passed report's dict)
_AS_IS = frozenset({type(None), bool, int, float, str, bytes})
_NUMBERS = frozenset({int, float})
_KEYS = frozenset({int, float, str})


def plain(value: Any) -> Any:
    """``value`` with everything execnet cannot serialize turned into strings."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {(k if type(k) in _KEYS else _key(k)): (v if type(v) in _AS_IS else plain(v))
                for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _AS_IS else plain(v) for v in value]
    return _plain(value)


def _key(key: Any) -> Any:
    return str(key) if not isinstance(key, (int, float, str)) else key


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, (int, float, str)) else k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    return repr(value)


def warning_to_data(message: Any) -> dict[str, Any]:
    """A ``warnings.WarningMessage`` as plain data."""
    module, qualname = category_names(getattr(message, "category", UserWarning))
    return {
        "message": str(message.message),
        "category_module": module,
        "category_name": qualname,
        "filename": str(message.filename),
        "lineno": int(message.lineno or 0),
        "line": message.line,
    }


def warning_from_data(data: dict[str, Any]) -> warnings.WarningMessage:
    return rebuild_warning(data["message"], data["category_module"], data["category_name"], data["filename"],
                           data["lineno"], data.get("line"))
