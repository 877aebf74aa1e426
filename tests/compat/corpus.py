#!/usr/bin/env python3
"""Compatibility corpus: run real projects' test suites under pytest and under minitest.

For every project in PROJECTS this tool downloads the pinned source distribution with pip,
unpacks it, builds a venv with the project, its pinned test requirements, pytest (the version
installed next to this interpreter) and minitest (built from this checkout), then runs the
suite twice with the same arguments:

    python -m pytest   -p no:cacheprovider -q -rA ARGS
    python -m minitest -p no:cacheprovider -q -rA ARGS

and compares the exit codes, the final-line counts and the per-test outcomes (node id ->
outcome, from the ``-rA`` short summary). Every run rewrites the last-run record next to this
file (``last_run.json``, the table ``LAST_RUN.txt`` and the totals in ``README.md``), updating
the rows of the projects it ran. It needs the network (PyPI) and is a tool, not a CI step.
Standard library only.

    python tests/compat/corpus.py [--only NAME] [--keep] [--workdir DIR] [--jobs N] [--no-record]

Exit status: 0 when every project run agrees under both runners, 1 otherwise.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# the last-run record: one row per project (its latest run), the table made from it, and the
# totals line of the README between the two markers
RECORD_JSON = HERE / "last_run.json"
RECORD_TABLE = HERE / "LAST_RUN.txt"
RECORD_README = HERE / "README.md"
README_BEGIN = "<!-- corpus.py writes the lines from here to the end marker on every run -->"
README_END = "<!-- end of the lines corpus.py writes -->"
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "minitest-compat"
RUN_TIMEOUT = 900  # seconds for one runner on one project
FALLBACK_PYTEST = "9.2.0"  # used only when pyproject.toml names no pytest==X pin
COUNT_KEYS = ("passed", "failed", "skipped", "xfailed", "xpassed", "errors", "deselected")
COMPARED_KEYS = ("passed", "failed", "skipped", "xfailed", "xpassed", "errors")


@dataclasses.dataclass(frozen=True)
class Project:
    name: str  # the PyPI name
    version: str  # pinned
    args: tuple[str, ...]  # test paths and flags, given to both runners
    requires: tuple[str, ...] = ()  # pinned extra test requirements
    style: str = ""  # what it exercises, in words
    env: tuple[tuple[str, str], ...] = ()  # extra environment for both runs
    editable: bool = False  # pip install -e . instead of pip install .
    # what the suite covers, shown as columns of the table (README: "The coverage columns")
    config: str = "none"  # where its pytest config lives: one of CONFIG_STYLES
    import_mode: str = "prepend"  # prepend or importlib (as the config or ARGS set it)
    layout: str = "flat"  # src (src/pkg), flat (pkg/ or mod.py at the root)
    plugins: tuple[str, ...] = ()  # third-party pytest plugins the suite uses (pytest11)
    suite: str = "pytest"  # pytest, unittest, doctest, or several joined by '+'


CONFIG_STYLES = (
    "pytest.ini",
    ".pytest.ini",
    "[tool.pytest]",
    "[tool.pytest.ini_options]",
    "tox.ini",
    "setup.cfg",
    "none",
)


# Pins of the plugins and helpers several projects share
HYPOTHESIS = "hypothesis==6.122.3"
PYTEST_ASYNCIO = "pytest-asyncio==1.5.0"
PYTEST_COV = "pytest-cov==7.1.0"
PYTEST_MOCK = "pytest-mock==3.17.0"
PYTEST_BENCHMARK = "pytest-benchmark==5.3.1"
FREEZEGUN = "freezegun==1.5.5"
SIMPLEJSON = "simplejson==4.3.0"

# Each entry was checked by hand: the sdist contains the tests, and they pass under pytest in a
# fresh venv in well under a minute on the 2-core machine. `requires` follows the project's own
# test requirements (its test extra / dependency group / requirements file / tox deps).
PROJECTS: tuple[Project, ...] = (
    Project(
        "iniconfig",
        "2.3.1",
        ("testing",),
        style="tiny suite, plain asserts, parametrize, tmp_path",
        config="[tool.pytest]",
        layout="src",
    ),
    Project(
        "six",
        "1.17.0",
        ("test_six.py",),
        style="one big module at the root: plain asserts, skipif marks, monkeypatch",
        config="setup.cfg",
    ),
    Project(
        "more-itertools",
        "11.2.1",
        # tests/test_recipes.py adds ~10k subtests and 20 s for little new coverage
        ("tests/test_more.py",),
        style="unittest.TestCase classes: setUp, subTest (11k subtests), assertRaises, threads",
        suite="unittest",
    ),
    Project(
        "idna",
        "3.20",
        ("tests",),
        requires=(HYPOTHESIS,),
        style="unittest.TestCase classes, large data-driven tests, hypothesis @given property tests",
        plugins=("hypothesis",),
        suite="unittest",
    ),
    Project(
        "colorama",
        "0.4.6",
        ("colorama/tests",),
        style="unittest style with unittest.mock, *_test.py file names, skipUnless",
        suite="unittest",
    ),
    Project(
        "pluggy",
        "1.7.0",
        ("testing",),
        style="heavy fixtures in conftest.py, parametrized fixtures, filterwarnings=error",
        config="tox.ini",
        layout="src",
    ),
    Project(
        "toolz",
        "1.2.0",
        ("toolz/tests",),
        style="tests inside the package, plain asserts, xfail_strict, --strict-markers/--strict-config addopts",
        config="[tool.pytest.ini_options]",
    ),
    Project(
        "boltons",
        "26.2.0",
        ("--doctest-modules", "boltons", "tests"),
        style="doctests (--doctest-modules, doctest_optionflags ini) plus plain pytest tests and conftest",
        config="[tool.pytest.ini_options]",
        suite="pytest+doctest",
    ),
    Project(
        "markupsafe",
        "3.0.4",
        ("tests",),
        style="parametrized fixtures from conftest (pure/speedups), parametrize, filterwarnings=error",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "semver",
        "3.1.2",
        # .pytest.ini (pytest 9 name) sets testpaths, pythonpath and an addopts with --cov; the
        # override keeps everything but the coverage flags
        (
            "-o",
            "addopts=--import-mode=importlib --doctest-glob=*.rst --doctest-modules --doctest-report ndiff",
        ),
        style="pythonpath/testpaths from .pytest.ini, doctests in .rst docs with an "
        "autouse doctest_namespace fixture, parametrize-heavy; --cov addopts overridden",
        config=".pytest.ini",
        import_mode="importlib",
        layout="src",
        suite="pytest+doctest",
    ),
    Project(
        "parse",
        "1.22.4",
        ("-o", "addopts=", "--doctest-modules", "--doctest-glob=README.rst", "tests", "parse", "README.rst"),
        style="doctests in modules and README.rst (--doctest-glob), plain asserts; --cov addopts overridden",
        config="[tool.pytest.ini_options]",
        suite="pytest+doctest",
    ),
    Project(
        "python-dateutil",
        "4.0.0",
        # test_tz*.py / test_zoneinfo.py depend on the machine's tz database (and take minutes);
        # conftest marks items with pytest-cov's no_cover mark, unknown without pytest-cov
        (
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
            "tests/test_relativedelta.py",
            "tests/test_easter.py",
            "tests/test_utils.py",
            "tests/test_parser.py",
            "tests/test_isoparser.py",
            "tests/test_rrule.py",
            "tests/test_internals.py",
            "tests/test_imports.py",
        ),
        requires=(FREEZEGUN, HYPOTHESIS),
        style="pytest_collection_modifyitems in conftest, xfail_strict, custom markers, freezegun, "
        "filterwarnings=error",
        config="[tool.pytest.ini_options]",
        layout="src",
        plugins=("hypothesis",),
        suite="pytest+unittest",
    ),
    # ---- added for issue 16 (plugins, every config style, both import modes)
    Project(
        "aiofiles",
        "25.1.0",
        ("tests",),
        requires=(PYTEST_ASYNCIO,),
        style="async tests and async fixtures under asyncio_mode=auto, tmp files",
        config="[tool.pytest.ini_options]",
        layout="src",
        plugins=("pytest-asyncio",),
    ),
    Project(
        "arrow",
        "1.4.0",
        (),
        requires=(PYTEST_COV, PYTEST_MOCK, "dateparser==1.5.0", "pytz==2025.2", SIMPLEJSON),
        style="the tox.ini addopts as is: -v, --cov with branch/term-missing/xml reports and "
        "--cov-fail-under, --junitxml; mocker fixture, testpaths",
        config="tox.ini",
        plugins=("pytest-cov", "pytest-mock"),
    ),
    Project(
        "asgiref",
        "3.13.0",
        ("tests",),
        requires=(PYTEST_ASYNCIO,),
        style="asyncio_mode=strict with @pytest.mark.asyncio, sync/async bridges, threads",
        config="setup.cfg",
        plugins=("pytest-asyncio",),
    ),
    Project(
        "async-timeout",
        "5.0.1",
        ("tests",),
        requires=(PYTEST_ASYNCIO, PYTEST_COV),
        style="strict asyncio mode; the setup.cfg addopts --cov/--cov-report=term/html as is",
        config="setup.cfg",
        plugins=("pytest-asyncio", "pytest-cov"),
    ),
    Project(
        "attrs",
        "26.1.0",
        (),
        requires=(HYPOTHESIS, "pympler==1.1", "cloudpickle==3.1.2"),
        style="--import-mode=importlib with a src layout, --strict-markers/--strict-config, xfail_strict, "
        "hypothesis strategies in conftest, filterwarnings once",
        config="[tool.pytest.ini_options]",
        import_mode="importlib",
        layout="src",
        plugins=("hypothesis",),
    ),
    Project(
        "blinker",
        "1.9.0",
        # its requirements pin pytest-asyncio 0.24 (pytest < 9); 1.x warns that this ini key is
        # unset, and filterwarnings=error makes that an INTERNALERROR under pytest
        ("-o", "asyncio_default_fixture_loop_scope=function"),
        requires=(PYTEST_ASYNCIO,),
        style="asyncio_mode=auto, filterwarnings=error, weakref/gc-driven tests",
        config="[tool.pytest.ini_options]",
        layout="src",
        plugins=("pytest-asyncio",),
    ),
    Project(
        "cachetools",
        "8.0.0",
        ("tests",),
        style="unittest.TestCase mixins over many cache classes, no pytest config at all",
        layout="src",
        suite="unittest",
    ),
    Project(
        "click",
        "8.5.1",
        (),
        style="testpaths, filterwarnings=error, addopts -m 'not stress', CliRunner, parametrize, "
        "monkeypatch/capsys",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "decorator",
        "5.3.1",
        ("tests/test.py",),
        style="a test module named test.py given by path, unittest classes that run doctests of "
        "documentation.py",
        layout="src",
        suite="unittest+doctest",
    ),
    Project(
        "exceptiongroup",
        "1.3.1",
        (),
        style="addopts -rsfE --tb=short --strict-config --strict-markers, pytest.raises with groups",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "freezegun",
        "1.5.5",
        # test_should_use_real_time asserts that freeze_time(ignore=['_pytest']) sees frames of
        # pytest's own modules in the stack: true of the runner pytest only
        ("tests", "--deselect", "tests/test_datetimes.py::test_should_use_real_time"),
        style="unittest and pytest tests mixed, class decorators, asyncio tests without a plugin",
        suite="pytest+unittest",
    ),
    Project(
        "glom",
        "25.12.0",
        ("glom",),
        requires=("pyyaml==6.0.3",),
        style="tests inside the package (glom/test), doctest_optionflags in pytest.ini",
        config="pytest.ini",
    ),
    Project(
        "h11",
        "0.16.0",
        ("h11/tests",),
        style="tests inside the package, a local HTTP server thread against the stdlib client",
    ),
    Project(
        "humanize",
        "4.17.0",
        (),
        requires=(FREEZEGUN, "pytest-codspeed==5.0.4"),
        style="pytest 9 native [tool.pytest] with a list addopts (--doctest-modules), testpaths src + "
        "tests, filterwarnings=error, codspeed benchmark fixture",
        config="[tool.pytest]",
        layout="src",
        plugins=("pytest-codspeed",),
        suite="pytest+doctest",
    ),
    Project(
        "inflect",
        "7.6.0",
        ("inflect", "tests"),
        requires=("pygments==2.21.0",),
        style="pytest.ini addopts --doctest-modules --import-mode importlib, "
        "consider_namespace_packages, many filterwarnings",
        config="pytest.ini",
        import_mode="importlib",
        plugins=("typeguard",),  # a dependency of inflect; its pytest11 plugin loads
        suite="pytest+doctest",
    ),
    Project(
        "isodate",
        "0.7.2",
        (),
        style="testpaths, filterwarnings=error, parametrize-heavy",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "itsdangerous",
        "2.2.0",
        (),
        requires=(FREEZEGUN,),
        style="test classes inheriting tests, freezegun, filterwarnings=error",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "jinja2",
        "3.1.6",
        (),
        requires=("trio==0.35.0",),
        style="big pytest suite: fixtures in conftest, parametrize, filterwarnings=error, async "
        "templates under asyncio and trio (no pytest plugin)",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "jsonpatch",
        "1.47",
        # property_tests.py (hypothesis) takes 150 s under pytest here: collected, then deselected
        ("-k", "not Properties and not PatchOperationTests"),
        requires=(HYPOTHESIS, SIMPLEJSON),
        style="python_files = tests.py property_tests.py in pytest.ini, unittest classes, a doctest "
        "suite of the tutorial run from a TestCase, -k deselection",
        config="pytest.ini",
        suite="unittest+doctest",
    ),
    Project(
        "jsonpointer",
        "3.12",
        ("tests.py",),
        style="a root module tests.py given by path, unittest classes",
        suite="unittest",
    ),
    Project(
        "marshmallow",
        "4.4.0",
        ("tests",),
        requires=(SIMPLEJSON,),
        style="large pytest suite: parametrize, fixtures, norecursedirs",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "packaging",
        "26.3",
        # the whole suite (tens of thousands of specifier/version cases) takes minutes here
        (
            "tests/test_markers.py",
            "tests/test_requirements.py",
            "tests/test_tags.py",
            "tests/test_utils.py",
            "tests/test_metadata.py",
            "tests/test_licenses.py",
        ),
        requires=(HYPOTHESIS, "pretend==1.0.9", "tomli-w==1.2.0"),
        style="addopts -ra --showlocals --strict-markers --strict-config -m 'not property', xfail_strict, "
        "filterwarnings=error, log_level",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "pathspec",
        "1.1.1",
        ("tests",),
        style="unittest.TestCase suite, numbered test modules, no pytest config",
        suite="unittest",
    ),
    Project(
        "platformdirs",
        "4.14.5",
        ("tests",),
        requires=(PYTEST_MOCK, "appdirs==1.4.4"),
        style="mocker fixture everywhere, parametrize over platforms, monkeypatch",
        layout="src",
        plugins=("pytest-mock",),
    ),
    Project(
        "portion",
        "2.6.3",
        ("tests",),
        requires=(PYTEST_BENCHMARK,),
        style="addopts --benchmark-skip (pytest-benchmark's option) in the config, plain test classes",
        config="[tool.pytest.ini_options]",
        plugins=("pytest-benchmark",),
    ),
    Project(
        "pyee",
        "13.0.1",
        (),
        requires=(PYTEST_ASYNCIO, "pytest-trio==0.8.0", "trio==0.35.0", "twisted==26.10.0"),
        style="addopts --verbose -s, @pytest.mark.asyncio and @pytest.mark.trio async tests",
        config="[tool.pytest.ini_options]",
        plugins=("pytest-asyncio", "pytest-trio"),
    ),
    Project(
        "pyparsing",
        "3.3.3",
        ("tests",),
        # tox installs the `diagrams` extra for the unit tests (tests/test_diagram.py)
        requires=("railroad-diagrams==3.0.1", "jinja2==3.1.6"),
        style="large unittest.TestCase suite (test_unit.py) plus pytest modules",
        suite="pytest+unittest",
    ),
    Project(
        "python-dotenv",
        "1.2.4",
        (),
        requires=("click==8.5.1",),
        style="testpaths, tmp_path, monkeypatch of os.environ, CLI tests through subprocess",
        config="[tool.pytest.ini_options]",
        layout="src",
    ),
    Project(
        "python-slugify",
        "9.1.3",
        ("--color=no",),
        style="unittest classes under filterwarnings=error; addopts --color=yes (undone by --color=no)",
        config="[tool.pytest.ini_options]",
        suite="unittest",
    ),
    Project(
        "pytz",
        "2026.6",
        ("pytz/tests",),
        style="unittest classes inside the package (load_tests doctest suites are not collected)",
        suite="unittest",
    ),
    Project(
        "structlog",
        "26.1.0",
        ("-p", "randomly", "--randomly-seed=1234"),
        requires=(
            PYTEST_ASYNCIO,
            "pytest-randomly==5.1.0",
            SIMPLEJSON,
            "time-machine==3.6.0",
            "pretend==1.0.9",
        ),
        style="--import-mode=importlib, asyncio_mode=auto, pytest-randomly with a fixed seed, "
        "--strict-config, xfail_strict",
        config="[tool.pytest.ini_options]",
        import_mode="importlib",
        layout="src",
        plugins=("pytest-asyncio", "pytest-randomly"),
    ),
    Project(
        "tabulate",
        "0.10.0",
        ("test",),
        style="a test/ folder, plain asserts, importorskip of numpy/pandas, no pytest config",
    ),
    Project(
        "tenacity",
        "9.2.1",
        ("tests",),
        requires=("tornado==6.6.1",),
        style="unittest classes and pytest tests, asyncio and tornado retries, filterwarnings once",
        config="[tool.pytest.ini_options]",
        suite="pytest+unittest",
    ),
    Project(
        "typeguard",
        "4.6.0",
        (),
        requires=("mypy==2.4.1",),
        style="typeguard's own pytest11 plugin (--typeguard-packages), xfail_strict, filterwarnings=error, "
        "mypy run on annotated samples",
        config="[tool.pytest.ini_options]",
        layout="src",
        plugins=("typeguard",),
    ),
    Project(
        "wcwidth",
        "0.9.4",
        (),
        requires=(PYTEST_COV,),
        # an autouse fixture asserts the C extension is loaded unless WCWIDTH_PYTHON is set; the
        # tests import the source tree, where it is not built
        env=(("WCWIDTH_PYTHON", "1"),),
        style="the tox.ini addopts as is (--color=yes too): --cov with html report, --doctest-modules, --ignore, "
        "testpaths over tests and the package",
        config="tox.ini",
        plugins=("pytest-cov",),
        suite="pytest+doctest",
    ),
    Project(
        "wsproto",
        "1.3.2",
        (),
        requires=(HYPOTHESIS,),
        style="parametrize-heavy protocol tests, hypothesis",
        config="[tool.pytest.ini_options]",
        layout="src",
        plugins=("hypothesis",),
    ),
)


# ---------------------------------------------------------------- results


@dataclasses.dataclass
class RunResult:
    runner: str
    returncode: int | None
    seconds: float
    output: str
    counts: dict[str, int] | None  # None: no final line found
    outcomes: dict[str, str]  # node id -> outcome(s) from the -rA short summary
    messages: dict[str, str]  # node id -> short summary message
    sections: dict[str, list[str]]  # failure/error section title -> its lines
    timed_out: bool = False


@dataclasses.dataclass
class ProjectResult:
    project: Project
    pytest: RunResult | None = None
    minitest: RunResult | None = None
    setup_error: str | None = None

    def differences(self) -> list[str]:
        """What differs between the two runs, in words: the exit code, the compared counts, the
        per-test outcomes. Empty when the runs agree on all three."""
        if self.setup_error:
            return ["setup failed"]
        pt, mt = self.pytest, self.minitest
        if pt is None or mt is None:
            return ["not run"]
        if pt.counts is None or mt.counts is None:
            return ["no final line"]
        found = []
        if pt.returncode != mt.returncode:
            found.append(f"exit code (pytest {pt.returncode}, minitest {mt.returncode})")
        keys = [k for k in COMPARED_KEYS if pt.counts.get(k, 0) != mt.counts.get(k, 0)]
        if keys:
            found.append(f"counts ({', '.join(keys)})")
        nodes = differing_nodes(pt, mt)
        if nodes:
            found.append(f"per-test outcomes ({len(nodes)} node ids)")
        return found

    @property
    def equal(self) -> bool:
        return not self.differences()


# ---------------------------------------------------------------- parsing output

_FINAL_RE = re.compile(r"\bin \d+(?:\.\d+)?s\b")
_COUNT_RE = re.compile(r"(\d+) (passed|failed|skipped|xfailed|xpassed|errors?|deselected|warnings?)\b")
_SUMMARY_RE = re.compile(r"^(PASSED|FAILED|ERROR|XFAIL|XPASS|SKIPPED)\s+(\S.*)$")
_SECTION_RE = re.compile(r"^_{3,} (.+?) _{3,}$")
_BANNER_RE = re.compile(r"^={3,} (.+?) ={3,}$")


def parse_counts(output: str) -> dict[str, int] | None:
    """The counts of the last 'N passed, M failed in 1.23s' line (decorated or not)."""
    for line in reversed(output.splitlines()):
        text = line.strip().strip("=").strip()
        if not _FINAL_RE.search(text):
            continue
        found = _COUNT_RE.findall(text)
        if not found and not text.startswith("no tests ran"):
            continue
        counts = dict.fromkeys(COUNT_KEYS, 0)
        for number, word in found:
            if word.startswith("error"):
                word = "errors"
            if word.startswith("warning"):
                continue
            counts[word] = int(number)
        return counts
    return None


def parse_short_summary(output: str) -> tuple[dict[str, str], dict[str, str]]:
    """Node id -> outcome (several joined by '+', e.g. 'PASSED+ERROR'), and node id -> message."""
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    in_summary = False
    for line in output.splitlines():
        banner = _BANNER_RE.match(line)
        if banner:
            in_summary = "short test summary info" in banner.group(1)
            continue
        if not in_summary:
            continue
        m = _SUMMARY_RE.match(line)
        if not m:
            continue
        word, rest = m.groups()
        if word == "SKIPPED" and rest.startswith("["):
            continue  # folded skip lines name a location, not a node id
        nodeid, _, message = rest.partition(" - ")
        if word == "XPASS" and not message:
            nodeid, _, message = rest.partition(" ")
        nodeid = nodeid.strip()
        if nodeid in outcomes:
            if word not in outcomes[nodeid].split("+"):
                outcomes[nodeid] += "+" + word
        else:
            outcomes[nodeid] = word
        if message and nodeid not in messages:
            messages[nodeid] = message.strip()
    return outcomes, messages


def parse_sections(output: str) -> dict[str, list[str]]:
    """The FAILURES / ERRORS sections: '____ title ____' -> the lines below it."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if _BANNER_RE.match(line):
            current = None
            continue
        m = _SECTION_RE.match(line)
        if m:
            current = sections.setdefault(m.group(1), [])
            continue
        if current is not None:
            current.append(line)
    return sections


