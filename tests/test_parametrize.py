"""Parametrization: ids, products, params with marks, class level, indirect, errors — as pytest."""

from __future__ import annotations

import pytest
from conftest import collected_nodeids, run_minitest, run_pytest_process
from dual_suite import compare_dual, to_pytest

IDS_SUITE = {
    "test_ids.py": r'''
        import enum, re
        import minitest

        class Color(enum.Enum):
            RED = 1

        class Obj:
            pass

        def helper(): pass

        @minitest.mark.parametrize("v", [1, 2.5, "abc", None, True, b"by", "é", "tab\there", "\x00", Color.RED,
                                         Obj, helper, Obj(), re.compile("a+b"), 3j, "a\\b", b"\xff", "日本",
                                         (1, 2), [3], enum])
        def test_auto(v): pass

        @minitest.mark.parametrize("a,b", [(1, 2), (1, 2), ("x", "x"), ("a0", 0)])
        def test_dups(a, b): pass

        @minitest.mark.parametrize("a", ["a", "a", "a0", "1", "1", "1_0", "b1_", "b1_", "b1", "b1"])
        def test_dups_colliding(a): pass

        @minitest.mark.parametrize("x", [1, 2], ids=["one", "two"])
        @minitest.mark.parametrize("y", [3, 4])
        def test_stacked(x, y): pass

        @minitest.mark.parametrize("x", [1, 2, 3], ids=lambda v: f"v{v}" if v != 2 else None)
        def test_idfn(x): pass

        @minitest.mark.parametrize("x", [1, 2], ids=lambda v: object())
        def test_idfn_unusable(x): pass

        @minitest.mark.parametrize("x", [1, 2, 3], ids=[None, "given", "été"])
        def test_ids_list(x): pass

        @minitest.mark.parametrize("x", [1, 2], ids=[10, Color.RED])
        def test_ids_not_str(x): pass

        @minitest.mark.parametrize("x", [minitest.param(1, id="p-one"), minitest.param(2), 3])
        def test_param_id(x): pass

        @minitest.mark.parametrize("x", [1, 2], ids=(i for i in ["g1", "g2"]))
        def test_ids_generator(x): pass

        @minitest.mark.parametrize("x", [1, 2], ids=[])
        def test_ids_empty_list(x): pass

        @minitest.mark.parametrize(("x", "y"), [(1, 2)])
        def test_tuple_names(x, y): pass

        @minitest.mark.parametrize(["x"], [(1,), (2,)])
        def test_list_names(x): pass

        @minitest.mark.parametrize("x", [(1, 2)])
        def test_tuple_value(x): assert x == (1, 2)

        @minitest.mark.parametrize(argnames="x", argvalues=[5])
        def test_keyword_args(x): assert x == 5

        @minitest.mark.parametrize("x", range(2))
        @minitest.mark.parametrize("y", "ab")
        @minitest.mark.parametrize("z", [True])
        def test_three_stacked(x, y, z): pass

        @minitest.mark.parametrize("x", range(2))
        class TestClassLevel:
            def test_a(self, x): pass

            @minitest.mark.parametrize("y", ["p", "q"])
            def test_b(self, x, y): pass

        @minitest.mark.parametrize("x", [1, 2], ids=iter(["i1", "i2"]))
        class TestIteratorIds:
            def test_a(self, x): pass
            def test_b(self, x): pass
    ''',
}


def _ids(result) -> list[str]:
    return [to_pytest(nodeid) for nodeid in collected_nodeids(result)]


