"""The ``repeat`` builtin (``--count N``, the ``repeat`` mark): pytest-repeat's ids and order, the
step fixture, ``-x`` naming the attempt that failed, workers, ``-p no:repeat`` and bad input.
(``tests/probes/test_pytest_repeat.py`` compares with the real plugin under pytest.)"""

from __future__ import annotations

import re

import pytest
from conftest import collected_nodeids, verbose_nodeids

# the n-th run of test_x (over the whole run, in any process) fails when n == 3
# the count is taken under a lock: with workers two attempts may append at once, and without
# it neither might read exactly 3 (both read 4), which made the -n 2 test below flaky
COUNTER_TEST = """
import fcntl
import os

def test_x():
    path = os.path.join(os.path.dirname(__file__), ".runs")
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(".")
        f.flush()
        f.seek(0)
        runs = len(f.read())
    assert runs != 3, f"run {runs} fails"
"""

IDS = """
import minitest

def test_plain():
    pass

@minitest.mark.parametrize("p", ["a", "b"])
def test_param(p):
    pass

class TestK:
    def test_method(self):
        pass

@minitest.mark.repeat(2)
def test_marked():
    pass

@minitest.mark.repeat(1)
def test_once():
    pass
"""


def test_ids_and_order_are_pytest_repeats(files, run):
    files({"test_ids.py": IDS})
    result = run("--collect-only", "-q", "--count", "3")
    assert collected_nodeids(result) == [
        "test_ids.py::test_plain[1-3]", "test_ids.py::test_plain[2-3]", "test_ids.py::test_plain[3-3]",
        # the repetition id comes after the test's own parameters; each case repeats in a row
        "test_ids.py::test_param[a-1-3]", "test_ids.py::test_param[a-2-3]", "test_ids.py::test_param[a-3-3]",
        "test_ids.py::test_param[b-1-3]", "test_ids.py::test_param[b-2-3]", "test_ids.py::test_param[b-3-3]",
        "test_ids.py::TestK::test_method[1-3]", "test_ids.py::TestK::test_method[2-3]",
        "test_ids.py::TestK::test_method[3-3]",
        # the mark wins over --count; repeat(1) runs once whatever --count says
        "test_ids.py::test_marked[1-2]", "test_ids.py::test_marked[2-2]",
        "test_ids.py::test_once",
    ], result.dump()


def test_mark_alone_and_repeat_scope(files, run):
    files({"test_ids.py": IDS})
    result = run("--collect-only", "-q")
    assert [i for i in collected_nodeids(result) if "[" in i and "param" not in i] == [
        "test_ids.py::test_marked[1-2]", "test_ids.py::test_marked[2-2]"], result.dump()
    # module scope: the whole module runs, then again (pytest-repeat's --repeat-scope)
    result = run("--collect-only", "-q", "--count", "2", "--repeat-scope", "module", "-k", "plain or method")
    assert collected_nodeids(result) == [
        "test_ids.py::test_plain[1-2]", "test_ids.py::TestK::test_method[1-2]",
        "test_ids.py::test_plain[2-2]", "test_ids.py::TestK::test_method[2-2]",
    ], result.dump()


def test_step_fixture_and_selection_by_id(files, run):
    files({"test_step.py": """
        STEPS = []

        def test_step(request):
            STEPS.append(request.node.callspec.params["__pytest_repeat_step_number"])

        def test_all_steps_seen():
            assert STEPS == [0, 1, 2, 3]
    """})
    result = run("-v", "--count", "4", "test_step.py::test_step", "test_step.py::test_all_steps_seen[4-4]")
    assert result.ret == 0, result.dump()
    assert [word for _, word in verbose_nodeids(result)] == ["PASSED"] * 5, result.dump()
    result = run("-v", "--count", "4", "test_step.py::test_step[2-4]")
    assert verbose_nodeids(result) == [("test_step.py::test_step[2-4]", "PASSED")], result.dump()


