"""Loading plugins and conftest.py files: ``-p NAME`` by module or by entry-point name,
``MINITEST_PLUGINS``, installed entry points (only the one asked for when autoload is off),
``pytest_plugins`` naming pytest's own modules, the conftest.py files from confcutdir down.

Written for the survivors of mutation testing of minitest/pluginmanager.py (tests/MUTATION.md).
An "installed" distribution is a ``*.dist-info`` directory in a folder put on ``PYTHONPATH``
(no venv needed, see test_entrypoint_scan.py).
"""

from __future__ import annotations

from pathlib import Path

from conftest import installed_distribution

NO_AUTOLOAD = {"MINITEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def _two_plugins(files) -> Path:
    """One distribution with two entry points: ``first`` and ``second``, each saying it is active."""
    return files({
        "site/first_mod.py": "def minitest_report_header(config):\n    return 'first: active'\n",
        "site/second_mod.py": "def minitest_report_header(config):\n    return 'second: active'\n",
        **installed_distribution("Two", "1.0", "[minitest]\nfirst = first_mod\nsecond = second_mod\n"),
        "tests/test_x.py": "def test_one():\n    pass\n",
    }) / "site"


def test_dash_p_names_an_entry_point_and_loads_only_that_one_with_autoload_off(files, run):
    site = _two_plugins(files)
    result = run("-p", "no:cache", "-p", "first", "tests", env=NO_AUTOLOAD, pythonpath=[site])
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["first: active"])
    result.no_fnmatch_line("second: active")
    assert result.outcomes() == {"passed": 1}


def test_dash_p_of_a_loaded_entry_point_loads_it_once(files, run):
    site = _two_plugins(files)
    result = run("-p", "no:cache", "-p", "first", "tests", pythonpath=[site])
    assert result.ret == 0, result.dump()
    assert sorted(line for line in result.lines if line.endswith(": active")) == ["first: active", "second: active"]
    assert result.outcomes() == {"passed": 1}


def test_an_entry_point_name_in_minitest_plugins_is_not_a_module(files, run):
    """``MINITEST_PLUGINS`` (like pytest's ``PYTEST_PLUGINS``) names modules: an entry point's
    name there is a module that does not exist, a usage error, even though ``-p`` would find it."""
    site = _two_plugins(files)
    result = run("-p", "no:cache", "tests", env={**NO_AUTOLOAD, "MINITEST_PLUGINS": "first"}, pythonpath=[site])
    assert result.ret == 4, result.dump()
    assert "Error importing plugin \"first\": No module named 'first'" in result.stderr, result.dump()
    by_module = run("-p", "no:cache", "tests", env={**NO_AUTOLOAD, "MINITEST_PLUGINS": " first_mod , "},
                    pythonpath=[site])
    assert by_module.ret == 0, by_module.dump()
    by_module.fnmatch_lines(["first: active"])


def test_of_two_entry_points_of_one_name_the_first_is_loaded(files, run):
    """As pluggy's own loader: a second installed plugin of a name already registered is left out
    (not an error for registering a name twice), and the ones after it still load."""
    site = files({
        "site/a_mod.py": "def minitest_report_header(config):\n    return 'dup from a: active'\n",
        "site/b_mod.py": "def minitest_report_header(config):\n    return 'dup from b: active'\n",
        **installed_distribution("A", "1.0", "[minitest]\ndup = a_mod\na_after = a_after_mod\n"),
        **installed_distribution("B", "1.0", "[minitest]\ndup = b_mod\nb_after = b_after_mod\n"),
        "site/a_after_mod.py": "def minitest_report_header(config):\n    return 'a_after: active'\n",
        "site/b_after_mod.py": "def minitest_report_header(config):\n    return 'b_after: active'\n",
        "tests/test_x.py": "def test_one():\n    pass\n",
    }) / "site"
    result = run("-p", "no:cache", "tests", pythonpath=[site])
    assert result.ret == 0, result.dump()
    assert len([line for line in result.lines if line.startswith("dup from ")]) == 1, result.dump()
    # the entry points after the one left out still load
    result.fnmatch_lines(["a_after: active"])
    result.fnmatch_lines(["b_after: active"])
    assert result.outcomes() == {"passed": 1}


