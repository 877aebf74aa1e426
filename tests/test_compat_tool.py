"""The compatibility corpus tool (tests/compat/corpus.py) without the network: what it compares
(exit codes, counts, each node id's outcome, parsed from real runs of both runners) and the
last-run record it rewrites at the end of every run."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from conftest import REPO_ROOT, run_minitest, run_pytest_process

SPEC = importlib.util.spec_from_file_location("compat_corpus", REPO_ROOT / "tests" / "compat" / "corpus.py")
assert SPEC is not None and SPEC.loader is not None
corpus = importlib.util.module_from_spec(SPEC)
sys.modules.setdefault("compat_corpus", corpus)  # dataclasses look their module up by name
SPEC.loader.exec_module(corpus)

SUITE = """
import pytest

def test_ok():
    pass

def test_bad():
    assert 0

@pytest.mark.xfail(reason="known")
def test_known():
    assert 0

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("teardown")

def test_teardown_fails(broken_teardown):
    pass

@pytest.mark.skip(reason="later")
def test_later():
    pass
"""

EXPECTED_OUTCOMES = {
    "test_mix.py::test_ok": "PASSED",
    "test_mix.py::test_bad": "FAILED",
    "test_mix.py::test_known": "XFAIL",
    "test_mix.py::test_teardown_fails": "PASSED+ERROR",
}


def _result(name: str, ret: int, outcomes: dict[str, str], counts: dict[str, int]):
    full = dict.fromkeys(corpus.COUNT_KEYS, 0) | counts
    return corpus.RunResult(name, ret, 0.1, "", full, outcomes, {}, {})


def _project_result(pytest_run, minitest_run):
    project = next(p for p in corpus.PROJECTS if p.name == "iniconfig")
    return corpus.ProjectResult(project, pytest=pytest_run, minitest=minitest_run)


def test_real_outputs_of_both_runners_parse_to_the_same_outcomes(tmp_path):
    (tmp_path / "test_mix.py").write_text(SUITE)
    runs = {}
    for name, runner in (("pytest", run_pytest_process), ("minitest", run_minitest)):
        result = runner("-q", "-rA", cwd=tmp_path, env={"COLUMNS": "120"})
        assert result.ret == 1, result.dump()
        outcomes, _messages = corpus.parse_short_summary(result.stdout)
        assert outcomes == EXPECTED_OUTCOMES, result.dump()
        counts = corpus.parse_counts(result.stdout)
        assert counts == dict.fromkeys(corpus.COUNT_KEYS, 0) | {
            "passed": 2, "failed": 1, "skipped": 1, "xfailed": 1, "errors": 1}, result.dump()
        runs[name] = corpus.RunResult(name, result.ret, 0.1, result.stdout, counts, outcomes, {}, {})
    res = _project_result(runs["pytest"], runs["minitest"])
    assert res.differences() == [] and res.equal
    assert (corpus.fmt_exit_codes(res), corpus.fmt_tests(res)) == ("1/1", "4 same")


def test_a_different_exit_code_alone_makes_a_project_differ():
    outcomes = {"t.py::test_a": "PASSED"}
    res = _project_result(_result("pytest", 0, outcomes, {"passed": 1}), _result("minitest", 1, outcomes, {"passed": 1}))
    assert res.differences() == ["exit code (pytest 0, minitest 1)"]
    assert not res.equal
    assert corpus.fmt_exit_codes(res) == "0/1"


def test_swapped_outcomes_with_equal_counts_make_a_project_differ():
    res = _project_result(
        _result("pytest", 1, {"t.py::test_a": "PASSED", "t.py::test_b": "FAILED"}, {"passed": 1, "failed": 1}),
        _result("minitest", 1, {"t.py::test_a": "FAILED", "t.py::test_b": "PASSED"}, {"passed": 1, "failed": 1}),
    )
    assert res.differences() == ["per-test outcomes (2 node ids)"]
    assert corpus.fmt_tests(res) == "2/2 differ"
    details = corpus.describe_mismatch(res, max_nodes=10)
    assert details.splitlines()[:4] == [
        "### iniconfig 2.3.1", "differs in: per-test outcomes (2 node ids)",
        "2 node(s) with a different outcome (pytest reports 2 node ids, minitest 2)", "  t.py::test_a"]


def test_different_counts_are_named():
    res = _project_result(_result("pytest", 1, {}, {"passed": 3, "errors": 1}),
                          _result("minitest", 1, {}, {"passed": 4}))
    assert res.differences() == ["counts (passed, errors)"]


@pytest.fixture
def record_files(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# corpus\n\nbefore\n{corpus.README_BEGIN}\nold totals\n{corpus.README_END}\nafter\n")
    return {"json_path": tmp_path / "last_run.json", "table_path": tmp_path / "LAST_RUN.txt", "readme_path": readme}


def test_every_run_rewrites_the_record_keeping_the_rows_it_did_not_run(record_files):
    paths = record_files
    old_six = {"version": "1.17.0", "run": "2026-12-01 10:00", "minitest": "(before)", "pytest_version": "9.2.0",
               "compared": "counts", "counts": ["198p 2s", "198p 2s"], "exit": "?/?", "tests": "-", "equal": True,
               "seconds": [0.2, 0.1], "differences": [], "details": ""}
    paths["json_path"].write_text(json.dumps({"six": old_six}))
    outcomes = {"testing/test_a.py::test_x": "PASSED"}
    differing = _project_result(_result("pytest", 0, outcomes, {"passed": 1}),
                                _result("minitest", 1, outcomes, {"passed": 1}))
    corpus.record([differing], "2026-12-07 14:00", "abc1234 (hash)", "9.2.0", 10, **paths)

    rows = json.loads(paths["json_path"].read_text())
    assert rows["six"] == old_six  # not run: kept as it was
    assert rows["iniconfig"]["exit"] == "0/1" and rows["iniconfig"]["equal"] is False
    assert rows["iniconfig"]["compared"] == corpus.COMPARED_ALL
    assert rows["iniconfig"]["run"] == "2026-12-07 14:00" and rows["iniconfig"]["minitest"] == "abc1234 (hash)"
    table = paths["table_path"].read_text()
    lines = table.splitlines()
    # PROJECTS order: iniconfig before six
    iniconfig = next(i for i, line in enumerate(lines) if line.startswith("iniconfig "))
    six = next(i for i, line in enumerate(lines) if line.startswith("six "))
    assert iniconfig < six
    assert lines[iniconfig].split()[:7] == ["iniconfig", "2.3.1", "1p", "1p", "0/1", "1", "same"]
    assert " NO " in lines[iniconfig] and "2026-12-07 14:00" in lines[iniconfig]
    assert "?/?" in lines[six] and "2026-12-01 10:00" in lines[six]
    total = ("TOTAL: 1/2 projects agree (1 compared by exit code, counts, per-test outcomes, 1 by counts only, "
             "in runs before that); differing: iniconfig; pytest 0.3s, minitest 0.2s in all")
    assert total in lines
    assert "differs in: exit code (pytest 0, minitest 1)" in table
    readme = paths["readme_path"].read_text()
    assert readme == (f"# corpus\n\nbefore\n{corpus.README_BEGIN}\nLast recorded (LAST_RUN.txt, rewritten by every "
                      f"run): **{total.removeprefix('TOTAL: ')}**.\n{corpus.README_END}\nafter\n")
    # run again: the same files (the README block replaced, not added to)
    corpus.write_record(rows, **paths)
    assert paths["readme_path"].read_text() == readme and paths["table_path"].read_text() == table


def test_the_committed_record_is_the_table_of_its_rows():
    rows = json.loads(corpus.RECORD_JSON.read_text())
    assert set(rows) <= {p.name for p in corpus.PROJECTS}
    assert corpus.RECORD_TABLE.read_text() == corpus.render_record(rows)
    readme = corpus.RECORD_README.read_text()
    assert f"**{corpus.totals_sentence(rows)}**" in readme
