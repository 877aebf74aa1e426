"""The console entry point: build the Config, call ``minitest_cmdline_main``, return an ExitCode.

Bootstrap, in order (each step can add options for the next parse):

1. the plugin manager with the hook specs and builtins (``-p no:NAME`` blocks first);
2. ``minitest_addoption`` (historic) and a first, tolerant parse of the command line;
3. rootdir and the config file; ``addopts`` prepended; ``minitest_load_initial_conftests``;
4. ``MINITEST_PLUGINS`` and ``-p NAME``, installed plugins, ``plugins`` from the ini file;
5. the conftest.py files on the way to the arguments;
6. the final, strict parse and ``check_pending()`` (a misspelled hook is an error).
"""

from __future__ import annotations

import enum
import glob
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from minitest.config import (
    Config,
    InvocationParams,
    Parser,
    UsageError,
    determine_rootdir,
    parse_early_plugin_args,
)
from minitest.pluginmanager import (
    ConftestImportFailure,
    PluginOrigin,
    autoload_disabled,
    get_plugin_manager,
    plugins_from_env,
)

__all__ = ["ExitCode", "main", "console_main", "prepare_config", "MinitestConfigWarning"]


class ExitCode(enum.IntEnum):
    """The process exit codes, the same as pytest's."""

    OK = 0
    TESTS_FAILED = 1
    INTERRUPTED = 2
    INTERNAL_ERROR = 3
    USAGE_ERROR = 4
    NO_TESTS_COLLECTED = 5


class MinitestConfigWarning(UserWarning):
    """Something in the configuration is questionable (an unknown key, an ignored option)."""


def add_kernel_options(parser: Parser) -> None:
    """The options the bootstrap itself reads (plugins, config file, rootdir, imports)."""
    group = parser.getgroup("general", "general")
    group.addoption("-p", action="append", dest="plugins", default=[], metavar="name",
                    help="early-load the plugin module NAME; -p no:NAME blocks a plugin (builtin or installed)")
    group.addoption("--disable-plugin-autoload", action="store_true", default=False,
                    help="do not load installed plugins (entry-point group 'minitest'), "
                         "like MINITEST_DISABLE_PLUGIN_AUTOLOAD")
    cfg = parser.getgroup("config", "configuration")
    cfg.addoption("-c", "--config-file", dest="inifilename", metavar="FILE",
                  help="use FILE as the config file (and its directory as rootdir)")
    cfg.addoption("--rootdir", dest="rootdir", metavar="ROOTDIR",
                  help="the rootdir: node ids are relative to it, the cache lives in it")
    cfg.addoption("-o", "--override-ini", dest="override_ini", action="append", default=[],
                  metavar="NAME=VALUE", help="override an ini value, e.g. -o xfail_strict=true")
    cfg.addoption("--confcutdir", dest="confcutdir", metavar="DIR",
                  help="only load conftest.py files at or below DIR")
    cfg.addoption("--noconftest", action="store_true", default=False, help="do not load any conftest.py files")
    cfg.addoption("--import-mode", dest="importmode", default="prepend",
                  choices=("prepend", "append", "importlib"),
                  help="how test modules are imported: prepend (default), append or importlib")
    parser.addini("addopts", "extra command line options", type="args")
    parser.addini("plugins", "plugin modules to load", type="args")
    parser.addini("testpaths", "directories to search for tests when no arguments are given", type="args")
    parser.addini("minversion", "the minimal minitest version required", type="string")
    parser.addini("pythonpath", "directories to put first on sys.path (relative to the config file)",
                  type="paths")
    cfg.addoption("--strict-config", action="store_true", default=False, dest="strict_config",
                  help="an unknown key in the config file is an error, not a warning")
    parser.addini("markers", "registered marks, one 'name: description' per line", type="linelist")


