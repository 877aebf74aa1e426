"""Options, ini values and the Config object every plugin receives.

Plugins declare options with ``parser.getgroup(name).addoption(...)`` and ini values with
``parser.addini(...)`` in ``minitest_addoption``. The command line is parsed twice: once for the
options known after the builtins are registered (enough to find the ini file and the plugins to
load), and again once every initial plugin and conftest.py is in.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from minitest.errors import UsageError
from minitest.inifile import IniFile, determine_rootdir, locate_config
from minitest.layers import ArgLayer, Layer, explain_parse_error
from minitest.pytest_names import PYTEST, PYTEST_ENTRYPOINT_GROUP, PYTEST_INI_KEYS, PYTEST_OPTION_DEFAULTS
from minitest.records import Record
from minitest.stash import Stash

Parsed = TypeVar("Parsed")

if TYPE_CHECKING:
    from minitest.pluginmanager import MinitestPluginManager
    from minitest.terminal_api import TerminalWriter

__all__ = ["Config", "Parser", "OptionGroup", "UsageError", "IniFile", "locate_config", "determine_rootdir"]

NOTSET = object()


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------


class _Option(Record):
    """One command-line option: its names (``-x``, ``--exitfirst``) and argparse attributes.

    ``names()`` and ``attrs()`` are methods, as on pytest's ``Argument``: plugins written for
    pytest read the options of a group through them (typeguard's plugin does).

    This and :class:`IniSpec` are :class:`~minitest.records.Record` subclasses, not dataclasses:
    1 ms of CPU less at every start-up (the two class creations).
    """

    __match_args__ = ("option_names", "option_attrs", "declared_in", "gives_way")
    option_names: tuple[str, ...]
    option_attrs: dict[str, Any]
    #: the source file of the code that added it: which plugin declared it (``--show-config``)
    declared_in: str
    #: withdrawn when another plugin adds an option of one of its names (see ``OptionGroup.addoption``)
    gives_way: bool

    def __init__(self, option_names: tuple[str, ...], option_attrs: dict[str, Any], declared_in: str = "",
                 gives_way: bool = False) -> None:
        self.option_names = option_names
        self.option_attrs = option_attrs
        self.declared_in = declared_in
        self.gives_way = gives_way

    def names(self) -> list[str]:
        return list(self.option_names)

    def attrs(self) -> dict[str, Any]:
        return self.option_attrs

    @property
    def dest(self) -> str:
        if "dest" in self.option_attrs:
            return str(self.option_attrs["dest"])
        longs = [n for n in self.option_names if n.startswith("--")]
        name = (longs or list(self.option_names))[0].lstrip("-")
        return name.replace("-", "_")


class IniSpec(Record):
    __match_args__ = ("name", "help", "type", "default", "declared_in")
    name: str
    help: str
    type: str | None
    default: Any
    #: the source file of the code that declared it (see ``_Option.declared_in``)
    declared_in: str

    def __init__(self, name: str, help: str, type: str | None, default: Any, declared_in: str = "") -> None:
        self.name = name
        self.help = help
        self.type = type
        self.default = default
        self.declared_in = declared_in


def _declaring_file() -> str:
    """The file of the code calling the parser from outside this module.

    A frame walk of a few steps per option (~1 µs, a few hundred options): cheaper than anything
    that would have pluggy say which plugin's ``minitest_addoption`` is running."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    return frame.f_code.co_filename


class OptionGroup:
    """A titled group of options shown together in ``--help``."""

    def __init__(self, name: str, description: str, parser: Parser) -> None:
        self.name = name
        self.description = description
        self.options: list[_Option] = []
        self._parser = parser

    def addoption(self, *names: str, **attrs: Any) -> None:
        """Add an option; the arguments are those of ``argparse.ArgumentParser.add_argument``.

        ``gives_way=True`` (minitest's, not argparse's) makes a builtin's option step aside when
        an installed plugin adds an option of the same name: ``--html`` is pytest-html's when it
        is installed. The builtin sees its option's ``dest`` keep its default."""
        gives_way = bool(attrs.pop("gives_way", False))
        clash = self._parser._taken.intersection(names)
        if clash:
            self._parser._make_way(clash)
        option = _Option(tuple(names), dict(attrs), _declaring_file(), gives_way)
        self.options.append(option)
        self._parser._taken.update(names)
        self._parser._revision += 1
        if self._parser.on_option_added is not None:
            self._parser.on_option_added(option)

    # pytest spells it this way in some plugins
    _addoption = addoption


class _ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits; we report a usage error instead
        raise UsageError(f"{self.format_usage().rstrip()}\n{self.prog}: error: {message}")


class _HelpFormatter(argparse.HelpFormatter):
    """Shows ``-x, --long=VALUE`` (the metavar once, joined with ``=``) as pytest's help does."""

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        metavar = self._format_args(action, self._get_default_metavar_for_optional(action))
        parts = []
        for option in action.option_strings:
            parts.append(f"{option}={metavar}" if option.startswith("--") else f"{option} {metavar}")
        return ", ".join(parts)


class Parser:
    """Collects the options and ini values that plugins declare."""

    def __init__(self, prog: str = "minitest") -> None:
        self.prog = prog
        self._groups: list[OptionGroup] = []
        self._taken: set[str] = set()  # every option name added so far
        # the argparse parser is built once per set of options: the bootstrap parses two or three
        # times, usually with no option added in between
        self._revision = 0
        self._built: tuple[int, _ArgumentParser] | None = None
        self._anonymous = self.getgroup("custom options", "custom options")
        self._inidict: dict[str, IniSpec] = {}
        self.extra_info: dict[str, str] = {}
        #: called for each option added; the Config uses it to give late options their default
        self.on_option_added: Callable[[_Option], None] | None = None

    def getgroup(self, name: str, description: str = "", after: str | None = None) -> OptionGroup:
        for group in self._groups:
            if group.name == name:
                return group
        group = OptionGroup(name, description or name, self)
        index = len(self._groups)
        for i, existing in enumerate(self._groups):
            if existing.name == after:
                index = i + 1
        self._groups.insert(index, group)
        self._revision += 1
        return group

    def addoption(self, *names: str, **attrs: Any) -> None:
        """Add an option to the "custom options" group."""
        self._anonymous.addoption(*names, **attrs)

    def _make_way(self, names: set[str]) -> None:
        """Withdraw the options that have one of ``names`` and give way; any other clash is the
        second plugin's error."""
        clashing = [(group, opt) for group in self._groups for opt in group.options
                    if names.intersection(opt.option_names)]
        if not clashing or not all(opt.gives_way for _, opt in clashing):
            raise ValueError(f"option names {sorted(names)} already added")
        for group, opt in clashing:
            group.options.remove(opt)
            self._taken.difference_update(opt.option_names)
        self._revision += 1

    def addini(self, name: str, help: str, type: str | None = None, default: Any = NOTSET) -> None:
        """Declare an ini value. ``type`` is one of None/"string", "args", "linelist", "paths",
        "pathlist", "bool", "int", "float"."""
        if type not in (None, "string", "args", "linelist", "paths", "pathlist", "bool", "int", "float"):
            raise ValueError(f"unknown ini type {type!r} for {name!r}")
        self._inidict[name] = IniSpec(name, help, type, default, _declaring_file())

    def all_options(self) -> Iterable[_Option]:
        for group in self._groups:
            yield from group.options

    def _build(self) -> _ArgumentParser:
        if self._built is not None and self._built[0] == self._revision:
            return self._built[1]
        ap = _ArgumentParser(prog=self.prog, usage=f"{self.prog} [options] [file_or_dir] [file_or_dir] [...]",
                             add_help=False, allow_abbrev=False,
                             formatter_class=lambda prog: _HelpFormatter(prog, max_help_position=32))
        ap.add_argument("file_or_dir", nargs="*", help="test files or directories, or node ids")
        for group in self._groups:
            if not group.options:
                continue
            ag = ap.add_argument_group(group.description)
            for opt in group.options:
                ag.add_argument(*opt.option_names, **opt.option_attrs)
        self._built = (self._revision, ap)
        return ap

    def parse(self, args: Sequence[str], namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """Parse ``args`` strictly: an unknown option is a UsageError."""
        return _with_pytest_defaults(self._build().parse_args([str(a) for a in args], namespace=namespace))

    def parse_known_args(self, args: Sequence[str]) -> argparse.Namespace:
        """Parse what is known so far; unknown options are left for the final parse."""
        ns, _unknown = self._build().parse_known_args([str(a) for a in args])
        return _with_pytest_defaults(ns)

    def unknown_args(self, args: Sequence[str]) -> list[str]:
        """The tokens of ``args`` that no declared option accepts."""
        try:
            _ns, unknown = self._build().parse_known_args([str(a) for a in args])
        except UsageError:
            return []
        return unknown

    @property
    def ini_specs(self) -> dict[str, IniSpec]:
        """The declared ini keys, by name (what ``addini`` registered)."""
        return self._inidict

    def format_help(self) -> str:
        text = self._build().format_help()
        lines = [text.rstrip(), "", "[minitest] ini-options in the first config file found "
                 "(pyproject.toml [tool.minitest], minitest.ini, tox.ini, setup.cfg):", ""]
        for spec in sorted(self._inidict.values(), key=lambda s: s.name):
            kind = spec.type or "string"
            lines.append(f"  {spec.name + ' (' + kind + '):':<32} {spec.help}")
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvocationParams:
    """How minitest was called: the arguments and the directory."""

    args: tuple[str, ...]
    dir: Path
    plugins: tuple[object, ...] = ()


def _split_args(text: str) -> list[str]:
    """``text`` split as a shell would. shlex is imported on the first call: a run with no such
    value written as text (no addopts, no pythonpath, ...) never imports it (with ``glob``, imported
    only for ``testpaths``: 0.7 ms of CPU less at start-up)."""
    import shlex

    return shlex.split(text)


def _with_pytest_defaults(namespace: argparse.Namespace) -> argparse.Namespace:
    """Give ``namespace`` the attributes pytest's has by default that no minitest option sets, with
    pytest's values: plugins read ``config.option.xfail_tb`` and the like directly."""
    for dest, default in PYTEST_OPTION_DEFAULTS.items():
        if not hasattr(namespace, dest):
            setattr(namespace, dest, list(default) if isinstance(default, list) else default)
    return namespace


class Config:
    """The run's configuration: options, ini values, rootdir, the plugin manager and its hooks."""

    def __init__(self, pluginmanager: MinitestPluginManager, invocation_params: InvocationParams) -> None:
        self.pluginmanager = pluginmanager
        #: the hooks of every plugin, callable under minitest's and pytest's names
        self.hook = pluginmanager.relay
        self.invocation_params = invocation_params
        self._parser = Parser()
        self._parser.on_option_added = self._default_for_late_option
        self.option = argparse.Namespace()
        self.known_args = argparse.Namespace()
        self.args: list[str] = []
        self.args_source = "args"
        self.rootpath: Path = invocation_params.dir
        self.inipath: Path | None = None
        self.inifile = IniFile(None)
        self.stash = Stash()
        self._inicache: dict[str, Any] = {}
        #: lines plugins appended (``addinivalue_line``): they outlive a cleared cache, since a
        #: plugin may add its markers early (pytest-django does in ``load_initial_conftests``)
        self._added_ini_lines: dict[str, list[str]] = {}
        self._parsed_ini: dict[tuple[str, Callable[[Any], Any]], tuple[Any, Any]] = {}
        self._override_ini: list[str] = []
        #: the arguments each layer contributed (config file's addopts, environment, command
        #: line), in parse order: recorded by the bootstrap, read by ``--show-config`` and by
        #: the usage errors that name a layer (``minitest.layers``)
        self.arg_layers: tuple[ArgLayer, ...] = ()
        self._cleanup: list[Callable[[], None]] = []
        self._configured = False
        self._unconfigured = False
        #: config-time warnings issued before every plugin was configured, and where
        self._config_warnings: list[tuple[Any, tuple[str, int, str]]] = []

    @property
    def known_args_namespace(self) -> argparse.Namespace:
        """pytest's name for :attr:`known_args` (pytest-cov reads it in
        ``pytest_load_initial_conftests``)."""
        return self.known_args

    # -- options ---------------------------------------------------------------------------------
    def _default_for_late_option(self, option: _Option) -> None:
        """An option added after the command line was parsed (a conftest found during collection)
        still answers ``getoption`` with its default."""
        dest = option.dest
        if not hasattr(self.option, dest):
            default = option.option_attrs.get("default")
            if default is None and option.option_attrs.get("action") in ("store_true", "store_false"):
                default = option.option_attrs["action"] == "store_false"
            setattr(self.option, dest, default)

    def getoption(self, name: str, default: Any = NOTSET, skip: bool = False) -> Any:
        """The value of an option by its dest name (``"verbose"``) or flag (``"--verbose"``)."""
        dest = name.lstrip("-").replace("-", "_") if name.startswith("-") else name
        value = getattr(self.option, dest, NOTSET)
        if value is NOTSET or (value is None and skip):
            if default is not NOTSET:
                return default
            if skip:
                from minitest.outcomes import skip as do_skip

                do_skip(f"no {name!r} option found")
            raise ValueError(f"no option named {name!r}")
        return value

    getvalue = getoption

    def getvalueorskip(self, name: str, path: object = None) -> Any:
        """pytest's ``config.getvalueorskip``: the option's value, or skip the test when it is
        unset (``None``) or unknown."""
        return self.getoption(name, skip=True)

    def addinivalue_line(self, name: str, line: str) -> None:
        """Append ``line`` to the linelist ini value ``name`` (e.g. ``markers``)."""
        values = self.getini(name)
        assert isinstance(values, list)
        values.append(line)
        self._added_ini_lines.setdefault(name, []).append(line)

    def getini(self, name: str) -> Any:
        """The ini value ``name``, converted to its declared type (cached)."""
        try:
            return self._inicache[name]
        except KeyError:
            value = self._getini(name)
            added = self._added_ini_lines.get(name)
            if added and isinstance(value, list):
                value = [*value, *added]
            self._inicache[name] = value
            return value

    def getini_parsed(self, name: str, parse: Callable[[Any], Parsed]) -> Parsed:
        """``parse(self.getini(name))``, made once and again only when the value changed.

        For ini values read per module or per test (name patterns, marker names, warning
        filters): a list may still grow after the plugins were configured
        (``addinivalue_line`` from a conftest), so the result is kept with a copy of the value
        it was made from.
        """
        value = self.getini(name)
        key = (name, parse)
        cached = self._parsed_ini.get(key)
        if cached is not None and cached[0] == value:
            return cached[1]  # type: ignore[no-any-return]
        result = parse(value)
        self._parsed_ini[key] = (list(value) if isinstance(value, list) else value, result)
        return result

    def _getini(self, name: str) -> Any:
        try:
            spec = self._parser._inidict[name]
        except KeyError:
            raise ValueError(f"unknown configuration value: {name!r}") from None
        raw: str | list[str] | None = self._override(name)
        if raw is None:
            raw = self.inifile.values.get(name)
        if raw is None:
            return ini_default(spec)
        try:
            return self._convert_ini(spec, raw)
        except UsageError as exc:
            from minitest.layers import ini_layer

            # pytest's line first (tools match it), then the layer in --show-config's words
            where = ini_layer(self, name).describe(self.invocation_params.dir)
            raise UsageError(f"{exc}\n`{name}` from {where}") from None

    def convert_ini_value(self, name: str, raw: str | list[str]) -> Any:
        """``raw`` (as written in a config file or an ``-o``) converted to the type of the ini
        key ``name``: what ``getini`` would give for it."""
        return self._convert_ini(self._parser._inidict[name], raw)

    @property
    def ini_overrides(self) -> list[str]:
        """The ``NAME=VALUE`` entries of every ``-o`` / ``--override-ini``, in order."""
        return list(self._override_ini)

    def added_ini_lines(self, name: str) -> list[str]:
        """The lines plugins appended to the ini key ``name`` with ``addinivalue_line``."""
        return list(self._added_ini_lines.get(name, ()))

    def _override(self, name: str) -> str | None:
        for entry in reversed(self._override_ini):
            key, sep, value = entry.partition("=")
            if not sep:
                raise UsageError(f"-o/--override-ini expects option=value style (got: {entry!r}).")
            if key == name:
                return value
        return None

    def _convert_ini(self, spec: IniSpec, raw: str | list[str]) -> Any:
        kind = spec.type or "string"
        base = self.inipath.parent if self.inipath else self.rootpath
        if kind in ("paths", "pathlist"):
            items = raw if isinstance(raw, list) else _split_args(raw)
            return [base / p for p in items]
        if kind == "args":
            return list(raw) if isinstance(raw, list) else _split_args(raw)
        if kind == "linelist":
            if isinstance(raw, list):
                return [line for line in raw if line]
            return [line.strip() for line in raw.splitlines() if line.strip()]
        if isinstance(raw, list):
            raw = " ".join(raw)
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on", "y", "t"):
                return True
            if lowered in ("0", "false", "no", "off", "n", "f", ""):
                return False
            raise UsageError(f"invalid truth value {raw!r} for ini value {spec.name!r}")
        if kind in ("int", "float"):
            try:
                return int(raw) if kind == "int" else float(raw)
            except ValueError:
                raise UsageError(f"invalid {kind} value {raw!r} for ini value {spec.name!r}") from None
        return raw.strip() if isinstance(raw, str) else raw

    # -- lifecycle -------------------------------------------------------------------------------
    def add_cleanup(self, func: Callable[[], None]) -> None:
        """Run ``func`` when the config is unconfigured (at the end of the run)."""
        self._cleanup.append(func)

    def do_configure(self) -> None:
        """Call ``minitest_configure`` (historic: later plugins are configured on registration).

        A Config is configured once: pluggy keeps the historic call for plugins registered later,
        so configuring again would configure those twice."""
        if self._unconfigured:
            raise RuntimeError("this Config was unconfigured; bootstrap a new one for another run")
        if not self._configured:
            self.hook.minitest_configure.call_historic(kwargs=dict(config=self))
            self._configured = True
            self._deliver_config_warnings()  # those issued while the plugins were configured

    @property
    def unconfigured(self) -> bool:
        """Whether ``minitest_unconfigure`` was called: the run is over, and the plugin manager
        registers no plugin any more (it would be configured for a run that has ended)."""
        return self._unconfigured

    def ensure_unconfigure(self) -> None:
        if self._configured:
            self._configured = False
            self._unconfigured = True
            self.hook.minitest_unconfigure(config=self)
        while self._cleanup:
            self._cleanup.pop()()

    def issue_config_time_warning(self, warning: Warning, stacklevel: int = 2) -> None:
        """A warning about the configuration, as pytest issues it: shown in the warnings summary
        and counted on the final line (not written to stderr), filtered by ``-W`` and the
        ``filterwarnings`` ini key (an ``error`` filter raises it here), nothing at all with
        ``-p no:warnings``. ``stacklevel`` 2 names the line calling this method. Plugins see it
        in ``minitest_warning_recorded`` (``when="config"``), once every plugin is configured."""
        import warnings

        from minitest.warnings_api import CONFIG_WARNING_FILTERS

        if self.pluginmanager.is_blocked("warnings"):
            return
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always", type(warning))
            apply_filters = self.stash.get(CONFIG_WARNING_FILTERS, None)
            if apply_filters is not None:
                apply_filters()
            warnings.warn(warning, stacklevel=stacklevel)
        if not records:
            return  # an "ignore" filter
        frame = sys._getframe(stacklevel - 1)
        location = (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        self._config_warnings.extend((record, location) for record in records)
        if self._configured:
            self._deliver_config_warnings()

    def _deliver_config_warnings(self) -> None:
        pending, self._config_warnings = self._config_warnings, []
        for message, location in pending:
            self.hook.minitest_warning_recorded(warning_message=message, when="config", nodeid="", location=location)

    @property
    def rootdir(self) -> Path:
        return self.rootpath

    def rootdir_relative(self, path: str | os.PathLike[str]) -> str:
        """``path`` relative to rootdir with forward slashes, as node ids write it (``sub/conftest.py``);
        a path outside rootdir as it was given."""
        try:
            return Path(path).relative_to(self.rootpath).as_posix()
        except ValueError:
            return os.fspath(path)

    def cwd_relative_nodeid(self, nodeid: str) -> str:
        """``nodeid`` as seen from the invocation directory (the terminal shows it so)."""
        inv = self.invocation_params.dir
        if inv == self.rootpath or not nodeid:
            return nodeid
        path, sep, rest = nodeid.partition("::")
        rel = os.path.relpath(self.rootpath / path, inv).replace(os.sep, "/")
        return rel + sep + rest

    def get_verbosity(self) -> int:
        return int(getattr(self.option, "verbose", 0) or 0)

    def get_terminal_writer(self) -> TerminalWriter:
        """The terminal reporter's writer, as pytest's ``Config.get_terminal_writer()`` gives it
        (pytest-icdiff asks it whether the terminal shows colour). A KeyError without a
        terminal reporter (``-p no:terminal``), as pytest fails then too."""
        from minitest.terminal_api import TERMINAL_REPORTER

        return self.stash[TERMINAL_REPORTER].writer

    # -- set by the bootstrap -------------------------------------------------------------------
    @property
    def parser(self) -> Parser:
        """The parser plugins added their options and ini keys to."""
        return self._parser

    def set_ini_overrides(self, overrides: Sequence[str]) -> None:
        """The ``-o NAME=VALUE`` values; they win over the config file."""
        self._override_ini = list(overrides)
        self.clear_ini_cache()

    def clear_ini_cache(self) -> None:
        """Forget ini values read so far (the config file, overrides or declared keys changed)."""
        self._inicache.clear()


def ini_default(spec: IniSpec) -> Any:
    """The value of an ini key that nothing set: its declared default, else its type's."""
    if spec.default is not NOTSET:
        default = spec.default
        return list(default) if isinstance(default, (list, tuple)) else default
    return {"args": [], "linelist": [], "paths": [], "pathlist": [], "bool": False}.get(spec.type or "", "")


def parse_early_plugin_args(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """The ``-p`` values of ``args`` split into plugins to load and plugins to block (``no:NAME``)."""
    load: list[str] = []
    block: list[str] = []
    i = 0
    while i < len(args):
        arg = str(args[i])
        value = None
        if arg == "-p" and i + 1 < len(args):
            value = str(args[i + 1])
            i += 1
        elif arg.startswith("-p") and len(arg) > 2:
            value = arg[2:]
        if value is not None:
            (block if value.startswith("no:") else load).append(value[3:] if value.startswith("no:") else value)
        i += 1
    return load, block



# ---------------------------------------------------------------------------------------------
# The bootstrap: from the command line to a Config with every initial plugin and conftest.py
# ---------------------------------------------------------------------------------------------


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
    parser.addini("consider_namespace_packages", "with --import-mode=importlib, name test modules after the "
                  "namespace packages they are importable from", type="bool", default=False)
    parser.addini("plugins", "plugin modules to load", type="args")
    parser.addini("testpaths", "directories to search for tests when no arguments are given", type="args")
    parser.addini("minversion", "the minimal minitest version required", type="string")
    parser.addini("pythonpath", "directories to put first on sys.path (relative to the config file)",
                  type="paths")
    cfg.addoption("--strict-config", action="store_true", default=False, dest="strict_config",
                  help="an unknown key in the config file is an error, not a warning")
    parser.addini("markers", "registered marks, one 'name: description' per line", type="linelist")


def _check_unknown_ini_keys(config: Config) -> None:
    """Keys of the config file that no plugin declared: a warning (a typo, or a setting of a
    plugin that is not installed), or with ``--strict-config`` a usage error."""
    known = config.parser.ini_specs
    unknown = sorted(key for key in config.inifile.values if key not in known)
    if not unknown:
        return
    import warnings

    pytest_config = config.inifile.flavour == PYTEST
    for key in unknown:
        if pytest_config and key in PYTEST_INI_KEYS:
            # pytest knows it (``--strict-config`` in its addopts must not stop the run): like an
            # addopts option minitest does not have, it is ignored with a warning
            message = f"pytest config option {key!r} has no minitest equivalent and is ignored"
            warnings.warn_explicit(MinitestConfigWarning(message), MinitestConfigWarning,
                                   filename=str(config.inipath), lineno=1)
            continue
        if config.getoption("strict_config", False):
            from minitest.layers import unknown_ini_key_error

            raise unknown_ini_key_error(config, key)
        warnings.warn_explicit(MinitestConfigWarning(f"Unknown config option: {key}"), MinitestConfigWarning,
                               filename=str(config.inipath), lineno=config.inifile.line_of(key) or 1)


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


def _written_for_pytest(layer: Layer, ini: IniFile) -> bool:
    """A layer of options written for pytest: a pytest config's addopts, ``PYTEST_ADDOPTS``."""
    from minitest.pytest_names import PYTEST_ADDOPTS_ENV

    return (layer.kind == "addopts" and ini.flavour == PYTEST) or layer.variable == PYTEST_ADDOPTS_ENV


def _drop_unknown_pytest_options(parser: Parser, layers: tuple[ArgLayer, ...], ini: IniFile) -> tuple[ArgLayer, ...]:
    """Options written for pytest (a pytest config's ``addopts``, ``PYTEST_ADDOPTS``) that no
    minitest plugin knows (``--cov=x`` of a pytest plugin) are dropped with a warning instead of
    failing the run."""
    return tuple(ArgLayer(layer.layer, tuple(_drop_unknown(parser, list(layer.args), layer.layer)))
                 if _written_for_pytest(layer.layer, ini) else layer for layer in layers)


def _drop_unknown(parser: Parser, addopts: list[str], layer: Layer) -> list[str]:
    import warnings

    unknown = set(parser.unknown_args(addopts))
    if not unknown:
        return addopts
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
    where = "the pytest config's addopts" if layer.kind == "addopts" else str(layer.variable)
    warnings.warn(MinitestConfigWarning(f"ignoring options from {where} that minitest "
                                        f"does not know: {' '.join(dropped)}"), stacklevel=2)
    return kept


def _initial_args(config: Config, given: list[str], invocation_dir: Path) -> list[str]:
    """The arguments to collect: those given, else ``testpaths`` (run from rootdir), else cwd."""
    if given:
        config.args_source = "args"
        return list(given)
    if invocation_dir == config.rootpath:
        found: list[str] = []
        for pattern in config.getini("testpaths"):
            import glob  # only for testpaths (see _split_args)

            matches = sorted(glob.glob(pattern, root_dir=str(config.rootpath)))
            found.extend(matches)
        if found:
            config.args_source = "testpaths"
            return found
    config.args_source = "cwd"
    return [str(invocation_dir)]


def bootstrap(args: Sequence[str], plugins: Sequence[object] = ()) -> Config:
    """Run the bootstrap (:func:`_bootstrap`) with fewer passes of the garbage collector: it
    imports and registers the builtins and builds the parser, long-lived objects only, moved to the
    oldest generation in one pass at the end (:mod:`minitest.gcpasses`; 2.6 ms of CPU less on a
    ``--lf`` run, 1.2 ms more with ``settle``)."""
    from minitest.gcpasses import fewer_gc_passes

    with fewer_gc_passes(settle=True):
        return _bootstrap(args, plugins)


def _bootstrap(args: Sequence[str], plugins: Sequence[object] = ()) -> Config:
    """Run the bootstrap and return the Config, not yet ``configure``d.

    In order (each step can add options for the next parse):

    1. the plugin manager with the hook specs and builtins (``-p no:NAME`` blocks first);
    2. ``minitest_addoption`` (historic) and a first, tolerant parse of the command line;
    3. rootdir and the config file; ``addopts`` prepended; ``minitest_prepare_imports``;
    4. ``MINITEST_PLUGINS`` / ``PYTEST_PLUGINS`` and ``-p NAME``, installed plugins (group
       ``minitest``, then pytest's ``pytest11``), ``plugins`` from the ini file; the command line
       parsed again with their options;
    5. ``minitest_load_initial_conftests``, whose last implementation (the kernel's) loads the
       conftest.py files on the way to the arguments;
    6. the final, strict parse and ``check_pending()`` (a misspelled hook is an error).
    """
    # the plugin manager module imports this one (UsageError, the Config type)
    from minitest.pluginmanager import PluginLoadError, get_plugin_manager

    invocation_dir = Path.cwd()
    from minitest import startup

    startup.display_dir = str(invocation_dir)
    args = [str(a) for a in args]
    _load, block = parse_early_plugin_args(args)
    pm = get_plugin_manager(blocked=block)
    config = Config(pm, InvocationParams(tuple(args), invocation_dir, tuple(plugins)))
    pm.bind_config(config)
    try:
        _bootstrap_plugins(config, args, invocation_dir)
    except UsageError:
        raise
    except Exception as exc:
        # a plugin's hook failed while the run was being set up (a pytest plugin reaching for a
        # pytest internal minitest lacks): name it and the way out, not minitest's traceback
        found = pm.failing_hookimpl(exc)
        if found is None:
            raise
        raise PluginLoadError(f"{pm.describe_failing_plugin(exc)}\n"
                              f"(-p no:{found[1].plugin_name} runs without it)") from exc
    return config


class _InitialConftests:
    """The kernel's implementation of ``minitest_load_initial_conftests`` (registered only during
    that call): loads the conftest.py files on the way to the initial arguments. It is the last
    implementation to run, as pytest's: every other one runs before the conftest.py files are
    imported, and a wrapper's code after its ``yield`` runs once they are."""

    name = "minitest.initial_conftests"

    @pluggy.HookimplMarker("minitest")(trylast=True)
    def minitest_load_initial_conftests(self, early_config: Config) -> None:
        invocation_dir = early_config.invocation_params.dir
        initial = _initial_args(early_config, early_config.known_args.file_or_dir, invocation_dir)
        anchors = [(invocation_dir / arg.split("::", 1)[0]).resolve() for arg in initial]
        anchors = [path for path in anchors if path.exists()] or [invocation_dir]
        for path in anchors:
            early_config.pluginmanager.load_conftests_up_to(path if path.is_dir() else path.parent)


def _bootstrap_plugins(config: Config, args: list[str], invocation_dir: Path) -> None:
    """:func:`bootstrap` from the first plugin hook on (the config and its manager exist)."""
    from minitest.layers import COMMAND_LINE, addopts_layer, env_layers, joined
    from minitest.pluginmanager import PluginOrigin, autoload_disabled, plugins_from_env

    pm = config.pluginmanager
    parser = config.parser
    add_kernel_options(parser)
    pm.hook.minitest_addhooks.call_historic(kwargs=dict(pluginmanager=pm))
    pm.hook.minitest_addoption.call_historic(kwargs=dict(parser=parser, pluginmanager=pm))
    for plugin in config.invocation_params.plugins:
        pm.register(plugin, origin=PluginOrigin("object", repr(plugin)))

    command_line = ArgLayer(COMMAND_LINE, tuple(args))
    config.arg_layers = (command_line,)
    known = _parse_known(config, args)
    rootdir, ini = determine_rootdir(known.file_or_dir, invocation_dir, known.inifilename, known.rootdir)
    config.rootpath, config.inifile, config.inipath = rootdir, ini, ini.path
    config.set_ini_overrides(known.override_ini or [])
    ini_addopts = list(config.getini("addopts"))
    before = [ArgLayer(addopts_layer(config), tuple(ini_addopts))] if ini_addopts else []
    before += env_layers()
    if before:
        # the layers before the command line, in the order they are applied (a later one wins)
        config.arg_layers = (*before, command_line)
        extra = joined(tuple(before))
        args = extra + args
        more_load, more_block = parse_early_plugin_args(extra)
        for name in more_block:
            pm.block(name)  # which unregisters a plugin registered under that name (a builtin)
        known = _parse_known(config, args)
        config.set_ini_overrides(known.override_ini or [])
    config.clear_ini_cache()
    config.known_args = known
    config.option = known

    if known.confcutdir:
        confcutdir = (invocation_dir / known.confcutdir).resolve()
    elif ini.path is not None:
        confcutdir = ini.path.parent
    else:
        confcutdir = rootdir
    pm.set_conftest_options(rootpath=rootdir, import_mode=known.importmode, noconftest=known.noconftest,
                            confcutdir=confcutdir,
                            consider_namespace_packages=config.getini("consider_namespace_packages"))
    _apply_pythonpath(config)
    pm.hook.minitest_prepare_imports(early_config=config, args=args)

    load, _ = parse_early_plugin_args(args)
    for variable, name in plugins_from_env():
        pm.import_plugin(name, PluginOrigin("env", variable))
    for name in load:
        pm.import_plugin(name, PluginOrigin("-p", name))
    if not (autoload_disabled() or known.disable_plugin_autoload):
        pm.load_entrypoint_plugins()
        pm.load_entrypoint_plugins(PYTEST_ENTRYPOINT_GROUP)
    for name in config.getini("plugins"):
        pm.import_plugin(name, PluginOrigin("ini", str(ini.path)))
    # the plugins just registered may have options (pytest-cov's --cov): known to the next hook
    known = _parse_known(config, args)
    config.known_args = config.option = known
    # the conftest.py files are loaded by the hook's last implementation, so that a wrapper of
    # the hook surrounds their import (output capture, as under pytest)
    if getattr(known, "version", False) and not getattr(known, "help", False):
        # --version answers about minitest itself: no conftest.py of the cwd is imported (its
        # code would run), as pytest; what the conftests would add is not needed to say it
        config.args = []
        return
    loader = _InitialConftests()
    pm.register(loader, _InitialConftests.name, PluginOrigin("object", "minitest.config"))
    try:
        pm.hook.minitest_load_initial_conftests(early_config=config, parser=parser, args=args)
    finally:
        pm.unregister(loader)

    if any(_written_for_pytest(layer.layer, ini) for layer in config.arg_layers):
        config.arg_layers = _drop_unknown_pytest_options(parser, config.arg_layers, ini)
        args = joined(config.arg_layers)
    try:
        config.option = parser.parse(args)
    except UsageError as exc:
        raise explain_parse_error(config, config.arg_layers, exc) from None
    config.args = _initial_args(config, config.option.file_or_dir, invocation_dir)
    config.clear_ini_cache()
    pm.check_pending()
    _check_unknown_ini_keys(config)


def _parse_known(config: Config, args: list[str]) -> argparse.Namespace:
    """A tolerant parse; a bad value is a usage error naming the layer it came from."""
    try:
        return config.parser.parse_known_args(args)
    except UsageError as exc:
        raise explain_parse_error(config, config.arg_layers, exc) from None


def stderr_write(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()
