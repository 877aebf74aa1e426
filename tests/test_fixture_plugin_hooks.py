"""The fixtures plugin's hooks as other plugins see them (builtin_plugins/fixtures/__init__.py): what
a conftest's configure hook reads of ``--setup-plan``, whether ``--setup-plan`` calls a conftest's
fixture_setup hook (compared with pytest), and a test's fixture values let go after its teardown."""

from __future__ import annotations

from conftest import run_minitest, run_pytest_process
from dual_suite import write_dual

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
