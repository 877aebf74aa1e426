"""The ``reportlog`` builtin: the ``--report-log`` event stream (valid against its schema, flushed
per event), ``minitest replay`` (the live run's terminal output, line for line), ``minitest report``,
``--rerun-failed-from``, and bad input."""

from __future__ import annotations

import fnmatch
import json
import signal
from pathlib import Path

import pytest
from conftest import REPO_ROOT

SCHEMA = REPO_ROOT / "docs" / "report-log.schema.json"

SUITE = {
    "test_mix.py": """
        import sys
        import warnings
        import minitest

        def test_passes():
            print("some output <b>not bold</b>")

        def test_fails():
            assert [1, 2, 3] == [1, 2, 4]

        @minitest.mark.skip(reason="not today")
        def test_skipped():
            pass

        @minitest.mark.xfail(reason="known bug")
        def test_xfails():
            assert 0

        def test_warns():
            warnings.warn("careful now")

        @minitest.fixture
        def broken():
            raise RuntimeError("fixture broke")

        def test_errors(broken):
            pass

        @minitest.mark.parametrize("n", [1, 2, 3])
        def test_param(n):
            sys.stderr.write(f"n is {n}\\n")
    """,
    "test_other.py": """
        def test_one():
            pass

        def test_two():
            assert "left" == "right"
    """,
}


def events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]


def validate(path: Path) -> list[dict]:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    stream = events(path)
    for number, event in enumerate(stream, 1):
        errors = sorted(validator.iter_errors(event), key=str)
        assert not errors, f"line {number} of {path}: {event}\n" + "\n".join(str(e) for e in errors[:3])
    return stream


@pytest.mark.parametrize("args", [(), ("-n", "2"), ("--reruns", "1")], ids=["serial", "workers", "reruns"])
def test_the_stream_validates_against_its_schema(files, run, tmp_path, args):
    files(SUITE)
    result = run("--report-log", "log/run.jsonl", *args, "-k", "not test_one")
    assert result.ret == 1, result.dump()
    stream = validate(tmp_path / "log" / "run.jsonl")
    first, last = stream[0], stream[-1]
    assert first["$report_type"] == "SessionStart"
    assert first["$schema"] == "urn:minitest:report-log" and first["version"] == 1
    assert last["$report_type"] == "SessionFinish" and last["exitstatus"] == 1
    kinds = {e["$report_type"] for e in stream}
    assert {"RunTestLogStart", "TestReport", "RunTestLogFinish", "WarningMessage", "Deselected"} <= kinds
    # (with workers only failed collections reach the controller)
    assert "CollectReport" in kinds or args == ("-n", "2")
    reports = [e for e in stream if e["$report_type"] == "TestReport"]
    calls = {e["nodeid"]: e for e in reports if e["when"] == "call"}
    assert calls["test_mix.py::test_passes"]["sections"] == [["Captured stdout call", "some output <b>not bold</b>\n"]]
    failed = calls["test_mix.py::test_fails"]
    assert failed["outcome"] == "failed" and failed["location"] == ["test_mix.py", 7, "test_fails"]
    assert "assert [1, 2, 3] == [1, 2, 4]" in failed["longrepr"]["text"]
    assert calls["test_mix.py::test_xfails"]["wasxfail"] == "known bug"
    assert all(isinstance(e["duration"], float) for e in reports)
    if args == ("-n", "2"):
        assert {e["worker_id"] for e in reports} <= {"gw0", "gw1"}
        assert all("node" not in e for e in reports)
    if args == ("--reruns", "1"):
        # a failing test's first attempt is a "rerun" report; every report carries its attempt
        attempts = [(e["rerun"], e["outcome"]) for e in reports
                    if e["nodeid"] == "test_mix.py::test_fails" and e["when"] == "call"]
        assert attempts == [(0, "rerun"), (1, "failed")]


REPLAY_OPTIONS = [(), ("-v",), ("-q",), ("-rA",), ("-vv", "--durations=3"), ("--tb=short", "-rfE")]


@pytest.mark.parametrize("options", REPLAY_OPTIONS, ids=lambda o: " ".join(o) or "default")
def test_replay_prints_what_the_live_run_printed(files, run, tmp_path, options):
    files(SUITE)
    live = run("--report-log", "run.jsonl", *options)
    replay = run("replay", "run.jsonl", *options)
    assert replay.ret == live.ret == 1
    assert replay.stdout == live.stdout, f"{live.dump()}\n\n{replay.dump()}"


