"""Merging JUnit XML reports: one ``<testsuite>`` whose counts and time are the sums of the
inputs' (a single run's totals), their test cases in the order of the inputs.

A file written with ``--shard`` carries the ``<testsuite>`` properties of
:mod:`minitest.shard_api` (which shard, which minitest); they are checked and left out of the
merged file, which describes one whole run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from minitest.shard_api import JUNIT_SHARD_PROPERTY, JUNIT_VERSION_PROPERTY

from .common import MergeError, check_same, check_shards, plural, write

_COUNTS = ("tests", "errors", "failures", "skipped")
_MARKS = (JUNIT_SHARD_PROPERTY, JUNIT_VERSION_PROPERTY)


class JUnitFile:
    """One input: its ``<testsuite>`` and what the checks need."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as exc:
            raise MergeError(f"{path}: not a JUnit XML file: {exc}") from None
        if root.tag not in ("testsuite", "testsuites"):
            raise MergeError(f"{path}: not a JUnit XML file (its root is <{root.tag}>)")
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        if len(suites) != 1:
            raise MergeError(f"{path}: {len(suites)} <testsuite> elements; a minitest or pytest report has one")
        self.root_name = root.get("name", "") if root.tag == "testsuites" else ""
        self.suite = suites[0]
        self.name = self.suite.get("name", "")
        holder = self.suite.find("properties")
        found = holder.findall("property") if holder is not None else []
        self.properties = [(p.get("name", ""), p.get("value", "")) for p in found]
        marks = dict(p for p in self.properties if p[0] in _MARKS)
        self.shard = marks.get(JUNIT_SHARD_PROPERTY)
        self.version = marks.get(JUNIT_VERSION_PROPERTY)
        self.cases = self.suite.findall("testcase")
        # xunit1 writes file= and line= on test cases, xunit2 (the default) does not
        self.family = None if not self.cases else "xunit1" if any("file" in c.attrib for c in self.cases) else "xunit2"

    def count(self, name: str) -> int:
        try:
            return int(self.suite.get(name, "0"))
        except ValueError:
            raise MergeError(f"{self.path}: <testsuite {name}={self.suite.get(name)!r}> is not a number") from None


def merge_junit(out: Path, paths: list[Path]) -> str:
    files = [JUnitFile(path) for path in paths]
    check_same("suites (junit_suite_name)", [(f.path, f.name) for f in files])
    check_same("report formats (junit_family)", [(f.path, f.family) for f in files if f.family])
    check_shards([(f.path, f.shard) for f in files])
    check_same("minitest versions", [(f.path, f.version) for f in files if f.shard])
    _check_no_test_twice(files)
    text = _merged(files)
    write(out, text)
    totals = {name: sum(f.count(name) for f in files) for name in _COUNTS}
    return (f"{plural(totals['tests'], 'test')}, {totals['failures']} failed, {plural(totals['errors'], 'error')}, "
            f"{totals['skipped']} skipped")


def _check_no_test_twice(files: list[JUnitFile]) -> None:
    owner: dict[tuple[str, str], Path] = {}
    for f in files:
        mine = {(c.get("classname", ""), c.get("name", "")) for c in f.cases}
        for key in mine:
            if key in owner:
                raise MergeError(f"{key[0]}::{key[1]} is in {owner[key].name} and in {f.path.name}: "
                                 "these are not the parts of one split run")
        owner.update((key, f.path) for key in mine)


def _merged(files: list[JUnitFile]) -> str:
    first = files[0]
    attrs = {"name": first.name}
    for name in _COUNTS:
        attrs[name] = str(sum(f.count(name) for f in files))
    attrs["time"] = f"{sum(_float(f.suite.get('time')) for f in files):.3f}"
    stamps = [s for s in (f.suite.get("timestamp") for f in files) if s]
    if stamps:
        attrs["timestamp"] = min(stamps, key=_when)  # the run started when its first part did
    if first.suite.get("hostname") is not None:
        attrs["hostname"] = first.suite.get("hostname", "")
    suite = ET.Element("testsuite", attrs)
    properties: list[tuple[str, str]] = []
    for f in files:
        properties.extend(p for p in f.properties if p[0] not in _MARKS and p not in properties)
    if properties:
        holder = ET.SubElement(suite, "properties")
        for name, value in properties:
            ET.SubElement(holder, "property", name=name, value=value)
    for f in files:
        suite.extend(f.cases)
    for tag in ("system-out", "system-err"):
        texts = [el.text or "" for f in files for el in f.suite.findall(tag)]
        if any(texts):
            ET.SubElement(suite, tag).text = "".join(texts)
    root = ET.Element("testsuites", name=first.root_name or "minitest tests")
    root.append(suite)
    return '<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="unicode")


def _float(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def _when(stamp: str) -> float:
    try:
        return datetime.fromisoformat(stamp).timestamp()
    except ValueError:
        return float("inf")
