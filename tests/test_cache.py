"""Issue 8 — the cache builtin: .minitest_cache/, the cache fixture, --lf / --ff / --nf / --sw /
--sw-skip / --lfnf, --cache-show, --cache-clear, corrupt files, concurrent writers, -p no:cacheprovider."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import REPO_ROOT, clean_env
from plugin_testing import (
    minitester,  # noqa: F401 - a fixture
    ran,
)

from minitest.cache_api import Cache

THREE = """
    def test_ok():
        pass

    def test_bad():
        assert 0

    def test_ok2():
        pass
"""


def _lastfailed(minitester) -> dict:
    return json.loads((minitester.path / ".minitest_cache" / "v" / "cache" / "lastfailed").read_text())


def test_cache_directory_layout(minitester):
    minitester.makepyfile(test_a=THREE)
    assert minitester.runminitest_subprocess().ret == 1
    cachedir = minitester.path / ".minitest_cache"
    assert (cachedir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert "minitest cache directory" in (cachedir / "README.md").read_text()
    assert (cachedir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert _lastfailed(minitester) == {"test_a.py::test_bad": True}
    nodeids = json.loads((cachedir / "v" / "cache" / "nodeids").read_text())
    assert nodeids == ["test_a.py::test_bad", "test_a.py::test_ok", "test_a.py::test_ok2"]


def test_lf_reruns_only_the_failures(minitester):
    minitester.makepyfile(test_a=THREE)
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "-v")
    # as pytest 9.2: the file's other tests are left out at collection, not deselected
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*collected 1 item", "run-last-failure: rerun previous 1 failure"])
    # named on the command line, the file keeps them all and --lf deselects the others
    result = minitester.runminitest_subprocess("--lf", "test_a.py")
    result.assert_outcomes(failed=1, deselected=2)
    # fixed: --lf runs it, it passes and leaves the cache
    minitester.makepyfile(test_a=THREE.replace("assert 0", "assert 1"))
    result = minitester.runminitest_subprocess("--lf")
    result.assert_outcomes(passed=1)
    assert _lastfailed(minitester) == {}
    result = minitester.runminitest_subprocess("--lf")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["run-last-failure: no previously failed tests, not deselecting items."])


def test_lf_forgets_a_failure_once_it_is_skipped(minitester):
    # as pytest: a skipped run of a known failure drops it from lastfailed (it is not known to fail
    # any more), so the next --lf has no failures to select and runs everything
    minitester.makepyfile(test_a="def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    assert minitester.runminitest_subprocess().ret == 1
    assert _lastfailed(minitester) == {"test_a.py::test_bad": True}
    minitester.makepyfile(test_a="import minitest\n\ndef test_ok():\n    pass\n\n"
                                 "@minitest.mark.skip(reason='later')\ndef test_bad():\n    assert 0\n")
    result = minitester.runminitest_subprocess("--lf", "-v", "test_a.py")
    assert result.ret == 0
    assert ran(result) == [("test_a.py::test_bad", "SKIPPED")]
    result.assert_outcomes(skipped=1, deselected=1)
    result.stdout.fnmatch_lines(["*collected 2 items / 1 deselected / 1 selected",
                                 "run-last-failure: rerun previous 1 failure"])
    assert _lastfailed(minitester) == {}
    result = minitester.runminitest_subprocess("--lf", "-v", "test_a.py")
    assert result.ret == 0
    assert ran(result) == [("test_a.py::test_ok", "PASSED"), ("test_a.py::test_bad", "SKIPPED")]
    result.assert_outcomes(passed=1, skipped=1, deselected=0)
    result.stdout.fnmatch_lines(["*collected 2 items",
                                 "run-last-failure: no previously failed tests, not deselecting items."])


def test_lfnf_none_deselects_everything(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "--lfnf=none")
    assert result.ret == 5
    result.assert_outcomes(deselected=1)
    result.stdout.fnmatch_lines(["run-last-failure: no previously failed tests, deselecting all items."])


def test_lf_reruns_the_tests_of_a_module_that_failed_to_collect(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n", test_b="def test_x(:\n")
    assert minitester.runminitest_subprocess().ret == 2
    assert _lastfailed(minitester) == {"test_b.py": True}
    minitester.makepyfile(test_b="def test_x():\n    pass\n\ndef test_y():\n    pass\n")
    result = minitester.runminitest_subprocess("--lf", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_b.py::test_x", "test_b.py::test_y"]


def test_ff_runs_the_failures_first(minitester):
    minitester.makepyfile(test_a=THREE)
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--ff", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == \
        ["test_a.py::test_bad", "test_a.py::test_ok", "test_a.py::test_ok2"]
    result.stdout.fnmatch_lines(["run-last-failure: rerun previous 1 failure first"])


def test_lf_with_failures_outside_the_selection_runs_the_selection(minitester):
    minitester.makepyfile(test_a=THREE, test_b="def test_b():\n    pass\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "test_b.py")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["run-last-failure: 1 known failure not in selected tests"])


def test_nf_runs_new_tests_first(minitester):
    minitester.makepyfile(test_a="def test_old():\n    pass\n")
    minitester.runminitest_subprocess()
    minitester.makepyfile(test_b="def test_new():\n    pass\n")
    result = minitester.runminitest_subprocess("--nf", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_b.py::test_new", "test_a.py::test_old"]
    # without --nf: the usual order
    result = minitester.runminitest_subprocess("-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_a.py::test_old", "test_b.py::test_new"]


def test_stepwise_stops_at_the_first_failure_and_resumes_there(minitester):
    minitester.makepyfile(test_s="""
        def test_1():
            pass

        def test_2():
            assert 0

        def test_3():
            pass
    """)
    result = minitester.runminitest_subprocess("--sw", "-v")
    assert ran(result) == [("test_s.py::test_1", "PASSED"), ("test_s.py::test_2", "FAILED")]
    result.stdout.fnmatch_lines(["stepwise: no previously failed tests, not skipping.",
                                 "*Interrupted: Test failed, continuing from this test next run.*"])
    minitester.makepyfile(test_s=(minitester.path / "test_s.py").read_text().replace("assert 0", "assert 1"))
    result = minitester.runminitest_subprocess("--stepwise", "-v")
    result.stdout.fnmatch_lines(["stepwise: skipping 1 already passed items (cache from 0:00:0? ago, use --sw-reset to discard)."])
    assert ran(result) == [("test_s.py::test_2", "PASSED"), ("test_s.py::test_3", "PASSED")]
    result.assert_outcomes(passed=2, deselected=1)
    assert json.loads((minitester.path / ".minitest_cache/v/cache/stepwise").read_text())["last_failed"] is None


def test_stepwise_skip_ignores_one_failure(minitester):
    minitester.makepyfile(test_s="""
        def test_1():
            assert 0

        def test_2():
            assert 0

        def test_3():
            pass
    """)
    result = minitester.runminitest_subprocess("--sw-skip", "-v")
    assert ran(result) == [("test_s.py::test_1", "FAILED"), ("test_s.py::test_2", "FAILED")]
    assert json.loads((minitester.path / ".minitest_cache/v/cache/stepwise").read_text())["last_failed"] == "test_s.py::test_2"


def test_cache_show(minitester):
    minitester.makepyfile(test_a=THREE)
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--cache-show")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        f"cachedir: {minitester.path / '.minitest_cache'}",
        "*- cache values for '[*]' -*",
        "cache/lastfailed contains:",
        "  {'test_a.py::test_bad': True}",
        "cache/nodeids contains:",
    ])
    result.stdout.no_fnmatch_line("*test session starts*")
    result = minitester.runminitest_subprocess("--cache-show", "*/nodeids")
    result.stdout.no_fnmatch_line("cache/lastfailed*")
    result.stdout.fnmatch_lines(["cache/nodeids contains:"])


def test_cache_show_on_an_empty_cache(minitester):
    result = minitester.runminitest_subprocess("--cache-show")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["cache is empty"])


def test_cache_fixture_keeps_values_and_directories_between_runs(minitester):
    minitester.makepyfile(test_c="""
        import os

        def test_store(cache):
            count = cache.get("mine/count", 0)
            cache.set("mine/count", count + 1)
            d = cache.mkdir("scratch")
            assert d.is_dir() and d.name == "scratch"
            with open(os.path.join(d, "f.txt"), "a") as f:
                f.write("x")
    """)
    minitester.runminitest_subprocess().assert_outcomes(passed=1)
    minitester.runminitest_subprocess().assert_outcomes(passed=1)
    assert json.loads((minitester.path / ".minitest_cache/v/mine/count").read_text()) == 2
    assert (minitester.path / ".minitest_cache/d/scratch/f.txt").read_text() == "xx"
    result = minitester.runminitest_subprocess("--cache-show")
    result.stdout.fnmatch_lines(["mine/count contains:", "  2", "*- cache directories for '[*]' -*",
                                 "scratch/f.txt is a file of length 2"])


def test_cache_clear_removes_the_values(minitester):
    minitester.makepyfile(test_c="def test_a(cache):\n    assert cache.get('k/v', None) is None\n"
                                 "    cache.set('k/v', 1)\n")
    minitester.runminitest_subprocess().assert_outcomes(passed=1)
    minitester.runminitest_subprocess().assert_outcomes(failed=1)
    minitester.runminitest_subprocess("--cache-clear").assert_outcomes(passed=1)


def test_cache_dir_from_ini_and_header(minitester):
    minitester.makeini("[minitest]\ncache_dir = build/mycache\n")
    minitester.makepyfile(test_a="def test_a():\n    assert 0\n")
    result = minitester.runminitest_subprocess()
    result.stdout.fnmatch_lines(["cachedir: build/mycache"])
    assert (minitester.path / "build/mycache/v/cache/lastfailed").is_file()
    assert not (minitester.path / ".minitest_cache").exists()


@pytest.mark.parametrize("garbage", [b"{not json", b"\xff\xfe\x00 bytes", b"[1, 2]"],
                         ids=["bad-json", "not-utf8", "wrong-type"])
def test_corrupt_cache_file_warns_continues_and_is_repaired(minitester, garbage):
    minitester.makepyfile(test_a=THREE)
    minitester.runminitest_subprocess()
    path = minitester.path / ".minitest_cache/v/cache/lastfailed"
    path.write_bytes(garbage)
    result = minitester.runminitest_subprocess("--lf")
    # treated as empty: --lf has no failures to select and runs everything
    result.assert_outcomes(failed=1, passed=2)
    output = "\n".join(result.outlines + result.errlines)
    assert "CacheWarning" in output and "'cache/lastfailed'" in output
    assert _lastfailed(minitester) == {"test_a.py::test_bad": True}


def test_unreadable_cache_entry_warns_and_the_run_goes_on(minitester):
    minitester.makepyfile(test_a=THREE)
    (minitester.path / ".minitest_cache/v/cache/lastfailed").mkdir(parents=True)  # a directory, not a file
    result = minitester.runminitest_subprocess()
    result.assert_outcomes(failed=1, passed=2)
    output = "\n".join(result.outlines + result.errlines)
    assert "could not read cache value 'cache/lastfailed'" in output
    assert "could not write cache value 'cache/lastfailed'" in output


def test_blocked_cacheprovider_writes_nothing(minitester):
    minitester.makepyfile(test_a=THREE)
    result = minitester.runminitest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=2)
    assert not (minitester.path / ".minitest_cache").exists()
    result = minitester.runminitest_subprocess("-p", "no:cacheprovider", "--lf")
    assert result.ret == 4
    minitester.makepyfile(test_b="def test_c(cache):\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "test_b.py")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'cache' not found*"])


def test_cache_keys_and_names_are_checked(tmp_path):
    cache = Cache(tmp_path / "c")
    for bad in ("../escape", "/abs/key", ""):
        with pytest.raises(ValueError, match="invalid cache key"):
            cache.set(bad, 1)
    with pytest.raises(ValueError, match="single path component"):
        cache.mkdir("a/b")
    assert cache.get("never/set", "default") == "default"
    cache.set("a/b", {"x": [1, "é"]})
    assert cache.get("a/b", None) == {"x": [1, "é"]}
    assert cache.values() == ["a/b"]


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from minitest.cache_api import Cache

    cache = Cache(sys.argv[1])
    tag = sys.argv[2]
    stop = Path(sys.argv[3])
    i = 0
    # until the reader has seen enough: a fixed number of writes could end before the first read
    while not stop.exists():
        cache.set("shared/value", {"writer": tag, "i": i, "payload": [tag] * 2000})
        i += 1
""")