def section_for(nodeid: str, sections: dict[str, list[str]]) -> list[str] | None:
    """Find the failure/error section of a node: titles use the node's head line
    ('TestA.test_b[1]'), 'ERROR at setup of test_b', 'ERROR collecting path', ..."""
    path, _, rest = nodeid.partition("::")
    head = rest.replace("::", ".") if rest else path
    candidates = [head, f"ERROR collecting {path}", f"ERROR collecting {nodeid}"]
    for when in ("setup", "teardown"):
        candidates.append(f"ERROR at {when} of {head}")
    if "." in head:
        short = head.rsplit(".", 1)[1]
        candidates += [short, f"ERROR at setup of {short}", f"ERROR at teardown of {short}"]
    if rest.startswith("[doctest]") or "[doctest]" in head:
        candidates.append(f"[doctest] {head.split('] ', 1)[-1]}")
    for title in candidates:
        if title in sections:
            return sections[title]
    return None


def error_lines(lines: list[str], limit: int = 6) -> list[str]:
    """The interesting lines of a failure section: 'E   ' lines, else its last lines."""
    picked = [ln for ln in lines if ln.startswith("E ")]
    if not picked:
        picked = [ln for ln in lines if ln.strip()][-limit:]
    return picked[:limit]


# ---------------------------------------------------------------- doing the work


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(
    cmd: list[str], cwd: Path, logfile: Path, env: dict[str, str] | None = None, timeout: float = 1800
) -> None:
    """Run a setup command; raise RuntimeError with the tail of its output when it fails."""
    with logfile.open("a") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    if proc.returncode != 0:
        tail = "\n".join(logfile.read_text(errors="replace").splitlines()[-15:])
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{tail}")


