"""The plugin manager's registration, in process: the errors a plugin gets as it is registered,
hook implementations found by name only, ``-p no:builtin_plugins.X``.

Written for the survivors of mutation testing of minitest/pluginmanager.py (tests/MUTATION.md).
"""

from __future__ import annotations

from types import ModuleType, SimpleNamespace
from typing import Any

import pluggy
import pytest

from minitest import hookimpl
from minitest.config import Parser
from minitest.errors import UsageError
from minitest.pluginmanager import PluginLoadError, get_plugin_manager


class _Invalid:
    """A hook implementation asking for an argument the hook does not have."""

    @hookimpl
    def minitest_collection_modifyitems(self, session: Any, config: Any, items: Any, no_such_argument: Any) -> None:
        pass


class _RaisesAsRegistered:
    """Its historic ``addoption`` hook runs as it is registered, and fails."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def minitest_addoption(self, parser: Any, pluginmanager: Any) -> None:
        raise self.exc


def _manager_with_options_added():
    pm = get_plugin_manager()
    # as the bootstrap does: later plugins get the historic call replayed as they register
    pm.hook.minitest_addoption.call_historic(kwargs=dict(parser=Parser(), pluginmanager=pm))
    return pm


def test_an_invalid_plugin_is_a_load_error_naming_it():
    pm = get_plugin_manager()
    with pytest.raises(PluginLoadError) as named:
        pm.register(_Invalid(), "my_plugin")
    assert str(named.value).startswith("plugin my_plugin is invalid: ")
    with pytest.raises(PluginLoadError) as unnamed:
        pm.register(_Invalid())
    assert str(unnamed.value).startswith("plugin _Invalid is invalid: ")


def test_a_plugin_failing_as_it_registers_is_a_load_error_naming_it_and_the_error():
    pm = _manager_with_options_added()
    with pytest.raises(PluginLoadError) as named:
        pm.register(_RaisesAsRegistered(RuntimeError("boom")), "boomer")
    assert str(named.value) == "plugin boomer failed as it was registered: RuntimeError: boom"
    with pytest.raises(PluginLoadError) as unnamed:
        pm.register(_RaisesAsRegistered(ValueError("bad")))
    assert str(unnamed.value) == "plugin _RaisesAsRegistered failed as it was registered: ValueError: bad"


def test_a_usage_error_raised_as_a_plugin_registers_is_passed_on_unchanged():
    pm = _manager_with_options_added()
    with pytest.raises(UsageError) as caught:
        pm.register(_RaisesAsRegistered(UsageError("--foo: already added")), "dup")
    assert type(caught.value) is UsageError
    assert str(caught.value) == "--foo: already added"


def test_registering_after_the_run_was_unconfigured_is_refused_naming_the_plugin():
    pm = get_plugin_manager()
    pm.bind_config(SimpleNamespace(unconfigured=True))
    with pytest.raises(PluginLoadError, match=r"^plugin late registered after the run was unconfigured$"):
        pm.register(SimpleNamespace(), "late")
    with pytest.raises(PluginLoadError, match=r"^plugin SimpleNamespace registered after the run was unconfigured$"):
        pm.register(SimpleNamespace())


def test_a_class_registered_as_a_plugin_keeps_hooks_inherited_under_other_names():
    """The quick "plainly not a hook" answer must not hide what the full check finds: here a marked
    implementation inherited by a class that is itself the plugin (not in the class's own dict)."""

    class Base:
        @hookimpl(specname="minitest_report_teststatus")
        def status_hook(report: Any) -> None:
            return None

    class Plugin(Base):
        pass

    pm = get_plugin_manager()
    pm.register(Plugin, "class_plugin")
    assert Plugin in [impl.plugin for impl in pm.hook.minitest_report_teststatus.get_hookimpls()]


def test_blocking_a_builtin_by_its_module_name_blocks_its_short_name():
    pm = get_plugin_manager()
    pm.block("builtin_plugins.skipping")
    assert pm.is_blocked("skipping")
    assert pm.is_blocked("builtin_plugins.skipping")
    assert not pm.is_blocked("builtin_plugins")
    pm.block("some_plugin")  # not a builtin's module name: only itself
    assert pm.is_blocked("some_plugin")


def test_pytest_spelled_hooks_are_mapped_by_prefix_or_by_pytests_marker():
    """``pytest_x`` (plain or marked) and a function under another name carrying pytest's hookimpl
    marker both implement minitest's hook."""
    pytest_hookimpl = pluggy.HookimplMarker("pytest")

    def pytest_report_teststatus(report: Any) -> None:
        return None

    @pytest_hookimpl(specname="pytest_report_teststatus")
    def renamed(report: Any) -> None:
        return None

    by_prefix = ModuleType("by_prefix")
    by_prefix.pytest_report_teststatus = pytest_report_teststatus  # type: ignore[attr-defined]
    by_marker = ModuleType("by_marker")
    by_marker.renamed = renamed  # type: ignore[attr-defined]
    pm = get_plugin_manager()
    pm.register(by_prefix, "by_prefix")
    pm.register(by_marker, "by_marker")
    plugins = [impl.plugin for impl in pm.hook.minitest_report_teststatus.get_hookimpls()]
    assert by_prefix in plugins
    assert by_marker in plugins
