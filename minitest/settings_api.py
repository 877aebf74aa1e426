"""Every setting of a run with the layers that set it: the contract behind ``--show-config``.

:func:`build_report` reads only what the kernel keeps anyway (the parser's declarations, the
parsed options, the config file, the ``-o`` entries and the arguments of each layer,
``config.arg_layers``) and computes the rest on demand: a normal run pays nothing for it. The
result is plain data (:class:`ConfigReport`, JSON-safe values) that a plugin renders, and that
``to_dict`` / ``from_dict`` carry through JSON unchanged (``--show-config=json``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, cast

from minitest.errors import UsageError
from minitest.layers import DEFAULT, ArgLayer, Layer, override_entries

if TYPE_CHECKING:
    import argparse

    from minitest.config import Config, _Option

__all__ = ["JsonValue", "Step", "Declarer", "Setting", "ConfigReport", "build_report", "json_value"]

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]

#: argparse actions whose layers add to the value rather than replace it (``-W``, ``-p``, ``-v``)
_ACCUMULATING = frozenset({"append", "append_const", "count", "extend"})


def json_value(value: Any) -> JsonValue:
    """``value`` as JSON can hold it: paths and other objects as strings, tuples as lists."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return repr(value)


@dataclass(frozen=True)
class Step:
    """One layer that set a setting, and the value it gave (for an accumulating option, what it
    added)."""

    layer: Layer
    value: JsonValue

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer.to_dict(), "value": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(Layer.from_dict(data["layer"]), data["value"])


@dataclass(frozen=True)
class Declarer:
    """The plugin that declared a setting: its name as ``--plugins`` lists it, and where it came
    from in the same words (``builtin (builtin_plugins.runner)``)."""

    plugin: str
    origin: str

    def to_dict(self) -> dict[str, Any]:
        return {"plugin": self.plugin, "origin": self.origin}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Declarer:
        return cls(data["plugin"], data["origin"])


KERNEL = Declarer("kernel", "minitest (the kernel)")


@dataclass(frozen=True)
class Setting:
    """A command-line option (``kind="option"``, ``name="--tb"``) or an ini key (``"ini"``)."""

    kind: Literal["option", "ini"]
    name: str
    #: the option's ``dest`` (``config.getoption(dest)``) or the ini key
    dest: str
    value: JsonValue
    default: JsonValue
    #: the layers that set it, in the order they were applied: the last one won
    steps: tuple[Step, ...]
    #: each step added to the value (``-W``, ``-p``, ``-v``) instead of replacing it
    accumulates: bool
    declared_by: Declarer

    @property
    def is_set(self) -> bool:
        """Whether any layer set it (else it has its default)."""
        return bool(self.steps)

    @property
    def layer(self) -> Layer:
        """The layer that set the value in effect."""
        return self.steps[-1].layer if self.steps else DEFAULT

    @property
    def overridden(self) -> tuple[Step, ...]:
        """The earlier steps the value in effect replaced, the latest first."""
        return () if self.accumulates else tuple(reversed(self.steps[:-1]))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "dest": self.dest, "value": self.value,
                "default": self.default, "steps": [step.to_dict() for step in self.steps],
                "accumulates": self.accumulates, "declared_by": self.declared_by.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Setting:
        return cls(kind=cast(Literal["option", "ini"], data["kind"]), name=data["name"], dest=data["dest"],
                   value=data["value"], default=data["default"],
                   steps=tuple(Step.from_dict(step) for step in data["steps"]),
                   accumulates=data["accumulates"], declared_by=Declarer.from_dict(data["declared_by"]))


