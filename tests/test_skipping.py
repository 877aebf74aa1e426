"""skip / skipif / xfail marks and outcomes, compared with pytest on the same suites."""

from __future__ import annotations

import re

from conftest import RunResult, run_minitest, run_pytest_process
from dual_suite import compare_dual, normalized_outcomes, to_pytest, write_dual

MARKS_SUITE = {
    "test_marks.py": """
        import sys
        import minitest

        FLAG = True

        @minitest.mark.skip
        def test_skip_no_reason(): pass

        @minitest.mark.skip("positional reason")
        def test_skip_positional(): pass

        @minitest.mark.skip(reason="keyword reason")
        def test_skip_keyword(): pass

        @minitest.mark.skipif(sys.version_info > (3,), reason="py3")
        def test_skipif_bool_true(): pass

        @minitest.mark.skipif(False, reason="never")
        def test_skipif_bool_false(): pass

        @minitest.mark.skipif("sys.platform != 'nowhere'")
        def test_skipif_string(): pass

        @minitest.mark.skipif("FLAG and config is not None and os.sep and platform.system()")
        def test_skipif_globals_and_namespace(): pass

        @minitest.mark.skipif("not FLAG")
        def test_skipif_string_false(): pass

        @minitest.mark.skipif(False, reason="a")
        @minitest.mark.skipif(True, reason="second")
        def test_skipif_stacked(): pass

        @minitest.mark.skipif(condition=True, reason="kw condition")
        def test_skipif_condition_kw(): pass

        @minitest.mark.xfail
        def test_xfail_fails(): assert 0

        @minitest.mark.xfail(reason="known bug")
        def test_xfail_passes(): pass

        @minitest.mark.xfail(strict=True, reason="must fail")
        def test_xfail_strict_passes(): pass

        @minitest.mark.xfail(strict=True)
        def test_xfail_strict_fails(): raise ValueError

        @minitest.mark.xfail(raises=TypeError)
        def test_xfail_raises_other(): raise ValueError

        @minitest.mark.xfail(raises=(TypeError, KeyError))
        def test_xfail_raises_tuple(): raise KeyError

        @minitest.mark.xfail(run=False, reason="would hang")
        def test_xfail_not_run(): raise SystemExit

        @minitest.mark.xfail(False, reason="condition false")
        def test_xfail_condition_false(): assert 0

        @minitest.mark.xfail("sys.platform != 'nowhere'")
        def test_xfail_string_condition(): assert 0

        def test_imperative_xfail():
            minitest.xfail("decided at runtime")

        def test_imperative_skip():
            minitest.skip("not today")

        def test_imperative_fail():
            minitest.fail("plain message", pytrace=False)

        @minitest.mark.xfail(reason="skip wins")
        def test_skip_inside_xfail():
            minitest.skip("skipped anyway")

        def test_passes(): pass

        @minitest.mark.skip(reason="whole class")
        class TestSkippedClass:
            def test_a(self): pass
            def test_b(self): pass

        @minitest.mark.xfail(reason="class xfail")
        class TestXfailClass:
            def test_fails(self): assert 0
            def test_passes(self): pass
    """,
}


def test_marks_and_outcomes_match_pytest(tmp_path):
    mine, _ = compare_dual(tmp_path, MARKS_SUITE)
    mine.assert_outcomes(failed=4, passed=3, skipped=12, xfailed=7, xpassed=2)
    assert mine.ret == 1


def _summary(result: RunResult) -> list[str]:
    lines = result.lines
    start = next(i for i, line in enumerate(lines) if "short test summary info" in line)
    return [to_pytest(line) for line in lines[start + 1:-1]]


def test_short_summary_skip_xfail_xpass_lines_match_pytest(tmp_path):
    mine, ref = compare_dual(tmp_path, MARKS_SUITE, "-rsxX")
    assert _summary(mine) == _summary(ref)
    # the skip of a mark points at the test, minitest.skip() at the line calling it
    # a class-level skip is one line per file, without a line number; an expected failure outside
    # the call names its phase (pytest 9.2)
    for line in ["SKIPPED [1] test_marks.py:6: unconditional skip",
                 "SKIPPED [1] test_marks.py:68: not today",
                 "SKIPPED [2] test_marks.py: whole class",
                 "XFAIL at setup of test_marks.py::test_xfail_not_run - [NOTRUN] would hang",
                 "XFAIL test_marks.py::test_imperative_xfail - decided at runtime",
                 "XPASS test_marks.py::test_xfail_passes - known bug"]:
        assert line in mine.lines, mine.dump()


