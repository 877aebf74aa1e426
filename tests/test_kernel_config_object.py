"""The Config object and the parser's own behaviour, in process: ``--help`` text, no abbreviated
options, the parser built once per set of options, pytest's default attributes on the option
namespace, the Config's properties, configure / unconfigure once, paths and node ids relative to
rootdir or the invocation directory, verbosity, config-time warnings.

Written for the survivors of mutation testing of minitest/config.py (tests/MUTATION.md, the part
"The Config object, the parser's help, the bootstrap"). A Config comes from the real bootstrap, run
in a temporary directory.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from minitest.config import Config, Parser, bootstrap
from minitest.errors import UsageError
from minitest.pytest_names import PYTEST_OPTION_DEFAULTS


def _bootstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, plugins: tuple[object, ...] = (),
               cwd: Path | None = None) -> Config:
    (tmp_path / "minitest.ini").write_text("[minitest]\n")
    monkeypatch.chdir(cwd or tmp_path)
    return bootstrap(["-p", "no:cache", *args], plugins=list(plugins))


# -- the parser -------------------------------------------------------------------------------------

HELP = """\
usage: minitest [options] [file_or_dir] [file_or_dir] [...]

positional arguments:
  file_or_dir                   test files or directories, or node ids

general:
  -x, --exitfirst               stop at the first failure
  -k EXPRESSION                 select by name
  -c FILE, --config-file=FILE   the config file
  --a-rather-long-option-name=VALUE
                                long

[minitest] ini-options in the first config file found (pyproject.toml [tool.minitest], minitest.ini, tox.ini, setup.cfg):

  flag (bool):                     a bool key
  plain (string):                  a typeless key
