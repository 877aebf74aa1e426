"""Issue 3 — collection: which files, classes and functions become tests, with which node ids."""

from __future__ import annotations

import pytest
from conftest import collected_nodeids, verbose_nodeids

MIXED_MODULE = """
    def test_one():
        pass

    def test_two():
        raise ValueError("two")

    def helper():
        raise AssertionError("a helper is not a test")

    def testfoo():
        pass

    test_not_callable = 3

    class TestK:
        def test_m(self):
            pass

        def helper(self):
            raise AssertionError("not a test")

    class TestInit:
        def __init__(self):
            pass

        def test_x(self):
            pass

    class NotATest:
        def test_y(self):
            pass
"""

TREE = {
    "test_a.py": MIXED_MODULE,
    "b/x_test.py": "def test_b():\n    pass\n",
    "sub/deep/test_d.py": "def test_deep():\n    pass\n",
    "pkg/__init__.py": "",
    "pkg/test_pk.py": "def test_pk():\n    pass\n",
    "a/check_a.py": "def test_not_collected():\n    pass\n",
    "a/test_a.txt": "def test_not_python(): pass\n",
}


def test_discovery_and_nodeids_match_pytest(files, compare):
    """test_*.py and *_test.py files, test* functions, Test* classes, nested dirs and packages."""
    files(TREE)
    mine, _ = compare()
    assert verbose_nodeids(mine) == [
        ("b/x_test.py::test_b", "PASSED"),
        ("pkg/test_pk.py::test_pk", "PASSED"),
        ("sub/deep/test_d.py::test_deep", "PASSED"),
        ("test_a.py::test_one", "PASSED"),
        ("test_a.py::test_two", "FAILED"),
        ("test_a.py::testfoo", "PASSED"),
        ("test_a.py::TestK::test_m", "PASSED"),
    ]
    assert mine.ret == 1


def test_class_with_init_is_not_collected_and_warned(files, run):
    files({"test_a.py": MIXED_MODULE})
    result = run()
    assert result.ret == 1
    result.fnmatch_lines([
        "*cannot collect test class 'TestInit' because it has a __init__ constructor*",
    ])
    # pytest: "1 failed, 3 passed, 1 warning in ..."
    result.assert_outcomes(failed=1, passed=3, warnings=1)


def test_collect_only_quiet_lists_nodeids(files, run):
    files(TREE)
    result = run("--co", "-q")
    assert result.ret == 0, result.dump()
    assert collected_nodeids(result) == [
        "b/x_test.py::test_b",
        "pkg/test_pk.py::test_pk",
        "sub/deep/test_d.py::test_deep",
        "test_a.py::test_one",
        "test_a.py::test_two",
        "test_a.py::testfoo",
        "test_a.py::TestK::test_m",
    ]
    assert result.outcomes() == {"collected": 7}


def test_collect_only_tree(files, run):
    files({k: v for k, v in TREE.items() if k != "test_a.py"} | {"test_a.py": "def test_one(): pass\n"
                                                                    "class TestK:\n"
                                                                    "    def test_m(self): pass\n"})
    result = run("--collect-only")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines([
        "collected 5 items",
        "",
        "<Dir *>",
        "  <Dir b>",
        "    <Module x_test.py>",
        "      <Function test_b>",
        "  <Package pkg>",
        "    <Module test_pk.py>",
        "      <Function test_pk>",
        "  <Dir sub>",
        "    <Dir deep>",
        "      <Module test_d.py>",
        "        <Function test_deep>",
        "  <Module test_a.py>",
        "    <Function test_one>",
        "    <Class TestK>",
        "      <Function test_m>",
        "",
        "=* 5 tests collected in *=",
    ], consecutive=True)


def test_collect_only_with_nothing_to_collect_exits_5(files, run, run_pytest):
    files({"helpers.py": "def test_x(): pass\n"})
    result = run("--co", "-q")
    assert result.ret == 5 == run_pytest("--co", "-q").ret
    result.fnmatch_lines(["no tests collected in *"])


def test_entries_sorted_by_name_files_and_dirs_together(files, run, run_pytest):
    body = "def test_f():\n    pass\n"
    files({"test_n.py": body, "aaa/test_1.py": body, "zzz/test_1z.py": body, "mmm/test_m.py": body,
           "Z_test.py": body, "test_a.py": body})
    result = run("--co", "-q")
    expected = ["Z_test.py::test_f", "aaa/test_1.py::test_f", "mmm/test_m.py::test_f",
                "test_a.py::test_f", "test_n.py::test_f", "zzz/test_1z.py::test_f"]
    assert collected_nodeids(result) == expected, result.dump()
    assert collected_nodeids(run_pytest("--co", "-q")) == expected


