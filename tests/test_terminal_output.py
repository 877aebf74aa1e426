"""The whole terminal output of a run, line for line as pytest 9.2 writes it: header, collection
line, progress (letters, words, percentages, line wrapping), the ERRORS / FAILURES / PASSES
sections, stop reasons, the short summary and the final line, with and without colour.

Found by mutation testing (tests/MUTATION.md): the other terminal tests look at one part at a time
(the final line, the short summary, the words), so a change in how the parts fit together (a
missing blank line, a percentage at the wrong column, a section in the wrong order) went unseen.
Each case runs minitest and pytest on the same suite (dual_suite.write_dual) and compares every
line, with only what must differ normalised: durations, the tool's name and version in the
platform line, the folder each one ran in, and the documentation link of the warnings summary.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from conftest import RunResult, dual_conftest, run_minitest, run_pytest_process
from dual_suite import to_pytest, write_dual

_DURATION = re.compile(r"\d+\.\d\ds")
_PLATFORM = re.compile(r"^(platform \S+ -- Python \S+), (?:minitest|pytest)-[^,]+, ")
_DOCS = re.compile(r"^-- Docs: .*$")
# minitest.exit()'s line names minitest's class (minitest.outcomes.Exit), pytest's _pytest's
_EXIT = re.compile(r"^((?:\x1b\[[0-9;]*m)*)!+ _?pytest\.outcomes\.Exit: (.*?) !+((?:\x1b\[[0-9;]*m)*)$")

# one file with every outcome, output captured in each phase, a warning
MIXED = {
    "test_mixed.py": """
        import sys
        import warnings
        import minitest

        @minitest.fixture
        def noisy():
            print("setting up")
            yield
            print("tearing down")

        @minitest.fixture
        def broken():
            raise RuntimeError("setup broke")

        @minitest.fixture
        def bad_teardown():
            yield
            print("teardown says")
            raise ValueError("teardown broke")

        def test_pass(noisy):
            print("passing output")

        def test_fail(noisy):
            print("failing output")
            sys.stderr.write("on stderr\\n")
            x = 1
            assert x == 2, "one is not two"

        def test_error(broken):
            pass

        def test_teardown_error(bad_teardown):
            print("call says")

        @minitest.mark.skip(reason="later")
        def test_skip():
            pass

        def test_skip_inside():
            minitest.skip("not today")

        @minitest.mark.xfail(reason="known bug")
        def test_xfail():
            assert 0

        @minitest.mark.xfail(reason="lucky")
        def test_xpass():
            print("xpass output")

        def test_warns():
            warnings.warn(UserWarning("careful"))
    """,
}

# the reasons after a verbose word: none, long ones (cut with -v, wrapped with -vv), several lines.
# (A skip's reason ending in spaces is left out: pytest strips them, minitest keeps them.)
REASONS = {
    "test_reasons.py": """
        import minitest

        def test_bare_skip():
            minitest.skip()

        @minitest.mark.skip
        def test_bare_mark():
            pass

        @minitest.mark.xfail
        def test_bare_xfail():
            assert 0

        @minitest.mark.xfail(reason="a long reason " * 8)
        def test_long_xfail():
            assert 0

        def test_long_skip():
            minitest.skip(" ".join(["why"] * 30))

        def test_two_lines():
            minitest.skip("first line\\nsecond line")

        def test_xfail_call():
            minitest.xfail("said in the test")

        @minitest.mark.xfail(reason="lucky")
        def test_xpass():
            pass

        @minitest.mark.skip(reason="a reason that just fits in the space before the percentage xxxxx")
        def test_cut():
            pass

        @minitest.mark.skip(reason="just fits xxxxxxxxxxxxxxxxxxxxxxxxx")
        def test_fits():
            pass

        @minitest.mark.skip(reason="why")
        def test_ssssssssssssssssssssssssssssssssssss():  # room for " (...)" and no more
            pass

        @minitest.mark.skip(reason="why")
        def test_sssssssssssssssssssssssssssssssssssss():  # 5 columns: too few for " (...)"
            pass

        @minitest.mark.skip(reason="why")
        def test_ssssssssssssssssssssssssssssssssssssssssss():  # no column left
            pass

        # with -vv its first line ends at the 65th column: one more word would end it at the 73rd
        @minitest.mark.skip(reason="a reason wrapped eight columns short of the edge, as pytest wraps it, not seven")
        def test_wrapped_short_of_the_edge():
            pass
    """,
}

# several files, so the progress starts a line per file with its percentage
FILES = {
    "test_a.py": "def test_1():\n    pass\n\ndef test_2():\n    pass\n",
    "sub/test_b.py": "def test_3():\n    assert 0\n\ndef test_4():\n    pass\n\ndef test_5():\n    pass\n",
    "test_c.py": "import minitest\n\n@minitest.mark.skip\ndef test_6():\n    pass\n",
}

# more tests than fit on one 80-column line: the letters wrap with a percentage at the edge
MANY = {"test_many.py": "import minitest\n\n@minitest.mark.parametrize('i', range(150))\n"
                        "def test_n(i):\n    assert i % 37 != 5\n"}

# a module that fails as it is imported: a collection error (-rN: minitest's short summary does
# not give its message, pytest's does; a difference left open, tests/MUTATION.md)
BROKEN = {**FILES, "test_broken.py": "raise ValueError('broken at import')\n"}

# a plugin writing through the reporter's API (pytest's names) at the end of the run. Left out, as
# they differ from pytest 9.2 (tests/MUTATION.md): a write_line() after text that did not end its
# line (pytest glues them, minitest starts a new line), the warnings summary of a warning raised
# in minitest_terminal_summary (pytest shows one, minitest does not: write_line(bytes)'s
# deprecation is caught here instead), the "" key of tr.stats (the passed set-up and teardown
# reports, which minitest does not keep there)
PLUGIN = {
    "conftest.py": dual_conftest("""
        import os
        import warnings

        def terminal_summary(terminalreporter, exitstatus, config):
            tr = terminalreporter
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                tr.write_line(b"bytes \\xff line")
            for w in caught:
                tr.write_line(f"warned: {str(w.message).splitlines()[0]} ({os.path.basename(w.filename)})")
            tr.section("my section")
            tr.section("dashed", sep="-", bold=True)
            tr.write("abc")
            tr.rewrite("xy", erase=True)
            tr.line("")
            tr.rewrite("no erase")
            tr.line("")
            tr.rewrite("r" * 78, erase=True)  # one column left to fill
            tr.line("|")
            tr.line("plain line")
            tr.write_sep("-", "sep title")
            tr.write_line(f"exit {exitstatus} verbosity {tr.verbosity} isatty {tr.isatty()}")
            tr.write_line(f"stats {sorted((k, len(v)) for k, v in tr.stats.items() if k)}")

        globals()[PREFIX + "_terminal_summary"] = terminal_summary
    """),
    "test_p.py": "def test_p():\n    pass\n\ndef test_f():\n    assert 0\n",
}

# the same report object logged again, changed (its status is asked again); a plugin given with -p
# (registered before the terminal) writing at the end of the session: before the summary
RELOG = {
    "conftest.py": dual_conftest("""
        import sys

        LOGGED = {}

        def runtest_logreport(report):
            if report.when == "call" and report.failed:
                LOGGED[report.nodeid] = report

        def runtest_makereport(item, call):
            # after the call's report was logged, before the teardown's (and outside the capture
            # of the teardown): the status of that same report object is asked again, not
            # remembered from the first time
            report = LOGGED.pop(item.nodeid, None) if call.when == "teardown" else None
            if report is not None:
                report.outcome = "passed"
                report.longrepr = None
                config = sys.modules["lineplugin"].CONFIG
                getattr(config.hook, PREFIX + "_runtest_logreport")(report=report)

        globals()[PREFIX + "_runtest_logreport"] = runtest_logreport
        globals()[PREFIX + "_runtest_makereport"] = runtest_makereport
    """),
    "lineplugin.py": dual_conftest("""
        CONFIG = None

        def configure(config):
            global CONFIG
            CONFIG = config

        def sessionfinish(session):
            session.config.pluginmanager.get_plugin("terminalreporter").write_line("from -p lineplugin")

        globals()[PREFIX + "_configure"] = configure
        globals()[PREFIX + "_sessionfinish"] = sessionfinish
    """),
    "test_r.py": "def test_fails_then_passes():\n    assert 0\n\ndef test_ok():\n    pass\n",
}

# a plugin logging another report while one is being logged (after the terminal's parts saw it):
# each report gets its own status
NESTED = {
    "conftest.py": dual_conftest("""
        import copy

        mod = __import__(PREFIX)
        CONFIG = []

        def configure(config):
            CONFIG.append(config)

        def runtest_logreport(report):
            if report.when == "call" and report.failed and not getattr(report, "nested", False):
                other = copy.copy(report)
                other.nested = True
                other.outcome = "passed"
                other.longrepr = None
                getattr(CONFIG[0].hook, PREFIX + "_runtest_logreport")(report=other)

        globals()[PREFIX + "_configure"] = configure
        globals()[PREFIX + "_runtest_logreport"] = mod.hookimpl(trylast=True)(runtest_logreport)
        del runtest_logreport
    """),
    "test_r.py": "def test_f():\n    assert 0\n\ndef test_ok():\n    pass\n",
}

# header lines from plugins: a -p plugin's (registered before the terminal) and a conftest's tryfirst
# one, around the terminal's own; their lines after the collection; a line the -p plugin writes as the session starts, before the
# header; a test module slow to import (collection over half a second: no "collecting" line is
# rewritten when the output is not a terminal)
HEADER = {
    "conftest.py": dual_conftest("""
        mod = __import__(PREFIX)

        def report_header(config):
            return ["from conftest, tryfirst"]

        globals()[PREFIX + "_report_header"] = mod.hookimpl(tryfirst=True)(report_header)
        del report_header

        def report_collectionfinish(config, start_path, items):
            return [f"from conftest: {len(items)} items", "its second line"]

        globals()[PREFIX + "_report_collectionfinish"] = report_collectionfinish
    """),
    "lineplugin.py": dual_conftest("""
        def sessionstart(session):
            session.config.pluginmanager.get_plugin("terminalreporter").write_line("from -p lineplugin")

        def report_header(config):
            return ["from -p lineplugin, 1", "from -p lineplugin, 2"]

        def report_collectionfinish(config, start_path, items):
            return "from -p lineplugin after collection"

        globals()[PREFIX + "_sessionstart"] = sessionstart
        globals()[PREFIX + "_report_header"] = report_header
        globals()[PREFIX + "_report_collectionfinish"] = report_collectionfinish
    """),
    "test_slow_import.py": "import time\ntime.sleep(0.6)\n\ndef test_ok():\n    pass\n",
    "test_s.py": "def test_one():\n    pass\n",
}

# ways a run ends early: a KeyboardInterrupt in a test, minitest.exit() (with and without its own
# exit code)
INTERRUPTED = {"test_i.py": "def test_ok():\n    pass\n\ndef test_stop():\n    raise KeyboardInterrupt\n\n"
                            "def test_never():\n    pass\n"}
EXITED = {"test_e.py": "import minitest\n\ndef test_ok():\n    pass\n\ndef test_exit():\n"
                       "    minitest.exit('enough')\n"}
EXITED_3 = {"test_e.py": "import minitest\n\ndef test_fail():\n    assert 0\n\ndef test_exit():\n"
                         "    minitest.exit('bye', returncode=3)\n"}
NOTHING = {"helper.py": "X = 1\n"}
# a plugin setting session.shouldstop once the tests ran (the exit code stays 0): the red "!!!" line
LATE_STOP = {
    "conftest.py": dual_conftest("""
        def sessionfinish(session):
            session.shouldstop = "stopped after the run"

        globals()[PREFIX + "_sessionfinish"] = sessionfinish
    """),
    "test_ok.py": "def test_ok():\n    pass\n",
}
# lines written by other plugins' minitest_collection_finish: after "collected N items" from a
# plugin registered before the terminal (-p, the first conftest.py), before it from a conftest.py
# found while collecting (registered after), as pytest's reporter orders them
_FINISH_LINE = dual_conftest("""
    import os

    def collection_finish(session):
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"from {os.path.relpath(__file__)}: {len(session.items)} items")

    globals()[PREFIX + "_collection_finish"] = collection_finish
