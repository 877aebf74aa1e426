"""The ``assertion`` plugin: assert rewriting and explanations of failing comparisons.

* ``--assert=rewrite`` (default) installs an import hook before conftest.py files, ``-p`` plugins
  and test modules are imported; their ``assert`` statements then report the value of every
  sub-expression. ``--assert=plain`` leaves asserts alone.
* The default ``minitest_assertrepr_compare`` (trylast, so a conftest.py can explain its own
  types first) explains ``==``, ``!=``, ``in``, set comparisons, approx ...
* While an item runs, rewritten asserts ask *that item's* hook relay for explanations, so a
  conftest.py's override applies to its own directory only.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pluggy

from builtin_plugins.assertion import runtime
from builtin_plugins.assertion.compare import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_LINES,
    assertion_verbosity,
    assertrepr_compare,
    running_on_ci,
    truncate_lines,
)
from builtin_plugins.assertion.hook import AssertionRewritingHook
from minitest.saferepr import DEFAULT_MAXSIZE
from minitest.stash import StashKey

hookimpl = pluggy.HookimplMarker("minitest")

#: The installed import hook of this run (absent with ``--assert=plain``).
REWRITE_HOOK_KEY = StashKey[AssertionRewritingHook]()


@hookimpl
def minitest_addoption(parser: Any, pluginmanager: Any) -> None:
    group = parser.getgroup("debugconfig")
    group.addoption(
        "--assert", action="store", dest="assertmode", choices=("rewrite", "plain"), default="rewrite",
        metavar="MODE",
        help="Control assertion debugging tools. 'plain' performs no assertion debugging. "
             "'rewrite' (the default) rewrites assert statements in test modules on import to "
             "provide assert expression information.",
    )
    parser.addini("enable_assertion_pass_hook", "passing asserts call the assertion_pass hook (the test "
                  "modules are rewritten again when this changes)", type="bool", default=False)
    parser.addini("verbosity_assertions", "Verbosity of assertion explanations ('auto': use -v)",
                  default="auto")
    parser.addini("truncation_limit_lines", "Lines of an assertion explanation shown before it is "
                  "truncated (0: no limit)", type="int", default=DEFAULT_MAX_LINES)
    parser.addini("truncation_limit_chars", "Characters of an assertion explanation shown before it "
                  "is truncated (0: no limit)", type="int", default=DEFAULT_MAX_CHARS)


def _assert_mode(config: Any) -> str:
    for source in (getattr(config, "known_args", None), getattr(config, "option", None)):
        mode = getattr(source, "assertmode", None)
        if mode:
            return str(mode)
    return "rewrite"


@hookimpl(tryfirst=True)
def minitest_prepare_imports(early_config: Any, args: list[str]) -> None:
    if _assert_mode(early_config) != "rewrite":
        return
    if REWRITE_HOOK_KEY in early_config.stash:
        return
    hook = AssertionRewritingHook(
        python_files=lambda: early_config.getini("python_files"),
        initial_paths=[arg for arg in args if not str(arg).startswith("-")],
    )
    hook.assertion_pass = bool(early_config.getini("enable_assertion_pass_hook"))
    hook.install()
    early_config.stash[REWRITE_HOOK_KEY] = hook


def _repr_maxsize(verbosity: int) -> int | None:
    if verbosity >= 2:
        return None
    return DEFAULT_MAXSIZE * 10 if verbosity >= 1 else DEFAULT_MAXSIZE


def _make_reprcompare(config: Any, ihook: Any) -> runtime.ReprCompare:
    """The function a failing rewritten assert calls to explain ``left op right``."""
    verbosity = assertion_verbosity(config)

    def reprcompare(op: str, left: object, right: object) -> list[str] | None:
        result = ihook.minitest_assertrepr_compare(config=config, op=op, left=left, right=right)
        if result and isinstance(result[0], list):  # tolerate a non-firstresult relay
            result = next((lines for lines in result if lines), None)
        if not result:
            return None
        lines = [str(line) for line in result]
        if verbosity < 2 and not running_on_ci():
            lines = truncate_lines(lines, _ini_int(config, "truncation_limit_lines", DEFAULT_MAX_LINES),
                                   _ini_int(config, "truncation_limit_chars", DEFAULT_MAX_CHARS))
        return lines

    return reprcompare


def _ini_int(config: Any, name: str, default: int) -> int:
    try:
        value = config.getini(name)
        return default if value in (None, "") else int(value)
    except Exception:
        return default


@hookimpl
def minitest_configure(config: Any) -> None:
    runtime.state.maxsize = _repr_maxsize(assertion_verbosity(config))
    # explanations for asserts failing outside of a test (conftest code, collection)
    runtime.state.reprcompare = _make_reprcompare(config, config.hook)


@hookimpl(wrapper=True, tryfirst=True)
def minitest_runtest_protocol(item: Any, nextitem: Any) -> Generator[None, Any, Any]:
    previous = runtime.state.reprcompare, runtime.state.assertion_pass
    ihook = item.ihook
    runtime.state.reprcompare = _make_reprcompare(item.config, ihook)
    if ihook.minitest_assertion_pass.get_hookimpls():

        def assertion_pass(lineno: int, orig: str, expl: str) -> None:
            ihook.minitest_assertion_pass(item=item, lineno=lineno, orig=orig, expl=expl)

        runtime.state.assertion_pass = assertion_pass
    try:
        return (yield)
    finally:
        runtime.state.reprcompare, runtime.state.assertion_pass = previous


@hookimpl(trylast=True)
def minitest_assertrepr_compare(config: Any, op: str, left: Any, right: Any) -> list[str] | None:
    return assertrepr_compare(config, op, left, right)


@hookimpl
def minitest_unconfigure(config: Any) -> None:
    hook = config.stash.get(REWRITE_HOOK_KEY, None)
    if hook is not None:
        hook.uninstall()
        del config.stash[REWRITE_HOOK_KEY]
    runtime.state.reprcompare = None
    runtime.state.maxsize = DEFAULT_MAXSIZE
