"""The rest of the plugin manager, in process: pytest's names of minitest's hooks, hook specs and
implementations written the pytest way (and the warnings about those minitest ignores, placed at
their ``def`` line), the check for misspelled hooks, the builtins' registration, the cached hooks of
a path, the origin of a plugin registered by another one, and how a failing plugin or conftest.py
is described.

Written for the survivors of mutation testing of minitest/pluginmanager.py (tests/MUTATION.md,
"The rest of the module").
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pluggy
import pytest
from conftest import installed_distribution, make_files

import minitest.pluginmanager as pluginmanager
from minitest import hookimpl, hookspec
from minitest.pluginmanager import (
    ConftestImportFailure,
    PluginLoadError,
    PluginOrigin,
    get_plugin_manager,
)

pytest_hookimpl = pluggy.HookimplMarker("pytest")
pytest_hookspec = pluggy.HookspecMarker("pytest")


def _module_from_source(path: Path, name: str, source: str) -> ModuleType:
    """A module made from ``source`` written at ``path`` (its functions' code points there)."""
    path.write_text(source, encoding="utf-8")
    module = ModuleType(name)
    module.__file__ = str(path)
    exec(compile(source, str(path), "exec"), module.__dict__)
    return module


def _recorded(action: Any) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action()
    return list(caught)


# -- hook names --------------------------------------------------------------------------------
def test_pytests_name_of_a_minitest_hook_is_that_hook():
    pm = get_plugin_manager()
    assert pm.hook_name("minitest_runtest_logreport") == "minitest_runtest_logreport"
    assert pm.hook_name("pytest_runtest_logreport") == "minitest_runtest_logreport"
    assert pm.relay.pytest_runtest_logreport is pm.hook.minitest_runtest_logreport
    # a prefix of the same length as "pytest_" is not pytest's prefix
    with pytest.raises(AttributeError, match=r"^no hook named 'plugin_runtest_logreport'$"):
        pm.hook_name("plugin_runtest_logreport")
    with pytest.raises(AttributeError, match=r"^no hook named 'pytest_no_such_hook'$"):
        pm.hook_name("pytest_no_such_hook")


# -- hook specs written for pytest -------------------------------------------------------------
def _spec_module() -> ModuleType:
    module = ModuleType("pytest_written_specs")

    def pytest_plain_hook(arg: Any) -> None:
        """Undecorated: a spec by pytest's older rule, with the default options."""

    @pytest_hookspec(firstresult=True)
    def pytest_marked_hook(arg: Any) -> None:
        """Marked with pytest's marker."""

    @hookspec(firstresult=True)
    def pytest_minitest_marked_hook(arg: Any) -> None:
        """Marked with minitest's own marker, under a pytest_ name."""

    def helper(arg: Any) -> None:
        """No hook prefix, no marker: not a spec."""

    for function in (pytest_plain_hook, pytest_marked_hook, pytest_minitest_marked_hook, helper):
        setattr(module, function.__name__, function)
    module.pytest_not_a_function = 3  # type: ignore[attr-defined]
    return module


def _implementations(tag: str) -> ModuleType:
    module = ModuleType(f"impl_{tag}")
    for hook in ("pytest_plain_hook", "pytest_marked_hook", "pytest_minitest_marked_hook"):
        setattr(module, hook, lambda arg, _tag=tag: (_tag, arg))
    return module


def test_hook_specs_declared_the_pytest_way_keep_their_options():
    pm = get_plugin_manager()
    pm.add_hookspecs(_spec_module())
    pm.register(_implementations("first"), "first")
    pm.register(_implementations("second"), "second")
    # the last registered is called first; firstresult stops there
    assert pm.hook.pytest_plain_hook(arg=1) == [("second", 1), ("first", 1)]
    assert pm.hook.pytest_marked_hook(arg=2) == ("second", 2)
    assert pm.hook.pytest_minitest_marked_hook(arg=3) == ("second", 3)
    assert not hasattr(pm.hook, "helper")
    assert not hasattr(pm.hook, "pytest_not_a_function")
    pm.check_pending()


# -- hook implementations written for pytest ---------------------------------------------------
def test_implementations_of_a_hook_a_pytest_plugin_declares_plain_and_renamed():
    specs = ModuleType("custom_specs")

    def pytest_custom_hook(arg: Any) -> None:
        pass

    specs.pytest_custom_hook = pytest_custom_hook  # type: ignore[attr-defined]
    impls = ModuleType("custom_impls")
    impls.pytest_custom_hook = lambda arg: ("plain", arg)  # type: ignore[attr-defined]

    @pytest_hookimpl(specname="pytest_custom_hook", tryfirst=True)
    def custom_first(arg: Any) -> Any:
        return ("renamed", arg)

    impls.custom_first = custom_first  # type: ignore[attr-defined]
    pm = get_plugin_manager()
    pm.add_hookspecs(specs)
    pm.register(impls, "impls")
    assert pm.hook.pytest_custom_hook(arg=1) == [("renamed", 1), ("plain", 1)]
    pm.check_pending()
    assert pm.plugin_hooks(impls) == ["pytest_custom_hook"]
    assert pm.plugin_hooks(SimpleNamespace()) == []  # not registered


def test_a_private_function_marked_for_pytest_is_no_hook_as_in_pytest():
    """pytest only looks at ``pytest_*`` names; minitest also takes other names carrying pytest's
    marker, but never private ones (a conftest's ``_helper`` decorated by mistake stays a helper)."""
    calls = []

    @pytest_hookimpl(specname="pytest_report_teststatus")
    def _private_status(report: Any) -> None:
        calls.append(report)

    module = ModuleType("private_marked")
    module._private_status = _private_status  # type: ignore[attr-defined]
    pm = get_plugin_manager()
    pm.register(module, "private_marked")
    assert pm.plugin_hooks(module) == []
    assert not hasattr(pm.hook, "_private_status")


def test_names_a_plugin_module_gives_only_on_request_are_no_hooks():
    """A module with ``__getattr__`` (lazy attributes): the names its ``__dir__`` lists are read
    only when they may be hooks, and one that fails to be read is no hook."""
    module = ModuleType("lazy_plugin")

    def lazy_helper(arg: Any) -> None:
        pass

    def __getattr__(name: str) -> Any:  # noqa: N807 - a module's __getattr__
        if name == "lazy_helper":
            return lazy_helper
        if name == "broken_lazy":
            raise ImportError("the lazy import failed")
        raise AttributeError(name)

    module.__getattr__ = __getattr__  # type: ignore[attr-defined]
    module.__dir__ = lambda: ["lazy_helper", "broken_lazy"]  # type: ignore[attr-defined]
    pm = get_plugin_manager()
    assert pm.register(module, "lazy_plugin") == "lazy_plugin"
    assert pm.plugin_hooks(module) == []
    pm.check_pending()


def test_an_unimplemented_pytest_hook_is_ignored_with_one_warning_per_file_at_its_def_line(tmp_path):
    source = "import os\n\n\ndef pytest_cmdline_parse(pluginmanager, args):\n    return None\n"
    first = _module_from_source(tmp_path / "first.py", "first", source)
    again = _module_from_source(tmp_path / "first.py", "again", source)
    other = _module_from_source(tmp_path / "other.py", "other", source)
    # a plain minitest_ function of a hook minitest does not declare: the hook exists, without spec
    early = ModuleType("early")
    early.minitest_cmdline_parse = lambda args: None  # type: ignore[attr-defined]
    pm = get_plugin_manager()
    pm.register(early, "early")

    def register_all() -> None:
        for module in (first, again, other):
            pm.register(module, module.__name__)

    caught = _recorded(register_all)
    assert [(w.category, str(w.message), w.filename, w.lineno) for w in caught] == [
        (UserWarning, f"minitest does not implement the pytest hook 'pytest_cmdline_parse' (used in {path}); "
                      "it is ignored", str(path), 4)
        for path in (tmp_path / "first.py", tmp_path / "other.py")]
    assert [impl.plugin for impl in pm.hook.minitest_cmdline_parse.get_hookimpls()] == [early]


def test_an_unimplemented_pytest_hook_without_code_is_placed_at_its_plugin(tmp_path):
    module = ModuleType("c_function")
    module.__file__ = str(tmp_path / "c_function.py")
    module.pytest_cmdline_parse = max  # type: ignore[attr-defined]
    caught = _recorded(lambda: get_plugin_manager().register(module, "c_function"))
    assert [(w.filename, w.lineno) for w in caught] == [(str(tmp_path / "c_function.py"), 0)]


def test_a_pytest_hook_asking_for_an_argument_minitest_lacks_is_ignored_with_a_warning(tmp_path):
    asking = _module_from_source(tmp_path / "asking.py", "asking",
                                 "def pytest_runtest_setup(item, bogus, other):\n    pass\n")
    defaulted = _module_from_source(tmp_path / "defaulted.py", "defaulted",
                                    "def pytest_runtest_setup(item, extra=None):\n    pass\n")

    class AsClass:
        def pytest_runtest_setup(self, item: Any) -> None:
            pass

    pm = get_plugin_manager()
    caught = _recorded(lambda: [pm.register(plugin, name) for plugin, name in
                                ((asking, "asking"), (defaulted, "defaulted"), (AsClass, "as_class"))])
    assert [(str(w.message), w.filename, w.lineno) for w in caught] == [
        (f"the pytest hook 'pytest_runtest_setup' in {tmp_path / 'asking.py'} asks for bogus, other, which "
         "minitest does not provide; it is ignored", str(tmp_path / "asking.py"), 1)]
    plugins = [impl.plugin for impl in pm.hook.minitest_runtest_setup.get_hookimpls()]
    assert asking not in plugins
    assert defaulted in plugins
    assert AsClass in plugins


def test_a_pytest_hook_whose_signature_cannot_be_read_asks_for_nothing():
    """pluggy reads an implementation's arguments from its code, not from ``inspect.signature``:
    a function with a broken ``__signature__`` still registers."""

    def with_broken_signature(item: Any) -> None:
        pass

    with_broken_signature.__signature__ = "not a signature"  # type: ignore[attr-defined]
    broken = ModuleType("broken_signature")
    broken.pytest_runtest_setup = with_broken_signature  # type: ignore[attr-defined]
    pm = get_plugin_manager()
    assert pm.register(broken, "broken_signature") == "broken_signature"
    assert broken in [impl.plugin for impl in pm.hook.minitest_runtest_setup.get_hookimpls()]
    # a C function (no signature either) is refused by pluggy itself, not by minitest's check
    c_function = ModuleType("c_function")
    c_function.pytest_runtest_setup = max  # type: ignore[attr-defined]
    with pytest.raises(PluginLoadError, match=r"^plugin c_function failed as it was registered: AssertionError: "):
        pm.register(c_function, "c_function")


# -- misspelled hooks ----------------------------------------------------------------------------
class _PrivateHook:
    @hookimpl
    def _private_hook(self) -> None:
        """A marked private name: a hook pluggy keeps, which the check leaves alone, as pluggy's does."""


class _Misspelled:
    def minitest_runtest_setpu(self, item: Any) -> None:
        pass


class _OptionalUnknown:
    @hookimpl(optionalhook=True)
    def minitest_optional_unknown(self) -> None:
        pass


class _NotOptionalUnknown:
    def minitest_optional_unknown(self) -> None:
        pass


def test_every_misspelled_hook_is_found_after_private_and_optional_ones():
    pm = get_plugin_manager()
    pm.register(_PrivateHook(), "private")
    misspelled = _Misspelled()
    pm.register(misspelled, "misspelled")
    with pytest.raises(PluginLoadError, match=r"^unknown hook 'minitest_runtest_setpu' in plugin _Misspelled$"):
        pm.check_pending()
    pm.unregister(misspelled)
    pm.check_pending()
    pm.register(_OptionalUnknown(), "optional")
    pm.check_pending()
    pm.register(_NotOptionalUnknown(), "not_optional")
    with pytest.raises(PluginLoadError,
                       match=r"^unknown hook 'minitest_optional_unknown' in plugin _NotOptionalUnknown$"):
        pm.check_pending()


# -- the builtins ------------------------------------------------------------------------------
def test_a_builtin_not_shipped_is_passed_over_but_a_builtin_failing_to_import_is_not(tmp_path, monkeypatch):
    make_files(tmp_path, {"shipped_builtin.py": "def minitest_configure(config):\n    pass\n",
                          "broken_builtin.py": "import no_such_dependency_of_a_builtin\n"})
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(pluginmanager, "BUILTIN_PLUGINS",
                        {"not_shipped": "no_such_builtin_module", "shipped": "shipped_builtin"})
    pm = get_plugin_manager()
    assert [name for name, _ in pm.list_name_plugin()] == ["shipped"]
    assert pm.origins["shipped"].describe() == "builtin (shipped_builtin)"
    monkeypatch.setattr(pluginmanager, "BUILTIN_PLUGINS", {"broken": "broken_builtin", "shipped": "shipped_builtin"})
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_of_a_builtin"):
        get_plugin_manager()


def test_getplugin_and_hasplugin_answer_pytests_names_of_builtins():
    pm = get_plugin_manager()
    assert pm.getplugin("cacheprovider") is pm.get_plugin("cache") is not None
    assert pm.getplugin("runner") is pm.get_plugin("runner") is not None
    assert pm.hasplugin("cacheprovider")
    assert pm.hasplugin("terminal")
    assert not pm.hasplugin("no_such_plugin")
    assert pm.getplugin("no_such_plugin") is None


# -- the hooks of a path -----------------------------------------------------------------------
def test_a_paths_hooks_stay_valid_until_a_plugin_is_registered_or_unregistered(tmp_path):
    pm = get_plugin_manager()
    entry = pm.path_hooks(tmp_path)
    assert entry.valid
    assert pm.path_hooks(tmp_path) is entry
    assert pm.hook_for_path(tmp_path) is entry.hooks
    plugin = SimpleNamespace()
    pm.register(plugin, "late")
    assert not entry.valid
    fresh = pm.path_hooks(tmp_path)
    assert fresh is not entry and fresh.valid
    pm.unregister(plugin)
    assert not fresh.valid


# -- where a plugin came from ------------------------------------------------------------------
def test_a_plugin_registered_by_other_code_names_that_code_as_its_origin(tmp_path, monkeypatch):
    """pluggy's own ``load_setuptools_entrypoints`` registers through this manager: the origin is
    the module that asked pluggy, not pluggy."""
    make_files(tmp_path, {**installed_distribution("probe-dist", "1.5", "[probe_group]\nprobe = probe_origin\n"),
                          "site/probe_origin.py": "VALUE = 1\n"})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "probe_origin", raising=False)  # put back as it was (absent) afterwards
    pm = get_plugin_manager()
    assert pm.load_setuptools_entrypoints("probe_group") == 1
    assert pm.origins["probe"].describe() == f"object registered by {__name__}"
    pm.register(SimpleNamespace(), "direct")
    assert pm.origins["direct"].describe() == f"object registered by {__name__}"


