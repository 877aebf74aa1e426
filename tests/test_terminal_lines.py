"""The final line and the short test summary, byte for byte as pytest writes them: colours, the
``=`` fill at 80 columns, --collect-only's wording, the trimming of long messages. Found by mutation
testing (tests/MUTATION.md): the other terminal tests check the words, not the bytes.

Each case runs minitest and pytest on the same suite (dual_suite.write_dual) and compares lines,
with only the durations normalised."""

from __future__ import annotations

import re

import pytest
from conftest import RunResult, run_minitest, run_pytest_process
from dual_suite import to_pytest, write_dual

_DURATION = re.compile(r"\d+\.\d\ds")

LONG = "x" * 150
# at 80 columns, "FAILED test_mix.py::NAME" leaves 80 - 6 - len(node id) - 1 columns for " - message":
# node ids of 67 and 68 characters leave 6 (the message cut to " - ...") and 5 (no message at all)

SUITE = {
    "conftest.py": """
        import minitest

        class MyRepr:
            # a plugin's own failure repr (as pytest-check's): its crash line is the message

            def __init__(self, message):
                self.reprcrash = type("Crash", (), {"message": message})()

            def toterminal(self, tw):
                tw.line("my own repr")

            def __str__(self):
                return "my repr as text"

        @minitest.hookimpl(wrapper=True)
        def minitest_runtest_makereport(item, call):
            rep = yield
            if rep.failed and "custom_repr" in item.name:
                rep.longrepr = MyRepr("crash message from the repr")
            if rep.failed and "string_repr" in item.name:
                rep.longrepr = "a failure told as plain text\\nand its second line"
            return rep

        def minitest_report_teststatus(report, config):
            if report.when == "call" and report.failed and "custom_word" in report.nodeid:
                return "failed", "C", ("CUSTOMFAIL", {"red": True})
    """,
    "test_marked.py": """
        import minitest

        minitestmark = minitest.mark.skip(reason="whole module")

        def test_m1():
            pass

        def test_m2():
            pass
    """,
    "test_marked_class.py": """
        import minitest

        @minitest.mark.skip(reason="whole class")
        class TestSkipped:
            def test_c1(self):
                pass

            def test_c2(self):
                pass

        @minitest.fixture
        def broken():
            raise RuntimeError("setup broke")

        @minitest.mark.xfail(reason="known setup problem")
        def test_xfail_in_setup(broken):
            pass
    """,
    "test_mix.py": f"""
        import warnings
        import minitest

        def test_pass():
            pass

        def test_long_message():
            assert 0, "{LONG}"

        def test_multiline_message():
            raise ValueError("first line\\\\nsecond line")

        def test_custom_word():
            assert 0, "with a plugin's word"

        def test_leaves_six_columns_for_the_message_xxxxxxxxxxxxxx():
            assert 0, "{LONG}"

        def test_leaves_five_columns_for_the_message_xxxxxxxxxxxxxx():
            assert 0, "{LONG}"

        @minitest.mark.skip(reason="later")
        def test_skip():
            pass

        @minitest.mark.xfail(reason="known")
        def test_xfail():
            assert 0

        @minitest.mark.xfail(reason="lucky")
        def test_xpass():
            pass

        def test_custom_repr():
            assert 0

        @minitest.fixture
        def broken_fixture():
            raise RuntimeError("fixture broke")

        def test_setup_error(broken_fixture):
            pass

        def test_string_repr():
            assert 0


        def test_marked_by_hand():
            pass

        # a mark set as the attribute pytest reads (as a plugin written for pytest may do): its own
        # mark, so the skip line keeps its line number
        test_marked_by_hand.pytestmark = [minitest.mark.skip(reason="by hand")]

        def test_warns():
            warnings.warn(UserWarning("careful"))
    """,
}

PASSING = {"test_ok.py": "def test_one():\n    pass\n\ndef test_two():\n    pass\n"}
WARNING_ONLY = {"test_w.py": "import warnings\n\ndef test_w():\n    warnings.warn(UserWarning('w'))\n"}
XPASS_ONLY = {"test_x.py": "import minitest\n\n@minitest.mark.xfail\ndef test_x():\n    pass\n"}
BROKEN = {**PASSING, "test_broken.py": "def test_x(:\n"}


