"""Issue 22 — configuration you can see: ``--show-config`` lists every setting with the layer that
set it (config file and line, addopts, the environment, ``-o``, the command line), what it
overrode and the plugin that declared it; usage errors about a setting name the layer in the same
words; config files that do not parse or compete are named."""

from __future__ import annotations

import json

TEST = "def test_one():\n    pass\n"

#: one option (--tb) and one ini key (xfail_strict) set in every layer
LAYERED = {
    "pyproject.toml": """
        [tool.minitest]
        addopts = ["--tb=short", "-o", "xfail_strict=false"]
        xfail_strict = true
    """,
    "test_one.py": TEST,
}


def test_each_layer_overrides_the_one_before_and_show_config_shows_every_step(files, run):
    files(LAYERED)
    result = run("--tb=line", "-o", "xfail_strict=false", "--show-config",
                 env={"MINITEST_ADDOPTS": "--tb=long -o xfail_strict=true"})
    assert result.ret == 0, result.dump()
    assert "passed" not in result.stdout and "test session starts" not in result.stdout  # nothing ran
    result.fnmatch_lines([
        "config file: pyproject.toml (rootdir: *)",
        "layers, a later one wins: default, pyproject.toml, addopts in pyproject.toml, MINITEST_ADDOPTS, "
        "the command line",
    ])
    result.fnmatch_lines([
        "  --tb=line",
        "      from: the command line",
        "      overrode: long from MINITEST_ADDOPTS",
        "      overrode: short from addopts in pyproject.toml",
        "      default: auto",
        "      declared by: runner, from builtin (builtin_plugins.runner)",
    ], consecutive=True)
    result.fnmatch_lines([
        "  xfail_strict = False",
        "      from: -o xfail_strict=false from the command line",
        "      overrode: True from -o xfail_strict=true from MINITEST_ADDOPTS",
        "      overrode: False from -o xfail_strict=false from addopts in pyproject.toml",
        "      overrode: True from pyproject.toml:3",
        "      default: False",
        "      declared by: skipping, from builtin (builtin_plugins.skipping)",
    ], consecutive=True)


def test_pytest_addopts_is_a_layer_before_minitest_addopts(files, run):
    files(LAYERED)
    result = run("--show-config", env={"PYTEST_ADDOPTS": "--tb=native", "MINITEST_ADDOPTS": "--tb=long"})
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "  --tb=long",
        "      from: MINITEST_ADDOPTS",
        "      overrode: native from PYTEST_ADDOPTS",
        "      overrode: short from addopts in pyproject.toml",
    ], consecutive=True)
    # and it takes effect in a run; an option only pytest knows there is dropped with a warning
    ran = run("-rA", env={"PYTEST_ADDOPTS": "--tb=native --cov=shop"})
    ran.assert_outcomes(passed=1)
    assert "ignoring options from PYTEST_ADDOPTS that minitest does not know: --cov=shop" in ran.stderr


def test_only_settings_that_were_set_unless_verbose(files, run):
    files({"test_one.py": TEST})
    result = run("--show-config")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["config file: none (rootdir: *)", "options set (-v: all):", "  --show-config=text",
                          "ini keys set (-v: all):", "  (none)"])
    result.no_fnmatch_line("  --capture=*")
    verbose = run("--show-config", "-v")
    verbose.fnmatch_lines(["options (all):", "  --capture=fd    (default; declared by capture)",
                           "ini keys (all):", "  xfail_strict = False    (default; declared by skipping)"])


SITE = {
    "site/showplug_mod.py": """
        def minitest_addoption(parser):
            parser.addoption("--shop-region", default="eu", help="the region")
    """,
    "site/ShowPlug-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: ShowPlug\nVersion: 0.1\n",
    "site/ShowPlug-0.1.dist-info/entry_points.txt": "[minitest]\nshowplug = showplug_mod\n",
}


def test_a_plugin_registered_option_shows_its_plugin_as_plugins_names_it(files, run, tmp_path):
    files({**SITE, "test_one.py": TEST, "conftest.py": """
        def minitest_addoption(parser):
            parser.addoption("--shop-db", default="sqlite", help="the database")
            parser.addini("shop_currency", "the currency", default="EUR")
    """, "minitest.ini": "[minitest]\nshop_currency = GBP\n"})
    site = tmp_path / "site"
    result = run("--shop-db=pg", "--shop-region=us", "--show-config", pythonpath=[site])
    assert result.ret == 0, result.dump()
    conftest = tmp_path / "conftest.py"
    result.fnmatch_lines(["  --shop-db=pg", "      from: the command line", "      default: sqlite",
                          f"      declared by: conftest.py, from conftest {conftest}"], consecutive=True)
    result.fnmatch_lines(["  --shop-region=us", "      from: the command line", "      default: eu",
                          "      declared by: showplug, from entry point showplug_mod (distribution ShowPlug 0.1)"],
                         consecutive=True)
    result.fnmatch_lines(["  shop_currency = GBP", "      from: minitest.ini:2", "      default: EUR",
                          f"      declared by: conftest.py, from conftest {conftest}"], consecutive=True)
    # --plugins names them in the same words
    listing = run("--plugins", pythonpath=[site])
    listing.fnmatch_lines(["  showplug", "      from: entry point showplug_mod (distribution ShowPlug 0.1)"],
                          consecutive=True)
    listing.fnmatch_lines(["  conftest.py", f"      from: conftest {conftest}"], consecutive=True)


