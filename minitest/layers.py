"""The layers a setting can come from, and usage errors that name the layer.

Configuration is built in layers, later ones winning: the defaults the plugins declare, the
config file, its ``addopts``, ``PYTEST_ADDOPTS`` and ``MINITEST_ADDOPTS``, the command line (and
for ini keys ``-o NAME=VALUE``, from whichever of those holds it). The bootstrap records the
arguments of each layer as :class:`ArgLayer` (a few tuples: nothing is computed per option on a
normal run); ``--show-config`` and the error messages below derive everything else from them.

A :class:`Layer` describes itself in one set of words, used by ``--show-config`` and by every
usage error about a setting: "addopts in pyproject.toml", "MINITEST_ADDOPTS", "the command
line", "pyproject.toml:4", "-o xfail_strict=true from the command line".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, cast

from minitest.errors import UsageError
from minitest.pytest_names import PYTEST_ADDOPTS_ENV, PYTEST_PLUGIN_OPTIONS

if TYPE_CHECKING:
    from minitest.config import Config, Parser

__all__ = ["Layer", "ArgLayer", "LayerKind", "LAYER_ORDER", "MINITEST_ADDOPTS_ENV", "explain_parse_error",
           "ini_layer", "unknown_ini_key_error", "display_path", "override_entries", "COMMAND_LINE", "DEFAULT"]

#: the environment variable of minitest's own extra options
MINITEST_ADDOPTS_ENV = "MINITEST_ADDOPTS"

LayerKind = Literal["default", "config file", "addopts", "environment", "override", "command line",
                    "plugin"]

#: the layers in the order they are applied (a later one wins), as docs/configuration.md lists them
LAYER_ORDER: tuple[LayerKind, ...] = ("default", "config file", "addopts", "environment", "override",
                                      "command line", "plugin")


def display_path(path: str | os.PathLike[str], base: Path) -> str:
    """``path`` relative to ``base`` when it is inside it (``pyproject.toml``), else absolute."""
    try:
        return Path(path).relative_to(base).as_posix()
    except ValueError:
        return os.fspath(path)


class Layer(NamedTuple):
    """One source of settings. ``path`` is absolute (tools read it); :meth:`describe` shows it
    relative to the invocation directory.

    A NamedTuple, not a dataclass: the bootstrap makes a few on every run, and defining a
    dataclass costs about as much as the rest of this module's import."""

    kind: LayerKind
    #: the config file ("config file", "addopts")
    path: str | None = None
    #: the line in the config file ("config file", when known)
    line: int | None = None
    #: the environment variable ("environment")
    variable: str | None = None
    #: ``NAME=VALUE`` of an ``-o`` ("override")
    entry: str | None = None
    #: the layer of arguments the ``-o`` was given in ("override")
    via: Layer | None = None

    def describe(self, base: Path | None = None) -> str:
        """The layer in the words of ``--show-config`` and of usage errors."""
        shown = display_path(self.path, base) if self.path is not None and base is not None else self.path
        if self.kind == "config file":
            return f"{shown}:{self.line}" if self.line else str(shown)
        if self.kind == "addopts":
            return f"addopts in {shown}"
        if self.kind == "environment":
            return str(self.variable)
        if self.kind == "override":
            via = f" from {self.via.describe(base)}" if self.via is not None else ""
            return f"-o {self.entry}{via}"
        if self.kind == "command line":
            return "the command line"
        if self.kind == "plugin":
            return "added by a plugin (config.addinivalue_line)"
        return "default"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "path": self.path, "line": self.line,
                                "variable": self.variable, "entry": self.entry,
                                "via": self.via.to_dict() if self.via is not None else None}
        return {key: value for key, value in data.items() if value is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layer:
        via = data.get("via")
        return cls(kind=cast(LayerKind, data["kind"]), path=data.get("path"), line=data.get("line"),
                   variable=data.get("variable"), entry=data.get("entry"),
                   via=cls.from_dict(via) if via else None)


COMMAND_LINE = Layer("command line")
DEFAULT = Layer("default")


class ArgLayer(NamedTuple):
    """The arguments one layer put on the command line (in the order they are parsed)."""

    layer: Layer
    args: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# usage errors that name the layer (only computed when a parse has failed)
# ---------------------------------------------------------------------------------------------


def explain_parse_error(config: Config, layers: tuple[ArgLayer, ...], exc: UsageError) -> UsageError:
    """The error of a parse of ``layers``' arguments, naming the layer at fault.

    Each layer's arguments are parsed alone to find it. The command line keeps argparse's usage
    message (pytest's, which tools match) with the explanation on a line of its own; an error in
    another layer is the explanation alone: the usage line would point at the wrong place."""
    parser = config.parser
    base = config.invocation_params.dir
    for arg_layer in layers:
        where = arg_layer.layer.describe(base)
        try:
            unknown = parser.unknown_args(arg_layer.args)
            parser.parse_known_args(arg_layer.args)
        except UsageError as bad:
            detail = str(bad).splitlines()[-1].split("error: ", 1)[-1]
            name, _, reason = detail.partition(": ")
            line = f"`{name.removeprefix('argument ')}` from {where}: {reason}" if reason else f"{where}: {detail}"
            return _combined(exc, arg_layer.layer, line)
        options = [token for token in unknown if token.startswith("-")]
        if options:
            name = options[0].split("=", 1)[0]
            return _combined(exc, arg_layer.layer, f"`{name}` from {where}: {why_unknown(config, layers, name)}")
    return exc


def _combined(exc: UsageError, layer: Layer, line: str) -> UsageError:
    if layer.kind == "command line" and str(exc).startswith("usage:"):
        first, _, rest = str(exc).partition("\n")
        return UsageError(f"{first}\n{rest}\n{line}" if rest else f"{first}\n{line}")
    return UsageError(line)


def why_unknown(config: Config, layers: tuple[ArgLayer, ...], option: str) -> str:
    """Why no plugin defines ``option``: the plugin that would is blocked (and by which layer),
    is installed but not loaded, or is not installed (named when minitest knows it)."""
    pm = config.pluginmanager
    for name in pm.blocked_names():
        if option in _options_of_blocked(config, name):
            return f"the plugin that defines it, {name}, is blocked (-p no:{name}{_given_in(layers, name, config)})"
    project = PYTEST_PLUGIN_OPTIONS.get(option)
    if project is None:
        return "no installed plugin defines it"
    if _installed(project):
        return (f"{project} is installed but installed plugins are not loaded "
                "(MINITEST_DISABLE_PLUGIN_AUTOLOAD, PYTEST_DISABLE_PLUGIN_AUTOLOAD or --disable-plugin-autoload)")
    return f"no installed plugin defines it ({project} is not installed)"


def _given_in(layers: tuple[ArgLayer, ...], name: str, config: Config) -> str:
    for arg_layer in layers:
        args = arg_layer.args
        for i, token in enumerate(args):
            value = args[i + 1] if token == "-p" and i + 1 < len(args) else token[2:] if token.startswith("-p") else ""
            if value == f"no:{name}":
                return f" from {arg_layer.layer.describe(config.invocation_params.dir)}"
    return ""


def _installed(project: str) -> bool:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        distribution(project)
    except PackageNotFoundError:
        return False
    return True


def _options_of_blocked(config: Config, name: str) -> set[str]:
    """The option names the blocked plugin ``name`` would add: its ``addoption`` hook is called
    on a scratch parser (builtins by module name, installed plugins by entry point)."""
    import importlib

    from minitest.config import Parser
    from minitest.pluginmanager import BUILTIN_PLUGINS, PYTEST_BUILTIN_ALIASES
    from minitest.pytest_names import PYTEST_ENTRYPOINT_GROUP

    builtin = BUILTIN_PLUGINS.get(PYTEST_BUILTIN_ALIASES.get(name, name))
    try:
        if builtin is not None:
            module: Any = importlib.import_module(builtin)
        else:
            from minitest.entrypoints import group_entry_points

            found = [ep for group in ("minitest", PYTEST_ENTRYPOINT_GROUP)
                     for _dist, ep in group_entry_points(group) if ep.name == name]
            if not found:
                return set()
            module = found[0].load()
    except Exception:
        return set()  # a plugin that cannot even be imported explains nothing
    scratch = Parser()
    for hook in ("minitest_addoption", "pytest_addoption"):
        function = getattr(module, hook, None)
        if callable(function):
            _call_addoption(function, scratch, config)
    return set(scratch._taken)


def _call_addoption(function: Any, parser: Parser, config: Config) -> None:
    import inspect

    kwargs = {"parser": parser, "pluginmanager": config.pluginmanager}
    try:
        names = inspect.signature(function).parameters
        function(**{name: kwargs[name] for name in names if name in kwargs})
    except Exception:
        pass  # the scratch parse is a diagnosis: a plugin failing in it must not hide the error


def ini_layer(config: Config, name: str) -> Layer:
    """The layer the ini key ``name`` got its value from: the last ``-o NAME=...`` (and the layer
    of arguments holding it), else its line in the config file, else the default."""
    for arg_layer in reversed(config.arg_layers):
        for entry in reversed(override_entries(arg_layer.args)):
            if entry.partition("=")[0] == name:
                return Layer("override", entry=entry, via=arg_layer.layer)
    if name in config.inifile.values and config.inifile.path is not None:
        return Layer("config file", path=str(config.inifile.path), line=config.inifile.line_of(name))
    return DEFAULT


def override_entries(args: tuple[str, ...]) -> list[str]:
    """The ``NAME=VALUE`` of each ``-o`` / ``--override-ini`` in ``args``, in order."""
    entries = []
    for i, token in enumerate(args):
        if token in ("-o", "--override-ini") and i + 1 < len(args):
            entries.append(args[i + 1])
        elif token.startswith("--override-ini="):
            entries.append(token.partition("=")[2])
        elif token.startswith("-o") and not token.startswith("--") and len(token) > 2:
            entries.append(token[2:])
    return entries


def unknown_ini_key_error(config: Config, key: str) -> UsageError:
    """``--strict-config`` and a key no plugin declares: pytest's first line, then the layer."""
    where = ini_layer(config, key).describe(config.invocation_params.dir)
    return UsageError(f"Unknown config option: {key}\n`{key}` from {where}: no plugin declares it")


def addopts_layer(config: Config) -> Layer:
    """Where ``addopts`` came from: ``-o addopts=...`` on the command line, else the config file."""
    layer = ini_layer(config, "addopts")
    if layer.kind == "config file":
        return Layer("addopts", path=layer.path)
    return layer


def env_layers() -> list[ArgLayer]:
    """``PYTEST_ADDOPTS`` then ``MINITEST_ADDOPTS`` (minitest's own wins, coming later)."""
    found = []
    for variable in (PYTEST_ADDOPTS_ENV, MINITEST_ADDOPTS_ENV):
        value = os.environ.get(variable, "")
        if value.strip():
            import shlex  # only for a variable that is set (see minitest.config._split_args)

            found.append(ArgLayer(Layer("environment", variable=variable), tuple(shlex.split(value))))
    return found


def joined(layers: tuple[ArgLayer, ...]) -> list[str]:
    """The arguments of every layer, in order: what the final parse reads."""
    return [arg for arg_layer in layers for arg in arg_layer.args]