def test_ids_match_pytest(tmp_path):
    mine, ref = compare_dual(tmp_path, IDS_SUITE)
    mine_co = run_minitest("--co", "-q", cwd=tmp_path / "minitest")
    ref_co = run_pytest_process("--co", "-q", cwd=tmp_path / "pytest")
    expected = [nodeid.replace("pytest", "minitest") for nodeid in _ids(ref_co)]
    assert [n.replace("pytest", "minitest") for n in _ids(mine_co)] == expected
    # a few spelled out, so a regression reads clearly
    ids = collected_nodeids(mine_co)
    for nodeid in ["test_ids.py::test_auto[\\xe9]", "test_ids.py::test_auto[tab\\there]",
                   "test_ids.py::test_auto[\\x00]", "test_ids.py::test_auto[Color.RED]",
                   "test_ids.py::test_auto[Obj]", "test_ids.py::test_auto[helper]", "test_ids.py::test_auto[v12]",
                   "test_ids.py::test_auto[a+b]", "test_ids.py::test_auto[a\\\\b]", "test_ids.py::test_auto[\\xff]",
                   "test_ids.py::test_auto[\\u65e5\\u672c]", "test_ids.py::test_auto[enum]",
                   "test_ids.py::test_dups[1-2_0]", "test_ids.py::test_dups[1-2_1]",
                   "test_ids.py::test_dups_colliding[a1]", "test_ids.py::test_dups_colliding[a2]",
                   "test_ids.py::test_stacked[3-one]", "test_ids.py::test_stacked[4-two]",
                   "test_ids.py::test_three_stacked[True-a-0]", "test_ids.py::test_idfn[2]",
                   "test_ids.py::test_ids_list[\\xe9t\\xe9]", "test_ids.py::test_ids_not_str[Color.RED]",
                   "test_ids.py::TestClassLevel::test_b[p-1]", "test_ids.py::TestIteratorIds::test_b[i2]"]:
        assert nodeid in ids, mine_co.dump()
    mine.assert_outcomes(passed=len(expected))


def test_unescaped_ids_option(tmp_path):
    files = {"minitest.ini": "[minitest]\n"
                             "disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n",
             "test_u.py": """
                 import minitest
                 @minitest.mark.parametrize("x", ["é", "日本"])
                 def test_u(x): pass
             """}
    mine, _ = compare_dual(tmp_path, files)
    assert "test_u.py::test_u[é] PASSED" in mine.stdout


PARAM_MARKS_SUITE = {
    "test_pm.py": """
        import minitest

        @minitest.mark.parametrize("x", [
            1,
            minitest.param(2, marks=minitest.mark.skip(reason="two")),
            minitest.param(3, marks=[minitest.mark.xfail(reason="three")]),
            minitest.param(4, marks=minitest.mark.xfail(strict=True)),
            minitest.param(0, id="zero"),
        ])
        def test_values(x):
            assert x in (1, 4)

        @minitest.mark.parametrize("x", [])
        def test_empty(x): pass

        @minitest.mark.parametrize("a, b", [])
        def test_empty_two(a, b): pass

        @minitest.mark.parametrize("x", [1])
        @minitest.mark.parametrize("y", [])
        def test_empty_stacked(x, y): pass

        @minitest.mark.parametrize("n, expected", [(1, 2), (2, 3), (3, 5)])
        def test_increment(n, expected):
            assert n + 1 == expected
    """,
}


def test_param_marks_and_empty_sets_match_pytest(tmp_path):
    mine, _ = compare_dual(tmp_path, PARAM_MARKS_SUITE, "-rs")
    mine.assert_outcomes(failed=3, passed=3, skipped=4, xfailed=1)
    assert "SKIPPED [1] test_pm.py:13: got empty parameter set for (x)" in mine.lines, mine.dump()
    assert "SKIPPED [1] test_pm.py:16: got empty parameter set for (a, b)" in mine.lines, mine.dump()


def test_empty_parameter_set_mark_ini(tmp_path):
    files = {**PARAM_MARKS_SUITE, "minitest.ini": "[minitest]\nempty_parameter_set_mark = xfail\n"}
    mine, _ = compare_dual(tmp_path, files, "-k", "empty")
    mine.assert_outcomes(xfailed=3, deselected=8)