""")
COLLECTION_FINISH = {"conftest.py": _FINISH_LINE, "sub/conftest.py": _FINISH_LINE, "finishplugin.py": _FINISH_LINE,
                     "test_a.py": "def test_a():\n    pass\n", "sub/test_b.py": "def test_b():\n    pass\n"}
# a late report of the test before, logged by a plugin while the next test's line is open (in its
# setup): pytest starts a line of its own with that report's test name, then the open test's name
# again for its own result
LATE_REPORT = {
    "conftest.py": dual_conftest("""
        SAVED = []

        def runtest_logreport(report):
            if report.when == "call" and report.nodeid.endswith("test_a") and not SAVED:
                SAVED.append(report)

        def runtest_setup(item):
            if item.name == "test_b" and SAVED:
                getattr(item.config.hook, PREFIX + "_runtest_logreport")(report=SAVED.pop())

        globals()[PREFIX + "_runtest_logreport"] = runtest_logreport
        globals()[PREFIX + "_runtest_setup"] = runtest_setup
    """),
    "test_late.py": "def test_a():\n    pass\n\ndef test_b():\n    pass\n\ndef test_c():\n    pass\n",
}
# a plugin filing the set-ups of some tests under "passed" (with no letter and no word): pytest 9.2
# counts them in the final line and lists them in the short summary (with their empty word) and in
# the PASSES section, as every other report of the category
PASSED_SETUPS = {
    "conftest.py": dual_conftest("""
        def report_teststatus(report, config):
            if report.when == "setup" and report.passed and "counted" in report.nodeid:
                return "passed", "", ""

        globals()[PREFIX + "_report_teststatus"] = report_teststatus
    """),
    "test_setups.py": """
        import minitest

        @minitest.fixture
        def noisy():
            print("setting up")
            yield
            print("tearing down")

        def test_counted_a(noisy):
            print("in the test")

        def test_plain():
            pass

        def test_counted_b():
            pass
    """,
}
# a plugin stopping the run (session.shouldstop) after the first failure
STOPPED = {
    "conftest.py": dual_conftest("""
        SESSION = []

        def sessionstart(session):
            SESSION.append(session)

        def runtest_logreport(report):
            if report.failed:
                SESSION[0].shouldstop = "stopped by the plugin"

        globals()[PREFIX + "_sessionstart"] = sessionstart
        globals()[PREFIX + "_runtest_logreport"] = runtest_logreport
    """),
    "test_s.py": "def test_ok():\n    pass\n\ndef test_fails():\n    assert 0\n\ndef test_never():\n    pass\n",
}

# --max-warnings: exceeded by tests that pass, not exceeded, and not said when a test failed
WARNS = {"test_w.py": "import warnings\n\ndef test_w1():\n    warnings.warn(UserWarning('one'))\n\n"
                      "def test_w2():\n    warnings.warn(UserWarning('two'))\n"}
WARNS_FAIL = {**WARNS, "test_f.py": "def test_f():\n    assert 0\n"}

INI = {"minitest.ini": "[minitest]\ntestpaths = tests\n", "tests/test_t.py": "def test_t():\n    pass\n"}
# the config file above the rootdir: "configfile: ../minitest.ini"
OUTSIDE = {"minitest.ini": "[minitest]\n", "sub/test_s.py": "def test_s():\n    pass\n"}


def _normalised(result: RunResult, folder) -> list[str]:
    text = result.stdout.replace(str(folder), "FOLDER")
    lines = []
    for line in text.splitlines():
        line = _DURATION.sub("N.NNs", to_pytest(line))
        line = _PLATFORM.sub(r"\1, TOOL, ", line)
        line = _EXIT.sub(r"\1!!! Exit: \2 !!!\3", line)
        lines.append(_DOCS.sub("-- Docs: LINK", line))
    return lines


def _reference(ref_dir: Path, files, args: tuple[str, ...], env: dict[str, str] | None = None
               ) -> tuple[int, list[str], str]:
    """pytest's exit code, normalised lines and output for the suite.

    With MUTATION_REFERENCE_CACHE=DIR in the environment (scripts/mutation.py's runs, where the
    same cases run once per mutant and only minitest changes) the answer is kept in DIR and read
    back instead of running pytest again."""
    cache = os.environ.get("MUTATION_REFERENCE_CACHE")
    key = hashlib.sha256(json.dumps([sorted(files.items()), args, sorted((env or {}).items())]).encode()).hexdigest()
    path = Path(cache, f"{key}.json") if cache else None
    if path is not None and path.exists():
        ret, lines, raw = json.loads(path.read_text(encoding="utf-8"))
        return ret, lines, raw
    ref = run_pytest_process(*[to_pytest(a) for a in args], cwd=ref_dir, env=env)
    answer = (ref.ret, _normalised(ref, ref_dir), ref.dump())
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(answer), encoding="utf-8")
    return answer


def _compare(tmp_path, files, *args: str, env: dict[str, str] | None = None) -> RunResult:
    mine_dir, ref_dir = write_dual(tmp_path, files)
    mine = run_minitest("-p", "no:cache", *args, cwd=mine_dir, env=env)
    ref_ret, expected, ref_dump = _reference(ref_dir, files, args, env)
    context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref_dump}"
    assert mine.ret == ref_ret, f"exit code {mine.ret} != pytest's {ref_ret}" + context
    got = _normalised(mine, mine_dir)
    diff = "\n".join(difflib.unified_diff(expected, got, "pytest", "minitest", lineterm=""))
    assert got == expected, f"output differs from pytest's:\n{diff}" + context
    return mine


@pytest.mark.parametrize("files, args", [
    (MIXED, []),
    (MIXED, ["-v"]),
    (MIXED, ["-q"]),
    (MIXED, ["-rA"]),
    (MIXED, ["-rN", "--tb=no", "--color=yes"]),
    (MIXED, ["-vv", "--tb=no", "-rN", "--color=yes"]),
    (MIXED, ["--tb=short", "-rfE"]),
    (MIXED, ["--tb=no", "-rN"]),
    (MIXED, ["-x"]),
    (MIXED, ["--maxfail=2", "-q"]),
    (MIXED, ["--no-header", "--no-summary"]),
    (MIXED, ["-s"]),
    (MIXED, ["-s", "-v"]),
    (MIXED, ["--setup-show"]),
    (MIXED, ["--setup-show", "-v"]),
    (REASONS, ["-v"]),
    (REASONS, ["-vv"]),
    (REASONS, ["-v", "-rA"]),
    (FILES, []),
    (FILES, ["-v", "--tb=no", "-rN", "--color=yes"]),
    (FILES, ["-k", "not test_2"]),
    (FILES, ["-q"]),
    (FILES, ["-qq"]),
    (MANY, []),
    (MANY, ["--tb=no", "-rN", "--color=yes"]),
    (MANY, ["-q"]),
    (BROKEN, ["-rN"]),
    (BROKEN, ["-rN", "--continue-on-collection-errors"]),
    (BROKEN, ["-rN", "-q"]),
    (INI, ["-v"]),
    (OUTSIDE, ["--rootdir=sub", "sub"]),
    (PLUGIN, []),
    (PLUGIN, ["-q"]),
    (RELOG, ["-p", "lineplugin"]),
    (RELOG, ["-p", "lineplugin", "-v"]),
    (HEADER, ["-p", "lineplugin"]),
    (HEADER, ["-p", "lineplugin", "-v"]),
    (COLLECTION_FINISH, ["-p", "finishplugin"]),
    (COLLECTION_FINISH, ["-p", "finishplugin", "--co"]),
    (LATE_REPORT, ["-v", "-s"]),
    (LATE_REPORT, ["-v", "--capture=sys"]),
    (PASSED_SETUPS, ["-rA"]),
    (PASSED_SETUPS, ["-rp", "-v", "--color=yes"]),
    (NESTED, []),
    (NESTED, ["-v"]),
    (INTERRUPTED, []),
    (INTERRUPTED, ["-v"]),
    (INTERRUPTED, ["-q"]),
    (EXITED, []),
    (EXITED_3, ["-rA"]),
    (STOPPED, []),
    (LATE_STOP, ["--color=yes"]),
    (STOPPED, ["--tb=no", "-rN", "--color=yes"]),
    (MIXED, ["-x", "--tb=no", "-rN", "--color=yes"]),
    (INTERRUPTED, ["--tb=no", "-rN", "--color=yes"]),
    (EXITED, ["--color=yes"]),
    (BROKEN, ["-rN", "--tb=no", "--color=yes"]),
    (NOTHING, []),
    (NOTHING, ["-q"]),
    (WARNS, ["--max-warnings", "1"]),
    (WARNS, ["--max-warnings", "1", "--color=yes"]),
    (WARNS, ["--max-warnings", "2"]),
    (WARNS_FAIL, ["--max-warnings", "0"]),
], ids=["mixed", "mixed-v", "mixed-q", "mixed-rA", "mixed-color", "mixed-vv-color", "mixed-tb-short",
        "mixed-tb-no", "mixed-x", "mixed-maxfail-q", "mixed-no-header-no-summary", "mixed-s", "mixed-s-v",
        "mixed-setup-show", "mixed-setup-show-v", "reasons-v", "reasons-vv", "reasons-v-rA", "files", "files-v-color", "files-k", "files-q", "files-qq", "many", "many-color",
        "many-q", "broken", "broken-continue", "broken-q", "testpaths", "config-outside-rootdir", "plugin", "plugin-q", "relog", "relog-v", "header", "header-v", "collection-finish", "collection-finish-co", "late-report-s", "late-report-capture-sys", "passed-setups-rA", "passed-setups-rp-v-color", "nested", "nested-v", "interrupted", "interrupted-v", "interrupted-q",
        "exited", "exited-3", "stopped", "late-stop-color", "stopped-color", "mixed-x-color",
        "interrupted-color", "exited-color", "broken-color", "nothing", "nothing-q", "max-warnings-exceeded", "max-warnings-exceeded-color",
        "max-warnings-not-exceeded", "max-warnings-failed"])
def test_whole_output_matches_pytest(tmp_path, files, args):
    _compare(tmp_path, files, *args)


@pytest.mark.parametrize("args", [["--co"], ["--co", "-q"], ["--co", "-qq"], ["--co", "-v"], ["--co", "--color=yes"]],
                         ids=["co", "co-q", "co-qq", "co-v", "co-color"])
def test_collect_only_output_matches_pytest(tmp_path, args):
    _compare(tmp_path, {**FILES, "test_cls.py": "class TestK:\n    def test_m(self):\n        pass\n"}, *args)


# a terminal narrower than 40 columns counts as 80 (as pytest's); a long test name overflows the
# separator line of its section
WIDE = {**FILES, "test_long.py": f"def test_{'n' * 90}():\n    assert 0\n"}


@pytest.mark.parametrize("columns", ["39", "40", "100", None], ids=["39", "40", "100", "unset"])
def test_whole_output_at_other_widths_matches_pytest(tmp_path, columns):
    _compare(tmp_path, WIDE, "-rA", env={"COLUMNS": columns})


@pytest.mark.parametrize("env", [{"PY_COLORS": "1"}, {"PY_COLORS": "0", "FORCE_COLOR": "1", "NO_COLOR": None},
                                 {"FORCE_COLOR": "1", "NO_COLOR": None}],
                         ids=["py-colors-1", "py-colors-0", "force-color"])
def test_colour_asked_by_the_environment_matches_pytest(tmp_path, env):
    _compare(tmp_path, FILES, "--tb=no", "-rN", env=env)


# the tests' own output (-s) on a buffered stdout (a pipe): what a fixture's teardown printed
# without a newline stays in sys.stdout's buffer until the terminal writes the next test's line,
# and must come out first, as pytest's (the machine's PYTHONUNBUFFERED would write every print at
# once and hide the order: the runs are without it)
UNCAPTURED = {
    "test_a.py": """
        import minitest

        @minitest.fixture
        def noisy():
            print("setup of noisy")
            yield
            print("teardown of noisy", end="")

        def test_one(noisy):
            print("in test_one")

        def test_two():
            pass
    """,
    "test_b.py": "def test_three():\n    print('in test_three', end='')\n",
}


@pytest.mark.parametrize("args", [["-s"], ["-s", "-v"]], ids=["s", "s-v"])
def test_uncaptured_output_on_a_buffered_stdout_matches_pytest(tmp_path, args):
    _compare(tmp_path, UNCAPTURED, *args, env={"PYTHONUNBUFFERED": None})


# a test that ends the process: what was written before it is on the output
DIES = {"test_d.py": "import os\n\ndef test_ok():\n    pass\n\ndef test_dies():\n    os._exit(3)\n"}
# a test name outside ASCII, on an output whose encoding is latin-1
LATIN = {"test_l.py": "def test_caf\u00e9():\n    assert 0\n"}


@pytest.mark.parametrize("files, args, env", [
    (DIES, [], None),
    (DIES, ["-v"], None),
    (LATIN, ["-v"], {"PYTHONIOENCODING": "latin-1"}),
], ids=["dies", "dies-v", "latin-1"])
def test_output_of_a_dying_run_and_in_another_encoding_matches_pytest(tmp_path, files, args, env):
    _compare(tmp_path, files, *args, env=env)


# names in Chinese: each character takes two columns, which pytest counts when it puts the
# percentage at the end of the line (a file's line of letters, a test's line with -v); a combining
# accent takes none
CHINESE = {"test_\u540d\u524d.py": "def test_\u540d\u524d():\n    pass\n\ndef test_cafe\u0301():\n    pass\n",
        "test_plain.py": "def test_\u6f22\u5b57\u6f22\u5b57():\n    assert 0\n"}


@pytest.mark.parametrize("args", [[], ["-v"], ["-v", "--tb=no", "-rN", "--color=yes"]],
                         ids=["wide", "wide-v", "wide-v-color"])
def test_wide_characters_take_two_columns_as_in_pytest(tmp_path, args):
    _compare(tmp_path, CHINESE, *args)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_the_error_lines_of_tracebacks_are_coloured_as_pytest(tmp_path):
    # with --color=yes pytest also highlights the source lines (pygments) and the path of each
    # crash line, which minitest does not (tests/MUTATION.md): only the "E   " lines and the
    # titles of the sections are compared
    mine_dir, ref_dir = write_dual(tmp_path, MIXED)
    args = ("--color=yes", "-rA")
    mine = run_minitest("-p", "no:cache", *args, cwd=mine_dir)
    ref_ret, expected, ref_dump = _reference(ref_dir, MIXED, args)

    def error_lines(lines: list[str]) -> list[str]:
        return [line for line in lines if _ANSI.sub("", line).startswith(("E   ", "_", "="))]

    assert mine.ret == ref_ret == 1, mine.dump() + ref_dump
    assert error_lines(_normalised(mine, mine_dir)) == error_lines(expected) != [], mine.dump() + ref_dump


# a failure told by a plugin as plain text (its own repr_failure, as some plugins do)
STRING_REPR = {
    **MIXED,
    "conftest.py": dual_conftest("""
        mod = __import__(PREFIX)

        def runtest_makereport(item, call):
            rep = yield
            if rep.failed and item.name == "test_string_repr":
                rep.longrepr = "a failure told as plain text by a plugin, longer than fifty characters"
            return rep

        globals()[PREFIX + "_runtest_makereport"] = mod.hookimpl(wrapper=True)(runtest_makereport)
        del runtest_makereport
    """),
    "test_string_repr.py": "def test_string_repr():\n    assert 0\n",
}


def test_tb_line_output_matches_pytest(tmp_path):
    # --tb=line as pytest 9.2: each failure's E lines and captured output, then its crash line
    # (the first 50 characters of a plugin's own text); an error's E lines and output
    _compare(tmp_path, STRING_REPR, "--tb=line")


def test_what_plugins_say_about_a_stop_follows_the_stop_line_in_red(tmp_path):
    # minitest_report_stop_reason (minitest's hook: no pytest to compare with): each line in red
    # under the "!!! stopping after ..." line, a plugin's string as one line, its list line by line
    files = {
        "conftest.py": """
            def minitest_report_stop_reason(session):
                return ["first reason line", "second reason line"]
        """,
        "other_plugin.py": "def minitest_report_stop_reason(session):\n    return 'from another plugin'\n",
        "test_s.py": "def test_fails():\n    assert 0\n\ndef test_never():\n    pass\n",
    }
    mine_dir, _ = write_dual(tmp_path, files)
    result = run_minitest("-p", "no:cache", "-p", "other_plugin", "-x", "--tb=no", "-rN", "--color=yes",
                          cwd=mine_dir)
    assert result.ret == 1, result.dump()
    lines = result.stdout.splitlines()
    stop = next(i for i, line in enumerate(lines) if "stopping after 1 failures" in line)
    assert lines[stop + 1:stop + 4] == ["\x1b[31mfirst reason line\x1b[0m", "\x1b[31msecond reason line\x1b[0m",
                                        "\x1b[31mfrom another plugin\x1b[0m"], result.dump()


def test_an_internal_error_is_written_on_the_report_stream_only(tmp_path):
    # the terminal writes the INTERNALERROR> lines and says it did: none on stderr, as pytest
    files = {
        "conftest.py": dual_conftest("""
            def collection_finish(session):
                raise RuntimeError("hook exploded")

            globals()[PREFIX + "_collection_finish"] = collection_finish
        """),
        "test_x.py": "def test_x():\n    pass\n",
    }
    mine_dir, ref_dir = write_dual(tmp_path, files)
    mine = run_minitest("-p", "no:cache", cwd=mine_dir)
    ref = run_pytest_process(cwd=ref_dir)
    for result in (mine, ref):
        assert result.ret == 3, result.dump()
        assert any(line.startswith("INTERNALERROR> ") and "RuntimeError: hook exploded" in line
                   for line in result.lines), result.dump()
        assert "INTERNALERROR" not in result.stderr, result.dump()


def _run_on_a_terminal(cmd: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    """The bytes a run writes on a pseudo-terminal (its stdout and stderr)."""
    import pty
    import subprocess

    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    proc.wait(timeout=300)
    return b"".join(chunks)


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
@pytest.mark.parametrize("args", [[], ["-q"], ["--color=yes"]], ids=["plain", "q", "color"])
def test_collection_on_a_terminal_is_said_as_pytest_says_it(tmp_path, args):
    # on a terminal: "collecting ... " first (not with -q), the count rewritten in place every half
    # second while collection goes on, and at the end, padded to erase what it covers. Only what
    # does not depend on the time is compared: how the collection starts, the rewrite that the
    # last module (slow to import: over half a second) brings, and the final one
    from conftest import build_minitest_command, reference_pytest_command

    slow = {**FILES, "test_z_slow.py": "import time\ntime.sleep(0.6)\n\ndef test_z():\n    pass\n"}
    mine_dir, ref_dir = write_dual(tmp_path, slow)
    outputs = []
    for command, folder in ((build_minitest_command, mine_dir), (reference_pytest_command, ref_dir)):
        cmd, env = command("-p", "no:cacheprovider", *args)
        env["TERM"] = "xterm"
        out = _run_on_a_terminal(cmd, folder, env).decode().replace("\r\n", "\n")  # the terminal's line ends
        start = out.index("\n", out.index("rootdir:")) + 1 if "rootdir:" in out else 0
        collection = out[start:].split("\n", 1)[0]
        parts = collection.split("\r")
        outputs.append((parts[0], parts[-2] if len(parts) > 2 else "", parts[-1]))
    mine, ref = outputs
    assert mine == ref, outputs
    if args == ["-q"]:
        assert "collect" not in "".join(mine), outputs
    else:
        assert "collecting ... " in mine[0], outputs
        assert _ANSI.sub("", mine[1]) == "collecting 7 items".ljust(79), outputs
        assert _ANSI.sub("", mine[2]) == "collected 7 items".ljust(79), outputs
