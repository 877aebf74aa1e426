"""Issue 15 — only pluggy's public API: ``--trace-hooks`` shows exactly the hook calls a normal
run makes, a Config's life ends at unconfigure, and no source file reaches into pluggy's private
names."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter

import pytest
from conftest import REPO_ROOT, clean_env, run_process

from minitest.python_nodes import MAKEITEM_TESTS_ONLY_ATTR

# hooks whose calls a conftest counts (all called with the conftest in the relay: it sits at the
# rootdir); pycollect_makeitem is the one the collection fast path concerns
COUNTED = ("minitest_pycollect_makeitem", "minitest_collect_file", "minitest_itemcollected",
           "minitest_runtest_setup", "minitest_runtest_logreport")

COUNTING_CONFTEST = """
    import json, os
    from collections import Counter
    from pathlib import Path

    from minitest import hookimpl

    COUNTS = Counter()
    NAMES = []  # the names pycollect_makeitem was asked about

    @hookimpl(tryfirst=True)
    def minitest_pycollect_makeitem(collector, name, obj):
        COUNTS["minitest_pycollect_makeitem"] += 1
        NAMES.append(name)

    {classes_only}

    def minitest_collect_file(file_path, parent):
        COUNTS["minitest_collect_file"] += 1

    def minitest_itemcollected(item):
        COUNTS["minitest_itemcollected"] += 1

    def minitest_runtest_setup(item):
        COUNTS["minitest_runtest_setup"] += 1

    def minitest_runtest_logreport(report):
        COUNTS["minitest_runtest_logreport"] += 1

    def minitest_unconfigure(config):
        Path(os.environ["COUNTS_FILE"]).write_text(json.dumps(COUNTS))
        Path(os.environ["COUNTS_FILE"] + ".names").write_text(json.dumps(NAMES))
"""

SUITE = {
    "test_a.py": """
        import os

        CONSTANT = 3

        def helper():
            pass

        def test_one():
            pass

        def test_two():
            assert CONSTANT == 4

        class TestGroup:
            LIMIT = 2

            def helper(self):
                pass

            def test_three(self):
                pass
    """,
    "sub/test_b.py": """
        import minitest

        @minitest.mark.parametrize("x", [1, 2])
        def test_p(x):
            pass

        def not_a_test():
            pass
    """,
}


def _traced_calls(trace: str, names: tuple[str, ...]) -> Counter[str]:
    calls: Counter[str] = Counter()
    for line in trace.splitlines():
        match = re.match(r"\s*(minitest_\w+)", line)
        if match and match.group(1) in names:
            calls[match.group(1)] += 1
    return calls


def _write_suite(files, classes_only_marker: str) -> None:
    # in a folder of its own: the counts and the trace written next to it are not collected
    spec = SUITE | {"conftest.py": COUNTING_CONFTEST.format(classes_only=classes_only_marker)}
    files({f"suite/{name}": text for name, text in spec.items()})


def _counted_runs(files, run, tmp_path, classes_only: bool) -> tuple[Counter[str], Counter[str], Counter[str]]:
    marker = f"setattr(minitest_pycollect_makeitem, {MAKEITEM_TESTS_ONLY_ATTR!r}, True)" if classes_only else ""
    _write_suite(files, marker)
    counts = []
    for extra in ([], ["--trace-hooks", f"--trace-hooks-file={tmp_path / 'trace.txt'}"]):
        counts_file = tmp_path / f"counts{len(counts)}.json"
        result = run("-p", "no:cache", *extra, cwd=tmp_path / "suite", env={"COUNTS_FILE": str(counts_file)})
        assert result.ret == 1, result.dump()
        result.assert_outcomes(failed=1, passed=4)
        counts.append(Counter(json.loads(counts_file.read_text())))
    traced = _traced_calls((tmp_path / "trace.txt").read_text(), COUNTED)
    return counts[0], counts[1], traced


def test_trace_hooks_shows_the_calls_an_unmonitored_run_makes(files, run, tmp_path):
    """A plugin implementing pycollect_makeitem is asked about every name, monitored or not;
    the trace lists exactly the calls the plugin received."""
    plain, monitored, traced = _counted_runs(files, run, tmp_path, classes_only=False)
    assert plain == monitored, (plain, monitored)
    assert traced == plain, (traced, plain)
    # every name the modules and the class define was asked about, and the assertion rewrite's
    # helper module (besides the dunder names Python puts in each namespace, which change with
    # the Python version)
    defined = {"os", "CONSTANT", "helper", "test_one", "test_two", "TestGroup", "LIMIT", "test_three",
               "minitest", "test_p", "not_a_test", "@minitest_ar"}
    for counts_file in ("counts0.json", "counts1.json"):
        names = json.loads((tmp_path / f"{counts_file}.names").read_text())
        assert {name for name in names if not name.startswith("__")} == defined, names


def test_trace_hooks_shows_the_calls_the_fast_path_leaves_out_too(files, run, tmp_path):
    """With only implementations that turn down non-test names (the builtins, or one marked
    with MAKEITEM_TESTS_ONLY_ATTR), those names are not asked about — in a normal run and under --trace-hooks alike."""
    plain, monitored, traced = _counted_runs(files, run, tmp_path, classes_only=True)
    assert plain == monitored, (plain, monitored)
    assert traced == plain, (traced, plain)
    # test_one, test_two, TestGroup, test_three, test_p: not os, CONSTANT, helper, not_a_test, ...
    assert plain["minitest_pycollect_makeitem"] == 5, plain
    names = json.loads((tmp_path / "counts0.json.names").read_text())
    assert sorted(names) == ["TestGroup", "test_one", "test_p", "test_three", "test_two"], names


def test_plugin_profile_leaves_the_calls_unchanged(files, run, tmp_path):
    """--plugin-profile times implementations without changing which are called."""
    _write_suite(files, "")
    counts = []
    for extra in ([], ["--plugin-profile"]):
        counts_file = tmp_path / f"counts{len(counts)}.json"
        result = run("-p", "no:cache", *extra, cwd=tmp_path / "suite", env={"COUNTS_FILE": str(counts_file)})
        assert result.ret == 1, result.dump()
        counts.append(Counter(json.loads(counts_file.read_text())))
    assert counts[0] == counts[1]
    result.fnmatch_lines(["*= plugin profile =*", "conftest.py *ms"])


LIFECYCLE_SCRIPT = """
import sys
from minitest import hookimpl
from minitest.config import bootstrap
from minitest.pluginmanager import PluginLoadError

