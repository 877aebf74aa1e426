"""The runner's phase reports, seen where a user sees them: the file and line of each skip in the
short summary (``-rs``), exactly, for skips called in a test, skip marks, groups of skips; and the
runner's options (``--tb``, ``-l``, ``--full-trace``).

Written for the survivors of mutation testing of builtin_plugins/runner.py (tests/MUTATION.md):
the older tests match the skip lines with ``test_a.py:*``, so a wrong line number went unseen.
"""

from __future__ import annotations

from conftest import verbose_nodeids

SKIPS = {
    # the first test is on line 1: a skip mark reports the item's line, 0-based 0, as line 1
    "test_a.py": """\
        def test_marked_on_the_first_line(): pass
        import unittest

        import pytest


        def _skipped(reason, **kwargs):
            try:
                pytest.skip(reason, **kwargs) if not kwargs else _raise(reason, **kwargs)
            except BaseException as exc:
                return exc


        def _raise(reason, **kwargs):
            raise pytest.skip.Exception(reason, **kwargs)


        def test_skip_called():
            x = 1
            pytest.skip("called")


        def test_group_of_skips():
            raise BaseExceptionGroup("tasks", [_skipped("one"), _skipped("two")])


        def test_group_of_skips_at_the_item():
            raise BaseExceptionGroup("tasks", [_skipped("three", _use_item_location=True),
                                               _skipped("four", _use_item_location=True)])


        def test_group_of_skips_without_reasons():
            raise BaseExceptionGroup("tasks", [_skipped(""), _skipped("")])


        def test_unittest_skiptest():
            raise unittest.SkipTest("from unittest")


        def test_group_of_unittest_skiptests():
            raise BaseExceptionGroup("tasks", [unittest.SkipTest("six"), unittest.SkipTest("seven")])


        def test_group_with_a_failure():
            raise BaseExceptionGroup("tasks", [_skipped("five"), ValueError("boom")])


        def _raise_group(reason):
            __tracebackhide__ = True
            raise BaseExceptionGroup("tasks", [_skipped(reason)])


        def test_group_raised_by_a_hidden_helper():
            _raise_group("nine")


        test_marked_on_the_first_line = pytest.mark.skip(reason="marked")(test_marked_on_the_first_line)
    """,
    # a group of skips that all ask for the item's location, from a test on line 1
    "test_b.py": """\
        def test_group_on_the_first_line(): import pytest; raise BaseExceptionGroup("g", [pytest.skip.Exception("eight", _use_item_location=True)])
    """,
}

EXPECTED = [
    "SKIPPED [1] test_a.py:1: marked",
    "SKIPPED [1] test_a.py:20: called",
    "SKIPPED [1] test_a.py:24: one; two",
    "SKIPPED [1] test_a.py:27: three; four",
    "SKIPPED [1] test_a.py:33: BaseExceptionGroup: tasks (2 sub-exceptions)",
    "SKIPPED [1] test_a.py:54: nine",
    "SKIPPED [1] test_b.py:1: eight",
]


def _skip_lines(result):
    return sorted(line for line in result.lines if line.startswith("SKIPPED ["))


def test_skip_locations_are_exact_lines_as_pytest_says_them(files, compare):
    """Where and why each test skipped: the line of the skip() call (not of skip() itself), the
    item's line for a mark or a group whose skips all ask for the item's location, the reasons of
    a group's skips in order (or the group itself without any). A group with a failure fails, and
    so does a group of ``unittest.SkipTest``: pytest only counts its own skip exceptions there."""
    files(SKIPS)
    mine, ref = compare("-rs", "--tb=no", "-k", "not test_unittest_skiptest")
    assert mine.outcomes() == {"skipped": 7, "failed": 2, "deselected": 1}
    assert _skip_lines(ref) == sorted(EXPECTED), ref.dump()
    assert _skip_lines(mine) == sorted(EXPECTED), mine.dump()
    failed = [nodeid for nodeid, word in verbose_nodeids(mine) if word == "FAILED"]
    assert failed == ["test_a.py::test_group_of_unittest_skiptests", "test_a.py::test_group_with_a_failure"]


def test_a_unittest_skiptest_raised_by_a_test_skips_it_where_it_was_raised(files, run):
    """``raise unittest.SkipTest("why")`` in a plain test function: skipped with its reason, at the
    line that raised it (pytest re-raises it as its own skip and names a line inside pytest)."""
    files(SKIPS)
    result = run("-rs", "-k", "test_unittest_skiptest")
    assert result.ret == 0, result.dump()
    assert result.outcomes() == {"skipped": 1, "deselected": 9}
    assert _skip_lines(result) == ["SKIPPED [1] test_a.py:37: from unittest"], result.dump()


def test_locals_are_shown_only_with_showlocals(files, run):
    """``-l`` / ``--showlocals`` adds the test's local variables to its traceback; off by default."""
    files({"test_a.py": """
        def test_fails():
            value = 42
            assert value == 0
    """})
    plain = run()
    assert plain.outcomes() == {"failed": 1}
    plain.no_fnmatch_line("value*= 42")
    for flag in ("-l", "--showlocals"):
        shown = run(flag)
        assert shown.outcomes() == {"failed": 1}
        shown.fnmatch_lines(["value      = 42"])
