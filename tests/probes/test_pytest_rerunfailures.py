"""pytest-rerunfailures' configuration under minitest's ``reruns`` builtin (the installed plugin is
not loaded: its protocol is pytest's runner internals). pytest runs the real plugin; both must
give the same attempts (the RERUN lines of ``-v``, in order), outcomes, exit code, final line and
"rerun test summary info" section, for ``--reruns``, the ``reruns`` ini key, the ``flaky`` mark
(count, condition, filters), ``--only-rerun`` / ``--rerun-except``, a failing fixture, a
module-scoped fixture kept across attempts, a fresh class instance per attempt, xfail (never
rerun), ``--fail-on-flaky`` (exit 7) and workers (``-n 2``).

One difference on purpose: a test that passed only on a rerun is FLAKY under minitest (its own
word, letter and count on the final line) where pytest-rerunfailures says PASSED; the comparisons
read minitest's FLAKY as PASSED."""

from __future__ import annotations

import re

import pytest
from conftest import RunResult
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

# Each runner is one process (a test and its reruns stay in one worker with -n): the attempt
# counters are files named after it, so the second runner starts from zero in the same folder.
COUNTING = '''
import os


def attempt(name):
    """1 on the test's first attempt, 2 on its first rerun..."""
    path = os.path.join(os.path.dirname(__file__), f".attempts-{os.getpid()}-{name}")
    count = int(open(path).read()) + 1 if os.path.exists(path) else 1
    with open(path, "w") as f:
        f.write(str(count))
    return count
'''

TESTS = {
    "counting.py": COUNTING,
    "conftest.py": "",
    "test_flaky.py": '''
import pytest

from counting import attempt

MODULE_SETUPS = []


@pytest.fixture(scope="module")
def module_resource():
    MODULE_SETUPS.append(1)
    return "resource"


def test_passes():
    pass


def test_passes_on_second_attempt(module_resource):
    assert attempt("second") >= 2


@pytest.mark.flaky(reruns=3)
def test_marked_passes_on_third(module_resource):
    assert attempt("third") >= 3


def test_module_fixture_set_up_once(module_resource):
    assert MODULE_SETUPS == [1]


def test_always_fails():
    assert attempt("always") == 0


@pytest.fixture
def flaky_setup():
    if attempt("setup") < 2:
        raise RuntimeError("setup failed")
    yield "ready"


def test_setup_fails_once(flaky_setup):
    assert flaky_setup == "ready"


@pytest.fixture
def flaky_teardown():
    yield
    if attempt("teardown") < 2:
        raise RuntimeError("teardown failed")


def test_teardown_fails_once(flaky_teardown):
    pass


@pytest.mark.xfail(reason="known")
def test_xfail_not_rerun():
    assert attempt("xfail") == 0


@pytest.mark.flaky(reruns=2, condition=False)
def test_condition_false_not_rerun():
    assert attempt("condition") >= 2


@pytest.mark.flaky(reruns=2, only_rerun=["ConnectionError"])
def test_mark_only_rerun():
    if attempt("only") < 2:
        raise ConnectionError("try again")


class TestInstances:
    def test_fresh_instance(self):
        assert not hasattr(self, "seen")
        self.seen = True
        assert attempt("instance") >= 2
''',
}

FILTERS = {
    "counting.py": COUNTING,
    "test_filters.py": '''
from counting import attempt


def test_value_error():
    if attempt("value") < 2:
        raise ValueError("flaky value")


def test_type_error():
    if attempt("type") < 2:
        raise TypeError("flaky type")
''',
}

_ATTEMPT_LINE = re.compile(r"^(?P<nodeid>\S+::\S+) (?P<word>RERUN|PASSED|FLAKY|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b")
_WORKER_LINE = re.compile(r"^\[gw\d+\] \[\s*\d+%\] (?P<word>RERUN|PASSED|FLAKY|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (?P<nodeid>\S+)")


def attempts(result: RunResult) -> list[tuple[str, str]]:
    """Every ``-v`` result line (RERUN included), in order; minitest's FLAKY read as PASSED."""
    found = []
    for line in result.lines:
        m = _ATTEMPT_LINE.match(line) or _WORKER_LINE.match(line)
        if m:
            found.append((m.group("nodeid"), "PASSED" if m.group("word") == "FLAKY" else m.group("word")))
    return found


def outcomes(result: RunResult) -> dict[str, int]:
    """The final line's counts, minitest's flaky tests counted as passed (as pytest-rerunfailures does)."""
    counts = result.outcomes()
    flaky = counts.pop("flaky", 0)
    if flaky:
        counts["passed"] = counts.get("passed", 0) + flaky
    return counts


def rerun_summary(result: RunResult) -> list[str]:
    lines = result.lines
    for i, line in enumerate(lines):
        if "rerun test summary info" in line:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("="))
            return [f"PASSED {text[len('FLAKY '):]}" if text.startswith("FLAKY ") else text for text in lines[i + 1:end]]
    return []




def compare(probe, files, *args, **kw):  # noqa: F811 - the fixture
    folder = probe(files)
    mine = folder.run("minitest", *args, **kw)
    ref = folder.run("pytest", *args, **kw)
    context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
    return mine, ref, context


def test_reruns_option(probe):  # noqa: F811 - the fixture
    mine, ref, context = compare(probe, TESTS, "--reruns", "1", "-rR")
    assert attempts(mine) == attempts(ref) != [], context
    assert (mine.ret, outcomes(mine)) == (ref.ret, outcomes(ref)), context
    assert mine.outcomes() == {"failed": 2, "passed": 3, "flaky": 6, "rerun": 8, "xfailed": 1}, context
    assert rerun_summary(mine) == rerun_summary(ref) != [], context
    # the first failure of a test that passed later is not among the failures
    assert ("test_flaky.py::test_passes_on_second_attempt", "RERUN") in attempts(mine), context
    assert not any("test_passes_on_second_attempt" in line for line in mine.lines if line.startswith("FAILED")), context


def test_reruns_ini_and_flaky_exit_code(probe):  # noqa: F811 - the fixture
    files = {**TESTS, "pytest.ini": "[pytest]\nreruns = 2\n"}
    mine, ref, context = compare(probe, files, "--fail-on-flaky", "-k", "not always and not condition")
    assert attempts(mine) == attempts(ref) != [], context
    # every test passed in the end, some only on a rerun: exit code 7
    assert (mine.ret, outcomes(mine)) == (ref.ret, outcomes(ref)), context
    assert mine.ret == 7, context


@pytest.mark.parametrize("args", [("--only-rerun", "ValueError"), ("--rerun-except", "TypeError"),
                                  ("--only-rerun", "Value", "--only-rerun", "Type")])
def test_error_filters(probe, args):  # noqa: F811 - the fixture
    mine, ref, context = compare(probe, FILTERS, "--reruns", "1", *args)
    assert attempts(mine) == attempts(ref) != [], context
    assert (mine.ret, outcomes(mine)) == (ref.ret, outcomes(ref)), context


def test_reruns_with_workers(probe):  # noqa: F811 - the fixture
    # (the order of tests is the workers', and pytest-xdist's final line never counts the tests
    # deselected with -k: this folder selects all of its tests)
    files = {**TESTS, "test_flaky.py": TESTS["test_flaky.py"].replace("def test_module_fixture_set_up_once",
                                                                      "def _not_a_test")}
    mine, ref, context = compare(probe, files, "-n", "2", "--reruns", "1")
    assert sorted(attempts(mine)) == sorted(attempts(ref)) != [], context
    assert (mine.ret, outcomes(mine)) == (ref.ret, outcomes(ref)), context
