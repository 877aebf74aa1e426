"""The bootstrap, in process: ``-p no:NAME`` in a config file's addopts, ``-o`` next to addopts,
``--confcutdir``, plugins named in ``MINITEST_PLUGINS`` and the ``plugins`` ini key, installed
plugins and turning them off, the conftest.py files on the way to the arguments (and the kernel's
loader running after every other ``load_initial_conftests``), ``--version`` without conftests, a
plugin failing in a bootstrap hook, a bad option value in addopts.

Written for the survivors of mutation testing of minitest/config.py (tests/MUTATION.md, the part
"The Config object, the parser's help, the bootstrap"). Modules a test imports get names of their
own: in one process, a name imported by one test stays imported for the next.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from minitest.config import Config, bootstrap
from minitest.errors import UsageError
from minitest.pluginmanager import PluginLoadError


@pytest.fixture(autouse=True)
def _sys_path_and_conftest_module_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The conftest.py files a bootstrap imports put their directory on sys.path and take the
    name ``conftest`` in sys.modules (this suite's own conftest has it): both are put back after
    each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    if "conftest" in sys.modules:
        monkeypatch.setitem(sys.modules, "conftest", sys.modules["conftest"])
    else:
        monkeypatch.setitem(sys.modules, "conftest", None)
        monkeypatch.delitem(sys.modules, "conftest")


def _bootstrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str, ini: str = "[minitest]\n") -> Config:
    (tmp_path / "minitest.ini").write_text(ini)
    monkeypatch.chdir(tmp_path)
    for variable in ("MINITEST_PLUGINS", "PYTEST_PLUGINS", "MINITEST_DISABLE_PLUGIN_AUTOLOAD",
                     "PYTEST_DISABLE_PLUGIN_AUTOLOAD", "MINITEST_ADDOPTS", "PYTEST_ADDOPTS"):
        monkeypatch.delenv(variable, raising=False)
    return bootstrap(["-p", "no:cache", *args])


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> None:
    """A module ``name`` importable from a directory put first on sys.path."""
    (tmp_path / "lib").mkdir(exist_ok=True)
    (tmp_path / "lib" / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))


def _conftests(config: Config, tmp_path: Path) -> list[str]:
    """The conftest.py files loaded, relative to tmp_path."""
    return sorted(path.relative_to(tmp_path).as_posix() + "/conftest.py"
                  for path, _module in config.pluginmanager.conftest_modules())


def test_blocking_a_builtin_in_the_config_files_addopts(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch, ini="[minitest]\naddopts = -p no:terminal\n")
    assert config.pluginmanager.is_blocked("terminal")
    assert config.pluginmanager.get_plugin("terminal") is None
    # blocking a name nothing registered is fine too
    config = _bootstrap(tmp_path, monkeypatch, ini="[minitest]\naddopts = -p no:not_a_plugin\n")
    assert config.pluginmanager.is_blocked("not_a_plugin")


def test_command_line_overrides_stay_when_the_config_file_has_addopts(tmp_path, monkeypatch):
    ini = "[minitest]\naddopts = -v\ntestpaths = from_file\n"
    config = _bootstrap(tmp_path, monkeypatch, "-o", "testpaths=from_o", ini=ini)
    assert config.getini("testpaths") == ["from_o"]
    assert config.ini_overrides == ["testpaths=from_o"]


def test_confcutdir_is_relative_to_the_invocation_directory(tmp_path, monkeypatch):
    (tmp_path / "conftest.py").write_text(
        "def minitest_addoption(parser):\n    parser.addoption('--root-opt', action='store_true')\n")
    (tmp_path / "sub").mkdir()
    assert _bootstrap(tmp_path, monkeypatch, "sub", "--root-opt").option.root_opt is True
    with pytest.raises(UsageError) as unknown:
        _bootstrap(tmp_path, monkeypatch, "--confcutdir=sub", "sub", "--root-opt")
    assert "unrecognized arguments: --root-opt" in str(unknown.value)


PLUGIN = "def minitest_addoption(parser):\n    parser.addoption('--{name}-opt', action='store_true')\n"


def test_plugins_named_in_the_environment_and_in_the_ini_file_are_loaded(tmp_path, monkeypatch):
    _module(tmp_path, monkeypatch, "mutcf_env_plugin", PLUGIN.format(name="env"))
    _module(tmp_path, monkeypatch, "mutcf_ini_plugin", PLUGIN.format(name="ini"))
    (tmp_path / "minitest.ini").write_text("[minitest]\nplugins = mutcf_ini_plugin\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINITEST_PLUGINS", "mutcf_env_plugin")
    config = bootstrap(["-p", "no:cache", "--env-opt", "--ini-opt"])
    assert (config.option.env_opt, config.option.ini_opt) == (True, True)
    pm = config.pluginmanager
    assert pm.get_plugin("mutcf_env_plugin") is not None and pm.get_plugin("mutcf_ini_plugin") is not None


def _installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed plugin (a dist-info with a ``minitest`` entry point) named ``mutcf_installed``."""
    site = tmp_path / "site"
    dist = site / "mutcf_installed-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: mutcf-installed\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[minitest]\nmutcf_installed = mutcf_installed_mod\n")
    (site / "mutcf_installed_mod.py").write_text(PLUGIN.format(name="installed"))
    monkeypatch.syspath_prepend(str(site))


