"""What forked workers send to the controller, and how: the shortcuts taken for speed give exactly
what the general path gives (reports, frames, the run's id), and the worker's start copes with
descriptors it may not replace."""

from __future__ import annotations

import enum
import os
import re
import tempfile
import warnings
from pathlib import PurePosixPath

import pytest

from builtin_plugins.parallel import forked
from builtin_plugins.parallel.frames import FrameReader, encode
from builtin_plugins.parallel.runuid import new_testrunuid
from builtin_plugins.parallel.serialize import (
    plain,
    report_from_data,
    report_to_data,
    warning_from_data,
    warning_to_data,
)
from minitest.reports import CollectReport, FailureRepr, ReprCrash, TestReport


class Outcome(enum.Enum):
    """Not a string: plain data says it with its repr."""

    PASSED = "passed"


def _report(**changes):
    fields = dict(nodeid="tests/test_a.py::TestA::test_b[1]", location=("tests/test_a.py", 12, "TestA.test_b[1]"),
                  keywords={"test_b[1]": 1, "TestA": True, "slow": 1}, outcome="passed", longrepr=None, when="call",
                  duration=0.25, start=1.5, stop=1.75)
    fields.update(changes)
    return TestReport(**fields)


REPORTS = {
    "passed call": _report(),
    "setup, no line": _report(when="setup", location=("tests/test_a.py", None, "test_b")),
    "integer times": _report(duration=0, start=1, stop=1),
    "failed": _report(outcome="failed", longrepr=FailureRepr("E   assert 1 == 2", ReprCrash("tests/test_a.py", 13, "x"))),
    "skip tuple": _report(outcome="skipped", longrepr=("tests/test_a.py", 3, "Skipped: later")),
    "output": _report(sections=[("Captured stdout call", "hello\n")]),
    "user properties": _report(user_properties=[("key", "value")]),
    "plugin attribute": _report(wasxfail="reason"),
    "keyword not a string": _report(keywords={"test_b": 1, 3: 1}),
    "path location": _report(location=(PurePosixPath("tests/test_a.py"), 12, "test_b")),
    "line not an int": _report(location=("tests/test_a.py", 12.0, "test_b")),
    "name not a string": _report(location=("tests/test_a.py", 12, PurePosixPath("b"))),
    "location a list": _report(location=["tests/test_a.py", 12, "test_b"]),
    "location of two": _report(location=("tests/test_a.py", 12)),
    "node id a path": _report(nodeid=PurePosixPath("tests/test_a.py")),
    "outcome not a string": _report(outcome=Outcome.PASSED),
    "phase not a string": _report(when=Outcome.PASSED),
    "start a string": _report(start="1.5"),
    "start a path": _report(start=PurePosixPath("x")),
    "line a path": _report(location=("tests/test_a.py", PurePosixPath("12"), "test_b")),
    "keywords all paths": _report(keywords={PurePosixPath("k"): 1}),
    "stop a path": _report(stop=PurePosixPath("x")),
    "keyword a path": _report(keywords={"test_b": 1, PurePosixPath("k"): 1}),
    "odd duration": _report(duration=True),
}


@pytest.mark.parametrize("name", list(REPORTS))
def test_a_report_is_serialized_as_the_general_path_does(name):
    report = REPORTS[name]
    expected = plain(report.to_dict())
    data = report_to_data(report)
    assert data == expected
    assert list(data) == list(expected)  # the same key order: the JSON report log writes it
    assert list(data["keywords"].items()) == list(expected["keywords"].items())
    rebuilt = report_from_data(data)
    assert (rebuilt.nodeid, rebuilt.outcome, rebuilt.when, rebuilt.location) == (
        expected["nodeid"], expected["outcome"], expected["when"], tuple(expected["location"]))


def test_other_reports_and_foreign_data():
    collect = CollectReport("tests/test_a.py", "failed", FailureRepr("boom"), None, [("Captured stdout", "x")])
    data = report_to_data(collect)
    assert data == plain(collect.to_dict()) and data["$report_type"] == "CollectReport"
    assert isinstance(report_from_data(data), CollectReport)
    assert report_from_data({"nodeid": "a"}) is None  # not made by report_to_data: another plugin's
    passed = CollectReport("tests/test_b.py", "passed", None, None)
    assert report_to_data(passed) == plain(passed.to_dict())


def test_plain_turns_what_execnet_cannot_carry_into_strings():
    class Mapping(dict):
        pass

    value = {"s": {1, 2}, "t": (1, [2, (3,)]), "f": frozenset({"a"}), "p": PurePosixPath("a/b"), 7: None,
             2.5: b"x", PurePosixPath("k"): {PurePosixPath("n"): Outcome.PASSED}, "m": Mapping({3: "x", (4,): 1}),
             "o": Outcome.PASSED, "b": True, "l": [PurePosixPath("c"), 1.5], "x": Text("sub")}
    assert plain(value) == {"s": [1, 2], "t": [1, [2, [3]]], "f": ["a"], "p": "a/b", 7: None, 2.5: b"x",
                            "k": {"n": repr(Outcome.PASSED)}, "m": {3: "x", "(4,)": 1}, "o": repr(Outcome.PASSED),
                            "b": True, "l": ["c", 1.5], "x": "sub"}
    assert plain([None, "x", 1]) == [None, "x", 1] and plain((1, 2)) == [1, 2] and plain(None) is None