def _both(tmp_path, files, *args: str, env: dict[str, str] | None = None) -> tuple[RunResult, RunResult]:
    mine_dir, ref_dir = write_dual(tmp_path, files)
    mine = run_minitest(*args, cwd=mine_dir, env=env)
    ref = run_pytest_process(*[to_pytest(a) for a in args], cwd=ref_dir, env=env)
    return mine, ref


def _normalised(lines: list[str]) -> list[str]:
    return [to_pytest(_DURATION.sub("N.NNs", line)) for line in lines]


def _summary(result: RunResult) -> list[str]:
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if "short test summary info" in line)
    return _normalised(lines[start:])


@pytest.mark.parametrize("files, args", [
    (SUITE, ["--color=yes", "-p", "no:unittest"]),
    (SUITE, ["--color=yes", "-q", "-p", "no:unittest"]),
    (PASSING, ["--color=yes"]),
    (WARNING_ONLY, ["--color=yes"]),
    (XPASS_ONLY, ["--color=yes"]),
    ({"helper.py": "X = 1\n"}, ["--color=yes"]),
], ids=["mixed", "mixed-q", "passing", "warning-only", "xpass-only", "nothing"])
def test_final_line_bytes_match_pytest(tmp_path, files, args):
    mine, ref = _both(tmp_path, files, *args)
    assert mine.ret == ref.ret, mine.dump() + ref.dump()
    assert _normalised(mine.stdout.splitlines()[-1:]) == _normalised(ref.stdout.splitlines()[-1:]), \
        mine.dump() + ref.dump()


@pytest.mark.parametrize("files, args", [
    (PASSING, ["--co"]),
    (PASSING, ["--co", "-q"]),
    (PASSING, ["--co", "-k", "one"]),
    (PASSING, ["--co", "-k", "nothing_matches"]),
    ({"test_one.py": "def test_only():\n    pass\n"}, ["--co"]),
    ({"helper.py": "X = 1\n"}, ["--co"]),
    (BROKEN, ["--co"]),
    (BROKEN, ["--co", "-k", "one"]),
    (BROKEN, ["--co", "-k", "one", "-q"]),
    (PASSING, ["--co", "--color=yes"]),
    (PASSING, ["--co", "--color=yes", "-q"]),
    (BROKEN, ["--co", "--color=yes"]),
    ({"helper.py": "X = 1\n"}, ["--co", "--color=yes"]),
], ids=["co", "co-q", "co-k", "co-k-none", "co-one", "co-nothing", "co-error", "co-k-error", "co-k-error-q",
        "co-color", "co-color-q", "co-error-color", "co-nothing-color"])
def test_collect_only_final_line_matches_pytest(tmp_path, files, args):
    mine, ref = _both(tmp_path, files, *args)
    assert mine.ret == ref.ret, mine.dump() + ref.dump()
    assert _normalised(mine.stdout.splitlines()[-1:]) == _normalised(ref.stdout.splitlines()[-1:]), \
        mine.dump() + ref.dump()


@pytest.mark.parametrize("args, env", [
    (["-rA"], {}),
    (["-rA", "-v"], {}),
    (["-rA", "-vv"], {}),
    (["-rA"], {"CI": "1"}),  # on CI messages are not cut (pytest: CI or BUILD_NUMBER set)
    (["-rA"], {"BUILD_NUMBER": "7"}),
], ids=["rA", "rA-v", "rA-vv", "CI", "BUILD_NUMBER"])
def test_short_summary_lines_match_pytest(tmp_path, args, env):
    mine, ref = _both(tmp_path, SUITE, "-p", "no:unittest", *args, env=env)
    assert mine.ret == ref.ret == 1, mine.dump() + ref.dump()
    assert _summary(mine) == _summary(ref), mine.dump() + ref.dump()


def test_plugins_add_their_own_short_summary_lines(files, run):
    # minitest_short_test_summary_lines (a minitest hook): a plugin's lines come last, given the -r
    # characters in effect; with nothing else to show, the section still gets its title
    files({
        "conftest.py": """
            def minitest_short_test_summary_lines(terminalreporter, reportchars):
                return [f"MYPLUGIN {reportchars}", "MYPLUGIN second line"]
        """,
        "test_ok.py": "def test_ok():\n    pass\n",
    })
    result = run("-rfE")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["*= short test summary info =*", "MYPLUGIN fE", "MYPLUGIN second line", "*= 1 passed in *"],
                         consecutive=True)