class Counting:
    def __init__(self):
        self.configured = 0

    @hookimpl
    def minitest_configure(self, config):
        self.configured += 1

config = bootstrap(["-p", "no:cache", "--co", "-q"])
early = Counting()
config.pluginmanager.register(early, "early")
config.do_configure()
config.do_configure()  # a second call does nothing
late = Counting()
config.pluginmanager.register(late, "late")  # historic: configured on registration
config.ensure_unconfigure()
print("early", early.configured, "late", late.configured)
after = Counting()
try:
    config.pluginmanager.register(after, "after")
except PluginLoadError as exc:
    print("refused:", exc)
print("after", after.configured)
try:
    config.do_configure()
except RuntimeError as exc:
    print("reconfigure:", exc)
second = bootstrap(["-p", "no:cache", "--co", "-q"])
again = Counting()
second.pluginmanager.register(again, "again")
second.do_configure()
print("second run", again.configured, second.pluginmanager is not config.pluginmanager)
second.ensure_unconfigure()
"""


def test_a_config_is_configured_once_and_its_run_ends_at_unconfigure(tmp_path):
    """pluggy keeps a historic hook's calls for plugins registered later and has no public way to
    forget them: instead of clearing that history, a Config is configured at most once, its
    manager refuses plugins once unconfigured, and each run bootstraps a new manager."""
    script = tmp_path / "lifecycle.py"
    script.write_text(LIFECYCLE_SCRIPT)
    result = run_process([sys.executable, str(script)], cwd=tmp_path, env=clean_env(pythonpath=[REPO_ROOT]))
    assert result.ret == 0, result.dump()
    assert result.lines[0] == "early 1 late 1", result.dump()
    assert result.lines[1].startswith("refused: plugin after registered after the run was unconfigured")
    assert result.lines[2] == "after 0"
    assert result.lines[3].startswith("reconfigure: this Config was unconfigured")
    assert result.lines[4] == "second run 1 True"


#: pluggy's private names this codebase once used (each written here without its leading
#: underscore, so that a grep for the names finds no use of them), and writing a HookImpl
PRIVATE_NAMES = ("inner_hookexec", "hookexec", "multicall", "name2plugin", "call_history", "hookimpls",
                 "nonwrappers", "wrappers", "callers")
PRIVATE = re.compile(r"pluggy\._(?!_)|\._(?:" + "|".join(PRIVATE_NAMES) + r")\b|\b_multi" + r"call\b"
                     r"|HookImpl\s*\(|\bimpl\.function\s*=[^=]")


@pytest.mark.parametrize("folder", ["minitest", "builtin_plugins", "bench", "scripts"])
def test_no_private_pluggy_name_in_the_source(folder):
    """Plugins build on what pluggy documents: no private name of pluggy, no write to a HookImpl."""
    offenders = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if PRIVATE.search(line):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{lineno}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_blocked_names_listed_after_unblock(tmp_path):
    """--plugins lists the names blocked now, from the manager's own record of set_blocked."""
    script = tmp_path / "blocked.py"
    script.write_text(
        "from minitest.pluginmanager import get_plugin_manager\n"
        "pm = get_plugin_manager(blocked=['cache', 'no_such'])\n"
        "print(pm.blocked_names())\n"
        "pm.unblock('no_such')\n"
        "print(pm.blocked_names())\n")
    result = run_process([sys.executable, str(script)], cwd=tmp_path, env=clean_env(pythonpath=[REPO_ROOT]))
    assert result.ret == 0, result.dump()
    assert result.lines == ["['cache', 'no_such']", "['cache']"], result.dump()



