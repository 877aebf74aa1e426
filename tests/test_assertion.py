"""Assertion rewriting, failure explanations and the rewrite cache.

Unit tests rewrite a source string and check the AssertionError message; end-to-end tests run
``python -m minitest`` on a folder and compare the ``E`` lines with what pytest 9 prints.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import importlib
import os
import re
import shutil
import sys
import tempfile
import textwrap
import types
import warnings
from pathlib import Path

import pytest

from builtin_plugins.assertion import runtime
from builtin_plugins.assertion.compare import assertrepr_compare, truncate_lines
from builtin_plugins.assertion.hook import CACHE_TAG, AssertionRewritingHook, cache_path_for
from builtin_plugins.assertion.rewrite import rewrite_source
from minitest.assertion_api import MinitestAssertRewriteWarning, register_assert_rewrite

# ------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------


def stub_config(verbose: int = 0) -> types.SimpleNamespace:
    return types.SimpleNamespace(getoption=lambda name: verbose, getini=lambda name: "auto")


@pytest.fixture
def explain(monkeypatch):
    """Route rewritten asserts' comparisons to the default explanation (no kernel needed)."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)
    config = stub_config()

    def reprcompare(op, left, right):
        lines = assertrepr_compare(config, op, left, right)
        return truncate_lines(lines) if lines else None

    monkeypatch.setattr(runtime.state, "reprcompare", reprcompare)
    monkeypatch.setattr(runtime.state, "maxsize", 240)


def fail_message(source: str, call: str = "test") -> str:
    """Rewrite and run ``source``, call ``call()`` and return its AssertionError message."""
    namespace: dict = {"__name__": "example"}
    exec(rewrite_source(textwrap.dedent(source), "example.py"), namespace)
    with pytest.raises(AssertionError) as excinfo:
        namespace[call]()
    return str(excinfo.value)


HELPERS = """
def f(x):
    return x + 1

def g(x):
    return x * 2

class Obj:
    flag = False

    def meth(self, a):
        return a

obj = Obj()
"""

# ------------------------------------------------------------------------------------------
# the shape of the message
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    ("assert f(1) == g(2)", "assert 2 == 4\n +  where 2 = f(1)\n +  and   4 = g(2)"),
    ("assert f(g(1)) == 4", "assert 3 == 4\n +  where 3 = f(2)\n +    where 2 = g(1)"),
    ("assert obj.flag", "assert False\n +  where False = <example.Obj object at 0x>.flag"),
    ("assert obj.meth(0)", "assert 0\n +  where 0 = meth(0)\n +    where meth = <example.Obj object at 0x>.meth"),
    ("x = 0\n    assert x", "assert 0"),
    ("x = 1\n    assert not x", "assert not 1"),
    ("a, b = 1, 0\n    assert a and b", "assert (1 and 0)"),
    ("a = 0\n    assert a or f(-1)", "assert (0 or 0)\n +  where 0 = f(-1)"),
    ("assert f(1) == 2 and g(1) == 3", "assert (2 == 2 and 2 == 3)\n +  where 2 = f(1)\n +  and   2 = g(1)"),
    ("assert 1 < f(1) < 2", "assert 2 < 2\n +  where 2 = f(1)"),
    ("assert f(3) < 2", "assert 4 < 2\n +  where 4 = f(3)"),
    ("assert f(1) is None", "assert 2 is None\n +  where 2 = f(1)"),
    ("assert f(1) + g(1) == 5", "assert (2 + 2) == 5\n +  where 2 = f(1)\n +  and   2 = g(1)"),
    ("args = [1]\n    assert f(*args) == 3", "assert 2 == 3\n +  where 2 = f(*[1])"),
    ("assert f(**{'x': -1})", "assert 0\n +  where 0 = f(**{'x': -1})"),
    ("assert f(x=-1)", "assert 0\n +  where 0 = f(x=-1)"),
    ("d = {'a': 1}\n    assert d['a'] == 2", "assert 1 == 2"),
    ("assert (y := f(1)) == 3", "assert 2 == 3"),
    ("assert -f(1) == 3", "assert -2 == 3\n +  where 2 = f(1)"),
    ("assert 5 in [1, 2, 3]", "assert 5 in [1, 2, 3]"),
    ("assert (lambda: 0)()", "assert 0\n +  where 0 = <function test.<locals>.<lambda> at 0x>()"),
])
def test_message_shape(body, expected, explain):
    source = HELPERS + f"\ndef test():\n    {body}\n"
    assert re.sub(r"0x[0-9a-f]+", "0x", fail_message(source)) == expected


