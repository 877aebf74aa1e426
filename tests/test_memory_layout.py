"""Issue 10 — max RSS: the per-test data a run keeps until it ends (items, their stash, reports).

Items and reports keep their data in slots and make containers on first use; these tests pin the
behaviour plugins see (the same as with plain attributes) and guard against per-test data
drifting back into instance dicts.
"""

from __future__ import annotations

import pytest

from minitest.reports import CollectReport, TestReport, report_from_dict
from minitest.stash import Stash, StashKey

# ------------------------------------------------------------------------------------------- stash


def test_stash_mapping_behaviour():
    a, b, c = StashKey[int](), StashKey[str](), StashKey[list[int]]()
    stash = Stash()
    assert len(stash) == 0 and a not in stash
    stash[a] = 1
    stash[b] = "x"
    stash[a] = 2  # replaced in place, not added twice
    assert (stash[a], stash[b], len(stash)) == (2, "x", 2)
    assert stash.get(c, None) is None
    assert stash.setdefault(c, [1]) == [1]
    assert stash.setdefault(c, [2]) == [1]
    del stash[b]
    assert b not in stash and len(stash) == 2 and stash[a] == 2 and stash[c] == [1]
    with pytest.raises(KeyError):
        stash[b]
    with pytest.raises(KeyError):
        del stash[b]


def test_stash_values_equal_to_keys_are_not_found_as_keys():
    # a value that compares equal to everything must not be taken for a key
    class EqualsAll:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    a, b = StashKey[object](), StashKey[object]()
    stash = Stash()
    stash[a] = EqualsAll()
    assert b not in stash
    assert stash.get(b, "missing") == "missing"


def test_stashes_with_the_same_keys_share_one_key_tuple():
    a, b = StashKey[int](), StashKey[int]()
    first, second = Stash(), Stash()
    for stash in (first, second):
        stash[a] = 1
        stash[b] = 2
    assert first._keys is second._keys
    del first[a]
    second_only_b = Stash()
    second_only_b[b] = 3
    assert first._keys is second_only_b._keys


# ----------------------------------------------------------------------------------------- reports


def test_report_keywords_from_a_mapping_become_a_dict_when_read():
    from types import MappingProxyType

    source = MappingProxyType({"test_x": True, "slow": object()})
    report = TestReport("a.py::test_x", ("a.py", 0, "test_x"), source, "passed", None, "call")
    assert report.keywords == {"test_x": 1, "slow": 1}
    assert type(report.keywords) is dict
    given = {"test_x": True}
    assert TestReport("a.py::test_x", ("a.py", 0, "test_x"), given, "passed", None, "call").keywords is given
    report.keywords = {"other": 1}
    assert report.keywords == {"other": 1}


def test_report_lists_made_on_first_use_are_kept():
    report = TestReport("a.py::t", ("a.py", 0, "t"), {}, "passed", None, "call")
    assert report.sections == [] and report.user_properties == []
    report.sections.append(("Captured stdout call", "out"))
    report.user_properties.append(("k", "v"))
    assert report.sections == [("Captured stdout call", "out")]
    assert report.user_properties == [("k", "v")]
    assert report.capstdout == "out"


def test_report_round_trip_keeps_fields_and_added_attributes():
    report = TestReport("a.py::t", ("a.py", 3, "t"), {"t": 1, "a.py": 1}, "skipped",
                        ("a.py", 4, "Skipped: why"), "call", [("Captured stdout call", "hi")],
                        duration=0.5, start=1.0, stop=1.5, user_properties=[("k", 1)])
    report.wasxfail = "reason"
    data = report.to_dict()
    assert data["wasxfail"] == "reason" and data["keywords"] == {"t": 1, "a.py": 1}
    back = report_from_dict(data)
    assert isinstance(back, TestReport)
    assert (back.nodeid, back.location, back.outcome, back.when, back.longrepr) == \
        (report.nodeid, report.location, report.outcome, report.when, report.longrepr)
    assert back.sections == report.sections and back.user_properties == report.user_properties
    assert (back.duration, back.start, back.stop, back.wasxfail) == (0.5, 1.0, 1.5, "reason")
    assert back.keywords == report.keywords

    collected = CollectReport("a.py", "failed", "boom", None)
    data = collected.to_dict()
    assert "result" not in data and "when" not in data
    again = report_from_dict(data)
    assert isinstance(again, CollectReport) and again.longrepr == "boom" and again.result == []


# ------------------------------------------------------------------------------------ items in a run

CHECKS = '''
import json, os

def minitest_sessionfinish(session):
    facts = {}
    for item in session.items:
        facts[item.nodeid] = {
            "dict": sorted(item.__dict__),
            "instance": getattr(item, "instance", None) is not None,
            "obj_bound": hasattr(item.obj, "__self__"),
            "stash": len(item.stash),
            "keywords": sorted(k for k in item.keywords if k),
        }
    with open(os.environ["FACTS_FILE"], "w") as f:
        json.dump(facts, f)
'''


def test_items_keep_nothing_per_test_in_their_dict(files, run, tmp_path):
    import json

    files({
        "conftest.py": CHECKS,
        "test_m.py": """
            import minitest

            def test_plain():
                pass

            @minitest.mark.slow
            @minitest.mark.parametrize("n", [1, 2])
            def test_param(n):
                assert n

            def test_fixture(tmp_path):
                assert tmp_path

            class TestC:
                def test_method(self):
                    self.big = list(range(10))
        """,
    })
    facts_file = tmp_path / "facts.json"
    result = run("-q", "-p", "no:cache", env={"FACTS_FILE": str(facts_file)})
    assert result.ret == 0, result.dump()
    facts = json.loads(facts_file.read_text())
    assert len(facts) == 5
    for nodeid, fact in facts.items():
        # a new per-test attribute belongs in Function's __slots__ (see minitest/nodes.py)
        assert fact["dict"] == [], (nodeid, fact)
        # the class instance (and what the test put on it) is released after the test
        assert not fact["instance"] and not fact["obj_bound"], (nodeid, fact)
    assert "slow" in facts["test_m.py::test_param[1]"]["keywords"]
    assert "1" in facts["test_m.py::test_param[1]"]["keywords"]
    assert {"test_plain", "test_m.py"} <= set(facts["test_m.py::test_plain"]["keywords"])
