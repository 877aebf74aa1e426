"""Temporary virtualenvs with plugin packages installed, for the tests of installed plugins.

A venv is made with ``--system-site-packages`` (pluggy, colorama, pytest and the rest come from the
running interpreter) and minitest installed from this checkout. Plugin packages are installed
either from a wheel a test writes itself (:func:`build_wheel`, ``pip --no-index``: nothing is
downloaded) or, for the probes of real pytest plugins, from the package index.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT


class Venv:
    """A virtualenv: its interpreter, its ``minitest`` script, pip."""

    def __init__(self, root: Path) -> None:
        self.root = root
        bindir = "Scripts" if sys.platform == "win32" else "bin"
        self.python = root / bindir / ("python.exe" if sys.platform == "win32" else "python")
        self.minitest_script = root / bindir / ("minitest.exe" if sys.platform == "win32" else "minitest")
        self.minitest_installed = False

    def pip(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.python), "-m", "pip", "--disable-pip-version-check", "--no-input",
                               *args], capture_output=True, text=True, timeout=600)

    def install_wheel(self, wheel: Path) -> None:
        installed = self.pip("install", "--no-deps", "--no-index", "-q", str(wheel))
        if installed.returncode != 0:
            pytest.fail(f"installing {wheel.name} failed:\n{installed.stdout}\n{installed.stderr}")


def make_venv(root: Path, *, with_minitest: bool = True) -> Venv:
    """A venv at ``root``, with minitest installed from this checkout unless ``with_minitest`` is
    false (skips the test when no venv with a working pip can be made here)."""
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(root)],
                          capture_output=True, text=True, timeout=300)
    if made.returncode != 0:
        pytest.skip(f"cannot create a venv: {made.stderr.strip()[-500:]}")
    env = Venv(root)
    check_pip = env.pip("--version")
    if check_pip.returncode != 0:
        pytest.skip(f"pip is not usable in the venv: {check_pip.stderr.strip()[-500:]}")
    if not with_minitest:
        return env
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
    return env


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(dest: Path, dist: str, version: str, modules: dict[str, str], entry_points: str) -> Path:
    """A minimal, valid wheel of distribution ``dist`` holding ``modules`` (file name → source) and
    the given ``entry_points.txt`` text (``[group]\\nname = module\\n``)."""
    distinfo = f"{dist.replace('-', '_')}-{version}.dist-info"
    files = {name: source.encode() for name, source in modules.items()}
    files.update({
        f"{distinfo}/METADATA": (f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
                                 "Summary: a test plugin\n").encode(),
        f"{distinfo}/WHEEL": b"Wheel-Version: 1.0\nGenerator: minitest-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{distinfo}/entry_points.txt": entry_points.encode(),
        f"{distinfo}/top_level.txt": "".join(f"{Path(name).with_suffix('').as_posix().split('/')[0]}\n"
                                             for name in modules).encode(),
    })
    record = [_record_line(name, data) for name, data in files.items()] + [f"{distinfo}/RECORD,,"]
    files[f"{distinfo}/RECORD"] = ("\n".join(record) + "\n").encode()
    wheel = dest / f"{dist.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return wheel
