"""Issue 8 — the installable reporter plugin (examples/minitest-json-report): pip-installed into a
temporary virtual environment beside minitest, auto-loaded, listed, blockable, its report matching
the run, JSON Lines streamed while the run goes, bad paths, a raising reporter.

One venv per test session (per xdist worker): ``python -m venv --without-pip``, a ``.pth`` file
that makes the running environment's packages (minitest's editable install included, and pip)
visible in it, then ``pip install --no-deps --no-build-isolation --no-index`` of a copy of the
example: all offline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import REPO_ROOT, RunResult, clean_env, make_files, run_process, verbose_nodeids

pytestmark = pytest.mark.venv

EXAMPLE = REPO_ROOT / "examples" / "minitest-json-report"

SUITE = {
    "test_suite.py": """
        import sys
        import minitest

        def test_pass():
            print("to stdout")
            sys.stderr.write("to stderr\\n")

        def test_fail():
            assert [1, 2] == [1, 3]

        @minitest.fixture
        def broken():
            raise RuntimeError("no database")

        def test_error(broken):
            pass

        @minitest.mark.skip(reason="later")
        def test_skip():
            pass

        @minitest.mark.xfail(reason="known")
        def test_xfail():
            assert 0

        @minitest.mark.parametrize("n", [1, 2])
        def test_param(n):
            pass
    """,
}


@pytest.fixture(scope="session")
def venv_python(tmp_path_factory) -> Path:
    """A virtual environment with minitest (from this checkout) and the example plugin installed."""
    base = tmp_path_factory.mktemp("json-report-venv")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site_packages = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # addsitedir (not a bare path line) so the .pth files of the running environment — the
    # editable install of minitest among them — are processed too
    lines = [f"import site; site.addsitedir({p!r})" for p in sorted(outer)] + [str(REPO_ROOT)]
    (site_packages / "_minitest_test_outer.pth").write_text("\n".join(lines) + "\n")
    # build from a copy: building writes build/ and *.egg-info next to the sources
    source = base / "minitest-json-report"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "--no-index", str(source)],
        capture_output=True, text=True, env=clean_env())
    assert install.returncode == 0, install.stdout + install.stderr
    return python


@pytest.fixture
def run_venv(venv_python, tmp_path):
    """Run ``python -m minitest ARGS`` with the venv's interpreter in ``tmp_path``."""

    def _run(*args: str, cwd: Path | None = None) -> RunResult:
        cmd = [str(venv_python), "-m", "minitest", "-p", "no:cache", *args]
        return run_process(cmd, cwd or tmp_path, clean_env())

    return _run


def test_plugin_is_installed_and_auto_loaded(run_venv, tmp_path):
    make_files(tmp_path, {"test_a.py": "def test_a():\n    pass\n"})
    result = run_venv("--json-report=report.json")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["plugins: minitest-json-report-0.1.0",
                          f"*- generated json report: {tmp_path / 'report.json'} -*"])
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["environment"]["plugins"] == {"minitest-json-report": "0.1.0"}
    assert data["summary"] == {"passed": 1, "total": 1, "collected": 1}


def test_plugin_listed_by_plugins_option(run_venv):
    result = run_venv("--plugins")
    assert result.ret == 0
    result.fnmatch_lines([
        "  json_report",
        "      from: entry point minitest_json_report (distribution minitest-json-report 0.1.0)",
        "      hooks: minitest_addoption, minitest_configure, minitest_unconfigure",
    ], consecutive=True)


def test_plugin_blocked_with_p_no(run_venv, tmp_path):
    make_files(tmp_path, {"test_a.py": "def test_a():\n    pass\n"})
    result = run_venv("-p", "no:json_report")
    assert result.ret == 0
    result.no_fnmatch_line("plugins:*json*")
    result = run_venv("-p", "no:json_report", "--json-report=report.json")
    assert result.ret == 4  # the option does not exist without the plugin
    assert not (tmp_path / "report.json").exists()
    result = run_venv("-p", "no:json_report", "--plugins")
    result.fnmatch_lines([
        "blocked: cache, json_report",
        "  json_report: entry point minitest_json_report (distribution minitest-json-report 0.1.0)",
    ])
    result.no_fnmatch_line("      from: entry point minitest_json_report*")


