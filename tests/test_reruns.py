"""The ``reruns`` builtin beyond what the pytest-rerunfailures probe compares: minitest's own mark,
string and callable conditions, ``execution_count``, the suite cap, excluded paths, the rerun
summary with tracebacks, JUnit attempts, ``-p no:reruns``, and bad input."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import verbose_nodeids

COUNTING = """
import os


def attempt(name):
    path = os.path.join(os.path.dirname(__file__), f".attempts-{name}")
    count = int(open(path).read()) + 1 if os.path.exists(path) else 1
    with open(path, "w") as f:
        f.write(str(count))
    return count
"""


def test_minitest_mark_with_conditions_and_execution_count(files, run):
    files({
        "counting.py": COUNTING,
        "test_marks.py": """
            import minitest
            from counting import attempt

            @minitest.mark.flaky(reruns=2, condition="isinstance(error, ConnectionError)")
            def test_string_condition_holds():
                if attempt("holds") < 2:
                    raise ConnectionError("retry me")

            @minitest.mark.flaky(reruns=2, condition="isinstance(error, ConnectionError)")
            def test_string_condition_fails():
                if attempt("fails") < 2:
                    raise ValueError("not worth retrying")

            @minitest.mark.flaky(reruns=2, condition=lambda error: "again" in str(error))
            def test_callable_condition(request):
                if attempt("callable") < 3:
                    raise RuntimeError("again")
                assert request.node.execution_count == 3
        """,
    })
    result = run("-v")
    assert dict(verbose_nodeids(result)) == {
        "test_marks.py::test_string_condition_holds": "FLAKY",
        "test_marks.py::test_string_condition_fails": "FAILED",
        "test_marks.py::test_callable_condition": "FLAKY",
    }, result.dump()
    assert result.outcomes() == {"failed": 1, "flaky": 2, "rerun": 3}, result.dump()


def test_a_test_passing_on_a_rerun_is_flaky(files, run, tmp_path):
    files({"counting.py": COUNTING, "test_f.py": """
        from counting import attempt
        def test_ok(): pass
        def test_flaky(): assert attempt("flaky") >= 2, "first attempt"
    """})
    result = run("--reruns", "1")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "test_f.py .RL *[[]100%]",
        "*= short test summary info =*",
        "FLAKY test_f.py::test_flaky - passed at attempt 2; failed before: AssertionEr...",
        "*= 1 passed, 1 rerun, 1 flaky in *",
    ])
    for counter in tmp_path.glob(".attempts-*"):
        counter.unlink()
    result = run("--reruns", "1", "-v")  # the whole line
    result.fnmatch_lines(["FLAKY test_f.py::test_flaky - passed at attempt 2; failed before: AssertionError: "
                          "first attempt"])
    # the run fails on flaky tests when asked to, with pytest-rerunfailures' exit code
    for counter in tmp_path.glob(".attempts-*"):
        counter.unlink()
    result = run("--reruns", "1", "--fail-on-flaky")
    assert (result.ret, result.outcomes()) == (7, {"passed": 1, "flaky": 1, "rerun": 1}), result.dump()


def test_suite_cap_and_excluded_paths(files, run):
    files({
        "counting.py": COUNTING,
        "test_a.py": """
            from counting import attempt
            def test_a(): assert attempt("a") >= 2
            def test_b(): assert attempt("b") >= 2
        """,
        "slow/test_c.py": """
            from counting import attempt
            def test_c(): assert attempt("c") >= 2
        """,
    })
    result = run("--reruns", "1", "--max-suite-reruns", "1", "--rerun-exclude-path", "slow")
    # test_a got the one rerun of the suite; test_b none; test_c is under an excluded path
    assert result.outcomes() == {"failed": 2, "flaky": 1, "rerun": 1}, result.dump()
    result.fnmatch_lines(["FAILED slow/test_c.py::test_c - *", "FAILED test_a.py::test_b - *"])


def test_rerun_summary_with_tracebacks(files, run):
    files({"counting.py": COUNTING, "test_x.py": """
        from counting import attempt
        def test_x():
            assert attempt("x") == 2, "first attempt fails"
    """})
    result = run("--reruns", "2", "--rerun-show-tracebacks")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "*= rerun test summary info =*",
        "RERUN test_x.py::test_x",
        "*AssertionError: first attempt fails*",
        "FLAKY test_x.py::test_x",
        "*= 1 rerun, 1 flaky in *",
    ])


def test_junit_keeps_every_attempt_in_one_testcase(files, run, tmp_path):
    files({"counting.py": COUNTING, "test_j.py": """
        import minitest
        from counting import attempt

        def test_flaky():
            assert attempt("flaky") >= 3, "not yet"

        def test_broken():
            assert attempt("broken") == 0, "never"

        @minitest.fixture
        def resource():
            if attempt("setup") < 2:
                raise RuntimeError("setup not ready")

        def test_setup(resource):
            pass
    """})
    result = run("--reruns", "2", "--junitxml=report.xml")
    assert result.outcomes() == {"failed": 1, "flaky": 2, "rerun": 5}, result.dump()
    suite = ET.parse(tmp_path / "report.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "0")
    cases = {case.get("name"): [child.tag for child in case] for case in suite.iter("testcase")}
    assert cases == {
        "test_flaky": ["flakyFailure", "flakyFailure"],
        "test_broken": ["failure", "rerunFailure", "rerunFailure"],
        "test_setup": ["flakyError"],
    }
    flaky = suite.find("testcase[@name='test_flaky']/flakyFailure/stackTrace")
    assert flaky is not None and "AssertionError: not yet" in (flaky.text or "")
    assert suite.find("testcase[@name='test_flaky']/flakyFailure").get("type") == "AssertionError"
    assert suite.find("testcase[@name='test_setup']/flakyError").get("type") == "RuntimeError"
    # the attempts follow the layout of Surefire's reports, where these elements come from
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit-reruns.xsd")).validate(str(tmp_path / "report.xml"))


def test_reruns_off_with_p_no(files, run):
    files({"counting.py": COUNTING, "test_x.py": """
        from counting import attempt
        def test_x(): assert attempt("x") >= 2
    """})
    # pytest's name of the plugin blocks the builtin too, as a pytest user expects; its options go with it
    for name in ("reruns", "rerunfailures"):
        result = run("-p", f"no:{name}", "--reruns", "1")
        assert result.ret == 4, result.dump()
        result.fnmatch_lines(["*unrecognized arguments: --reruns*"], stream="stderr")
    result = run("--reruns", "1")
    assert (result.ret, result.outcomes()) == (0, {"flaky": 1, "rerun": 1}), result.dump()


@pytest.mark.parametrize(("args", "ini", "message"), [
    (("--reruns", "-1"), "", "*--reruns: expected a number >= 0, got -1*"),
    (("--reruns", "abc"), "", "*--reruns: invalid int value: 'abc'*"),
    (("--reruns", "1", "--only-rerun", "("), "", "*invalid regular expression for only_rerun: '('*"),
    (("--reruns", "1", "--pdb"), "", "*--reruns cannot be used with --pdb*"),
    ((), "reruns = many", "*reruns ini value: expected a whole number, got 'many'*"),
    ((), "reruns_delay = -2", "*reruns_delay ini value: expected a number >= 0, got '-2'*"),
])
def test_bad_input_is_a_usage_error(files, run, args, ini, message):
    files({"minitest.ini": f"[minitest]\n{ini}\n", "test_x.py": "def test_x(): pass\n"})
    result = run(*args)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines([message], stream="stderr")
    assert "Traceback" not in result.output, result.dump()
