"""Output capture: per-phase sections in failing reports, the capture fixtures, -s / --capture."""

from __future__ import annotations

from conftest import make_files
from dual_suite import compare_dual

SUITE = {
    "test_cap.py": """
        import logging
        import os
        import sys

        import minitest

        @minitest.fixture
        def noisy():
            print("setup says hi")
            yield
            print("teardown says bye")

        def test_fails_with_output(noisy):
            print("call output")
            sys.stderr.write("call error output\\n")
            logging.getLogger("app").warning("careful %s", "now")
            assert False

        def test_passes_quietly(noisy):
            print("never shown")

        def test_capsys(capsys):
            print("one")
            sys.stderr.write("two\\n")
            assert capsys.readouterr() == ("one\\n", "two\\n")
            print("three")
            assert capsys.readouterr().out == "three\\n"

        def test_capsysbinary(capsysbinary):
            sys.stdout.buffer.write(b"raw\\n")
            assert capsysbinary.readouterr().out == b"raw\\n"

        def test_capfd(capfd):
            os.write(1, b"fd level\\n")
            os.write(2, b"fd err\\n")
            out, err = capfd.readouterr()
            assert out == "fd level\\n" and err == "fd err\\n"

        def test_capfdbinary(capfdbinary):
            os.write(1, b"\\x00bytes")
            assert capfdbinary.readouterr().out == b"\\x00bytes"

        def test_caplog(caplog):
            logging.getLogger("quiet").info("not captured at WARNING")
            caplog.set_level(logging.INFO)
            logging.getLogger("loud").info("now %d", 1)
            assert caplog.record_tuples == [("loud", logging.INFO, "now 1")]
            assert caplog.messages == ["now 1"]
            assert "now 1" in caplog.text
            caplog.clear()
            assert caplog.records == []
            with caplog.at_level(logging.DEBUG, logger="deep"):
                logging.getLogger("deep").debug("debugging")
            assert [r.getMessage() for r in caplog.records] == ["debugging"]
            assert caplog.get_records("setup") == []

    """,
}


def test_capture_matches_pytest_and_shows_sections(tmp_path):
    mine, ref = compare_dual(tmp_path, SUITE)
    for result in (mine, ref):
        result.fnmatch_lines([
            "*Captured stdout setup*",
            "setup says hi",
            "*Captured stdout call*",
            "call output",
            "*Captured stderr call*",
            "call error output",
            "*Captured log call*",
            "WARNING  app:test_cap.py:* careful now",
            "*Captured stdout teardown*",
            "teardown says bye",
        ])
        result.no_fnmatch_line("never shown")


def test_no_capture_and_sys_mode(files, run):
    files({"test_s.py": """
        import os, sys

        def test_print():
            print("visible with -s")
            os.write(1, b"fd visible\\n")

        def test_fail():
            os.write(1, b"fd write\\n")
            print("py write")
            assert 0

        def test_stdin():
            sys.stdin.read()

        def test_disabled(capsys):
            with capsys.disabled():
                print("straight to the terminal")
            print("captured")
            assert capsys.readouterr().out == "captured\\n"
    """})
    loud = run("-s", "test_s.py")
    assert "visible with -s" in loud.stdout and "fd visible" in loud.stdout
    loud.no_fnmatch_line("*Captured stdout call*")
    assert loud.outcomes() == {"passed": 3, "failed": 1}, loud.dump()  # the subprocess's stdin is empty
    # the test's output comes after the header the reporter wrote before it
    assert loud.stdout.index("test session starts") < loud.stdout.index("visible with -s")

    fd = run("test_s.py", "--capture=fd")
    fd.fnmatch_lines(["*Captured stdout call*", "fd write", "py write"])
    fd.fnmatch_lines(["*reading from stdin while output is captured*"])
    assert "visible with -s" not in fd.stdout
    # capsys.disabled() writes to the real terminal, in order with the progress output
    fd.fnmatch_lines(["test_s.py .FFstraight to the terminal", ".*"])

    sys_mode = run("test_s.py", "--capture=sys")
    # sys-level capture does not see writes to the file descriptor itself
    sys_mode.fnmatch_lines(["*Captured stdout call*", "py write"])
    assert sys_mode.stdout.index("fd write") < sys_mode.stdout.index("py write")


def test_capture_fixtures_cannot_be_combined(files, run):
    files({"test_c.py": """
        def test_both(capsys, capfd):
            pass
    """})
    result = run("test_c.py")
    result.fnmatch_lines(["*ERROR at setup of test_both*", "*cannot use capfd and capsys at the same time*"])
    assert result.outcomes() == {"errors": 1}


#: structlog's pattern: a module imported by conftest.py keeps ``sys.stdout`` (``from sys import
#: stdout``), a session fixture and a test module keep it too, and later tests write through them
KEPT_STREAMS = {
    "kept.py": """
        from sys import stderr, stdout

        class Logger:
            def __init__(self, file=None):
                import sys
                self.file = file or sys.stdout

            def msg(self, text):
                print(text, file=self.file)

        AT_IMPORT = Logger()
    """,
    "conftest.py": """
        import sys

        import pytest

        import kept

        @pytest.fixture(scope="session")
        def session_stdout():
            return sys.stdout
    """,
    "test_kept.py": """
        import pickle
        import sys

        import pytest

        import kept

        MODULE_STDOUT = sys.stdout


        @pytest.mark.parametrize("stream", [kept.stdout, kept.stderr], ids=["out", "err"])
        def test_kept_at_conftest_import_is_the_current_stream(stream):
            assert stream is getattr(sys, "stdout" if stream is kept.stdout else "stderr")
            assert stream.buffer is getattr(sys, "stdout" if stream is kept.stdout else "stderr").buffer


        def test_every_kept_object_is_sys_stdout(session_stdout):
            assert kept.AT_IMPORT.file is sys.stdout
            assert session_stdout is sys.stdout
            assert MODULE_STDOUT is sys.stdout


        def test_writes_through_kept_objects_are_captured_per_test(session_stdout):
            kept.AT_IMPORT.msg("from the logger made at conftest import")
            print("from the session fixture's stream", file=session_stdout)
            assert False


        def test_the_next_test_starts_empty(capsys):
            kept.AT_IMPORT.msg("not captured by capsys")  # the logger's file is the global capture
            assert capsys.readouterr().out == ""
    """,
}


def test_streams_kept_from_conftest_import_are_the_tests_streams(tmp_path, run):
    """pytest captures while the initial conftest.py files are imported, with the streams it uses
    for the whole session: a ``sys.stdout`` kept then is the one every test writes to. Under
    every capture method that replaces ``sys.stdout``."""
    for method in ("fd", "sys"):
        mine, ref = compare_dual(tmp_path, KEPT_STREAMS, f"--capture={method}")
        for result in (mine, ref):
            assert result.outcomes() == {"passed": 4, "failed": 1}, result.dump()
            result.fnmatch_lines(["*_ test_writes_through_kept_objects_are_captured_per_test _*",
                                  "*- Captured stdout call -*", "from the logger made at conftest import",
                                  "from the session fixture's stream"])
            result.no_fnmatch_line("not captured by capsys")
    # tee-sys passes the output through as well (interleaved with the progress differently from
    # pytest's -v lines, so only the outcomes are compared)
    make_files(tmp_path / "tee", KEPT_STREAMS)
    tee = run("--capture=tee-sys", cwd=tmp_path / "tee")
    assert tee.outcomes() == {"passed": 4, "failed": 1}, tee.dump()
    tee.fnmatch_lines(["*- Captured stdout call -*", "from the logger made at conftest import"])