def test_node_ids_with_params_on_the_command_line(tmp_path):
    mine, _ = compare_dual(tmp_path, PARAM_MARKS_SUITE, "test_pm.py::test_increment[2-3]",
                           "test_pm.py::test_values[zero]")
    mine.assert_outcomes(passed=1, failed=1)


def test_metafunc_parametrize_from_conftest_hook(tmp_path):
    files = {
        "conftest.py": """
            def minitest_generate_tests(metafunc):
                if "word" in metafunc.fixturenames:
                    metafunc.parametrize("word", ["alpha", "beta"], ids=str.upper)
                if "num" in metafunc.fixturenames:
                    metafunc.parametrize("num", [1, 2], scope="module")
        """,
        "test_hook.py": """
            import minitest

            def test_word(word):
                assert word in ("alpha", "beta")

            @minitest.mark.parametrize("x", [0])
            def test_both(x, word, num):
                assert num in (1, 2)
        """,
    }
    mine, _ = compare_dual(tmp_path, files)
    mine.assert_outcomes(passed=6)
    # conftest hooks run before the plugin applying parametrize marks: their ids come first; the
    # tests sharing a module-scoped value run together (pytest >= 9.2 groups by value, #8914)
    for nodeid in ["test_hook.py::test_word[ALPHA]", "test_hook.py::test_both[BETA-2-0]"]:
        assert f"{nodeid} PASSED" in mine.stdout, mine.dump()


LONG_IDS_SUITE = {
    "test_long.py": """
        import minitest

        @minitest.mark.parametrize("s", ["x" * 100, "x" * 101, b"y" * 150, "short"])
        def test_auto(s): pass

        @minitest.mark.parametrize("s", ["z" * 150], ids=lambda v: v)
        def test_idfn_keeps_long(s): pass

        @minitest.mark.parametrize("s", [minitest.param("w" * 150, id="explicit")])
        def test_explicit(s): pass
    """,
}


@pytest.mark.parametrize("strategy", [None, "sha256", "legacy", "disallow"])
def test_long_str_ids_follow_the_strategy(tmp_path, strategy):
    """pytest >= 9.2 (#6881): an auto id of a str/bytes value over 100 characters is argname+index
    by default; ``parametrize_long_str_id_strategy`` chooses otherwise."""
    files = dict(LONG_IDS_SUITE)
    if strategy:
        files["minitest.ini"] = f"[minitest]\nparametrize_long_str_id_strategy = {strategy}\n"
    mine, _ = compare_dual(tmp_path, files)
    if strategy is None:
        assert "test_long.py::test_auto[s1] PASSED" in mine.stdout, mine.dump()
        assert "test_long.py::test_auto[s2] PASSED" in mine.stdout, mine.dump()
        assert f"test_long.py::test_auto[{'x' * 100}] PASSED" in mine.stdout, mine.dump()


def test_higher_scoped_params_grouped_by_value(tmp_path):
    """pytest >= 9.2 (#8914): tests given an equal module-scoped value by separate parametrize
    calls run together, so the fixture is set up once per value."""
    mine, _ = compare_dual(tmp_path, {"test_group.py": """
        import minitest

        SETUPS = []

        @minitest.fixture(scope="module")
        def res(request):
            SETUPS.append(request.param)
            return request.param

        @minitest.mark.parametrize("res", ["a", "b"], indirect=True)
        def test_one(res): pass

        @minitest.mark.parametrize("res", ["b", "a", {"x": 1}], indirect=True)
        def test_two(res): pass

        def test_setups():
            assert SETUPS.count("a") == 1 and SETUPS.count("b") == 1
    """})
    mine.assert_outcomes(passed=6)


def test_indirect_parametrization(tmp_path):
    mine, _ = compare_dual(tmp_path, {"test_ind.py": """
        import minitest

        @minitest.fixture
        def fx(request):
            return request.param * 10

        @minitest.mark.parametrize("fx", [1, 2], indirect=True)
        def test_all_indirect(fx):
            assert fx in (10, 20)

        @minitest.mark.parametrize("fx, y", [(1, 1)], indirect=["fx"])
        def test_some_indirect(fx, y):
            assert (fx, y) == (10, 1)
    """})
    mine.assert_outcomes(passed=3)


