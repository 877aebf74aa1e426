"""The ``debugging`` builtin: ``--pdb``, ``--trace``, ``breakpoint()`` and ``--pdbcls``.

The interactive runs go through a pseudo-terminal (tests/pseudo_terminal.py): the test waits for
the ``(Pdb)`` prompt, types commands and reads what comes back.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_minitest_command, make_files
from pseudo_terminal import Terminal as PseudoTerminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

PROMPT = "(Pdb) "


class Terminal(PseudoTerminal):
    """``python -m minitest ARGS`` on a pseudo-terminal, without readline's escape sequences."""

    def __init__(self, cwd: Path, *args: str) -> None:
        cmd, env = build_minitest_command(*args)
        env["TERM"] = "dumb"  # no readline escape sequences
        super().__init__(cwd, cmd, env)


@pytest.fixture
def terminal(tmp_path):
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        term = Terminal(tmp_path, "-p", "no:cache", *args)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


FAILING = {
    "test_a.py": """
        def test_ok():
            pass

        def test_fail():
            x = 42
            print("captured out")
            assert x == 1

        def test_after():
            print("after")
    """,
}


def _sep(char: str, title: str) -> str:
    """A separator line of the 80-column terminal, as pytest draws it."""
    fill = char * ((80 - len(title) - 2) // 2)
    text = f"{fill} {title} {fill}"
    return text + char if len(text) < 80 else text


def test_pdb_post_mortem_then_continue(tmp_path, terminal):
    make_files(tmp_path, FAILING)
    term = terminal("--pdb")
    before = term.expect(PROMPT)
    lines = before.splitlines()
    start = lines.index(_sep(">", "captured stdout"))
    assert lines[start:start + 3] == [_sep(">", "captured stdout"), "captured out", _sep(">", "traceback")]
    assert "E       assert 42 == 1" in lines
    assert lines[-6:] == [
        _sep(">", "entering PDB"),
        "",
        _sep(">", "PDB post_mortem (IO-capturing turned off)"),
        f"> {tmp_path / 'test_a.py'}(7)test_fail()",
        "-> assert x == 1",
        "(Pdb) ",
    ]
    term.send("p x")
    assert term.expect(PROMPT).splitlines()[-2:] == ["42", "(Pdb) "]
    term.send("c")
    assert term.finish() == 1
    assert _sep(">", "PDB continue (IO-capturing resumed)") in term.lines
    assert "FAILED test_a.py::test_fail - assert 42 == 1" in term.lines
    # the traceback was shown before the debugger: FAILURES does not repeat it (as pytest)
    assert _sep("=", "FAILURES") not in term.lines
    assert re.fullmatch(r"=+ 1 failed, 2 passed in [\d.]+s =+", term.final_line), term.output


def test_pdb_quit_stops_the_run(tmp_path, terminal):
    make_files(tmp_path, FAILING)
    term = terminal("--pdb")
    term.expect(PROMPT)
    term.send("q")
    assert term.finish() == 2
    assert _sep("!", "minitest.outcomes.Exit: Quitting debugger") in term.lines
    assert _sep("=", "FAILURES") not in term.lines  # shown before the debugger already
    assert re.fullmatch(r"=+ 1 failed, 1 passed in [\d.]+s =+", term.final_line), term.output
    assert "after" not in term.output


def test_pdb_with_x_stops_after_the_first_failure(tmp_path, terminal):
    make_files(tmp_path, FAILING)
    term = terminal("--pdb", "-x")
    term.expect(PROMPT)
    term.send("c")
    assert term.finish() == 1
    assert _sep("!", "stopping after 1 failures") in term.lines
    assert re.fullmatch(r"=+ 1 failed, 1 passed in [\d.]+s =+", term.final_line), term.output


def test_pdb_on_a_collection_error(tmp_path, terminal):
    make_files(tmp_path, {"test_c.py": "v = 5\nraise ValueError('boom')\n"})
    term = terminal("--pdb")
    before = term.expect(PROMPT)
    assert "E   ValueError: boom" in before
    assert f"> {tmp_path / 'test_c.py'}(2)<module>()" in before
    term.send("p v")
    assert term.expect(PROMPT).splitlines()[-2:] == ["5", "(Pdb) "]
    term.send("c")
    assert term.finish() == 2
    assert re.fullmatch(r"=+ 1 error in [\d.]+s =+", term.final_line), term.output


def test_trace_breaks_at_the_start_of_each_test(tmp_path, terminal):
    make_files(tmp_path, {"test_t.py": """
        def test_one():
            a = 1
            assert a == 1

        def test_two():
            b = 2
    """})
    term = terminal("--trace")
    first = term.expect(PROMPT)
    assert _sep(">", "PDB runcall (IO-capturing turned off)") in first.splitlines()
    assert f"> {tmp_path / 'test_t.py'}(2)test_one()" in first
    term.send("n")
    term.expect(PROMPT)
    term.send("p a")
    assert term.expect(PROMPT).splitlines()[-2:] == ["1", "(Pdb) "]
    term.send("c")
    second = term.expect(PROMPT)
    assert _sep(">", "PDB continue (IO-capturing resumed)") in second.splitlines()
    assert f"> {tmp_path / 'test_t.py'}(6)test_two()" in second
    term.send("c")
    assert term.finish() == 0
    assert re.fullmatch(r"=+ 2 passed in [\d.]+s =+", term.final_line), term.output


def test_breakpoint_output_is_visible_and_capture_resumes(tmp_path, terminal):
    make_files(tmp_path, {"test_b.py": """
        import pdb

        def test_bp():
            print("before")
            y = 7
            breakpoint()
            print("after")
            assert y == 8

        def test_set_trace():
            z = 3
            pdb.set_trace()
            print("quiet" + "ly")
    """})
    term = terminal()
    first = term.expect(PROMPT)
    assert _sep(">", "PDB set_trace (IO-capturing turned off)") in first.splitlines()
    assert "before" not in first  # printed before breakpoint(): still captured
    term.send("p y")
    assert term.expect(PROMPT).splitlines()[-2:] == ["7", "(Pdb) "]
    term.send("print('visible ' + str(y * 6))")
    assert "visible 42" in term.expect(PROMPT)
    term.send("c")
    second = term.expect(PROMPT)
    assert _sep(">", "PDB continue (IO-capturing resumed)") in second.splitlines()
    term.send("p z")
    assert term.expect(PROMPT).splitlines()[-2:] == ["3", "(Pdb) "]
    term.send("c")
    assert term.finish() == 1
    lines = term.lines
    # what the test printed around the breakpoint was captured, and shown with its failure
    captured = lines.index("----------------------------- Captured stdout call -----------------------------")
    assert lines[captured + 1:captured + 3] == ["before", "after"]
    assert "quietly" not in term.output
    assert re.fullmatch(r"=+ 1 failed, 1 passed in [\d.]+s =+", term.final_line), term.output


def test_breakpoint_with_a_capture_fixture_under_s(tmp_path, terminal):
    make_files(tmp_path, {"test_f.py": """
        def test_cap(capsys):
            print("hidden")
            w = 1
            breakpoint()
            print("hidden2")
            assert capsys.readouterr().out == "hidden\\nhidden2\\n"
    """})
    term = terminal("-s")
    first = term.expect(PROMPT)
    assert _sep(">", "PDB set_trace (IO-capturing turned off for fixture capsys)") in first.splitlines()
    term.send("c")
    assert term.finish() == 0
    assert _sep(">", "PDB continue (IO-capturing resumed for fixture capsys)") in term.lines
    assert re.fullmatch(r"=+ 1 passed in [\d.]+s =+", term.final_line), term.output


def test_pdbcls_names_the_debugger_class(tmp_path, terminal):
    make_files(tmp_path, {
        **FAILING,
        "mydebugger.py": """
            import pdb

            class Debugger(pdb.Pdb):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.prompt = "(MyPdb) "
        """,
    })
    term = terminal("--pdb", "--pdbcls=mydebugger:Debugger", "-p", "no:pytest_compat")
    term.expect("(MyPdb) ")
    term.send("c")
    assert term.finish() == 1


# -- without a terminal ------------------------------------------------------------------------


def _run_plain(tmp_path: Path, *args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    cmd, env = build_minitest_command("-p", "no:cache", *args)
    return subprocess.run(cmd, cwd=str(tmp_path), env=env, stdin=stdin, capture_output=True, text=True,
                          timeout=120)


def test_pdb_with_stdin_at_its_end_goes_on_with_the_run(tmp_path):
    make_files(tmp_path, FAILING)
    result = _run_plain(tmp_path, "--pdb")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert _sep(">", "entering PDB") in lines
    # the end of piped commands continues (pytest would stop the whole run)
    assert _sep(">", "PDB continue (IO-capturing resumed)") in lines
    assert re.fullmatch(r"=+ 1 failed, 2 passed in [\d.]+s =+", lines[-1]), result.stdout
    assert "INTERNALERROR" not in result.stdout + result.stderr


def test_pdb_with_piped_commands(tmp_path):
    make_files(tmp_path, FAILING)
    cmd, env = build_minitest_command("-p", "no:cache", "--pdb")
    result = subprocess.run(cmd, cwd=str(tmp_path), env=env, input="p x * 2\nc\n", capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "(Pdb) 84" in result.stdout.splitlines()


def test_pdb_with_stdin_closed_reports_the_failure_and_goes_on(tmp_path):
    make_files(tmp_path, FAILING)
    cmd, env = build_minitest_command("-p", "no:cache", "--pdb", "--trace")
    # a child whose stdin (fd 0) is closed: Python sets sys.stdin to None
    code = "import os, subprocess, sys; os.close(0); sys.exit(subprocess.call(sys.argv[1:], close_fds=False))"
    result = subprocess.run([sys.executable, "-c", code, *cmd], cwd=str(tmp_path), env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert _sep(">", "PDB post_mortem: stdin is closed, not entering the debugger") in lines
    assert _sep(">", "PDB runcall: stdin is closed, not entering the debugger") in lines
    assert _sep("=", "FAILURES") in lines  # the failure is reported as usual
    assert re.fullmatch(r"=+ 1 failed, 2 passed in [\d.]+s =+", lines[-1]), result.stdout
    assert "INTERNALERROR" not in result.stdout + result.stderr


@pytest.mark.parametrize("value, message", [
    ("nosuchmodule_xyz:Debugger",
     "ERROR: --pdbcls: could not import 'nosuchmodule_xyz:Debugger': ModuleNotFoundError: "
     "No module named 'nosuchmodule_xyz'"),
    ("pdb:NoSuchClass",
     "ERROR: --pdbcls: could not import 'pdb:NoSuchClass': AttributeError: module 'pdb' has no "
     "attribute 'NoSuchClass'"),
    ("pdb", "ERROR: --pdbcls: 'pdb' is not in the format 'modulename:classname'"),
])
def test_pdbcls_that_cannot_be_imported_is_a_usage_error(tmp_path, value, message):
    make_files(tmp_path, FAILING)
    result = _run_plain(tmp_path, "--pdb", f"--pdbcls={value}")
    assert result.returncode == 4
    assert message in result.stderr.splitlines(), result.stderr
    assert "test_a.py" not in result.stdout


@pytest.mark.parametrize("option", ["--pdb", "--trace"])
@pytest.mark.parametrize(("workers", "env", "why"), [
    (["--tx", "popen"], {}, "--tx workers"),
    (["-n", "2"], {"MINITEST_DIST_FORK": "0"}, "MINITEST_DIST_FORK=0"),
], ids=["tx", "spawned"])
def test_debugging_with_workers_that_are_not_forked_is_a_usage_error(tmp_path, option, workers, env, why):
    make_files(tmp_path, FAILING)
    cmd, full_env = build_minitest_command("-p", "no:cache", option, *workers, env=env)
    result = subprocess.run(cmd, cwd=str(tmp_path), env=full_env, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 4, result.stdout + result.stderr
    assert (f"ERROR: {option} with workers needs them forked from this process, whose terminal they share; "
            f"these would be started apart from it ({why}), with no terminal: run without -n/--tx (or with -n 0)"
            in result.stderr.splitlines()), result.stderr
    assert "test_a.py" not in result.stdout


#: a failing test, and a test on the other worker that prints while the first one is debugged
TWO_WORKERS = {
    "test_w.py": """
        import time

        def test_fail():
            x = 42
            assert x == 1

        def test_other():
            time.sleep(0.5)

        def test_third():
            pass
    """,
}


def test_pdb_from_a_worker_post_mortem_then_continue(tmp_path, terminal):
    # the failing test runs in a forked worker: its debugger has the terminal, what the other
    # worker reports meanwhile is shown after, and the run ends as a serial one
    make_files(tmp_path, TWO_WORKERS)
    term = terminal("--pdb", "-n", "2")
    before = term.expect(PROMPT)
    assert "2 workers [3 items]" in before
    lines = before.splitlines()
    assert "E       assert 42 == 1" in lines
    assert lines[-4:] == [
        _sep(">", "PDB post_mortem (IO-capturing turned off)"),
        f"> {tmp_path / 'test_w.py'}(5)test_fail()",
        "-> assert x == 1",
        "(Pdb) ",
    ]
    term.send("p x")
    assert term.expect(PROMPT).splitlines()[-2:] == ["42", "(Pdb) "]
    term.send("c")
    assert term.finish() == 1
    assert _sep(">", "PDB continue (IO-capturing resumed)") in term.lines
    assert "FAILED test_w.py::test_fail - assert 42 == 1" in term.lines
    assert _sep("=", "FAILURES") not in term.lines  # the worker's debugger showed the traceback
    assert re.fullmatch(r"=+ 1 failed, 2 passed in [\d.]+s =+", term.final_line), term.output


#: the failing test waits (10 s at most) for the other worker's test to have run, so the quit
#: comes after it whatever the load: under a loaded CI run, the second worker could start late,
#: and its test not run before the quit, which is right (no test starts after it) but left the
#: final line without "1 passed"
QUIT_AFTER_OTHER = {
    "test_w.py": """
        import os
        import time

        def test_fail():
            deadline = time.monotonic() + 10
            while not os.path.exists("third.done") and time.monotonic() < deadline:
                time.sleep(0.01)
            x = 42
            assert x == 1

        def test_other():
            time.sleep(0.5)

        def test_third():
            open("third.done", "w").close()
    """,
}


def test_pdb_quit_in_a_worker_stops_the_whole_run(tmp_path, terminal):
    # test_fail and test_other go to one worker, test_third to the other (3 tests, no durations)
    make_files(tmp_path, QUIT_AFTER_OTHER)
    term = terminal("--pdb", "-n", "2")
    term.expect(PROMPT)
    term.send("q")
    assert term.finish() == 2
    assert _sep("!", "minitest.outcomes.Exit: Quitting debugger") in term.lines
    assert "INTERNALERROR" not in term.output
    # test_third ran before the quit (its report shown, though the terminal was lent meanwhile);
    # test_other, queued behind the failure, never started
    assert re.fullmatch(r"=+ 1 failed, 1 passed in [\d.]+s =+", term.final_line), term.output


def test_breakpoints_in_two_workers_take_turns_at_the_terminal(tmp_path, terminal):
    # both workers stop at a breakpoint: one prompt at a time, each answered in turn
    make_files(tmp_path, {"test_bp.py": """
        def test_one():
            mine = "one"
            breakpoint()

        def test_two():
            mine = "two"
            breakpoint()
    """})
    term = terminal("-n", "2")
    seen = []
    for _ in range(2):
        term.expect(PROMPT)
        term.send("p mine")
        seen.append(term.expect(PROMPT).splitlines()[-2])
        term.send("c")
    assert term.finish() == 0
    assert sorted(seen) == ["'one'", "'two'"], term.output
    assert term.lines.count(_sep(">", "PDB set_trace (IO-capturing turned off)")) == 2
    assert re.fullmatch(r"=+ 2 passed in [\d.]+s =+", term.final_line), term.output


def test_pdb_with_n_auto_runs_in_process(tmp_path):
    make_files(tmp_path, FAILING)
    result = _run_plain(tmp_path, "--pdb", "-n", "auto")
    assert result.returncode == 1, result.stdout + result.stderr
    assert _sep(">", "entering PDB") in result.stdout.splitlines()


def test_a_plain_run_does_not_import_pdb(tmp_path):
    make_files(tmp_path, {"test_m.py": """
        import sys

        def test_no_pdb():
            assert "pdb" not in sys.modules
            assert "bdb" not in sys.modules
    """})
    result = _run_plain(tmp_path, "-p", "no:pytest_compat", "-p", "no:pytest_shim")
    assert result.returncode == 0, result.stdout + result.stderr


def test_exception_interact_hook_is_called_for_failures_only(tmp_path):
    make_files(tmp_path, {
        "conftest.py": """
            def minitest_exception_interact(node, call, report):
                print(f"interact {node.nodeid} {report.when} {call.excinfo.typename}")
        """,
        "test_h.py": """
            import minitest

            def test_fails():
                raise KeyError("k")

            def test_skips():
                minitest.skip("no")

            @minitest.mark.xfail
            def test_xfails():
                assert False

            def test_passes():
                pass
        """,
    })
    result = _run_plain(tmp_path, "-s")
    assert result.returncode == 1, result.stdout + result.stderr
    interacts = re.findall(r"interact \S+ \w+ \w+", result.stdout)
    assert interacts == ["interact test_h.py::test_fails call KeyError"]
