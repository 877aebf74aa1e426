"""Issue 3 — installed plugins: a plugin package installed into a temporary venv through the
``minitest`` entry-point group is loaded, listed in the header, blockable with ``-p no:NAME``, and
not loaded when autoload is disabled.

One venv for the whole test session (``--system-site-packages``, so pluggy, colorama and the rest
come from the running interpreter). The plugin is installed from a wheel that the fixture writes
itself, with ``pip --no-index``: nothing is downloaded. Marked ``venv`` so it can be deselected with
``-m "not venv"``.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT, make_files, run_process

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


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_plugin_wheel(dest: Path) -> Path:
    """A minimal, valid wheel of the distribution helloplug (module minitest_helloplug) with the
    entry point ``helloplug = minitest_helloplug`` in group ``minitest``."""
    distinfo = f"{PLUGIN_DIST}-{PLUGIN_VERSION}.dist-info"
    files = {
        "minitest_helloplug.py": PLUGIN_SOURCE.encode(),
        f"{distinfo}/METADATA": (f"Metadata-Version: 2.1\nName: {PLUGIN_DIST}\nVersion: {PLUGIN_VERSION}\n"
                                 "Summary: a test plugin for minitest\n").encode(),
        f"{distinfo}/WHEEL": b"Wheel-Version: 1.0\nGenerator: minitest-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{distinfo}/entry_points.txt": b"[minitest]\nhelloplug = minitest_helloplug\n",
        f"{distinfo}/top_level.txt": b"minitest_helloplug\n",
    }
    record = [_record_line(name, data) for name, data in files.items()] + [f"{distinfo}/RECORD,,"]
    files[f"{distinfo}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = dest / f"{PLUGIN_DIST}-{PLUGIN_VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return wheel


class Venv:
    def __init__(self, root: Path) -> None:
        self.root = root
        bindir = "Scripts" if sys.platform == "win32" else "bin"
        self.python = root / bindir / ("python.exe" if sys.platform == "win32" else "python")
        self.minitest_script = root / bindir / ("minitest.exe" if sys.platform == "win32" else "minitest")
        self.minitest_installed = False

    def pip(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), "-m", "pip", "--disable-pip-version-check", "--no-input",
                               *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def venv(tmp_path_factory) -> Venv:
    root = tmp_path_factory.mktemp("venv") / "env"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(root)],
                          capture_output=True, text=True, timeout=300)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv: {made.stderr.strip()[-500:]}")
    env = Venv(root)
    check_pip = env.pip("--version")
    if check_pip.returncode != 0:
        pytest.skip(f"pip is not usable in the venv: {check_pip.stderr.strip()[-500:]}")
    # minitest itself, editable, from this checkout (offline first; build isolation needs an index)
    for extra in (["--no-build-isolation", "--no-index"], []):
        installed = env.pip("install", "--no-deps", "-q", *extra, "-e", str(REPO_ROOT))
        if installed.returncode == 0:
            env.minitest_installed = True
            break
    if not env.minitest_installed:
        # without a build backend at hand, make the checkout importable as an editable install would
        site = subprocess.run([str(env.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
        (Path(site) / "minitest_checkout.pth").write_text(str(REPO_ROOT) + "\n")
    wheel = build_plugin_wheel(tmp_path_factory.mktemp("wheel"))
    plug = env.pip("install", "--no-deps", "--no-index", "-q", str(wheel))
    if plug.returncode != 0:
        pytest.fail(f"installing the plugin wheel failed:\n{plug.stdout}\n{plug.stderr}")
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