def base_env(workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "MINITEST_", "PYTHONPATH", "VIRTUAL_ENV", "PIP_"))
    }
    env["PIP_CACHE_DIR"] = str(workdir / "pip-cache")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def pytest_version() -> str:
    """The pytest version the project venvs get: the compat target, i.e. the `pytest==X` pin of
    minitest's own test extra in pyproject.toml (what minitest's output is compared with), not
    whatever pytest happens to be installed next to the interpreter running this script."""
    try:
        import tomllib

        data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
        for req in data["project"]["optional-dependencies"]["test"]:
            m = re.fullmatch(r"\s*pytest\s*==\s*([\w.]+)\s*", req)
            if m:
                return m.group(1)
    except (OSError, KeyError, ValueError):
        pass
    return FALLBACK_PYTEST


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def fetch_sdist(project: Project, workdir: Path, env: dict[str, str]) -> Path:
    """The cached sdist of a project, downloaded with pip the first time."""
    cache = workdir / "downloads"
    cache.mkdir(parents=True, exist_ok=True)

    def find() -> Path | None:
        want = f"{normalized(project.name)}-{project.version}"
        for f in sorted(cache.iterdir()):
            stem = f.name
            for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
                if stem.endswith(ext):
                    stem = stem[: -len(ext)]
                    if normalized(stem.rsplit("-", 1)[0]) + "-" + stem.rsplit("-", 1)[-1] == want:
                        return f
        return None

    found = find()
    if found:
        return found
    logfile = workdir / "logs" / f"{project.name}-download.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"{project.name}=={project.version}",
            "-d",
            str(cache),
        ],
        cwd=workdir,
        logfile=logfile,
        env=env,
    )
    found = find()
    if not found:
        raise RuntimeError(f"pip download gave no sdist for {project.name}=={project.version}")
    return found


