"""xunit-style set-up and teardown functions (builtin_plugins/fixtures/xunit.py): each of them alone,
inherited, given as a callable without code; what each is called with, compared with pytest event for
event; and where ``--fixtures-per-test -v`` says their fixtures are."""

from __future__ import annotations

from conftest import run_minitest, run_pytest_process
from dual_suite import write_dual

# every function prints what it is called with; a module or class has only one of each pair
ALONE = {
    "test_setups.py": """
        def setup_module(module):
            print("EVENT setup_module", module.__name__)

        def setup_function(function):
            print("EVENT setup_function", function.__name__)

        def test_f():
            print("EVENT test_f")

        class TestSetups:
            @classmethod
            def setup_class(cls):
                print("EVENT setup_class", cls.__name__)

            def setup_method(self, method):
                print("EVENT setup_method", method.__name__)

            def test_m(self):
                print("EVENT test_m")
    """,
    "test_teardowns.py": """
        def teardown_module():
            print("EVENT teardown_module")

        def teardown_function():
            print("EVENT teardown_function")

        def test_g():
            print("EVENT test_g")

        class TestTeardowns:
            def teardown_class(cls):
                print("EVENT teardown_class", cls.__name__)

            def teardown_method(self, method):
                print("EVENT teardown_method", method.__name__)

            def test_n(self):
                print("EVENT test_n")
    """,
    "test_inherited.py": """
        class Base:
            @classmethod
            def setup_class(cls):
                print("EVENT setup_class", cls.__name__)

            def setup_method(self):
                print("EVENT setup_method")

        class TestChild(Base):
            def test_c(self):
                print("EVENT test_c")
    """,
}


def _events(result) -> list[str]:
    return [line.split("EVENT ", 1)[1] for line in result.lines if "EVENT " in line]


def test_each_function_alone_and_inherited_runs_as_in_pytest(tmp_path):
    mine_dir, ref_dir = write_dual(tmp_path, ALONE)
    mine = run_minitest("-s", "-q", "-p", "no:randomly", cwd=mine_dir)
    ref = run_pytest_process("-s", "-q", "-p", "no:randomly", cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    assert _events(mine) == [
        "setup_class TestChild", "setup_method", "test_c",
        "setup_module test_setups", "setup_function test_f", "test_f",
        "setup_class TestSetups", "setup_method test_m", "test_m",
        "test_g", "teardown_function",
        "test_n", "teardown_method test_n", "teardown_class TestTeardowns", "teardown_module",
    ], mine.dump()
    assert _events(mine) == _events(ref), mine.dump() + ref.dump()


def test_a_set_up_function_without_code_is_given_the_module(files, run):
    # a partial (or any callable object) has no code to count its arguments: minitest gives it the
    # argument (pytest fails on the missing __code__); its fixture's location is "?", as any such fixture's
    files({"test_partial.py": """
        import functools

        def record(tag, module):
            print("EVENT", tag, module.__name__)

        setup_module = functools.partial(record, "setup")
        teardown_module = functools.partial(record, "teardown")

        def test_p():
            pass
    """})
    result = run("-s", "-q")
    assert result.ret == 0, result.dump()
    assert _events(result) == ["setup test_partial", "teardown test_partial"], result.dump()
    listing = run("--fixtures-per-test", "-v")
    assert "_xunit_setup_module_fixture_test_partial -- ?:0" in listing.lines, listing.dump()


def test_their_fixtures_are_located_at_the_set_up_function(files, run):
    # pytest names its own code; minitest the set-up function (the teardown when there is none)
    files({"test_where.py": """
        def setup_module(module):
            pass

        def teardown_module(module):
            pass

        def setup_function(function):
            pass

        def teardown_function(function):
            pass

        def test_f():
            pass

        class TestWhere:
            def setup_class(cls):
                pass

            def teardown_class(cls):
                pass

            def setup_method(self, method):
                pass

            def teardown_method(self, method):
                pass

            def test_m(self):
                pass
    """, "test_only_teardowns.py": """
        def teardown_module(module):
            pass

        def teardown_function(function):
            pass

        def test_g():
            pass

        class TestOnly:
            def teardown_class(cls):
                pass

            def teardown_method(self, method):
                pass

            def test_n(self):
                pass
    """})
    result = run("--fixtures-per-test", "-v", "-p", "no:randomly")
    assert result.ret == 0, result.dump()
    xunit = sorted({line for line in result.lines if line.startswith("_xunit")})
    assert xunit == [
        "_xunit_setup_class_fixture_TestOnly -- test_only_teardowns.py:11",
        "_xunit_setup_class_fixture_TestWhere -- test_where.py:17",
        "_xunit_setup_function_fixture_test_only_teardowns -- test_only_teardowns.py:4",
        "_xunit_setup_function_fixture_test_where -- test_where.py:7",
        "_xunit_setup_method_fixture_TestOnly -- test_only_teardowns.py:14",
        "_xunit_setup_method_fixture_TestWhere -- test_where.py:23",
        "_xunit_setup_module_fixture_test_only_teardowns -- test_only_teardowns.py:1",
        "_xunit_setup_module_fixture_test_where -- test_where.py:1",
    ], result.dump()
