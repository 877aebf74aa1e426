"""Run one suite under minitest and its ``minitest`` → ``pytest`` copy under pytest, and compare.

The suites of test_marks / test_parametrize / test_skipping / test_selection are written with
``import minitest``; :func:`compare_dual` writes them to ``tmp_path/minitest`` and a text-replaced
copy (file names too: ``minitest.ini`` → ``pytest.ini``) to ``tmp_path/pytest``, runs both with
``-v`` and the same arguments and asserts the same exit code, the same node ids with the same
outcome words (PASSED, FAILED, SKIPPED, XFAIL, XPASS, ERROR) and the same final-line counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from conftest import RunResult, make_files, run_minitest, run_pytest_process, verbose_nodeids


def to_pytest(text: str) -> str:
    """The pytest spelling of a minitest suite (module, marks, ini section and key names)."""
    return text.replace("minitest", "pytest").replace("Minitest", "Pytest")


def write_dual(tmp_path: Path, files: Mapping[str, str]) -> tuple[Path, Path]:
    """Write ``files`` under ``tmp_path/minitest`` and their pytest copy under ``tmp_path/pytest``."""
    mine = make_files(tmp_path / "minitest", files)
    ref = make_files(tmp_path / "pytest", {to_pytest(name): to_pytest(text) for name, text in files.items()})
    return mine, ref


def normalized_outcomes(result: RunResult) -> list[tuple[str, str]]:
    return [(to_pytest(nodeid), word) for nodeid, word in verbose_nodeids(result)]


def compare_dual(tmp_path: Path, files: Mapping[str, str], *args: str,
                 counts: bool = True) -> tuple[RunResult, RunResult]:
    """Run both copies with ``-v *args``; assert they agree; return ``(minitest, pytest)`` results."""
    mine_dir, ref_dir = write_dual(tmp_path, files)
    mine = run_minitest("-v", *args, cwd=mine_dir)
    ref = run_pytest_process("-v", *[to_pytest(a) for a in args], cwd=ref_dir)
    context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
    assert normalized_outcomes(mine) == normalized_outcomes(ref), "node ids / outcomes differ" + context
    assert mine.ret == ref.ret, f"exit code {mine.ret} != pytest's {ref.ret}" + context
    if counts:
        assert mine.outcomes() == ref.outcomes(), "final-line counts differ" + context
    return mine, ref


def plain_item_plugin(runtest_body: str = "pass") -> str:
    """A conftest.py's text (dedented, minitest's names) collecting each ``*.plain`` file as one
    item of a plugin's own, without fixture info, whose ``runtest`` is ``runtest_body``."""
    return f"""
import minitest

class PlainItem(minitest.Item):
    def runtest(self):
        {runtest_body}

    def reportinfo(self):
        return self.path, 0, self.name

class PlainFile(minitest.File):
    def collect(self):
        yield PlainItem.from_parent(self, name="plain")

def minitest_collect_file(file_path, parent):
    if file_path.suffix == ".plain":
        return PlainFile.from_parent(parent, path=file_path)
"""
