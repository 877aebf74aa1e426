"""The fixture system, black-box: one suite using every feature runs under minitest and, text
replaced, under pytest; both must give the same outcome per node id. The suite checks its own
setup / teardown counts (the last module asserts them), so agreeing outcomes mean agreeing counts."""

from __future__ import annotations

from dual_suite import compare_dual

SUITE = {
    "events.py": """
        EVENTS = []

        def count(name):
            return EVENTS.count(name)
    """,
    "conftest.py": """
        import minitest
        from events import EVENTS

        @minitest.fixture(scope="session")
        def sess():
            EVENTS.append("sess-setup")
            yield "S"
            EVENTS.append("sess-teardown")

        @minitest.fixture
        def over():
            return "root"

        @minitest.fixture(params=[1, 2], ids=["one", "two"])
        def num(request):
            return request.param

        @minitest.fixture(autouse=True)
        def auto_root():
            EVENTS.append("auto")
    """,
    "pkg/__init__.py": "",
    "pkg/conftest.py": """
        import minitest
        from events import EVENTS

        @minitest.fixture(scope="package")
        def pkgfix(sess):
            EVENTS.append("pkg-setup")
            yield "P"
            EVENTS.append("pkg-teardown")

        @minitest.fixture
        def over(over):
            return over + "+pkg"
    """,
    "pkg/test_a.py": """
        import minitest
        from events import EVENTS, count

        def setup_module(module):
            EVENTS.append("a-setup-module")

        def teardown_module():
            EVENTS.append("a-teardown-module")

        def setup_function(function):
            EVENTS.append("setup-function:" + function.__name__)

        def teardown_function(function):
            EVENTS.append("teardown-function:" + function.__name__)

        @minitest.fixture(scope="module")
        def modfix(pkgfix):
            EVENTS.append("modfix-setup")
            yield pkgfix + "M"
            EVENTS.append("modfix-teardown")

        @minitest.fixture
        def order(modfix):
            # the xunit module setup ran before any fixture of the module
            assert EVENTS.index("a-setup-module") < EVENTS.index("modfix-setup")
            EVENTS.append("order-setup")
            yield
            EVENTS.append("order-teardown")

        def test_one(modfix, order, sess):
            assert modfix == "PM" and sess == "S"
            assert EVENTS[-1] == "order-setup"
            assert EVENTS[-2] == "setup-function:test_one"

        def test_two(modfix, over):
            assert over == "root+pkg"
            assert count("modfix-setup") == 1
            assert count("order-teardown") == 1

        def test_num(num, modfix):
            assert num in (1, 2)

        @minitest.mark.parametrize("x", [10, 20])
        def test_combo(num, x):
            assert x in (10, 20)

        @minitest.mark.usefixtures("order")
        class TestClass:
            @classmethod
            def setup_class(cls):
                EVENTS.append("setup-class")

            def teardown_class(cls):
                EVENTS.append("teardown-class")

            def setup_method(self, method):
                self.value = method.__name__
                EVENTS.append("setup-method")

            def teardown_method(self):
                EVENTS.append("teardown-method")

            @minitest.fixture
            def over(self, over):
                return over + "+cls"

            @minitest.fixture(scope="class")
            def clsfix(self):
                EVENTS.append("clsfix-setup")
                yield
                EVENTS.append("clsfix-teardown")

            @minitest.fixture
            def bound(self):
                self.marker = 42

            def test_m1(self, over, clsfix, bound):
                assert over == "root+pkg+cls"
                assert self.value == "test_m1"
                assert self.marker == 42

            def test_m2(self, clsfix, request):
                assert request.cls is TestClass
                assert request.instance is self
                assert request.function.__name__ == "test_m2"
                assert count("clsfix-setup") == 1
                assert count("setup-function:test_m1") == 0  # methods use setup_method only
    """,
    "pkg/test_b.py": """
        import minitest
        from events import EVENTS, count

        @minitest.fixture(scope="module", params=["x", "y"])
        def modparam(request):
            EVENTS.append("modparam-setup-" + request.param)
            yield request.param
            EVENTS.append("modparam-teardown-" + request.param)

        def test_p1(modparam, pkgfix):
            assert count("pkg-setup") == 1

        def test_p2(modparam):
            # grouped by parameter: each value set up once, the first torn down before the second
            assert count("modparam-setup-" + modparam) == 1

        def test_dynamic(request):
            assert request.getfixturevalue("over") == "root+pkg"
            assert request.fixturename is None and request.scope == "function"
            assert request.node.name == "test_dynamic"
            assert request.module.__name__.endswith("test_b")
            assert request.config is not None

        def test_finalizer(request):
            request.addfinalizer(lambda: EVENTS.append("request-finalizer"))

        def test_applymarker(request):
            request.applymarker(minitest.mark.xfail(reason="applied"))
            assert 0
    """,
    "test_errors.py": """
        import minitest
        from events import EVENTS

        def test_unknown(nope):
            pass

        @minitest.fixture
        def r1(r2):
            pass

        @minitest.fixture
        def r2(r1):
            pass

        def test_recursive(r1):
            pass

        @minitest.fixture
        def func_scoped():
            return 1

        @minitest.fixture(scope="session")
        def wide(func_scoped):
            return 2

        def test_scope_mismatch(wide):
            pass

        @minitest.fixture(scope="module")
        def broken():
            EVENTS.append("broken-called")
            raise RuntimeError("setup exploded")

        def test_broken_1(broken):
            pass

        def test_broken_2(broken):
            pass

        @minitest.fixture
        def bad_teardown():
            yield
            raise ValueError("teardown exploded")

        def test_bad_teardown(bad_teardown):
            pass

        @minitest.fixture
        def twice():
            yield 1
            yield 2

        def test_yield_twice(twice):
            pass

        @minitest.fixture(params=[])
        def empty(request):
            return request.param

        def test_empty_params(empty):
            pass

        @minitest.fixture
        def first():
            EVENTS.append("first-setup")
            yield
            EVENTS.append("first-teardown")

        @minitest.fixture
        def second_fails(first):
            raise KeyError("second")

        def test_later_setup_fails(first, second_fails):
            pass

        def test_other_tests_still_run():
            # the teardown of 'first' ran although the fixture after it failed
            assert EVENTS.count("first-teardown") == 1
            assert EVENTS.count("broken-called") == 1  # the module fixture's error is cached
    """,
    "test_zz_counts.py": """
        from events import EVENTS, count

        def test_counts():
            assert count("sess-setup") == 1 and count("sess-teardown") == 0
            assert count("pkg-setup") == 1 and count("pkg-teardown") == 1
            assert count("a-setup-module") == 1 and count("a-teardown-module") == 1
            assert count("modfix-setup") == 1 and count("modfix-teardown") == 1
            assert count("setup-class") == 1 and count("teardown-class") == 1
            assert count("setup-method") == 2 and count("teardown-method") == 2
            assert count("clsfix-setup") == 1 and count("clsfix-teardown") == 1
            assert count("modparam-setup-x") == 1 and count("modparam-teardown-x") == 1
            assert count("modparam-setup-y") == 1 and count("modparam-teardown-y") == 1
            assert EVENTS.index("modparam-teardown-x") < EVENTS.index("modparam-setup-y")
            assert count("request-finalizer") == 1
            # package teardown came after the last test of the package, before this module
            assert EVENTS.index("pkg-teardown") > EVENTS.index("modparam-teardown-y")
            assert count("setup-function:test_one") == 1 and count("teardown-function:test_one") == 1
    """,
}