def test_concurrent_writers_never_leave_a_corrupt_file(tmp_path):
    cachedir = tmp_path / "cache"
    stop = tmp_path / "stop"
    env = clean_env(pythonpath=[REPO_ROOT])
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(cachedir), tag, str(stop)], env=env)
               for tag in ("a", "b")]
    value_file = cachedir / "v" / "shared" / "value"
    reads = 0
    seen_writers: set[str] = set()
    deadline = time.monotonic() + 60
    try:
        # read while both writers are rewriting the file, until each was read many times over
        while (reads < 200 or seen_writers != {"a", "b"}) and time.monotonic() < deadline:
            assert all(w.poll() is None for w in writers), "a writer ended before the reads were done"
            try:
                text = value_file.read_text()
            except FileNotFoundError:
                continue
            data = json.loads(text)  # a half-written file would fail here
            assert data["payload"] == [data["writer"]] * 2000
            seen_writers.add(data["writer"])
            reads += 1
    finally:
        stop.touch()
        for writer in writers:
            writer.wait(timeout=60)
    assert (reads >= 200, seen_writers) == (True, {"a", "b"}), (reads, seen_writers)
    assert [w.returncode for w in writers] == [0, 0]
    final = json.loads(value_file.read_text())
    assert final["writer"] in ("a", "b") and final["payload"] == [final["writer"]] * 2000
    # the directory was created once, completely, and no temporary file was left behind
    assert sorted(p.name for p in cachedir.iterdir()) == [".gitignore", "CACHEDIR.TAG", "README.md", "v"]
    assert [p.name for p in value_file.parent.iterdir()] == ["value"]


