"""Issue 16, the API and config gaps: pytest 9's config files, ``--import-mode=importlib``, the
config API plugins read, the hooks minitest used to ignore, pytest's daily options and the
``subtests`` fixture; each compared with pytest 9.2 on the same folder."""

from __future__ import annotations

import pytest

# -- 1. pytest 9's config files ----------------------------------------------------------------

TOML_SUITE = {
    "pkg/mod.py": '''
        def double(x):
            """
            >>> double(2)
            4
            """
            return 2 * x
    ''',
    "pkg/test_a.py": """
        import pytest

        @pytest.mark.slow
        def test_slow():
            pass

        @pytest.mark.xfail
        def test_xpass():
            pass
    """,
    "other/test_elsewhere.py": "def test_not_in_testpaths():\n    pass\n",
}

NATIVE_TABLE = """
[tool.pytest]
addopts = ["-ra", "--doctest-modules"]
testpaths = ["pkg"]
markers = ["slow: slow tests"]
xfail_strict = true
strict_markers = true
"""


@pytest.mark.parametrize(("name", "text"), [
    ("pyproject.toml", NATIVE_TABLE),
    ("pytest.toml", NATIVE_TABLE.replace("[tool.pytest]", "[pytest]")),
    (".pytest.toml", NATIVE_TABLE.replace("[tool.pytest]", "[pytest]")),
    (".pytest.ini", "[pytest]\naddopts = -ra --doctest-modules\ntestpaths = pkg\nmarkers =\n  slow: slow tests\n"
                    "xfail_strict = true\nstrict_markers = true\n"),
])
def test_pytest9_config_files_and_native_toml(files, compare, name, text):
    """``[tool.pytest]`` in TOML types, ``pytest.toml`` / ``.pytest.toml`` (a ``[pytest]`` table)
    and ``.pytest.ini``: addopts, testpaths, markers (strict), a bool key."""
    files({**TOML_SUITE, name: text})
    mine, ref = compare()
    assert mine.ret == 1
    mine.fnmatch_lines([f"configfile: {name}", "FAILED pkg/test_a.py::test_xpass*XPASS(strict)*"])
    assert "pkg/mod.py::mod.double PASSED" in mine.stdout, mine.dump()
    assert "other/" not in mine.stdout


def test_pytest_toml_comes_before_pytest_ini(files, compare):
    files({"test_a.py": "def test_a():\n    pass\n", "pytest.ini": "[pytest]\naddopts = -x --co\n",
           "pytest.toml": "[pytest]\naddopts = ['-ra']\n"})
    mine, _ = compare()
    mine.fnmatch_lines(["configfile: pytest.toml*"])
    mine.assert_outcomes(passed=1)


def test_both_tool_pytest_tables_is_a_usage_error(files, run, run_pytest):
    files({"test_a.py": "def test_a():\n    pass\n",
           "pyproject.toml": "[tool.pytest]\naddopts = ['-ra']\n[tool.pytest.ini_options]\naddopts = '-ra'\n"})
    for result in (run(), run_pytest()):
        assert result.ret == 4, result.dump()
        assert "Cannot use both [tool.pytest] (native TOML types) and [tool.pytest.ini_options]" in result.stderr
        assert "Traceback" not in result.stderr


def test_pytest_toml_without_a_table_is_a_usage_error(files, run, run_pytest):
    files({"test_a.py": "def test_a():\n    pass\n", "pytest.toml": "addopts = ['-ra']\n"})
    for result in (run(), run_pytest()):
        assert result.ret == 4, result.dump()
        assert "pytest configuration must be under a [pytest] table (found top-level options: addopts)" \
            in result.stderr, result.dump()


def test_ini_options_table_still_read(files, compare):
    files({"test_a.py": "import pytest\n@pytest.mark.xfail\ndef test_a():\n    pass\n",
           "pyproject.toml": "[tool.pytest.ini_options]\nxfail_strict = true\n"})
    mine, _ = compare()
    mine.assert_outcomes(failed=1)


# -- 2. --import-mode=importlib ----------------------------------------------------------------

SRC_LAYOUT = {
    "src/__init__.py": "",
    "src/app/__init__.py": "def add(a, b):\n    return a + b\n",
    "tests/__init__.py": "",
    "tests/helpers.py": "VALUE = 3\n",
    "tests/conftest.py": "import pytest\n\n@pytest.fixture\ndef three():\n    return 3\n",
    "tests/test_app.py": """
        from src.app import add
        from tests.helpers import VALUE

        def test_add(three):
            assert add(1, 2) == VALUE == three

        def test_module_name():
            assert __name__ == "tests.test_app"
    """,
    "loose/test_loose.py": """
        def test_named_from_rootdir():
            assert __name__ == "loose.test_loose", __name__
    """,
    "other/test_loose.py": "def test_same_basename():\n    pass\n",
}


def test_importlib_mode_src_layout_and_tests_package(files, compare):
    files(SRC_LAYOUT)
    mine, _ = compare("--import-mode=importlib")
    mine.assert_outcomes(passed=4)


