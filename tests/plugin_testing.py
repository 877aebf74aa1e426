"""The ``minitester`` fixture for the project's own plugin tests (run by pytest).

minitest ships ``minitester`` as a minitest fixture (builtin_plugins/minitester.py); the project's
suite runs under pytest, so this module offers the same object as a pytest fixture, with the
environment scrubbed the way tests/conftest.py scrubs it (no colour, no MINITEST_*/PYTEST_*
variables, 80 columns). Import it into a test module: ``from plugin_testing import minitester``.
"""

from __future__ import annotations

import os

import pytest
from conftest import REPO_ROOT, clean_env

from builtin_plugins.minitester import Minitester


@pytest.fixture
def minitester(tmp_path, request, monkeypatch) -> Minitester:
    wanted = clean_env(pythonpath=[REPO_ROOT])
    for key in list(os.environ):
        if key not in wanted:
            monkeypatch.delenv(key)
    for key, value in wanted.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return Minitester(tmp_path, name=request.node.name)


def ran(result) -> list[tuple[str, str]]:
    """``[(nodeid, "PASSED"), ...]`` from the ``-v`` lines of a minitester result."""
    from conftest import verbose_nodeids

    class _Lines:
        lines = result.outlines

    return verbose_nodeids(_Lines)
