"""The collection index: --lf, -k, -m and --deselect import only the test files they need, and
never select differently from a full collection."""

from __future__ import annotations

import json
import multiprocessing
import os
import time

import pytest
from conftest import run_minitest, verbose_nodeids

from minitest.fingerprint import FileHashes, content_hash

# a test module that raises when imported once the file BOOM exists: unchanged on disk, so its
# index entry stays valid; importing it shows as a collection error
PLANTED = """
import os

if os.path.exists(os.path.join(os.path.dirname(__file__), "..", "BOOM")):
    raise RuntimeError("imported although nothing of it was selected")


def test_planted():
    pass
"""


def _suite(files):
    spec = {"pkg/__init__.py": "", "pkg/test_planted.py": PLANTED}
    for i in range(4):
        spec[f"pkg/test_m{i}.py"] = f"""
            import minitest


            def test_ok_{i}():
                pass


            @minitest.mark.slow
            def test_fail_{i}():
                assert {i} != 2
        """
    spec["minitest.ini"] = "[minitest]\nmarkers =\n    slow: slow\n"
    return files(spec)


INDEX = ".minitest_cache/d/collection-index/index.jsonl"


def _lines(root):
    """The index's two JSON lines: the index (keys, node ids, stat cache), the tests' records."""
    head, records = (root / INDEX).read_text().splitlines()
    return json.loads(head), json.loads(records)


def _index(root):
    return _lines(root)[0]


def _write(root, index, records):
    (root / INDEX).write_text(json.dumps(index) + "\n" + json.dumps(records) + "\n")


def test_lf_on_an_unchanged_tree_imports_only_the_failing_file(files, run):
    root = _suite(files)
    first = run()
    first.assert_outcomes(passed=8, failed=1)
    (root / "BOOM").write_text("")
    result = run("--lf")
    # as pytest 9.2: the files without a failure are neither collected nor deselected
    result.assert_outcomes(failed=1)
    result.fnmatch_lines(["collected 1 item",
                          "run-last-failure: rerun previous 1 failure (skipped 4 files)",
                          "collection-index: 4 files not imported (7 tests not selected)"])
    assert "imported although" not in result.output
    # without the index, --lf leaves them out as pytest does: collected as empty once the
    # failure is found (its file first), the planted module is not imported either
    full = run("--lf", "--no-index")
    full.assert_outcomes(failed=1)
    full.fnmatch_lines(["collected 1 item", "run-last-failure: rerun previous 1 failure (skipped 4 files)"])
    assert "imported although" not in full.output and "collection-index" not in full.output
    # but a full collection imports everything: the planted module raises
    assert "imported although nothing of it was selected" in run("-k", "fail_2", "--no-index").stdout


def test_lf_keeps_no_entry_of_a_file_it_collected_in_part(files, run):
    # --lf collects only the failures of a failed file: what it saw is not the file's whole list
    # of tests, so the index must not take it for one (a later -k would miss the others)
    root = _suite(files)
    run().assert_outcomes(passed=8, failed=1)
    source = (root / "pkg/test_m2.py").read_text()
    (root / "pkg/test_m2.py").write_text(source + "\n\ndef test_added_2():\n    pass\n")  # its key changes
    run("--lf").assert_outcomes(failed=1)
    result = run("-v", "-k", "added_2 or ok_2")
    result.assert_outcomes(passed=2, deselected=8)
    assert {nodeid for nodeid, _ in verbose_nodeids(result)} == {"pkg/test_m2.py::test_ok_2",
                                                                 "pkg/test_m2.py::test_added_2"}


@pytest.mark.parametrize("args, selected", [
    (["-k", "ok_1 or ok_3"], 2),
    (["-m", "slow"], 4),
    (["-m", "not slow", "-k", "m0"], 1),
    (["--deselect", "pkg/test_planted.py::test_planted", "-k", "planted"], 0),
])
def test_k_and_m_select_what_a_full_collection_selects(files, run, args, selected):
    root = _suite(files)
    run().assert_outcomes(passed=8, failed=1)
    (root / "BOOM").write_text("")
    with_index = run("-v", *args)
    assert "imported although" not in with_index.output
    (root / "BOOM").unlink()
    without = run("-v", "--no-index", *args)
    from conftest import verbose_nodeids

    assert verbose_nodeids(with_index) == verbose_nodeids(without)
    assert len(verbose_nodeids(with_index)) == selected
    assert with_index.outcomes().get("deselected") == without.outcomes().get("deselected")