def test_suite_matches_pytest(tmp_path):
    mine, _ = compare_dual(tmp_path, SUITE)
    # the reordering by module-scoped parameter shows in the order of the tests
    ids = [line.split()[0] for line in mine.lines if "test_b.py::test_p" in line]
    assert ids == ["pkg/test_b.py::test_p1[x]", "pkg/test_b.py::test_p2[x]",
                   "pkg/test_b.py::test_p1[y]", "pkg/test_b.py::test_p2[y]"]
    mine.fnmatch_lines([
        "*ERROR at setup of test_unknown*",
        "E       fixture 'nope' not found",
        ">       available fixtures: *",
        ">       use 'minitest --fixtures [[]testpath]' for help on them.",
    ])
    mine.fnmatch_lines(["*recursive dependency involving fixture 'r1' detected*"])
    mine.fnmatch_lines(["*ScopeMismatch: You tried to access the function scoped fixture func_scoped "
                        "with a session scoped request object*"])
    mine.fnmatch_lines(["*ERROR at teardown of test_bad_teardown*", "*ValueError: teardown exploded*"])
    mine.fnmatch_lines(["*fixture function has more than one 'yield'*"])
    mine.fnmatch_lines(["*ERROR at setup of test_broken_1*", "*raise RuntimeError*", "*setup exploded*"])
    assert "pkg/test_a.py::test_combo[one-10] PASSED" in mine.stdout


def test_setup_show_hooks_dynamic_scope_and_name(files, run):
    files({
        "conftest.py": """
            import minitest

            SEEN = []

            def minitest_fixture_setup(fixturedef, request):
                if fixturedef.argname == "replaced":
                    return "from hook"

            def minitest_fixture_post_finalizer(fixturedef, request):
                SEEN.append(fixturedef.argname)

            def pick_scope(fixture_name, config):
                return "module" if fixture_name == "dyn" else "function"

            @minitest.fixture(scope=pick_scope)
            def dyn():
                return object()

            @minitest.fixture(name="renamed")
            def some_function_name():
                return "renamed value"

            @minitest.fixture
            def replaced():
                return "from function"
        """,
        "test_x.py": """
            import conftest

            def test_a(dyn, renamed, replaced):
                assert renamed == "renamed value"
                assert replaced == "from hook"
                test_a.dyn = dyn

            def test_b(dyn):
                assert dyn is test_a.dyn  # module scope, chosen by the callable

            def test_c():
                assert "renamed" in conftest.SEEN and "replaced" in conftest.SEEN
                assert "dyn" not in conftest.SEEN
        """,
    })
    # (the unittest plugin's own autouse fixture is left out of the picture)
    result = run("--setup-show", "-p", "no:unittest")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "test_x.py ",
        "    SETUP    M dyn",
        "        SETUP    F renamed",
        "        SETUP    F replaced",
        "        test_x.py::test_a (fixtures used: dyn, renamed, replaced)*",
        "        TEARDOWN F renamed",
        "        test_x.py::test_b (fixtures used: dyn)*",
        "    TEARDOWN M dyn*",
    ])


