"""The ``timeout`` plugin: --timeout, the ``timeout`` ini value and mark, both methods, and with -n."""

from __future__ import annotations

from conftest import verbose_nodeids


def test_hanging_tests_fail_and_the_run_continues(files, run):
    files({
        "tox.ini": "[pytest]\ntimeout = 1\n",
        "test_hang.py": """
            import time
            import minitest

            def test_sleeps(): time.sleep(60)
            def test_quick(): pass
            @minitest.mark.timeout(0.5)
            def test_busy_marked():
                while True: pass
            @minitest.mark.timeout(0.5, method="thread")
            def test_busy_thread():
                while True: pass
            @minitest.mark.timeout(0)
            def test_no_limit(): time.sleep(0.01)
        """,
    })
    result = run("-v")
    assert result.ret == 1, result.dump()
    assert dict(verbose_nodeids(result)) == {
        "test_hang.py::test_sleeps": "FAILED", "test_hang.py::test_quick": "PASSED",
        "test_hang.py::test_busy_marked": "FAILED", "test_hang.py::test_busy_thread": "FAILED",
        "test_hang.py::test_no_limit": "PASSED",
    }, result.dump()
    result.fnmatch_lines(["*Failed: Timeout after 1s*", "*Stack of MainThread*", "*test_hang.py*, in test_sleeps"])
    result.fnmatch_lines([
        "FAILED test_hang.py::test_sleeps - Failed: Timeout after 1s*",
        "FAILED test_hang.py::test_busy_marked - Failed: Timeout after 0.5s*",
        "FAILED test_hang.py::test_busy_thread - Failed: Timeout after 0.5s*",
    ])


def test_uninterruptible_test_ends_its_worker(files, run):
    files({"test_stuck.py": """
        import time

        def test_before(): pass
        def test_stuck(): time.sleep(60)
        def test_after(): pass
        def test_last(): pass
    """})
    result = run("-n", "2", "--timeout", "1", "--timeout-method", "thread", "-v")
    assert result.ret == 1, result.dump()
    result.assert_outcomes(failed=1, passed=3)
    assert dict(verbose_nodeids(result))["test_stuck.py::test_stuck"] == "FAILED", result.dump()
    result.re_match_lines([r"worker 'gw\d' crashed while running test_stuck.py::test_stuck"])
    result.fnmatch_lines(["Timeout after 1s", "*test_stuck.py*, in test_stuck"])


def test_bad_timeout_value(files, run):
    files({"test_x.py": "def test_x(): pass\n"})
    result = run("--timeout", "soon")
    assert result.ret == 4, result.dump()
    assert "--timeout" in result.stderr and "soon" in result.stderr, result.dump()