def test_strict_xpass_is_a_failure_with_reason(tmp_path):
    mine, _ = compare_dual(tmp_path, MARKS_SUITE, "-k", "strict")
    mine.fnmatch_lines(["*_ test_xfail_strict_passes _*", "[[]XPASS(strict)[]] must fail",
                        "FAILED test_marks.py::test_xfail_strict_passes - [[]XPASS(strict)[]] must fail"])
    mine.assert_outcomes(failed=1, xfailed=1, deselected=26)


def test_rA_lists_every_category(tmp_path):
    mine, ref = compare_dual(tmp_path, {"test_a.py": """
        import minitest
        def test_ok(): pass
        def test_skip(): minitest.skip("s")
        @minitest.mark.xfail
        def test_xf(): assert 0
        @minitest.mark.xfail(reason="r")
        def test_xp(): pass
    """}, "-rA")
    assert _summary(mine) == _summary(ref)
    assert _summary(mine) == ["PASSED test_a.py::test_ok", "SKIPPED [1] test_a.py:3: s",
                              "XFAIL test_a.py::test_xf", "XPASS test_a.py::test_xp - r"]


def test_runxfail_reports_plain_outcomes(tmp_path):
    mine, _ = compare_dual(tmp_path, MARKS_SUITE, "--runxfail", "-k", "xfail")
    mine.assert_outcomes(failed=8, passed=4, skipped=1, deselected=15)


def test_xfail_strict_ini(tmp_path):
    files = {**MARKS_SUITE, "minitest.ini": "[minitest]\nxfail_strict = true\n"}
    mine, _ = compare_dual(tmp_path, files, "-k", "xfail_passes or xfail_condition_false or XfailClass")
    # strict from the ini: unexpected passes fail; an explicit strict=False would still win
    mine.assert_outcomes(failed=3, xfailed=1, deselected=24)


def test_broken_conditions_are_errors_naming_the_mark(tmp_path):
    mine, _ = compare_dual(tmp_path, {"test_cond.py": """
        import minitest

        @minitest.mark.skipif("sys.platform.startswith(")
        def test_syntax(): pass

        @minitest.mark.skipif("1/0")
        def test_raises(): pass

        @minitest.mark.xfail("undefined_name")
        def test_xfail_name_error(): pass

        @minitest.mark.skipif(True)
        def test_bool_without_reason(): pass

        def test_fine(): pass
    """})
    mine.assert_outcomes(errors=4, passed=1)
    mine.fnmatch_lines([
        "*ERROR at setup of test_syntax*",
        "Error evaluating 'skipif' condition",
        "    sys.platform.startswith(",
        "SyntaxError: invalid syntax",
        "*ERROR at setup of test_raises*",
        "Error evaluating 'skipif' condition",
        "    1/0",
        "ZeroDivisionError: division by zero",
        "*ERROR at setup of test_xfail_name_error*",
        "Error evaluating 'xfail' condition",
        "NameError: name 'undefined_name' is not defined",
        "*ERROR at setup of test_bool_without_reason*",
        "Error evaluating 'skipif': you need to specify reason=STRING when using booleans as conditions.",
    ])


def test_module_level_skip_and_importorskip(tmp_path):
    mine, ref = compare_dual(tmp_path, {
        "test_modskip.py": """
            import minitest
            minitest.skip("whole module", allow_module_level=True)
            def test_never(): pass
        """,
        "test_importorskip.py": """
            import minitest
            minitest.importorskip("no_such_module_xyz")
            def test_never(): pass
        """,
        "test_version.py": """
            import minitest
            minitest.importorskip("json", minversion="999")
            def test_never(): pass
        """,
        "test_inline_importorskip.py": """
            import minitest
            def test_present():
                json = minitest.importorskip("json")
                assert json.dumps(1) == "1"
            def test_missing():
                minitest.importorskip("no_such_module_xyz")
        """,
    }, "-rs")
    mine.assert_outcomes(passed=1, skipped=4)
    # skips at module level point at the line that skipped
    assert "SKIPPED [1] test_modskip.py:2: whole module" in mine.lines, mine.dump()
    assert [line for line in _summary(mine) if line.startswith("SKIPPED")] == \
        [line for line in _summary(ref) if line.startswith("SKIPPED")]