def test_installed_plugins_are_listed_with_their_distribution_as_pluggy_lists_them(tmp_path, monkeypatch):
    make_files(tmp_path, {**installed_distribution("probe-dist", "1.5", "[probe_group]\nprobe = probe_listed\n"),
                          "site/probe_listed.py": "VALUE = 1\n"})
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delitem(sys.modules, "probe_listed", raising=False)
    pm = get_plugin_manager()
    assert pm.load_entrypoint_plugins("probe_group") == 1
    listed = [(plugin.__name__, dist.project_name, dist.version) for plugin, dist in pm.list_plugin_distinfo()]
    assert listed == [("probe_listed", "probe-dist", "1.5")]
    assert pm.origins["probe"].describe() == "entry point probe_listed (distribution probe-dist 1.5)"


# -- a failing plugin --------------------------------------------------------------------------
class _ProbeSpecs:
    @hookspec
    def minitest_probe(self) -> None:
        """A hook no builtin implements."""


class _Failing:
    def minitest_probe(self) -> None:
        raise ValueError("broke")


def _described(pm: Any, name: str, origin: PluginOrigin | None) -> str | None:
    pm.add_hookspecs(_ProbeSpecs)
    pm.register(_Failing(), name, origin)
    with pytest.raises(ValueError) as caught:
        pm.hook.minitest_probe()
    return pm.describe_failing_plugin(caught.value)


