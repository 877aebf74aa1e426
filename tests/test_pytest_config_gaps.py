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
