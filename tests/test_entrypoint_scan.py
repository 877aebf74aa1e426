"""Issue 10 — installed plugins are found without importlib.metadata's full scan: the
``entry_points.txt`` of metadata directories on ``sys.path`` are read directly, and a zip file on
``sys.path`` (which only importlib.metadata reads) still works. No venv needed: the "installed"
distribution is a ``*.dist-info`` directory in a folder put on ``PYTHONPATH``."""

from __future__ import annotations

import zipfile
from pathlib import Path

PLUGIN = """
    def minitest_report_header(config):
        return "scanplug: active"
"""

TEST = """
    def test_one():
        pass
"""


def _site(root: Path, files, entry_points: str = "[minitest]\nscanplug = scanplug_mod\n") -> Path:
    return files({
        "site/scanplug_mod.py": PLUGIN,
        "site/ScanPlug-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: ScanPlug\nVersion: 0.1\n",
        "site/ScanPlug-0.1.dist-info/entry_points.txt": entry_points,
        "site/other-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: other\nVersion: 1.0\n",
        "site/other-1.0.dist-info/entry_points.txt": "[console_scripts]\nother = other:main\n",
        "tests/test_x.py": TEST,
    }) / "site"


def test_plugin_in_a_dist_info_directory_is_loaded(files, run, tmp_path):
    site = _site(tmp_path, files)
    result = run("tests", pythonpath=[site])
    result.fnmatch_lines(["scanplug: active", "*1 passed*"])
    listing = run("--plugins", pythonpath=[site])
    listing.fnmatch_lines(["*scanplug*ScanPlug 0.1*"])


def test_comments_and_other_groups_do_not_count(files, run, tmp_path):
    site = _site(tmp_path, files, entry_points="# [minitest]\n[minitest.extra]\nscanplug = scanplug_mod\n")
    result = run("tests", pythonpath=[site])
    result.no_fnmatch_line("scanplug: active")
    result.assert_outcomes(passed=1)


def test_autoload_disabled_and_blocked(files, run, tmp_path):
    site = _site(tmp_path, files)
    for args, env in ((("tests",), {"MINITEST_DISABLE_PLUGIN_AUTOLOAD": "1"}),
                      (("tests", "--disable-plugin-autoload"), None),
                      (("tests", "-p", "no:scanplug"), None)):
        result = run(*args, env=env, pythonpath=[site])
        result.no_fnmatch_line("scanplug: active")
        result.assert_outcomes(passed=1)


def test_plugin_in_a_zip_on_sys_path_is_loaded(files, run, tmp_path):
    site = _site(tmp_path, files)
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in site.rglob("*"):
            if path.is_file():
                zf.write(path, path.relative_to(site).as_posix())
    result = run("tests", pythonpath=[archive])
    result.fnmatch_lines(["scanplug: active", "*1 passed*"])


def test_pytest_plugins_replaced_by_builtins_cost_nothing(files, run, tmp_path):
    """An environment whose only pytest plugin is one a builtin replaces (pytest-xdist) loads no
    plugin and does not import importlib.metadata for it; a pytest11 plugin beside it loads."""
    site = files({
        "site/fake_xdist.py": "raise RuntimeError('must not be imported')\n",
        "site/pytest_xdist-3.8.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pytest-xdist\nVersion: 3.8.0\n",
        "site/pytest_xdist-3.8.0.dist-info/entry_points.txt": "[pytest11]\nxdist = fake_xdist\n",
        "tests/conftest.py": (
            "import sys\n\n"
            "def minitest_report_header(config):\n"
            "    return f\"metadata imported: {'importlib.metadata' in sys.modules}\"\n"),
        "tests/test_x.py": TEST,
    }) / "site"
    result = run("tests", pythonpath=[site])
    result.fnmatch_lines(["metadata imported: False", "*1 passed*"])
    files({
        "site/pytest_hello.py": "def pytest_report_header(config):\n    return 'pytest11 plugin: active'\n",
        "site/pytest_hello-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pytest-hello\nVersion: 1.0\n",
        "site/pytest_hello-1.0.dist-info/entry_points.txt": "[pytest11]\nhello = pytest_hello\n",
    })
    result = run("tests", pythonpath=[site])
    result.fnmatch_lines(["pytest11 plugin: active", "plugins: hello-1.0", "*1 passed*"])