def test_report_matches_the_run(run_venv, tmp_path):
    make_files(tmp_path, SUITE)
    result = run_venv("-v", "--json-report=out/report.json", "--json-report-indent=2")
    assert result.ret == 1
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["exitcode"] == 1
    assert data["root"] == str(tmp_path)
    # the summary counts are the terminal's final line
    summary = {("errors" if k == "error" else k): v for k, v in data["summary"].items()
               if k not in ("total", "collected")}
    assert summary == result.outcomes()
    assert (data["summary"]["total"], data["summary"]["collected"]) == (7, 7)
    # every test with the outcome the terminal showed for it
    words = {"passed": "PASSED", "failed": "FAILED", "error": "ERROR", "skipped": "SKIPPED", "xfailed": "XFAIL"}
    shown = dict(verbose_nodeids(result))
    assert {t["nodeid"]: words[t["outcome"]] for t in data["tests"]} == shown
    tests = {t["nodeid"].split("::")[1]: t for t in data["tests"]}
    passed = tests["test_pass"]
    assert (passed["call"]["stdout"], passed["call"]["stderr"]) == ("to stdout\n", "to stderr\n")
    assert [p for p in ("setup", "call", "teardown") if p in passed] == ["setup", "call", "teardown"]
    assert all(passed[p]["duration"] >= 0 for p in ("setup", "call", "teardown"))
    failed = tests["test_fail"]["call"]
    assert "assert [1, 2] == [1, 3]" in failed["crash"]["message"]
    assert "def test_fail():" in failed["longrepr"]
    error = tests["test_error"]
    assert "call" not in error and "RuntimeError: no database" in error["setup"]["longrepr"]
    assert tests["test_xfail"]["call"]["wasxfail"] == "known"
    assert tests["test_param[2]"]["location"] == ["test_suite.py", 25, "test_param[2]"]


def test_json_lines_are_streamed_during_the_run(run_venv, tmp_path):
    make_files(tmp_path, {
        "test_stream.py": """
            import json

            def test_first():
                pass

            def test_second():
                # the lines of test_first are on disk while the run is still going
                events = [json.loads(line) for line in open("events.jsonl")]
                assert events[0]["event"] == "session_start"
                assert [(e["nodeid"], e["when"]) for e in events[1:]] == [
                    ("test_stream.py::test_first", "setup"),
                    ("test_stream.py::test_first", "call"),
                    ("test_stream.py::test_first", "teardown"),
                    ("test_stream.py::test_second", "setup"),
                ]
        """,
    })
    result = run_venv("--json-report-lines=events.jsonl")
    assert result.ret == 0, result.dump()
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["session_start"] + ["report"] * 6 + ["session_finish"]
    assert events[-1]["summary"]["passed"] == 2 and events[-1]["exitcode"] == 0
    assert events[0]["environment"]["minitest"] == "0.1.0"


@pytest.mark.parametrize("option", ["--json-report", "--json-report-lines"])
def test_unwritable_path_is_a_usage_error_before_tests_run(run_venv, tmp_path, option):
    make_files(tmp_path, {"blocker": "a file, not a directory",
                          "test_a.py": "def test_a():\n    open('ran', 'w').close()\n"})
    result = run_venv(f"{option}=blocker/report.json")
    assert result.ret == 4
    result.fnmatch_lines([f"ERROR: {option}: cannot write to {tmp_path / 'blocker' / 'report.json'}: *"],
                         stream="stderr")
    assert not (tmp_path / "ran").exists()
    result.no_fnmatch_line("collected*")


def test_report_written_atomically(run_venv, tmp_path):
    make_files(tmp_path, {"test_a.py": "def test_a():\n    pass\n", "report.json": "old"})
    inode = (tmp_path / "report.json").stat().st_ino
    assert run_venv("--json-report=report.json").ret == 0
    assert (tmp_path / "report.json").stat().st_ino != inode
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["passed"] == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.json")]


def test_raising_reporter_is_an_internal_error_and_reports_are_still_written(run_venv, tmp_path):
    make_files(tmp_path, {
        "conftest.py": """
            def minitest_runtest_logreport(report):
                if report.when == "call" and report.nodeid.endswith("test_b"):
                    raise RuntimeError("reporter broke")
        """,
        "test_a.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n",
    })
    result = run_venv("--json-report=report.json", "--json-report-lines=events.jsonl", "--junitxml=junit.xml")
    assert result.ret == 3
    result.fnmatch_lines(["INTERNALERROR> plugin 'conftest.py' (conftest *) raised RuntimeError in "
                          "minitest_runtest_logreport: reporter broke"], stream="both")
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["exitcode"] == 3
    assert [t["nodeid"] for t in data["tests"]] == ["test_a.py::test_a", "test_a.py::test_b"]
    events = (tmp_path / "events.jsonl").read_text().splitlines()
    assert json.loads(events[-1])["event"] == "session_finish"
    assert '<testcase classname="test_a" name="test_a"' in (tmp_path / "junit.xml").read_text()
