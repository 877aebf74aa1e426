"""Issue 16 — installed pytest plugins (entry-point group ``pytest11``) are loaded as they are: a
plugin written only for pytest, installed into a temporary venv from a wheel written here, takes
part in the run with its hooks, options and the hooks it declares for other plugins.

The plugin below uses what real pytest plugins use: ``pytest_addhooks`` declaring a spec with
``pytest.hookspec`` and an undecorated one (pytest-benchmark's style), implementations of its own
hooks before they are declared, ``specname`` (pytest-asyncio's style), ``config.hook`` and
``item.ihook`` called with pytest's hook names (pytest-rerunfailures' style), an option, and
``pytest_load_initial_conftests`` reading that option (pytest-cov's style).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import clean_env, make_files, run_process
from venvs import Venv, build_wheel, make_venv

pytestmark = pytest.mark.venv

PLUGIN = '''
import pytest

SEEN = []


class Specs:
    @pytest.hookspec(firstresult=True)
    def pytest_shout_word(self, config):
        """The word to shout (firstresult)."""


def pytest_addhooks(pluginmanager):
    from pytest_shout_hooks import spec_module

    pluginmanager.add_hookspecs(Specs)
    pluginmanager.add_hookspecs(spec_module())


def pytest_addoption(parser):
    parser.addoption("--shout", action="store_true", default=False, help="shout the word")


def pytest_load_initial_conftests(early_config, parser, args):
    # pytest-cov starts coverage here: its options must be known by now
    SEEN.append(f"initial shout={early_config.known_args_namespace.shout}")


def pytest_shout_word(config):
    return "hello"


@pytest.hookimpl(specname="pytest_runtest_logreport")
def record_each_report(report):
    if report.when == "call":
        SEEN.append(f"report {report.nodeid} {report.outcome}")


def pytest_runtest_setup(item):
    # pytest's name of a minitest hook, through item.ihook; a declared hook, through config.hook
    assert item.ihook.pytest_runtest_logstart is item.ihook.minitest_runtest_logstart
    word = item.config.hook.pytest_shout_word(config=item.config)
    item.config.hook.pytest_shout_heard(word=word)


def pytest_terminal_summary(terminalreporter, config):
    if config.getoption("--shout"):
        terminalreporter.write_line("SHOUT: " + " | ".join(SEEN))
'''

SPEC_MODULE = '''
import sys


def pytest_shout_heard(word):
    """Undecorated: a spec all the same, as pytest reads a spec module."""


def spec_module():
    return sys.modules[__name__]
'''

LISTENER = '''
HEARD = []


def pytest_shout_heard(word):
    HEARD.append(word)


def pytest_unconfigure(config):
    if config.getoption("--shout"):
        print(f"listener heard {len(HEARD)} words")
'''

DIST, VERSION = "pytest-shout", "0.3.1"
SUITE = {"test_a.py": "def test_one():\n    pass\n\ndef test_two():\n    assert 0\n"}


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Venv:
    env = make_venv(tmp_path_factory.mktemp("venv") / "env")
    # the listener implements the plugin's hook and is registered first (entry points in name order)
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"), DIST, VERSION,
                        {"pytest_shout.py": PLUGIN, "pytest_shout_hooks.py": SPEC_MODULE, "a_listener.py": LISTENER},
                        "[pytest11]\nshout = pytest_shout\na_listener = a_listener\n")
    env.install_wheel(wheel)
    return env


def _run(venv: Venv, tmp_path: Path, *args: str, env: dict | None = None):
    make_files(tmp_path, SUITE)
    return run_process([str(venv.python), "-m", "minitest", "-p", "no:cache", *args], tmp_path, clean_env(env))


def test_pytest_plugin_hooks_options_and_declared_hooks(venv, tmp_path):
    result = _run(venv, tmp_path, "--shout")
    assert result.ret == 1, result.dump()
    assert result.outcomes() == {"failed": 1, "passed": 1}
    # the header names it as pytest does (without the "pytest-" of the distribution)
    result.fnmatch_lines([f"plugins: *shout-{VERSION}*"])
    result.fnmatch_lines(["SHOUT: initial shout=True | report test_a.py::test_one passed | "
                          "report test_a.py::test_two failed"])
    assert "listener heard 2 words" in result.stdout, result.dump()


def test_pytest_plugins_listed_blocked_and_loaded_by_name(venv, tmp_path):
    listing = _run(venv, tmp_path, "--plugins")
    assert listing.ret == 0, listing.dump()
    listing.fnmatch_lines(["  shout", f"      from: pytest plugin, entry point pytest_shout (distribution {DIST} {VERSION})"])
    # -p no:NAME keeps it out (its option is then unknown: a usage error, as under pytest)
    blocked = _run(venv, tmp_path, "-p", "no:shout", "-p", "no:a_listener")
    assert blocked.ret == 1, blocked.dump()
    assert f"shout-{VERSION}" not in blocked.stdout
    unknown = _run(venv, tmp_path, "-p", "no:shout", "--shout")
    assert unknown.ret == 4, unknown.dump()
    # with autoload off (pytest's variable), -p loads one by its entry-point name
    quiet = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    assert _run(venv, tmp_path, "--shout", env=quiet).ret == 4
    by_name = _run(venv, tmp_path, "-p", "shout", "--shout", env=quiet)
    assert by_name.ret == 1, by_name.dump()
    by_name.fnmatch_lines(["SHOUT: initial shout=True | *"])
    assert "listener heard" not in by_name.stdout  # not loaded: autoload is off


REPLACED = '''
def pytest_configure(config):
    raise RuntimeError("the xdist stand-in must not be loaded")
'''


def _venv_with_plugin(tmp_path_factory, dist: str, version: str, module: str, source: str, name: str) -> Venv:
    """A venv with one pytest plugin ``dist`` (module ``module``, entry point ``name``) installed."""
    env = make_venv(tmp_path_factory.mktemp("venv") / "env")
    env.install_wheel(build_wheel(tmp_path_factory.mktemp("wheel"), dist, version, {f"{module}.py": source},
                                  f"[pytest11]\n{name} = {module}\n"))
    return env


def test_pytest_plugin_whose_job_a_builtin_does_is_not_loaded(tmp_path_factory, tmp_path):
    env = _venv_with_plugin(tmp_path_factory, "pytest-xdist", "3.8.0", "fake_xdist", REPLACED, "xdist")
    make_files(tmp_path, SUITE)
    result = run_process([str(env.python), "-m", "minitest", "-p", "no:cache"], tmp_path, clean_env())
    assert result.ret == 1, result.dump()  # the stand-in would have raised had it been loaded
    assert result.outcomes() == {"failed": 1, "passed": 1}
    listing = run_process([str(env.python), "-m", "minitest", "--plugins"], tmp_path, clean_env())
    listing.fnmatch_lines(["pytest plugins not loaded (a builtin does their job):",
                           "  xdist (pytest-xdist 3.8.0): the builtin 'parallel' runs instead"])


BROKEN = '''
import pytest
from _pytest.nowhere import something
'''


def test_pytest_plugin_that_fails_to_import_names_itself_and_the_way_out(tmp_path_factory, tmp_path):
    env = _venv_with_plugin(tmp_path_factory, "pytest-broken", "1.0", "pytest_broken", BROKEN, "broken")
    make_files(tmp_path, SUITE)
    result = run_process([str(env.python), "-m", "minitest", "-p", "no:cache"], tmp_path, clean_env())
    assert result.ret == 4, result.dump()
    assert "Error loading installed plugin 'broken' (pytest_broken, from pytest-broken 1.0)" in result.output
    assert "-p no:broken" in result.output
    assert "Traceback" not in result.output
    fine = run_process([str(env.python), "-m", "minitest", "-p", "no:cache", "-p", "no:broken"], tmp_path,
                       clean_env())
    assert fine.ret == 1, fine.dump()


REACHING = '''
def pytest_runtest_protocol(item, nextitem):
    if item.name == "test_two":
        raise ValueError("a bug of the plugin's own")
    item._initrequest()  # pytest's runner internals (pytest-rerunfailures does this)
'''


def test_pytest_plugin_reaching_for_a_pytest_internal_is_named_with_the_way_out(tmp_path_factory, tmp_path):
    env = _venv_with_plugin(tmp_path_factory, "pytest-reach", "2.0", "pytest_reach", REACHING, "reach")
    make_files(tmp_path, SUITE)
    result = run_process([str(env.python), "-m", "minitest", "-p", "no:cache", "-k", "test_one"], tmp_path,
                         clean_env())
    assert result.ret == 4, result.dump()
    assert result.errlines == [
        "ERROR: the pytest plugin 'reach' (pytest-reach 2.0) reached for something minitest does not provide, "
        "in minitest_runtest_protocol: AttributeError: 'Function' object has no attribute '_initrequest'",
        "(-p no:reach runs without it; docs/migrating-from-pytest.md lists what such plugins need)",
    ], result.dump()
    assert "Traceback" not in result.output
    # any other exception of a plugin stays what it is: an internal error naming the plugin
    bug = run_process([str(env.python), "-m", "minitest", "-p", "no:cache", "-k", "test_two"], tmp_path, clean_env())
    assert bug.ret == 3, bug.dump()
    assert "INTERNALERROR> plugin 'reach' (pytest-entrypoint pytest_reach, distribution pytest-reach 2.0) raised " \
           "ValueError in minitest_runtest_protocol: a bug of the plugin's own" in bug.output, bug.dump()
    fine = run_process([str(env.python), "-m", "minitest", "-p", "no:cache", "-p", "no:reach"], tmp_path, clean_env())
    assert fine.ret == 1, fine.dump()


TWO_MODULES = {
    # pytest-html's layout: the first entry point's module imports the second's
    "pytest_twin/__init__.py": "",
    "pytest_twin/plugin.py": '''
from pytest_twin import fixtures  # noqa: F401 - imported before its own entry point loads


def pytest_report_header(config):
    names = [f"{dist.project_name}-{dist.version}" for _, dist in config.pluginmanager.list_plugin_distinfo()]
    return "distinfo: " + ", ".join(names)
''',
    "pytest_twin/fixtures.py": '''
import pytest


@pytest.fixture
def twin_check():
    def check(value):
        assert value == 2  # rewritten: the failure shows the value
    return check
''',
}


def test_pytest_plugin_modules_are_rewritten_and_listed_by_pluggy(tmp_path_factory, tmp_path):
    """pytest-html / pytest-metadata: every entry-point module is marked for assertion rewriting
    before the first is imported (no "cannot be rewritten" warning, the fixture's assert is
    explained), and pluggy's ``list_plugin_distinfo()`` lists the installed plugins."""
    env = make_venv(tmp_path_factory.mktemp("venv") / "env")
    env.install_wheel(build_wheel(tmp_path_factory.mktemp("wheel"), "pytest-twin", "1.2", TWO_MODULES,
                                  "[pytest11]\ntwin = pytest_twin.plugin\ntwin_fixtures = pytest_twin.fixtures\n"))
    make_files(tmp_path, {"test_twin.py": "def test_twin(twin_check):\n    twin_check(3)\n"})
    result = run_process([str(env.python), "-m", "minitest", "-p", "no:cache"], tmp_path, clean_env())
    assert result.ret == 1, result.dump()
    assert "cannot be rewritten" not in result.output, result.dump()
    # (the system site-packages the venv sees may add plugins after these)
    result.fnmatch_lines(["distinfo: pytest-twin-1.2, pytest-twin-1.2*", "plugins: twin-1.2*",
                          "E       assert 3 == 2"])


PYTEST_INTERNALS = '''
def pytest_configure(config):
    # pytest-sugar and pytest-instafail build pytest's own terminal reporter from the config
    from _pytest.terminal import TerminalReporter

    TerminalReporter(config)
'''


def test_pytest_plugin_failing_inside_pytests_own_code_is_named_with_the_way_out(tmp_path_factory, tmp_path):
    env = _venv_with_plugin(tmp_path_factory, "pytest-sweet", "1.1", "pytest_sweet", PYTEST_INTERNALS, "sweet")
    if run_process([str(env.python), "-c", "import _pytest.terminal"], tmp_path, clean_env()).ret != 0:
        pytest.skip("pytest is not importable in the test venv")
    make_files(tmp_path, SUITE)
    result = run_process([str(env.python), "-m", "minitest", "-p", "no:cache"], tmp_path, clean_env())
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([
        "ERROR: the pytest plugin 'sweet' (pytest-sweet 1.1) reached for something minitest does not provide, "
        "in minitest_configure: * (raised in pytest's _pytest.*)",
        "(-p no:sweet runs without it; docs/migrating-from-pytest.md lists what such plugins need)",
    ], stream="stderr")
    assert "Traceback" not in result.output
