"""--affected: only the tests whose recorded dependencies changed run (and failures, and new tests)."""

from __future__ import annotations

import json

import pytest
from conftest import verbose_nodeids

pytest.importorskip("coverage")

# src/app: a <- b <- e (b imports a, e imports b); c alone; d holds a constant read at import only;
# data.txt is opened by test_data
SUITE = {
    "minitest.ini": "[minitest]\npythonpath = src\naffected_env = APP_MODE\n",
    "src/app/__init__.py": "",
    "src/app/a.py": "def base():\n    return 1\n",
    "src/app/b.py": "from app import a\n\n\ndef two():\n    return 2\n",
    "src/app/e.py": "from app.b import two\n\n\ndef three():\n    return 3\n",
    "src/app/c.py": "def c():\n    return 3\n",
    "src/app/d.py": "VALUE = 4\n",
    "tests/unit/test_a.py": "from app.a import base\n\n\ndef test_a():\n    assert base() == 1\n",
    "tests/unit/test_b.py": "from app.b import two\n\n\ndef test_b():\n    assert two() == 2\n",
    "tests/unit/test_e.py": "from app.e import three\n\n\ndef test_e():\n    assert three() == 3\n",
    "tests/other/test_c.py": "from app.c import c\n\n\ndef test_c():\n    assert c() == 3\n",
    "tests/other/test_d.py": "from app.d import VALUE\n\n\ndef test_d():\n    assert VALUE == 4\n",
    "tests/other/test_data.py": """
        from pathlib import Path


        def test_data():
            assert Path(__file__).with_name("data.txt").read_text() == "x"
    """,
    "tests/other/data.txt": "x",
}

ALL = {"tests/unit/test_a.py::test_a", "tests/unit/test_b.py::test_b", "tests/unit/test_e.py::test_e",
       "tests/other/test_c.py::test_c", "tests/other/test_d.py::test_d", "tests/other/test_data.py::test_data"}


def _selected(result):
    return {nodeid for nodeid, _ in verbose_nodeids(result)}


@pytest.fixture
def suite(files, run):
    root = files(SUITE)
    first = run("--affected", "-v")
    first.fnmatch_lines(["affected: no previous --affected data: running every test*"])
    assert _selected(first) == ALL, first.dump()
    again = run("--affected", "-v")
    again.fnmatch_lines(["affected: 0 tests selected, 6 skipped as unaffected"])
    assert _selected(again) == set()
    return root


def _edit(path, extra="\n# edited\n"):
    path.write_text(path.read_text() + extra)


@pytest.mark.parametrize("module, expected", [
    ("a.py", {"tests/unit/test_a.py::test_a", "tests/unit/test_b.py::test_b", "tests/unit/test_e.py::test_e"}),
    ("b.py", {"tests/unit/test_b.py::test_b", "tests/unit/test_e.py::test_e"}),
    ("c.py", {"tests/other/test_c.py::test_c"}),
    ("d.py", {"tests/other/test_d.py::test_d"}),  # a constant read at import only
])
def test_editing_a_module_selects_exactly_the_tests_importing_it(suite, run, module, expected):
    _edit(suite / "src/app" / module)
    result = run("--affected", "-v", "--why")
    assert _selected(result) == expected, result.dump()
    result.fnmatch_lines([f"affected: {len(expected)} test* selected, {6 - len(expected)} skipped as unaffected"])
    for nodeid in expected:
        result.fnmatch_lines([f"  {nodeid}: src/app/{module} changed"])
    # recorded again: nothing left to run
    assert _selected(run("--affected", "-v")) == set()


def test_an_opened_data_file_is_a_dependency(suite, run):
    (suite / "tests/other/data.txt").write_text("x")  # same content: not a change
    assert _selected(run("--affected", "-v")) == set()
    (suite / "tests/other/data.txt").write_text("y")
    result = run("--affected", "-v")
    assert _selected(result) == {"tests/other/test_data.py::test_data"}