def unpack(archive: Path, dest: Path) -> Path:
    """Unpack an sdist into dest (emptied first); return the project's top directory."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    entries = [p for p in dest.iterdir()]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else dest


def build_minitest(workdir: Path, env: dict[str, str]) -> tuple[Path, str]:
    """Build one minitest wheel from a copy of the checkout (so that building never writes
    build/ or *.egg-info into the checkout, and parallel jobs never build in the same tree).
    Returns the wheel and a hash of the copied sources."""
    dest = workdir / "minitest-src"
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns(
        ".git",
        "__pycache__",
        "*.pyc",
        "build",
        "dist",
        "*.egg-info",
        ".venv",
        "tests",
        "bench",
        "docs",
        "examples",
        ".ci",
    )
    shutil.copytree(REPO_ROOT, dest, ignore=ignore)
    digest = hashlib.sha256()
    for f in sorted(dest.rglob("*")):
        if f.is_file():
            digest.update(str(f.relative_to(dest)).encode())
            digest.update(f.read_bytes())
    source_hash = digest.hexdigest()[:16]
    wheel_dir = workdir / "minitest-wheel" / source_hash
    wheels = sorted(wheel_dir.glob("minitest-*.whl")) if wheel_dir.exists() else []
    if not wheels:
        logfile = workdir / "logs" / "minitest-wheel.log"
        logfile.parent.mkdir(parents=True, exist_ok=True)
        logfile.write_text("")
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(wheel_dir), str(dest)],
            cwd=workdir,
            logfile=logfile,
            env=env,
        )
        wheels = sorted(wheel_dir.glob("minitest-*.whl"))
        if not wheels:
            raise RuntimeError(f"no minitest wheel was built; see {logfile}")
    return wheels[-1], source_hash


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def prepare(
    project: Project,
    workdir: Path,
    minitest_wheel: Path,
    minitest_hash: str,
    pytest_pin: str,
    env: dict[str, str],
) -> tuple[Path, Path]:
    """Download, unpack and install one project; return (source dir, venv python)."""
    pdir = workdir / f"{project.name}-{project.version}"
    pdir.mkdir(parents=True, exist_ok=True)
    logfile = pdir / "setup.log"
    logfile.write_text("")
    archive = fetch_sdist(project, workdir, env)
    src = unpack(archive, pdir / "src")
    venv = pdir / "venv"
    py = venv_python(venv)
    spec = json.dumps(
        {"project": dataclasses.asdict(project), "pytest": pytest_pin, "python": sys.version}, sort_keys=True
    )
    marker = venv / "corpus-spec.json"
    fresh = not (py.exists() and marker.exists() and marker.read_text() == spec)
    if fresh:
        if venv.exists():
            shutil.rmtree(venv)
        run([sys.executable, "-m", "venv", str(venv)], cwd=pdir, logfile=logfile, env=env)
        install = ["-e", "."] if project.editable else ["."]
        run([str(py), "-m", "pip", "install", *install], cwd=src, logfile=logfile, env=env)
        run(
            [str(py), "-m", "pip", "install", f"pytest=={pytest_pin}", *project.requires],
            cwd=src,
            logfile=logfile,
            env=env,
        )
        run([str(py), "-m", "pip", "install", str(minitest_wheel)], cwd=pdir, logfile=logfile, env=env)
        marker.write_text(spec)
    else:
        installed = venv / "corpus-minitest.txt"
        if not (installed.exists() and installed.read_text() == minitest_hash):
            # a kept venv and a changed checkout: replace minitest only (never its
            # dependencies, which may be the project under test, e.g. pluggy or colorama)
            run(
                [str(py), "-m", "pip", "install", "--no-deps", "--force-reinstall", str(minitest_wheel)],
                cwd=pdir,
                logfile=logfile,
                env=env,
            )
    (venv / "corpus-minitest.txt").write_text(minitest_hash)
    return src, py


def run_suite(
    runner: str, project: Project, src: Path, py: Path, env: dict[str, str], outdir: Path
) -> RunResult:
    cmd = [str(py), "-m", runner, "-p", "no:cacheprovider", "-q", "-rA", *project.args]
    run_env = dict(env)
    run_env.update(dict(project.env))
    run_env["COLUMNS"] = "120"
    # as in an activated venv: the project's console scripts (glom's CLI test runs `glom`)
    run_env["PATH"] = os.pathsep.join([str(py.parent), run_env.get("PATH", "")])
    start = time.perf_counter()
    timed_out = False
    try:
        proc = subprocess.run(
            cmd,
            cwd=src,
            env=run_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=RUN_TIMEOUT,
        )
        output = proc.stdout.decode(errors="replace")
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode(errors="replace") + f"\n[corpus] timed out after {RUN_TIMEOUT}s\n"
        returncode = None
        timed_out = True
    seconds = time.perf_counter() - start
    (outdir / f"{project.name}.{runner}.txt").write_text(
        f"$ {' '.join(cmd)}\n(cwd {src})\n(exit code {returncode})\n\n{output}"
    )
    outcomes, messages = parse_short_summary(output)
    return RunResult(
        runner,
        returncode,
        seconds,
        output,
        parse_counts(output),
        outcomes,
        messages,
        parse_sections(output),
        timed_out,
    )


def do_project(
    project: Project, workdir: Path, minitest_wheel: Path, minitest_hash: str, pytest_pin: str, keep: bool
) -> ProjectResult:
    result = ProjectResult(project)
    env = base_env(workdir)
    outdir = workdir / "results"
    outdir.mkdir(parents=True, exist_ok=True)
    pdir = workdir / f"{project.name}-{project.version}"
    try:
        log(f"[corpus] {project.name}: preparing")
        src, py = prepare(project, workdir, minitest_wheel, minitest_hash, pytest_pin, env)
        log(f"[corpus] {project.name}: running pytest")
        result.pytest = run_suite("pytest", project, src, py, env, outdir)
        log(f"[corpus] {project.name}: running minitest")
        # a fresh tree for the second runner, so that nothing the first left behind counts
        src = unpack(fetch_sdist(project, workdir, env), pdir / "src")
        result.minitest = run_suite("minitest", project, src, py, env, outdir)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        result.setup_error = str(exc)
    finally:
        if not keep:
            shutil.rmtree(pdir / "src", ignore_errors=True)
            shutil.rmtree(pdir / "venv", ignore_errors=True)
    status = "setup failed" if result.setup_error else ("same" if result.equal else "DIFFERENT")
    log(f"[corpus] {project.name}: {status}")
    return result


# ---------------------------------------------------------------- the report


def fmt_counts(run_result: RunResult | None) -> str:
    if run_result is None:
        return "-"
    if run_result.timed_out:
        return "TIMEOUT"
    if run_result.counts is None:
        return f"no result (exit {run_result.returncode})"
    c = run_result.counts
    short = {
        "passed": "p",
        "failed": "f",
        "skipped": "s",
        "xfailed": "xf",
        "xpassed": "xp",
        "errors": "E",
        "deselected": "d",
    }
    parts = [f"{c[k]}{short[k]}" for k in COUNT_KEYS if c.get(k)]
    return " ".join(parts) or "0"


def fmt_seconds(run_result: RunResult | None) -> str:
    return "-" if run_result is None else f"{run_result.seconds:.1f}"


def fmt_exit_codes(res: ProjectResult) -> str:
    """``pytest's/minitest's`` exit codes (``?`` for one not known)."""
    codes = [r.returncode if r is not None and r.returncode is not None else "?" for r in (res.pytest, res.minitest)]
    return f"{codes[0]}/{codes[1]}"


def fmt_tests(res: ProjectResult) -> str:
    """How many node ids the -rA summaries name (either runner) and how many differ in outcome."""
    if res.pytest is None or res.minitest is None:
        return "-"
    named = len(set(res.pytest.outcomes) | set(res.minitest.outcomes))
    differ = len(differing_nodes(res.pytest, res.minitest))
    return f"{differ}/{named} differ" if differ else f"{named} same"


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def differing_nodes(pt: RunResult, mt: RunResult) -> list[str]:
    """Node ids whose -rA outcome differs, in pytest's order, then minitest-only ones."""
    ids = list(pt.outcomes) + [n for n in mt.outcomes if n not in pt.outcomes]
    return [n for n in ids if pt.outcomes.get(n) != mt.outcomes.get(n)]