def test_ifexp_is_shown_by_value(explain):
    assert fail_message(HELPERS + "\ndef test():\n    assert (f(1) if False else 0)\n") == "assert 0"


def test_message_argument(explain):
    assert fail_message("def test():\n    x = 0\n    assert x, 'custom message'\n") == "custom message\nassert 0"
    multi = fail_message(HELPERS + "\ndef test():\n    assert f(1) == 3, 'line1\\nline2'\n")
    assert multi == "line1\n  line2\nassert 2 == 3\n +  where 2 = f(1)"
    assert fail_message("def test():\n    assert False, [1, 2]\n") == "[1, 2]\nassert False"


def test_message_is_only_evaluated_on_failure(explain):
    source = """
        calls = []
        def msg():
            calls.append(1)
            return "m"
        def test():
            assert True, msg()
            assert calls == []
            assert False, msg()
    """
    assert fail_message(source) == "m\nassert False"


def test_comparison_explanation_is_used(explain):
    assert fail_message("def test():\n    assert 'abc' == 'abd'\n") == "assert 'abc' == 'abd'\n  \n  - abd\n  + abc"
    message = fail_message("def test():\n    assert [1, 2, 3] == [1, 2]\n")
    assert message == "assert [1, 2, 3] == [1, 2]\n  \n  Left contains one more item: 3\n  Use -v to get more diff"


def test_side_effects_happen_once_and_short_circuit(explain):
    source = """
        calls = []
        def rec(value):
            calls.append(value)
            return value
        def test():
            assert rec(0) and rec(1)
        def test_or():
            assert rec(1) or rec(2)
            assert calls == [1]
        def test_chain():
            assert rec(1) < rec(0) < rec(5)
    """
    namespace: dict = {}
    exec(rewrite_source(textwrap.dedent(source), "example.py"), namespace)
    with pytest.raises(AssertionError) as excinfo:
        namespace["test"]()
    assert namespace["calls"] == [0]
    assert str(excinfo.value) == "assert (0)\n +  where 0 = rec(0)"
    namespace["calls"].clear()
    namespace["test_or"]()
    namespace["calls"].clear()
    with pytest.raises(AssertionError) as excinfo:
        namespace["test_chain"]()
    assert namespace["calls"] == [1, 0]  # rec(5) never evaluated, rec(0) evaluated once
    assert str(excinfo.value) == "assert 1 < 0\n +  where 1 = rec(1)\n +  and   0 = rec(0)"


def test_asserts_in_nested_scopes_loops_and_classes(explain):
    source = """
        def outer():
            def inner(n):
                for i in range(n):
                    assert i < 2, f"i={i}"
            return inner
        class TestA:
            limit = 1
            assert limit == 1
            def test(self):
                assert self.limit == 2
        def test():
            outer()(5)
        def test_method():
            TestA().test()
    """
    assert fail_message(source) == "i=2\nassert 2 < 2"
    message = re.sub(r"0x[0-9a-f]+", "0x", fail_message(source, "test_method"))
    assert message == "assert 1 == 2\n +  where 1 = <example.TestA object at 0x>.limit"


def test_walrus_and_user_names_do_not_clash(explain):
    source = """
        def test():
            assert (n := 3) == 3
            assert n == 3
            values = [1, 2]
            assert sum(v for v in values) == 4
    """
    message = re.sub(r"0x[0-9a-f]+", "0x", fail_message(source))
    assert message == "assert 3 == 4\n +  where 3 = sum(<generator object test.<locals>.<genexpr> at 0x>)"