def _errors_of(tmp_path, source: str) -> tuple[object, object]:
    files = {"test_bad.py": source, "test_good.py": "def test_fine(): pass\n"}
    return compare_dual(tmp_path, files)


def test_wrong_number_of_values_is_a_collection_error(tmp_path):
    mine, _ = _errors_of(tmp_path, """
        import minitest

        @minitest.mark.parametrize("x, y", [(1, 2, 3)])
        def test_count(x, y): pass

        def test_other(): pass
    """)
    # as in pytest: the module with the bad call is one collection error and the run is interrupted
    mine.assert_outcomes(errors=1)
    assert mine.ret == 2
    mine.fnmatch_lines(["*ERROR collecting test_bad.py*",
                        'test_bad.py::test_count: in "parametrize" the number of names (2):',
                        "  [[]'x', 'y'[]]", "must be equal to the number of values (3):", "  (1, 2, 3)"])


def test_unknown_argname_is_a_collection_error(tmp_path):
    mine, ref = _errors_of(tmp_path, """
        import minitest

        @minitest.mark.parametrize("z", [1])
        def test_unknown(x): pass

        @minitest.mark.parametrize("d", [1])
        def test_default(d=3): pass
    """)
    mine.assert_outcomes(errors=1)
    # pytest 9.2 names the test by its node id, and the short summary gives fail()'s message
    for result in (mine, ref):
        result.fnmatch_lines(["In test_bad.py::test_unknown: function uses no argument 'z'",
                              "ERROR test_bad.py - Failed: In test_bad.py::test_unknown: function uses no*"])


def test_default_argument_cannot_be_parametrized(tmp_path):
    mine, ref = _errors_of(tmp_path, """
        import minitest

        @minitest.mark.parametrize("d", [1])
        def test_default(d=3): pass
    """)
    for result in (mine, ref):
        result.fnmatch_lines(["In test_bad.py::test_default: function already takes an argument 'd' with a "
                              "default value"])


def test_duplicate_argname_is_a_collection_error(tmp_path):
    mine, _ = _errors_of(tmp_path, """
        import minitest

        @minitest.mark.parametrize("x", [1])
        @minitest.mark.parametrize("x", [2])
        def test_dup(x): pass
    """)
    mine.assert_outcomes(errors=1)
    mine.fnmatch_lines(["test_bad.py::test_dup: duplicate parametrization of 'x'"])


def test_ids_of_wrong_length_and_bad_indirect_are_collection_errors(tmp_path):
    mine, ref = _errors_of(tmp_path, """
        import minitest

        @minitest.mark.parametrize("x", [1, 2], ids=["only-one"])
        def test_ids(x): pass
    """)
    for result in (mine, ref):
        result.fnmatch_lines(["In test_bad.py::test_ids: 2 parameter sets specified, with different number of ids: 1"])
    mine2, ref2 = _errors_of(tmp_path / "b", """
        import minitest

        @minitest.mark.parametrize("x", [1], indirect=["nope"])
        def test_ind(x): pass
    """)
    for result in (mine2, ref2):
        result.fnmatch_lines(["In test_bad.py::test_ind: indirect fixture 'nope' doesn't exist"])


def test_unsupported_explicit_id_is_an_error(tmp_path):
    mine, ref = _errors_of(tmp_path, """
        import minitest

        @minitest.mark.parametrize("x", [1], ids=[object()])
        def test_obj(x): pass
    """)
    ref.fnmatch_lines(["In test_bad.py::test_obj: ids contains unsupported value <object object at *> (type: "
                       "<class 'object'>) at index 0. Supported types are: *"])
    mine.fnmatch_lines(["In test_bad.py::test_obj: ids contains unsupported value <object object at *> (type: "
                        "<class 'object'>) at index 0. Supported types are: *"])
