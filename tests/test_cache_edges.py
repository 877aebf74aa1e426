"""The cache builtin at the edges tests/test_cache.py does not reach: found by mutation testing
(tests/MUTATION.md); each test pins one decision of builtin_plugins/cache.py."""

from __future__ import annotations

import json

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