"""


def test_help_joins_a_value_to_long_names_and_lists_ini_keys_with_their_type(monkeypatch):
    # pytest's way: "-c FILE, --config-file=FILE", a flag without a value as its names, the help
    # from column 32 (on the next line after a longer option)
    monkeypatch.setenv("COLUMNS", "100")
    parser = Parser()
    group = parser.getgroup("general")
    group.addoption("-x", "--exitfirst", action="store_true", help="stop at the first failure")
    group.addoption("-k", dest="keyword", metavar="EXPRESSION", help="select by name")
    group.addoption("-c", "--config-file", dest="inifilename", metavar="FILE", help="the config file")
    group.addoption("--a-rather-long-option-name", metavar="VALUE", help="long")
    parser.addini("plain", "a typeless key")
    parser.addini("flag", "a bool key", type="bool")
    assert parser.format_help() == HELP


def test_an_abbreviated_long_option_is_not_accepted():
    # as pytest's parser (allow_abbrev=False): --exitf is not --exitfirst
    parser = Parser()
    parser.addoption("--exitfirst", action="store_true")
    assert parser.parse(["--exitfirst"]).exitfirst is True
    with pytest.raises(UsageError) as refused:
        parser.parse(["--exitf"])
    assert str(refused.value).endswith("minitest: error: unrecognized arguments: --exitf")


def test_all_options_are_every_groups_options_in_group_order():
    parser = Parser()
    parser.getgroup("b").addoption("--b1")
    parser.addoption("--anonymous")
    parser.getgroup("a", after="custom options").addoption("--a1")
    parser.getgroup("b").addoption("--b2")
    assert [o.option_names for o in parser.all_options()] == [("--anonymous",), ("--a1",), ("--b1",), ("--b2",)]


def test_the_argparse_parser_is_built_again_only_when_options_were_added():
    parser = Parser()
    parser.addoption("--first")
    built = parser._build()
    assert parser._build() is built
    parser.addoption("--second")
    assert parser._build() is not built


def test_the_option_namespace_has_pytests_default_attributes_unless_an_option_sets_them():
    # plugins written for pytest read config.option.xfail_tb and the like directly
    parser = Parser()
    parser.addoption("--strict", action="store_true", dest="strict")
    for ns in (parser.parse([]), parser.parse_known_args(["--unknown"])):
        assert {dest: getattr(ns, dest) for dest in PYTEST_OPTION_DEFAULTS} == {**PYTEST_OPTION_DEFAULTS,
                                                                                 "strict": False}
        assert ns.logger_disable is not PYTEST_OPTION_DEFAULTS["logger_disable"]  # a list of its own
    assert parser.parse(["--strict"]).strict is True


# -- the Config ---------------------------------------------------------------------------------------

def test_the_configs_properties(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch, "-o", "a=1", "--override-ini=b=2")
    assert config.known_args_namespace is config.known_args
    assert config.ini_overrides == ["a=1", "b=2"]
    assert config.rootdir == config.rootpath == tmp_path
    assert isinstance(config.parser, Parser)
    assert config.invocation_params.dir == tmp_path
    # as pytest's InvocationParams: read-only
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.invocation_params.args = ()


def test_kernel_defaults(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch)
    assert config.getoption("disable_plugin_autoload") is False
    assert config.getini("consider_namespace_packages") is False


class _Counts:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def minitest_configure(self, config: Any) -> None:
        self.calls.append("configure")

    def minitest_unconfigure(self, config: Any) -> None:
        self.calls.append("unconfigure")


def test_a_config_is_configured_once_and_unconfigured_once(tmp_path, monkeypatch):
    counts = _Counts()
    config = _bootstrap(tmp_path, monkeypatch, "-p", "no:terminal", plugins=(counts,))
    cleaned: list[int] = []
    config.add_cleanup(lambda: cleaned.append(1))
    assert not config.unconfigured
    config.do_configure()
    config.do_configure()
    assert counts.calls == ["configure"]
    config.ensure_unconfigure()
    config.ensure_unconfigure()
    assert counts.calls == ["configure", "unconfigure"] and cleaned == [1]
    assert config.unconfigured
    with pytest.raises(RuntimeError) as again:
        config.do_configure()
    assert str(again.value) == "this Config was unconfigured; bootstrap a new one for another run"


def test_paths_relative_to_rootdir(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch)
    assert config.rootdir_relative(tmp_path / "sub" / "conftest.py") == "sub/conftest.py"
    assert config.rootdir_relative(str(tmp_path / "x.py")) == "x.py"
    outside = tmp_path.parent / "elsewhere.py"
    assert config.rootdir_relative(outside) == str(outside)


def test_node_ids_as_seen_from_the_invocation_directory(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    from_sub = _bootstrap(tmp_path, monkeypatch, cwd=tmp_path / "sub")
    assert from_sub.rootpath == tmp_path  # the config file one level up
    assert from_sub.cwd_relative_nodeid("sub/test_a.py::test_x") == "test_a.py::test_x"
    assert from_sub.cwd_relative_nodeid("other/test_b.py") == "../other/test_b.py"
    assert from_sub.cwd_relative_nodeid("") == ""
    from_root = _bootstrap(tmp_path, monkeypatch)
    assert from_root.cwd_relative_nodeid("sub/./test_a.py::test_x") == "sub/./test_a.py::test_x"


def test_verbosity(tmp_path, monkeypatch):
    assert _bootstrap(tmp_path, monkeypatch).get_verbosity() == 0
    assert _bootstrap(tmp_path, monkeypatch, "-vv").get_verbosity() == 2
    # no terminal plugin, no -v option: 0
    assert _bootstrap(tmp_path, monkeypatch, "-p", "no:terminal").get_verbosity() == 0


def _issue(config: Config, stacklevel: int) -> int:
    """Issue a config-time warning from here; return the line of the call."""
    config.issue_config_time_warning(UserWarning("from a helper"), stacklevel=stacklevel)
    return sys._getframe().f_lineno - 1


def test_a_config_time_warning_names_the_line_its_stacklevel_says_as_pytest(tmp_path, monkeypatch):
    # pytest passes stacklevel on to warnings.warn: 2 is the line calling issue_config_time_warning;
    # the warning reaches minitest_warning_recorded (when "config"), not stderr
    seen: list[tuple[str, str, int, str, str, int]] = []

    class Recorder:
        def minitest_warning_recorded(self, warning_message: Any, when: str, nodeid: str, location: Any) -> None:
            seen.append((str(warning_message.message), warning_message.filename, warning_message.lineno,
                         when, nodeid, location[1]))

    config = _bootstrap(tmp_path, monkeypatch, plugins=(Recorder(),))
    config.issue_config_time_warning(UserWarning("before configure"))
    early_line = sys._getframe().f_lineno - 1
    assert seen == []  # kept until every plugin is configured
    config.do_configure()
    try:
        with warnings.catch_warnings(record=True) as log:
            warnings.simplefilter("always")
            config.issue_config_time_warning(UserWarning("default"))
            default_line = sys._getframe().f_lineno - 1
            helper_line = _issue(config, stacklevel=2)
            _issue(config, stacklevel=3)
            caller_line = sys._getframe().f_lineno - 1
    finally:
        config.ensure_unconfigure()
    assert log == []  # recorded, not shown
    assert seen == [
        ("before configure", __file__, early_line, "config", "", early_line),
        ("default", __file__, default_line, "config", "", default_line),
        ("from a helper", __file__, helper_line, "config", "", helper_line),
        ("from a helper", __file__, caller_line, "config", "", caller_line)]
