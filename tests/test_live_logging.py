"""Live logging (``log_cli``, ``--log-cli-level``...) and ``--log-file``: the builtin ``logging``.

Each test runs minitest and pytest 9.2 on the same folder and compares the output from the
"collected" line on (the header lines name the runner and its plugins), times masked.
"""

from __future__ import annotations

import re
import sys

import pytest
from conftest import dual_conftest, make_files

SUITE = {
    "test_app.py": """
        import logging
        import pytest

        log = logging.getLogger("app")

        @pytest.fixture
        def fx():
            log.info("setup msg")
            yield
            log.info("teardown msg")

        def test_one(fx):
            log.info("call msg")
            log.debug("debug msg")

        def test_two():
            pass

        def test_fail(fx):
            log.warning("warn msg")
            assert 0
    """,
}

#: records outside the tests: at session start and end (a conftest), at collection (import),
#: in a teardown only, a multi-line message, a skipped test
EDGES = {
    "conftest.py": dual_conftest("""
        import logging

        log = logging.getLogger("conf")

        def sessionstart(session):
            log.warning("session starting")

        def sessionfinish(session, exitstatus):
            log.warning("session done")

        globals()[PREFIX + "_sessionstart"] = sessionstart
        globals()[PREFIX + "_sessionfinish"] = sessionfinish
    """),
    "test_edges.py": """
        import logging
        import pytest

        log = logging.getLogger("edges")
        log.warning("at import")

        @pytest.fixture
        def td():
            yield
            log.warning("only teardown")

        def test_td(td):
            pass

        def test_multi():
            log.warning("line1\\nline2")

        @pytest.mark.skip(reason="nope")
        def test_skip():
            pass

        def test_last(td):
            log.error("err")
    """,
}

_TIME = re.compile(r" in \d+(\.\d+)?s")
_HEADER = ("platform ", "rootdir:", "configfile:", "plugins:", "cachedir:", "benchmark:")


def _body(lines: list[str]) -> list[str]:
    """The output without the header lines that name the runner, times masked."""
    return [_TIME.sub(" in T", line) for line in lines if not line.startswith(_HEADER)]


@pytest.fixture
def same_as_pytest(tmp_path, run, run_pytest):
    """``same_as_pytest(files, *args)``: minitest's output and exit code are pytest's."""

    def _check(files, *args):
        make_files(tmp_path, files)
        mine, ref = run(*args), run_pytest(*args)
        context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
        assert mine.ret == ref.ret, context
        assert _body(mine.lines) == _body(ref.lines), context
        return mine

    return _check


def test_log_cli_ini_shows_only_records_the_root_level_lets_through(same_as_pytest):
    mine = same_as_pytest({**SUITE, "pytest.ini": "[pytest]\nlog_cli = true\n"})
    mine.fnmatch_lines(["test_app.py::test_fail ", "*- live log call -*", "WARNING  app:test_app.py:* warn msg",
                        "FAILED * [[]100%]"], consecutive=True)
    mine.no_fnmatch_line("*live log setup*")


def test_log_cli_level_info_setup_call_teardown(same_as_pytest):
    mine = same_as_pytest(SUITE, "--log-cli-level=INFO")
    mine.fnmatch_lines([
        "test_app.py::test_one ",
        "*-- live log setup --*",
        "INFO     app:test_app.py:* setup msg",
        "*-- live log call --*",
        "INFO     app:test_app.py:* call msg",
        "PASSED * [[] 33%]",
        "*-- live log teardown --*",
        "INFO     app:test_app.py:* teardown msg",
        "",
        "test_app.py::test_two PASSED * [[] 66%]",
    ], consecutive=True)


@pytest.mark.parametrize("verbosity", ["-v", "-q", "-vv"])
def test_live_logs_with_verbosity_flags(same_as_pytest, verbosity):
    same_as_pytest(SUITE, verbosity, "--log-cli-level=INFO")


def test_log_cli_level_debug_and_the_failure_report_keeps_captured_logs(same_as_pytest):
    mine = same_as_pytest(SUITE, "--log-cli-level=DEBUG")
    mine.fnmatch_lines(["DEBUG    app:test_app.py:* debug msg", "PASSED*"], consecutive=True)
    mine.fnmatch_lines(["*_ test_fail _*", "*- Captured log setup -*", "INFO     app:test_app.py:* setup msg",
                        "*- Captured log call -*", "WARNING  app:test_app.py:* warn msg",
                        "*- Captured log teardown -*", "INFO     app:test_app.py:* teardown msg"])


@pytest.mark.parametrize("args", [
    ("--log-cli-level=WARNING",),
    ("-o", "log_cli=true", "-x"),
    ("-o", "log_cli=true", "-o", "log_auto_indent=true"),
    ("-o", "log_cli=true", "-o", "log_cli_format=%(levelname)s|%(message)s"),
    ("-o", "log_cli=true", "--co"),
    ("-q",),
])
def test_session_collection_and_teardown_only_records(same_as_pytest, args):
    same_as_pytest(EDGES, *args)


