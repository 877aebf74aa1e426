"""Issue 8 — making plugins visible: --plugins (origins, hooks, blocked names), --plugin-profile,
--trace-hooks / --trace-hooks-file."""

from __future__ import annotations

from plugin_testing import minitester  # noqa: F401 - a fixture


def _entries(lines: list[str]) -> dict[str, tuple[str, str]]:
    """``{name: (from, hooks)}`` parsed from the ``--plugins`` listing."""
    out = {}
    for i, line in enumerate(lines):
        if line.startswith("  ") and not line.startswith("   ") and i + 2 < len(lines) \
                and lines[i + 1].startswith("      from: "):
            out[line.strip()] = (lines[i + 1].split("from: ", 1)[1], lines[i + 2].split("hooks: ", 1)[1])
    return out


def test_plugins_lists_origins_and_hooks(minitester, monkeypatch):
    minitester.makeconftest("def minitest_report_header():\n    return 'x'\n")
    minitester.makepyfile(my_p_plugin="def minitest_configure(config):\n    pass\n",
                          my_env_plugin="def minitest_unconfigure(config):\n    pass\n")
    monkeypatch.setenv("MINITEST_PLUGINS", "my_env_plugin")
    result = minitester.runminitest_subprocess("--plugins", "-p", "my_p_plugin")
    assert result.ret == 0
    entries = _entries(result.outlines)
    assert entries["cache"][0] == "builtin (builtin_plugins.cache)"
    assert "minitest_collection_modifyitems" not in entries["cache"][1]  # that is the lfplugin's
    assert entries["lfplugin"][1].split(", ") == [
        "minitest_collection_modifyitems", "minitest_collectreport", "minitest_index_modifyitems",
        "minitest_report_collectionfinish", "minitest_runtest_logreport", "minitest_sessionfinish"]
    assert entries["junitxml"][0] == "builtin (builtin_plugins.junitxml)"
    assert entries["conftest.py"] == (f"conftest {minitester.path / 'conftest.py'}", "minitest_report_header")
    assert entries["my_p_plugin"] == ("-p my_p_plugin", "minitest_configure")
    assert entries["my_env_plugin"] == ("env MINITEST_PLUGINS", "minitest_unconfigure")
    result.stdout.fnmatch_lines(["blocked: (none)"])


def test_plugins_lists_blocked_names_and_what_they_are(minitester):
    result = minitester.runminitest_subprocess("--plugins", "-p", "no:cacheprovider", "-p", "no:durations",
                                               "-p", "no:no_such_plugin")
    assert result.ret == 0
    entries = _entries(result.outlines)
    assert "cache" not in entries and "durations" not in entries and "terminal" in entries
    result.stdout.fnmatch_lines([
        "blocked: cache, cacheprovider, durations, no_such_plugin",
        "  cache: builtin (builtin_plugins.cache)",
        "  cacheprovider: pytest's name for the builtin 'cache'",
        "  durations: builtin (builtin_plugins.durations)",
        "  no_such_plugin: no plugin of this name is installed",
    ], consecutive=True)


def test_plugin_profile_shows_the_slow_conftest_first(minitester):
    minitester.makeconftest("""
        import time

        def minitest_runtest_setup(item):
            time.sleep(1.5)  # far above what the builtins take, also on a loaded machine
    """)
    minitester.makepyfile(test_p="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--plugin-profile")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*= plugin profile =*", "plugin*total"])
    start = result.outlines.index(next(line for line in result.outlines if "plugin profile" in line))
    # the profiler's own bookkeeping (monitor) aside: on a loaded machine it can add up
    per_plugin = next(line for line in result.outlines[start + 2:] if not line.startswith("monitor"))
    per_hook = next(line for line in result.outlines[start:] if line.startswith("plugin ") and "hook" in line)
    first_hook_row = next(line for line in result.outlines[result.outlines.index(per_hook) + 1:]
                          if not line.startswith("monitor"))
    assert per_plugin.split()[0] == "conftest.py"
    assert first_hook_row.split()[:3] == ["conftest.py", "minitest_runtest_setup", "1"]


def test_trace_hooks_prints_calls_with_plugins(minitester):
    minitester.makepyfile(test_t="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--trace-hooks")
    assert result.ret == 0
    result.stderr.fnmatch_lines([
        "*minitest_sessionstart [[]*terminalreporter*]",
        "*minitest_runtest_logreport(test_t.py::test_a call) [[]*terminalreporter*]",
        "*finish minitest_runtest_logreport *ms",
    ])
    trace_file = minitester.path / "trace.txt"
    result = minitester.runminitest_subprocess("-p", "no:cache", f"--trace-hooks-file={trace_file}")
    assert result.ret == 0
    assert "minitest_runtest_logreport(test_t.py::test_a call)" in trace_file.read_text()
    result.stderr.no_fnmatch_line("*minitest_runtest_logreport*")


def test_trace_hooks_marks_a_raising_hook(minitester):
    minitester.makeconftest("""
        def minitest_sessionfinish(session):
            raise ValueError("late failure")
    """)
    minitester.makepyfile(test_t="def test_a():\n    pass\n")
    result = minitester.runminitest_subprocess("-p", "no:cache", "--trace-hooks")
    assert result.ret == 3
    result.stderr.fnmatch_lines(["*finish minitest_sessionfinish *ms raised ValueError"])
    assert any("plugin 'conftest.py'" in line or "conftest.py' (conftest) raised ValueError in "
               "minitest_sessionfinish: late failure" in line for line in result.outlines + result.errlines)
