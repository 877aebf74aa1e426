"""pytest-datadir: ``datadir`` (a copy of the folder named after the test module), a fresh copy
per test, ``shared_datadir`` (``data/`` beside the module), ``original_datadir``, ``lazy_datadir``."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "test_files.py": '''
def test_datadir(datadir):
    assert (datadir / "hello.txt").read_text() == "hi\\n"
    (datadir / "hello.txt").write_text("changed")


def test_datadir_fresh(datadir):
    assert (datadir / "hello.txt").read_text() == "hi\\n"


def test_shared(shared_datadir):
    assert (shared_datadir / "common.txt").read_text() == "common\\n"


def test_original(original_datadir):
    assert original_datadir.name == "test_files"


def test_lazy(lazy_datadir):
    assert (lazy_datadir / "hello.txt").read_text() == "hi\\n"
''',
    "test_files/hello.txt": "hi\n",
    "data/common.txt": "common\n",
}


def test_datadir(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare()
    assert counts(mine) == {"passed": 5}
