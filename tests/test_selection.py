"""-k / -m / --deselect / node ids: which tests run, and the deselected count — as pytest."""

from __future__ import annotations

import pytest
from conftest import run_minitest, run_pytest_process
from dual_suite import compare_dual, to_pytest, write_dual

SUITE = {
    "minitest.ini": """
        [minitest]
        markers =
            slow
            network
            device(serial, n): needs a device
    """,
    "test_web.py": """
        import minitest

        def test_http_get(): pass

        @minitest.mark.slow
        def test_http_POST(): pass

        @minitest.mark.network
        @minitest.mark.slow
        def test_download(): pass

        def test_attr(): pass
        test_attr.custom_flag = True

        class TestApi:
            @minitest.mark.device(serial="123", n=3)
            def test_list(self): pass

            @minitest.mark.device(serial="456", n=-1, flag=True, other=None)
            def test_create(self): pass

        @minitest.mark.parametrize("x", [1, 2, "a-b"])
        def test_param(x): pass
    """,
    "sub/test_db.py": """
        import minitest

        minitestmark = minitest.mark.network

        def test_query(): pass

        class TestConn:
            def test_open(self): pass
    """,
}


@pytest.mark.parametrize("expression, selected", [
    ("http", 2),                       # substring of function names, case-insensitive (POST)
    ("HTTP and not slow", 1),
    ("TestApi", 2),                    # a parent (class) name
    ("test_db.py", 2),                 # the module name
    ("sub", 2),                        # directory names count too (all but the rootdir's)
    ("slow", 2),                       # mark names are keywords
    ("custom_flag", 1),                # attributes set on the test function
    ("param and 2", 1),                # the parametrization id is part of the name
    ("(get or list) and not not TestApi or a-b", 2),
    ("network", 3),
])
def test_keyword_expressions(tmp_path, expression, selected):
    mine, _ = compare_dual(tmp_path, SUITE, "-k", expression)
    counts = mine.outcomes()
    assert counts.get("passed", 0) == selected
    assert counts.get("deselected", 0) == 11 - selected


@pytest.mark.parametrize("expression, selected", [
    ("slow and network", 1),
    ("network or device", 5),
    ("not network and not slow", 7),
    ('device(serial="123")', 1),
    ("device(serial='456', n=-1)", 1),
    ("device(flag=True)", 1),
    ("device(other=None)", 1),
    ("device(serial=123)", 0),        # an int is not the string "123"
    ("nomark", 0),
])
def test_mark_expressions(tmp_path, expression, selected):
    mine, _ = compare_dual(tmp_path, SUITE, "-m", expression)
    counts = mine.outcomes()
    assert counts.get("passed", 0) == selected
    assert counts.get("deselected", 0) == 11 - selected


def test_keyword_and_mark_together_with_deselect(tmp_path):
    mine, _ = compare_dual(tmp_path, SUITE, "-k", "not query", "-m", "network or slow",
                           "--deselect", "test_web.py::test_download")
    mine.assert_outcomes(passed=2, deselected=9)


def test_param_node_ids_and_deselect_prefix(tmp_path):
    mine, _ = compare_dual(tmp_path, SUITE, "test_web.py::test_param[a-b]", "test_web.py::TestApi",
                           "--deselect", "test_web.py::TestApi::test_create")
    mine.assert_outcomes(passed=2, deselected=1)


@pytest.mark.parametrize("option, expression, message", [
    ("-k", "foo and", "at column 8: expected not OR left parenthesis OR identifier; got end of input"),
    ("-k", "(foo", "at column 5: expected right parenthesis; got end of input"),
    ("-k", "foo bar", "at column 5: expected end of input; got identifier"),
    ("-k", "and", "at column 1: expected not OR left parenthesis OR identifier; got and"),
    ("-k", "foo)", "at column 4: expected end of input; got right parenthesis"),
    ("-m", "a(b=)", "at column 5: expected identifier; got right parenthesis"),
    ("-m", "a(b=1", "at column 6: expected right parenthesis; got end of input"),
    ("-m", "a(1)", "at column 3: not a valid python identifier 1"),
    ("-m", "a(and=1)", "at column 3: expected identifier; got and"),
    ("-m", 'a(b="x\\")', 'at column 7: escaping with "\\" not supported in marker expression'),
])
def test_malformed_expressions_are_usage_errors(tmp_path, option, expression, message):
    mine_dir, ref_dir = write_dual(tmp_path, SUITE)
    mine = run_minitest(option, expression, cwd=mine_dir)
    ref = run_pytest_process(option, expression, cwd=ref_dir)
    expected = f"ERROR: Wrong expression passed to '{option}': {expression}: {message}"
    assert mine.ret == ref.ret == 4, mine.dump() + ref.dump()
    assert expected in mine.errlines, mine.dump()
    assert expected in ref.errlines, ref.dump()


def test_keyword_expression_with_arguments_is_a_usage_error(tmp_path):
    mine_dir, ref_dir = write_dual(tmp_path, SUITE)
    mine = run_minitest("-k", "slow(a=1)", cwd=mine_dir)
    ref = run_pytest_process("-k", "slow(a=1)", cwd=ref_dir)
    assert mine.ret == ref.ret == 4
    assert to_pytest(mine.stderr.strip()) == ref.stderr.strip() == \
        "ERROR: Keyword expressions do not support call parameters."


def test_deselected_shown_in_collect_line_and_final_line(tmp_path):
    mine, ref = compare_dual(tmp_path, SUITE, "-k", "http")
    assert "collecting ... collected 11 items / 9 deselected / 2 selected" in mine.lines, mine.dump()
    assert mine.final_line().startswith("=") and "2 passed, 9 deselected in " in mine.final_line()