def test_globals_shown_by_name_or_value(explain):
    source = """
        import os
        LIMIT = 3
        def test():
            assert os.sep == LIMIT
    """
    assert fail_message(source) == f"assert {os.sep!r} == 3\n +  where {os.sep!r} = os.sep"


def test_broken_and_huge_reprs(explain):
    source = """
        class BadRepr:
            def __repr__(self):
                raise ValueError("boom")
        def test():
            assert BadRepr() == 1
        def test_big():
            assert "x" * 1000 == "y"
    """
    message = fail_message(source)
    assert message.startswith("assert <[ValueError('boom') raised in repr()] BadRepr object at 0x")
    big = fail_message(source, "test_big").splitlines()
    assert big[0] == "assert 'xxxxxxxxxxxx...xxxxxxxxxxxxx' == 'y'"
    assert big[-1] == "  ...Full output truncated, use '-vv' to show"
    assert len(big[3]) < 700


def test_raising_eq_in_explanation_does_not_crash():
    class Flaky:
        def __eq__(self, other):
            raise RuntimeError("eq boom")

        __hash__ = object.__hash__

        def __repr__(self):
            return "Flaky()"

    lines_ = assertrepr_compare(stub_config(), "==", [Flaky()], [1])
    assert lines_[0] == "[Flaky()] == [1]"
    assert "representation of details failed" in lines_[2]
    assert "RuntimeError: eq boom" in lines_[2]


def test_hook_failure_does_not_hide_the_assert(monkeypatch):
    def broken(op, left, right):
        raise RuntimeError("hook broke")

    monkeypatch.setattr(runtime.state, "reprcompare", broken)
    message = fail_message("def test():\n    assert 1 == 2\n")
    assert message.startswith("assert 1 == 2\n  (explaining the comparison failed")


def test_always_true_tuple_warns():
    with pytest.warns(MinitestAssertRewriteWarning, match="always true"):
        rewrite_source("assert (1, 'msg')\n", "example.py")


def test_opt_out_docstring():
    for marker in ("MINITEST_DONT_REWRITE", "PYTEST_DONT_REWRITE"):
        namespace: dict = {}
        exec(rewrite_source(f'"""{marker}"""\ndef test():\n    x = 1\n    assert x == 2\n', "m.py"), namespace)
        with pytest.raises(AssertionError) as excinfo:
            namespace["test"]()
        assert str(excinfo.value) == ""


def test_future_import_and_docstring_kept():
    source = '"""doc"""\nfrom __future__ import annotations\nx: undefined_name = 1\nassert x == 1\n'
    namespace: dict = {}
    exec(rewrite_source(source, "m.py"), namespace)
    assert namespace["__doc__"] == "doc"


def test_syntax_error_keeps_file_and_line():
    with pytest.raises(SyntaxError) as excinfo:
        rewrite_source("def test():\n    x = (\n\n", "/some/test_bad.py")
    assert excinfo.value.filename == "/some/test_bad.py"
    assert excinfo.value.lineno == 2


# ------------------------------------------------------------------------------------------
# explanations (compared with pytest 9's wording)
# ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class DC:
    a: int
    b: str


NT = collections.namedtuple("NT", "a b")