def test_conftest_files_above_the_rootdir_are_not_loaded(files, run, tmp_path):
    """From the config file's directory (confcutdir, here the rootdir) down: a conftest.py in the
    directory above is not imported."""
    files({
        "conftest.py": "raise RuntimeError('the conftest above the rootdir was imported')\n",
        "project/minitest.ini": "[minitest]\n",
        "project/conftest.py": "def minitest_report_header(config):\n    return 'project conftest: active'\n",
        "project/tests/conftest.py": "def minitest_report_header(config):\n    return 'tests conftest: active'\n",
        "project/tests/test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "tests", cwd=tmp_path / "project")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["project conftest: active", "tests conftest: active"])
    assert result.outcomes() == {"passed": 1}


def test_pytest_plugins_naming_pytests_own_modules_warn_once_for_those_without_a_builtin(files, run, tmp_path):
    """``pytest_plugins`` naming pytest's own modules: those a builtin stands for are passed over
    silently, the others with one warning each; the plugins named after them still load."""
    files({
        "conftest.py": 'pytest_plugins = ["_pytest.cacheprovider", "_pytest.marks", "_pytest.legacypath",'
                       ' "_pytest.legacypath", "helper_plugin"]\n',
        "helper_plugin.py": "def minitest_report_header(config):\n    return 'helper plugin: active'\n",
        "test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", pythonpath=[tmp_path])
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["helper plugin: active"])
    warned = [line for line in result.stderr.splitlines() if "has no minitest equivalent" in line]
    assert len(warned) == 1, result.dump()
    assert warned[0].endswith(f"UserWarning: pytest plugin '_pytest.legacypath' has no minitest equivalent and is "
                              f"skipped (named in {tmp_path / 'conftest.py'})"), result.dump()


def test_a_plugin_given_twice_is_loaded_once(files, run, tmp_path):
    files({
        "helper_plugin.py": "def minitest_report_header(config):\n    return 'helper plugin: active'\n",
        "test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "-p", "helper_plugin", "-p", "helper_plugin", env={"MINITEST_PLUGINS": "helper_plugin"},
                 pythonpath=[tmp_path])
    assert result.ret == 0, result.dump()
    assert [line for line in result.lines if line == "helper plugin: active"] == ["helper plugin: active"]


def test_a_plugin_module_failing_as_it_is_imported_is_a_usage_error_naming_it(files, run, tmp_path):
    files({"bad_plugin.py": "raise ValueError('boom')\n", "test_x.py": "def test_one():\n    pass\n"})
    result = run("-p", "no:cache", "-p", "bad_plugin", pythonpath=[tmp_path])
    assert result.ret == 4, result.dump()
    # (a usage error ends with a blank line, as pytest's)
    assert result.errlines == ['ERROR: Error importing plugin "bad_plugin": ValueError: boom', ""], result.dump()


def test_an_installed_plugin_failing_as_it_is_loaded_names_itself_and_the_way_out(files, run):
    site = files({
        "site/broken_mod.py": "raise RuntimeError('cannot start')\n",
        **installed_distribution("Broken", "2.0", "[minitest]\nbroken = broken_mod\n"),
        "tests/test_x.py": "def test_one():\n    pass\n",
    }) / "site"
    result = run("-p", "no:cache", "tests", pythonpath=[site])
    assert result.ret == 4, result.dump()
    assert result.errlines == [
        "ERROR: Error loading installed plugin 'broken' (broken_mod, from Broken 2.0): RuntimeError: cannot start",
        "(-p no:broken runs without it)", ""], result.dump()
    assert run("-p", "no:cache", "-p", "no:broken", "tests", pythonpath=[site]).ret == 0


def test_plugins_lists_where_each_installed_plugin_came_from(files, run):
    site = files({
        "site/first_mod.py": "def minitest_report_header(config):\n    return 'first: active'\n",
        "site/py_mod.py": "def pytest_report_header(config):\n    return 'py: active'\n",
        **installed_distribution("Two", "1.0", "[minitest]\nfirst = first_mod\n[pytest11]\npyfirst = py_mod\n"),
        "tests/test_x.py": "def test_one():\n    pass\n",
    }) / "site"
    result = run("-p", "no:cache", "--plugins", pythonpath=[site])
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["  first", "      from: entry point first_mod (distribution Two 1.0)",
                          "  pyfirst", "      from: pytest plugin, entry point py_mod (distribution Two 1.0)"])


def test_dash_p_naming_a_pytest_plugin_a_builtin_replaces_runs_the_builtin(files, run):
    """``-p xdist.looponfail`` (pytest-xdist's): the builtin doing its job runs, and pytest-xdist's
    module is not imported, installed or not."""
    files({
        "conftest.py": "import sys\n\ndef minitest_report_header(config):\n"
                       "    return f\"looponfail imported: {'xdist.looponfail' in sys.modules}\"\n",
        "test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "-p", "xdist.looponfail", env=NO_AUTOLOAD)
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["looponfail imported: False"])
    assert result.outcomes() == {"passed": 1}


def test_blank_names_and_blocked_plugins_are_not_imported(files, run, tmp_path):
    """A blank entry of ``minitest_plugins`` is passed over; a plugin blocked with ``-p no:NAME`` is
    not even imported (its module would fail here) when something names it."""
    files({
        "conftest.py": 'minitest_plugins = ["  ", "blocked_plugin", "helper_plugin"]\n',
        "blocked_plugin.py": "raise RuntimeError('a blocked plugin was imported')\n",
        "helper_plugin.py": "def minitest_report_header(config):\n    return 'helper plugin: active'\n",
        "test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "-p", "no:blocked_plugin", "-p", "blocked_plugin", pythonpath=[tmp_path])
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["helper plugin: active"])
    assert result.outcomes() == {"passed": 1}


def test_dash_p_naming_a_builtin_or_pytests_name_for_it_loads_nothing_more(files, run):
    """Builtins by their names and by pytest's (``dist``, ``xdist.plugin``: pytest-xdist's, whose
    module is not imported even when it is installed)."""
    files({
        "conftest.py": "import sys\n\ndef minitest_report_header(config):\n"
                       "    return f\"xdist imported: {'xdist.plugin' in sys.modules}\"\n",
        "test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "-p", "session", "-p", "skipping", "-p", "dist", "-p", "xdist.plugin",
                 "-p", "rerunfailures", env=NO_AUTOLOAD)
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["xdist imported: False"])
    assert result.outcomes() == {"passed": 1}


def test_pytester_in_pytest_plugins_is_passed_over_with_a_warning(files, run, tmp_path):
    """``pytest_plugins = ["pytester"]`` (pytest's name without a dot): skipped with the warning."""
    files({"conftest.py": 'pytest_plugins = ["pytester"]\n', "test_x.py": "def test_one():\n    pass\n"})
    result = run("-p", "no:cache")
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"passed": 1}
    assert [line.split(": ", 1)[1] for line in result.errlines if "UserWarning" in line] == [
        f"UserWarning: pytest plugin 'pytester' has no minitest equivalent and is skipped "
        f"(named in {tmp_path / 'conftest.py'})"], result.dump()


def test_conftest_options_of_every_directory_between_confcutdir_and_the_argument(files, run, tmp_path):
    """The conftest.py files from confcutdir down to an argument's directory are loaded before the
    command line is parsed: an option of an intermediate one can be used; the ones above
    ``--confcutdir`` are not loaded."""
    option = ("def minitest_addoption(parser):\n    parser.addoption('--{0}', action='store_true')\n\n"
              "def minitest_report_header(config):\n    return '{0}: ' + str(config.getoption('--{0}'))\n")
    files({
        "minitest.ini": "[minitest]\n",
        "conftest.py": "raise RuntimeError('the conftest above --confcutdir was imported')\n",
        "a/conftest.py": option.format("opt-a"),
        "a/b/conftest.py": option.format("opt-b"),
        "a/b/c/test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "--confcutdir=a", "--opt-a", "--opt-b", "a/b/c/test_x.py")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["opt-a: True", "opt-b: True"])
    assert result.outcomes() == {"passed": 1}


def test_an_argument_outside_the_rootdir_loads_its_own_conftest(files, run, tmp_path):
    files({
        "project/minitest.ini": "[minitest]\n",
        "elsewhere/x/conftest.py": "def minitest_report_header(config):\n    return 'conftest of elsewhere/x'\n",
        "elsewhere/x/test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "-c", "minitest.ini", "../elsewhere/x", cwd=tmp_path / "project")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["conftest of elsewhere/x"])
    assert result.outcomes() == {"passed": 1}


def test_a_conftest_above_the_rootdir_within_confcutdir_is_loaded(files, run, tmp_path):
    files({
        "conftest.py": "def minitest_report_header(config):\n    return 'conftest above the rootdir'\n",
        "sub/minitest.ini": "[minitest]\n",
        "sub/test_x.py": "def test_one():\n    pass\n",
    })
    result = run("-p", "no:cache", "--confcutdir", str(tmp_path), "sub")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["conftest above the rootdir", f"rootdir: {tmp_path / 'sub'}"])


def test_a_conftest_raising_as_it_is_imported_is_a_usage_error(files, run, tmp_path):
    files({"conftest.py": "raise RuntimeError('cannot start')\n", "test_x.py": "def test_one():\n    pass\n"})
    result = run("-p", "no:cache")
    assert result.ret == 4, result.dump()
    assert result.errlines[0] == f"ERROR: ImportError while loading conftest '{tmp_path / 'conftest.py'}'."
    assert result.errlines[-1] == "RuntimeError: cannot start"


def test_installed_plugin_modules_are_rewritten(files, run):
    """The module of an installed plugin is marked for assertion rewriting before it is imported:
    a failed ``assert`` in a helper it gives the tests explains itself."""
    site = files({
        "site/checks_mod.py": "import minitest\n\n@minitest.fixture\ndef check():\n"
                              "    def check(x):\n        assert x == 2\n    return check\n",
        **installed_distribution("Checks", "1.0", "[minitest]\nchecks = checks_mod\n"),
        "tests/test_x.py": "def test_one(check):\n    check(1)\n",
    }) / "site"
    result = run("-p", "no:cache", "tests", pythonpath=[site])
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["E       assert 1 == 2"])
