"""Option and ini values, in process: ``getoption`` by dest or flag, with a default or a skip; ini
values converted per declared type; the warnings for config keys no plugin declared.

Written for the survivors of mutation testing of minitest/config.py (tests/MUTATION.md). The
Config comes from the real bootstrap, run in a temporary directory with a config file.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from minitest.config import Config, MinitestConfigWarning, bootstrap
from minitest.errors import UsageError
from minitest.outcomes import Skipped


class _Declares:
    """A plugin declaring one option and one ini key of each type."""

    def minitest_addoption(self, parser: Any, pluginmanager: Any) -> None:
        parser.addoption("--t-opt", dest="t_opt", default=None)
        parser.addini("t_bool", "a bool", type="bool", default=False)
        parser.addini("t_int", "an int", type="int", default=0)
        parser.addini("t_float", "a float", type="float", default=0.0)
        parser.addini("t_paths", "paths", type="paths", default=[])
        parser.addini("t_args", "args", type="args", default=[])
        parser.addini("t_lines", "lines", type="linelist", default=[])
        parser.addini("t_str", "a string", default="")


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ini: str, *args: str,
            name: str = "minitest.ini") -> Config:
    (tmp_path / name).write_text(ini)
    monkeypatch.chdir(tmp_path)
    return bootstrap(["-p", "no:cache", *args], plugins=[_Declares()])


@pytest.fixture
def config(tmp_path, monkeypatch):
    return _config(tmp_path, monkeypatch, "[minitest]\nt_int = 7\n", "--t-opt=given")


def test_getoption_by_dest_or_by_flag(config):
    assert config.getoption("t_opt") == "given"
    assert config.getoption("--t-opt") == "given"
    assert config.getoption("t_opt", skip=True) == "given"  # set: no skip


def _raised(call: Any) -> BaseException:
    """The exception ``call()`` raises, whatever its kind: a skip where an error is expected must
    fail the test, not skip it."""
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - compared by the caller
        return exc
    raise AssertionError("nothing raised")


def test_getoption_of_an_unknown_option(config):
    error = _raised(lambda: config.getoption("no_such_option"))
    assert (type(error), str(error)) == (ValueError, "no option named 'no_such_option'")
    assert config.getoption("no_such_option", "fallback") == "fallback"
    assert config.getoption("no_such_option", None) is None
    skip = _raised(lambda: config.getoption("no_such_option", skip=True))
    assert (type(skip), skip.msg) == (Skipped, "no 'no_such_option' option found")


def test_getoption_skips_on_an_unset_option_only_when_asked(tmp_path, monkeypatch):
    config = _config(tmp_path, monkeypatch, "[minitest]\n")
    assert config.getoption("t_opt") is None
    skip = _raised(lambda: config.getoption("t_opt", skip=True))
    assert (type(skip), skip.msg) == (Skipped, "no 't_opt' option found")
    skip = _raised(lambda: config.getvalueorskip("--t-opt"))
    assert (type(skip), skip.msg) == (Skipped, "no '--t-opt' option found")


@pytest.mark.parametrize("raw", ["1", "true", "Yes", "ON", "y", "t", " true "])
def test_ini_bool_true(config, raw):
    assert config.convert_ini_value("t_bool", raw) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "OFF", "n", "f", ""])
def test_ini_bool_false(config, raw):
    assert config.convert_ini_value("t_bool", raw) is False


def test_ini_bool_and_numbers_refuse_other_text(config):
    with pytest.raises(UsageError, match=r"^invalid truth value 'maybe' for ini value 't_bool'$"):
        config.convert_ini_value("t_bool", "maybe")
    with pytest.raises(UsageError, match=r"^invalid int value 'seven' for ini value 't_int'$"):
        config.convert_ini_value("t_int", "seven")
    with pytest.raises(UsageError, match=r"^invalid float value 'x' for ini value 't_float'$"):
        config.convert_ini_value("t_float", "x")


def test_ini_numbers_strings_and_lists(config, tmp_path):
    assert config.getini("t_int") == 7
    assert type(config.getini("t_int")) is int
    assert config.convert_ini_value("t_int", " 12 ") == 12
    assert config.convert_ini_value("t_float", "2.5") == 2.5
    assert type(config.convert_ini_value("t_float", "3")) is float
    assert config.convert_ini_value("t_str", "  padded  ") == "padded"
    assert config.convert_ini_value("t_str", ["two", "words"]) == "two words"  # a TOML list for a string
    assert config.convert_ini_value("t_bool", ["true"]) is True
    assert config.convert_ini_value("t_args", 'a "b c"') == ["a", "b c"]
    assert config.convert_ini_value("t_args", ["a", "b c"]) == ["a", "b c"]
    assert config.convert_ini_value("t_lines", "one\n\n  two  \n") == ["one", "two"]
    assert config.convert_ini_value("t_lines", ["one", "", "two"]) == ["one", "two"]


def test_ini_paths_are_relative_to_the_config_file_not_the_rootdir(tmp_path, monkeypatch):
    (tmp_path / "root").mkdir()
    config = _config(tmp_path, monkeypatch, "[minitest]\nt_paths = a b/c\n", "--rootdir", str(tmp_path / "root"))
    assert config.getini("t_paths") == [tmp_path / "a", tmp_path / "b/c"]
    assert config.convert_ini_value("t_paths", ["d"]) == [tmp_path / "d"]


def test_a_bad_ini_value_names_the_key_and_where_it_was_set(tmp_path, monkeypatch):
    config = _config(tmp_path, monkeypatch, "[minitest]\nt_bool = maybe\n")
    with pytest.raises(UsageError) as caught:
        config.getini("t_bool")
    first, where = str(caught.value).split("\n")
    assert first == "invalid truth value 'maybe' for ini value 't_bool'"
    assert where.startswith("`t_bool` from ")


def test_unknown_config_keys_warn_with_their_line(tmp_path, monkeypatch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _config(tmp_path, monkeypatch, "[minitest]\nt_int = 1\nno_such_key = 1\n")
    unknown = [w for w in caught if issubclass(w.category, MinitestConfigWarning)]
    assert [(str(w.message), w.lineno) for w in unknown] == [("Unknown config option: no_such_key", 3)]


def test_pytest_keys_minitest_lacks_warn_once_each_at_line_1(tmp_path, monkeypatch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _config(tmp_path, monkeypatch, "[pytest]\nconsole_output_style = classic\nrequired_plugins = x\n"
                                       "no_such_key = 1\n", name="pytest.ini")
    unknown = [(str(w.message), w.lineno) for w in caught if issubclass(w.category, MinitestConfigWarning)]
    assert unknown == [  # in the order of the key names
        ("pytest config option 'console_output_style' has no minitest equivalent and is ignored", 1),
        ("Unknown config option: no_such_key", 4),
        ("pytest config option 'required_plugins' has no minitest equivalent and is ignored", 1),
    ]


def test_pytest_keys_are_unknown_keys_in_a_minitest_config_file(tmp_path, monkeypatch):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _config(tmp_path, monkeypatch, "[minitest]\nconsole_output_style = classic\n")
    unknown = [(str(w.message), w.lineno) for w in caught if issubclass(w.category, MinitestConfigWarning)]
    assert unknown == [("Unknown config option: console_output_style", 2)]


def test_an_unknown_key_the_scan_cannot_place_warns_at_line_1(tmp_path, monkeypatch):
    """The line scan looks for ``key =`` under the tool's section headers: a key of an inline table
    under ``[tool]`` has no such line."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _config(tmp_path, monkeypatch, '[tool]\nminitest = { t_int = "1", no_such_key = "2" }\n',
                name="pyproject.toml")
    unknown = [(str(w.message), w.lineno) for w in caught if issubclass(w.category, MinitestConfigWarning)]
    assert unknown == [("Unknown config option: no_such_key", 1)]


def test_getini_of_an_undeclared_name(config):
    error = _raised(lambda: config.getini("never_declared"))
    assert (type(error), str(error)) == (ValueError, "unknown configuration value: 'never_declared'")