@pytest.mark.parametrize(("op", "left", "right", "expected"), [
    ("==", "a\nb\nc", "a\nB\nc", ["'a\\nb\\nc' == 'a\\nB\\nc'", "", "  a", "- B", "+ b", "  c"]),
    ("==", "x" * 100 + "a" + "y" * 100, "x" * 100 + "b" + "y" * 100, [
        "'xxxxxxxxxxxx...yyyyyyyyyyyyy' == 'xxxxxxxxxxxx...yyyyyyyyyyyyy'", "",
        "Skipping 90 identical leading characters in diff, use -v to show",
        "Skipping 91 identical trailing characters in diff, use -v to show",
        "- xxxxxxxxxxbyyyyyyyyy", "?           ^", "+ xxxxxxxxxxayyyyyyyyy", "?           ^"]),
    ("==", " ", "  ", ["' ' == '  '", "", "Strings contain only whitespace, escaping them using repr()",
                       "- '  '", "?   -", "+ ' '"]),
    ("==", [1, 2, 3], [1, 2, 4], ["[1, 2, 3] == [1, 2, 4]", "", "At index 2 diff: 3 != 4",
                                  "Use -v to get more diff"]),
    ("==", (1, 2), (1, 3, 5), ["(1, 2) == (1, 3, 5)", "", "At index 1 diff: 2 != 3",
                               "Right contains one more item: 5", "Use -v to get more diff"]),
    ("==", [1], [1, 2, 3], ["[1] == [1, 2, 3]", "", "Right contains 2 more items, first extra item: 2",
                            "Use -v to get more diff"]),
    ("==", {1, 2, 3}, {2, 3, 4}, ["{1, 2, 3} == {2, 3, 4}", "", "Extra items in the left set:", "1",
                                  "Extra items in the right set:", "4", "Use -v to get more diff"]),
    ("==", {"a": 1, "b": 2, "c": 0}, {"a": 1, "b": 3, "d": 4}, [
        "{'a': 1, 'b': 2, 'c': 0} == {'a': 1, 'b': 3, 'd': 4}", "",
        "Omitting 1 identical items, use -vv to show", "Differing items:", "{'b': 2} != {'b': 3}",
        "Left contains 1 more item:", "{'c': 0}", "Right contains 1 more item:", "{'d': 4}",
        "Use -v to get more diff"]),
    ("==", DC(1, "x"), DC(1, "y"), [
        "DC(a=1, b='x') == DC(a=1, b='y')", "", "Omitting 1 identical items, use -vv to show",
        "Differing attributes:", "['b']", "", "Drill down into differing attribute b:",
        "  b: 'x' != 'y'", "  - y", "  + x"]),
    ("==", NT(1, 2), NT(1, 3), [
        "NT(a=1, b=2) == NT(a=1, b=3)", "", "Omitting 1 identical items, use -vv to show",
        "Differing attributes:", "['b']", "", "Drill down into differing attribute b:", "  b: 2 != 3",
        "Use -v to get more diff"]),
    ("==", b"abc", b"abd", ["b'abc' == b'abd'", "", "At index 2 diff: b'c' != b'd'", "Use -v to get more diff"]),
    ("not in", "foo", "a foo b", ["'foo' not in 'a foo b'", "", "'foo' is contained here:", "  a foo b"]),
    ("!=", {1}, {1}, ["{1} != {1}", "", "Both sets are equal"]),
    ("<=", {1, 2}, {2}, ["{1, 2} <= {2}", "", "Extra items in the left set:", "1"]),
    ("in", "foo", "bar", None),
    ("==", 1, 2, None),
])
def test_compare_default(op, left, right, expected, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("BUILD_NUMBER", raising=False)
    assert assertrepr_compare(stub_config(), op, left, right) == expected


def test_compare_verbose_full_diff(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert assertrepr_compare(stub_config(2), "==", [1, 2, 3], [1, 2, 4]) == [
        "[1, 2, 3] == [1, 2, 4]", "", "At index 2 diff: 3 != 4", "", "Full diff: (-: missing in left side, +: extra in left side)",
        "  [", "      1,", "      2,", "-     4,", "?     ^", "+     3,", "?     ^", "  ]"]
    dict_lines = assertrepr_compare(stub_config(2), "==", {"a": 1, "b": 2}, {"a": 1, "b": 3})
    assert dict_lines[2:4] == ["Common items:", "{'a': 1}"]
    # -vv shows reprs whole
    long_lines = assertrepr_compare(stub_config(2), "==", list(range(20)), list(range(21)))
    assert long_lines[0] == f"{list(range(20))!r} == {list(range(21))!r}"


def test_compare_approx():
    from minitest.approx_api import approx

    assert assertrepr_compare(stub_config(), "==", 1.1, approx(1.0)) == [
        "1.1 == 1.0 ± 1.0e-06", "", "comparison failed", "Obtained: 1.1", "Expected: 1.0 ± 1.0e-06"]
    assert assertrepr_compare(stub_config(), "==", [1.0, 2.0, 3.0], approx([1.0, 2.5, 3.0])) == [
        "[1.0, 2.0, 3.0] == approx([1.0 ±....0 ± 3.0e-06])", "",
        "comparison failed. Mismatched elements: 1 / 3:", "Max absolute difference: 0.5",
        "Max relative difference: 0.25", "Index | Obtained | Expected     ", "1     | 2.0      | 2.5 ± 2.5e-06"]


def test_truncation():
    short = ["a"] * 10
    assert truncate_lines(short) == short
    long = [f"line {i}" for i in range(30)]
    out = truncate_lines(long)
    assert out[:7] == long[:7]
    assert out[7] == "line 7..."
    assert out[-1] == "...Full output truncated, use '-vv' to show"


# ------------------------------------------------------------------------------------------
# the import hook and its cache
# ------------------------------------------------------------------------------------------


@pytest.fixture
def hook_dir(tmp_path, monkeypatch, explain):
    """A folder on sys.path; modules imported from it are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    before = set(sys.modules)
    hooks: list[AssertionRewritingHook] = []

    def install(**kwargs) -> AssertionRewritingHook:
        hook = AssertionRewritingHook(**kwargs)
        hook.install()
        hooks.append(hook)
        return hook

    yield tmp_path, install
    for hook in hooks:
        hook.uninstall()
    for name in set(sys.modules) - before:
        del sys.modules[name]
    importlib.invalidate_caches()


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_hook_rewrites_test_modules_and_caches(hook_dir):
    root, install = hook_dir
    source = _write(root / "test_cached.py", "def test():\n    x = 1\n    assert x == 2\n")
    _write(root / "helper_mod.py", "def check():\n    x = 1\n    assert x == 2\n")
    hook = install(python_files=["test_*.py"])
    module = importlib.import_module("test_cached")
    with pytest.raises(AssertionError, match=r"^assert 1 == 2$"):
        module.test()
    helper = importlib.import_module("helper_mod")  # not a test file: left alone
    with pytest.raises(AssertionError, match=r"^$"):
        helper.check()
    assert (hook.rewrites, hook.cache_hits) == (1, 0)
    cache = cache_path_for(source)
    assert cache.name == f"test_cached.{CACHE_TAG}.pyc" and cache.is_file()
    assert "minitest" in cache.name and sys.implementation.cache_tag in cache.name
    assert not list(root.glob("*.tmp")) and not list(cache.parent.glob("*.tmp"))

    # a second import (a second run) reads the cache and does no rewriting
    del sys.modules["test_cached"]
    hook.uninstall()
    second = install(python_files=["test_*.py"])
    module = importlib.import_module("test_cached")
    assert (second.rewrites, second.cache_hits) == (0, 1)
    with pytest.raises(AssertionError, match=r"^assert 1 == 2$"):
        module.test()

    # a changed source invalidates the cache
    del sys.modules["test_cached"]
    source.write_text("def test():\n    x = 1\n    assert x == 3  # changed\n")
    os.utime(source, (source.stat().st_atime, source.stat().st_mtime + 5))
    importlib.import_module("test_cached")
    assert (second.rewrites, second.cache_hits) == (1, 1)


def test_hook_conftest_marked_and_importlib_style(hook_dir, monkeypatch):
    root, install = hook_dir
    monkeypatch.delitem(sys.modules, "conftest", raising=False)  # the suite's own conftest
    _write(root / "conftest.py", "def check():\n    x = 1\n    assert x == 2\n")
    pkg = root / "mypkg"
    pkg.mkdir()
    _write(pkg / "__init__.py", "")
    _write(pkg / "helpers.py", "def check():\n    x = 1\n    assert x == 2\n")
    other = root / "elsewhere"
    other.mkdir()
    _write(other / "test_far.py", "def check():\n    x = 1\n    assert x == 2\n")
    hook = install(python_files=["test_*.py"])
    register_assert_rewrite("mypkg")
    for name in ("conftest", "mypkg.helpers"):
        with pytest.raises(AssertionError, match=r"^assert 1 == 2$"):
            importlib.import_module(name).check()
    spec = hook.find_spec("elsewhere.test_far", [str(other)])
    assert spec is not None and spec.loader is hook and spec.origin == str(other / "test_far.py")
    assert hook.find_spec("elsewhere.nottest", [str(other)]) is None


def test_hook_no_cache_when_dont_write_bytecode(hook_dir, monkeypatch):
    root, install = hook_dir
    source = _write(root / "test_nowrite.py", "def test():\n    assert 1 == 2\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    install(python_files=["test_*.py"])
    importlib.import_module("test_nowrite")
    assert not cache_path_for(source).exists()


#: the uid a root run imports as in the read-only test (root writes whatever the mode bits say)
NOBODY = 65534


@contextlib.contextmanager
def _as_unprivileged_user():
    """Root ignores a directory's mode bits: as root, act as ``nobody`` inside the block (the
    effective uid only, which the kernel checks file access with, so root can come back)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def read_only_dir(monkeypatch):
    """A directory on sys.path that the test's user (``nobody`` under root) can read and not write.
    Not ``tmp_path``: its parents are private to the user, so ``nobody`` could not reach it."""
    top = Path(tempfile.mkdtemp(prefix="minitest-read-only-", dir="/tmp" if os.path.isdir("/tmp") else None))
    monkeypatch.syspath_prepend(str(top))
    try:
        yield top
    finally:
        top.chmod(0o755)
        shutil.rmtree(top)


@pytest.mark.skipif(os.name != "posix" or os.access not in os.supports_effective_ids, reason="POSIX permissions")
def test_hook_read_only_directory(hook_dir, read_only_dir):
    _, install = hook_dir
    source = _write(read_only_dir / "test_ro.py", "def test():\n    x = 1\n    assert x == 2\n")
    source.chmod(0o644)
    read_only_dir.chmod(0o555)
    install(python_files=["test_*.py"])
    with _as_unprivileged_user():
        assert os.access(read_only_dir, os.R_OK | os.X_OK, effective_ids=True), "the directory must be readable"
        assert not os.access(read_only_dir, os.W_OK, effective_ids=True), "the directory must not be writable"
        module = importlib.import_module("test_ro")
    with pytest.raises(AssertionError, match=r"^assert 1 == 2$"):
        module.test()  # rewritten, though the rewritten code could not be cached
    assert not cache_path_for(source).exists()
    assert not (read_only_dir / "__pycache__").exists()


def test_mark_already_imported_warns(hook_dir):
    root, install = hook_dir
    _write(root / "early_mod.py", "X = 1\n")
    importlib.import_module("early_mod")
    install()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        register_assert_rewrite("early_mod")
    # a set: when this suite runs under minitest, the outer run's own import hook warns as well
    assert {str(w.message) for w in caught} == {"Module already imported so cannot be rewritten: early_mod"}
    assert caught[0].category is MinitestAssertRewriteWarning


def test_register_before_hook_is_remembered(hook_dir):
    root, install = hook_dir
    _write(root / "later_mod.py", "def check():\n    x = 1\n    assert x == 2\n")
    register_assert_rewrite("later_mod")
    install()
    with pytest.raises(AssertionError, match=r"^assert 1 == 2$"):
        importlib.import_module("later_mod").check()
    with pytest.raises(TypeError):
        register_assert_rewrite(42)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# end to end through the console script
# ------------------------------------------------------------------------------------------

E2E_FILE = '''
import collections, dataclasses

def f(x):
    return x + 1

@dataclasses.dataclass
class DC:
    a: int
    b: str

def test_call():
    assert f(1) == f(3)

def test_str():
    assert "abc" == "abd"

def test_list():
    assert [1, 2, 3] == [1, 2]

def test_dict():
    assert {"a": 1, "b": 2} == {"a": 1, "b": 3, "c": 4}

def test_set():
    assert {1, 2} == {2, 3}

def test_dc():
    assert DC(1, "x") == DC(2, "x")

def test_nested():
    assert {"k": [1, {"z": 2}]} == {"k": [1, {"z": 3}]}

def test_in():
    assert "foo" not in "a foo b"

def test_msg():
    assert f(0) == 2, "values differ"

def test_bool():
    assert f(-1) or f(-1)
'''


def e_lines(result) -> list[str]:
    """The ``E`` lines of a run, without the "AssertionError: " prefix pytest adds in some layouts."""
    out = []
    for line in result.lines:
        if line.startswith("E   ") or line.startswith("_"):
            out.append(line.replace("AssertionError: ", "").rstrip())
    return out


@pytest.fixture
def e2e(files, run, run_pytest):
    def go(*args, text=E2E_FILE):
        files({"test_e2e.py": text})
        return run(*args), run_pytest(*args)

    return go


@pytest.mark.parametrize("verbosity", [(), ("-v",), ("-vv",)])
def test_e2e_same_explanations_as_pytest(e2e, verbosity):
    mine, ref = e2e("--tb=short", "-p", "no:cacheprovider", *verbosity)
    assert mine.ret == 1, mine.dump()
    assert e_lines(mine) == e_lines(ref), mine.dump() + "\n" + ref.dump()
    assert "E     - abd" in mine.lines and "E    +  where 1 = f(0)" in mine.lines


def test_e2e_plain_mode_and_cache(files, run, tmp_path):
    files({"test_plain.py": "def test():\n    x = 1\n    assert x == 2\n"})
    plain = run("--assert=plain", env={"PYTHONDONTWRITEBYTECODE": None})
    assert plain.ret == 1 and "E       assert 1 == 2" not in plain.lines, plain.dump()
    assert not list(tmp_path.glob(f"__pycache__/*{CACHE_TAG}*"))
    first = run(env={"PYTHONDONTWRITEBYTECODE": None})
    assert any(line.strip() == "E       assert 1 == 2" for line in first.lines), first.dump()
    cached = list(tmp_path.glob(f"__pycache__/test_plain.{CACHE_TAG}.pyc"))
    assert cached, first.dump()
    mtime = cached[0].stat().st_mtime_ns
    second = run(env={"PYTHONDONTWRITEBYTECODE": None})
    assert second.ret == 1 and cached[0].stat().st_mtime_ns == mtime  # reused, not rewritten
    nowrite = tmp_path / "sub"
    files({"sub/test_nowrite.py": "def test():\n    assert 1 == 2\n"})
    run("sub")  # the helpers set PYTHONDONTWRITEBYTECODE=1
    assert not list(nowrite.glob("__pycache__/*"))


def test_e2e_conftest_override_and_syntax_error(files, run):
    files({
        "conftest.py": """
            import sys
            from pathlib import Path

            def minitest_assertrepr_compare(config, op, left, right):
                if isinstance(left, Money) and isinstance(right, Money) and op == "==":
                    return ["Comparing Money:", f"   vals: {left.v} != {right.v}"]

            class Money:
                def __init__(self, v):
                    self.v = v
                def __eq__(self, other):
                    return self.v == other.v
        """,
        "test_money.py": """
            from conftest import Money

            def test_money():
                assert Money(1) == Money(2)
        """,
        "broken/test_broken.py": "def test():\n    x = (\n",
    })
    result = run("test_money.py")
    result.fnmatch_lines(["E       assert Comparing Money:", "E            vals: 1 != 2"])
    broken = run("broken")
    assert broken.ret == 2, broken.dump()
    assert 'test_broken.py", line 2' in broken.output and "SyntaxError" in broken.output, broken.dump()


def test_exception_notes_are_shown(files, run):
    # PEP 678 notes (hypothesis puts its falsifying example there) follow the message, as pytest shows them
    files({"test_n.py": """
def test_rewritten_assert():
    try:
        assert 1 == 2
    except AssertionError as exc:
        exc.add_note("context from a note")
        raise

def test_plain_exception():
    exc = ValueError("bad value")
    exc.add_note("first note")
    exc.add_note("second note")
    raise exc
"""})
    result = run()
    assert result.ret == 1, result.dump()
    result.fnmatch_lines(["E   *assert 1 == 2", "E   *context from a note"])
    result.fnmatch_lines(["E   *ValueError: bad value", "E   *first note", "E   *second note"])
