"""Declaring and parsing options, in process: option names and their ``dest``, groups and their
order, clashes and the options that give way, ``-p`` values, options written for pytest that no
plugin knows, defaults of options added late, ini defaults and added lines, the arguments to
collect (``testpaths``) and ``pythonpath``.

Written for the survivors of mutation testing of minitest/config.py (tests/MUTATION.md); the
Config comes from the real bootstrap, run in a temporary directory.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from minitest.config import (
    Config,
    IniSpec,
    MinitestConfigWarning,
    Parser,
    bootstrap,
    ini_default,
    parse_early_plugin_args,
)
from minitest.errors import UsageError
from minitest.layers import Layer


def _bootstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ini: str | None, *args: str,
               plugins: tuple[object, ...] = ()) -> Config:
    if ini is not None:
        (tmp_path / "minitest.ini").write_text(ini)
    monkeypatch.chdir(tmp_path)
    return bootstrap(["-p", "no:cache", *args], plugins=list(plugins))


# -- option names ---------------------------------------------------------------------------------

def test_an_options_dest_is_given_or_its_first_long_name_or_its_first_name():
    parser = Parser()
    group = parser.getgroup("g")
    group.addoption("-a", "--all-of-it", "--other", action="store_true")
    group.addoption("-b", action="store_true")
    group.addoption("-c", "--cee", dest="chosen", action="store_true")
    assert [o.dest for o in group.options] == ["all_of_it", "b", "chosen"]
    ns = parser.parse(["-a", "-b", "-c"])
    assert (ns.all_of_it, ns.b, ns.chosen) == (True, True, True)


def test_an_option_added_after_a_parse_is_parsed_next_time():
    parser = Parser()
    parser.addoption("--first", action="store_true")
    assert parser.parse(["--first"]).first is True
    parser.addoption("--second", action="store_true")
    assert parser.parse(["--second"]).second is True
    parser.getgroup("late").addoption("--third", action="store_true")
    assert parser.parse(["--third"]).third is True


def test_every_added_option_is_announced():
    parser = Parser()
    seen: list[tuple[str, ...]] = []
    parser.on_option_added = lambda option: seen.append(option.option_names)
    parser.addoption("--one")
    parser.getgroup("g").addoption("-t", "--two")
    assert seen == [("--one",), ("-t", "--two")]


# -- groups ---------------------------------------------------------------------------------------

def test_groups_are_found_by_name_and_placed_after_the_one_named():
    parser = Parser()
    first = parser.getgroup("first", "the first")
    parser.getgroup("last")
    middle = parser.getgroup("middle", after="first")
    assert parser.getgroup("first") is first
    assert parser.getgroup("middle", "other words", after="last") is middle
    assert [(g.name, g.description) for g in parser._groups] == [
        ("custom options", "custom options"), ("first", "the first"), ("middle", "middle"), ("last", "last")]
    parser.getgroup("unplaced", after="no such group")
    assert [g.name for g in parser._groups][-1] == "unplaced"


def test_groups_show_in_help_in_their_order():
    parser = Parser()
    parser.getgroup("zeta").addoption("--zeta-opt")
    parser.getgroup("alpha", after="custom options").addoption("--alpha-opt")
    text = parser.format_help()
    assert text.index("alpha:") < text.index("zeta:") < text.index("--zeta-opt")


# -- clashes ----------------------------------------------------------------------------------------

def test_an_option_that_gives_way_is_withdrawn_when_a_plugin_adds_the_same_name():
    parser = Parser()
    builtin = parser.getgroup("builtin")
    builtin.addoption("--html", "--html-report", dest="builtin_html", gives_way=True)
    builtin.addoption("--kept")
    parser.getgroup("plugin").addoption("--html", dest="plugin_html")
    assert [o.option_names for o in builtin.options] == [("--kept",)]
    ns = parser.parse(["--html", "x"])
    assert ns.plugin_html == "x" and not hasattr(ns, "builtin_html")
    # the withdrawn option's other names are free again
    parser.getgroup("plugin").addoption("--html-report", dest="report")
    assert parser.parse(["--html-report", "y"]).report == "y"


def test_a_clash_with_an_option_that_does_not_give_way_is_an_error():
    parser = Parser()
    parser.getgroup("a").addoption("--same", "--a-only")
    parser.getgroup("b").addoption("--yielding", gives_way=True)
    with pytest.raises(ValueError) as clash:
        parser.getgroup("c").addoption("--same")
    assert str(clash.value) == "option names ['--same'] already added"
    with pytest.raises(ValueError):
        parser.getgroup("c").addoption("--yielding", "--a-only")
    assert parser.parse(["--same", "1", "--yielding", "2"]).yielding == "2"


# -- ini keys -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [None, "string", "args", "linelist", "paths", "pathlist", "bool", "int", "float"])
def test_ini_types_accepted(kind):
    parser = Parser()
    parser.addini("key", "help", type=kind, default="d")
    spec = parser.ini_specs["key"]
    assert (spec.name, spec.help, spec.type, spec.default) == ("key", "help", kind, "d")
    assert spec.declared_in == __file__


def test_an_unknown_ini_type_is_refused():
    with pytest.raises(ValueError) as refused:
        Parser().addini("key", "help", type="list")
    assert str(refused.value) == "unknown ini type 'list' for 'key'"


def test_ini_defaults_by_type_and_declared():
    def spec(kind, default=None, **kw):
        return IniSpec("k", "", kind, default, **kw)

    from minitest.config import NOTSET

    assert [ini_default(IniSpec("k", "", kind, NOTSET)) for kind in
            (None, "string", "args", "linelist", "paths", "pathlist", "bool", "int")] == \
        ["", "", [], [], [], [], False, ""]
    declared = ["a"]
    value = ini_default(spec("linelist", declared))
    assert value == ["a"] and value is not declared  # a copy: adding lines leaves the default alone
    assert ini_default(spec("args", ("x", "y"))) == ["x", "y"]
    assert ini_default(spec("int", 3)) == 3
    assert ini_default(spec(None, None)) is None


# -- unknown arguments ----------------------------------------------------------------------------------

def test_unknown_args_are_the_tokens_no_option_takes():
    parser = Parser()
    parser.addoption("--known", action="store_true")
    parser.addoption("--level", type=int)
    assert parser.unknown_args(["--known", "--cov=x", "-Z", "file.py"]) == ["--cov=x", "-Z"]
    assert parser.unknown_args(["--known"]) == []
    # a bad value is the final parse's error to report, not an unknown option
    assert parser.unknown_args(["--level", "high", "--cov"]) == []


# -- -p ---------------------------------------------------------------------------------------------------

def test_dash_p_values_split_into_plugins_to_load_and_to_block():
    assert parse_early_plugin_args(["-p", "one", "-ptwo", "-p", "no:three", "-pno:four", "x", "-p"]) == \
        (["one", "two"], ["three", "four"])
    assert parse_early_plugin_args(["-p", "-p", "five"]) == (["-p"], [])
    assert parse_early_plugin_args(["-v", "-p"]) == ([], [])
    assert parse_early_plugin_args(["--pdb", "-x"]) == ([], [])
    assert parse_early_plugin_args(["-v", "-p", "last"]) == (["last"], [])
    assert parse_early_plugin_args(["-pq", "-p"]) == (["q"], [])


# -- options written for pytest ----------------------------------------------------------------------------

def _drop(args: list[str], layer: Layer) -> tuple[list[str], list[str]]:
    from minitest.config import _drop_unknown

    parser = Parser()
    parser.addoption("-v", action="count")
    parser.addoption("--level")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = _drop_unknown(parser, args, layer)
    return kept, [str(w.message) for w in caught if issubclass(w.category, MinitestConfigWarning)]


def test_unknown_options_of_a_pytest_addopts_are_dropped_with_their_values():
    layer = Layer("addopts", "pytest.ini")
    kept, said = _drop(["-v", "--cov", "src", "--cov-report=term", "--level", "3", "--no-cov", "-v"], layer)
    assert kept == ["-v", "--level", "3", "-v"]
    assert said == ["ignoring options from the pytest config's addopts that minitest does not know: "
                    "--cov src --cov-report=term --no-cov"]
    kept, said = _drop(["--cov", "--level", "2"], Layer("environment", variable="PYTEST_ADDOPTS"))
    assert kept == ["--level", "2"]
    assert said == ["ignoring options from PYTEST_ADDOPTS that minitest does not know: --cov"]
    assert _drop(["-v", "--level", "1"], layer) == (["-v", "--level", "1"], [])
    # a value joined with "=" takes no token after it; a first token that is not an option is kept
    kept, said = _drop(["--cov=src", "tests", "--cov"], layer)
    assert kept == ["tests"]
    assert said == ["ignoring options from the pytest config's addopts that minitest does not know: --cov=src --cov"]
    assert _drop(["tests", "--cov"], layer)[0] == ["tests"]


# -- options added late (a conftest found during collection) ---------------------------------------------

def test_an_option_added_after_the_parse_answers_with_its_default(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch, None, "--co")
    parser = config._parser
    parser.addoption("--late-true", action="store_true")
    parser.addoption("--late-false", action="store_false")
    parser.addoption("--late-value", default="dflt")
    parser.addoption("--late-none")
    parser.addoption("--late-flag-default", action="store_true", default="given")
    assert config.getoption("late_true") is False
    assert config.getoption("late_false") is True
    assert config.getoption("late_value") == "dflt"
    assert config.getoption("late_none") is None
    assert config.getoption("late_flag_default") == "given"
    # an option already parsed keeps its value
    config.option.late_kept = "parsed"
    parser.addoption("--late-kept", default="other")
    assert config.getoption("late_kept") == "parsed"


# -- ini lines and parsed ini values --------------------------------------------------------------------------

def test_added_ini_lines_follow_the_file_and_are_kept(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\nmarkers =\n    slow: slow\n")
    config.addinivalue_line("markers", "fast: fast")
    config.addinivalue_line("markers", "odd: odd")
    assert config.getini("markers")[-3:] == ["slow: slow", "fast: fast", "odd: odd"]
    assert config.added_ini_lines("markers") == ["fast: fast", "odd: odd"]
    config.clear_ini_cache()
    assert config.getini("markers")[-3:] == ["slow: slow", "fast: fast", "odd: odd"]


def test_a_parsed_ini_value_is_made_again_only_when_the_value_changed(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\nmarkers =\n    slow: slow\n")
    calls: list[list[str]] = []

    def parse(value):
        calls.append(list(value))
        return len(value)

    first = config.getini_parsed("markers", parse)
    assert config.getini_parsed("markers", parse) == first
    assert len(calls) == 1
    config.addinivalue_line("markers", "fast: fast")
    assert config.getini_parsed("markers", parse) == first + 1
    assert len(calls) == 2
    assert config.getini_parsed("markers", lambda value: "other parse") == "other parse"


# -- the arguments to collect -------------------------------------------------------------------------------

def test_given_arguments_are_collected_and_said_to_come_from_the_command_line(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\ntestpaths = b*\n", "a")
    assert (config.args, config.args_source) == (["a"], "args")


def test_testpaths_are_globbed_from_rootdir_in_sorted_order(tmp_path, monkeypatch):
    for name in ("b2", "b1", "c", "a"):
        (tmp_path / name).mkdir()
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\ntestpaths = c b* nothing*\n")
    assert (config.args, config.args_source) == (["c", "b1", "b2"], "testpaths")


def test_without_testpaths_matching_or_below_rootdir_the_cwd_is_collected(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\ntestpaths = nothing*\n")
    assert (config.args, config.args_source) == ([str(tmp_path)], "cwd")
    (tmp_path / "minitest.ini").write_text("[minitest]\ntestpaths = sub\n")
    monkeypatch.chdir(tmp_path / "sub")
    config = bootstrap(["-p", "no:cache"])
    assert (config.args, config.args_source) == ([str(tmp_path / "sub")], "cwd")


# -- pythonpath ------------------------------------------------------------------------------------------------

def test_pythonpath_goes_first_on_sys_path_in_order_and_leaves_it_at_the_end(tmp_path, monkeypatch):
    before = list(sys.path)
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\npythonpath = one two\n")
    assert sys.path[:2] == [str(tmp_path / "one"), str(tmp_path / "two")]
    config.ensure_unconfigure()
    assert sys.path == before


def test_without_pythonpath_sys_path_is_left_alone(tmp_path, monkeypatch):
    before = list(sys.path)
    config = _bootstrap(tmp_path, monkeypatch, "[minitest]\n")
    assert sys.path == before
    config.ensure_unconfigure()
    assert sys.path == before


def test_only_options_written_for_pytest_are_dropped(tmp_path, monkeypatch):
    """A pytest config's addopts and ``PYTEST_ADDOPTS`` lose the options no plugin knows (with a
    warning); minitest's own config file's addopts keep them, and an unknown one is an error."""
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    monkeypatch.delenv("MINITEST_ADDOPTS", raising=False)
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --cov=src -v\n")
    monkeypatch.chdir(tmp_path)
    with pytest.warns(MinitestConfigWarning) as said:
        config = bootstrap(["-p", "no:cache"])
    assert [str(w.message) for w in said] == [
        "ignoring options from the pytest config's addopts that minitest does not know: --cov=src"]
    assert config.option.verbose == 1
    (tmp_path / "pytest.ini").unlink()
    (tmp_path / "minitest.ini").write_text("[minitest]\naddopts = --cov=src\n")
    with pytest.raises(UsageError) as refused:
        bootstrap(["-p", "no:cache"])
    assert str(refused.value) == ("`--cov` from addopts in minitest.ini: no installed plugin defines it "
                                  "(pytest-cov is not installed)")
    (tmp_path / "minitest.ini").write_text("[minitest]\n")
    monkeypatch.setenv("PYTEST_ADDOPTS", "--cov -v")
    with pytest.warns(MinitestConfigWarning) as said:
        config = bootstrap(["-p", "no:cache"])
    assert [str(w.message) for w in said] == ["ignoring options from PYTEST_ADDOPTS that minitest does not know: --cov"]
    assert config.option.verbose == 1