def test_skipped_directories(files, compare):
    """.git, dot-dirs, venvs (a dir holding pyvenv.cfg), __pycache__, node_modules, build, *.egg."""
    body = "def test_in():\n    pass\n"
    files({
        "test_top.py": body,
        ".git/test_git.py": body,
        ".hidden/test_hidden.py": body,
        "myvenv/pyvenv.cfg": "home = /usr/bin\n",
        "myvenv/test_venv.py": body,
        "__pycache__/test_cache.py": body,
        "node_modules/test_node.py": body,
        "build/test_build.py": body,
        "thing.egg/test_egg.py": body,
        "kept/test_kept.py": body,
    })
    mine, _ = compare()
    assert [n for n, _ in verbose_nodeids(mine)] == ["kept/test_kept.py::test_in", "test_top.py::test_in"]


def test_explicit_dir_argument_is_collected_even_if_norecurse(files, run):
    body = "def test_in():\n    pass\n"
    files({".hidden/test_hidden.py": body, "myvenv/pyvenv.cfg": "", "myvenv/test_venv.py": body})
    result = run("--co", "-q", ".hidden", "myvenv")
    assert collected_nodeids(result) == [".hidden/test_hidden.py::test_in", "myvenv/test_venv.py::test_in"], \
        result.dump()


def test_same_basename_without_init_is_import_mismatch_error(files, run):
    files({"a/test_same.py": "def test_x():\n    pass\n", "b/test_same.py": "def test_y():\n    pass\n"})
    result = run()
    assert result.ret == 2, result.dump()
    result.fnmatch_lines([
        "collected 1 item / 1 error",
        "*ERROR collecting b/test_same.py*",
        "import file mismatch:",
        "imported module 'test_same' has this __file__ attribute:",
        "*a/test_same.py",
        "which is not the same as the test file we want to collect:",
        "*b/test_same.py",
        "*Interrupted: 1 error during collection*",
    ])
    result.assert_outcomes(errors=1)


def test_same_basename_in_packages_is_fine(files, compare):
    files({
        "a/__init__.py": "",
        "a/test_same.py": "def test_x():\n    pass\n",
        "b/__init__.py": "",
        "b/test_same.py": "def test_y():\n    pass\n",
    })
    mine, _ = compare()
    assert verbose_nodeids(mine) == [("a/test_same.py::test_x", "PASSED"), ("b/test_same.py::test_y", "PASSED")]


def test_package_module_is_imported_as_package_and_rootdir_dirs_on_sys_path(files, run):
    """A test in a package imports its siblings relatively; a plain dir is put on sys.path."""
    files({
        "pkg/__init__.py": "",
        "pkg/helper.py": "VALUE = 42\n",
        "pkg/test_rel.py": """
            from .helper import VALUE

            def test_rel():
                if __name__ != "pkg.test_rel":
                    raise ValueError(__name__)
                if VALUE != 42:
                    raise ValueError(VALUE)
        """,
        "plain/util_mod.py": "VALUE = 7\n",
        "plain/test_plain.py": """
            import util_mod

            def test_plain():
                if util_mod.VALUE != 7 or __name__ != "test_plain":
                    raise ValueError(__name__)
        """,
    })
    result = run("-v")
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("pkg/test_rel.py::test_rel", "PASSED"),
                                       ("plain/test_plain.py::test_plain", "PASSED")]


def test_inherited_test_methods_are_collected(files, compare):
    files({"test_inh.py": """
        class Base:
            def test_base(self):
                pass

        class TestChild(Base):
            def test_child(self):
                pass

        class TestOther(TestChild):
            pass
    """})
    mine, _ = compare()
    # methods of base classes come first (pytest walks the MRO from the base)
    assert [n for n, _ in verbose_nodeids(mine)] == [
        "test_inh.py::TestChild::test_base",
        "test_inh.py::TestChild::test_child",
        "test_inh.py::TestOther::test_base",
        "test_inh.py::TestOther::test_child",
    ]


ARGS_TREE = {
    "test_a.py": """
        def test_f():
            pass

        def test_g():
            raise ValueError("g")

        class TestC:
            def test_m(self):
                pass

            def test_n(self):
                pass
    """,
    "d/test_d.py": "def test_d1():\n    pass\n\ndef test_d2():\n    pass\n",
    "d/e/test_e.py": "def test_e():\n    pass\n",
    "test_n.py": "def test_other():\n    pass\n",
}


