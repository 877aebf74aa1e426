"""What the fixtures plugin prints (builtin_plugins/fixtures/show.py): ``--fixtures`` and
``--fixtures-per-test``, with and without ``-v``, compared with pytest line for line on one suite
(conftest and module fixtures, docstrings of several paragraphs, private names, xunit set-up
functions). The builtin fixtures of the two runners differ, so ``--fixtures`` is compared from the
first group of the suite's own fixtures on; an xunit fixture's location is pytest's own code under
pytest, the set-up function it calls under minitest."""

from __future__ import annotations

import re
import textwrap

import pytest
from conftest import RunResult, run_minitest, run_pytest_process
from dual_suite import plain_item_plugin, write_dual

SUITE = {
    "conftest.py": '''
        import minitest

        @minitest.fixture(scope="session")
        def shared():
            """A session-wide resource,
            described on two lines.

            More detail only shown with -v.
            """

        @minitest.fixture
        def _helper():
            pass

        @minitest.fixture
        def overridden():
            """The conftest's."""

        def _made_twice():
            """One function, two fixtures (at one location: listed by name)."""

        a_first = minitest.fixture(name="zzz_made")(_made_twice)
        b_second = minitest.fixture(name="aaa_made")(_made_twice)
    ''',
    "test_show.py": '''
        import minitest

        def setup_module(module):
            pass

        def teardown_function(function):
            pass

        @minitest.fixture(scope="module")
        def local(shared, _helper):
            """Local."""

        @minitest.fixture
        def plain():
            return 1

        @minitest.fixture
        def overridden(overridden):
            """The module's, listed for the test that uses it."""

        def test_one(local, plain, overridden, zzz_made, aaa_made):
            pass

        class TestGroup:
            def setup_method(self, method):
                pass

            def test_two(self, shared):
                pass

        def test_three():
            pass  # only the module's xunit fixtures: listed with -v, a heading alone without
    ''',
    "test_bare.py": '''
        def test_nothing():
            pass  # no fixture at all: not listed
    ''',
    "test_zover.py": '''
        import minitest

        @minitest.fixture
        def overridden(overridden):
            """A second module's, listed under that module too."""

        def test_four(overridden):
            pass
    ''',
}

_XUNIT_LOCATION = re.compile(r"^(_xunit_\S+( \[\w+ scope\])?) -- .*$")


def _normalised(result: RunResult, start: str | None = None) -> list[str]:
    """The listing's lines: from the line ``start`` matches, up to the final line; xunit locations cut."""
    lines = result.lines
    plain = [re.sub(r"\x1b\[[\d;]*m", "", line) for line in lines]  # colours kept in what is compared
    first = next(i for i, line in enumerate(plain) if start is None or re.match(start, line))
    last = max(i for i, line in enumerate(plain) if line.startswith("====="))
    return [_XUNIT_LOCATION.sub(r"\1 -- (xunit)", line) for line in lines[first:last]]


@pytest.mark.parametrize("args", [("--fixtures-per-test",), ("--fixtures-per-test", "-v"), ("--fixtures",),
                                  ("--fixtures", "-v"), ("--fixtures", "--color=yes"),
                                  ("--fixtures-per-test", "--color=yes")])