def test_coloured_short_summary_matches_pytest(tmp_path):
    # the colours of the title and of each word, and the test's name in bold (pytest >= 8.4)
    suite = {"test_colours.py": """
        import minitest

        def test_pass():
            pass

        def test_fail():
            assert 0, "short"

        @minitest.mark.skip(reason="later")
        def test_skip():
            pass

        @minitest.mark.xfail(reason="known")
        def test_xfail():
            assert 0

        @minitest.mark.xfail(reason="lucky")
        def test_xpass():
            pass
    """}
    mine, ref = _both(tmp_path, suite, "-rA", "--color=yes")
    assert mine.ret == ref.ret == 1, mine.dump() + ref.dump()
    assert _summary(mine) == _summary(ref), mine.dump() + ref.dump()


def test_durations_of_a_minute_and_more_also_say_hours_minutes_seconds() -> None:
    # as pytest's format_session_duration: the timedelta of the whole seconds from 60 s on
    from builtin_plugins.terminal.final_line import format_duration

    assert format_duration(59.99) == "59.99s"
    assert format_duration(60) == "60.00s (0:01:00)"
    assert format_duration(119.5) == "119.50s (0:01:59)"
    assert format_duration(3725.25) == "3725.25s (1:02:05)"


def test_progress_line_colour_counts_the_report_it_shows(tmp_path):
    # the statistics part counts a report before the progress writes it: a first and only test
    # that fails makes "[100%]" red already, as in pytest
    mine, ref = _both(tmp_path, {"test_f.py": "def test_f():\n    assert 0\n"}, "--color=yes")
    assert mine.ret == ref.ret == 1, mine.dump() + ref.dump()

    def progress(result: RunResult) -> list[str]:
        return [line for line in result.stdout.splitlines() if "100%" in line]

    assert progress(mine) == progress(ref) and len(progress(mine)) == 1, mine.dump() + ref.dump()


def _setups_filed_as_passed(word: str) -> dict[str, str]:
    return {
    "conftest.py": """
        import minitest

        @minitest.fixture
        def noisy():
            print("setting up")
            yield
            print("tearing down")

        def minitest_report_teststatus(report, config):
            # a plugin filing the passed set-ups under "passed", with a word of its own
            if report.when == "setup" and report.passed:
                return "passed", "", WORD
    """.replace("WORD", word),
    "test_setups.py": "def test_one(noisy):\n    print('in the test')\n\n\ndef test_two():\n    pass\n",
    }


@pytest.mark.parametrize("args, word", [
    (["-rA"], '"SETUP-PASSED"'),
    (["-rA", "--color=yes"], '"SETUP-PASSED"'),
    (["-rA"], '("SETUP-PASSED", {"blue": True})'),
    (["-rA"], '""'),
], ids=["rA", "rA-color", "word-and-markup", "no-word"])
def test_passed_reports_of_other_phases_show_and_count_as_in_pytest(tmp_path, args, word):
    """Set-up reports a plugin files under ``passed``: in PASSES, in the short summary under the
    plugin's word (an empty word too, which leaves the line without one), and in the final line's
    count (4 passed for 2 tests), as pytest 9.2 shows them."""
    mine, ref = _both(tmp_path, _setups_filed_as_passed(word), *args)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    lines = [_normalised(result.stdout.splitlines()) for result in (mine, ref)]
    sections = [result[next(i for i, line in enumerate(result) if " PASSES " in line):] for result in lines]
    assert sections[0] == sections[1], mine.dump() + ref.dump()
    assert sum("SETUP-PASSED" in line for line in sections[0]) == (2 if "SETUP" in word else 0), mine.dump()
    assert "4 passed" in sections[0][-1], mine.dump()


def test_a_skip_a_plugin_tells_as_text_leaves_the_other_skips_grouped(files, run):
    """A skipped report whose longrepr a plugin replaced by text (pytest 9.2 stops with an internal
    error on it) has no place to group under: left out, the skips after it still listed."""
    files({
        "conftest.py": """
            import minitest

            @minitest.hookimpl(wrapper=True)
            def minitest_runtest_makereport(item, call):
                rep = yield
                if rep.skipped and "as_text" in item.name:
                    rep.longrepr = "skipped, told as text"
                return rep
        """,
        "test_skips.py": """
            import minitest

            def test_a_as_text():
                minitest.skip("first")

            def test_b():
                minitest.skip("second")
        """,
    })
    result = run("-rs")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["*= short test summary info =*", "SKIPPED [[]1] test_skips.py:7: second", "*= 2 skipped in *"],
                         consecutive=True)