def test_marks_from_module_attribute_and_pytestmark_spelling(tmp_path):
    mine, _ = compare_dual(tmp_path, {
        "test_mod.py": """
            import minitest
            minitestmark = [minitest.mark.xfail(reason="module-wide")]
            def test_a(): assert 0
            def test_b(): pass
        """,
        "test_single.py": """
            import minitest
            minitestmark = minitest.mark.skip(reason="single mark, not a list")
            def test_c(): pass
        """,
    })
    mine.assert_outcomes(skipped=1, xfailed=1, xpassed=1)


def test_xfail_mark_added_at_runtime(tmp_path):
    mine, _ = compare_dual(tmp_path, {"test_dyn.py": """
        import minitest

        def test_dynamic(request):
            request.node.add_marker(minitest.mark.xfail(reason="added in the test"))
            assert 0
    """})
    mine.assert_outcomes(xfailed=1)


def test_xfail_report_keeps_reason_in_verbose_line(tmp_path):
    mine, _ = compare_dual(tmp_path, MARKS_SUITE, "-k", "not_run or xfail_passes")
    assert re.search(r"test_xfail_not_run XFAIL \(\[NOTRUN\] would hang\)", mine.stdout)
    assert re.search(r"test_xfail_passes XPASS \(known bug\)", mine.stdout)


def test_module_level_skip_without_allow_is_a_collection_error(tmp_path):
    mine, _ = compare_dual(tmp_path, {
        "test_bad_module_skip.py": """
            import minitest
            minitest.skip("forgot allow_module_level")
            def test_never(): pass
        """,
        "test_other.py": "def test_ok(): pass\n",
    })
    mine.assert_outcomes(errors=1)
    mine.fnmatch_lines(["*ERROR collecting test_bad_module_skip.py*", "*allow_module_level=True*"])


def test_pytest_spelled_suite_runs_the_same_under_minitest(tmp_path):
    """pytest.mark.* / pytest.param / pytest.skip / pytest.xfail objects are understood as well."""
    _, ref_dir = write_dual(tmp_path, MARKS_SUITE)
    mine = run_minitest("-v", cwd=ref_dir)
    ref = run_pytest_process("-v", cwd=ref_dir)
    assert normalized_outcomes(mine) == normalized_outcomes(ref), mine.dump() + ref.dump()
    assert mine.outcomes() == ref.outcomes() == {"failed": 4, "passed": 3, "skipped": 12, "xfailed": 7,
                                                 "xpassed": 2}


def test_xfail_covers_setup_and_teardown_errors(tmp_path):
    mine, _ = compare_dual(tmp_path, {"test_fx.py": """
        import minitest

        @minitest.fixture
        def broken_setup():
            raise RuntimeError("setup")

        @minitest.fixture
        def broken_teardown():
            yield
            raise RuntimeError("teardown")

        @minitest.mark.xfail(reason="setup breaks")
        def test_setup_error(broken_setup): pass

        @minitest.mark.xfail(reason="teardown breaks")
        def test_teardown_error(broken_teardown): assert 0

        @minitest.mark.xfail(reason="passes, teardown breaks")
        def test_teardown_error_pass(broken_teardown): pass

        @minitest.mark.xfail(raises=RuntimeError, reason="matching")
        def test_setup_raises_match(broken_setup): pass

        @minitest.mark.xfail(raises=ValueError, reason="other")
        def test_setup_raises_other(broken_setup): pass

        @minitest.mark.skipif("config.getoption('verbose') > 0", reason="verbose run")
        def test_config_in_condition(): pass
    """})
    mine.assert_outcomes(errors=1, skipped=1, xfailed=5, xpassed=1)


# ---------------------------------------------------------------------------------------------
# holes found by mutation testing (tests/MUTATION.md, builtin_plugins/skipping.py)
# ---------------------------------------------------------------------------------------------


def test_condition_errors_are_the_message_alone(tmp_path):
    """A condition with a syntax error gets a caret under the offending column; a condition whose
    truth raises says so: each as a message without a traceback, line for line."""
    condition = "sys.platform.startswith("
    try:
        compile(condition, "<skipif condition>", "eval")
    except SyntaxError as exc:
        offset = exc.offset
    mine, _ = compare_dual(tmp_path, {"test_cond.py": f"""
        import minitest

        class NoTruth:
            def __bool__(self):
                raise ValueError("no truth value")

        @minitest.mark.skipif({condition!r})
        def test_syntax(): pass

        @minitest.mark.skipif(NoTruth(), reason="r")
        def test_bool_raises(): pass
    """})
    mine.assert_outcomes(errors=2)
    mine.fnmatch_lines([
        "*_ ERROR at setup of test_syntax _*",
        "Error evaluating 'skipif' condition",
        "    " + condition,
        "    " + " " * offset + "^",
        "SyntaxError: invalid syntax",
        "*_ ERROR at setup of test_bool_raises _*",
        "Error evaluating 'skipif' condition as a boolean",
        "ValueError: no truth value",
        "*= short test summary info =*",
    ], consecutive=True)


