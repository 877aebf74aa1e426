# ruff: noqa: F811 - the minitester fixture imported from plugin_testing is "redefined" as a parameter
"""The cache builtin at the edges tests/test_cache.py does not reach: found by mutation testing
(tests/MUTATION.md); each test pins one decision of builtin_plugins/cache.py."""

from __future__ import annotations

import json
import os

from plugin_testing import (
    minitester,  # noqa: F401 - a fixture
    ran,
)


def _lastfailed(minitester) -> dict:
    return json.loads((minitester.path / ".minitest_cache" / "v" / "cache" / "lastfailed").read_text())


def test_a_conftest_can_use_config_cache_in_its_own_configure(minitester):
    # the cache plugin's minitest_configure is tryfirst: config.cache exists before a conftest's
    minitester.makeconftest("""
        def minitest_configure(config):
            config.cache.set("mine/configured", config.cache.get("mine/configured", 0) + 1)
    """)
    minitester.makepyfile(test_a="def test_ok():\n    pass\n")
    assert minitester.runminitest_subprocess().ret == 0
    result = minitester.runminitest_subprocess()
    assert result.ret == 0, result.stdout.str()
    value = json.loads((minitester.path / ".minitest_cache" / "v" / "mine" / "configured").read_text())
    assert value == 2


def test_cachedir_header_line_only_when_verbose(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n")
    result = minitester.runminitest_subprocess("-v")
    result.stdout.fnmatch_lines(["cachedir: .minitest_cache"])
    result = minitester.runminitest_subprocess()
    assert "cachedir:" not in result.stdout.str()


def test_lf_forgets_the_failures_of_a_deleted_test_file(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n",
                          test_b="def test_x():\n    assert 0\n\ndef test_y():\n    assert 0\n")
    assert minitester.runminitest_subprocess().ret == 1
    assert _lastfailed(minitester) == {"test_b.py::test_x": True, "test_b.py::test_y": True}
    (minitester.path / "test_b.py").unlink()
    result = minitester.runminitest_subprocess("--lf")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "run-last-failure: 2 known failures in test files deleted since the last run: test_b.py",
        "run-last-failure: no previously failed tests, not deselecting items.",
    ])
    result.assert_outcomes(passed=1)
    assert _lastfailed(minitester) == {}


def test_cache_show_without_the_terminal_reporter(minitester):
    minitester.makepyfile(test_a="def test_bad():\n    assert 0\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--cache-show", "-p", "no:terminal")
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "cachedir: */.minitest_cache",
        "-------- cache values for '*'",
        "cache/lastfailed contains:",
        "  {'test_a.py::test_bad': True}",
    ])
    assert ran(result) == []


def _cached(minitester, key: str):
    path = minitester.path / ".minitest_cache" / "v" / key
    return json.loads(path.read_text()) if path.exists() else "<no file>"


def test_lf_status_lines_are_not_shown_with_q(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "-q")
    result.assert_outcomes(failed=1)  # test_ok left out at collection, as pytest 9.2
    assert "run-last-failure" not in result.stdout.str()