def prepare_config(args: Sequence[str], plugins: Sequence[object] = ()) -> Config:
    """Run the bootstrap and return the configured-but-not-yet-``configure``d Config."""
    invocation_dir = Path.cwd()
    args = [str(a) for a in args]
    _load, block = parse_early_plugin_args(args)
    pm = get_plugin_manager(blocked=block)
    config = Config(pm, InvocationParams(tuple(args), invocation_dir, tuple(plugins)))
    pm.config = config
    parser = config._parser
    add_kernel_options(parser)
    pm.hook.minitest_addoption.call_historic(kwargs=dict(parser=parser, pluginmanager=pm))
    for plugin in plugins:
        pm.register(plugin, origin=PluginOrigin("object", repr(plugin)))

    known = parser.parse_known_args(args)
    rootdir, ini = determine_rootdir(known.file_or_dir, invocation_dir, known.inifilename, known.rootdir)
    config.rootpath, config.inifile, config.inipath = rootdir, ini, ini.path
    config._override_ini = list(known.override_ini or [])
    ini_addopts = list(config.getini("addopts"))
    extra = ini_addopts + config._read_env_addopts()
    if extra:
        args = extra + args
        more_load, more_block = parse_early_plugin_args(extra)
        for name in more_block:
            pm.block(name)
            if pm.get_plugin(name) is not None:
                pm.unregister(name=name)
        known = parser.parse_known_args(args)
        config._override_ini = list(known.override_ini or [])
    config._inicache.clear()
    config.known_args = known
    config.option = known

    pm.rootpath = rootdir
    pm.import_mode = known.importmode
    pm.noconftest = known.noconftest
    if known.confcutdir:
        pm.confcutdir = (invocation_dir / known.confcutdir).resolve()
    elif ini.path is not None:
        pm.confcutdir = ini.path.parent
    else:
        pm.confcutdir = rootdir
    _apply_pythonpath(config)
    pm.hook.minitest_load_initial_conftests(early_config=config, parser=parser, args=args)

    load, _ = parse_early_plugin_args(args)
    for name in plugins_from_env():
        pm.import_plugin(name, PluginOrigin("env", "MINITEST_PLUGINS"))
    for name in load:
        pm.import_plugin(name, PluginOrigin("-p", name))
    if not (autoload_disabled() or known.disable_plugin_autoload):
        pm.load_entrypoint_plugins()
    for name in config.getini("plugins"):
        pm.import_plugin(name, PluginOrigin("ini", str(ini.path)))

    initial = _initial_args(config, known.file_or_dir, invocation_dir)
    anchors = [(invocation_dir / arg.split("::", 1)[0]).resolve() for arg in initial]
    anchors = [path for path in anchors if path.exists()] or [invocation_dir]
    for path in anchors:
        pm.load_conftests_up_to(path if path.is_dir() else path.parent)

    if ini.flavour == "pytest" and ini_addopts:
        args = _drop_unknown_pytest_addopts(parser, args, len(ini_addopts))
    config.option = parser.parse(args)
    config.args = _initial_args(config, config.option.file_or_dir, invocation_dir)
    config._inicache.clear()
    pm.check_pending()
    _check_unknown_ini_keys(config)
    return config


