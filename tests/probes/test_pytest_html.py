"""pytest-html (with pytest-metadata): ``--html`` with ``--self-contained-html`` writes the same
report under both runners (each test's outcome, the environment table with the installed
plugins), the "Generated html report" line, ``--metadata`` in the header with ``-v``."""

from __future__ import annotations

import html
import json
import re

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

from minitest.pytest_names import PYTEST_PLUGINS_REPLACED

pytestmark = pytest.mark.venv

TESTS = {"test_report.py": '''
import pytest


def test_ok():
    pass


def test_fail():
    assert [1, 2] == [1, 3]


@pytest.mark.skip(reason="nope")
def test_skip():
    pass


@pytest.mark.xfail
def test_xfail():
    assert 0


@pytest.fixture
def broken():
    raise RuntimeError("setup boom")


def test_error(broken):
    pass


def test_output(extras):
    print("hello out")
    assert 1 == 2
'''}


def _report(path) -> dict:
    """The data of the report (outcomes, environment) without times."""
    data = json.loads(html.unescape(re.search(r'data-jsonblob="([^"]*)"', path.read_text()).group(1)))
    tests = {nodeid: [run["result"] for run in runs] for nodeid, runs in data["tests"].items()}
    return {"tests": tests, "environment": data["environment"]}


def test_html(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine = folder.run("minitest", "--html=mine.html", "--self-contained-html", "--metadata", "Probe", "yes")
    ref = folder.run("pytest", "--html=ref.html", "--self-contained-html", "--metadata", "Probe", "yes")
    assert (mine.ret, counts(mine)) == (ref.ret, counts(ref)) == (1, {"passed": 1, "failed": 2, "skipped": 1,
                                                                      "xfailed": 1, "errors": 1}), mine.dump()
    assert "Traceback" not in mine.stderr and "Warning" not in mine.stderr, mine.dump()
    for result, name in ((mine, "mine.html"), (ref, "ref.html")):
        result.fnmatch_lines(["metadata: {*'Probe': 'yes'*}", f"*Generated html report: file://*/{name} -*"])
    report, reference = _report(folder.root / "mine.html"), _report(folder.root / "ref.html")
    # the installed plugins, but those a builtin replaces (pytest-xdist, pytest-rerunfailures,
    # pytest-repeat: installed for pytest's side, minitest does not load them)
    plugins, pytest_plugins = report["environment"].pop("Plugins"), reference["environment"].pop("Plugins")
    assert plugins == {name: version for name, version in pytest_plugins.items()
                       if name not in PYTEST_PLUGINS_REPLACED}
    assert {"html", "metadata"} <= set(plugins)
    assert report == reference
    assert report["tests"]["test_report.py::test_error"] == ["Error"]