def test_a_passing_first_run_writes_no_lastfailed_file(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n")
    assert minitester.runminitest_subprocess().ret == 0
    assert _cached(minitester, "cache/lastfailed") == "<no file>"
    assert _cached(minitester, "cache/nodeids") == ["test_a.py::test_ok"]


def test_lastfailed_is_written_again_when_a_test_removed_it(minitester):
    # the same failure twice: nothing changed, but the file is gone by the end of the second run
    minitester.makepyfile(test_a="""
        from pathlib import Path

        def test_bad():
            assert 0

        def test_remove_the_cache_file():
            path = Path(__file__).parent / ".minitest_cache" / "v" / "cache" / "lastfailed"
            if path.exists():
                path.unlink()
    """)
    minitester.runminitest_subprocess()
    assert _cached(minitester, "cache/lastfailed") == {"test_a.py::test_bad": True}
    minitester.runminitest_subprocess()
    assert _cached(minitester, "cache/lastfailed") == {"test_a.py::test_bad": True}


def test_nodeids_are_updated_when_tests_are_added(minitester):
    minitester.makepyfile(test_a="def test_a():\n    pass\n")
    minitester.runminitest_subprocess()
    minitester.makepyfile(test_b="def test_b():\n    pass\n")
    minitester.runminitest_subprocess()
    assert _cached(minitester, "cache/nodeids") == ["test_a.py::test_a", "test_b.py::test_b"]


def test_nf_runs_known_files_newest_first(minitester):
    minitester.makepyfile(test_old="def test_old():\n    pass\n", test_mid="def test_mid():\n    pass\n")
    minitester.runminitest_subprocess()
    os.utime(minitester.path / "test_old.py", (1_000_000, 1_000_000))
    os.utime(minitester.path / "test_mid.py", (2_000_000, 2_000_000))
    minitester.makepyfile(test_new="def test_new():\n    pass\n")
    result = minitester.runminitest_subprocess("--nf", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == \
        ["test_new.py::test_new", "test_mid.py::test_mid", "test_old.py::test_old"]


def test_nf_with_a_test_file_gone_after_collection(minitester):
    # a module that removes its own file when imported: its items have no file to stat any more
    minitester.makepyfile(test_gone="import os\nos.remove(__file__)\n\ndef test_gone():\n    pass\n",
                          test_here="def test_here():\n    pass\n")
    result = minitester.runminitest_subprocess("--nf", "-v")
    assert result.ret == 0, result.stdout.str()
    assert [nodeid for nodeid, _ in ran(result)] == ["test_here.py::test_here", "test_gone.py::test_gone"]


def test_sw_skip_forgets_the_known_failure_it_let_pass(minitester):
    minitester.makepyfile(test_s="""
        def test_1():
            pass

        def test_2():
            assert 0

        def test_3():
            pass
    """)
    minitester.runminitest_subprocess("--sw")
    assert _cached(minitester, "cache/stepwise")["last_failed"] == "test_s.py::test_2"
    result = minitester.runminitest_subprocess("--sw-skip", "-v")
    assert ran(result) == [("test_s.py::test_2", "FAILED"), ("test_s.py::test_3", "PASSED")]
    assert _cached(minitester, "cache/stepwise")["last_failed"] is None


def test_lf_without_the_terminal_reporter(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "-p", "no:terminal")
    assert result.ret == 1
    assert "run-last-failure" not in result.stdout.str()
    assert "Traceback" not in result.stderr.str()


def test_lf_selects_after_k(minitester):
    # --lf looks at what -k left: the known failure is not there, so the selection runs
    minitester.makepyfile(test_a="def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n",
                          test_other="def test_other():\n    pass\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "-k", "other", "-v")
    assert ran(result) == [("test_other.py::test_other", "PASSED")]
    result.stdout.fnmatch_lines(["run-last-failure: 1 known failure not in selected tests"])


def test_lfnf_none_deselects_everything_without_the_index(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("--lf", "--lfnf=none", "--no-index")
    assert result.ret == 5
    result.assert_outcomes(deselected=1)
    result.stdout.fnmatch_lines(["run-last-failure: no previously failed tests, deselecting all items."])


def test_nf_puts_a_new_file_first_even_when_it_is_older(minitester):
    minitester.makepyfile(test_old="def test_old():\n    pass\n")
    minitester.runminitest_subprocess()
    minitester.makepyfile(test_new="def test_new():\n    pass\n")
    os.utime(minitester.path / "test_new.py", (1_000_000, 1_000_000))
    result = minitester.runminitest_subprocess("--nf", "-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_new.py::test_new", "test_old.py::test_old"]


def test_a_run_that_collects_nothing_writes_no_nodeids(minitester):
    minitester.makepyfile(helper="X = 1\n")
    result = minitester.runminitest_subprocess()
    assert result.ret == 5
    assert _cached(minitester, "cache/nodeids") == "<no file>"


def test_failures_do_not_go_first_without_ff(minitester):
    minitester.makepyfile(test_a="def test_ok():\n    pass\n\ndef test_bad():\n    assert 0\n\n"
                                 "def test_ok2():\n    pass\n")
    minitester.runminitest_subprocess()
    result = minitester.runminitest_subprocess("-v")
    assert [nodeid for nodeid, _ in ran(result)] == ["test_a.py::test_ok", "test_a.py::test_bad", "test_a.py::test_ok2"]
    assert "run-last-failure" not in result.stdout.str()


def test_the_tests_of_a_module_fixed_since_it_failed_to_collect_count_as_failed(minitester):
    minitester.makepyfile(test_b="def test_x(:\n")
    minitester.runminitest_subprocess()
    assert _cached(minitester, "cache/lastfailed") == {"test_b.py": True}
    minitester.makepyfile(test_b="def test_x():\n    pass\n\ndef test_y():\n    pass\n")
    assert minitester.runminitest_subprocess("--co").ret == 0  # collected, not run: not known to pass
    assert _cached(minitester, "cache/lastfailed") == {"test_b.py::test_x": True, "test_b.py::test_y": True}


def test_nodeids_are_written_again_when_a_test_removed_them(minitester):
    minitester.makepyfile(test_a="""
        from pathlib import Path

        def test_remove_the_nodeids_file():
            path = Path(__file__).parent / ".minitest_cache" / "v" / "cache" / "nodeids"
            if path.exists():
                path.unlink()
    """)
    minitester.runminitest_subprocess()
    minitester.runminitest_subprocess()  # the same node ids: nothing changed but the file is gone
    assert _cached(minitester, "cache/nodeids") == ["test_a.py::test_remove_the_nodeids_file"]
