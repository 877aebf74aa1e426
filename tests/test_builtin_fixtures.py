"""tmp_path / tmp_path_factory, monkeypatch (and MonkeyPatch.context), recwarn, request and the
config fixtures, run under minitest and pytest alike; the public types are importable."""

from __future__ import annotations

from dual_suite import compare_dual

SUITE = {
    "helper_mod.py": """
        VALUE = 1

        def greet():
            return "hello"
    """,
    "test_builtins.py": """
        import os
        import sys
        import warnings

        import minitest
        import helper_mod

        SEEN = {}

        def test_tmp_path(tmp_path, tmp_path_factory):
            assert tmp_path.is_dir() and list(tmp_path.iterdir()) == []
            assert tmp_path.name.startswith("test_tmp_path")
            assert tmp_path.parent == tmp_path_factory.getbasetemp()
            made = tmp_path_factory.mktemp("data")
            assert made.name == "data0" and made.parent == tmp_path_factory.getbasetemp()
            assert tmp_path_factory.mktemp("data").name == "data1"
            SEEN["tmp"] = tmp_path

        def test_tmp_path_is_new_each_test(tmp_path):
            assert tmp_path != SEEN["tmp"]

        @minitest.mark.parametrize("x", ["a/b", "c"])
        def test_tmp_path_param_names(tmp_path, x):
            assert "/" not in tmp_path.name[len("test_tmp_path_param_names"):]

        def test_monkeypatch(monkeypatch, tmp_path):
            monkeypatch.setattr(helper_mod, "VALUE", 2)
            monkeypatch.setattr("helper_mod.greet", lambda: "patched")
            monkeypatch.setattr(helper_mod, "NEW", 3, raising=False)
            monkeypatch.delattr(helper_mod, "greet2", raising=False)
            monkeypatch.setitem(SEEN, "key", "value")
            monkeypatch.setenv("MT_TEST_VAR", "on")
            monkeypatch.setenv("PATH", "/extra", prepend=os.pathsep)
            monkeypatch.delenv("HOME", raising=False)
            monkeypatch.syspath_prepend(str(tmp_path))
            monkeypatch.chdir(tmp_path)
            assert helper_mod.VALUE == 2 and helper_mod.greet() == "patched" and helper_mod.NEW == 3
            assert os.environ["MT_TEST_VAR"] == "on"
            assert os.environ["PATH"].startswith("/extra" + os.pathsep)
            assert "HOME" not in os.environ
            assert sys.path[0] == str(tmp_path) and os.getcwd() == str(tmp_path)
            SEEN["cwd"] = str(tmp_path)

        def test_monkeypatch_undone():
            assert helper_mod.VALUE == 1 and helper_mod.greet() == "hello"
            assert not hasattr(helper_mod, "NEW")
            assert "key" not in SEEN and "MT_TEST_VAR" not in os.environ
            assert "HOME" in os.environ and not os.environ["PATH"].startswith("/extra")
            assert os.getcwd() != SEEN["cwd"] and SEEN["cwd"] not in sys.path

        def test_monkeypatch_context():
            with minitest.MonkeyPatch.context() as mp:
                mp.setattr(helper_mod, "VALUE", 5)
                mp.delitem(SEEN, "tmp")
                assert helper_mod.VALUE == 5 and "tmp" not in SEEN
            assert helper_mod.VALUE == 1 and "tmp" in SEEN

        def test_monkeypatch_errors(monkeypatch):
            with minitest.raises(AttributeError):
                monkeypatch.setattr(helper_mod, "MISSING", 1)
            with minitest.raises(KeyError):
                monkeypatch.delitem({}, "nope")
            with minitest.raises(KeyError):
                monkeypatch.delenv("SURELY_NOT_SET_ANYWHERE_123")

        def test_recwarn(recwarn):
            warnings.warn("first", UserWarning)
            warnings.warn("second", DeprecationWarning)
            assert len(recwarn) == 2
            assert str(recwarn.pop(DeprecationWarning).message) == "second"
            assert str(recwarn[0].message) == "first"

        def test_config_fixtures(minitestconfig, request):
            assert minitestconfig is request.config
            assert minitestconfig.rootpath.is_dir()

        def test_public_types(request, monkeypatch, tmp_path_factory, capsys, caplog):
            assert isinstance(request, minitest.FixtureRequest)
            assert isinstance(monkeypatch, minitest.MonkeyPatch)
            assert isinstance(tmp_path_factory, minitest.TempPathFactory)
            assert isinstance(capsys, minitest.CaptureFixture)
            assert isinstance(caplog, minitest.LogCaptureFixture)
    """,
}


def test_builtin_fixtures_match_pytest(tmp_path):
    mine, _ = compare_dual(tmp_path, SUITE)
    assert mine.outcomes() == {"passed": 11}, mine.dump()


def test_basetemp_and_kept_runs(files, run, tmp_path):
    files({"test_t.py": """
        def test_a(tmp_path):
            (tmp_path / "f").write_text("x")
    """})
    base = tmp_path / "base"
    result = run("--basetemp", str(base), "test_t.py")
    assert result.ret == 0, result.dump()
    assert (base / "test_a0" / "f").read_text() == "x"
    # a fresh run empties a given basetemp first
    assert run("--basetemp", str(base), "test_t.py").ret == 0
    # (.lock is minitest's mark: only a directory holding it is ever emptied, see test_hostile.py)
    assert sorted(p.name for p in base.iterdir()) == [".lock", "test_a0"]

    temproot = tmp_path / "temproot"
    temproot.mkdir()
    for _ in range(4):
        assert run("test_t.py", env={"TMPDIR": str(temproot)}).ret == 0
    (user_dir,) = temproot.iterdir()
    # only the last three runs are kept
    assert sorted(p.name for p in user_dir.iterdir()) == ["minitest-1", "minitest-2", "minitest-3"]