REPORTED = {"test_r.py": """
    import minitest

    def test_ok():
        pass

    def test_bad():
        assert 0

    def test_skipped():
        minitest.skip("not here")
"""}


@pytest.mark.parametrize("chars", ["-rpa", "-rfA", "-rF", "-rS", "-rwf", "-raN", "-rNs", "-rfsf", "-rEf"])
def test_report_characters_are_read_as_pytest_reads_them(tmp_path, chars):
    """``a`` / ``A`` replace the characters before them (``-rpa`` shows no PASSED line), ``F`` and
    ``S`` are old spellings of ``f`` and ``s``, ``w`` asks for nothing in the short summary."""
    mine, ref = _both(tmp_path, REPORTED, chars)
    assert mine.ret == ref.ret == 1, mine.dump() + ref.dump()
    tails = [_normalised(result.stdout.splitlines()) for result in (mine, ref)]
    tails = [lines[next(i for i, line in enumerate(lines) if line.startswith("=") and (
        "short test summary info" in line or " in N.NNs " in line)):] for lines in tails]
    assert tails[0] == tails[1], mine.dump() + ref.dump()


PLUGIN_STATUSES = {
    "conftest.py": """
        def minitest_report_teststatus(report, config):
            if report.when != "call" or not report.passed:
                return None
            # a word with its own markup, and plugin categories given without one
            if "flaky" in report.nodeid:
                return "flaky", "L", ("FLAKY", {"blue": True, "bold": True})
            if "zeta" in report.nodeid:
                return "zeta", "z", "ZETA"
            if "alpha" in report.nodeid:
                return "alpha", "a", "ALPHA"
    """,
    "test_statuses.py": """
        import minitest

        def test_skipped_first():
            minitest.skip("first")

        def test_flaky():
            pass

        def test_zeta():
            pass

        def test_alpha():
            pass

        def test_plain():
            pass
    """,
}


@pytest.mark.parametrize("files, args", [
    (PLUGIN_STATUSES, ["--color=yes"]),
    (PLUGIN_STATUSES, ["--color=yes", "-v"]),
    ({"test_s.py": "import minitest\n\ndef test_a():\n    minitest.skip('x')\n\ndef test_b():\n    pass\n"},
     ["--color=yes", "-v"]),
], ids=["letters", "words", "skip-then-pass"])
def test_plugin_words_letters_and_the_run_colour_match_pytest(tmp_path, files, args):
    """A word given as ``(word, markup)`` colours its word and its letter with that markup; a word
    without markup is coloured by the report's outcome, whatever its category; a plugin's own
    category makes the percentage and the final line yellow (its count in bold) and is listed in
    the order it first came; a run still going with only skips so far is green, as pytest 9.2."""
    mine, ref = _both(tmp_path, files, *args)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    lines = [[line for line in _normalised(result.stdout.splitlines()) if line.startswith("test_") or " in N.NNs" in line]
             for result in (mine, ref)]
    assert lines[0] == lines[1] and len(lines[0]) >= 2, mine.dump() + ref.dump()


PASSED_WITH_LONGREPR = {
    "conftest.py": """
        import minitest

        @minitest.hookimpl(wrapper=True)
        def minitest_runtest_makereport(item, call):
            rep = yield
            if rep.when == "call" and "as_text" in item.name:
                rep.longrepr = "passed, but a plugin left a note " + "x" * 60 + "\\nsecond line"
            if rep.when == "call" and rep.failed and "turned" in item.name:
                rep.outcome = "passed"  # a plugin turning a failure into a pass keeps its repr
            return rep
    """,
    "test_p.py": """
        def test_as_text():
            pass

        def test_turned():
            assert 0, "boom"

        def test_plain():
            pass
    """,
}


@pytest.mark.parametrize("args", [["-rp"], ["-rp", "--color=yes"], ["-rA", "-vv"]], ids=["rp", "rp-color", "rA-vv"])
def test_a_passed_report_with_a_longrepr_shows_its_message_as_in_pytest(tmp_path, args):
    """``PASSED test_p.py::test_as_text - passed, but ...``: the message of a passed report's
    longrepr (text, or a failure's crash) follows its line, cut to the width, as pytest 9.2."""
    mine, ref = _both(tmp_path, PASSED_WITH_LONGREPR, *args)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    assert _summary(mine) == _summary(ref), mine.dump() + ref.dump()
    assert sum(" - " in line for line in _summary(mine)) == 2, mine.dump()