def test_a_changed_file_is_collected_again(files, run):
    root = _suite(files)
    run()
    (root / "pkg/test_m0.py").write_text("def test_new_name():\n    pass\n")
    (root / "BOOM").write_text("")
    result = run("-v", "-k", "new_name")
    result.assert_outcomes(passed=1, deselected=7)
    assert "imported although" not in result.output


def test_a_conftest_with_collection_hooks_means_a_full_collection(files, run):
    root = _suite(files)
    files({"pkg/conftest.py": "def minitest_collection_modifyitems(items):\n    pass\n"})
    run()
    (root / "BOOM").write_text("")
    result = run("-k", "fail_2")
    assert "imported although" in result.stdout  # everything was imported, as without an index
    assert "not imported" not in result.stdout


def test_a_new_conftest_with_collection_hooks_says_why_it_collects_everything(files, run):
    root = _suite(files)
    run()  # recorded without the conftest
    files({"pkg/conftest.py": "def minitest_generate_tests(metafunc):\n    pass\n"})
    (root / "BOOM").write_text("")
    result = run("-k", "fail_2")
    result.fnmatch_lines(["collection-index: full collection: pkg/conftest.py mentions 'generate_tests'*"])
    assert "imported although" in result.stdout


def test_a_corrupt_index_is_a_warning_then_a_full_collection_and_is_rebuilt(files, run):
    root = _suite(files)
    run()
    index = root / INDEX
    index.write_text("{not json")
    # (-k: a selection that collects every file; --lf leaves the files without failures out
    # even of a full collection, as pytest, so it could not rebuild their entries)
    result = run("-k", "fail_2")
    result.assert_outcomes(failed=1, deselected=8, warnings=1)
    assert "could not read the collection index" in result.output
    assert "not imported" not in result.stdout
    assert len(_index(root)["files"]) == 5  # rebuilt
    # a foreign file: the same
    index.write_text(json.dumps({"format": "something else", "files": []}))
    result = run("-k", "fail_2")
    assert "is not one minitest wrote" in result.output
    result.assert_outcomes(failed=1, deselected=8, warnings=1)
    assert len(_index(root)["files"]) == 5


def test_a_corrupt_entry_collects_its_file_again(files, run):
    root = _suite(files)
    run()
    index, records = _lines(root)
    for entry in index["files"].values():
        entry["tests"] = "[[["
    _write(root, index, records)
    result = run("-k", "fail_2")  # a selection that collects every file (see above)
    assert result.outcomes()["failed"] == 1 and result.outcomes()["deselected"] == 8, result.dump()
    assert "could not read the collection index entry" in result.output
    assert all(isinstance(e["tests"], list) for e in _index(root)["files"].values())  # rewritten
    (root / "BOOM").write_text("")
    result = run("--lf")
    result.fnmatch_lines(["collection-index: 4 files not imported (7 tests not selected)"])
    assert "could not read" not in result.output and "imported although" not in result.output


def test_a_deleted_test_file_leaves_the_index_and_lf_says_so(files, run):
    root = _suite(files)
    run()
    assert "pkg/test_m2.py" in _index(root)["files"]
    (root / "pkg/test_m2.py").unlink()
    result = run("--lf")
    result.fnmatch_lines(["run-last-failure: 1 known failure in test files deleted since the last run: pkg/test_m2.py",
                          "run-last-failure: no previously failed tests, not deselecting items."])
    result.assert_outcomes(passed=7)
    assert "pkg/test_m2.py" not in _index(root)["files"]


def test_a_partial_collection_is_not_recorded(files, run):
    root = _suite(files)
    run("pkg/test_m0.py::test_ok_0")
    assert not (root / INDEX).exists() or "pkg/test_m0.py" not in _index(root)["files"]


def _run_in(args):
    root, extra = args
    return run_minitest(*extra, cwd=root).ret