def test_argument_dir(files, compare):
    files(ARGS_TREE)
    mine, _ = compare("d")
    # entries of a directory are sorted by name, sub-directories and files together: "e" < "test_d.py"
    assert [n for n, _ in verbose_nodeids(mine)] == ["d/e/test_e.py::test_e", "d/test_d.py::test_d1",
                                                     "d/test_d.py::test_d2"]


def test_argument_file_and_function(files, compare):
    files(ARGS_TREE)
    mine, _ = compare("test_a.py::test_f")
    assert verbose_nodeids(mine) == [("test_a.py::test_f", "PASSED")]
    assert mine.ret == 0


def test_argument_class_and_method(files, compare):
    files(ARGS_TREE)
    mine, _ = compare("test_a.py::TestC::test_n", "test_a.py::test_f")
    assert verbose_nodeids(mine) == [("test_a.py::TestC::test_n", "PASSED"), ("test_a.py::test_f", "PASSED")]
    whole_class, _ = compare("test_a.py::TestC")
    assert verbose_nodeids(whole_class) == [("test_a.py::TestC::test_m", "PASSED"),
                                            ("test_a.py::TestC::test_n", "PASSED")]


def test_several_arguments_keep_their_order(files, compare):
    files(ARGS_TREE)
    mine, _ = compare("test_n.py", "d/test_d.py::test_d2", "test_a.py")
    assert [n for n, _ in verbose_nodeids(mine)] == [
        "test_n.py::test_other",
        "d/test_d.py::test_d2",
        "test_a.py::test_f",
        "test_a.py::test_g",
        "test_a.py::TestC::test_m",
        "test_a.py::TestC::test_n",
    ]
    assert mine.ret == 1


@pytest.mark.parametrize("args", [
    ("test_a.py::test_f", "test_a.py"),  # the file covers its test: all of the file, where the file was
    ("test_a.py", "test_a.py::nope"),  # covered: no "not found" error
    ("test_a.py::nope", "test_a.py"),
    ("test_a.py", "test_a.py"),
    ("d/test_d.py", "d"),  # the directory covers its file
    ("d", "d/e/test_e.py::test_e", "test_n.py"),
    ("test_a.py::TestC::test_m", "test_a.py::TestC"),  # the class covers its method
    ("test_p.py::test_p[2]", "test_p.py::test_p"),  # the test covers its cases
    ("test_p.py::test_p[1]", "test_p.py::test_p[2]", "test_p.py::test_p[1]"),
    ("test_p.py::TestK::test_m[2]", "test_p.py::TestK::test_m"),  # a method's cases
    ("test_a.py::test_g", "test_a.py::test_f"),  # neither covers the other: both, in their order
], ids=lambda args: " ".join(args))
def test_overlapping_arguments_are_collected_once_as_pytest_9_does(files, compare, args):
    files({**ARGS_TREE, "test_p.py": """
        import pytest  # both runners run this folder (minitest takes pytest's marks)

        @pytest.mark.parametrize("n", [1, 2, 3])
        def test_p(n):
            pass

        class TestK:
            @pytest.mark.parametrize("n", [1, 2])
            def test_m(self, n):
                pass
    """})
    mine, ref = compare(*args)
    assert [n for n, _ in verbose_nodeids(mine)] == [n for n, _ in verbose_nodeids(ref)], mine.dump()
    # --keep-duplicates keeps every argument, overlapping or not, as pytest does
    kept, _ = compare("--keep-duplicates", "test_a.py::test_f", "test_a.py")
    assert [n for n, _ in verbose_nodeids(kept)].count("test_a.py::test_f") == 2, kept.dump()


def test_run_from_subdirectory(files, run, run_pytest, tmp_path):
    """Invoked in a subdirectory below the rootdir: arguments are relative to the invocation dir,
    ``--co -q`` lists rootdir-relative node ids, ``-v`` lines and the summary are cwd-relative."""
    files(ARGS_TREE | {"tox.ini": "[minitest]\n[pytest]\n"})
    sub = tmp_path / "d"
    listing = run("--co", "-q", cwd=sub)
    assert collected_nodeids(listing) == ["d/e/test_e.py::test_e", "d/test_d.py::test_d1",
                                          "d/test_d.py::test_d2"], listing.dump()
    result = run("-v", "e/test_e.py::test_e", "test_d.py", cwd=sub)
    assert result.ret == 0, result.dump()
    assert verbose_nodeids(result) == [("e/test_e.py::test_e", "PASSED"), ("test_d.py::test_d1", "PASSED"),
                                       ("test_d.py::test_d2", "PASSED")]
    result.fnmatch_lines([f"rootdir: {tmp_path}", "configfile: tox.ini"])
    ref = run_pytest("-v", "e/test_e.py::test_e", "test_d.py", cwd=sub)
    assert verbose_nodeids(ref) == verbose_nodeids(result)


