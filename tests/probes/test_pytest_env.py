"""pytest-env: environment variables from the ``env`` ini key (plain and ``D:`` defaults that an
existing variable keeps), set before the tests run."""

from __future__ import annotations

import pytest
from probing import counts, probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "pytest.ini": '''
[pytest]
env =
    PROBE_ENV=from-ini
    D:PROBE_DEFAULT=default
    D:PROBE_KEPT=default
''',
    "test_env.py": '''
import os


def test_set():
    assert os.environ["PROBE_ENV"] == "from-ini"


def test_default():
    assert os.environ["PROBE_DEFAULT"] == "default"


def test_default_keeps_existing():
    assert os.environ["PROBE_KEPT"] == "outside"
''',
}


def test_env_from_ini(probe):  # noqa: F811 - the fixture
    mine, _ = probe(TESTS).compare(env={"PROBE_KEPT": "outside"})
    assert counts(mine) == {"passed": 3}
