"""pytest-cov, loaded from its pytest11 entry point: it starts coverage in
``pytest_load_initial_conftests`` (after the plugins are registered and their options parsed),
reads ``option.dist`` to know whether workers run the tests, and writes its reports in the
terminal summary; ``--cov-fail-under`` turns a passing run into a failing one."""

from __future__ import annotations

import re

import pytest
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

FILES = {
    "pkg/__init__.py": "def add(a, b):\n    return a + b\n\n\ndef unused():\n    return 1\n",
    "test_cov.py": "from pkg import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
}


def _report(result) -> list[str]:
    start = next(i for i, line in enumerate(result.lines) if "tests coverage" in line)
    return [line for line in result.lines[start:] if " passed" not in line and "failed" not in line]


def test_pytest_cov_terminal_and_xml_reports(probe, tmp_path):  # noqa: F811 - the fixture
    folder = probe(FILES)
    mine, ref = folder.compare("--cov=pkg", "--cov-report=term-missing", "--cov-report=xml:cov.xml")
    # the same table under both: header with the platform, the missing line, the total
    assert _report(mine) == _report(ref), mine.dump()
    assert "pkg/__init__.py       4      1    75%   6" in mine.lines, mine.dump()
    assert 'line-rate="0.75"' in (tmp_path / "cov.xml").read_text()


def test_pytest_cov_fail_under(probe):  # noqa: F811 - the fixture
    mine, _ = probe(FILES).compare("--cov=pkg", "--cov-fail-under=90")
    assert mine.ret == 1
    assert any("Required test coverage of 90% not reached. Total coverage: 75.00%" in line
               for line in mine.lines), mine.dump()


# -- with workers: pytest-xdist's contract (minitest's ``parallel`` builtin in place of pytest-xdist) --

_DIST_LINE = re.compile(r"^(?:\[gw\d+\] \[\s*\d+%\] (?P<word>[A-Z]+) (?P<id>\S+::\S+)|(?P<id2>\S+::\S+) (?P<word2>[A-Z]+)\b)")

DIST_FILES = {
    **FILES,
    "pkg/more.py": "def half(x):\n    if x % 2:\n        return None\n    return x // 2\n",
    "test_more.py": "import pytest\nfrom pkg.more import half\n\n\n@pytest.mark.parametrize('n', [2, 4, 6, 8])\n"
                    "def test_half(n):\n    assert half(n) * 2 == n\n",
}


def _outcomes_by_id(result) -> list[tuple[str, str]]:
    """``(nodeid, WORD)`` of a ``-v`` run, sorted: workers finish in any order, and pytest-xdist
    writes its lines as ``[gw0] [ 50%] PASSED id`` where a run in one process writes ``id PASSED``."""
    found = []
    for line in result.lines:
        m = _DIST_LINE.match(line)
        if m:
            found.append((m.group("id") or m.group("id2"), m.group("word") or m.group("word2")))
    return sorted(found)


def test_pytest_cov_with_workers(probe, tmp_path):  # noqa: F811 - the fixture
    folder = probe(DIST_FILES)
    args = ("-n", "2", "--cov=pkg", "--cov-report=term-missing", "--cov-report=xml:cov.xml")
    mine = folder.run("minitest", *args)
    mine_xml = (tmp_path / "cov.xml").read_text()
    ref = folder.run("pytest", *args)
    context = f"\n===== minitest =====\n{mine.dump()}\n===== pytest =====\n{ref.dump()}"
    assert _outcomes_by_id(mine) == _outcomes_by_id(ref) != [], context
    assert (mine.ret, mine.outcomes()) == (ref.ret, ref.outcomes()) == (0, {"passed": 5}), context
    # the workers' coverage data reached the controller: the same table, combined from both workers
    # (the header names the workers' platform, as pytest-cov writes it from node.gateway._rinfo())
    assert _report(mine) == _report(ref), context
    assert "pkg/__init__.py       4      1    75%   6" in mine.lines, context
    assert "pkg/more.py           4      1    75%   3" in mine.lines, context
    assert any(line.startswith("TOTAL") and line.endswith("75%") for line in mine.lines), context
    assert 'line-rate="0.75"' in mine_xml
    # nothing left behind: the workers' data files were combined into .coverage
    assert not list(tmp_path.glob(".coverage.*")), sorted(p.name for p in tmp_path.iterdir())


def test_pytest_cov_with_workers_fail_under(probe):  # noqa: F811 - the fixture
    folder = probe(DIST_FILES)
    mine = folder.run("minitest", "-n", "2", "--cov=pkg", "--cov-fail-under=90")
    ref = folder.run("pytest", "-n", "2", "--cov=pkg", "--cov-fail-under=90")
    assert (mine.ret, mine.outcomes()) == (ref.ret, ref.outcomes()) == (1, {"passed": 5}), mine.dump() + ref.dump()
    assert any("Required test coverage of 90% not reached. Total coverage: 75.00%" in line
               for line in mine.lines), mine.dump()
