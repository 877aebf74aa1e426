"""``minitest merge OUT IN...``: the shards' JUnit XML files or report logs as one run's report.

Each run goes through the real ``minitest`` console script on a folder in tmp_path.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SCHEMA = Path(__file__).parent / "data" / "junit-xunit2.xsd"

SUITE = {
    "test_a.py": """
        import minitest

        @minitest.mark.parametrize("n", range(5))
        def test_param(n): assert n != 3
        def test_skip(): minitest.skip("later")
        @minitest.fixture
        def broken(): raise RuntimeError("boom")
        def test_error(broken): pass
    """,
    "test_b.py": """
        def test_one(record_testsuite_property):
            record_testsuite_property("build", "42")
        def test_two(): pass
        def test_three(): pass
    """,
}


def _suite(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def _counts(path: Path) -> dict[str, str]:
    suite = _suite(path)
    return {name: suite.get(name, "") for name in ("tests", "errors", "failures", "skipped")}


def _cases(path: Path) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(c.get("classname", ""), c.get("name", ""), tuple(child.tag for child in c))
            for c in _suite(path).findall("testcase")}


def _shard_reports(script, *extra: str) -> None:
    for k in (1, 2, 3):
        result = script("--shard", f"{k}/3", f"--junitxml=shard{k}.xml", f"--report-log=shard{k}.jsonl", *extra)
        assert result.ret == _expected_exit_code(result), result.dump()


def _expected_exit_code(result) -> int:
    """1 for a shard that ran a failing or erroring test, 0 for one whose tests all passed or skipped."""
    outcomes = result.outcomes()
    ran = sum(outcomes.get(word, 0) for word in ("passed", "failed", "errors", "skipped"))
    assert ran > 0, result.dump()  # a shard of this suite is never empty
    return 1 if outcomes.get("failed") or outcomes.get("errors") else 0


def test_merged_junit_has_the_totals_of_one_run_and_validates(files, script, tmp_path):
    files(SUITE)
    full = script("--junitxml=full.xml")
    assert full.ret == 1, full.dump()
    _shard_reports(script)
    # each shard is marked as such
    props = {p.get("name"): p.get("value") for p in _suite(tmp_path / "shard2.xml").iter("property")}
    assert props["minitest.shard"] == "2/3" and props["minitest.version"], props
    result = script("merge", "merged.xml", "shard1.xml", "shard2.xml", "shard3.xml")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["merged 3 reports into *merged.xml: 10 tests, 1 failed, 1 error, 1 skipped"])
    merged = tmp_path / "merged.xml"
    assert _counts(merged) == _counts(tmp_path / "full.xml") == {
        "tests": "10", "errors": "1", "failures": "1", "skipped": "1"}
    assert _cases(merged) == _cases(tmp_path / "full.xml")
    merged_props = {p.get("name"): p.get("value") for p in _suite(merged).iter("property")}
    assert merged_props == {"build": "42"}, merged_props  # the shard marks are gone
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(SCHEMA)).validate(str(merged))


def test_merged_report_log_replays_as_the_whole_run(files, script, tmp_path):
    files(SUITE)
    full = script("--report-log=full.jsonl")
    _shard_reports(script, "-n", "2")
    result = script("merge", "merged.jsonl", "shard1.jsonl", "shard2.jsonl", "shard3.jsonl")
    assert result.ret == 0, result.dump()
    replayed = script("replay", "merged.jsonl")
    assert replayed.ret == full.ret == 1, replayed.dump()
    assert replayed.outcomes() == full.outcomes() == {"failed": 1, "passed": 7, "skipped": 1, "errors": 1}
    events = [json.loads(line) for line in (tmp_path / "merged.jsonl").read_text().splitlines()]
    assert [e["$report_type"] for e in events].count("SessionStart") == 1
    assert "shard" not in events[0]
    assert events[-1]["testscollected"] == 10 and events[-1]["exitstatus"] == 1, events[-1]
    assert not [e for e in events if e["$report_type"] == "Deselected"]  # each ran in some shard
    # a report of the content's format whatever its name
    (tmp_path / "shard1.jsonl").rename(tmp_path / "one.log")
    assert script("merge", "again.jsonl", "one.log", "shard2.jsonl", "shard3.jsonl").ret == 0


def test_reports_that_do_not_belong_together_are_refused(files, script, tmp_path):
    files(SUITE)
    _shard_reports(script)
    (tmp_path / "merged.xml").write_text("before")

    def refused(*args: str, message: str) -> None:
        result = script("merge", "merged.xml", *args)
        assert result.ret == 4, result.dump()
        assert message in result.stderr and "nothing was written" in result.stderr, result.dump()
        assert (tmp_path / "merged.xml").read_text() == "before"

    refused("shard1.xml", "shard1.xml", message="shard 1/3 given twice")
    refused("shard1.xml", "shard2.jsonl", message="not of one format")
    # another suite: another junit_suite_name
    other = script("--shard", "2/3", "--junitxml=other.xml", "-o", "junit_suite_name=other")
    assert other.ret == _expected_exit_code(other), other.dump()
    refused("shard1.xml", "other.xml", message="different suites")
    # another version of minitest wrote one of them
    text = (tmp_path / "shard2.xml").read_text()
    version = {p.get("name"): p.get("value") for p in _suite(tmp_path / "shard2.xml").iter("property")}["minitest.version"]
    (tmp_path / "old.xml").write_text(text.replace(f'value="{version}"', 'value="0.0.1"'))
    refused("shard1.xml", "old.xml", message="different minitest versions")
    # another split, a run that was not split, the same tests twice
    half = script("--shard", "1/2", "--junitxml=half.xml")
    assert half.ret == _expected_exit_code(half), half.dump()
    refused("shard2.xml", "half.xml", message="shards of different splits")
    assert script("--junitxml=whole.xml").ret == 1
    refused("shard1.xml", "whole.xml", message="is not a shard")
    (tmp_path / "copy.xml").write_text((tmp_path / "shard1.xml").read_text().replace("1/3", "3/3"))
    refused("shard1.xml", "copy.xml", message="these are not the parts of one split run")
    # report logs: a newer format, a stream cut short
    lines = (tmp_path / "shard2.jsonl").read_text().splitlines()
    newer = json.loads(lines[0])
    newer["version"] = 99
    (tmp_path / "newer.jsonl").write_text("\n".join([json.dumps(newer), *lines[1:]]) + "\n")
    (tmp_path / "cut.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    for bad, message in (("newer.jsonl", "report log version 99"), ("cut.jsonl", "ends before its SessionFinish")):
        result = script("merge", "merged.jsonl", "shard1.jsonl", bad)
        assert result.ret == 4 and message in result.stderr, result.dump()
        assert not (tmp_path / "merged.jsonl").exists()
    usage = script("merge", "merged.xml")
    assert usage.ret == 4 and "give the output file, then the reports" in usage.stderr, usage.dump()
