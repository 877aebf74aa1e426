"""What the kernel knows about pytest, in one place.

minitest runs suites, conftest.py files and plugins written for pytest without importing pytest:
it recognises pytest's names (hook prefix, plugin names, config files and keys, mark and fixture
attributes, outcome classes). Every such name the kernel uses is defined here, so that what
minitest assumes about pytest can be read (and updated for a new pytest) in one module.

Only data and small recognisers live here; the code that acts on them stays with its feature.
"""

from __future__ import annotations

__all__ = [
    "PYTEST", "PYTEST_HOOK_PREFIX", "PYTEST_BUILTIN_ALIASES", "PYTEST_PLUGINS_ATTR", "PYTEST_HOOKIMPL_ATTR",
    "PYTEST_HOOKSPEC_ATTR", "PYTEST_ENTRYPOINT_GROUP", "PYTEST_PLUGINS_ENV", "PYTEST_AUTOLOAD_ENV",
    "PYTEST_OWN_HOOKS", "PYTEST_XDIST_HOOKS", "PYTEST_MAPPED_HOOKS", "PYTEST_PLUGINS_REPLACED",
    "is_pytest_internal_plugin", "PYTEST_CONFIG_CANDIDATES", "PYTEST_INI_FILES", "PYTEST_TOML_FILES",
    "PYTEST_TOML_TABLE",
    "PYTEST_INI_KEYS", "PYTEST_OPTION_DEFAULTS", "PYTEST_MARK_ATTR", "PYTEST_MODULE_PREFIXES", "is_pytest_class",
    "PYTEST_FIXTURE_DEFINITION_CLASS", "PYTEST_LEGACY_FIXTURE_ATTR", "is_pytest_fixture_definition",
    "PYTEST_SKIP_AT_ITEM_KWARG", "skip_at_item_location", "is_pytest_parameter_set", "PYTEST_OUTCOMES_MODULE",
    "PYTEST_NODE_ALIASES", "PYTEST_ITEM_ALIASES", "PYTEST_REQUEST_MANAGER_ATTR",
    "PYTEST_ADDOPTS_ENV", "PYTEST_PLUGIN_OPTIONS",
]

#: the tool name: the ``[pytest]`` section, ``[tool.pytest]`` table, and an IniFile's flavour
PYTEST = "pytest"

# -- plugins and hooks ---------------------------------------------------------------------------

#: the hook-name prefix of plugins written for pytest (mapped onto ``minitest_``)
PYTEST_HOOK_PREFIX = "pytest_"

#: names pytest users block or load (``-p no:cacheprovider``) mapped onto minitest's builtins
PYTEST_BUILTIN_ALIASES: dict[str, str] = {
    "cacheprovider": "cache",
    "junitxml": "junitxml",
    "terminal": "terminal",
    "capture": "capture",
    "debugging": "debugging",
    "warnings": "warnings",
    "doctest": "doctest",
    "unittest": "unittest",
    "skipping": "skipping",
    "assertion": "assertion",
    "python": "python",
    "runner": "runner",
    "fixtures": "fixtures",
    "logging": "capture",
    "xdist": "parallel",
    "dist": "parallel",
    "xdist.plugin": "parallel",
    "timeout": "timeout",
    "pytest_timeout": "timeout",
    "rerunfailures": "reruns",
    "pytest_rerunfailures": "reruns",
    "repeat": "repeat",
    "pytest_repeat": "repeat",
}

#: the module attribute naming more plugins to load (minitest's own is ``minitest_plugins``)
PYTEST_PLUGINS_ATTR = "pytest_plugins"

#: where ``pytest.hookimpl(...)`` leaves its options on a function (pluggy's ``<project>_impl``)
PYTEST_HOOKIMPL_ATTR = "pytest_impl"

#: where ``pluggy.HookspecMarker("pytest")`` / ``pytest.hookspec(...)`` leaves its options on a
#: function (pluggy's ``<project>_spec``): how plugins written for pytest declare hooks of their own
PYTEST_HOOKSPEC_ATTR = "pytest_spec"

#: the entry-point group of installed pytest plugins
PYTEST_ENTRYPOINT_GROUP = "pytest11"

#: the environment variables pytest reads for plugins to load and for turning autoload off
PYTEST_PLUGINS_ENV = "PYTEST_PLUGINS"
PYTEST_AUTOLOAD_ENV = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"

#: pytest's environment variable of extra options (read before ``MINITEST_ADDOPTS``; options in it
#: that no minitest plugin knows are dropped with a warning, as those of a pytest config's addopts)
PYTEST_ADDOPTS_ENV = "PYTEST_ADDOPTS"

