"""Issue 16 — the pytest surface the next most used plugins reach for (pytest-check,
pytest-datadir, pytest-icdiff, pytest-json-report), each reduced to a conftest.py doing what the
plugin does and compared with pytest 9.2 on the same folder. The plugins themselves are run by
tests/probes/."""

from __future__ import annotations

SOFT_CHECKS = {
    "conftest.py": '''
import pytest

KEY = pytest.StashKey()


class Summary:
    """A failure repr made by a plugin, as pytest-check builds one: text and a crash message."""

    def __init__(self, text, message):
        self.text = text
        self.reprcrash = type("Crash", (), {"message": message, "path": "x", "lineno": 0})()

    def __str__(self):
        return self.text


def pytest_runtest_setup(item):
    item._store[KEY] = "soft"  # pytest's old name of item.stash


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" and item.name == "test_soft":
        assert item.stash[KEY] == "soft"
        try:
            raise AssertionError("2 checks failed")
        except AssertionError:
            call.excinfo = pytest.ExceptionInfo.from_current()
        report.outcome = "failed"
        report.longrepr = Summary("FAILURE: check 1 == 2\\nFAILURE: check 3 == 4", "check 1 == 2")


def pytest_terminal_summary(terminalreporter):
    for report in terminalreporter.stats.get("failed", []):
        terminalreporter.write_line(f"TEXT {report.nodeid} {report.longreprtext.splitlines()[0]!r}")
''',
    "test_soft.py": '''
def test_soft():
    pass


def test_hard():
    x = 3
    assert x == 4
''',
}


def test_a_makereport_wrapper_replacing_the_failure_and_its_text(files, compare):
    """pytest-check: ``item._store``, ``call.excinfo = ...`` in a makereport wrapper, a longrepr
    of its own whose ``reprcrash.message`` is the short summary's message; ``longreprtext`` is
    the failure text without its surrounding blank lines and indentation, as pytest's."""
    files(SOFT_CHECKS)
    mine, ref = compare("-rf")
    assert mine.outcomes() == {"failed": 2}
    for result in (mine, ref):
        result.fnmatch_lines([
            "FAILURE: check 1 == 2",
            "FAILURE: check 3 == 4",
            "*short test summary info*",
            "FAILED test_soft.py::test_soft - check 1 == 2",
            "FAILED test_soft.py::test_hard - assert 3 == 4",
        ])
        result.fnmatch_lines(["TEXT test_soft.py::test_soft 'FAILURE: check 1 == 2'",
                              "TEXT test_soft.py::test_hard 'def test_hard():'"])


def test_request_fspath_is_the_legacy_path_of_the_test_file(files, compare):
    """pytest-datadir: ``request.fspath.dirname`` (the test file's directory, as py.path)."""
    files({
        "conftest.py": '''
import os
import pytest


@pytest.fixture
def data_dir(request):
    return os.path.join(request.fspath.dirname, "data")
''',
        "sub/data/hello.txt": "hi\n",
        "sub/test_data.py": '''
def test_data(data_dir, request):
    with open(f"{data_dir}/hello.txt") as file:
        assert file.read() == "hi\\n"
    assert request.fspath.basename == "test_data.py"
''',
    })
    mine, _ = compare()
    assert mine.outcomes() == {"passed": 1}


def test_config_get_terminal_writer(files, compare):
    """pytest-icdiff: ``config.get_terminal_writer().hasmarkup`` decides whether its diff is
    coloured (no colour here: NO_COLOR is set)."""
    files({
        "conftest.py": '''
def pytest_assertrepr_compare(config, op, left, right):
    writer = config.get_terminal_writer()
    return [f"compared with markup={writer.hasmarkup} width>0={writer.fullwidth > 0}"]
''',
        "test_cmp.py": "def test_cmp():\n    assert [1] == [2]\n",
    })
    mine, ref = compare()
    for result in (mine, ref):
        result.fnmatch_lines(["E       *compared with markup=False width>0=True"])


def test_a_fixture_error_is_shown_from_the_test_file_below_a_plugins_setup_wrapper(files, compare):
    """pytest-asyncio wraps every fixture's setup (``pytest_fixture_setup``): the failure of a
    fixture of the test's module is shown from its first frame in that file, as pytest cuts."""
    files({
        "conftest.py": '''
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    wrapped_setup = True
    return (yield)
''',
        "test_fixture.py": '''
import pytest


@pytest.fixture
def broken():
    raise RuntimeError("setup boom")


def test_uses_it(broken):
    pass
''',
    })
    mine, ref = compare()
    assert mine.outcomes() == {"errors": 1}
    for result in (mine, ref):
        result.fnmatch_lines(["*ERROR at setup of test_uses_it*", "", "    @pytest.fixture", "    def broken():",
                              '>       raise RuntimeError("setup boom")'])
        assert "wrapped_setup" not in result.stdout, result.dump()
