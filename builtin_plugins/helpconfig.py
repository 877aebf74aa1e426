"""``--help``, ``--version`` and ``--plugins``: answers about minitest itself, then exit."""

from __future__ import annotations

import os
import sys

import pluggy

from minitest import hookimpl
from minitest.config import Config, Parser
from minitest.errors import UsageError
from minitest.pluginmanager import BUILTIN_PLUGINS, PYTEST_BUILTIN_ALIASES
from minitest.pytest_names import PYTEST_ENTRYPOINT_GROUP, PYTEST_PLUGINS_REPLACED
from minitest.version import __version__


def minitest_addoption(parser: Parser) -> None:
    group = parser.getgroup("debugconfig", "debugging and configuration info")
    group.addoption("-V", "--version", action="store_true", default=False, dest="version",
                    help="print minitest's version and exit")
    group.addoption("-h", "--help", action="store_true", default=False, dest="help",
                    help="show help message and configuration info")
    group.addoption("--plugins", action="store_true", default=False, dest="list_plugins",
                    help="list every registered plugin: where it came from and the hooks it implements")
    group.addoption("--debug", action="store", nargs="?", const=DEBUG_FILE, default=None, dest="debug",
                    metavar="DEBUG_FILE_NAME",
                    help="store internal tracing debug information (every hook call, plugin registration) "
                         f"in this log file; it is opened with 'w' and truncated. Default: {DEBUG_FILE}")


#: ``--debug``'s file when none is named (pytest writes ``pytestdebug.log``)
DEBUG_FILE = "minitestdebug.log"


@hookimpl(tryfirst=True)
def minitest_load_initial_conftests(early_config: Config) -> None:
    """``--debug``: pluggy's own tracing (each hook call with its arguments and results, each
    plugin registered) into a file, from the first conftest.py on to the end of the run, as
    pytest's ``--debug``."""
    path = early_config.known_args.debug
    if not path:
        return
    try:
        debugfile = open(path, "w", encoding="utf-8")  # noqa: SIM115  # closed by the cleanup below
    except OSError as exc:
        raise UsageError(f"--debug: cannot write {path}: {exc.strerror}") from None
    params = early_config.invocation_params
    debugfile.write(f"versions minitest-{__version__}, pluggy-{pluggy.__version__}, "
                    f"python-{'.'.join(map(str, sys.version_info[:3]))}\n"
                    f"invocation_dir={params.dir}\ncwd={os.getcwd()}\nargs={list(params.args)}\n\n")
    pm = early_config.pluginmanager
    pm.trace.root.setwriter(debugfile.write)
    undo_tracing = pm.enable_tracing()
    sys.stderr.write(f"writing minitest debug information to {path}\n")

    def unset_tracing() -> None:
        undo_tracing()
        pm.trace.root.setwriter(None)
        debugfile.close()
        sys.stderr.write(f"wrote minitest debug information to {debugfile.name}\n")

    early_config.add_cleanup(unset_tracing)


@hookimpl(tryfirst=True)
def minitest_cmdline_main(config: Config) -> int | None:
    if config.getoption("version", False):
        sys.stdout.write(f"minitest {__version__}\n")
        return 0
    if config.getoption("help", False):
        sys.stdout.write(config.parser.format_help())
        sys.stdout.write("\nenvironment variables:\n"
                         "  MINITEST_ADDOPTS                  extra command line options\n"
                         "  PYTEST_ADDOPTS                    pytest's extra options (before MINITEST_ADDOPTS)\n"
                         "  MINITEST_PLUGINS                  comma-separated plugin modules to load\n"
                         "  MINITEST_DISABLE_PLUGIN_AUTOLOAD  do not load installed plugins\n"
                         "  NO_COLOR / FORCE_COLOR            turn colour off / on\n")
        return 0
    if config.getoption("list_plugins", False):
        config.do_configure()
        sys.stdout.write(describe_plugins(config))
        return 0
    return None


def describe_plugins(config: Config) -> str:
    """The ``--plugins`` listing: name, origin and hooks of each plugin, then blocked names."""
    pm = config.pluginmanager
    lines = [f"minitest {__version__} with pluggy {pluggy.__version__}", "", "registered plugins:"]
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda np: _origin_order(pm, np[0])):
        if plugin is None or name is None:
            continue
        origin = pm.origins.get(name)
        where = "object" if origin is None else origin.describe()
        hooks = pm.plugin_hooks(plugin)
        lines.append(f"  {config.rootdir_relative(name)}")
        lines.append(f"      from: {where}")
        lines.append(f"      hooks: {', '.join(hooks) if hooks else '(none)'}")
    installed = _installed_entry_points()
    replaced = sorted(name for name in installed if name in PYTEST_PLUGINS_REPLACED)
    if replaced:
        lines.append("")
        lines.append("pytest plugins not loaded (a builtin does their job):")
        for name in replaced:
            lines.append(f"  {name} ({installed[name][1]}): the builtin {PYTEST_PLUGINS_REPLACED[name]!r} runs instead")
    blocked = pm.blocked_names()
    missing = [n for n in BUILTIN_PLUGINS if pm.get_plugin(n) is None and n not in blocked]
    lines.append("")
    lines.append("blocked: " + (", ".join(blocked) if blocked else "(none)"))
    for name in blocked:
        # say what each blocked name stands for, so a typo in -p no:NAME is visible
        if name in BUILTIN_PLUGINS:
            what = f"builtin ({BUILTIN_PLUGINS[name]})"
        elif name in PYTEST_BUILTIN_ALIASES:
            what = f"pytest's name for the builtin {PYTEST_BUILTIN_ALIASES[name]!r}"
        elif name in installed:
            what = installed[name][0]
        else:
            what = "no plugin of this name is installed"
        lines.append(f"  {name}: {what}")
    if missing:
        lines.append("builtins not available in this build: " + ", ".join(missing))
    return "\n".join(lines) + "\n"


def _installed_entry_points() -> dict[str, tuple[str, str]]:
    """Entry-point name → (description, "distribution version") of every installed plugin (groups
    ``minitest`` and ``pytest11``)."""
    from importlib.metadata import distributions

    found: dict[str, tuple[str, str]] = {}
    for dist in distributions():
        for ep in dist.entry_points:
            if ep.group in ("minitest", PYTEST_ENTRYPOINT_GROUP):
                kind = "pytest plugin, entry point" if ep.group == PYTEST_ENTRYPOINT_GROUP else "entry point"
                project = f"{dist.metadata['name']} {dist.version}"
                found[ep.name] = (f"{kind} {ep.value} (distribution {project})", project)
    return found


_KIND_ORDER = {"builtin": 0, "env": 1, "-p": 1, "entrypoint": 2, "pytest-entrypoint": 2, "ini": 3, "conftest": 4,
               "module": 5, "object": 6}


def _origin_order(pm: object, name: str) -> tuple[int, str]:
    origin = getattr(pm, "origins", {}).get(name)
    return (_KIND_ORDER.get(origin.kind, 9) if origin else 9, name)