def test_two_runs_at_once_leave_a_complete_index(files, tmp_path):
    spec = {f"d{k}/test_{k}_{i}.py": f"def test_{i}():\n    pass\n" for k in range(2) for i in range(15)}
    root = files(spec)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        codes = pool.map(_run_in, [(root, ["d0"]), (root, ["d1"])])
    assert codes == [0, 0]
    recorded = _index(root)["files"]
    assert len(recorded) == 30, sorted(recorded)  # neither run lost the other's files
    leftovers = [p for p in (root / ".minitest_cache/d/collection-index").iterdir() if p.name.endswith(".tmp")]
    assert not leftovers
    assert all(os.path.getsize(p) for p in (root / ".minitest_cache/d/collection-index").iterdir()
               if p.suffix == ".jsonl")
    index, records = _lines(root)
    assert {rel: len(e["tests"]) for rel, e in index["files"].items()} == {rel: len(r) for rel, r in records.items()}


def test_an_edit_keeping_size_and_mtime_is_collected_again(files, run):
    # the stat cache says "unchanged" only for an unchanged (size, mtime, ctime, inode): an edit
    # that keeps the size and puts the mtime back still changes the ctime
    root = _suite(files)
    time.sleep(2.1)  # older than the racy window: the first run stores the files' stat
    run()
    source = root / "pkg/test_m0.py"
    assert str(source) in _index(root)["stat"]
    before = source.stat()
    text = source.read_text()
    source.write_text(text.replace("test_ok_0", "test_ok_X"))
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size and source.stat().st_mtime_ns == before.st_mtime_ns
    (root / "BOOM").write_text("")
    result = run("-v", "-k", "ok_X")
    result.assert_outcomes(passed=1, deselected=8)
    assert "imported although" not in result.output