def test_exitfirst_stops_at_the_failing_attempt_and_names_it(files, run):
    files({"test_x.py": COUNTER_TEST})
    result = run("--count", "5", "-x", "-v")
    assert result.ret == 1, result.dump()
    assert verbose_nodeids(result) == [
        ("test_x.py::test_x[1-5]", "PASSED"), ("test_x.py::test_x[2-5]", "PASSED"),
        ("test_x.py::test_x[3-5]", "FAILED"),
    ], result.dump()
    # in the stop-reason area: after the "!!!" line, before the final line
    result.fnmatch_lines([
        "FAILED test_x.py::test_x[[]3-5] - AssertionError: run 3 fails",
        "!*! stopping after 1 failures !*!",
        "stopped at attempt 3 of 5 of test_x.py::test_x",
        "*= 1 failed, 2 passed in *s =*",
    ], consecutive=True)


def test_parametrized_failure_names_the_test_case(files, run):
    files({"test_p.py": """
        import minitest

        @minitest.mark.parametrize("p", ["ok", "bad"])
        def test_p(p, request):
            step = request.node.callspec.params["__pytest_repeat_step_number"]
            assert not (p == "bad" and step == 1)
    """})
    result = run("--count", "3", "-x", "-q")
    assert result.outcomes() == {"failed": 1, "passed": 4}, result.dump()
    result.fnmatch_lines(["stopped at attempt 2 of 3 of test_p.py::test_p[[]bad]"])
    # without -x nothing stopped the run: no such line
    result = run("--count", "3", "-q")
    assert result.outcomes() == {"failed": 1, "passed": 5}, result.dump()
    result.no_fnmatch_line("stopped at attempt*")


def test_with_workers(files, run):
    files({"test_x.py": COUNTER_TEST, "test_ok.py": "def test_ok(): pass\n"})
    result = run("-n", "2", "-v", "--count", "3", "test_ok.py")
    assert sorted(verbose_nodeids(result)) == [(f"test_ok.py::test_ok[{i}-3]", "PASSED") for i in (1, 2, 3)], \
        result.dump()
    # the third run fails, whichever attempt it is on whichever worker: the controller names it
    result = run("-n", "2", "-x", "--count", "5", "test_x.py")
    assert result.ret == 1, result.dump()
    failed = re.findall(r"^FAILED test_x.py::test_x\[(\d)-5\]", result.stdout, re.M)
    assert failed, result.dump()
    result.fnmatch_lines(["!*! stopping after 1 failures !*!"])
    named = re.findall(r"^stopped at attempt (\d) of 5 of test_x.py::test_x$", result.stdout, re.M)
    assert named and set(named) <= set(failed), result.dump()


def test_off_with_p_no(files, run):
    files({"test_ids.py": IDS})
    for name in ("repeat", "pytest_repeat"):
        result = run("-p", f"no:{name}", "--count", "2")
        assert result.ret == 4, result.dump()
        result.fnmatch_lines(["*unrecognized arguments: --count*"], stream="stderr")
    result = run("-p", "no:repeat", "--collect-only", "-q")
    assert "test_ids.py::test_marked" in collected_nodeids(result), result.dump()


@pytest.mark.parametrize(("args", "message"), [
    (("--count", "0"), "*--count: expected a whole number of runs of at least 1, got 0*"),
    (("--count", "-1"), "*--count: expected a whole number of runs of at least 1, got -1*"),
    (("--count", "abc"), "*argument --count: invalid int value: 'abc'*"),
    (("--repeat-scope", "galaxy"), "*argument --repeat-scope: invalid choice: 'galaxy'*"),
])
def test_bad_input_is_a_usage_error(files, run, args, message):
    files({"test_x.py": "def test_x(): pass\n"})
    result = run(*args)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([message], stream="stderr")
    assert "Traceback" not in result.output, result.dump()


def test_bad_mark_is_an_error_of_its_file(files, run):
    files({"test_x.py": """
        import minitest

        @minitest.mark.repeat("many")
        def test_x(): pass
    """})
    result = run()
    assert result.ret == 2, result.dump()
    result.fnmatch_lines(["*test_x.py::test_x: the repeat mark expects a whole number of runs, got 'many'*"])
    assert "Traceback" not in result.output, result.dump()