def describe_mismatch(res: ProjectResult, max_nodes: int) -> str:
    p = res.project
    out = [f"### {p.name} {p.version}", f"differs in: {'; '.join(res.differences())}"]
    if res.setup_error:
        out.append("setup failed:")
        out.append(textwrap.indent(res.setup_error, "    "))
        return "\n".join(out)
    pt, mt = res.pytest, res.minitest
    assert pt is not None and mt is not None
    if mt.counts is None or pt.counts is None:
        who = "minitest" if mt.counts is None else "pytest"
        bad = mt if mt.counts is None else pt
        out.append(f"{who} gave no final line (exit {bad.returncode}); last lines of its output:")
        tail = [ln for ln in bad.output.splitlines() if ln.strip()][-15:]
        out.append(textwrap.indent("\n".join(tail), "    "))
        if mt.counts is None:
            return "\n".join(out)
    diff = differing_nodes(pt, mt)
    out.append(
        f"{len(diff)} node(s) with a different outcome "
        f"(pytest reports {len(pt.outcomes)} node ids, minitest {len(mt.outcomes)})"
    )
    for nodeid in diff[:max_nodes]:
        a = pt.outcomes.get(nodeid, "(absent/skipped)")
        b = mt.outcomes.get(nodeid, "(absent/skipped)")
        out.append(f"  {nodeid}")
        out.append(f"      pytest: {a}   minitest: {b}")
        msg = mt.messages.get(nodeid)
        if msg:
            out.append(f"      minitest says: {msg[:200]}")
        sec = section_for(nodeid, mt.sections)
        if sec:
            for ln in error_lines(sec):
                out.append(f"      | {ln[:200]}")
    if len(diff) > max_nodes:
        out.append(f"  ... and {len(diff) - max_nodes} more")
    if not diff and pt.counts != mt.counts:
        out.append("  (the per-node outcomes agree; the counts differ only in skips/collection)")
    if pt.returncode != mt.returncode:
        for who, r in (("pytest", pt), ("minitest", mt)):
            tail = [ln for ln in r.output.splitlines() if ln.strip()][-5:]
            out.append(f"  {who} exited with {r.returncode}; its last lines:")
            out.append(textwrap.indent("\n".join(tail), "      | "))
    return "\n".join(out)


