"""pytest-instafail, not supported: ``--instafail`` makes it replace pytest's terminal reporter
by a subclass of ``_pytest.terminal.TerminalReporter``, pytest's own reporter, which does not
run on minitest's config. minitest stops with one message naming it (exit code 4); without
``--instafail`` it is inert under both runners."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {"test_fast.py": "def test_ok():\n    pass\n\n\ndef test_fail():\n    assert 0\n"}


def test_instafail(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, _ = folder.compare()
    assert counts(mine) == {"passed": 1, "failed": 1}
    refused = folder.run("minitest", "--instafail")
    assert refused.ret == 4, refused.dump()
    refused.fnmatch_lines(["ERROR: the pytest plugin 'instafail' (pytest-instafail 0.5.0) reached for something "
                           "minitest does not provide, in minitest_configure: * (raised in pytest's _pytest.terminal)",
                           "(-p no:instafail runs without it;*"], stream="stderr")
