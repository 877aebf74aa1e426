"""The ``doctest`` plugin: ``--doctest-modules``, ``--doctest-glob``, option flags, namespace.

Folders are run by minitest and pytest (``compare``: same node ids and outcomes, exit code and
counts); the failure text is checked line by line where pytest's layout matters.
"""

from __future__ import annotations

from conftest import dual_conftest

MODULE = '''
    """Module doc.

    >>> 1 + 1
    2
    """


    def func():
        """Add.

        >>> 1 + 1
        3
        """


    def err():
        """
        >>> raise ValueError("bad")
        """


    def skipped():
        """
        >>> broken()  # doctest: +SKIP
        """


    def ellipsis():
        """
        >>> print(list(range(20)))
        [0, 1, ..., 19]
        """


    class K:
        """
        >>> K().m()
        5
        """

        def m(self):
            return 5
'''


def test_doctest_modules_node_ids_and_outcomes_match_pytest(files, compare):
    files({"mod.py": MODULE})
    mine, _ = compare("--doctest-modules")
    mine.assert_outcomes(failed=2, passed=3, skipped=1)
    assert "mod.py::mod.skipped SKIPPED (all tests skipped by +SKIP option)" in mine.stdout


def test_failure_shows_numbered_source_then_expected_and_got(files, run):
    files({"mod.py": MODULE})
    result = run("--doctest-modules", "mod.py::mod.func", "mod.py::mod.err")
    result.fnmatch_lines([
        "*_ [[]doctest[]] mod.func _*",
        "009 Add.",
        "010 ",
        "011     >>> 1 + 1",
        "Expected:",
        "    3",
        "Got:",
        "    2",
        "",
        "*mod.py:11: DocTestFailure",
        "*_ [[]doctest[]] mod.err _*",
        "017 ",
        '018     >>> raise ValueError("bad")',
        "UNEXPECTED EXCEPTION: ValueError('bad')",
        "Traceback (most recent call last):",
        "*ValueError: bad",
        "*mod.py:18: UnexpectedException",
    ], consecutive=False)
    # pytest names a failed doctest in the short summary without a message
    result.fnmatch_lines(["FAILED mod.py::mod.func", "FAILED mod.py::mod.err"])


def test_text_files_default_glob_custom_glob_and_explicit_rst(files, compare, run):
    files({
        "test_doc.txt": """
            Some text

            >>> x = 2
            >>> x * 3
            6
        """,
        "other.txt": ">>> 1\n1\n",
        "guide.rst": ">>> 2\n2\n",
        "notes.md": ">>> 1\n2\n",
    })
    mine, _ = compare()
    mine.assert_outcomes(passed=1)
    assert "test_doc.txt::test_doc.txt PASSED" in mine.stdout
    mine, _ = compare("--doctest-glob=*.rst", "--doctest-glob=other*")
    assert sorted(n for n, _ in __import__("conftest").verbose_nodeids(mine)) == [
        "guide.rst::guide.rst", "other.txt::other.txt"]
    # a .rst named on the command line is collected whatever the glob
    explicit = run("-v", "guide.rst")
    explicit.assert_outcomes(passed=1)


def test_option_flags_from_ini_and_continue_on_failure(files, compare, run):
    body = '''
        def f():
            """
            >>> print("a   b")
            a b
            >>> 1/0
            Traceback (most recent call last):
            ZeroDivisionError: another message
            >>> 3.14159
            3.14
            >>> 1 + 1
            3
            >>> 2 + 2
            5
            """
    '''
    files({"flags.py": body})
    flags = "doctest_optionflags=ELLIPSIS NORMALIZE_WHITESPACE IGNORE_EXCEPTION_DETAIL NUMBER"
    mine, _ = compare("--doctest-modules", "-o", flags)
    mine.assert_outcomes(failed=1)
    mine.fnmatch_lines(["*>>> 1 + 1", "Expected:", "    3", "*flags.py:10: DocTestFailure"])
    mine.no_fnmatch_line("*flags.py:12: DocTestFailure")
    # with --doctest-continue-on-failure every failing example of the docstring is shown
    cont = run("--doctest-modules", "-o", flags, "--doctest-continue-on-failure")
    cont.fnmatch_lines(["*flags.py:10: DocTestFailure", "*>>> 2 + 2", "Expected:", "    5",
                        "*flags.py:12: DocTestFailure"])
    # without the flags, the whitespace example fails first
    strict = run("--doctest-modules", "-o", "doctest_optionflags=")
    strict.fnmatch_lines(["*flags.py:3: DocTestFailure"])


def test_inline_number_bytes_and_unicode_flags(files, compare):
    files({"test_inline.txt": """
        >>> 3.14159  # doctest: +NUMBER
        3.14
        >>> b'x'  # doctest: +ALLOW_BYTES
        'x'
        >>> u'y'  # doctest: +ALLOW_UNICODE
        'y'
        >>> 1.5  # doctest: +NUMBER
        1.4
    """})
    mine, _ = compare()
    mine.assert_outcomes(failed=1)
    mine.fnmatch_lines(["*test_inline.txt:7: DocTestFailure"])


def test_doctest_namespace_and_getfixture(files, compare):
    files({
        "conftest.py": dual_conftest("""
            import importlib
            framework = importlib.import_module(PREFIX)

            @framework.fixture(autouse=True)
            def add_answer(doctest_namespace):
                doctest_namespace["answer"] = 42
        """),
        "mod.py": '''
            def f():
                """
                >>> answer
                42
                >>> getfixture("tmp_path").is_dir()
                True
                """
        ''',
    })
    mine, _ = compare("--doctest-modules")
    mine.assert_outcomes(passed=1)


def test_test_module_collects_tests_and_doctests(files, compare):
    files({"test_mixed.py": '''
        def double(x):
            """
            >>> double(2)
            4
            """
            return 2 * x

        def test_double():
            assert double(3) == 6
    '''})
    mine, _ = compare("--doctest-modules")
    mine.assert_outcomes(passed=2)
    assert "test_mixed.py::test_mixed.double PASSED" in mine.stdout


def test_import_error_is_a_collection_error_or_skipped(files, compare):
    files({"broken.py": "import does_not_exist_xyz\n", "fine.py": '"""\n>>> 1\n1\n"""\n'})
    mine, _ = compare("--doctest-modules")
    mine.assert_outcomes(errors=1)
    mine.fnmatch_lines(["*ERROR collecting broken.py*", "ImportError while importing test module*",
                        "E   ModuleNotFoundError: No module named 'does_not_exist_xyz'"])
    mine, _ = compare("--doctest-modules", "--doctest-ignore-import-errors", "-rs")
    mine.assert_outcomes(passed=1, skipped=1)
    mine.fnmatch_lines(["SKIPPED [[]1[]] *unable to import module PosixPath(*broken.py')"])


def test_setup_py_and_main_py_are_not_imported(files, compare):
    files({
        "setup.py": "from setuptools import setup\nraise SystemExit('must not be imported')\n",
        "pkg/__init__.py": "",
        "pkg/__main__.py": "raise SystemExit('must not be imported')\n",
        "pkg/mod.py": '"""\n>>> 1\n1\n"""\n',
    })
    mine, _ = compare("--doctest-modules")
    mine.assert_outcomes(passed=1)
    assert "pkg/mod.py::pkg.mod PASSED" in mine.stdout