def test_fixtures_listing(files, run):
    files({
        "conftest.py": '''
            import minitest

            @minitest.fixture(scope="session")
            def shared():
                """A session-wide resource.

                More detail only shown with -v.
                """
        ''',
        "test_x.py": """
            import minitest

            @minitest.fixture
            def local():
                return 1

            @minitest.fixture
            def _private():
                return 2

            def test_a(local, shared):
                pass
        """,
    })
    result = run("--fixtures")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "tmp_path -- *builtin_fixtures.py:*",
        "    A new empty directory*",
        "*fixtures defined from conftest*",
        "shared [[]session scope] -- conftest.py:3",
        "    A session-wide resource.",
        "*fixtures defined from test_x*",
        "local -- test_x.py:3",
        "    no docstring available",
    ])
    result.no_fnmatch_line("*More detail*")
    result.no_fnmatch_line("_private*")
    verbose = run("--fixtures", "-v")
    verbose.fnmatch_lines(["*More detail only shown with -v.*", "_private -- test_x.py:7"])

    per_test = run("--fixtures-per-test")
    assert per_test.ret == 0, per_test.dump()
    per_test.fnmatch_lines([
        "*fixtures used by test_a*",
        "*(test_x.py:11)*",
        "local -- test_x.py:3",
        "*no docstring available",
        "shared -- conftest.py:3",  # as pytest: the scope only in --fixtures
        "    A session-wide resource.",
    ])
    assert "passed" not in per_test.final_line()


def test_class_scoped_fixture_written_as_classmethod_matches_pytest(tmp_path):
    """``@fixture`` over ``@classmethod``: what pytest 9.1+ recommends for class-scoped fixtures
    (instead of an instance method, now deprecated); the fixture sets class attributes the tests see."""
    mine, _ = compare_dual(tmp_path, {"test_cm.py": """
        import minitest

        class TestShared:
            @minitest.fixture(scope="class")
            @classmethod
            def shared(cls):
                cls.value = 3
                return 5

            def test_value(self, shared):
                assert shared == 5
                assert self.value == 3

            def test_again(self, shared):
                assert self.value == 3
    """})
    assert mine.outcomes() == {"passed": 2}


def test_one_function_declared_as_several_fixtures_matches_pytest(tmp_path):
    """``fixture(...)`` applied to one function several times (pytest-mock's ``mocker`` and
    ``class_mocker``) gives independent fixtures; applying it to a fixture again is an error."""
    mine, _ = compare_dual(tmp_path, {"test_twice.py": """
        import minitest

        def _counter():
            return []

        counter = minitest.fixture(_counter)
        class_counter = minitest.fixture(scope="class", name="class_counter")(_counter)

        class TestUse:
            def test_one(self, counter, class_counter):
                counter.append(1)
                class_counter.append(1)
                assert counter == [1]

            def test_two(self, counter, class_counter):
                class_counter.append(2)
                assert counter == [] and class_counter == [1, 2]

        def test_again_is_an_error():
            with minitest.raises(ValueError, match="applied more than once"):
                minitest.fixture(counter)
    """})
    assert mine.outcomes() == {"passed": 3}


def test_a_cached_fixture_is_set_up_again_when_what_it_uses_changes_parameter(tmp_path):
    # a module-scoped fixture using a module-scoped parameter (of a fixture, or given directly):
    # the next test's parameter tears it down with the parameter, and it is set up again with the
    # new one before the test sees it (it used to keep the first value, the teardown coming later)
    mine, _ = compare_dual(tmp_path, {"test_stale.py": """
        import minitest

        @minitest.fixture(scope="module", params=[1, 2])
        def p(request):
            return request.param

        @minitest.fixture(scope="module")
        def from_p(p):
            return p

        @minitest.fixture(scope="module")
        def from_x(x):
            return x

        @minitest.fixture(scope="module")
        def outer(from_p):
            return from_p

        def test_indirect(outer, p):
            assert outer == p

        @minitest.mark.parametrize("x", [1, 2], scope="module")
        def test_direct(from_x, x):
            assert from_x == x
    """}, "-p", "no:randomly")
    assert mine.outcomes() == {"passed": 4}, mine.dump()