def test_internal_error_names_a_wrapper_failing_after_its_yield(files, run):
    """The failing implementation is found by matching the traceback against the registered
    implementations' code (public API): a wrapper failing after its yield, in a plugin object's
    method, is named, not the implementation that ran last."""
    files({
        "conftest.py": """
            from minitest import hookimpl

            class Watcher:
                @hookimpl(wrapper=True)
                def minitest_runtest_logreport(self, report):
                    yield
                    if report.when == "call":
                        raise RuntimeError("watcher broke")

            def minitest_configure(config):
                config.pluginmanager.register(Watcher(), "watcher")
        """,
        "test_a.py": "def test_a():\n    pass\n",
    })
    result = run("-p", "no:cache")
    assert result.ret == 3, result.dump()
    result.fnmatch_lines(["INTERNALERROR> plugin 'watcher' (object *) raised RuntimeError in "
                          "minitest_runtest_logreport: watcher broke"], stream="both")


def test_call_excinfo_is_an_exception_info_for_every_hook(files, run):
    """``call.excinfo`` in minitest_runtest_makereport is pytest-shaped, whatever the spelling of
    the hook: None for a phase that passed, an ExceptionInfo for one that raised."""
    files({
        "conftest.py": """
            import pytest

            from minitest import hookimpl

            SEEN = []

            @hookimpl(wrapper=True)
            def minitest_runtest_makereport(item, call):
                report = yield
                info = call.excinfo
                if info is None:
                    SEEN.append(f"{item.name} {call.when} passed")
                else:
                    SEEN.append(f"{item.name} {call.when} {info.type.__name__} {info.value} "
                                f"{info.errisinstance(ValueError)} {info.typename} {bool(info.tb)} "
                                f"{'boom' in str(info.getrepr())}")
                return report

            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(item, call):
                outcome = yield
                if call.excinfo is not None and call.when == "call":
                    SEEN.append(f"pytest-spelled {call.excinfo.type.__name__} {call.excinfo.errisinstance(ValueError)}")

            def minitest_terminal_summary(terminalreporter):
                for line in SEEN:
                    terminalreporter.write_line("seen: " + line)
        """,
        "test_a.py": """
            import minitest

            def test_ok():
                pass

            def test_bad():
                raise ValueError("boom")

            def test_skip():
                minitest.skip("later")
        """,
    })
    result = run("-p", "no:cache")
    assert result.ret == 1, result.dump()
    seen = [line[len("seen: "):] for line in result.lines if line.startswith("seen: ")]
    assert "test_ok call passed" in seen, seen
    assert "test_bad call ValueError boom True ValueError True True" in seen, seen
    assert "pytest-spelled ValueError True" in seen, seen
    assert any(line.startswith("test_skip call Skipped later False") for line in seen), seen


def test_pytest_written_collect_hooks_are_wrapped_only_when_present(files, run):
    """A pytest-written pycollect_makeitem that builds pytest's own nodes (with the shim off, so
    they are the real pytest's): what it returns, or what pytest raises inside, is a clear
    collection error for that module; the wrapper that sees it is public pluggy API
    (``wrapper=True``), registered only because such a hook exists."""
    pytest.importorskip("_pytest")
    files({
        "conftest.py": """
            import pytest

            class MyItem(pytest.Item):
                def __init__(self, **kwargs):
                    super().__init__(**kwargs)

                def runtest(self):
                    pass

            def pytest_pycollect_makeitem(collector, name, obj):
                if name == "check_me":
                    return pytest.Function.from_parent(collector, name=name)
                if name == "build_me":
                    return MyItem.from_parent(collector, name=name)
        """,
        "test_a.py": "def check_me():\n    pass\n\ndef test_x():\n    pass\n",
        "test_b.py": "def build_me():\n    pass\n",
    })
    result = run("-p", "no:cache", "-p", "no:pytest_shim", "--continue-on-collection-errors", "--plugins")
    assert result.ret == 0, result.dump()
    result.fnmatch_lines(["*pytest_compat:minitest_pycollect_makeitem*"])
    result = run("-p", "no:cache", "-p", "no:pytest_shim", "--continue-on-collection-errors")
    outcomes = result.outcomes()
    assert (outcomes["passed"], outcomes["errors"]) == (1, 2), result.dump()
    # one error per module: pytest 9.0 builds the custom item (it is returned), pytest 9.2 fails
    # inside its own node code (that is raised); either way the message names the hook
    unsupported = [line for line in result.lines if line.startswith(
        "custom collectors built on pytest's node classes are not supported by minitest "
        "(conftest.pytest_pycollect_makeitem ")]
    assert len(unsupported) == 2, result.dump()
    assert all(" raised " in line or "a pytest node class" in line for line in unsupported), result.dump()
