"""Finding and reading the config file: minitest's own files first, else pytest's; and rootdir.

Reads ``minitest.ini`` / ``[tool.minitest]`` / ``[minitest]`` sections, else the pytest ones
(``pytest.toml``, ``pytest.ini``, ``[tool.pytest]`` / ``[tool.pytest.ini_options]``, ``[pytest]`` /
``[tool:pytest]``); the names of
pytest's files come from :mod:`minitest.pytest_names`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
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
from minitest.records import Record

if TYPE_CHECKING:
    import configparser

__all__ = ["IniFile", "MINITEST_CONFIG_CANDIDATES", "load_config_file", "locate_config", "common_ancestor", "args_to_paths",
           "determine_rootdir"]


#: minitest's own ini files: they count as its config even when empty
_MINITEST_INI_FILES = ("minitest.ini", ".minitest.ini")


class IniFile(Record):
    """The config file in use: its path, its values, and which tool it was written for.

    A :class:`~minitest.records.Record`, not a dataclass: 0.6 ms of CPU less at every start-up."""

    __match_args__ = ("path", "values", "flavour", "ignored")
    path: Path | None
    values: dict[str, str | list[str]]
    flavour: str  # "minitest", or PYTEST when read from a pytest config
    #: config files of the same tool in the same directory that lost to this one (pytest warns
    #: about them in its header: a setting written there is silently not used)
    ignored: tuple[Path, ...]

    def __init__(self, path: Path | None, values: dict[str, str | list[str]] | None = None, flavour: str = "minitest",
                 ignored: tuple[Path, ...] = ()) -> None:
        self.path = path
        self.values = {} if values is None else values
        self.flavour = flavour
        self.ignored = ignored

    def line_of(self, key: str) -> int | None:
        """The line of the config file where ``key`` is set (1-based), or None.

        Neither tomllib nor configparser keeps positions, and a normal run never needs them: the
        file is scanned again only for ``--show-config`` and for error messages."""
        if self.path is None or not self.path.is_file():
            return None
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        return _key_line(text, key, _section_headers(self.path.name, self.flavour))


def _section_headers(filename: str, tool: str) -> tuple[str, ...]:
    """The section headers under which ``tool``'s keys may stand in a file named ``filename``."""
    if filename.endswith(".toml"):
        return (f"[tool.{tool}]", f"[tool.{tool}.ini_options]", f"[{tool}]")
    return (f"[{tool}]", f"[tool:{tool}]")


def _key_line(text: str, key: str, headers: tuple[str, ...]) -> int | None:
    """The line number of ``key = ...`` inside one of ``headers``' sections of ``text``."""
    import re

    assignment = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=:]")
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            inside = stripped.split("#", 1)[0].strip() in headers
        elif inside and assignment.match(line):
            return number
    return None


def _toml_error_line(exc: Exception, path: Path) -> int | None:
    """The line tomllib reports in its message ("... (at line 3, column 5)"; the last line for
    "... (at end of document)")."""
    import re

    found = re.search(r"at line (\d+)", str(exc))
    if found:
        return int(found.group(1))
    if "end of document" in str(exc):
        try:
            return max(1, len(path.read_bytes().splitlines()))
        except OSError:
            return None
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        # "FILE:LINE: message", as a compiler says it: an editor jumps to it
        line = _toml_error_line(exc, path)
        raise UsageError(f"{path}{f':{line}' if line else ''}: not valid TOML: {exc}") from None


def _ini_error(exc: Exception) -> tuple[int | None, str]:
    """The first line configparser's error names and what is wrong there (its errors keep line
    numbers as attributes; their messages name the file, which the caller already does)."""
    errors = getattr(exc, "errors", None)  # ParsingError: [(lineno, line), ...]
    if errors and isinstance(errors[0], tuple):
        lineno, line = errors[0]
        text = str(line)
        if text[:1] in "'\"":  # Python < 3.13 keeps the line's repr
            import ast

            text = str(ast.literal_eval(text))
        return int(lineno), f"cannot parse {text.strip()!r} (not 'key = value' nor a [section])"
    lineno = getattr(exc, "lineno", None)
    line = getattr(exc, "line", None)
    if type(exc).__name__ == "MissingSectionHeaderError":
        return lineno, f"{str(line).strip()!r} comes before any [section]"
    return (lineno if isinstance(lineno, int) else None), str(exc).splitlines()[0]


def _read_ini(path: Path) -> configparser.RawConfigParser:
    import configparser  # only when an ini-style config file exists: most runs have none or a toml one

    parser = configparser.RawConfigParser(strict=False, inline_comment_prefixes=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep keys' case
    try:
        parser.read(path, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except configparser.Error as exc:
        line, reason = _ini_error(exc)
        raise UsageError(f"{path}{f':{line}' if line else ''}: not a valid ini file: {reason}") from None
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
            for index, name in enumerate(candidates):
                path = directory / name
                if path.is_file():
                    found = load_config_file(path, tool=tool)
                    if found is not None:
                        found.ignored = _competitors(directory, candidates[index + 1:], tool)
                        return found
    return None


def _competitors(directory: Path, names: Sequence[str], tool: str) -> tuple[Path, ...]:
    """The files among ``names`` in ``directory`` that hold ``tool``'s config too: they lost to
    the one found first. A file is parsed only when its text names the tool's section, so the
    usual neighbours (a tox.ini or setup.cfg for other tools) cost a read, not a parse."""
    ignored: list[Path] = []
    for name in names:
        path = directory / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        dedicated = name in _MINITEST_INI_FILES or name in PYTEST_INI_FILES or name in PYTEST_TOML_FILES
        if not dedicated and tool not in text:
            continue
        try:
            if load_config_file(path, tool=tool) is not None:
                ignored.append(path)
        except UsageError:
            ignored.append(path)  # broken, but it would compete: naming it is the point
    return tuple(ignored)


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


