"""Issue 3 — configuration: config files, rootdir, ini keys, -o / -c / --rootdir / --ignore."""

from __future__ import annotations

import ast

import pytest
from conftest import collected_nodeids, verbose_nodeids

CHECK_MODULE = """
    def check_one():
        pass

    def test_not_a_check():
        pass

    class SuiteA:
        def check_m(self):
            pass

        def test_n(self):
            pass

    class TestB:
        def check_z(self):
            pass
"""

# conftest that records config values in hooklog.txt (next to itself), one "key=value" a line
LOG_CONFIG_CONFTEST = """
    from pathlib import Path

    LOG = Path(__file__).with_name("hooklog.txt")

    def minitest_configure(config):
        with LOG.open("a") as f:
            f.write(f"rootdir={config.rootpath}\\n")
            f.write(f"inipath={config.inipath}\\n")
            f.write(f"python_files={config.getini('python_files')!r}\\n")
            f.write(f"markers={config.getini('markers')!r}\\n")
            f.write(f"testpaths={config.getini('testpaths')!r}\\n")
"""


def read_log(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_pyproject_tool_minitest_table(files, run, tmp_path):
    files({
        "pyproject.toml": """
            [project]
            name = "demo"

            [tool.minitest]
            addopts = "-v"
            python_files = ["check_*.py"]
            python_classes = ["Suite"]
            python_functions = ["check_"]
        """,
        "check_mod.py": CHECK_MODULE,
        "test_t.py": "def test_t():\n    pass\n",
    })
    result = run()
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([f"rootdir: {tmp_path}", "configfile: pyproject.toml"])
    # addopts = -v gives one line per test
    assert verbose_nodeids(result) == [("check_mod.py::check_one", "PASSED"),
                                       ("check_mod.py::SuiteA::check_m", "PASSED")]


def test_minitest_ini(files, run, tmp_path):
    files({
        "minitest.ini": """
            [minitest]
            python_files = check_*.py
            python_classes = Suite
            python_functions = check_
        """,
        "check_mod.py": CHECK_MODULE,
        "test_t.py": "def test_t():\n    pass\n",
    })
    result = run("--co", "-q")
    assert collected_nodeids(result) == ["check_mod.py::check_one", "check_mod.py::SuiteA::check_m"], result.dump()
    header = run("--co")
    header.fnmatch_lines([f"rootdir: {tmp_path}", "configfile: minitest.ini"])


def test_tox_ini_testpaths(files, run):
    files({
        "tox.ini": """
            [tox]
            envlist = py311

            [minitest]
            testpaths = tests
        """,
        "tests/test_in.py": "def test_in():\n    pass\n",
        "other/test_other.py": "def test_other():\n    pass\n",
    })
    result = run("--co", "-q")
    assert collected_nodeids(result) == ["tests/test_in.py::test_in"], result.dump()
    # explicit arguments win over testpaths
    explicit = run("--co", "-q", "other")
    assert collected_nodeids(explicit) == ["other/test_other.py::test_other"], explicit.dump()
    run("--co").fnmatch_lines(["configfile: tox.ini"])


def test_setup_cfg_norecursedirs_replaces_the_default(files, run):
    """norecursedirs replaces the default list (so dot-dirs and build/ are entered, as pytest does);
    virtualenvs are still skipped."""
    body = "def test_in():\n    pass\n"
    files({
        "setup.cfg": """
            [metadata]
            name = demo

            [tool:minitest]
            norecursedirs = skip*
        """,
        "skipme/test_skipme.py": body,
        ".hidden/test_hidden.py": body,
        "build/test_build.py": body,
        "myvenv/pyvenv.cfg": "",
        "myvenv/test_venv.py": body,
        "test_top.py": body,
    })
    result = run("--co", "-q")
    assert collected_nodeids(result) == [".hidden/test_hidden.py::test_in", "build/test_build.py::test_in",
                                         "test_top.py::test_in"], result.dump()
    run("--co").fnmatch_lines(["configfile: setup.cfg"])


def test_ini_values_reach_plugins_through_getini(files, run, tmp_path):
    files({
        "minitest.ini": """
            [minitest]
            markers =
                slow: marks a slow test
                db: needs the database
            testpaths = tests other
        """,
        "conftest.py": LOG_CONFIG_CONFTEST,
        "tests/test_in.py": "def test_in():\n    pass\n",
        "other/test_o.py": "def test_o():\n    pass\n",
    })
    result = run()
    assert result.ret == 0, result.dump()
    result.assert_outcomes(passed=2)
    log = read_log(tmp_path / "hooklog.txt")
    assert log["rootdir"] == str(tmp_path)
    assert log["inipath"] == str(tmp_path / "minitest.ini")
    # ini lines first (plugins may append their own markers with addinivalue_line later)
    assert ast.literal_eval(log["markers"])[:2] == ["slow: marks a slow test", "db: needs the database"]
    assert log["testpaths"] == repr(["tests", "other"])
    assert log["python_files"] == repr(["test_*.py", "*_test.py"])


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (["pyproject.toml", "tox.ini"], "pyproject.toml"),
        (["minitest.ini", "tox.ini", "setup.cfg"], "minitest.ini"),
        (["tox.ini", "setup.cfg"], "tox.ini"),
    ],
)
def test_config_file_precedence_in_one_directory(files, run, present, expected):
    contents = {
        "pyproject.toml": '[tool.minitest]\naddopts = "-v"\n',
        "minitest.ini": "[minitest]\naddopts = -v\n",
        "tox.ini": "[minitest]\naddopts = -v\n",
        "setup.cfg": "[tool:minitest]\naddopts = -v\n",
    }
    files({name: contents[name] for name in present} | {"test_x.py": "def test_x():\n    pass\n"})
    result = run()
    assert result.ret == 0, result.dump()
    # the others are named as ignored (pytest's header does the same)
    result.fnmatch_lines([f"configfile: {expected} (WARNING: ignoring minitest config in *"])