@pytest.mark.parametrize("case", ["reruns", "maxfail", "collection-error", "no-tests", "exit", "plugin-stop"])
def test_replay_of_runs_that_stop_or_rerun(files, run, case):
    files(SUITE)
    options = {"reruns": ["--reruns", "2", "-rR"], "maxfail": ["-x"], "collection-error": [],
               "no-tests": ["-k", "nothing_matches"], "exit": [], "plugin-stop": []}[case]
    if case == "plugin-stop":
        # only session.shouldstop (no -x, so no shouldfail): the live loop stops with the line of
        # letters open, and the replay must not add the last percentage to it
        files({"conftest.py": """
            SESSION = []

            def minitest_sessionstart(session):
                SESSION.append(session)

            def minitest_runtest_logreport(report):
                if report.failed:
                    SESSION[0].shouldstop = "stopped by the plugin"
        """})
    if case == "collection-error":
        files({"test_broken.py": "import no_such_module_here\n"})
    if case == "exit":
        files({"test_exit.py": "import minitest\ndef test_stop():\n    minitest.exit('enough')\n"})
    live = run("--report-log", "run.jsonl", *options)
    replay = run("replay", "run.jsonl", *options)
    assert replay.ret == live.ret, f"{live.dump()}\n\n{replay.dump()}"
    assert replay.stdout == live.stdout, f"{live.dump()}\n\n{replay.dump()}"


@pytest.mark.parametrize("options, status, code", [
    (["--sw"], "stepwise: skipping 2 already passed items (cache from 0:00:0? ago, use --sw-reset to discard).", 2),  # stopped at test_c: interrupted
    (["--lf"], "run-last-failure: rerun previous 2 failures", 1),
    (["--sw", "--lf"], "stepwise: test count changed, not skipping (now 1 tests, previously 4).", 2),
], ids=["stepwise", "last-failed", "both"])
def test_replay_shows_the_cache_status_lines_of_the_run(files, run, options, status, code):
    """The lines --sw and --lf write after "collected N items" are in the replay too (they are
    minitest_report_collectionfinish answers, which the log records)."""
    files({"test_steps.py": """
        def test_a():
            pass

        def test_b():
            pass

        def test_c():
            assert 0

        def test_d():
            assert 0
    """})
    first = run(*options)
    assert first.ret == code, first.dump()
    live = run("--report-log", "run.jsonl", *options)
    replay = run("replay", "run.jsonl")
    assert replay.ret == live.ret == code, f"{live.dump()}\n\n{replay.dump()}"
    assert [line for line in live.lines if fnmatch.fnmatchcase(line, status)], live.dump()  # ? : the record's age
    assert replay.stdout == live.stdout, f"{live.dump()}\n\n{replay.dump()}"


def test_replay_of_a_run_on_workers(files, run):
    """The tests' lines are the same; the controller's own lines about its workers are no events."""
    files(SUITE)
    live = run("--report-log", "run.jsonl", "-n", "2")
    replay = run("replay", "run.jsonl")
    assert replay.ret == live.ret == 1
    worker_lines = ("created: 2/2 workers", "2 workers [11 items]")
    ours = [line for line in live.lines if line not in worker_lines and not line.startswith("forked after collection")]
    assert ours == replay.lines, (live.dump(), replay.dump())


def test_a_killed_run_leaves_every_finished_test(files, run, tmp_path):
    files({"test_killed.py": """
        import os, signal

        def test_a():
            pass

        def test_b():
            assert False

        def test_c():
            os.kill(os.getpid(), signal.SIGKILL)

        def test_d():
            pass
    """})
    result = run("--report-log", "run.jsonl", "-p", "no:cache")
    assert result.ret == -signal.SIGKILL, result.dump()
    stream = events(tmp_path / "run.jsonl")  # every line whole: flushed per event
    finished = [e["nodeid"] for e in stream if e["$report_type"] == "RunTestLogFinish"]
    assert finished == ["test_killed.py::test_a", "test_killed.py::test_b"]
    replay = run("replay", "run.jsonl")
    assert replay.ret == 4
    assert f"run.jsonl:{len(stream)}: the stream ends before its SessionFinish event" in replay.stderr
    # its failures can still be run again
    again = run("--rerun-failed-from", "run.jsonl", "-v", "-p", "no:cache")
    again.fnmatch_lines(["*rerun-failed-from: 1 failed test in *run.jsonl*", "test_killed.py::test_b FAILED*"])
    assert again.outcomes() == {"failed": 1, "deselected": 3}