def test_a_failing_plugin_is_described_by_its_name_and_origin(tmp_path):
    conftest = tmp_path / "sub" / "conftest.py"
    with_rootdir = get_plugin_manager()
    with_rootdir.set_conftest_options(rootpath=tmp_path, import_mode="importlib", noconftest=False,
                                      confcutdir=tmp_path)
    assert _described(with_rootdir, str(conftest), PluginOrigin("conftest", str(conftest))) == \
        f"plugin 'sub/conftest.py' (conftest {conftest}) raised ValueError in minitest_probe: broke"
    # no rootdir yet: the name as it is
    assert _described(get_plugin_manager(), "helper.py", PluginOrigin("-p", "helper.py")) == \
        "plugin 'helper.py' (-p) raised ValueError in minitest_probe: broke"
    assert _described(get_plugin_manager(), "myplug", PluginOrigin("-p", "myplug")) == \
        "plugin 'myplug' (-p) raised ValueError in minitest_probe: broke"
    assert _described(get_plugin_manager(), "bare", PluginOrigin("module")) == \
        "plugin 'bare' (module) raised ValueError in minitest_probe: broke"
    assert _described(get_plugin_manager(), "ep", PluginOrigin("entrypoint", "pkg.mod", "pkg-dist", "1.0")) == \
        "plugin 'ep' (entrypoint pkg.mod, distribution pkg-dist 1.0) raised ValueError in minitest_probe: broke"
    # a blocked name (listed by pluggy without a plugin) before it changes nothing
    with_blocked = get_plugin_manager(blocked=["doctest"])
    assert with_blocked.get_plugin("doctest") is None and with_blocked.is_blocked("doctest")
    assert _described(with_blocked, "late", PluginOrigin("-p", "late")) == \
        "plugin 'late' (-p) raised ValueError in minitest_probe: broke"