def test_files_without_a_minitest_section_are_skipped_walking_up(files, run, tmp_path):
    """tox.ini / setup.cfg without the section are not config files: the search goes on upward."""
    files({
        "tox.ini": "[minitest]\naddopts = -v\n",
        "sub/tox.ini": "[tox]\nenvlist = py\n",
        "sub/setup.cfg": "[metadata]\nname = x\n",
        "sub/test_s.py": "def test_s():\n    pass\n",
    })
    result = run("sub")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([f"rootdir: {tmp_path}", "configfile: tox.ini"])
    assert verbose_nodeids(result) == [("sub/test_s.py::test_s", "PASSED")]


def test_nearest_config_file_wins_and_decides_rootdir(files, run, tmp_path):
    files({
        "tox.ini": "[minitest]\naddopts = -v\n",
        "sub/setup.cfg": "[tool:minitest]\npython_functions = check_\n",
        "sub/test_s.py": "def check_s():\n    pass\n\ndef test_s():\n    pass\n",
    })
    result = run("--co", "-q", "sub")
    assert collected_nodeids(result) == ["test_s.py::check_s"], result.dump()
    header = run("--co", "sub")
    header.fnmatch_lines([f"rootdir: {tmp_path / 'sub'}", "configfile: setup.cfg"])


def test_pyproject_without_table_still_decides_rootdir(files, run, tmp_path):
    """As pytest: a pyproject.toml without [tool.minitest] is not read for settings, but when no
    config file is found its directory is the rootdir."""
    files({
        "proj/pyproject.toml": '[project]\nname = "x"\n',
        "proj/tests/test_x.py": "def test_x():\n    pass\n",
    })
    result = run("--co", "-q", cwd=tmp_path / "proj" / "tests")
    assert collected_nodeids(result) == ["tests/test_x.py::test_x"], result.dump()
    header = run("--co", cwd=tmp_path / "proj" / "tests")
    header.fnmatch_lines([f"rootdir: {tmp_path / 'proj'}"])


def test_config_is_searched_from_the_common_ancestor_of_the_arguments(files, run, tmp_path):
    files({
        "a/tox.ini": "[minitest]\n",
        "a/b/test_x.py": "def test_x():\n    pass\n",
        "a/c/test_y.py": "def test_y():\n    pass\n",
    })
    result = run("--co", "a/b", "a/c")
    result.fnmatch_lines([f"rootdir: {tmp_path / 'a'}", "configfile: tox.ini"])
    listing = run("--co", "-q", "a/b", "a/c")
    assert collected_nodeids(listing) == ["b/test_x.py::test_x", "c/test_y.py::test_y"], listing.dump()


def test_without_config_file_rootdir_is_invocation_dir_and_no_configfile_line(files, run, tmp_path):
    files({"a/b/test_x.py": "def test_x():\n    pass\n", "a/c/test_y.py": "def test_y():\n    pass\n"})
    result = run("--co", "a/b", "a/c")
    result.fnmatch_lines([f"rootdir: {tmp_path}"])
    result.no_fnmatch_line("configfile:*")
    listing = run("--co", "-q", "a/b", "a/c")
    assert collected_nodeids(listing) == ["a/b/test_x.py::test_x", "a/c/test_y.py::test_y"], listing.dump()


def test_override_ini_option(files, run):
    files({
        "minitest.ini": "[minitest]\npython_files = check_*.py\npython_functions = check_\n",
        "check_mod.py": CHECK_MODULE,
        "test_t.py": "def test_t():\n    pass\n",
    })
    result = run("--co", "-q", "-o", "python_files=test_*.py", "--override-ini=python_functions=test")
    assert collected_nodeids(result) == ["test_t.py::test_t"], result.dump()


def test_addopts_are_applied_before_command_line(files, run):
    files({
        "minitest.ini": "[minitest]\naddopts = -x -v\n",
        "test_x.py": """
            def test_a():
                raise ValueError("a")

            def test_b():
                pass
        """,
    })
    result = run()
    assert result.ret == 1
    assert verbose_nodeids(result) == [("test_x.py::test_a", "FAILED")], result.dump()
    # a later --maxfail on the command line overrides -x from addopts
    result = run("--maxfail=5")
    assert verbose_nodeids(result) == [("test_x.py::test_a", "FAILED"), ("test_x.py::test_b", "PASSED")], \
        result.dump()


