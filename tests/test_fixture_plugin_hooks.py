"""The fixtures plugin's hooks as other plugins see them (builtin_plugins/fixtures/__init__.py): what
a conftest's configure hook reads of ``--setup-plan``, whether ``--setup-plan`` calls a conftest's
fixture_setup hook (compared with pytest), a test's fixture values let go after its teardown, and the
tests a fixture's params parametrize."""

from __future__ import annotations

from conftest import run_minitest, run_pytest_process, verbose_nodeids
from dual_suite import plain_item_plugin, write_dual

OPTIONS = {
    "conftest.py": """
        from pathlib import Path

        def minitest_configure(config):
            o = config.option
            Path(__file__).with_name("options.txt").write_text(f"{o.setupplan} {o.setuponly} {o.setupshow}")

        def minitest_fixture_setup(fixturedef, request):
            with Path(__file__).with_name("called.txt").open("a") as f:
                f.write(fixturedef.argname + "\\n")
    """,
    "test_o.py": """
        import minitest

        @minitest.fixture
        def thing():
            return 1

        def test_o(thing):
            pass
    """,
}


def test_setup_plan_is_setup_only_and_setup_show_for_every_configure_hook(tmp_path):
    # the plugin's configure hook comes first (tryfirst): a conftest's sees all three set
    mine_dir, ref_dir = write_dual(tmp_path, OPTIONS)
    mine = run_minitest("--setup-plan", cwd=mine_dir)
    ref = run_pytest_process("--setup-plan", cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    assert (mine_dir / "options.txt").read_text() == (ref_dir / "options.txt").read_text() == "True True True"


def test_setup_plan_calls_no_other_fixture_setup_hook(tmp_path):
    # the plan's answer comes first (tryfirst, firstresult): a conftest's fixture_setup is not called
    mine_dir, ref_dir = write_dual(tmp_path, OPTIONS)
    mine = run_minitest("--setup-plan", cwd=mine_dir)
    ref = run_pytest_process("--setup-plan", cwd=ref_dir)
    assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
    assert not (ref_dir / "called.txt").exists() and not (mine_dir / "called.txt").exists(), mine.dump()
    assert "SETUP    F thing" in mine.stdout, mine.dump()
    ran = run_minitest(cwd=mine_dir)  # without the plan it is called
    assert ran.ret == 0, ran.dump()
    assert (mine_dir / "called.txt").read_text() == "thing\n"


def test_a_tests_fixture_values_are_let_go_after_its_teardown(files, run, tmp_path):
    # a long run keeps its items: each one's values and request are dropped once it is torn down
    files({"conftest.py": """
        from pathlib import Path

        def minitest_sessionfinish(session):
            kept = [(item.name, item.funcargs, item.fixture_request) for item in session.items]
            Path(__file__).with_name("kept.txt").write_text(repr(kept))
    """, "test_k.py": """
        import minitest

        @minitest.fixture
        def value():
            return [1, 2, 3]

        def test_uses(value, tmp_path):
            assert value == [1, 2, 3]

        def test_plain():
            pass
    """})
    result = run()
    assert result.ret == 0, result.dump()
    assert (tmp_path / "kept.txt").read_text() == "[('test_uses', {}, None), ('test_plain', {}, None)]"


def test_fixture_params_parametrize_the_tests_as_in_pytest(tmp_path):
    # a fixture's params parametrize each test using it, unless the test parametrizes that name
    # itself (positional or keyword argnames); a test's plain argument before it changes nothing; an
    # overriding fixture inherits the params only if it requests the one it overrides, and has its
    # own params if it declares some
    from dual_suite import compare_dual

    mine, _ = compare_dual(tmp_path, {
        "conftest.py": """
            import minitest

            @minitest.fixture(params=[1, 2])
            def num(request):
                return request.param
        """,
        "test_direct.py": """
            import minitest

            @minitest.mark.parametrize("num", [5])
            def test_positional(num):
                assert num == 5

            @minitest.mark.parametrize(argnames="num", argvalues=[6])
            def test_keyword(num):
                assert num == 6

            @minitest.mark.parametrize("x", ["a"])
            def test_plain_first(x, num):
                assert num in (1, 2)
        """,
        "test_requests.py": """
            import minitest

            @minitest.fixture
            def num(num):
                return num * 10

            def test_inherits(num):
                assert num in (10, 20)
        """,
        "test_own_params.py": """
            import minitest

            @minitest.fixture(params=[10, 20])
            def num(num, request):
                return request.param

            def test_own(num):
                assert num in (10, 20)
        """,
        "test_replaces.py": """
            import minitest

            @minitest.fixture
            def num():
                return 0

            def test_replaced(num):
                assert num == 0
        """,
    })
    assert sorted(nodeid for nodeid, _ in verbose_nodeids(mine)) == [
        "test_direct.py::test_keyword[6]", "test_direct.py::test_plain_first[1-a]",
        "test_direct.py::test_plain_first[2-a]", "test_direct.py::test_positional[5]",
        "test_own_params.py::test_own[10]", "test_own_params.py::test_own[20]",
        "test_replaces.py::test_replaced", "test_requests.py::test_inherits[1]", "test_requests.py::test_inherits[2]",
    ], mine.dump()
    mine.assert_outcomes(passed=9)


def test_listing_fixtures_comes_before_a_conftests_run_loop(tmp_path):
    # --fixtures lists instead of running: a conftest's own run loop is not reached (pytest replaces
    # its whole main for the listing)
    mine_dir, ref_dir = write_dual(tmp_path, {"conftest.py": """
        from pathlib import Path

        def minitest_runtestloop(session):
            Path(__file__).with_name("looped.txt").write_text("looped")
            return True
    """, "test_l.py": """
        import minitest

        @minitest.fixture
        def listed():
            \"\"\"Listed, not run.\"\"\"

        def test_l(listed):
            pass
    """})
    for args in (("--fixtures",), ("--fixtures-per-test",)):
        mine = run_minitest(*args, cwd=mine_dir)
        ref = run_pytest_process(*args, cwd=ref_dir)
        assert mine.ret == ref.ret == 0, mine.dump() + ref.dump()
        assert "    Listed, not run." in mine.lines and "    Listed, not run." in ref.lines, mine.dump()
        assert not (mine_dir / "looped.txt").exists() and not (ref_dir / "looped.txt").exists(), mine.dump()


def test_an_item_without_fixture_info_gets_no_request(files, run):
    # the kernel's contract: only an item that uses fixtures (has fixture info) gets a request
    files({"conftest.py": plain_item_plugin("assert self.fixture_request is None and self.funcargs == {}"),
           "a.plain": "", "test_f.py": """
        def test_f(request):
            assert request is not None
    """})
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("a.plain::plain", "PASSED"), ("test_f.py::test_f", "PASSED")], result.dump()