def test_listings_match_pytest(tmp_path, args):
    mine_dir, ref_dir = write_dual(tmp_path, SUITE)
    mine = run_minitest(*args, cwd=mine_dir)
    ref = run_pytest_process(*args, cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    # --fixtures: from the suite's own fixtures on (the builtin ones differ); per test: from the first test on
    start = r"-+ fixtures defined from conftest" if "--fixtures" in args else r"-+ fixtures used by"
    expected = [line.replace("pytest", "minitest") for line in _normalised(ref, start)]
    assert _normalised(mine, start) == expected, mine.dump() + ref.dump()


SETUP_SUITE = {
    "conftest.py": """
        import minitest

        @minitest.fixture(scope="session")
        def sess():
            yield
    """,
    "pkg/__init__.py": "",
    "pkg/test_s.py": """
        import minitest

        @minitest.fixture(scope="package")
        def pack(sess):
            pass

        @minitest.fixture(scope="module")
        def mod(pack, request):
            pass

        @minitest.fixture(scope="module", params=["a" * 60, 2])
        def long_param(request):
            return request.param

        @minitest.fixture
        def func(mod, sess):
            pass

        @minitest.fixture(scope="class")
        def cls_fix():
            pass

        def test_f(long_param):
            pass

        def test_g(func):
            pass

        class TestC:
            def test_m(self, cls_fix):
                pass

        def test_bare():
            pass
    """,
}


def _lines_as_pytests(tmp_path, suite, args, start=r"(collecting \.\.\. )?collected", skip=1):
    """minitest and pytest 9.2 with ``args`` on the same suite: both pass, and every line from
    the one ``start`` matches (and the ``skip`` after it) on is pytest's (its name respelled).
    The minitest run, for more checks."""
    mine_dir, ref_dir = write_dual(tmp_path, suite)
    mine = run_minitest(*args, "-p", "no:randomly", cwd=mine_dir)
    ref = run_pytest_process(*args, "-p", "no:randomly", cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    expected = [line.replace("pytest", "minitest") for line in _normalised(ref, start)]
    assert _normalised(mine, start)[skip:] == expected[skip:], mine.dump() + ref.dump()
    return mine


@pytest.mark.parametrize("args", [("--setup-show",), ("--setup-show", "-v"), ("--setup-only",), ("--setup-plan",)])
def test_setup_lines_match_pytest(tmp_path, args):
    # each scope's indentation and letter, the fixtures used (of a fixture and of a test), a long
    # parameter cut as pytest cuts it, the space before a test's result
    mine = _lines_as_pytests(tmp_path, SETUP_SUITE, args)
    assert sum("SETUP" in line for line in mine.lines) == 7, mine.dump()


def test_setup_lines_without_the_capture_plugin(files, run):
    files({"test_n.py": """
        import minitest

        @minitest.fixture
        def thing():
            return 1

        def test_n(thing):
            pass
    """})
    result = run("--setup-show", "-p", "no:capture")
    assert result.ret == 0, result.dump()
    assert [line.strip() for line in result.lines if "thing" in line] == [
        "SETUP    F thing", "test_n.py::test_n (fixtures used: thing) .", "TEARDOWN F thing"], result.dump()


def test_fixtures_per_test_of_an_item_without_a_line(files, run):
    # a plugin's item whose location has no line number: its heading says line 1
    files({"conftest.py": """
        import minitest
        from minitest.fixture_contract import FIXTURE_MANAGER

        @minitest.fixture
        def greeting():
            return "hello"

        class CheckItem(minitest.Item):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.fixtureinfo = self.config.stash[FIXTURE_MANAGER].getfixtureinfo(self, argnames=("greeting",))

            def runtest(self):
                pass

            def reportinfo(self):
                return self.path, None, self.name

        class CheckFile(minitest.File):
            def collect(self):
                yield CheckItem.from_parent(self, name="only")

        def minitest_collect_file(file_path, parent):
            if file_path.suffix == ".check":
                return CheckFile.from_parent(parent, path=file_path)
    """, "greet.check": ""})
    result = run("--fixtures-per-test")
    assert result.ret == 0, result.dump()
    headings = [line.strip("- ") for line in result.lines if line.startswith("---")]
    assert headings == ["fixtures used by only", "(greet.check:1)"], result.dump()
    assert "greeting -- conftest.py:4" in result.lines, result.dump()


def test_setup_show_writes_the_line_of_an_item_without_fixtures(tmp_path):
    # a plugin's item that uses no fixture still has its line between the SETUP and TEARDOWN lines
    mine_dir, ref_dir = write_dual(tmp_path, {"conftest.py": plain_item_plugin(), "a.plain": "", "test_f.py": """
        import minitest

        @minitest.fixture
        def thing():
            pass

        def test_f(thing):
            pass
    """})
    mine = run_minitest("--setup-show", "-p", "no:randomly", cwd=mine_dir)
    ref = run_pytest_process("--setup-show", "-p", "no:randomly", cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    start = r"(collecting \.\.\. )?collected"
    expected = [line.replace("pytest", "minitest") for line in _normalised(ref, start)]
    assert _normalised(mine, start)[1:] == expected[1:], mine.dump() + ref.dump()
    assert "        a.plain::plain ." in mine.lines, mine.dump()


# directly parametrized arguments, which pytest sets up as fixtures of their own (named as the
# argument, its value the parameter, at the parametrize call's scope)
DIRECT_SUITE = {
    "test_direct.py": """
        import minitest

        @minitest.fixture
        def fx():
            pass

        @minitest.fixture
        def uses_x(x):
            return x

        @minitest.fixture
        def dyn(request):
            return request.getfixturevalue("x")

        @minitest.fixture(params=["p1"])
        def ind(request):
            return request.param

        @minitest.mark.parametrize("x", [1, 2])
        def test_a(x):
            pass

        @minitest.mark.parametrize("x", [1, 2], scope="module")
        def test_mod(fx, x):
            pass

        @minitest.mark.parametrize("x", [1, 2], ids=["one", "two"])
        def test_ids(x, fx):
            pass

        @minitest.mark.parametrize("a, b", [(1, "s"), (3, 4)])
        def test_several(b, a):
            pass

        @minitest.mark.parametrize("y", [10])
        @minitest.mark.parametrize("x", [1, 2])
        def test_used_by_a_fixture(uses_x, y):
            assert uses_x == x_of(uses_x)

        def x_of(value):
            return value

        @minitest.mark.parametrize("x", [3])
        def test_asked_for_by_name(dyn, x):
            assert dyn == 3

        @minitest.mark.parametrize("x", [1])
        def test_request(request, x):
            assert request.getfixturevalue("x") == 1

        @minitest.mark.parametrize("ind, x", [("i", 2)], indirect=["ind"])
        def test_mixed(ind, x):
            pass

        @minitest.mark.parametrize("z", ["a" * 60, None])
        def test_long(z):
            pass

        @minitest.mark.parametrize("c", [1, 2], scope="class")
        def test_class_scope_outside_a_class(c):
            pass

        @minitest.mark.parametrize("x", [1, 2], scope="class")
        class TestK:
            def test_c1(self, x):
                pass

            def test_c2(self, x):
                pass

        @minitest.mark.parametrize("x", [1, 2])
        class TestStacked:
            @minitest.mark.parametrize("y", ["a"])
            def test_m(self, x, y):
                pass
    """,
    "test_override.py": """
        import minitest

        @minitest.fixture(scope="session")
        def used_by_x():
            pass

        @minitest.fixture(scope="module")
        def x(used_by_x):
            return "fixture"

        @minitest.fixture
        def y(x):
            return x

        @minitest.fixture
        def ind(request):
            return request.param

        @minitest.mark.parametrize("x", [5])
        def test_over(y, x):
            assert y == 5

        @minitest.mark.parametrize("ind, x", [(0, 6)], indirect=["ind"])
        def test_over_beside_an_indirect_one(ind, x):
            assert x == 6
    """,
}


@pytest.mark.parametrize("args", [("--setup-show",), ("--setup-show", "-v"), ("--setup-only",), ("--setup-plan",),
                                  ("--setup-plan", "-v")])
def test_setup_lines_of_direct_parameters_match_pytest(tmp_path, args):
    # SETUP / TEARDOWN lines of each directly parametrized argument, at its parametrize scope,
    # in pytest's order among the fixtures (set up where the closure lists it, or when a fixture
    # asks for it); the test's line lists it among the fixtures used
    mine = _lines_as_pytests(tmp_path, DIRECT_SUITE, args)
    lines = [line.strip() for line in mine.lines]
    assert lines.count("SETUP    M x[1]") == 1 and lines.count("TEARDOWN M x[1]") == 1, mine.dump()
    assert lines.count("SETUP    C x[2]") == 1, mine.dump()
    assert "SETUP    F b['s']" in lines and "SETUP    F x[5]" in lines, mine.dump()
    # the fixture a direct parameter overrides is not set up, nor what it uses (as pytest)
    assert not any("used_by_x" in line for line in lines), mine.dump()


def test_a_module_scoped_direct_parameter_is_one_setup_per_value(tmp_path):
    # two tests of a module share the module-scoped x of each value, torn down when the value
    # changes, with or without --setup-show (same outcomes, same order of the tests' own prints)
    files = {"test_m.py": """
        import minitest

        SEEN = []

        @minitest.mark.parametrize("x", [1, 2], scope="module")
        def test_one(x):
            SEEN.append(x)

        @minitest.mark.parametrize("x", [1, 2], scope="module")
        def test_two(x):
            SEEN.append(x)

        def test_last():
            assert SEEN == [1, 1, 2, 2]
    """}
    mine_dir, ref_dir = write_dual(tmp_path, files)
    for args in ((), ("--setup-show",)):
        mine = run_minitest(*args, "-p", "no:randomly", cwd=mine_dir)
        ref = run_pytest_process(*args, "-p", "no:randomly", cwd=ref_dir)
        assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
        assert mine.outcomes() == ref.outcomes() == {"passed": 5}, mine.dump()
    start = r"(collecting \.\.\. )?collected"
    expected = [line.replace("pytest", "minitest") for line in _normalised(ref, start)]
    assert _normalised(mine, start)[1:] == expected[1:], mine.dump() + ref.dump()
    assert [line.strip() for line in mine.lines if line.strip().startswith(("SETUP", "TEARDOWN"))] == [
        "SETUP    M x[1]", "TEARDOWN M x[1]", "SETUP    M x[2]", "TEARDOWN M x[2]"], mine.dump()


@pytest.mark.parametrize("args", [(), ("--setup-show",)])
def test_a_wider_fixture_asking_for_a_function_scoped_direct_parameter(tmp_path, args):
    # a ScopeMismatch, as in pytest, whether the parameter is set up as a fixture (--setup-show)
    # or passed as it is
    files = {"test_s.py": """
        import minitest

        @minitest.fixture(scope="module")
        def m(x):
            return x

        @minitest.mark.parametrize("x", [1, 2])
        def test_mis(m):
            pass
    """}
    mine_dir, ref_dir = write_dual(tmp_path, files)
    mine = run_minitest(*args, "-p", "no:randomly", cwd=mine_dir)
    ref = run_pytest_process(*args, "-p", "no:randomly", cwd=ref_dir)
    assert mine.ret == ref.ret == 1, mine.dump() + ref.dump()
    assert mine.outcomes() == ref.outcomes() == {"errors": 2}, mine.dump() + ref.dump()
    message = ("ScopeMismatch: You tried to access the function scoped fixture x with a module scoped "
               "request object. Requesting fixture stack:")
    assert mine.lines.count(message) == ref.lines.count(message) == 2, mine.dump() + ref.dump()
    assert "test_s.py:3:  def m(x)" in mine.lines, mine.dump()


@pytest.mark.parametrize("args", [("--fixtures-per-test",), ("--fixtures-per-test", "-v")])
def test_fixtures_per_test_of_direct_parameters_match_pytest(tmp_path, args):
    # a direct parameter is no fixture listed for the test, nor the fixture it overrides, nor
    # what that one uses
    mine = _lines_as_pytests(tmp_path, DIRECT_SUITE, args, start=r"-+ fixtures used by", skip=0)
    assert not any(line.startswith(("x -- ", "used_by_x -- ")) for line in mine.lines), mine.dump()


HOOK_DIRECT_SUITE = {
    "conftest.py": """
        import minitest

        @minitest.fixture
        def dep():
            yield "dep"

        @minitest.fixture
        def x(dep):
            return "fixture"

        def minitest_generate_tests(metafunc):
            if metafunc.function.__name__ == "test_hooked":
                metafunc.parametrize("x", [1, 2])
    """,
    "test_g.py": """
        def test_hooked(x):
            assert x in (1, 2)

        def test_plain(x):
            assert x == "fixture"
    """,
}
#: what pytest plugins that make their own items do once they parametrized (schemathesis): called
#: again on every item, it changes nothing
PRUNING_PLUGIN = """
def minitest_collection_modifyitems(items):
    for item in items:
        item._fixtureinfo.prune_dependency_tree()
"""


@pytest.mark.parametrize("args", [("--setup-show",), ("--setup-plan",)])
@pytest.mark.parametrize("plugin_prunes", [False, True], ids=["", "plugin-prunes"])
def test_a_name_a_hook_parametrizes_directly_drops_what_its_fixture_used(tmp_path, args, plugin_prunes):
    # pytest prunes the closure once the test is parametrized: test_hooked's x is the parameter,
    # so dep (which only the fixture x used) is not set up; test_plain keeps both
    suite = dict(HOOK_DIRECT_SUITE)
    if plugin_prunes:
        suite["conftest.py"] = textwrap.dedent(suite["conftest.py"]) + PRUNING_PLUGIN
    mine = _lines_as_pytests(tmp_path, suite, args)
    lines = [line.strip() for line in mine.lines]
    assert lines.count("SETUP    F dep") == 1 and "SETUP    F x[1]" in lines, mine.dump()