def test_editing_a_conftest_selects_everything_below_it(suite, run):
    (suite / "tests/unit/conftest.py").write_text("X = 1\n")
    result = run("--affected", "-v", "--why")
    assert _selected(result) == {n for n in ALL if n.startswith("tests/unit/")}
    result.fnmatch_lines(["  tests/unit/test_a.py::test_a: new tests/unit/conftest.py"])
    _edit(suite / "tests/unit/conftest.py")
    assert _selected(run("--affected", "-v")) == {n for n in ALL if n.startswith("tests/unit/")}


def test_editing_the_config_or_a_listed_variable_selects_everything(suite, run):
    _edit(suite / "minitest.ini", "\n")
    result = run("--affected", "-v", "--why")
    assert _selected(result) == ALL
    result.fnmatch_lines(["*: configuration changed (config file)"])
    assert _selected(run("--affected", "-v", env={"APP_MODE": "prod"})) == ALL
    assert _selected(run("--affected", "-v", env={"APP_MODE": "prod"})) == set()


def test_a_new_module_selects_everything_and_a_new_test_file_only_itself(suite, run):
    (suite / "tests/other/test_new.py").write_text("def test_new():\n    pass\n")
    result = run("--affected", "-v", "--why")
    assert _selected(result) == {"tests/other/test_new.py::test_new"}
    result.fnmatch_lines(["  tests/other/test_new.py::test_new: new test (never recorded)"])
    (suite / "src/app/f.py").write_text("")
    result = run("--affected", "-v", "--why")
    assert _selected(result) == ALL | {"tests/other/test_new.py::test_new"}
    result.fnmatch_lines(["*: new module src/app/f.py (could be imported by any test)"])


def test_failed_tests_always_run(suite, run):
    (suite / "src/app/c.py").write_text("def c():\n    return 0\n")
    run("--affected").assert_outcomes(failed=1, deselected=5)
    result = run("--affected", "-v", "--why")
    assert _selected(result) == {"tests/other/test_c.py::test_c"}
    result.fnmatch_lines(["  tests/other/test_c.py::test_c: failed last time"])


def test_unaffected_test_modules_are_not_imported(files, run):
    root = files({**SUITE, "tests/other/test_planted.py": """
        import os

        if os.path.exists("BOOM"):
            raise RuntimeError("imported although unaffected")


        def test_planted():
            pass
    """})
    assert run("--affected").ret == 0
    (root / "BOOM").write_text("")
    _edit(root / "src/app/a.py")
    result = run("--affected", "-v")
    assert _selected(result) == {"tests/unit/test_a.py::test_a", "tests/unit/test_b.py::test_b",
                                 "tests/unit/test_e.py::test_e"}
    assert "imported although unaffected" not in result.output
    result.fnmatch_lines(["*collected 7 items / 4 deselected / 3 selected", "collection-index: 4 files not imported*"])


def test_no_previous_data_and_corrupt_records(files, run):
    root = files(SUITE)
    result = run("--affected", "-v", "--why")
    result.fnmatch_lines(["affected: no previous --affected data: running every test*",
                          "  tests/*: no previous --affected data"])
    deps = root / ".minitest_cache/d/affected/deps.json"
    assert json.loads(deps.read_text())["format"] == "minitest-affected/1"
    deps.write_text("\0garbage")
    result = run("--affected", "-v")
    assert "could not read the --affected records" in result.stderr
    assert _selected(result) == ALL  # never a silently skipped test
    assert json.loads(deps.read_text())["format"] == "minitest-affected/1"  # rebuilt
    deps.write_text(json.dumps({"format": "other", "tests": []}))
    result = run("--affected", "-v")
    assert "are not ones minitest wrote" in result.stderr
    assert _selected(result) == ALL
    assert _selected(run("--affected", "-v")) == set()


def test_a_deleted_test_file_leaves_the_records(suite, run):
    (suite / "tests/other/test_c.py").unlink()
    assert run("--affected").ret == 5  # nothing affected: every test deselected, as pytest
    data = json.loads((suite / ".minitest_cache/d/affected/deps.json").read_text())
    assert not [n for n in data["tests"] if n.startswith("tests/other/test_c.py")]


def test_affected_without_the_cache_is_a_usage_error(files, run):
    files(SUITE)
    result = run("--affected", "-p", "no:cache")
    assert result.ret == 4
    assert "cannot run with -p no:cache" in result.stderr
