"""pytest-repeat's configuration under minitest's ``repeat`` builtin (the installed plugin is not
loaded: the builtin is the same ``generate_tests`` in core). pytest runs the real plugin; both must
give the same node ids in the same order with the same outcomes, exit code and final line, for
``--count``, the ``repeat`` mark (``repeat(1)`` included), parametrized tests and methods,
``--repeat-scope``, ``-x`` and workers (``-n 2``)."""

from __future__ import annotations

import pytest
from conftest import verbose_nodeids
from probing import probe, probe_venv  # noqa: F401 - fixtures

pytestmark = pytest.mark.venv

TESTS = {
    "conftest.py": "",
    "test_repeat.py": '''
import os

import pytest


def test_plain():
    pass


@pytest.mark.parametrize("p", ["a", "b"])
def test_param(p):
    pass


class TestK:
    def test_method(self):
        pass


@pytest.mark.repeat(2)
def test_marked():
    pass


@pytest.mark.repeat(1)
def test_once():
    pass


def test_step(request):
    assert request.node.callspec.params["__pytest_repeat_step_number"] != 2


def test_counted():
    # the n-th run of this test in this process fails when n == 3
    path = os.path.join(os.path.dirname(__file__), f".runs-{os.getpid()}")
    with open(path, "a") as f:
        f.write(".")
    assert len(open(path).read()) != 3
''',
}


@pytest.mark.parametrize("args", [
    ("--count", "3"),
    (),
    ("--count", "2", "--repeat-scope", "module"),
    ("--count", "4", "-x"),
])
def test_ids_order_and_outcomes(probe, args):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, ref = folder.compare(*args)
    # compare() checked ids and outcome words per id; the order is pytest-repeat's too
    assert verbose_nodeids(mine) == verbose_nodeids(ref) != [], mine.dump()
    mine.fnmatch_lines(["*passed*"])


def test_exitfirst_names_the_attempt(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    mine, ref = folder.compare("--count", "5", "-x", "-k", "counted")
    assert mine.ret == ref.ret == 1, mine.dump()
    # minitest's own addition under the "!!!" line pytest also writes
    mine.fnmatch_lines(["!*! stopping after 1 failures !*!", "stopped at attempt 3 of 5 of test_repeat.py::test_counted"])


def test_with_workers(probe):  # noqa: F811 - the fixture
    # (no -k: pytest-xdist's final line never counts the deselected tests)
    body = TESTS["test_repeat.py"].split("def test_step")[0]
    folder = probe({"conftest.py": "", "test_repeat.py": body})
    mine = folder.run("minitest", "-n", "2", "--count", "3")
    ref = folder.run("pytest", "-n", "2", "--count", "3")
    assert (mine.ret, mine.outcomes()) == (ref.ret, ref.outcomes()), mine.dump() + ref.dump()
    assert mine.outcomes() == {"passed": 15}, mine.dump()


def test_installed_plugin_is_replaced(probe):  # noqa: F811 - the fixture
    folder = probe(TESTS)
    result = folder.run("minitest", "--plugins")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["*repeat (*): the builtin 'repeat' runs instead"])
