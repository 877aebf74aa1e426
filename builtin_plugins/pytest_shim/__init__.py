"""Serve ``import pytest`` from minitest, so a suite written for pytest does not pay for pytest.

Importing the real pytest costs more than a small minitest run itself (~120 ms). A suite written
for pytest mostly uses the API minitest implements under the same names (``pytest.fixture``,
``pytest.mark``, ``pytest.raises``, ``pytest.skip``, ...). So, before the initial conftest.py files
(and ``-p`` / installed plugins, and test modules) are imported, this plugin puts a light module
object in ``sys.modules["pytest"]`` (see :mod:`.facade`): it answers those names with minitest's
objects and imports the real pytest only when a name minitest has no equivalent for is used.

It steps aside when ``pytest`` is already imported (minitest run in-process from a pytest test)
and is turned off with ``-p no:pytest_shim``; the module is taken out of ``sys.modules`` again
when the run ends, so an in-process caller gets the real pytest afterwards.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from minitest import hookimpl

from .facade import make_facade


@hookimpl(tryfirst=True)
def minitest_prepare_imports(early_config: Any) -> None:
    """Before any conftest.py, ``-p`` plugin, installed plugin or test module is imported (they
    ``import pytest``), once ``-p no:NAME`` from the command line and ``addopts`` is known."""
    if "pytest" in sys.modules:
        return
    facade = make_facade()
    sys.modules["pytest"] = facade

    def uninstall() -> None:
        if sys.modules.get("pytest") is not facade:
            return
        real = facade.__dict__.get("_minitest_real")
        if isinstance(real, ModuleType):
            sys.modules["pytest"] = real
        else:
            del sys.modules["pytest"]

    early_config.add_cleanup(uninstall)