#: options of well-known pytest plugins → the distribution that defines them: a usage error about
#: an unknown option names the plugin to install ("--cov ... pytest-cov is not installed")
PYTEST_PLUGIN_OPTIONS: dict[str, str] = {
    "--cov": "pytest-cov", "--cov-report": "pytest-cov", "--cov-config": "pytest-cov",
    "--cov-fail-under": "pytest-cov", "--cov-branch": "pytest-cov", "--no-cov": "pytest-cov",
    "--randomly-seed": "pytest-randomly", "--randomly-dont-reorganize": "pytest-randomly",
    "--benchmark-skip": "pytest-benchmark", "--benchmark-only": "pytest-benchmark",
    "--benchmark-disable": "pytest-benchmark",
    "--asyncio-mode": "pytest-asyncio", "--ds": "pytest-django", "--reuse-db": "pytest-django",
    "--create-db": "pytest-django", "--html": "pytest-html", "--self-contained-html": "pytest-html",
    "--json-report": "pytest-json-report", "--hypothesis-profile": "hypothesis",
    "--hypothesis-show-statistics": "hypothesis", "--mypy": "pytest-mypy", "--flake8": "pytest-flake8",
    "--snapshot-update": "syrupy", "--env": "pytest-env", "--instafail": "pytest-instafail",
    "--count": "pytest-repeat",
}

#: pytest 9.2's own hooks (``_pytest/hookspec.py``). A ``pytest_*`` implementation of one of these is
#: mapped onto the ``minitest_*`` hook of the same name, or, where minitest has none, ignored with a
#: warning; any other ``pytest_*`` name (but pytest-xdist's, below) is a hook a third-party plugin
#: declares (pytest-benchmark's ``pytest_benchmark_*``) and keeps its own name.
PYTEST_OWN_HOOKS: frozenset[str] = frozenset(f"pytest_{name}" for name in (
    "addhooks", "plugin_registered", "addoption", "configure", "cmdline_parse", "load_initial_conftests",
    "cmdline_main", "collection", "collection_modifyitems", "collection_finish", "ignore_collect",
    "collect_directory", "collect_file", "collectstart", "itemcollected", "collectreport", "deselected",
    "make_collect_report", "pycollect_makemodule", "pycollect_makeitem", "pyfunc_call", "generate_tests",
    "make_parametrize_id", "runtestloop", "runtest_protocol", "runtest_logstart", "runtest_logfinish",
    "runtest_setup", "runtest_call", "runtest_teardown", "runtest_makereport", "runtest_logreport",
    "report_to_serializable", "report_from_serializable", "fixture_setup", "fixture_post_finalizer",
    "sessionstart", "sessionfinish", "unconfigure", "assertrepr_compare", "assertion_pass", "report_header",
    "report_collectionfinish", "report_teststatus", "terminal_summary", "warning_recorded",
    "markeval_namespace", "internalerror", "keyboard_interrupt", "exception_interact", "enter_pdb",
    "leave_pdb",
))

#: pytest-xdist's hooks (``xdist/newhooks.py``) that minitest declares itself, as ``minitest_*`` hooks the
#: ``parallel`` builtin calls (pytest-xdist is replaced by it, so its ``pytest_addhooks`` never runs):
#: pytest-cov, pytest-randomly and pytest-rerunfailures implement them under these names. Its
#: scheduler and rsync hooks (``pytest_xdist_make_scheduler``, ``..._getremotemodule``,
#: ``..._rsyncstart``/``..._rsyncfinish``) are not among them: the builtin's scheduler and bootstrap
#: are its own.
PYTEST_XDIST_HOOKS: frozenset[str] = frozenset(f"pytest_{name}" for name in (
    "xdist_auto_num_workers", "xdist_setupnodes", "xdist_newgateway", "configure_node", "testnodeready",
    "xdist_node_collection_finished", "testnodedown", "handlecrashitem",
))

#: the ``pytest_*`` hook names that stand for the ``minitest_*`` hook of the same name
PYTEST_MAPPED_HOOKS: frozenset[str] = PYTEST_OWN_HOOKS | PYTEST_XDIST_HOOKS

#: installed pytest plugins whose job a minitest builtin does: entry-point name → the builtin that
#: runs instead (the plugin is not loaded; ``--plugins`` says so)
PYTEST_PLUGINS_REPLACED: dict[str, str] = {
    "xdist": "parallel",
    "xdist.looponfail": "parallel",
    "timeout": "timeout",
    "rerunfailures": "reruns",
    "repeat": "repeat",
}


def is_pytest_internal_plugin(name: str) -> bool:
    """Whether ``pytest_plugins`` names one of pytest's own modules (``_pytest.*``, ``pytester``):
    minitest has builtins for those, they are never imported."""
    return name.startswith("_pytest.") or name == "pytester"


# -- config files --------------------------------------------------------------------------------

#: the files looked for in each directory (after no minitest config was found), in order
PYTEST_CONFIG_CANDIDATES = ("pytest.toml", ".pytest.toml", "pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini",
                            "setup.cfg")

#: pytest's own ini files: they count as its config even when empty
PYTEST_INI_FILES = ("pytest.ini", ".pytest.ini")

#: pytest 9's own TOML files: the ``[pytest]`` table in native TOML types; they count even when empty
PYTEST_TOML_FILES = ("pytest.toml", ".pytest.toml")

#: the table below ``[tool.pytest]`` of a pyproject.toml holding the ini values
PYTEST_TOML_TABLE = "ini_options"