def test_importlib_mode_namespace_packages(files, compare, tmp_path):
    """``consider_namespace_packages``: a test module in a namespace package importable from
    ``sys.path`` is named after it."""
    files({
        "pytest.ini": "[pytest]\nconsider_namespace_packages = true\npythonpath = src\n",
        "src/ns/pkg/__init__.py": "",
        "src/ns/pkg/test_ns.py": "def test_name():\n    assert __name__ == 'ns.pkg.test_ns', __name__\n",
    })
    mine, _ = compare("--import-mode=importlib")
    mine.assert_outcomes(passed=1)


# -- 3. the config API plugins read ------------------------------------------------------------

CONFIG_API = {
    "conftest.py": """
        import pytest

        def pytest_addoption(parser):
            parser.addoption("--db", default=None)

        def pytest_collection_modifyitems(config, items):
            dropped = [item for item in items if "drop" in item.name]
            items[:] = [item for item in items if item not in dropped]
            config.hook.pytest_deselected(items=dropped)

        def pytest_configure(config):
            opt = config.option
            seen = (opt.usepdb, opt.capture, opt.xfail_tb, opt.fold_skipped, opt.code_highlight,
                    opt.force_short_summary, opt.traceconfig, opt.pastebin, opt.markers,
                    opt.pyargs, opt.disable_warnings, opt.setupplan, opt.debug, opt.logger_disable)
            config.seen = seen

        @pytest.fixture
        def db(request):
            return request.config.getvalueorskip("db")
    """,
    "test_a.py": """
        def test_options(request):
            assert request.config.seen == (False, "fd", False, True, "yes", False, False, None, False,
                                           False, False, False, None, [])

        def test_drop_me():
            pass

        def test_db(db):
            pass

        def test_unknown_option_skips(request):
            request.config.getvalueorskip("no_such_option")
    """,
}


def test_config_api_plugins_read(files, compare):
    """``config.getvalueorskip``, ``config.hook.pytest_deselected(items=...)`` from a conftest and
    the attributes of pytest's ``config.option`` by default."""
    files(CONFIG_API)
    mine, ref = compare("-rs")
    mine.assert_outcomes(passed=1, skipped=2, deselected=1)
    for result in (mine, ref):
        result.fnmatch_lines(["SKIPPED [[]1[]] test_a.py:8: no 'db' option found",
                              "SKIPPED [[]1[]] *: no 'no_such_option' option found"])


# -- 5. pytest's daily options -----------------------------------------------------------------

def test_pyargs(files, compare, tmp_path):
    files({"lib/mypkg/__init__.py": "", "lib/mypkg/sub/__init__.py": "",
           "lib/mypkg/test_pkg.py": "def test_in_pkg():\n    pass\n",
           "lib/mypkg/sub/test_sub.py": "def test_sub():\n    pass\n\ndef test_other():\n    pass\n"})
    mine, _ = compare("--pyargs", "mypkg", "mypkg.sub.test_sub::test_sub", pythonpath=[tmp_path / "lib"])
    mine.assert_outcomes(passed=3)


def test_pyargs_module_not_found(files, run, run_pytest):
    files({"test_a.py": "def test_a():\n    pass\n"})
    for result in (run("--pyargs", "nosuch.mod"), run_pytest("--pyargs", "nosuch.mod")):
        assert result.ret == 4, result.dump()
        assert "ERROR: module or package not found: nosuch.mod (missing __init__.py?)" in result.stderr


WARNS = {"test_w.py": """
    import warnings

    def test_warns():
        warnings.warn(UserWarning("careful"))
"""}


@pytest.mark.parametrize("flag", ["--disable-warnings", "--disable-pytest-warnings"])
def test_disable_warnings(files, compare, flag):
    """The warnings summary is gone, the final line still counts the warning."""
    files(WARNS)
    mine, ref = compare(flag)
    for result in (mine, ref):
        assert "warnings summary" not in result.stdout
        result.assert_outcomes(passed=1, warnings=1)


SETUP_PLAN = {"test_p.py": """
    import pytest

    @pytest.fixture(scope="module")
    def resource():
        raise RuntimeError("a fixture is not called with --setup-plan")

    @pytest.fixture
    def conn(resource):
        yield 1

    def test_a(conn):
        assert 0, "a test is not called with --setup-plan"

    def test_b():
        pass
"""}


def test_setup_plan(files, compare):
    files(SETUP_PLAN)
    mine, ref = compare("--setup-plan")
    assert mine.ret == ref.ret == 0
    plan = ["    SETUP    M resource", "        SETUP    F conn (fixtures used: resource)",
            "        test_p.py::test_a (fixtures used: conn, resource)", "        TEARDOWN F conn",
            "        test_p.py::test_b", "    TEARDOWN M resource"]
    for result in (mine, ref):
        result.fnmatch_lines(plan)
        result.fnmatch_lines(["*= no tests ran in *"])