def test_installed_plugins_load_unless_autoloading_is_turned_off(tmp_path, monkeypatch):
    _installed_plugin(tmp_path, monkeypatch)
    config = _bootstrap(tmp_path, monkeypatch)
    assert config.pluginmanager.get_plugin("mutcf_installed") is not None
    config = _bootstrap(tmp_path, monkeypatch, "--disable-plugin-autoload")
    assert config.pluginmanager.get_plugin("mutcf_installed") is None
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MINITEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert bootstrap(["-p", "no:cache"]).pluginmanager.get_plugin("mutcf_installed") is None


def test_the_conftests_on_the_way_to_a_node_ids_file_are_loaded_first(tmp_path, monkeypatch):
    # sub/conftest.py's option may be used on the command line next to a node id in sub/
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "conftest.py").write_text(PLUGIN.format(name="sub"))
    (tmp_path / "sub" / "test_a.py").write_text("def test_x():\n    pass\n")
    config = _bootstrap(tmp_path, monkeypatch, "sub/test_a.py::test_x", "--sub-opt")
    assert config.option.sub_opt is True
    assert _conftests(config, tmp_path) == ["sub/conftest.py"]
    # an argument that names no file: the conftests of the invocation directory
    (tmp_path / "conftest.py").write_text("")
    config = _bootstrap(tmp_path, monkeypatch, "no_such_dir")
    assert _conftests(config, tmp_path) == ["./conftest.py"]


def test_the_kernels_conftest_loader_runs_after_the_other_implementations(tmp_path, monkeypatch):
    # as pytest's own pytest_load_initial_conftests (trylast): a plugin's implementation runs
    # before the conftest.py files are imported
    (tmp_path / "conftest.py").write_text("")
    _module(tmp_path, monkeypatch, "mutcf_early", (
        "SEEN = []\n"
        "def minitest_load_initial_conftests(early_config, parser, args):\n"
        "    SEEN.append(len(early_config.pluginmanager.conftest_modules()))\n"))
    config = _bootstrap(tmp_path, monkeypatch, "-p", "mutcf_early")
    assert config.pluginmanager.get_plugin("mutcf_early").SEEN == [0]
    assert _conftests(config, tmp_path) == ["./conftest.py"]


def test_version_imports_no_conftest(tmp_path, monkeypatch):
    (tmp_path / "conftest.py").write_text("raise RuntimeError('imported')\n")
    config = _bootstrap(tmp_path, monkeypatch, "--version")
    assert (config.args, config.pluginmanager.conftest_modules()) == ([], [])
    # with --help too, the conftests are imported (their options are part of the help)
    with pytest.raises(Exception, match="imported"):
        _bootstrap(tmp_path, monkeypatch, "--version", "--help")


def test_without_the_helpconfig_plugin_a_run_still_has_its_arguments(tmp_path, monkeypatch):
    config = _bootstrap(tmp_path, monkeypatch, "-p", "no:helpconfig")
    assert config.args == [str(tmp_path)]


def test_a_plugin_failing_in_a_bootstrap_hook_is_named_with_the_way_out(tmp_path, monkeypatch):
    _module(tmp_path, monkeypatch, "mutcf_failing", (
        "def minitest_load_initial_conftests(early_config, parser, args):\n"
        "    raise AttributeError('no such internal')\n"))
    with pytest.raises(PluginLoadError) as failed:
        _bootstrap(tmp_path, monkeypatch, "-p", "mutcf_failing")
    assert str(failed.value) == ("plugin 'mutcf_failing' (-p) raised AttributeError in "
                                 "minitest_load_initial_conftests: no such internal\n"
                                 "(-p no:mutcf_failing runs without it)")


def test_an_error_outside_any_plugin_hook_is_raised_as_it_is(tmp_path, monkeypatch):
    # a conftest.py failing as it is imported: the conftest import error, not a plugin's
    (tmp_path / "conftest.py").write_text("1/0\n")
    with pytest.raises(Exception) as failed:
        _bootstrap(tmp_path, monkeypatch)
    assert not isinstance(failed.value, PluginLoadError)
    assert isinstance(failed.value.__cause__, ZeroDivisionError)


def test_a_bad_value_in_the_config_files_addopts_names_the_addopts(tmp_path, monkeypatch):
    with pytest.raises(UsageError) as bad:
        _bootstrap(tmp_path, monkeypatch, ini="[minitest]\naddopts = --import-mode=bogus\n")
    assert str(bad.value) == ("`--import-mode` from addopts in minitest.ini: invalid choice: 'bogus' "
                              "(choose from 'prepend', 'append', 'importlib')")
