"""Issue 3 — installed plugins: a plugin package installed into a temporary venv through the
``minitest`` entry-point group is loaded, listed in the header, blockable with ``-p no:NAME``, and
not loaded when autoload is disabled.

One venv for the whole test session (``--system-site-packages``, so pluggy, colorama and the rest
come from the running interpreter). The plugin is installed from a wheel that the fixture writes
itself, with ``pip --no-index``: nothing is downloaded. Marked ``venv`` so it can be deselected with
``-m "not venv"``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_files, run_process
from venvs import Venv, build_wheel, make_venv

pytestmark = pytest.mark.venv

PLUGIN_DIST = "helloplug"
PLUGIN_VERSION = "1.2.3"

PLUGIN_SOURCE = '''
from pathlib import Path


def minitest_report_header(config):
    return "helloplug: active"


def minitest_configure(config):
    with (config.rootpath / "helloplug.log").open("a") as f:
        f.write("configured\\n")


def minitest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: item.name, reverse=True)
'''


@pytest.fixture(scope="session")
def venv(tmp_path_factory) -> Venv:
    env = make_venv(tmp_path_factory.mktemp("venv") / "env")
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"), PLUGIN_DIST, PLUGIN_VERSION,
                        {"minitest_helloplug.py": PLUGIN_SOURCE}, "[minitest]\nhelloplug = minitest_helloplug\n")
    env.install_wheel(wheel)
    return env


SUITE = {
    "test_a.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n\ndef test_c():\n    pass\n",
}


def run_venv(venv: Venv, tmp_path: Path, *args: str, env: dict | None = None):
    from conftest import clean_env

    cmd = [str(venv.python), "-m", "minitest", "-v", *args]
    return run_process(cmd, tmp_path, clean_env(env))


def test_installed_plugin_is_loaded_and_listed(venv, tmp_path):
    make_files(tmp_path, SUITE)
    result = run_venv(venv, tmp_path)
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "=* test session starts *=",
        f"plugins: *{PLUGIN_DIST}-{PLUGIN_VERSION}*",
        "*collected 3 items",
    ])
    result.fnmatch_lines(["helloplug: active"])
    # its collection_modifyitems hook ran: reverse order by name
    result.fnmatch_lines(["test_a.py::test_c PASSED*", "test_a.py::test_b PASSED*", "test_a.py::test_a PASSED*"])
    assert (tmp_path / "helloplug.log").read_text() == "configured\n"


def test_installed_plugin_blocked_with_p_no(venv, tmp_path):
    make_files(tmp_path, SUITE)
    result = run_venv(venv, tmp_path, "-p", f"no:{PLUGIN_DIST}")
    assert result.ret == 0, result.dump()
    assert "helloplug: active" not in result.stdout
    assert f"{PLUGIN_DIST}-{PLUGIN_VERSION}" not in result.stdout
    result.fnmatch_lines(["test_a.py::test_a PASSED*", "test_a.py::test_b PASSED*", "test_a.py::test_c PASSED*"])
    assert not (tmp_path / "helloplug.log").exists()


@pytest.mark.parametrize("how", ["env", "option"])
def test_autoload_disabled(venv, tmp_path, how):
    make_files(tmp_path, SUITE)
    if how == "env":
        result = run_venv(venv, tmp_path, env={"MINITEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    else:
        result = run_venv(venv, tmp_path, "--disable-plugin-autoload")
    assert result.ret == 0, result.dump()
    assert "helloplug: active" not in result.stdout
    assert f"{PLUGIN_DIST}-{PLUGIN_VERSION}" not in result.stdout
    assert not (tmp_path / "helloplug.log").exists()


def test_console_script_of_the_venv(venv, tmp_path):
    if not venv.minitest_installed:
        pytest.skip("minitest could not be pip-installed into the venv (no build backend offline)")
    make_files(tmp_path, SUITE)
    from conftest import clean_env

    version = run_process([str(venv.minitest_script), "--version"], tmp_path, clean_env())
    assert version.ret == 0, version.dump()
    assert version.stdout.startswith("minitest ")
    result = run_process([str(venv.minitest_script), "-q"], tmp_path, clean_env())
    assert result.ret == 0, result.dump()
    result.re_match_lines([r"^3 passed in \d+\.\d\ds$"])