#: the config keys of pytest itself (pytest 9), some of which minitest does not implement
_PYTEST_INI_KEYS = frozenset("""
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


def _check_unknown_ini_keys(config: Config) -> None:
    """Keys of the config file that no plugin declared: a warning (a typo, or a setting of a
    plugin that is not installed), or with ``--strict-config`` a usage error."""
    known = config._parser._inidict
    unknown = sorted(key for key in config.inifile.values if key not in known)
    if not unknown:
        return
    import warnings

    pytest_config = config.inifile.flavour == "pytest"
    for key in unknown:
        if pytest_config and key in _PYTEST_INI_KEYS:
            # pytest knows it (``--strict-config`` in its addopts must not stop the run): like an
            # addopts option minitest does not have, it is ignored with a warning
            message = f"pytest config option {key!r} has no minitest equivalent and is ignored"
            warnings.warn_explicit(MinitestConfigWarning(message), MinitestConfigWarning,
                                   filename=str(config.inipath), lineno=1)
            continue
        message = f"Unknown config option: {key}"
        if config.getoption("strict_config", False):
            raise UsageError(message)
        warnings.warn_explicit(MinitestConfigWarning(message), MinitestConfigWarning,
                               filename=str(config.inipath), lineno=1)


def _apply_pythonpath(config: Config) -> None:
    """The ``pythonpath`` ini key: its directories go first on ``sys.path`` (in the order given)
    before any plugin or conftest.py is imported, and leave it when the run ends."""
    paths = [str(p) for p in config.getini("pythonpath")]
    for path in reversed(paths):
        sys.path.insert(0, path)

    def restore() -> None:
        for path in paths:
            if path in sys.path:
                sys.path.remove(path)

    if paths:
        config.add_cleanup(restore)


def _drop_unknown_pytest_addopts(parser: Parser, args: list[str], count: int) -> list[str]:
    """Options from a pytest config's ``addopts`` that no minitest plugin knows (``--cov=x`` of a
    pytest plugin) are dropped with a warning instead of failing the run."""
    import warnings

    addopts, rest = args[:count], args[count:]
    unknown = set(parser.unknown_args(addopts))
    if not unknown:
        return args
    kept: list[str] = []
    dropped: list[str] = []
    skip_value = False
    for token in addopts:
        if skip_value:
            skip_value = False
            if not token.startswith("-"):
                dropped.append(token)
                continue
        if token in unknown:
            dropped.append(token)
            skip_value = token.startswith("-") and "=" not in token
            continue
        kept.append(token)
    warnings.warn(MinitestConfigWarning(f"ignoring options from the pytest config's addopts that minitest "
                                        f"does not know: {' '.join(dropped)}"), stacklevel=2)
    return kept + rest


def _initial_args(config: Config, given: list[str], invocation_dir: Path) -> list[str]:
    """The arguments to collect: those given, else ``testpaths`` (run from rootdir), else cwd."""
    if given:
        config.args_source = "args"
        return list(given)
    if invocation_dir == config.rootpath:
        found: list[str] = []
        for pattern in config.getini("testpaths"):
            matches = sorted(glob.glob(pattern, root_dir=str(config.rootpath)))
            found.extend(matches)
        if found:
            config.args_source = "testpaths"
            return found
    config.args_source = "cwd"
    return [str(invocation_dir)]


def main(args: Sequence[str] | None = None, plugins: Sequence[object] = ()) -> int:
    """Run minitest with ``args`` (default ``sys.argv[1:]``); return the exit code."""
    if args is None:
        args = sys.argv[1:]
    try:
        config = prepare_config(args, plugins)
    except ConftestImportFailure as exc:
        sys.stderr.write(f"ERROR: {exc}\n")
        return ExitCode.USAGE_ERROR
    except UsageError as exc:
        lines = str(exc).splitlines() or [""]
        sys.stderr.write(f"ERROR: {lines[0]}\n")
        for line in lines[1:]:
            sys.stderr.write(f"{line}\n")
        if lines[0].startswith("usage:"):
            inifile, rootdir = _early_location(args)
            sys.stderr.write(f"  inifile: {inifile}\n  rootdir: {rootdir}\n")
        return ExitCode.USAGE_ERROR
    try:
        result = config.hook.minitest_cmdline_main(config=config)
        return int(result if result is not None else ExitCode.OK)
    except UsageError as exc:
        sys.stderr.write(f"ERROR: {exc}\n")
        return ExitCode.USAGE_ERROR
    finally:
        config.ensure_unconfigure()


def _early_location(args: Sequence[str]) -> tuple[str, str]:
    """Best-effort config file and rootdir for a usage message (the parse itself failed)."""
    try:
        positional = [a for a in args if not str(a).startswith("-")]
        rootdir, ini = determine_rootdir(positional, Path.cwd(), None, None)
        return (str(ini.path) if ini.path else "None"), str(rootdir)
    except Exception:
        return "None", str(Path.cwd())


def _skip_exit_collection() -> None:
    """The process ends right after this: keep the interpreter's final garbage collections from
    walking everything the run made.

    At exit CPython clears every module and runs full collections over what is left: the test
    modules, their classes and functions, every node of the collection tree. After a large
    collection that costs more than a fifth of a ``--collect-only`` run. Frozen objects are left
    out of those passes; atexit handlers still run, and objects freed by reference counting are
    still finalized as usual. Only here, where minitest owns the process: ``main()`` called
    in-process leaves the caller's garbage collector alone.
    """
    import gc

    gc.freeze()


def console_main() -> int:
    """The ``minitest`` console script: flushes stdout and survives a closed pipe."""
    try:
        code = main()
        sys.stdout.flush()
        _skip_exit_collection()
        return code
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
