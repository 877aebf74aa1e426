"""syrupy: the ``snapshot`` fixture; a missing snapshot fails, ``--snapshot-update`` writes it
(and says so in its summary), then it passes, and a changed value fails with syrupy's diff."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TEST = '''
def test_dict(snapshot):
    assert {"a": 1, "b": [1, 2]} == snapshot


def test_text(snapshot):
    assert "hello" == snapshot
'''


def _summary(result):
    return [line for line in result.lines if "snapshot" in line and ("written" in line or "passed" in line
                                                                     or "failed" in line)]


def test_snapshots(probe):  # noqa: F811 - the fixture
    folder = probe({"test_snap.py": TEST})
    mine, _ = folder.compare()
    assert counts(mine) == {"failed": 2}
    mine, _ = folder.compare("--snapshot-update")
    assert counts(mine) == {"passed": 2}
    assert any("2 snapshots generated" in line for line in mine.lines), mine.dump()
    mine, ref = folder.compare()
    assert counts(mine) == {"passed": 2}
    assert _summary(mine) == _summary(ref), mine.dump()
    (folder.root / "test_snap.py").write_text(TEST.replace('"hello"', '"changed"'))
    mine, ref = folder.compare()
    assert counts(mine) == {"failed": 1, "passed": 1}
    assert _summary(mine) == _summary(ref), mine.dump()
