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
import re

import pytest
from conftest import RunResult, run_minitest, run_pytest_process
from dual_suite import to_pytest, write_dual

_DURATION = re.compile(r"\d+\.\d\ds")
_PLATFORM = re.compile(r"^(platform \S+ -- Python \S+), (?:minitest|pytest)-[^,]+, ")
_DOCS = re.compile(r"^-- Docs: .*$")

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
            pass

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

INI = {"minitest.ini": "[minitest]\ntestpaths = tests\n", "tests/test_t.py": "def test_t():\n    pass\n"}


def _normalised(result: RunResult, folder) -> list[str]:
    text = result.stdout.replace(str(folder), "FOLDER")
    lines = []
    for line in text.splitlines():
        line = _DURATION.sub("N.NNs", to_pytest(line))
        line = _PLATFORM.sub(r"\1, TOOL, ", line)
        lines.append(_DOCS.sub("-- Docs: LINK", line))
    return lines


def _compare(tmp_path, files, *args: str, env: dict[str, str] | None = None) -> tuple[RunResult, RunResult]:
    mine_dir, ref_dir = write_dual(tmp_path, files)
    mine = run_minitest("-p", "no:cache", *args, cwd=mine_dir, env=env)
    ref = run_pytest_process(*[to_pytest(a) for a in args], cwd=ref_dir, env=env)
    context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
    assert mine.ret == ref.ret, f"exit code {mine.ret} != pytest's {ref.ret}" + context
    got, expected = _normalised(mine, mine_dir), _normalised(ref, ref_dir)
    diff = "\n".join(difflib.unified_diff(expected, got, "pytest", "minitest", lineterm=""))
    assert got == expected, f"output differs from pytest's:\n{diff}" + context
    return mine, ref


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
    (MIXED, ["--setup-show"]),
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
    (INI, ["-v"]),
], ids=["mixed", "mixed-v", "mixed-q", "mixed-rA", "mixed-color", "mixed-vv-color", "mixed-tb-short",
        "mixed-tb-no", "mixed-x", "mixed-maxfail-q", "mixed-no-header-no-summary", "mixed-s",
        "mixed-setup-show", "files", "files-v-color", "files-k", "files-q", "files-qq", "many", "many-color",
        "many-q", "broken", "broken-continue", "testpaths"])
def test_whole_output_matches_pytest(tmp_path, files, args):
    _compare(tmp_path, files, *args)


@pytest.mark.parametrize("args", [["--co"], ["--co", "-q"], ["--co", "-qq"], ["--co", "-v"], ["--co", "--color=yes"]],
                         ids=["co", "co-q", "co-qq", "co-v", "co-color"])
def test_collect_only_output_matches_pytest(tmp_path, args):
    _compare(tmp_path, {**FILES, "test_cls.py": "class TestK:\n    def test_m(self):\n        pass\n"}, *args)