def test_two_concurrent_runs_leave_a_valid_cache(minitester):
    minitester.makepyfile(test_a=THREE)
    env = clean_env(pythonpath=[REPO_ROOT])
    procs = [subprocess.Popen([sys.executable, "-m", "minitest", "-q"], cwd=minitester.path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [p.communicate() for p in procs]
    errors = [err.decode() for _, err in outputs]
    # (a run that ends otherwise says why: its output is in the message)
    assert [p.returncode for p in procs] == [1, 1, 1], [out.decode() + err.decode() for out, err in outputs]
    assert not any("CacheWarning" in e for e in errors), errors
    assert _lastfailed(minitester) == {"test_a.py::test_bad": True}


@pytest.mark.parametrize("args", [[], ["-q"], ["."], ["test_b.py"], ["--ff"], ["--no-index"]],
                         ids=["plain", "q", "dot", "file", "ff", "no-index"])
def test_lf_collects_what_pytest_collects(tmp_path, args):
    # pytest 9.2: the failures' files first; in them only what failed (all of a file named as an
    # argument, the rest deselected); once a failure is found, the files without one are not
    # collected ("skipped N files"), neither counted nor deselected
    from conftest import run_minitest, run_pytest_process
    from dual_suite import to_pytest, write_dual

    files = {"test_a.py": "def test_one():\n    pass\n\ndef test_two():\n    pass\n",
             "test_b.py": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n\ndef test_ok2():\n    pass\n\n\n"
                          "class TestK:\n    def test_in_class(self):\n        pass\n\n"
                          "    def test_bad_in_class(self):\n        assert 0\n",
             "test_c.py": "def test_three():\n    pass\n",
             "sub/test_d.py": "def test_d():\n    assert 0\n"}
    mine_dir, ref_dir = write_dual(tmp_path, files)
    assert run_minitest(cwd=mine_dir).ret == run_pytest_process("-p", "cacheprovider", cwd=ref_dir).ret == 1
    mine = run_minitest("--lf", *args, cwd=mine_dir)
    ref = run_pytest_process("-p", "cacheprovider", "--lf", *[to_pytest(a) for a in args if a != "--no-index"],
                             cwd=ref_dir)

    def said(result) -> list[str]:
        return [line for line in result.stdout.splitlines()
                if line.startswith(("collected", "run-last-failure"))]

    assert mine.ret == ref.ret == 1, mine.dump() + ref.dump()
    # (pytest warns that -p cacheprovider, given again after the harness's -p no:, cannot be
    # rewritten: its warning is left out)
    assert mine.outcomes() == {k: v for k, v in ref.outcomes().items() if k != "warnings"}, mine.dump() + ref.dump()
    assert said(mine) == said(ref), mine.dump() + ref.dump()
