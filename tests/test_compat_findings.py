"""Differences from pytest that the compatibility corpus (tests/compat/) found in real projects,
each reduced to a small folder and compared with pytest 9.2 on it."""

from __future__ import annotations

from dual_suite import compare_dual


def test_collect_ignore_and_collect_ignore_glob_in_conftests(tmp_path):
    """attrs: ``collect_ignore`` in a conftest.py (paths relative to its directory), the nearest
    conftest defining it deciding; ``collect_ignore_glob`` likewise."""
    mine, _ = compare_dual(tmp_path, {
        "conftest.py": "collect_ignore = ['test_py2_only.py', 'legacy']\ncollect_ignore_glob = ['*_draft.py']\n",
        "test_py2_only.py": "print 'not python 3'\n",
        "legacy/test_old.py": "def test_old():\n    assert 0\n",
        "test_draft.py": "def test_draft():\n    pass\n",
        "test_ok_draft.py": "def test_not_collected():\n    assert 0\n",
        "sub/conftest.py": "collect_ignore = ['test_skip_me.py']\n",
        "sub/test_skip_me.py": "def test_skip_me():\n    assert 0\n",
        "sub/test_kept.py": "def test_kept():\n    pass\n",
    })
    # only sub/test_kept.py is left (test_draft.py matches the glob too)
    assert mine.outcomes() == {"passed": 1}


def test_norecursedirs_with_a_path(tmp_path):
    """marshmallow: a ``norecursedirs`` entry with a path separator matches the end of the path."""
    mine, _ = compare_dual(tmp_path, {
        "pytest.ini": "[pytest]\nnorecursedirs = tests/mypy_cases .*\n",
        "tests/test_real.py": "def test_real():\n    pass\n",
        "tests/mypy_cases/test_bad.py": "import does_not_exist\n",
        "other/mypy_cases/test_also.py": "def test_also():\n    pass\n",
    })
    assert mine.outcomes() == {"passed": 2}


def test_direct_parametrization_overrides_a_fixture_for_other_fixtures(tmp_path):
    """platformdirs: a name parametrized on the test stands in for the fixture of that name,
    also where another fixture requests it."""
    mine, _ = compare_dual(tmp_path, {"test_shadow.py": """
        import minitest

        @minitest.fixture
        def platform():
            return "linux"

        @minitest.fixture
        def runtime_dir(platform):
            return f"/run/{platform}"

        @minitest.mark.parametrize("platform", ["freebsd", "netbsd"])
        def test_runtime_dir(runtime_dir, platform):
            assert runtime_dir == f"/run/{platform}"

        def test_default(runtime_dir):
            assert runtime_dir == "/run/linux"
    """})
    assert mine.outcomes() == {"passed": 3}


def test_a_plugin_reads_the_options_of_its_group(tmp_path):
    """typeguard's plugin: ``group.options[-1].names()`` / ``.attrs()``, as pytest's Argument."""
    mine, _ = compare_dual(tmp_path, {
        "conftest.py": """
            def minitest_addoption(parser):
                group = parser.getgroup("probe")
                group.addoption("--probe-level", action="store", default="2", help="a level")
                option = group.options[-1]
                assert option.names() == ["--probe-level"], option.names()
                assert option.attrs()["default"] == "2", option.attrs()
        """,
        "test_x.py": "def test_x(request):\n    assert request.config.getoption('--probe-level') == '2'\n",
    })
    assert mine.outcomes() == {"passed": 1}
