"""Options, ini values and the Config object every plugin receives.

Plugins declare options with ``parser.getgroup(name).addoption(...)`` and ini values with
``parser.addini(...)`` in ``minitest_addoption``. The command line is parsed twice: once for the
options known after the builtins are registered (enough to find the ini file and the plugins to
load), and again once every initial plugin and conftest.py is in.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from minitest.stash import Stash

Parsed = TypeVar("Parsed")

if TYPE_CHECKING:
    import configparser

    from minitest.pluginmanager import MinitestPluginManager

__all__ = ["Config", "Parser", "OptionGroup", "UsageError", "IniFile", "locate_config", "determine_rootdir"]

_NOTSET = object()


class UsageError(Exception):
    """A problem with how minitest was invoked (options, paths, config, plugins): exit code 4."""


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------


@dataclass
class _Option:
    names: tuple[str, ...]
    attrs: dict[str, Any]

    @property
    def dest(self) -> str:
        if "dest" in self.attrs:
            return str(self.attrs["dest"])
        longs = [n for n in self.names if n.startswith("--")]
        name = (longs or list(self.names))[0].lstrip("-")
        return name.replace("-", "_")


@dataclass
class IniSpec:
    name: str
    help: str
    type: str | None
    default: Any


class OptionGroup:
    """A titled group of options shown together in ``--help``."""

    def __init__(self, name: str, description: str, parser: Parser) -> None:
        self.name = name
        self.description = description
        self.options: list[_Option] = []
        self._parser = parser

    def addoption(self, *names: str, **attrs: Any) -> None:
        """Add an option; the arguments are those of ``argparse.ArgumentParser.add_argument``."""
        clash = self._parser._taken.intersection(names)
        if clash:
            raise ValueError(f"option names {sorted(clash)} already added")
        option = _Option(tuple(names), dict(attrs))
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

    def addini(self, name: str, help: str, type: str | None = None, default: Any = _NOTSET) -> None:
        """Declare an ini value. ``type`` is one of None/"string", "args", "linelist", "paths",
        "pathlist", "bool", "int", "float"."""
        if type not in (None, "string", "args", "linelist", "paths", "pathlist", "bool", "int", "float"):
            raise ValueError(f"unknown ini type {type!r} for {name!r}")
        self._inidict[name] = IniSpec(name, help, type, default)

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
                ag.add_argument(*opt.names, **opt.attrs)
        self._built = (self._revision, ap)
        return ap

    def parse(self, args: Sequence[str], namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        """Parse ``args`` strictly: an unknown option is a UsageError."""
        return self._build().parse_args([str(a) for a in args], namespace=namespace)

    def parse_known_args(self, args: Sequence[str]) -> argparse.Namespace:
        """Parse what is known so far; unknown options are left for the final parse."""
        ns, _unknown = self._build().parse_known_args([str(a) for a in args])
        return ns

    def unknown_args(self, args: Sequence[str]) -> list[str]:
        """The tokens of ``args`` that no declared option accepts."""
        try:
            _ns, unknown = self._build().parse_known_args([str(a) for a in args])
        except UsageError:
            return []
        return unknown

    def format_help(self) -> str:
        text = self._build().format_help()
        lines = [text.rstrip(), "", "[minitest] ini-options in the first config file found "
                 "(pyproject.toml [tool.minitest], minitest.ini, tox.ini, setup.cfg):", ""]
        for spec in sorted(self._inidict.values(), key=lambda s: s.name):
            kind = spec.type or "string"
            lines.append(f"  {spec.name + ' (' + kind + '):':<32} {spec.help}")
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Finding and reading the ini file
# ---------------------------------------------------------------------------------------------


#: minitest's own ini files: they count as its config even when empty
_MINITEST_INI_FILES = ("minitest.ini", ".minitest.ini")


@dataclass
class IniFile:
    """The config file in use: its path, its values, and which tool it was written for."""

    path: Path | None
    values: dict[str, str | list[str]] = field(default_factory=dict)
    flavour: str = "minitest"  # or PYTEST when read from a pytest config


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: {exc}") from None


def _read_ini(path: Path) -> configparser.RawConfigParser:
    import configparser  # only when an ini-style config file exists: most runs have none or a toml one

    parser = configparser.RawConfigParser(strict=False, inline_comment_prefixes=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep keys' case
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error) as exc:
        raise UsageError(f"{path}: {exc}") from None
    return parser


def _toml_values(table: dict[str, Any]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for key, value in table.items():
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    return out


def load_config_file(path: Path, *, tool: str) -> IniFile | None:
    """Read ``path`` as a config file of ``tool`` ("minitest" or PYTEST); None if it has no section.

    A dedicated file (minitest.ini / pytest.ini) counts even when empty.
    """
    name = path.name
    if name == "pyproject.toml":
        data = _read_toml(path)
        section = "minitest" if tool == "minitest" else PYTEST
        table = data.get("tool", {}).get(section)
        if tool == PYTEST and isinstance(table, dict):
            table = table.get(PYTEST_TOML_TABLE)
        if isinstance(table, dict):
            return IniFile(path, _toml_values(table), tool)
        return None
    if name in _MINITEST_INI_FILES or name in PYTEST_INI_FILES:
        parser = _read_ini(path)
        section = tool
        values = dict(parser.items(section)) if parser.has_section(section) else {}
        return IniFile(path, values, tool)  # type: ignore[arg-type]
    if name == "tox.ini" or name == "setup.cfg" or path.suffix in (".ini", ".cfg"):
        parser = _read_ini(path)
        sections = [f"tool:{tool}", tool] if name == "setup.cfg" else [tool, f"tool:{tool}"]
        for section in sections:
            if parser.has_section(section):
                return IniFile(path, dict(parser.items(section)), tool)  # type: ignore[arg-type]
        return None
    if path.suffix == ".toml":
        data = _read_toml(path)
        table = data.get("tool", {}).get(tool)
        if isinstance(table, dict):
            if tool == PYTEST:
                table = table.get(PYTEST_TOML_TABLE, table)
            return IniFile(path, _toml_values(table), tool)
        return None
    return None


_MINITEST_CANDIDATES = ("pyproject.toml", "minitest.ini", ".minitest.ini", "tox.ini", "setup.cfg")


def _walk_up(start: Path) -> Iterable[Path]:
    yield start
    yield from start.parents


def locate_config(ancestor: Path) -> IniFile | None:
    """The first minitest config walking up from ``ancestor``; else the first pytest config."""
    for tool, candidates in (("minitest", _MINITEST_CANDIDATES), (PYTEST, PYTEST_CONFIG_CANDIDATES)):
        for directory in _walk_up(ancestor):
            for name in candidates:
                path = directory / name
                if path.is_file():
                    found = load_config_file(path, tool=tool)
                    if found is not None:
                        return found
    return None


def common_ancestor(paths: Iterable[Path], invocation_dir: Path) -> Path:
    existing = [p for p in paths if p.exists()]
    if not existing:
        return invocation_dir
    common = Path(os.path.commonpath([str(p) for p in existing]))
    return common.parent if common.is_file() else common


def args_to_paths(args: Iterable[str], invocation_dir: Path) -> list[Path]:
    paths = []
    for arg in args:
        if arg.startswith("-"):
            continue
        base = arg.split("::", 1)[0]
        paths.append((invocation_dir / base).resolve() if base else invocation_dir)
    return paths


def determine_rootdir(args: Sequence[str], invocation_dir: Path, inifile_arg: str | None,
                      rootdir_arg: str | None) -> tuple[Path, IniFile]:
    """Find rootdir and the config file as pytest does: the config file's directory, else the
    nearest ``setup.py``, else the common ancestor of the arguments."""
    ancestor = common_ancestor(args_to_paths(args, invocation_dir), invocation_dir)
    ini: IniFile | None
    if inifile_arg:
        path = (invocation_dir / inifile_arg).resolve()
        if not path.is_file():
            raise UsageError(f"config file not found: {inifile_arg}")
        ini = load_config_file(path, tool="minitest") or load_config_file(path, tool=PYTEST) or IniFile(path)
        rootdir = path.parent if not rootdir_arg else None
    else:
        ini = locate_config(ancestor)
        rootdir = ini.path.parent if ini and ini.path else None
        if rootdir is None:
            for directory in _walk_up(ancestor):
                if (directory / "setup.py").is_file():
                    rootdir = directory
                    break
        if rootdir is None:
            for directory in _walk_up(ancestor):
                if (directory / "pyproject.toml").is_file():
                    rootdir = directory
                    ini = IniFile(directory / "pyproject.toml")
                    break
        if rootdir is None:
            # no config anywhere: the common ancestor of cwd and the arguments, unless that is "/"
            common = Path(os.path.commonpath([str(invocation_dir), str(ancestor)]))
            rootdir = ancestor if common.parent == common else common
    if rootdir_arg:
        rootdir = (invocation_dir / os.path.expandvars(rootdir_arg)).resolve()
        if not rootdir.is_dir():
            raise UsageError(f"Directory '{rootdir}' not found. Check your '--rootdir' option.")
    assert rootdir is not None
    return rootdir, ini or IniFile(None)


# ---------------------------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvocationParams:
    """How minitest was called: the arguments and the directory."""

    args: tuple[str, ...]
    dir: Path
    plugins: tuple[object, ...] = ()


class Config:
    """The run's configuration: options, ini values, rootdir, the plugin manager and its hooks."""

    def __init__(self, pluginmanager: MinitestPluginManager, invocation_params: InvocationParams) -> None:
        self.pluginmanager = pluginmanager
        self.hook = pluginmanager.hook
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
        self._parsed_ini: dict[tuple[str, Callable[[Any], Any]], tuple[Any, Any]] = {}
        self._override_ini: list[str] = []
        self._cleanup: list[Callable[[], None]] = []
        self._configured = False

    # -- options ---------------------------------------------------------------------------------
    def _default_for_late_option(self, option: _Option) -> None:
        """An option added after the command line was parsed (a conftest found during collection)
        still answers ``getoption`` with its default."""
        dest = option.dest
        if not hasattr(self.option, dest):
            default = option.attrs.get("default")
            if default is None and option.attrs.get("action") in ("store_true", "store_false"):
                default = option.attrs["action"] == "store_false"
            setattr(self.option, dest, default)

    def getoption(self, name: str, default: Any = _NOTSET, skip: bool = False) -> Any:
        """The value of an option by its dest name (``"verbose"``) or flag (``"--verbose"``)."""
        dest = name.lstrip("-").replace("-", "_") if name.startswith("-") else name
        try:
            value = getattr(self.option, dest)
        except AttributeError:
            if default is not _NOTSET:
                return default
            raise ValueError(f"no option named {name!r}") from None
        if value is None and skip:
            from minitest.outcomes import skip as do_skip

            do_skip(f"no {name!r} option found")
        return value

    getvalue = getoption

    def addinivalue_line(self, name: str, line: str) -> None:
        """Append ``line`` to the linelist ini value ``name`` (e.g. ``markers``)."""
        values = self.getini(name)
        assert isinstance(values, list)
        values.append(line)

    def getini(self, name: str) -> Any:
        """The ini value ``name``, converted to its declared type (cached)."""
        try:
            return self._inicache[name]
        except KeyError:
            value = self._inicache[name] = self._getini(name)
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
        raw = self._override(name)
        if raw is None:
            raw = self.inifile.values.get(name)
        if raw is None:
            if spec.default is not _NOTSET:
                default = spec.default
                return list(default) if isinstance(default, (list, tuple)) else default
            return {"args": [], "linelist": [], "paths": [], "pathlist": [], "bool": False}.get(spec.type or "", "")
        return self._convert_ini(spec, raw)

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
            items = raw if isinstance(raw, list) else shlex.split(raw)
            return [base / p for p in items]
        if kind == "args":
            return list(raw) if isinstance(raw, list) else shlex.split(raw)
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
        """Call ``minitest_configure`` (historic: later plugins are configured on registration)."""
        if not self._configured:
            self._configured = True
            self.hook.minitest_configure.call_historic(kwargs=dict(config=self))

    def ensure_unconfigure(self) -> None:
        if self._configured:
            self._configured = False
            self.hook.minitest_unconfigure(config=self)
            self.hook.minitest_configure._call_history = []
        while self._cleanup:
            self._cleanup.pop()()

    def issue_config_time_warning(self, warning: Warning, stacklevel: int = 2) -> None:
        import warnings

        warnings.warn(warning, stacklevel=stacklevel + 1)

    @property
    def rootdir(self) -> Path:
        return self.rootpath

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

    def _read_env_addopts(self) -> list[str]:
        return shlex.split(os.environ.get("MINITEST_ADDOPTS", ""))


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


def stderr_write(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()
