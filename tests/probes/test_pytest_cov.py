"""pytest-cov, loaded from its pytest11 entry point: it starts coverage in
``pytest_load_initial_conftests`` (after the plugins are registered and their options parsed),
reads ``option.dist`` to know whether workers run the tests, and writes its reports in the
terminal summary; ``--cov-fail-under`` turns a passing run into a failing one."""

from __future__ import annotations

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
