"""Issue 3 — running a session: exit codes 0-5, -x / --maxfail, bad input, odd tests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from conftest import RunResult, build_minitest_command, dual_conftest, verbose_nodeids

PASS_FAIL = {
    "test_a.py": """
        def test_pass():
            pass

        def test_fail():
            raise ValueError("boom")
    """,
    "test_b.py": "def test_b():\n    pass\n",
}


def test_all_pass_exit_0(files, compare):
    files({"test_b.py": "def test_b():\n    pass\n\ndef test_c():\n    pass\n"})
    mine, _ = compare()
    assert mine.ret == 0
    mine.assert_outcomes(passed=2)


def test_failures_exit_1(files, compare):
    files(PASS_FAIL)
    mine, _ = compare()
    assert mine.ret == 1
    mine.assert_outcomes(failed=1, passed=2)


@pytest.mark.parametrize("layout", [{}, {"helpers.py": "def test_x():\n    pass\n", "sub/README": "x\n"}])
def test_no_tests_exit_5(files, run, run_pytest, layout):
    files(layout)
    result = run()
    assert result.ret == 5 == run_pytest().ret, result.dump()
    result.fnmatch_lines(["=* no tests ran in *=*"])
    assert result.outcomes() == {}


def test_no_tests_quiet(files, run):
    files({"helpers.py": "x = 1\n"})
    result = run("-q")
    assert result.ret == 5
    result.re_match_lines([r"^no tests ran in \d+\.\d+s$"])


COLLECTION_ERRORS = {
    "test_a.py": "def test_ok():\n    pass\n",
    "test_b.py": "def test_b(:\n    pass\n",
    "test_c.py": "import does_not_exist_xyz\n\ndef test_c():\n    pass\n",
    "test_d.py": "def test_d():\n    raise ValueError('d')\n",
}


def test_collection_errors_interrupt_the_session(files, compare):
    """As pytest: syntax/import errors are ERRORs with the real traceback, nothing runs, exit 2."""
    files(COLLECTION_ERRORS)
    mine, _ = compare()
    assert mine.ret == 2
    assert verbose_nodeids(mine) == []
    mine.fnmatch_lines([
        "collect* 2 items / 2 errors",
        "*= ERRORS =*",
        "*_ ERROR collecting test_b.py _*",
        "*SyntaxError*",
        "*_ ERROR collecting test_c.py _*",
        "*test_c.py:1: in <module>",
        "    import does_not_exist_xyz",
        "E   ModuleNotFoundError: No module named 'does_not_exist_xyz'",
        "*= short test summary info =*",
        "ERROR test_b.py*",
        "ERROR test_c.py*",
        "*! Interrupted: 2 errors during collection !*",
        "*= 2 errors in *",
    ])
    mine.assert_outcomes(errors=2)


def test_continue_on_collection_errors(files, compare):
    files(COLLECTION_ERRORS)
    mine, _ = compare("--continue-on-collection-errors")
    assert mine.ret == 1
    assert verbose_nodeids(mine) == [("test_a.py::test_ok", "PASSED"), ("test_d.py::test_d", "FAILED")]
    mine.assert_outcomes(failed=1, passed=1, errors=2)
    mine.fnmatch_lines(["FAILED test_d.py::test_d - ValueError: d", "ERROR test_b.py*", "ERROR test_c.py*"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus-option"], "*unrecognized arguments: --bogus-option*"),
        (["--maxfail=abc"], "*argument --maxfail: invalid int value: 'abc'*"),
        (["--tb=weird"], "*argument --tb: invalid choice: 'weird'*"),
        (["--color=maybe"], "*argument --color: invalid choice: 'maybe'*"),
    ],
)
def test_usage_errors_exit_4(files, run, args, message):
    files({"test_x.py": "def test_x():\n    pass\n"})
    result = run(*args)
    assert result.ret == 4, result.dump()
    result.fnmatch_lines(["*usage: *", message], stream="stderr")
    assert "passed" not in result.stdout


def test_usage_error_matches_pytest(files, run, run_pytest):
    files({"test_x.py": "def test_x():\n    pass\n"})
    assert run("--bogus-option").ret == run_pytest("--bogus-option").ret == 4


def test_path_not_found_exit_4(files, run, run_pytest):
    files({"test_x.py": "def test_x():\n    pass\n"})
    result = run("nothere.py")
    assert result.ret == 4 == run_pytest("nothere.py").ret, result.dump()
    result.fnmatch_lines(["ERROR: file or directory not found: nothere.py"], stream="stderr")


FIVE = {"test_r.py": """
    def test_1():
        raise ValueError("1")

    def test_2():
        pass

    def test_3():
        raise ValueError("3")

    def test_4():
        raise ValueError("4")

    def test_5():
        pass