def test_debug_writes_the_trace_file(files, run, tmp_path):
    files({"test_a.py": "def test_a():\n    pass\n"})
    result = run("--debug")
    assert result.ret == 0, result.dump()
    assert "writing minitest debug information to minitestdebug.log" in result.stderr
    assert "wrote minitest debug information to minitestdebug.log" in result.stderr
    text = (tmp_path / "minitestdebug.log").read_text()
    assert text.startswith("versions minitest-")
    assert "minitest_runtest_logreport [hook]" in text
    named = run("--debug=trace.log")
    assert named.ret == 0 and (tmp_path / "trace.log").is_file(), named.dump()
    bad = run("--debug=no/such/dir/x.log")
    assert bad.ret == 4 and "Traceback" not in bad.stderr, bad.dump()
    assert "--debug: cannot write no/such/dir/x.log" in bad.stderr


# -- 4. the pytest hooks minitest used to ignore -----------------------------------------------

HOOKS = {
    "pytest.ini": "[pytest]\nenable_assertion_pass_hook = true\n",
    "conftest.py": """
        def pytest_assertion_pass(item, lineno, orig, expl):
            print(f"PASS {item.name}:{lineno} orig={orig!r} expl={expl!r}")

        def pytest_make_parametrize_id(config, val, argname):
            if isinstance(val, dict):
                return f"{argname}=" + "+".join(sorted(val))
            return None

        def pytest_markeval_namespace(config):
            return {"has_gpu": False, "color": "red"}

        def pytest_report_collectionfinish(config, start_path, items):
            return [f"selected: {len(items)}", "second line"]
    """,
    "sub/conftest.py": """
        def pytest_markeval_namespace(config):
            return {"color": "blue"}  # nearer: wins over the root conftest's
    """,
    "sub/test_blue.py": """
        import pytest

        @pytest.mark.skipif("color == 'blue'", reason="blue here")
        def test_blue():
            pass
    """,
    "test_h.py": """
        import pytest

        def f():
            return 2

        def test_pass():
            x = 1
            assert x + 1 == f()
            assert [1] == [1], "msg"

        @pytest.mark.parametrize("d", [{"a": 1, "b": 2}, {"c": 0}, 3])
        def test_ids(d):
            pass

        @pytest.mark.skipif("not has_gpu", reason="no gpu")
        def test_gpu():
            pass

        @pytest.mark.xfail("color == 'red'", reason="red")
        def test_red():
            assert 0
    """,
}


def test_pytest_hooks_assertion_pass_parametrize_id_markeval_collectionfinish(files, compare):
    files(HOOKS)
    mine, ref = compare("-s")
    mine.assert_outcomes(passed=4, skipped=2, xfailed=1)
    for result in (mine, ref):
        result.fnmatch_lines(["*collected 7 items", "selected: 7", "second line"], consecutive=True)
        result.fnmatch_lines([
            "test_h.py::test_pass PASS test_pass:8 orig='x + 1 == f()' expl='(1 + 1) == 2\\n +  where 2 = f()'",
            "PASS test_pass:9 orig='[[]1] == [[]1]' expl='[[]1] == [[]1]*",
            "test_h.py::test_ids[[]d=a+b] PASSED*", "test_h.py::test_ids[[]d=c] PASSED*", "test_h.py::test_ids[[]3] PASSED*",
        ])
    assert "PASS " not in compare("-s", "-o", "enable_assertion_pass_hook=false")[0].stdout


def test_markeval_namespace_must_be_a_dict(files, compare):
    """The test errors at setup (pytest shows its own traceback; minitest the message only)."""
    files({"conftest.py": "def pytest_markeval_namespace(config):\n    return ['no']\n",
           "test_a.py": "import pytest\n\n@pytest.mark.skipif('x', reason='r')\ndef test_a():\n    pass\n"})
    mine, ref = compare()
    mine.assert_outcomes(errors=1)
    for result in (mine, ref):
        result.fnmatch_lines(["*markeval_namespace() needs to return a dict, got [[]'no']"])
    assert "skipping.py" not in mine.stdout, mine.dump()


# -- 6. the subtests fixture -------------------------------------------------------------------

SUBTESTS = {"test_s.py": """
    import pytest

    def test_sub(subtests):
        for i in range(3):
            with subtests.test(msg="check", i=i):
                assert i % 2 == 0

    def test_all_pass(subtests):
        with subtests.test("one"):
            pass
        with subtests.test(n=2):
            pytest.skip("not today")
"""}


@pytest.mark.parametrize("args", [(), ("-q",), ("-o", "verbosity_subtests=0")])
def test_subtests_fixture(files, compare, args):
    files(SUBTESTS)
    mine, ref = compare("-rA", *args)
    assert mine.final_line().split(" in ")[0] == ref.final_line().split(" in ")[0], mine.dump() + ref.dump()
    for result in (mine, ref):
        result.fnmatch_lines(["SUBFAILED[[]check] (i=1) test_s.py::test_sub - assert (1 % 2) == 0",
                              "FAILED test_s.py::test_sub - contains 1 failed subtest"])
    if not args:
        for result in (mine, ref):
            result.fnmatch_lines(["test_s.py::test_sub SUBPASSED[[]check] (i=0)*",
                                  "test_s.py::test_sub SUBFAILED[[]check] (i=1)*",
                                  "test_s.py::test_all_pass SUBSKIPPED(n=2)*",
                                  "*_ test_sub [[]check] (i=1) _*"])
