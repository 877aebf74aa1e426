# ruff: noqa: F811 - the minitester fixture imported from plugin_testing is "redefined" as a parameter
"""More decisions of builtin_plugins/cache.py, found by the whole-module mutation run
(tests/MUTATION.md): what happens without an option, and orders and counts asserted exactly."""

from __future__ import annotations

import json
import os

from plugin_testing import (
    minitester,  # noqa: F401 - a fixture
    ran,
)


def test_new_files_do_not_go_first_without_nf(minitester):
    minitester.makepyfile(test_a="def test_a():\n    pass\n")
    minitester.runminitest_subprocess()
    minitester.makepyfile(test_z="def test_z():\n    pass\n")
    os.utime(minitester.path / "test_a.py", (1_000_000, 1_000_000))
    result = minitester.runminitest_subprocess("-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_a.py::test_a", "test_z.py::test_z"]
    # both known now: --nf runs the newest file first
    result = minitester.runminitest_subprocess("-v", "--nf")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_z.py::test_z", "test_a.py::test_a"]


def test_ff_and_nf_together_put_new_files_first_then_the_failures(minitester):
    """--ff and --nf at once, as pytest orders them: --ff puts the failures first, then --nf (the
    outer wrapper) puts the new files first, keeping --ff's order within a file."""
    minitester.makepyfile(test_old="def test_pass():\n    pass\n\ndef test_fail():\n    assert 0\n")
    minitester.runminitest_subprocess()
    minitester.makepyfile(test_new="def test_new():\n    pass\n")
    result = minitester.runminitest_subprocess("--ff", "--nf", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == \
        ["test_new.py::test_new", "test_old.py::test_fail", "test_old.py::test_pass"]


def test_cache_show_lists_only_the_keys_and_files_matching_the_glob(minitester):
    minitester.makepyfile(test_a="""
        def test_set(cache):
            cache.set("a/first", 1)
            cache.set("b/second", [1, 2])
            cache.set("c/third", "x")
            (cache.mkdir("mydir") / "f.txt").write_text("hello")
    """)
    assert minitester.runminitest_subprocess().ret == 0
    (minitester.path / ".minitest_cache" / "v" / "b" / "broken").write_text("garbage")
    values = minitester.runminitest_subprocess("--cache-show", "b/*")
    assert values.ret == 0
    assert values.stdout.lines == [
        f"cachedir: {minitester.path / '.minitest_cache'}",
        values.stdout.lines[1],
        "b/broken contains unreadable data",
        "b/second contains:",
        "  [1, 2]",
    ]
    assert values.stdout.lines[1].strip("- ") == "cache values for 'b/*'"
    files = minitester.runminitest_subprocess("--cache-show", "mydir*")
    assert files.ret == 0
    assert [line.strip("- ") for line in files.stdout.lines[1:]] == [
        "cache values for 'mydir*'", "cache directories for 'mydir*'", "mydir/f.txt is a file of length 5"]


def test_lf_selects_after_the_conftest_wrappers_of_modifyitems(minitester):
    """As pytest's: --lf's selection is a tryfirst wrapper, so it runs after (outside) the plain
    wrapper of a conftest.py, even of one found during collection (registered after the cache
    plugin's), which still sees every collected item. (test_top.py is named on the command line,
    so --lf keeps all its tests at collection and deselects in modifyitems; sub/deeper/conftest.py
    is found while sub is collected, after the cache plugin registered its wrapper.)"""
    minitester.makepyfile(**{"sub/deeper/conftest": """
        import minitest

        @minitest.hookimpl(wrapper=True)
        def minitest_collection_modifyitems(items):
            yield
            print(f"conftest saw {len(items)} items")
    """, "sub/deeper/test_x": "def test_x():\n    pass\n",
        "test_top": "def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n\ndef test_ok2():\n    pass\n"})
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "-v", "-s", "test_top.py", "sub")
    assert "conftest saw 3 items" in result.stdout.str(), result.stdout.str()  # after "collecting ..."
    assert [nodeid for nodeid, _ in ran(result)] == ["test_top.py::test_bad"]


def test_lf_without_known_failures_runs_every_test_of_an_indexed_tree(minitester):
    """--lf after a run without failures (the collection index knows the tree): every test runs,
    as --lfnf's default "all" says; with --lfnf none, none."""
    minitester.makepyfile(test_a="def test_one():\n    pass\n", test_b="def test_two():\n    pass\n")
    assert minitester.runminitest_subprocess().ret == 0
    result = minitester.runminitest_subprocess("--lf", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_a.py::test_one", "test_b.py::test_two"]
    result = minitester.runminitest_subprocess("--lf", "--lfnf", "none", "-v")
    assert ran(result) == []


def test_sw_remembers_the_failure_through_a_run_that_does_not_reach_it(minitester):
    """Only the remembered failing test passing makes --sw forget it: a run selecting other tests
    (that pass) keeps it, and the next run starts from it again."""
    minitester.makepyfile(test_s="def test_1():\n    pass\n\ndef test_2():\n    assert 0\n\ndef test_3():\n    pass\n")
    minitester.runminitest_subprocess("--sw")
    stepwise = minitester.path / ".minitest_cache" / "v" / "cache" / "stepwise"
    assert json.loads(stepwise.read_text())["last_failed"] == "test_s.py::test_2"
    minitester.runminitest_subprocess("--sw", "-k", "test_3")
    assert json.loads(stepwise.read_text())["last_failed"] == "test_s.py::test_2"
    result = minitester.runminitest_subprocess("--sw", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_s.py::test_2"]


def test_lf_and_sw_status_lines_take_their_place_among_the_plugins_lines(minitester):
    """The run-last-failure / stepwise lines are minitest_report_collectionfinish answers, placed as
    pytest 9.2 places them: after the lines of a conftest.py loaded at the start, before those of a
    conftest.py found while collecting (registered after the cache plugin)."""
    minitester.makeconftest('def minitest_report_collectionfinish():\n    return "root conftest line"\n')
    minitester.makepyfile(test_s="def test_1():\n    pass\n\ndef test_2():\n    assert 0\n")
    sub = minitester.mkpydir("sub")
    (sub / "conftest.py").write_text('def minitest_report_collectionfinish():\n    return "sub conftest line"\n')
    (sub / "test_sub.py").write_text("def test_s():\n    pass\n")
    minitester.runminitest_subprocess("--sw")
    result = minitester.runminitest_subprocess("--sw", "--lf")
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if line.startswith("collected"))
    assert lines[start + 1:start + 6] == [
        "root conftest line",
        "run-last-failure: rerun previous 1 failure (skipped 1 file)",
        "stepwise: test count changed, not skipping (now 1 tests, previously 3).",
        "sub conftest line",
        "",
    ], result.stdout.str()
    quiet = minitester.runminitest_subprocess("--sw", "--lf", "-q")
    assert not [line for line in quiet.stdout.lines if line.startswith(("run-last-failure", "stepwise"))], \
        quiet.stdout.str()