def test_json_form_round_trips(files, run):
    from builtin_plugins.showconfig import render_text
    from minitest.settings_api import ConfigReport

    files(LAYERED)
    args = ("--tb=line", "-W", "ignore::DeprecationWarning", "-o", "xfail_strict=false")
    env = {"MINITEST_ADDOPTS": "--tb=long -o xfail_strict=true"}
    result = run(*args, "--show-config=json", env=env)
    assert result.ret == 0, result.dump()
    data = json.loads(result.stdout)
    report = ConfigReport.from_dict(data)
    assert report.to_dict() == data
    assert json.loads(json.dumps(report.to_dict())) == data
    # the text form is the same report rendered: the JSON holds everything it shows
    text = run(*args, "--show-config", env=env)
    assert render_text(report).replace("--show-config=json", "--show-config=text") == text.stdout
    tb = next(s for s in report.settings if s.name == "--tb")
    assert (tb.value, tb.default, [step.value for step in tb.steps]) == ("line", "auto", ["short", "long", "line"])
    assert [step.layer.describe() for step in tb.steps] == [
        f"addopts in {report.config_file}", "MINITEST_ADDOPTS", "the command line"]
    warnings = next(s for s in report.settings if s.dest == "pythonwarnings")
    assert warnings.accumulates and warnings.value == ["ignore::DeprecationWarning"]


# -- usage errors name the layer -------------------------------------------------------------------


def test_an_unknown_option_names_its_layer_and_the_missing_plugin(files, run):
    files({"pyproject.toml": '[tool.minitest]\naddopts = ["--cov", "src"]\n', "test_one.py": TEST})
    result = run()
    assert result.ret == 4, result.dump()
    assert result.errlines[0] == ("ERROR: `--cov` from addopts in pyproject.toml: no installed plugin defines it "
                                  "(pytest-cov is not installed)")
    files({"pyproject.toml": "[tool.minitest]\n"})
    result = run("--frobnicate")
    assert result.ret == 4, result.dump()
    result.fnmatch_lines(["*unrecognized arguments: --frobnicate",
                          "`--frobnicate` from the command line: no installed plugin defines it"], stream="stderr")


def test_an_option_of_a_blocked_plugin_names_the_block(files, run):
    files({"test_one.py": TEST})
    result = run("-p", "no:timeout", "--timeout=3")
    assert result.ret == 4, result.dump()
    result.fnmatch_lines(["`--timeout` from the command line: the plugin that defines it, timeout, is blocked "
                          "(-p no:timeout from the command line)"], stream="stderr")


def test_a_bad_value_names_its_layer(files, run):
    files({"test_one.py": TEST, "minitest.ini": "[minitest]\n\nconsider_namespace_packages = maybe\n"})
    result = run("-o", "consider_namespace_packages=false", env={"MINITEST_ADDOPTS": "--tb=bogus"})
    assert result.ret == 4, result.dump()
    assert result.errlines[0].startswith("ERROR: `--tb` from MINITEST_ADDOPTS: invalid choice: 'bogus'"), result.dump()
    result = run()
    assert result.ret == 4, result.dump()
    # pytest's line, then the layer
    assert result.errlines[:2] == ["ERROR: invalid truth value 'maybe' for ini value 'consider_namespace_packages'",
                                   "`consider_namespace_packages` from minitest.ini:3"], result.dump()
    result = run("-o", "consider_namespace_packages=perhaps")
    assert result.ret == 4, result.dump()
    assert result.errlines[1] == ("`consider_namespace_packages` from -o consider_namespace_packages=perhaps "
                                  "from the command line"), result.dump()


def test_an_unknown_key_under_strict_config_names_file_and_line(files, run):
    files({"test_one.py": TEST, "pyproject.toml": "[tool.minitest]\nxfail_strict = true\npython_fils = 'x'\n"})
    result = run("--strict-config")
    assert result.ret == 4, result.dump()
    assert result.errlines[:2] == ["ERROR: Unknown config option: python_fils",
                                   "`python_fils` from pyproject.toml:3: no plugin declares it"], result.dump()


# -- config files that do not parse, or compete ----------------------------------------------------


def test_a_config_file_that_does_not_parse_is_named_with_its_line(files, run, tmp_path):
    cases = {
        "pyproject.toml": ("[tool.minitest]\nxfail_strict = true\naddopts = [\n\nx = 1\n", 5, "not valid TOML"),
        "minitest.ini": ("[minitest]\naddopts = -ra\nthis line is no setting\n", 3,
                         "not a valid ini file: cannot parse 'this line is no setting'"),
        "setup.cfg": ("xfail_strict = true\n[tool:minitest]\n", 1,
                      "not a valid ini file: 'xfail_strict = true' comes before any [section]"),
    }
    for name, (text, line, reason) in cases.items():
        files({"test_one.py": TEST, name: text})
        result = run()
        assert result.ret == 4, result.dump()
        assert result.errlines[0].startswith(f"ERROR: {tmp_path / name}:{line}: {reason}"), result.dump()
        (tmp_path / name).unlink()


def test_competing_config_files_are_both_named(files, run, run_pytest, tmp_path):
    files({"test_one.py": TEST, "pyproject.toml": "[tool.minitest]\nxfail_strict = true\n",
           "minitest.ini": "[minitest]\n"})
    result = run()
    result.fnmatch_lines(["configfile: pyproject.toml (WARNING: ignoring minitest config in minitest.ini!)"])
    shown = run("--show-config")
    shown.fnmatch_lines(["config file: pyproject.toml (rootdir: *)",
                         "  ignored: minitest.ini (also holds minitest config; the file above wins)"],
                        consecutive=True)
    # a pytest project: the same line as pytest's header
    (tmp_path / "minitest.ini").unlink()
    files({"pyproject.toml": "[tool.pytest.ini_options]\nxfail_strict = true\n", "pytest.ini": "[pytest]\n"})
    line = "configfile: pytest.ini (WARNING: ignoring pytest config in pyproject.toml!)"
    run_pytest().fnmatch_lines([line])
    run().fnmatch_lines([line])