def test_skip_with_a_condition_is_an_error_not_a_skip(tmp_path):
    """skip(condition, reason=...) is a misspelt skipif: pytest's error, not an unconditional skip."""
    mine, _ = compare_dual(tmp_path, {"test_misspelt.py": """
        import sys
        import minitest

        @minitest.mark.skip(sys.platform == "nowhere", reason="not there")
        def test_condition(): pass

        @minitest.mark.skip("one", "two")
        def test_two_reasons(): pass

        @minitest.mark.skip("the reason")
        def test_one_reason(): pass
    """}, "-rs")
    mine.assert_outcomes(errors=2, skipped=1)
    mine.fnmatch_lines([
        "Error evaluating 'skip': it takes a single reason, got skip(False, reason='not there')"
        " - maybe you meant mark.skipif?",
        "Error evaluating 'skip': it takes a single reason, got skip('one', 'two')"
        " - maybe you meant mark.skipif?",
    ])
    assert "SKIPPED [1] test_misspelt.py:10: the reason" in mine.lines, mine.dump()


def test_skip_marks_are_decided_before_other_setup_hooks(tmp_path):
    """skipping's runtest_setup is tryfirst: a skipped test never reaches a conftest's setup hook."""
    mine, _ = compare_dual(tmp_path, {
        "conftest.py": """
            def minitest_runtest_setup(item):
                raise RuntimeError("conftest setup ran for " + item.name)
        """,
        "test_a.py": """
            import minitest

            @minitest.mark.skip(reason="decided first")
            def test_skipped(): pass

            def test_plain(): pass
        """,
    })
    mine.assert_outcomes(skipped=1, errors=1)
    mine.fnmatch_lines(["E *RuntimeError: conftest setup ran for test_plain"])
    mine.no_fnmatch_line("*conftest setup ran for test_skipped*")


def test_runxfail_patches_xfail_after_conftest_configure(tmp_path):
    """As in pytest, a conftest's configure hook runs before skipping's: the minitest.xfail it
    keeps is the real one, which --runxfail reports as a plain failure."""
    mine, _ = compare_dual(tmp_path, {
        "conftest.py": """
            import minitest

            SEEN = []

            def minitest_configure(config):
                SEEN.append(minitest.xfail)

            @minitest.fixture
            def xfail_seen_at_configure():
                return SEEN[0]
        """,
        "test_a.py": """
            import minitest

            def test_kept_reference(xfail_seen_at_configure):
                xfail_seen_at_configure("kept")

            def test_module_attribute():
                minitest.xfail("looked up at call time")
        """,
    }, "--runxfail")
    mine.assert_outcomes(failed=1, passed=1)
    mine.fnmatch_lines(["FAILED test_a.py::test_kept_reference - *XFailed: kept"])


def test_xfail_run_false_applied_by_a_fixture_does_not_run_the_test(tmp_path):
    """An xfail(run=False) mark added while the test is set up still stops it before its call."""
    mine, _ = compare_dual(tmp_path, {"test_a.py": """
        import minitest

        @minitest.fixture
        def not_run(request):
            request.applymarker(minitest.mark.xfail(run=False, reason="from the fixture"))

        def test_body(not_run):
            assert 0, "the body ran"
    """}, "-rx")
    mine.assert_outcomes(xfailed=1)
    assert "XFAIL test_a.py::test_body - [NOTRUN] from the fixture" in mine.lines, mine.dump()
    mine.no_fnmatch_line("*the body ran*")


def test_conftest_report_teststatus_decides_for_xfail_reports_too(tmp_path):
    """skipping's report_teststatus is not tryfirst, as in pytest: a conftest's answer wins."""
    mine, _ = compare_dual(tmp_path, {
        "conftest.py": """
            def minitest_report_teststatus(report):
                if report.when == "call":
                    return "custom", "C", "CUSTOM"
        """,
        "test_a.py": """
            import minitest

            @minitest.mark.xfail(reason="expected")
            def test_xfail(): assert 0

            def test_ok(): pass
        """,
    })
    assert mine.final_line().split(" in ")[0].strip("= ") == "2 custom", mine.dump()
    assert "test_a.py::test_xfail CUSTOM" in mine.stdout, mine.dump()