COVERAGE_COLUMNS = ("config", "import", "layout", "suite", "plugins")


def coverage_cells(p: Project) -> list[str]:
    return [p.config, p.import_mode, p.layout, p.suite, ",".join(p.plugins) or "-"]


def coverage_summary(projects: list[Project]) -> str:
    """How many projects cover each config style, import mode, layout, suite kind, plugin."""
    lines = []
    plugin_projects = sum(1 for p in projects if p.plugins)
    lines.append(f"projects: {len(projects)}; using third-party pytest plugins: {plugin_projects}")
    for label, values in (
        ("config", [p.config for p in projects]),
        ("import", [p.import_mode for p in projects]),
        ("layout", [p.layout for p in projects]),
        ("suite", [k for p in projects for k in p.suite.split("+")]),
        ("plugins", [k for p in projects for k in p.plugins]),
    ):
        counts: dict[str, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        lines.append(f"{label}: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    return "\n".join(lines)


LEGEND = (
    "counts: p=passed f=failed s=skipped xf=xfailed xp=xpassed E=errors d=deselected; exit: pytest's/minitest's "
    "exit code;\ntests: node ids the -rA summaries name, and how many of them differ in outcome; equal: the "
    "same exit code,\nthe same counts (deselected and warnings aside) and the same outcome for every node id"
)
TABLE_HEADER = ["project", "version", "pytest", "minitest", "exit", "tests", "equal", "pytest s", "minitest s",
                *COVERAGE_COLUMNS]


def report(results: list[ProjectResult], max_nodes: int) -> str:
    rows = [TABLE_HEADER]
    for res in results:
        rows.append(
            [
                res.project.name,
                res.project.version,
                fmt_counts(res.pytest),
                "SETUP FAILED" if res.setup_error else fmt_counts(res.minitest),
                fmt_exit_codes(res),
                fmt_tests(res),
                "yes" if res.equal else "NO",
                fmt_seconds(res.pytest),
                fmt_seconds(res.minitest),
                *coverage_cells(res.project),
            ]
        )
    pt_total = sum(r.pytest.seconds for r in results if r.pytest)
    mt_total = sum(r.minitest.seconds for r in results if r.minitest)
    same = sum(1 for r in results if r.equal)
    parts = [
        LEGEND,
        "",
        table(rows),
        "",
        f"TOTAL: {same}/{len(results)} projects agree; pytest {pt_total:.1f}s, minitest {mt_total:.1f}s",
        "",
        coverage_summary([r.project for r in results]),
    ]
    mismatches = [r for r in results if not r.equal]
    if mismatches:
        parts += ["", "## Mismatches", ""]
        for res in mismatches:
            parts += [describe_mismatch(res, max_nodes), ""]
    return "\n".join(parts).rstrip() + "\n"


def saved_result(project: Project, outdir: Path) -> ProjectResult | None:
    """A project's result rebuilt from the outputs a run saved (--from-saved): the seconds are
    the ones each runner printed on its final line, not the wall time this tool measured."""
    res = ProjectResult(project)
    for runner in ("pytest", "minitest"):
        f = outdir / f"{project.name}.{runner}.txt"
        if not f.exists():
            return None
        output = f.read_text(errors="replace")
        code = re.search(r"^\(exit code (-?\d+)\)$", "\n".join(output.splitlines()[:4]), re.MULTILINE)
        outcomes, messages = parse_short_summary(output)
        counts = parse_counts(output)
        m = None
        for line in reversed(output.splitlines()):
            m = re.search(r"\bin (\d+(?:\.\d+)?)s\b", line)
            if m:
                break
        timed_out = "[corpus] timed out" in output
        run_result = RunResult(
            runner,
            int(code.group(1)) if code else None,
            float(m.group(1)) if m else 0.0,
            output,
            counts,
            outcomes,
            messages,
            parse_sections(output),
            timed_out,
        )
        setattr(res, runner, run_result)
    return res


# ---------------------------------------------------------------- the last-run record

COMPARED_ALL = "exit code, counts, per-test outcomes"
RECORD_HEADER = [*TABLE_HEADER[:9], "run", *COVERAGE_COLUMNS]


def record_row(res: ProjectResult, when: str, minitest_id: str, pytest_pin: str, max_nodes: int) -> dict:
    """A project's row of the record: what the table and the README totals are made of."""
    return {
        "version": res.project.version,
        "run": when,
        "minitest": minitest_id,
        "pytest_version": pytest_pin,
        "compared": COMPARED_ALL,
        "counts": [fmt_counts(res.pytest), "SETUP FAILED" if res.setup_error else fmt_counts(res.minitest)],
        "exit": fmt_exit_codes(res),
        "tests": fmt_tests(res),
        "equal": res.equal,
        "seconds": [None if r is None else round(r.seconds, 1) for r in (res.pytest, res.minitest)],
        "differences": res.differences(),
        "details": "" if res.equal else describe_mismatch(res, max_nodes),
    }


def render_record(rows: dict[str, dict]) -> str:
    """LAST_RUN.txt: every project's latest recorded run, in PROJECTS order."""
    projects = [p for p in PROJECTS if p.name in rows]
    table_rows = [RECORD_HEADER]
    for p in projects:
        row = rows[p.name]
        seconds = ["-" if t is None else f"{t:.1f}" for t in row["seconds"]]
        table_rows.append([p.name, row["version"], *row["counts"], row["exit"], row["tests"],
                           "yes" if row["equal"] else "NO", *seconds, row["run"], *coverage_cells(p)])
    differing = [p.name for p in projects if not rows[p.name]["equal"]]
    parts = [
        "# Written by tests/compat/corpus.py at the end of every run (not by hand), from last_run.json: each",
        "# row is the project's latest run ('run'; an --only run replaces its own rows). A row whose 'exit' is",
        "# '?/?' comes from a run before exit codes and per-test outcomes were compared: its counts only.",
        "",
        LEGEND,
        "",
        table(table_rows),
        "",
        f"TOTAL: {totals_sentence(rows)}",
        "",
        coverage_summary(projects),
    ]
    if differing:
        parts += ["", "## Mismatches", ""]
        for name in differing:
            row = rows[name]
            details = row["details"] or f"### {name} {row['version']}\ndiffers in: {'; '.join(row['differences'])}"
            parts += [details, ""]
    return "\n".join(parts).rstrip() + "\n"


def totals_sentence(rows: dict[str, dict]) -> str:
    """'47/48 projects agree (...); pytest 228.0 s, minitest 132.0 s in all'."""
    known = [rows[p.name] for p in PROJECTS if p.name in rows]
    same = sum(1 for r in known if r["equal"])
    full = sum(1 for r in known if r["compared"] == COMPARED_ALL)
    pt = sum(r["seconds"][0] or 0.0 for r in known)
    mt = sum(r["seconds"][1] or 0.0 for r in known)
    differing = [p.name for p in PROJECTS if p.name in rows and not rows[p.name]["equal"]]
    text = (f"{same}/{len(known)} projects agree ({full} compared by {COMPARED_ALL}, "
            f"{len(known) - full} by counts only, in runs before that)")
    if differing:
        text += f"; differing: {', '.join(differing)}"
    return text + f"; pytest {pt:.1f}s, minitest {mt:.1f}s in all"


def write_record(rows: dict[str, dict], *, json_path: Path = RECORD_JSON, table_path: Path = RECORD_TABLE,
                 readme_path: Path = RECORD_README) -> None:
    """Save the rows, rewrite the table from them and the README's totals between its markers."""
    json_path.write_text(json.dumps(rows, indent=1, sort_keys=True) + "\n")
    table_path.write_text(render_record(rows))
    text = readme_path.read_text()
    start, end = text.find(README_BEGIN), text.find(README_END)
    if start < 0 or end < start:
        log(f"[corpus] {readme_path} has no record markers: its totals were not updated")
        return
    generated = (f"{README_BEGIN}\nLast recorded ({table_path.name}, rewritten by every run): "
                 f"**{totals_sentence(rows)}**.\n")
    readme_path.write_text(text[:start] + generated + text[end:])


def record(results: list[ProjectResult], when: str, minitest_id: str, pytest_pin: str, max_nodes: int,
           json_path: Path = RECORD_JSON, **paths: Path) -> None:
    """Replace the rows of the projects in ``results`` and rewrite the record."""
    rows = json.loads(json_path.read_text()) if json_path.exists() else {}
    for res in results:
        rows[res.project.name] = record_row(res, when, minitest_id, pytest_pin, max_nodes)
    write_record(rows, json_path=json_path, **paths)


def checkout_id() -> str:
    """The checkout minitest was built from: its commit, '+changes' when the tree differs from it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "-"
    return commit + ("+changes" if dirty else "")


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime())


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="run only this project (repeatable, or comma separated)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the unpacked sources and venvs (reused by the next run)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"where downloads, venvs and outputs live (default {DEFAULT_WORKDIR})",
    )
    parser.add_argument("--jobs", type=int, default=1, help="projects run in parallel (default 1)")
    parser.add_argument(
        "--max-nodes",
        type=int,
        default=10,
        help="differing node ids shown per mismatching project (default 10)",
    )
    parser.add_argument("--list", action="store_true", help="list the projects and exit")
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="leave last_run.json, LAST_RUN.txt and the README's totals as they are",
    )
    parser.add_argument(
        "--from-saved",
        action="store_true",
        help="run nothing: rebuild the report from the outputs saved in WORKDIR/results "
        "(seconds as the runners printed them)",
    )
    args = parser.parse_args(argv)

    projects = list(PROJECTS)
    if args.list:
        for p in projects:
            print(
                f"{p.name}=={p.version}  args: {' '.join(p.args)}"
                + (f"  requires: {' '.join(p.requires)}" if p.requires else "")
                + f"\n    {' | '.join(f'{c}: {v}' for c, v in zip(COVERAGE_COLUMNS, coverage_cells(p), strict=True))}"
                + f"\n    {p.style}"
            )
        print()
        print(coverage_summary(projects))
        return 0
    if args.only:
        wanted = {normalized(n) for item in args.only for n in item.split(",") if n}
        unknown = wanted - {normalized(p.name) for p in projects}
        if unknown:
            parser.error(f"unknown project(s): {', '.join(sorted(unknown))}")
        projects = [p for p in projects if normalized(p.name) in wanted]

    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if args.from_saved:
        saved = [saved_result(p, workdir / "results") for p in projects]
        missing = [p.name for p, r in zip(projects, saved, strict=True) if r is None]
        results = [r for r in saved if r is not None]
        print(report(results, args.max_nodes), end="")
        if missing:
            print(f"(no saved outputs for: {', '.join(missing)})")
        if not args.no_record and results:
            # the outputs' own time, not this rebuild's
            outdir = workdir / "results"
            for res in results:
                stamp = (outdir / f"{res.project.name}.minitest.txt").stat().st_mtime
                record([res], time.strftime("%Y-%m-%d %H:%M", time.gmtime(stamp)), "(saved outputs)",
                       pytest_version(), args.max_nodes)
            print(f"(record updated: {RECORD_TABLE})")
        return 0 if all(r.equal for r in results) else 1
    pytest_pin = pytest_version()
    try:
        minitest_wheel, minitest_hash = build_minitest(workdir, base_env(workdir))
    except RuntimeError as exc:
        log(f"[corpus] cannot build minitest: {exc}")
        return 2
    log(f"[corpus] work dir {workdir}; pytest=={pytest_pin}; minitest from {REPO_ROOT} ({minitest_hash})")

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [
            pool.submit(do_project, p, workdir, minitest_wheel, minitest_hash, pytest_pin, args.keep)
            for p in projects
        ]
        results = [f.result() for f in futures]
    text = report(results, args.max_nodes)
    print(text, end="")
    print(f"(wall time {time.perf_counter() - started:.0f}s; full outputs in {workdir / 'results'})")
    if not args.no_record:
        record(results, now(), f"{checkout_id()} ({minitest_hash})", pytest_pin, args.max_nodes)
        print(f"(record updated: {RECORD_TABLE})")
    return 0 if all(r.equal for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
