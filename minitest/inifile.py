"""Finding and reading the config file: minitest's own files first, else pytest's; and rootdir.

Reads ``minitest.ini`` / ``[tool.minitest]`` / ``[minitest]`` sections, else the pytest ones
(``pytest.toml``, ``pytest.ini``, ``[tool.pytest]`` / ``[tool.pytest.ini_options]``, ``[pytest]`` /
``[tool:pytest]``); the names of
pytest's files come from :mod:`minitest.pytest_names`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minitest.errors import UsageError
from minitest.pytest_names import (
    PYTEST,
    PYTEST_CONFIG_CANDIDATES,
    PYTEST_INI_FILES,
    PYTEST_TOML_FILES,
    PYTEST_TOML_TABLE,
)

if TYPE_CHECKING:
    import configparser

__all__ = ["IniFile", "MINITEST_CONFIG_CANDIDATES", "load_config_file", "locate_config", "common_ancestor", "args_to_paths",
           "determine_rootdir"]


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


def _tool_pytest_values(path: Path, data: dict[str, Any]) -> dict[str, str | list[str]] | None:
    """pytest 9's two tables of a pyproject.toml: ``[tool.pytest]`` itself in native TOML types
    (``addopts = ["-ra"]``), or, as before pytest 9, ``[tool.pytest.ini_options]``; both at once is
    pytest's usage error. None when there is neither."""
    tool = data.get("tool", {})
    table = tool.get(PYTEST) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        return None
    native = {k: v for k, v in table.items() if k != PYTEST_TOML_TABLE}
    ini_options = table.get(PYTEST_TOML_TABLE)
    if native and ini_options:
        raise UsageError(
            f"{path}: Cannot use both [tool.pytest] (native TOML types) and "
            "[tool.pytest.ini_options] (string-based INI format) simultaneously. "
            "Please use [tool.pytest] with native TOML types (recommended) "
            "or [tool.pytest.ini_options] for backwards compatibility.")
    if native:
        return _toml_values(native)
    if isinstance(ini_options, dict):
        return _toml_values(ini_options)
    return None


def _pytest_table_values(path: Path, data: dict[str, Any]) -> dict[str, str | list[str]] | None:
    """The ``[pytest]`` table of pytest 9's own ``pytest.toml``; keys outside any table are
    pytest's usage error (the usual way of getting the table wrong)."""
    table = data.get(PYTEST)
    if isinstance(table, dict):
        return _toml_values(table)
    top_level = [key for key, value in data.items() if not isinstance(value, dict)]
    if top_level:
        raise UsageError(f"{path}: pytest configuration must be under a [pytest] table "
                         f"(found top-level options: {', '.join(top_level)})")
    return None


def load_config_file(path: Path, *, tool: str) -> IniFile | None:
    """Read ``path`` as a config file of ``tool`` ("minitest" or PYTEST); None if it has no section.

    A dedicated file (minitest.ini / pytest.ini / pytest.toml) counts even when empty.
    """
    name = path.name
    if tool == PYTEST and name in PYTEST_TOML_FILES:
        return IniFile(path, _pytest_table_values(path, _read_toml(path)) or {}, tool)
    if tool == PYTEST and path.suffix == ".toml":
        data = _read_toml(path)
        values = _tool_pytest_values(path, data)
        if values is None:
            # a file named by -c reads pytest's own [pytest] table, as pytest.toml does
            values = None if name == "pyproject.toml" else _pytest_table_values(path, data)
        elif PYTEST in data and name != "pyproject.toml":
            raise UsageError(f"{path}: Cannot use both [pytest] and [tool.pytest]/[tool.pytest.ini_options] in "
                             "the same file. Please use [pytest], which is what pytest's own configuration "
                             "files use; the [tool.pytest] tables are meant for pyproject.toml.")
        return None if values is None else IniFile(path, values, tool)
    if name == "pyproject.toml":
        table = _read_toml(path).get("tool", {}).get("minitest")
        return IniFile(path, _toml_values(table), tool) if isinstance(table, dict) else None
    if name in _MINITEST_INI_FILES or name in PYTEST_INI_FILES:
        parser = _read_ini(path)
        section = tool
        values = dict(parser.items(section)) if parser.has_section(section) else {}
        return IniFile(path, values, tool)
    if name == "tox.ini" or name == "setup.cfg" or path.suffix in (".ini", ".cfg"):
        parser = _read_ini(path)
        sections = [f"tool:{tool}", tool] if name == "setup.cfg" else [tool, f"tool:{tool}"]
        for section in sections:
            if parser.has_section(section):
                return IniFile(path, dict(parser.items(section)), tool)
        return None
    if path.suffix == ".toml":
        table = _read_toml(path).get("tool", {}).get(tool)
        return IniFile(path, _toml_values(table), tool) if isinstance(table, dict) else None
    return None


MINITEST_CONFIG_CANDIDATES = ("pyproject.toml", "minitest.ini", ".minitest.ini", "tox.ini", "setup.cfg")


def _walk_up(start: Path) -> Iterable[Path]:
    yield start
    yield from start.parents


def locate_config(ancestor: Path) -> IniFile | None:
    """The first minitest config walking up from ``ancestor``; else the first pytest config."""
    for tool, candidates in (("minitest", MINITEST_CONFIG_CANDIDATES), (PYTEST, PYTEST_CONFIG_CANDIDATES)):
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


#: what ``-c FILE`` may name (by suffix; pyproject.toml, tox.ini, setup.cfg have one of them too)
CONFIG_FILE_SUFFIXES = (".cfg", ".ini", ".toml")


def _given_config_file(inifile_arg: str, invocation_dir: Path, ancestor: Path) -> tuple[IniFile, Path]:
    """The config file ``-c/--config-file`` names, and the rootdir it gives; a usage error in
    pytest's words for a path that does not exist, is a directory, or has no known format. A path
    that is no regular file (``-c /dev/null``) means no config, and says nothing of the rootdir:
    that is the arguments' common ancestor (the invocation directory rather than ``/``), and the
    header still names it as the config file."""
    shown = os.path.abspath(invocation_dir / inifile_arg)
    path = Path(shown)
    if not path.exists():
        raise UsageError(f"Config file '{shown}' not found. Check your '-c/--config-file' option.")
    if path.is_dir():
        raise UsageError(f"Config file '{shown}' is a directory. Check your '-c/--config-file' option.")
    if not path.is_file():
        rootdir = ancestor if ancestor.parent != ancestor else invocation_dir
        return IniFile(path), rootdir
    if path.suffix not in CONFIG_FILE_SUFFIXES:
        raise UsageError(f"Config file '{shown}' has an unsupported format. "
                         f"Supported extensions are: {', '.join(CONFIG_FILE_SUFFIXES)}.")
    path = path.resolve()
    ini = load_config_file(path, tool="minitest") or load_config_file(path, tool=PYTEST) or IniFile(path)
    return ini, path.parent


def determine_rootdir(args: Sequence[str], invocation_dir: Path, inifile_arg: str | None,
                      rootdir_arg: str | None) -> tuple[Path, IniFile]:
    """Find rootdir and the config file as pytest does: the config file's directory, else the
    nearest ``setup.py``, else the common ancestor of the arguments."""
    ancestor = common_ancestor(args_to_paths(args, invocation_dir), invocation_dir)
    ini: IniFile | None
    rootdir: Path | None
    if inifile_arg:
        ini, rootdir = _given_config_file(inifile_arg, invocation_dir, ancestor)
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