"""}


def test_exitfirst(files, compare):
    files(FIVE)
    mine, _ = compare("-x")
    assert mine.ret == 1
    assert verbose_nodeids(mine) == [("test_r.py::test_1", "FAILED")]
    mine.fnmatch_lines(["*! stopping after 1 failures !*", "*= 1 failed in *"])


def test_import_mode_importlib_allows_same_basenames(files, compare):
    files({"a/test_same.py": "def test_x():\n    pass\n", "b/test_same.py": "def test_y():\n    pass\n"})
    mine, _ = compare("--import-mode=importlib")
    assert verbose_nodeids(mine) == [("a/test_same.py::test_x", "PASSED"), ("b/test_same.py::test_y", "PASSED")]
    append, _ = compare("--import-mode=append", counts=True)
    assert append.ret == 2


def test_maxfail(files, compare):
    files(FIVE)
    mine, _ = compare("--maxfail=2")
    assert verbose_nodeids(mine) == [("test_r.py::test_1", "FAILED"), ("test_r.py::test_2", "PASSED"),
                                     ("test_r.py::test_3", "FAILED")]
    mine.fnmatch_lines(["FAILED test_r.py::test_1 - ValueError: 1", "FAILED test_r.py::test_3 - ValueError: 3",
                        "*! stopping after 2 failures !*"])
    mine.assert_outcomes(failed=2, passed=1)


def test_sys_exit_in_a_test_fails_it_and_the_run_goes_on(files, compare):
    files({"test_s.py": """
        import sys

        def test_exit():
            sys.exit(3)

        def test_exit_no_code():
            sys.exit()

        def test_after():
            pass
    """})
    mine, _ = compare()
    assert mine.ret == 1
    assert verbose_nodeids(mine) == [("test_s.py::test_exit", "FAILED"),
                                     ("test_s.py::test_exit_no_code", "FAILED"),
                                     ("test_s.py::test_after", "PASSED")]
    mine.fnmatch_lines(["FAILED test_s.py::test_exit - SystemExit: 3",
                        "FAILED test_s.py::test_exit_no_code - SystemExit"])


def test_keyboard_interrupt_in_a_test(files, run, run_pytest):
    files({"test_k.py": """
        def test_a():
            pass

        def test_b():
            raise ValueError("x")

        def test_c():
            raise KeyboardInterrupt

        def test_d():
            pass
    """})
    result = run()
    assert result.ret == 2 == run_pytest().ret, result.dump()
    result.fnmatch_lines([
        "test_k.py .F*",
        "*_ test_b _*",
        "*= short test summary info =*",
        "FAILED test_k.py::test_b - ValueError: x",
        "*! KeyboardInterrupt !*",
        "*test_k.py:8: KeyboardInterrupt",
        "*= 1 failed, 1 passed in *",
    ])
    assert "test_d" not in result.stdout


def test_invalid_utf8_and_huge_output_do_not_crash(files, run):
    files({"test_out.py": """
        import os
        import sys

        def test_bytes():
            sys.stdout.flush()
            sys.stdout.buffer.write(b"bad \\xff\\xfe bytes\\n")
            sys.stdout.buffer.flush()
            os.write(1, b"raw \\xc3\\x28 fd\\n")
            raise ValueError("bad byte \\udcff in message " + b"\\xff".decode("latin-1"))

        def test_huge():
            print("x" * 1_000_000)
            print("\\n".join("line %d" % i for i in range(20000)))
            raise ValueError("big")

        def test_after():
            pass
    """})
    result = run("-rA")
    assert result.ret == 1, result.dump()
    result.assert_outcomes(failed=2, passed=1)
    assert "INTERNALERROR" not in result.output
    assert "Traceback (most recent call last)" not in result.stderr
    result.fnmatch_lines(["FAILED test_out.py::test_bytes - ValueError: bad byte *",
                          "FAILED test_out.py::test_huge - ValueError: big"])


def test_error_in_a_hook_is_internal_error_exit_3(files, run, run_pytest):
    files({
        "conftest.py": dual_conftest("""
            def collection_finish(session):
                raise RuntimeError("hook exploded")

            globals()[PREFIX + "_collection_finish"] = collection_finish
        """),
        "test_x.py": "def test_x():\n    pass\n",
    })
    result = run()
    assert result.ret == 3 == run_pytest().ret, result.dump()
    result.fnmatch_lines(["INTERNALERROR>*RuntimeError: hook exploded*"], stream="both")



def test_ctrl_c_during_a_test(files, tmp_path):
    """A real SIGINT while a test runs: the run stops, prints what ran so far, exits 2."""
    if sys.platform == "win32":
        pytest.skip("SIGINT to a child process is POSIX only")
    files({"test_int.py": """
        import time
        from pathlib import Path

        def test_first():
            pass

        def test_waits():
            Path(__file__).with_name("started").write_text("yes")
            time.sleep(120)

        def test_never():
            pass
    """})
    cmd, env = build_minitest_command("-v")
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(1200):  # wait (up to 60s) until the test is inside its sleep
            if (tmp_path / "started").exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    result = RunResult(proc.args, proc.returncode, out, err)
    assert result.ret == 2, result.dump()
    result.fnmatch_lines([
        "test_int.py::test_first PASSED*",
        "*! KeyboardInterrupt !*",
        "*= 1 passed in *",
    ])
    assert "test_never" not in result.stdout


def test_interrupt_and_internal_error_hooks_get_an_exception_info(files, run):
    """``minitest_keyboard_interrupt`` and ``minitest_internalerror`` receive an ExceptionInfo
    (pytest's type for ``excinfo``), whose value is the exception that stopped the run."""
    files({
        "conftest.py": """
            import minitest

            def minitest_keyboard_interrupt(excinfo):
                print(f"INTERRUPT {type(excinfo).__name__} {excinfo.typename} {excinfo.value.msg}")

            def minitest_internalerror(excrepr, excinfo):
                print(f"INTERNAL {type(excinfo).__name__} {excinfo.typename} {excinfo.value}")

            def minitest_collection_finish(session):
                if session.config.getoption("collectonly", False):
                    raise RuntimeError("broken plugin")
        """,
        "test_stop.py": """
            import minitest

            def test_stop():
                minitest.exit("enough")
        """,
    })
    stopped = run("-s", "-p", "no:cache")
    assert stopped.ret == 2, stopped.dump()
    assert any(line.endswith("INTERRUPT ExceptionInfo Exit enough") for line in stopped.lines), stopped.dump()
    broken = run("-s", "-p", "no:cache", "--co")
    assert broken.ret == 3, broken.dump()
    assert any(line.endswith("INTERNAL ExceptionInfo RuntimeError broken plugin") for line in broken.lines), \
        broken.dump()


# ---------------------------------------------------------------------------------------------
# holes found by mutation testing (tests/MUTATION.md, builtin_plugins/runner.py)
# ---------------------------------------------------------------------------------------------


def test_one_collection_error_is_said_in_the_singular(files, compare):
    files({"test_ok.py": "def test_ok():\n    pass\n", "test_bad.py": "import does_not_exist_xyz\n"})
    mine, _ = compare()
    assert mine.ret == 2
    mine.fnmatch_lines(["*! Interrupted: 1 error during collection !*", "*= 1 error in *"])