def test_session_sections(same_as_pytest):
    mine = same_as_pytest(EDGES, "--log-cli-level=WARNING")
    mine.fnmatch_lines(["*- live log sessionstart -*", "WARNING  conf:conftest.py:* session starting",
                        "*test session starts*"], consecutive=True)
    mine.fnmatch_lines(["rootdir: *", "*- live log collection -*",
                        "WARNING  edges:test_edges.py:* at import", "collected 4 items"], consecutive=True)
    mine.fnmatch_lines(["*- live log sessionfinish -*", "WARNING  conf:conftest.py:* session done",
                        "", "", "*3 passed, 1 skipped in *"], consecutive=True)


def test_log_level_enables_lower_records_in_live_logs(same_as_pytest):
    same_as_pytest(SUITE, "--log-level=INFO", "-o", "log_cli=true")
    same_as_pytest(SUITE, "--log-level=DEBUG", "--log-cli-level=WARNING")


def test_level_names_coloured(same_as_pytest, tmp_path, run):
    make_files(tmp_path, SUITE)
    result = run("--color=yes", "--log-cli-level=DEBUG", "test_app.py::test_one")
    result.fnmatch_lines(["\x1b[[]32mINFO    \x1b[[]0m app:test_app.py:* call msg"])
    result.fnmatch_lines(["\x1b[[]35mDEBUG   \x1b[[]0m app:test_app.py:* debug msg"])


def _log_file(tmp_path, runner, *args):
    path = tmp_path / f"logs-{runner.__name__}" / "sub" / "run.log"
    result = runner("-q", f"--log-file={path}", *args)
    return result, path.read_text(encoding="utf-8")


@pytest.fixture
def log_file_runners(run, run_pytest):
    def minitest(*args):
        return run(*args)

    def pytest_(*args):
        return run_pytest(*args)

    return minitest, pytest_


def test_log_file_written_for_the_whole_session_in_a_new_directory(tmp_path, log_file_runners):
    make_files(tmp_path, EDGES)
    make_files(tmp_path, {"test_info.py": """
        import logging

        def test_info():
            logging.getLogger("i").info("info record")
            logging.getLogger("i").debug("debug record")
    """})
    fmt = "--log-file-format=%(levelname)s %(name)s %(message)s"
    (mine, mine_text), (ref, ref_text) = (_log_file(tmp_path, r, fmt) for r in log_file_runners)
    assert mine.ret == ref.ret == 0
    assert mine_text == ref_text
    assert "WARNING conf session starting" in mine_text and "WARNING conf session done" in mine_text
    assert "info record" not in mine_text  # the root logger's level (WARNING)
    (mine, mine_text), (ref, ref_text) = (_log_file(tmp_path, r, fmt, "--log-file-level=INFO")
                                          for r in log_file_runners)
    assert mine_text == ref_text
    assert "INFO i info record" in mine_text and "debug record" not in mine_text
    assert mine.lines == [line for line in mine.lines if "live log" not in line]


def test_log_file_mode_append_and_ini_keys(tmp_path, run, run_pytest):
    files = {"test_w.py": """
        import logging

        def test_w():
            logging.getLogger("w").warning("hello")
    """}
    for name, runner in (("minitest", run), ("pytest", run_pytest)):
        folder = tmp_path / name
        make_files(folder, {**files, "pytest.ini": "[pytest]\nlog_file = out.log\nlog_file_mode = a\n"
                                                   "log_file_format = %(name)s: %(message)s\n"})
        (folder / "out.log").write_text("before\n", encoding="utf-8")
        assert runner(cwd=folder).ret == 0
        assert runner(cwd=folder).ret == 0
        assert (folder / "out.log").read_text(encoding="utf-8") == "before\nw: hello\nw: hello\n"


@pytest.mark.parametrize("args", [
    ("--log-file=x.log", "--log-file-level=foo"),
    ("--log-cli-level=bar",),
    ("-o", "log_cli_level=nope", "-o", "log_cli=true"),
    ("--log-file-mode=z",),
])
def test_bad_values_are_usage_errors(tmp_path, run, run_pytest, args):
    make_files(tmp_path, SUITE)
    mine, ref = run(*args), run_pytest(*args)
    assert mine.ret == ref.ret == 4
    if "--log-file-mode=z" not in args:
        assert mine.errlines[-1] == ref.errlines[-1] or mine.errlines[0] == ref.errlines[0], mine.dump()
        assert "is not recognized as a logging level name for" in mine.stderr


def test_caplog_still_works_with_live_logging(same_as_pytest):
    same_as_pytest({"test_c.py": """
        import logging

        def test_c(caplog):
            caplog.set_level(logging.INFO)
            logging.getLogger("c").info("seen %d", 1)
            assert caplog.messages == ["seen 1"]
            with caplog.at_level(logging.DEBUG, logger="d"):
                logging.getLogger("d").debug("deep")
            assert caplog.record_tuples[-1] == ("d", logging.DEBUG, "deep")
    """}, "-o", "log_cli=true")