def test_dash_c_selects_config_file(files, run, tmp_path):
    files({
        "minitest.ini": "[minitest]\npython_functions = nothing_\n",
        "custom.ini": "[minitest]\naddopts = -v\n",
        "test_x.py": "def test_x():\n    pass\n",
    })
    result = run("-c", "custom.ini")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([f"rootdir: {tmp_path}", "configfile: custom.ini"])
    assert verbose_nodeids(result) == [("test_x.py::test_x", "PASSED")]
    # from a subdirectory, -c decides the rootdir too (the config file's directory)
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "test_s.py").write_text("def test_s():\n    pass\n")
    from_sub = run("-c", "../custom.ini", cwd=sub)
    from_sub.fnmatch_lines([f"rootdir: {tmp_path}", "configfile: custom.ini"])
    assert verbose_nodeids(from_sub) == [("test_s.py::test_s", "PASSED")]


def test_rootdir_option(files, run, tmp_path):
    files({"sub/test_x.py": "def test_x():\n    pass\n"})
    result = run("--co", "--rootdir=sub", "sub")
    result.fnmatch_lines([f"rootdir: {tmp_path / 'sub'}"])
    listing = run("--co", "-q", "--rootdir=sub", "sub")
    assert collected_nodeids(listing) == ["test_x.py::test_x"], listing.dump()


def test_rootdir_option_missing_directory_is_usage_error(files, run):
    files({"test_x.py": "def test_x():\n    pass\n"})
    result = run("--rootdir=nonexist")
    assert result.ret == 4, result.dump()
    assert "nonexist" in result.stderr and "--rootdir" in result.stderr


def test_ignore_and_ignore_glob(files, run):
    body = "def test_in():\n    pass\n"
    files({
        "build_one/test_b.py": body,
        "keep/test_keep.py": body,
        "keep/test_skip_me.py": body,
        "test_top.py": body,
        "test_top2.py": body,
    })
    result = run("--co", "-q", "--ignore=build_one", "--ignore", "test_top2.py", "--ignore-glob=*/test_skip_*")
    assert collected_nodeids(result) == ["keep/test_keep.py::test_in", "test_top.py::test_in"], result.dump()


def test_unknown_import_mode_is_usage_error(files, run, run_pytest):
    files({"test_x.py": "def test_x():\n    pass\n"})
    result = run("--import-mode=sideways")
    assert result.ret == 4 == run_pytest("--import-mode=sideways").ret, result.dump()
    assert "--import-mode" in result.stderr


def test_unknown_config_keys_warn_and_strict_config_refuses_them(files, run):
    files({"minitest.ini": "[minitest]\npython_fils = test_*.py\n", "test_x.py": "def test_x():\n    pass\n"})
    result = run()
    assert result.ret == 0, result.dump()
    assert "MinitestConfigWarning: Unknown config option: python_fils" in result.stderr
    strict = run("--strict-config")
    assert strict.ret == 4, strict.dump()
    assert "ERROR: Unknown config option: python_fils" in strict.stderr


def test_pytest_settings_minitest_lacks_do_not_fail_strict_config(files, run, run_pytest):
    # a pytest config with --strict-config in addopts and a key pytest knows (toolz does this)
    files({"pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["--strict-config"]\nconsole_output_style = "classic"\n',
           "test_x.py": "def test_x():\n    pass\n"})
    assert run_pytest().ret == 0
    result = run()
    assert result.ret == 0, result.dump()
    assert "'console_output_style' has no minitest equivalent and is ignored" in result.stderr
    # a key neither knows is still refused
    files({"pyproject.toml": '[tool.pytest.ini_options]\nconsole_output_style = "classic"\npython_fils = "x"\n'})
    assert run_pytest("--strict-config").ret == 4
    result = run("--strict-config")
    assert result.ret == 4, result.dump()
    assert "ERROR: Unknown config option: python_fils" in result.stderr


def test_lines_added_early_outlive_the_final_parse(files, run):
    # pytest-django registers its marks on the early config (load_initial_conftests); the ini
    # cache is cleared once the conftests are in, and the lines must still be there
    files({
        "early_marks.py": """
            def minitest_load_initial_conftests(early_config):
                early_config.addinivalue_line("markers", "early_mark: registered before the conftests")
        """,
        "minitest.ini": "[minitest]\nmarkers =\n    from_ini: in the file\n",
        "test_m.py": """
            import minitest

            @minitest.mark.early_mark
            @minitest.mark.from_ini
            def test_marked(): pass
        """,
    })
    result = run("-p", "early_marks", "--strict-markers", pythonpath=["."])
    assert result.ret == 0 and result.outcomes() == {"passed": 1}, result.dump()
    markers = run("-p", "early_marks", "--markers", pythonpath=["."])
    assert "@minitest.mark.early_mark: registered before the conftests" in markers.stdout, markers.dump()
    assert "@minitest.mark.from_ini: in the file" in markers.stdout, markers.dump()