def test_function_not_found_is_usage_error(files, run, run_pytest):
    files(ARGS_TREE)
    result = run("test_a.py::test_nope")
    assert result.ret == 4 == run_pytest("test_a.py::test_nope").ret, result.dump()
    assert "not found" in result.output and "test_a.py::test_nope" in result.output


def test_custom_collect_file_hook_makes_items(files, compare):
    """minitest_collect_file in a conftest adds a File collector with its own Items; node ids
    ``check_data.txt::line0`` as pytest gives with the same plugin written for pytest."""
    files({
        "conftest.py": """
            import sys
            from pathlib import Path

            if Path(sys.argv[0]).parent.name == "pytest":
                import pytest as api
            else:
                import minitest as api

            class TxtFile(api.File):
                def collect(self):
                    for i, line in enumerate(self.path.read_text().splitlines()):
                        yield TxtItem.from_parent(self, name=f"line{i}", text=line)

            class TxtItem(api.Item):
                def __init__(self, *, text, **kw):
                    super().__init__(**kw)
                    self.text = text

                def runtest(self):
                    if self.text != "ok":
                        raise ValueError(self.text)

                def reportinfo(self):
                    return self.path, 0, self.name

            def collect_file(file_path, parent):
                if file_path.suffix == ".txt" and file_path.name.startswith("check"):
                    return TxtFile.from_parent(parent, path=file_path)

            if api.__name__ == "pytest":
                pytest_collect_file = collect_file
            else:
                minitest_collect_file = collect_file
        """,
        "check_data.txt": "ok\nbad\nok\n",
        "other.txt": "bad\n",
        "test_py.py": "def test_py():\n    pass\n",
    })
    mine, _ = compare()
    assert verbose_nodeids(mine) == [
        ("check_data.txt::line0", "PASSED"),
        ("check_data.txt::line1", "FAILED"),
        ("check_data.txt::line2", "PASSED"),
        ("test_py.py::test_py", "PASSED"),
    ]
    mine.fnmatch_lines(["FAILED check_data.txt::line1 - ValueError: bad"])



def test_pycollect_makeitem_sees_every_name_when_a_plugin_implements_it(files, run, run_pytest):
    """The builtin collector skips the hook call for names the builtins would turn down (imports,
    constants, helpers); a conftest implementing the hook must still be asked about each name,
    as pytest asks it."""
    files({
        "conftest.py": """
            import sys
            from pathlib import Path

            HOOK = "pytest_pycollect_makeitem" if Path(sys.argv[0]).parent.name == "pytest" \\
                else "minitest_pycollect_makeitem"
            SEEN = []

            def makeitem(collector, name, obj):
                SEEN.append(name)

            globals()[HOOK] = makeitem

            def report(terminalreporter):
                terminalreporter.write_line("seen: " + ",".join(sorted(set(SEEN))))

            globals()[HOOK.split("_")[0] + "_terminal_summary"] = report
        """,
        "test_a.py": """
            import os

            CONSTANT = 3

            def helper():
                pass

            def check_me():
                pass

            def test_one():
                pass
        """,
    })
    mine = run("-v")
    ref = run_pytest("-v")
    for result in (mine, ref):
        seen = next((line for line in result.lines if line.startswith("seen: ")), "seen: ")
        assert {"os", "CONSTANT", "helper", "check_me", "test_one"} <= set(seen[6:].split(",")), result.dump()
    assert verbose_nodeids(mine) == verbose_nodeids(ref) == [("test_a.py::test_one", "PASSED")], mine.dump()


def test_trace_hooks_shows_makeitem_as_a_normal_run_calls_it(files, run):
    """Hook monitoring changes no hook call: with only the builtin implementations, names that
    are neither classes nor test names are not asked about, traced or not (issue 15)."""
    files({"test_a.py": "import os\n\nCONSTANT = 3\n\ndef test_one():\n    pass\n"})
    # only the builtins: an installed plugin implementing the hook (anyio's, which comes with
    # watchfiles) is asked about every name, as it should be
    result = run("--trace-hooks", "--collect-only", "-q", env={"MINITEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    text = result.output
    calls = [line for line in text.splitlines() if line.strip().startswith("minitest_pycollect_makeitem(")]
    assert len(calls) == 1, result.dump()  # test_one; not os or CONSTANT