def test_file_hashes_trust_a_stat_only_when_nothing_changed_and_the_file_was_not_racy(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("a = 1\n")
    racy = FileHashes()
    racy.hash(str(path))
    assert racy.to_json() == {} and not racy.changed  # changed just now: hashed again next time
    hashes = FileHashes()
    hashes.started += 10  # as if hashed 10 s later: the stat is trusted
    first = hashes.hash(str(path))
    assert hashes.changed and hashes.to_json()[str(path)][4] == first
    assert FileHashes(hashes.to_json()).hash(str(path)) == first
    time.sleep(0.05)  # past the kernel's timestamp tick
    before = path.stat()
    path.write_text("a = 2\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = FileHashes(hashes.to_json())
    assert again.hash(str(path)) == content_hash(b"a = 2\n") != first
    # an older stat cache layout is not trusted
    assert FileHashes({str(path): [before.st_size, before.st_mtime_ns, first]}).hash(str(path)) != first


@pytest.mark.parametrize("layout", ["/1", "/2"])
def test_an_index_of_a_previous_layout_is_replaced_without_a_warning(files, run, layout):
    root = _suite(files)
    directory = root / ".minitest_cache/d/collection-index"
    directory.mkdir(parents=True)
    if layout == "/1":  # keys in index.json, the tests of each file in a file of their own
        (directory / "index.json").write_text(json.dumps({"format": "minitest-collection-index/1", "files": {
            "pkg/test_m0.py": {"key": "k", "blob": "0123-4567.json", "tests": 2}}}))
        (directory / "0123-4567.json").write_text('{"tests": []}')
    else:  # one JSON document, records beside the node ids
        (directory / "index.json").write_text(json.dumps({"format": "minitest-collection-index/2", "files": {
            "pkg/test_m0.py": {"key": "k", "tests": [["pkg/test_m0.py::test_ok_0", {}]]}}, "stat": {}}))
    result = run()
    result.assert_outcomes(passed=8, failed=1)
    assert "warning" not in result.output.lower()
    assert _index(root)["format"] == "minitest-collection-index/3" and len(_index(root)["files"]) == 5
    assert sorted(p.name for p in directory.iterdir() if ".json" in p.name) == ["index.jsonl"]


def _settled_suite(files, run):
    """The suite, run twice more than 2 s after it was written: the second run stores the stat
    cache (the first finds the files "racily clean"), so a run that changes nothing writes nothing."""
    root = _suite(files)
    time.sleep(2.1)
    run().assert_outcomes(passed=8, failed=1)
    run().assert_outcomes(passed=8, failed=1)
    return root


def test_lf_does_not_read_the_records_and_k_reads_them(files, run):
    # the records (keywords and marks for -k / -m) are parsed only when a plugin asks for one:
    # a --lf run never does, so a records line it cannot read changes nothing for it
    root = _settled_suite(files, run)
    (root / "BOOM").write_text("")
    head = (root / INDEX).read_text().splitlines()[0]
    (root / INDEX).write_text(head + "\n{not json\n")
    stamp = (root / INDEX).stat().st_mtime_ns
    result = run("--lf")
    result.assert_outcomes(failed=1)
    result.fnmatch_lines(["collection-index: 4 files not imported (7 tests not selected)"])
    assert "could not read" not in result.output and "imported although" not in result.output
    assert (root / INDEX).stat().st_mtime_ns == stamp  # nothing to write
    # -k asks: every file is collected (the planted module raises), with a warning per entry
    result = run("-k", "ok_1")
    assert result.outcomes() == {"deselected": 7, "warnings": 5, "errors": 1}
    assert all(f"could not read the collection index entry of {rel}" in result.output
               for rel in ["pkg/test_planted.py", *(f"pkg/test_m{i}.py" for i in range(4))])
    (root / "BOOM").unlink()
    # the entries were made again, records and all (the planted file's collection failed: none)
    index, records = _lines(root)
    assert {rel: len(e["tests"]) for rel, e in index["files"].items()} == {rel: len(r) for rel, r in records.items()}
    assert sorted(records) == [f"pkg/test_m{i}.py" for i in range(4)]
    run("-k", "ok_1").assert_outcomes(passed=1, deselected=8)
    (root / "BOOM").write_text("")
    result = run("-k", "ok_1")
    result.assert_outcomes(passed=1, deselected=8)
    assert "could not read" not in result.output and "imported although" not in result.output


def test_a_run_that_writes_the_index_drops_the_entries_whose_records_it_cannot_read(files, run):
    root = _settled_suite(files, run)
    head = (root / INDEX).read_text().splitlines()[0]
    (root / INDEX).write_text(head + "\n{not json\n")
    (root / "pkg/test_m3.py").write_text("def test_new():\n    pass\n")  # this run writes its entry
    # --deselect selects by node id (no record is read); the planted file is not needed
    result = run("--deselect", "pkg/test_planted.py::test_planted")
    result.assert_outcomes(passed=6, failed=1, deselected=1)
    assert "could not read the collection index records of pkg/test_m0.py, pkg/test_m1.py, pkg/test_m2.py " \
           "and others" in result.output
    index, records = _lines(root)
    assert sorted(index["files"]) == sorted(records) == ["pkg/test_m3.py"]
    (root / "BOOM").write_text("")
    # the dropped files are collected again (the planted module raises), then indexed again
    assert "imported although nothing of it was selected" in run("-k", "ok_1").output
    (root / "BOOM").unlink()
    run("-k", "ok_1").assert_outcomes(passed=1, deselected=7)
    (root / "BOOM").write_text("")
    result = run("-k", "ok_1")
    result.assert_outcomes(passed=1, deselected=7)
    assert "imported although" not in result.output and "could not read" not in result.output


def test_a_records_entry_of_the_wrong_length_collects_its_file(files, run):
    root = _suite(files)
    run().assert_outcomes(passed=8, failed=1)
    index, records = _lines(root)
    records["pkg/test_m0.py"] = records["pkg/test_m0.py"][:1]  # fewer records than tests
    _write(root, index, records)
    result = run("-v", "-k", "ok_0 or ok_1")
    result.assert_outcomes(passed=2, deselected=7, warnings=1)
    assert "could not read the collection index entry of pkg/test_m0.py" in result.output
    assert len(_lines(root)[1]["pkg/test_m0.py"]) == len(_index(root)["files"]["pkg/test_m0.py"]["tests"])


def test_a_selecting_run_that_changes_nothing_writes_nothing(files, run):
    root = _suite(files)
    time.sleep(2.1)
    run()
    run()  # the first run after the racy window stores what the first could not
    index = root / INDEX
    stamp = index.stat().st_mtime_ns
    run("--lf").assert_outcomes(failed=1)
    assert index.stat().st_mtime_ns == stamp