#: the config keys of pytest itself (pytest 9), some of which minitest does not implement
PYTEST_INI_KEYS = frozenset("""
    addopts cache_dir collect_imported_tests consider_namespace_packages console_output_style
    disable_test_id_escaping_and_forfeit_all_rights_to_community_support doctest_encoding
    doctest_optionflags empty_parameter_set_mark enable_assertion_pass_hook faulthandler_exit_on_timeout
    faulthandler_timeout filterwarnings junit_duration_report junit_family junit_log_passing_tests
    junit_logging junit_suite_name log_auto_indent log_cli log_cli_date_format log_cli_format
    log_cli_level log_date_format log_file log_file_date_format log_file_format log_file_level
    log_file_mode log_format log_level markers minversion norecursedirs python_classes python_files
    python_functions pythonpath required_plugins strict strict_config strict_markers
    strict_parametrization_ids strict_xfail testpaths tmp_path_retention_count
    tmp_path_retention_policy truncation_limit_chars truncation_limit_lines usefixtures
    verbosity_assertions verbosity_subtests verbosity_test_cases xfail_strict
""".split())

#: attributes pytest 9.2's ``config.option`` has by default (no installed plugins) that no minitest
#: option sets, with pytest's defaults: plugins read them directly (``config.option.xfail_tb``).
#: Options minitest has keep their own dest (``usepdb``, ``capture``, ``numprocesses``, ...).
PYTEST_OPTION_DEFAULTS: dict[str, object] = {
    "fold_skipped": True,
    "force_short_summary": False,
    "logger_disable": [],
    "markers": False,
    "pastebin": None,
    "strict": None,
    "traceconfig": False,
    "xfail_tb": False,
}

# -- objects made by pytest ----------------------------------------------------------------------

#: the attribute a module or class sets to mark everything in it (``pytestmark = [...]``)
PYTEST_MARK_ATTR = "pytestmark"

#: the modules pytest's classes come from (``pytest`` re-exports what ``_pytest`` defines)
PYTEST_MODULE_PREFIXES = ("_pytest", "pytest")

#: the class of ``@pytest.fixture`` functions (pytest 8.4 and later)
PYTEST_FIXTURE_DEFINITION_CLASS = "FixtureFunctionDefinition"

#: the attribute ``@pytest.fixture`` set on the function before pytest 8.4
PYTEST_LEGACY_FIXTURE_ATTR = "_pytestfixturefunction"


#: the module of pytest's outcome exceptions: minitest's derive from them when it is importable
#: (plugins test ``isinstance(exc, _pytest.outcomes.Skipped)``; hypothesis looks the module up in
#: ``sys.modules``). It imports nothing but pytest's version module, so it costs well under a ms.
PYTEST_OUTCOMES_MODULE = "_pytest.outcomes"

#: pytest's ``Skipped(..., _use_item_location=True)``: report the skip at the item, not where raised
#: (the keyword and the attribute have the same name)
PYTEST_SKIP_AT_ITEM_KWARG = "_use_item_location"


def skip_at_item_location(exc: BaseException) -> bool:
    """Whether a skip exception (minitest's or pytest's own) asks to be reported at the item."""
    return bool(getattr(exc, "use_item_location", False) or getattr(exc, PYTEST_SKIP_AT_ITEM_KWARG, False))


def is_pytest_class(cls: type) -> bool:
    """Whether ``cls`` is defined by pytest (told by its module, pytest is never imported)."""
    return str(getattr(cls, "__module__", "")).startswith(PYTEST_MODULE_PREFIXES)


def is_pytest_parameter_set(obj: object) -> bool:
    """Whether ``obj`` is pytest's ``pytest.param(...)`` (a ``ParameterSet``: values, marks, id)."""
    kind = type(obj)
    return is_pytest_class(kind) and kind.__name__ == "ParameterSet" and hasattr(obj, "values") \
        and hasattr(obj, "marks")


def is_pytest_fixture_definition(obj: object) -> bool:
    """Whether ``obj`` was made by ``@pytest.fixture`` (any pytest version)."""
    kind = type(obj)
    if kind.__module__.startswith("_pytest") and kind.__name__ == PYTEST_FIXTURE_DEFINITION_CLASS:
        return True
    return getattr(obj, PYTEST_LEGACY_FIXTURE_ATTR, None) is not None


# -- private attributes plugins read -------------------------------------------------------------

#: pytest's private attribute names of a node that plugins read (pytest-benchmark's
#: ``node._nodeid``) → the kernel attribute holding the same thing
PYTEST_NODE_ALIASES: dict[str, str] = {"_nodeid": "nodeid", "_store": "stash"}

#: the same for items: hypothesis, pytest-asyncio, anyio and pytest-rerunfailures read the
#: running test's request and fixture info under pytest's private names
PYTEST_ITEM_ALIASES: dict[str, str] = {"_request": "fixture_request", "_fixtureinfo": "fixtureinfo"}

#: the attribute of pytest's request holding the fixture manager (hypothesis asks it
#: ``getfixtureinfo(node=, func=, cls=)`` for the fixtures of a ``@given`` test)
PYTEST_REQUEST_MANAGER_ATTR = "_fixturemanager"