def test_a_warning_as_plain_data_and_back():
    # a warning with no line number (what some C code reports)
    data = warning_to_data(warnings.WarningMessage(DeprecationWarning("careful"), DeprecationWarning,
                                                   "tests/test_a.py", None))
    assert data == {"message": "careful", "category_module": "builtins", "category_name": "DeprecationWarning",
                    "filename": "tests/test_a.py", "lineno": 0, "line": None}
    back = warning_from_data(data)
    assert (str(back.message), back.category, back.filename, back.lineno) == (
        "careful", DeprecationWarning, "tests/test_a.py", 0)


class Text(str):
    """Not plain data: marshal refuses a subclass of str."""


def test_frames_carry_plain_messages_and_anything_else_by_pickle():
    messages = [("logstart", {"nodeid": "a::b", "location": ["a", 1, "b"]}),
                ("logreport", {"report": report_to_data(REPORTS["passed call"])}),
                ("finished", {"exitstatus": 0, "workeroutput": {"n": 1.5, "flag": True, "none": None}})]
    odd = [("warning", {"text": Text("subclass"), "pair": (1, 2)})]
    plain_frame, odd_frame = encode(messages), encode(odd)
    assert plain_frame[4:5] == b"M" and odd_frame[4:5] == b"P"
    reader = FrameReader()
    # frames split anywhere, and two at once, come out whole and in order
    stream = plain_frame + odd_frame
    got = reader.feed(stream[:7]) + reader.feed(stream[7:len(plain_frame) + 3]) + reader.feed(stream[len(plain_frame) + 3:])
    assert got == messages + odd
    assert type(got[-1][1]["pair"]) is tuple


def test_the_run_id_has_the_form_of_a_uuid4():
    import uuid

    ids = {new_testrunuid() for _ in range(50)}
    assert len(ids) == 50
    for value in ids:
        assert re.fullmatch(r"[0-9a-f]{32}", value)
        parsed = uuid.UUID(hex=value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert parsed.hex == value
    # the bits left random stay random: each takes both values over 50 ids, and the bytes that
    # carry the version and variant are not copies of their neighbours
    raw = [bytes.fromhex(value) for value in ids]
    for index, mask in ((6, 0x0F), (8, 0x3F)):
        for bit in range(8):
            if mask >> bit & 1:
                assert len({b[index] >> bit & 1 for b in raw}) == 2, (index, bit)
        for neighbour in (index - 1, index + 1):
            assert any(b[index] & mask != b[neighbour] & mask for b in raw), (index, neighbour)


def test_a_worker_leaves_inherited_files_it_may_not_replace(monkeypatch):
    """valgrind lists descriptors of its own in /proc/self/fd and refuses dup2 onto them: the
    worker's start goes on, and that file stays as it was."""
    with tempfile.TemporaryFile() as shared:
        shared.write(b"written before the fork")
        shared.flush()
        before = os.fstat(shared.fileno()).st_ino
        real_dup2 = os.dup2

        def refusing_dup2(fd, fd2, inheritable=True):
            if fd2 == shared.fileno():
                raise OSError(9, "Bad file descriptor")
            return real_dup2(fd, fd2, inheritable)

        monkeypatch.setattr(forked.os, "dup2", refusing_dup2)
        forked._private_temporary_files()
        assert os.fstat(shared.fileno()).st_ino == before
        assert shared.tell() == len(b"written before the fork")
        monkeypatch.setattr(forked.os, "dup2", real_dup2)
        forked._private_temporary_files()  # allowed: the same descriptor now holds a private copy
        assert os.fstat(shared.fileno()).st_ino != before
        shared.seek(0)
        assert shared.read() == b"written before the fork"


def test_keywords_are_listed_as_pytest_lists_them(files, run, run_pytest):
    """The own keywords of each node first, nearest node first, each once (``item.keywords`` is
    what the reports a worker sends carry)."""
    files({
        "conftest.py": "",
        "pkg/__init__.py": "",
        "pkg/test_k.py": """
            import pytest

            pytestmark = pytest.mark.modmark

            @pytest.mark.classmark
            class TestK:
                @pytest.mark.modmark
                @pytest.mark.parametrize("n", [1])
                def test_k(self, request, n):
                    request.node.add_marker("added")
                    print("KEYWORDS", [k for k in request.node.keywords if not k.startswith("tmp")])
        """,
    })
    mine = run("-s", "-q", "-p", "no:cache")
    ref = run_pytest("-s", "-q")
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    [line] = [eval(ln.split("KEYWORDS ", 1)[1]) for ln in mine.stdout.splitlines() if "KEYWORDS" in ln]
    [ref_line] = [eval(ln.split("KEYWORDS ", 1)[1]) for ln in ref.stdout.splitlines() if "KEYWORDS" in ln]
    assert len(line) == len(set(line))
    # the ancestors' keywords, in pytest's order (the item's own differ: minitest's function also
    # has a ``minitestmark`` attribute, and lists its attributes before its marks)
    assert line[line.index("TestK"):] == ref_line[ref_line.index("TestK"):]
    assert line[:line.index("TestK")][0] == "test_k[1]"
    assert set(line[:line.index("TestK")]) - {"minitestmark"} == set(ref_line[:ref_line.index("TestK")])