def test_rerun_failed_from_runs_that_runs_failures(files, run):
    files(SUITE)
    assert run("--report-log", "ci.jsonl").ret == 1
    result = run("--rerun-failed-from", "ci.jsonl", "-v", "-p", "no:cache")
    assert result.ret == 1
    assert result.outcomes() == {"failed": 2, "errors": 1, "deselected": 8}
    result.fnmatch_lines(["*rerun-failed-from: 3 failed tests in *ci.jsonl"])


def test_report_writes_files_from_a_recorded_run(files, run, tmp_path):
    files(SUITE)
    assert run("--report-log", "run.jsonl", "--junitxml", "live.xml").ret == 1
    result = run("report", "run.jsonl", "--junitxml", "replayed.xml")
    assert result.ret == 0, result.dump()
    assert result.stdout == ""

    def cases(path: Path) -> list[tuple[str, str]]:
        import xml.etree.ElementTree as ET

        root = ET.parse(path).getroot()
        return [(c.get("name"), ",".join(child.tag for child in c)) for c in root.iter("testcase")]

    assert cases(tmp_path / "replayed.xml") == cases(tmp_path / "live.xml")
    nothing = run("report", "run.jsonl")
    assert nothing.ret == 4 and "nothing to write" in nothing.stderr


@pytest.mark.parametrize("content, message", [
    ('{"hello": "world"}\n', ":1: not a minitest report log"),
    ("not json at all\n", ":1: not a JSON object"),
    ("", ": empty: not a minitest report log"),
    ('{"$report_type": "SessionStart", "$schema": "urn:minitest:report-log", "version": 99, "start": 0}\n',
     ":1: report log version 99"),
    (b'\xff\xfe\n', ":1: not a JSON object"),
], ids=["foreign", "not-json", "empty", "newer", "not-utf8"])
def test_bad_streams_are_usage_errors_naming_the_line(files, run, tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    for command in (["replay", "bad.jsonl"], ["report", "bad.jsonl", "--html", "out.html"]):
        result = run(*command)
        assert result.ret == 4, result.dump()
        assert f"bad.jsonl{message}" in result.stderr, result.dump()
    assert not (tmp_path / "out.html").exists()


def test_a_truncated_stream_names_its_last_line(files, run, tmp_path):
    files(SUITE)
    assert run("--report-log", "run.jsonl").ret == 1
    data = (tmp_path / "run.jsonl").read_bytes()
    # one event a line: session start and finish, 3 collect reports, collection finish, a warning,
    # log start and finish of the 11 tests, 31 test reports (3 each, 2 for the skip and the error)
    assert data.count(b"\n") == 1 + 1 + 3 + 1 + 1 + 2 * 11 + 31
    (tmp_path / "cut.jsonl").write_bytes(data[: len(data) // 2])
    result = run("replay", "cut.jsonl")
    assert result.ret == 4
    cut_line = data[: len(data) // 2].count(b"\n") + 1
    assert f"cut.jsonl:{cut_line}: not a JSON object" in result.stderr, result.dump()
    assert "was the run killed?" in result.stderr
    # a foreign event in the middle
    broken = data.split(b"\n")
    broken[3] = b'{"$report_type": "Something"}'
    (tmp_path / "foreign.jsonl").write_bytes(b"\n".join(broken))
    result = run("replay", "foreign.jsonl")
    assert result.ret == 4 and "foreign.jsonl:4: unknown event type 'Something'" in result.stderr


def test_an_unwritable_report_log_is_a_usage_error_before_any_test(files, run, tmp_path):
    files({"test_marker.py": """
        from pathlib import Path

        def test_marker():
            Path(__file__).with_name("ran").write_text("yes")
    """, "blocker": "a file, not a directory\n"})
    for target in ("blocker/run.jsonl", "."):
        result = run("--report-log", target)
        assert result.ret == 4, result.dump()
        assert "--report-log: cannot write the report log" in result.stderr
    assert not (tmp_path / "ran").exists()


def test_a_folder_named_like_a_subcommand_is_a_test_path(files, run):
    files({"replay/test_r.py": "def test_r():\n    pass\n"})
    result = run("replay", "-q")
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 1}


def test_without_the_options_nothing_is_registered(files, run):
    files({"test_a.py": "def test_a():\n    pass\n"})
    result = run("--trace-hooks", "-p", "no:cache")
    assert "reportlog" not in result.stdout and "html-report" not in result.stdout