@dataclass(frozen=True)
class ConfigReport:
    """The run's configuration: the config file, the layers in order, every setting."""

    invocation_dir: str
    rootdir: str
    config_file: str | None
    #: "minitest", or "pytest" for a pytest config
    flavour: str
    #: config files of the same tool beside the one used, which lost to it
    ignored_config_files: tuple[str, ...]
    #: the layers that hold something, in the order they are applied
    layers: tuple[Layer, ...]
    settings: tuple[Setting, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"invocation_dir": self.invocation_dir, "rootdir": self.rootdir, "config_file": self.config_file,
                "flavour": self.flavour, "ignored_config_files": list(self.ignored_config_files),
                "layers": [layer.to_dict() for layer in self.layers],
                "settings": [setting.to_dict() for setting in self.settings]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConfigReport:
        return cls(invocation_dir=data["invocation_dir"], rootdir=data["rootdir"], config_file=data["config_file"],
                   flavour=data["flavour"], ignored_config_files=tuple(data["ignored_config_files"]),
                   layers=tuple(Layer.from_dict(layer) for layer in data["layers"]),
                   settings=tuple(Setting.from_dict(setting) for setting in data["settings"]))


# ---------------------------------------------------------------------------------------------
# building the report
# ---------------------------------------------------------------------------------------------


def build_report(config: Config) -> ConfigReport:
    """Every option and ini key of ``config`` with its steps, options first, each sorted by name."""
    declarer = _declarer_finder(config)
    ini = config.inifile
    layers: list[Layer] = []
    if ini.path is not None and ini.values:
        layers.append(Layer("config file", path=str(ini.path)))
    layers += [arg_layer.layer for arg_layer in config.arg_layers]
    settings = sorted(_option_settings(config, declarer), key=lambda s: s.name.lstrip("-").lower())
    settings += sorted(_ini_settings(config, declarer), key=lambda s: s.name)
    return ConfigReport(
        invocation_dir=str(config.invocation_params.dir), rootdir=str(config.rootpath),
        config_file=str(ini.path) if ini.path is not None else None, flavour=ini.flavour,
        ignored_config_files=tuple(str(path) for path in ini.ignored), layers=tuple(layers),
        settings=tuple(settings))


def _display_name(option: _Option) -> str:
    longs = [name for name in option.option_names if name.startswith("--")]
    return longs[0] if longs else option.option_names[0]


def _mentions(options: list[_Option], tokens: tuple[str, ...]) -> bool:
    """Whether ``tokens`` name one of ``options`` (a layer may set an option to its default)."""
    for name in (name for option in options for name in option.option_names):
        for token in tokens:
            if token == name or (name.startswith("--") and token.startswith(name + "=")):
                return True
            if not name.startswith("--") and not token.startswith("--") and token.startswith(name):
                return True  # -n2, -ra
    return False


def _by_dest(parser_options: list[_Option]) -> dict[str, list[_Option]]:
    """The options of each dest (``-x`` and ``--maxfail`` both set ``maxfail``), the one named
    after the dest first: it is the one shown."""
    grouped: dict[str, list[_Option]] = {}
    for option in parser_options:
        grouped.setdefault(option.dest, []).append(option)
    for dest, options in grouped.items():
        named = "--" + dest.replace("_", "-")
        options.sort(key=lambda option: named not in option.option_names)
    return grouped


def _contribution(value: Any, default: Any, action: str) -> Any:
    """What one layer added to an accumulating option."""
    if action == "count":
        return int(value or 0) - int(default or 0)
    if isinstance(value, list) and isinstance(default, list):
        return value[len(default):]
    return value


def _option_settings(config: Config, declarer: Callable[[str], Declarer]) -> list[Setting]:
    parser = config.parser
    defaults = parser.parse_known_args([])
    parsed: list[tuple[ArgLayer, argparse.Namespace]] = [
        (arg_layer, parser.parse_known_args(list(arg_layer.args))) for arg_layer in config.arg_layers]
    settings = []
    for dest, options in _by_dest(list(parser.all_options())).items():
        option = options[0]
        if option.option_attrs.get("help") == "==SUPPRESS==":
            continue
        action = str(option.option_attrs.get("action", "store"))
        accumulates = action in _ACCUMULATING
        default = getattr(defaults, dest, None)
        steps = []
        for arg_layer, namespace in parsed:
            value = getattr(namespace, dest, default)
            if value != default or _mentions(options, arg_layer.args):
                shown = _contribution(value, default, action) if accumulates else value
                steps.append(Step(arg_layer.layer, json_value(shown)))
        settings.append(Setting("option", _display_name(option), dest,
                                json_value(getattr(config.option, dest, default)), json_value(default),
                                tuple(steps), accumulates, declarer(option.declared_in)))
    return settings


def _ini_settings(config: Config, declarer: Callable[[str], Declarer]) -> list[Setting]:
    from minitest.config import ini_default

    ini = config.inifile
    # the -o entries of each layer, in the order they were parsed (the last one wins)
    overrides = [(arg_layer.layer, entry) for arg_layer in config.arg_layers
                 for entry in override_entries(arg_layer.args)]
    settings = []
    for name, spec in config.parser.ini_specs.items():
        steps = []
        if name in ini.values and ini.path is not None:
            layer = Layer("config file", path=str(ini.path), line=ini.line_of(name))
            steps.append(Step(layer, _converted(config, name, ini.values[name])))
        for via, entry in overrides:
            key, _, raw = entry.partition("=")
            if key == name:
                steps.append(Step(Layer("override", entry=entry, via=via), _converted(config, name, raw)))
        added = config.added_ini_lines(name)
        if added:
            steps.append(Step(Layer("plugin"), json_value(added)))
        try:
            value = config.getini(name)
        except UsageError:
            value = steps[-1].value if steps else None  # a bad value: shown as written
        settings.append(Setting("ini", name, name, json_value(value), json_value(ini_default(spec)),
                                tuple(steps), False, declarer(spec.declared_in)))
    return settings


def _converted(config: Config, name: str, raw: str | list[str]) -> JsonValue:
    try:
        return json_value(config.convert_ini_value(name, raw))
    except UsageError:
        return json_value(raw)


def _module_of(plugin: object) -> ModuleType | None:
    if isinstance(plugin, ModuleType):
        return plugin
    return sys.modules.get(type(plugin).__module__)


def _declarer_finder(config: Config) -> Callable[[str], Declarer]:
    """file → the plugin whose module it is (or which package holds it), as ``--plugins`` names it."""
    pm = config.pluginmanager
    kernel_dir = os.path.dirname(os.path.abspath(__file__))
    by_file: dict[str, str] = {}
    packages: list[tuple[str, str]] = []
    # modules first: a plugin object of a class (a reporter's part) shares its module's file
    pairs = sorted(pm.list_name_plugin(), key=lambda pair: not isinstance(pair[1], ModuleType))
    for name, plugin in pairs:
        module = _module_of(plugin)
        filename = getattr(module, "__file__", None) if module is not None else None
        if not filename or name is None:
            continue
        filename = os.path.abspath(filename)
        by_file.setdefault(filename, name)
        if os.path.basename(filename) == "__init__.py":
            packages.append((os.path.dirname(filename) + os.sep, name))
    packages.sort(key=lambda pair: -len(pair[0]))

    def find(declared_in: str) -> Declarer:
        filename = os.path.abspath(declared_in) if declared_in else ""
        if not filename or filename.startswith(kernel_dir + os.sep):
            return KERNEL
        name = by_file.get(filename) or next((n for d, n in packages if filename.startswith(d)), None)
        if name is None:
            return Declarer(display_file(filename, config), "not a registered plugin")
        origin = pm.origins.get(name)
        return Declarer(config.rootdir_relative(name), origin.describe() if origin is not None else "object")

    return find


def display_file(filename: str, config: Config) -> str:
    return config.rootdir_relative(Path(filename))