def test_an_exception_no_plugin_raised_is_not_described():
    pm = get_plugin_manager()
    try:
        raise ValueError("not from a plugin")
    except ValueError as exc:
        assert pm.describe_failing_plugin(exc) is None


# -- a failing conftest.py ---------------------------------------------------------------------
def _import_failure(tmp_path: Path, source: str) -> tuple[Path, list[str]]:
    """The message of a conftest.py's failure as the manager reports it, for a module imported
    through minitest's import machinery (not named conftest.py: under pytest, pytest's assertion
    rewriter would import that one, through frames of its own)."""
    from minitest.pathimport import import_path

    path = make_files(tmp_path, {"sub/failing.py": source}) / "sub" / "failing.py"
    with pytest.raises(RuntimeError) as caught:
        import_path(path, mode="importlib", root=tmp_path, fresh_name=True)
    exc = caught.value
    exc.with_traceback(exc.__traceback__.tb_next)  # from import_path on, as the manager catches it
    failure = ConftestImportFailure(path, exc)
    assert failure.path == path and failure.cause is exc
    return path, str(failure).splitlines()


def test_a_failing_conftest_shows_its_own_frames_only(tmp_path):
    path, lines = _import_failure(tmp_path, 'raise RuntimeError("flat")\n')
    assert lines == [
        f"ImportError while loading conftest '{path}'.",
        f'  File "{path}", line 1, in <module>',
        '    raise RuntimeError("flat")',
        "RuntimeError: flat"]


def test_a_failing_conftest_shows_the_last_six_frames(tmp_path):
    calls = "".join(f"def f{n}():\n    f{n + 1}()\n" for n in range(1, 8))
    _, lines = _import_failure(tmp_path, calls + 'def f8():\n    raise RuntimeError("deep")\nf1()\n')
    frames = [line.rsplit(" in ", 1)[1] for line in lines if line.startswith("  File ")]
    assert frames == ["f3", "f4", "f5", "f6", "f7", "f8"]
    assert lines[-1] == "RuntimeError: deep"