def test_no_logging_blocks_live_logs(tmp_path, run, run_pytest):
    make_files(tmp_path, SUITE)
    mine = run("-p", "no:logging", "--log-cli-level=INFO")
    assert mine.ret == 4  # the option is gone with the plugin, as pytest's
    assert run_pytest("-p", "no:logging", "--log-cli-level=INFO").ret == 4
    mine = run("-p", "no:logging", "-o", "log_cli=true")
    assert mine.ret == 1
    mine.no_fnmatch_line("*live log*")
    mine.fnmatch_lines(["test_app.py ..F *"])


def test_no_capture_keeps_live_logs(tmp_path, run):
    make_files(tmp_path, SUITE)
    result = run("-p", "no:capture", "--log-cli-level=INFO")
    result.fnmatch_lines(["*- live log call -*", "INFO     app:test_app.py:* call msg"])


# -- on a terminal ---------------------------------------------------------------------------------

#: a suite without failures: pytest highlights the source of a failure with pygments, which
#: minitest does not do (``--code-highlight`` has no equivalent)
PASSING = {
    "test_app.py": """
        import logging
        import pytest

        log = logging.getLogger("app")

        @pytest.fixture
        def fx():
            log.info("setup msg")
            yield
            log.info("teardown msg")

        def test_one(fx):
            log.info("call msg")
            log.debug("debug msg")

        def test_two():
            pass

        def test_warns(fx):
            log.warning("warn msg")
            log.error("error msg")
    """,
}

_TERMINAL_HEADER = re.compile(r"^(\x1b\[[0-9;]*m)*(platform |plugins:|cachedir:)")


def _terminal_body(raw: str) -> list[str]:
    # pytest keeps a level's colour options in a set: ERROR's "red" and "bold" come in either
    # order from one run to the next (the string hash seed)
    raw = raw.replace("\x1b[1m\x1b[31m", "\x1b[31m\x1b[1m")
    return [_TIME.sub(" in T", line) for line in raw.split("\n") if not _TERMINAL_HEADER.match(line)]


@pytest.fixture
def same_on_a_terminal(tmp_path):
    """``same_on_a_terminal(files, *args)``: minitest and pytest run on a pseudo-terminal (TERM
    set, colour left to the terminal) write the same bytes, the header lines that name the
    runner and the times aside. Returns minitest's raw output."""
    from conftest import build_minitest_command, reference_pytest_command
    from pseudo_terminal import run_in_terminal

    def _check(files, *args):
        make_files(tmp_path, files)
        terminal = {"NO_COLOR": None, "TERM": "xterm-256color"}
        outputs = []
        for build in (build_minitest_command, reference_pytest_command):
            cmd, env = build(*args, env=terminal)
            outputs.append(run_in_terminal(tmp_path, cmd, env))
        (mine_code, mine), (ref_code, ref) = outputs
        context = f"\n===== minitest =====\n{mine!r}\n===== pytest =====\n{ref!r}"
        assert mine_code == ref_code, context
        assert _terminal_body(mine) == _terminal_body(ref), context
        return mine

    return _check


pty_only = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pty_only
def test_live_logs_on_a_terminal_interleave_with_progress_in_colour(same_on_a_terminal):
    mine = same_on_a_terminal(PASSING, "-p", "no:cacheprovider", "--log-cli-level=INFO")
    green, yellow, bold, reset = "\x1b[32m", "\x1b[33m", "\x1b[1m", "\x1b[0m"
    # each record coloured by its level, under its phase's section line, the result word after
    # the call's records on a line of its own (its percentage in the run's colour)
    assert (f"test_app.py::test_one \n{bold}{'-' * 32} live log setup {'-' * 32}{reset}\n"
            f"{green}INFO    {reset} app:test_app.py:8 setup msg\n") in mine
    assert (f"{green}INFO    {reset} app:test_app.py:13 call msg\n{green}PASSED{reset}{green}"
            f"{' ' * 67}[ 33%]{reset}\n") in mine
    assert f"{yellow}WARNING {reset} app:test_app.py:20 warn msg\n" in mine
    # on a terminal the collection count is rewritten in place ("collecting ... " first)
    assert f"{bold}collecting ... {reset}{bold}\rcollected 3 items{' ' * 62}{reset}\n" in mine


@pty_only
@pytest.mark.parametrize("args", [("--log-cli-level=WARNING",), ("-o", "log_cli=true", "-v"), ("-q", "-o", "log_cli=true")])
def test_live_log_sessions_and_collection_on_a_terminal(same_on_a_terminal, args):
    """Records at session start, at collection (the section line right after ``collecting ...``,
    as pytest writes it), in a teardown, multi-line, around a skip."""
    mine = same_on_a_terminal(EDGES, "-p", "no:cacheprovider", *args)
    assert "live log collection" in mine and "\x1b[33mWARNING \x1b[0m" in mine
