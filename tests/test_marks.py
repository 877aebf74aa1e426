"""Marks on functions, classes and modules; the marker registry, --markers and --strict-markers."""

from __future__ import annotations

from conftest import dual_conftest, run_minitest
from dual_suite import compare_dual

NODE_MARKS_SUITE = {
    "conftest.py": dual_conftest("""
        def modifyitems(session, config, items):
            for item in items:
                if "db" in item.name:
                    item.add_marker("slow")
                    item.add_marker(PREFIX_MODULE.mark.level(0), append=False)

        import importlib
        PREFIX_MODULE = importlib.import_module(PREFIX)
        globals()[PREFIX + "_collection_modifyitems"] = modifyitems
    """),
    "minitest.ini": """
        [minitest]
        markers =
            slow: takes a while
            level(n): how deep
            cls_mark
            base_mark
    """,
    "test_nodes.py": """
        import minitest

        minitestmark = [minitest.mark.level(1)]

        @minitest.mark.level(3)
        def test_closest_is_the_function(request):
            assert request.node.get_closest_marker("level").args == (3,)
            assert [m.args for m in request.node.iter_markers("level")] == [(3,), (1,)]

        def test_module_mark_only(request):
            assert request.node.get_closest_marker("level").args == (1,)
            assert request.node.get_closest_marker("missing") is None

        @minitest.mark.base_mark
        class Base:
            pass

        @minitest.mark.level(2)
        @minitest.mark.cls_mark
        class TestInClass(Base):
            def test_class_marks(self, request):
                names = [m.name for m in request.node.iter_markers()]
                # the class's marks (its bases' first, decorators bottom-up), then the module's
                assert names == ["base_mark", "cls_mark", "level", "level"]
                assert request.node.get_closest_marker("level").args == (2,)
                assert request.node.get_closest_marker("base_mark") is not None

            def test_db_marked_at_collection(self, request):
                assert request.node.get_closest_marker("slow") is not None
                assert request.node.get_closest_marker("level").args == (0,)
    """,
}


def test_node_marker_api_matches_pytest(tmp_path):
    mine, _ = compare_dual(tmp_path, NODE_MARKS_SUITE)
    mine.assert_outcomes(passed=4)


def test_marks_added_at_collection_are_selectable(tmp_path):
    mine, _ = compare_dual(tmp_path, NODE_MARKS_SUITE, "-m", "slow")
    mine.assert_outcomes(passed=1, deselected=3)
    assert "test_nodes.py::TestInClass::test_db_marked_at_collection PASSED" in mine.stdout


def test_markers_lists_ini_plugin_and_builtin_markers(tmp_path):
    (tmp_path / "minitest.ini").write_text("[minitest]\nmarkers =\n    slow: takes a while\n    bare\n")
    (tmp_path / "conftest.py").write_text(
        "def minitest_configure(config):\n"
        "    config.addinivalue_line('markers', 'from_plugin(x): registered by a conftest')\n")
    result = run_minitest("--markers", cwd=tmp_path)
    assert result.ret == 0, result.dump()
    # pytest's order: the ini's, then filterwarnings, skip... usefixtures, then plugins' marks
    result.fnmatch_lines([
        "@minitest.mark.slow: takes a while",
        "@minitest.mark.bare:",
        "@minitest.mark.filterwarnings(warning): *",
        "@minitest.mark.skip(reason=None): *",
        "@minitest.mark.skipif(condition, ..., [*], reason=...): *",
        "@minitest.mark.xfail(*",
        "@minitest.mark.parametrize(argnames, argvalues): *",
        "@minitest.mark.usefixtures(*",
        "@minitest.mark.from_plugin(x): registered by a conftest",
    ])
    assert "test session starts" not in result.stdout
    # a marker registered twice (here by two plugins) is listed once
    assert sum(line.startswith("@minitest.mark.filterwarnings") for line in result.lines) == 1


UNKNOWN_SUITE = {
    "test_unknown.py": """
        import minitest

        @minitest.mark.typo
        def test_a(): pass

        class TestX:
            @minitest.mark.other(1)
            def test_b(self): pass

        @minitest.mark.parametrize("x", [minitest.param(1, marks=minitest.mark.inparam)])
        def test_c(x): pass

        @minitest.mark.skip
        @minitest.mark.xfail
        @minitest.mark.filterwarnings("ignore")
        def test_builtin_marks_are_known(): pass
    """,
}


def test_unknown_marks_warn_at_their_line(tmp_path):
    mine, _ = compare_dual(tmp_path, UNKNOWN_SUITE)
    mine.assert_outcomes(passed=3, skipped=1, warnings=3)
    mine.fnmatch_lines([
        "*test_unknown.py:3: MinitestUnknownMarkWarning: Unknown minitest.mark.typo - is this a typo?*",
        "*test_unknown.py:7: MinitestUnknownMarkWarning: Unknown minitest.mark.other*",
        "*test_unknown.py:10: MinitestUnknownMarkWarning: Unknown minitest.mark.inparam*",
    ])


def test_registered_marks_do_not_warn(tmp_path):
    files = {**UNKNOWN_SUITE, "minitest.ini": "[minitest]\nmarkers =\n    typo\n    other: x\n    inparam\n"}
    mine, _ = compare_dual(tmp_path, files)
    mine.assert_outcomes(passed=3, skipped=1)
    assert "UnknownMarkWarning" not in mine.stdout


def test_strict_markers_makes_unknown_marks_a_collection_error(tmp_path):
    files = {**UNKNOWN_SUITE, "test_fine.py": "def test_ok(): pass\n"}
    mine, _ = compare_dual(tmp_path, files, "--strict-markers")
    mine.assert_outcomes(errors=1)
    assert mine.ret == 2
    mine.fnmatch_lines(["*ERROR collecting test_unknown.py*", "'typo' not found in `markers` configuration option"])


def test_unknown_mark_under_filterwarnings_error_is_a_collection_error(tmp_path):
    # issue 16: an async test marked for a plugin that is not installed, with warnings as errors:
    # that module's collection error (as pytest), never an internal error
    files = {
        "minitest.ini": "[minitest]\nfilterwarnings =\n    error\n",
        "test_async_mark.py": "import minitest\n\n\n@minitest.mark.asyncio\nasync def test_a():\n    pass\n",
        "test_fine.py": "def test_ok():\n    pass\n",
    }
    mine, _ = compare_dual(tmp_path, files)
    mine.assert_outcomes(errors=1)
    assert mine.ret == 2
    assert "INTERNALERROR" not in mine.stdout + mine.stderr
    mine.fnmatch_lines(["*ERROR collecting test_async_mark.py*",
                        "*test_async_mark.py:4: *UnknownMarkWarning: Unknown minitest.mark.asyncio*"])


def test_strict_markers_ini(tmp_path):
    files = {**UNKNOWN_SUITE, "minitest.ini": "[minitest]\nstrict_markers = true\nmarkers =\n    typo\n"}
    mine, _ = compare_dual(tmp_path, files)
    mine.fnmatch_lines(["'other' not found in `markers` configuration option"])
    mine.assert_outcomes(errors=1)
