"""pytest-json-report: ``--json-report`` writes the same report under both runners (summary,
exit code, per-test outcomes, crash locations and messages, the failure texts, captured output,
keywords), ``--json-report-omit``; what differs is listed below."""

from __future__ import annotations

import json

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_report.py": '''
import pytest


def test_ok():
    pass


def test_fail():
    assert [1, 2] == [1, 3]


@pytest.mark.skip(reason="nope")
def test_skip():
    pass


@pytest.mark.xfail
def test_xfail():
    assert 0


@pytest.fixture
def broken():
    raise RuntimeError("setup boom")


def test_error(broken):
    pass


def test_output():
    print("hello out")
    assert 1 == 2
'''}


def _comparable(path) -> dict:
    """The report without times and what differs by design: minitest's longrepr keeps no
    traceback entries (``traceback`` is pytest's only), a skip's text is its reason, the
    keywords hold minitest's ``minitestmark`` too, and the collectors list pytest's ``Dir``."""
    data = json.loads(path.read_text())
    tests = []
    for test in data["tests"]:
        test = {**test, "keywords": sorted(set(test["keywords"]) - {"minitestmark"})}
        for phase in ("setup", "call", "teardown"):
            if phase in test:
                stage = {k: v for k, v in test[phase].items() if k not in ("duration", "traceback")}
                if stage["outcome"] == "skipped" and "crash" not in stage:
                    stage.pop("longrepr", None)
                test[phase] = stage
        tests.append(test)
    return {"exitcode": data["exitcode"], "summary": data["summary"], "tests": tests}


def test_json_report(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine = folder.run("minitest", "--json-report", "--json-report-file=mine.json")
    ref = folder.run("pytest", "--json-report", "--json-report-file=ref.json")
    assert (mine.ret, counts(mine)) == (ref.ret, counts(ref)), mine.dump() + ref.dump()
    mine.fnmatch_lines(["*- JSON report -*", "report saved to: mine.json"])
    report, reference = _comparable(folder.root / "mine.json"), _comparable(folder.root / "ref.json")
    assert len(report["tests"]) == len(reference["tests"])
    for test, ref_test in zip(report["tests"], reference["tests"], strict=True):
        assert test == ref_test, f"{test}\n!=\n{ref_test}"  # one test at a time: a readable difference
    assert report["summary"] == {"passed": 1, "failed": 2, "skipped": 1, "xfailed": 1, "error": 1, "total": 6,
                                 "collected": 6}
    output = next(test for test in report["tests"] if test["nodeid"] == "test_report.py::test_output")
    assert output["call"]["stdout"] == "hello out\n"
    assert output["call"]["longrepr"].startswith("def test_output():")
