"""Finding installed plugins (entry points of one group) without paying for ``importlib.metadata``.

``importlib.metadata`` costs ~15 ms at every start (it imports email, zipfile, csv, ... and builds
a Distribution for every installed package), although most environments have no minitest plugin
at all. So the scan here reads the ``entry_points.txt`` files of the ``*.dist-info`` /
``*.egg-info`` directories on ``sys.path`` directly and only builds ``importlib.metadata``
Distributions for the few that declare the group: the entry points, their order and the
distributions are then exactly those ``importlib.metadata.distributions()`` gives.

The fast scan only covers what the standard path finder sees in plain directories. Anything
else — a zip file or a ``.egg`` directory on ``sys.path``, a non-string entry, an import finder
that provides distributions of its own — means the full ``importlib.metadata`` scan is used.
"""

from __future__ import annotations

import importlib.machinery
import os
import re
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

__all__ = ["group_entry_points", "distribution_version"]

_METADATA_SUFFIXES = (".dist-info", ".egg-info")


def group_entry_points(group: str, skip: frozenset[str] = frozenset()) -> list[tuple[Any, Any]]:
    """``(distribution, entry_point)`` for every installed entry point of ``group``, in the order
    ``importlib.metadata.distributions()`` lists them, leaving out those named in ``skip``.

    ``skip`` saves more than a filter would: a distribution whose entry points of the group are
    all skipped (pytest-xdist's, whose job a builtin does) is not read through importlib.metadata,
    so an environment with only such plugins does not pay for importing it (~9 ms a run)."""
    directories = _metadata_directories()
    if directories is None:
        return [(dist, ep) for dist, ep in _from_importlib_metadata(group) if ep.name not in skip]
    found: list[tuple[Any, Any]] = []
    for directory in directories:
        declared = _declared_names(directory, group)
        if declared is not None and not (set(declared) - skip):
            continue
        from importlib.metadata import PathDistribution
        from pathlib import Path

        dist = PathDistribution(Path(directory))
        found.extend((dist, ep) for ep in dist.entry_points if ep.group == group and ep.name not in skip)
    return found


def _from_importlib_metadata(group: str) -> Iterator[tuple[Any, Any]]:
    from importlib.metadata import distributions

    for dist in list(distributions()):
        for ep in dist.entry_points:
            if ep.group == group:
                yield dist, ep


def _metadata_directories() -> list[str] | None:
    """The metadata directories ``importlib.metadata`` would visit, in its order; None when the
    fast scan cannot promise the same answer."""
    for finder in sys.meta_path:
        if finder is not importlib.machinery.PathFinder and callable(getattr(finder, "find_distributions", None)):
            return None
    directories: list[str] = []
    for entry in list(sys.path):
        if not isinstance(entry, str):
            return None
        root = entry or os.getcwd()
        if not os.path.isdir(root):
            if os.path.exists(root):  # a zip file (or something else importlib may read)
                return None
            continue
        if os.path.basename(root).lower().endswith(".egg"):
            return None
        try:
            children = os.listdir(root)
        except OSError:
            continue
        directories.extend(_grouped_by_project(entry, children))
    return directories


def _grouped_by_project(entry: str, children: list[str]) -> list[str]:
    """Metadata directories of one ``sys.path`` entry. importlib.metadata groups them by normalized
    project name, projects in the order their first directory is listed; so does this."""
    groups: dict[str, list[str]] = {}
    for child in children:
        low = child.lower()
        if low.endswith(_METADATA_SUFFIXES):
            project = low.rpartition(".")[0].partition("-")[0]
            # importlib.metadata's normalisation (runs of "-_." become "_"); the regex only when
            # there is something to normalise, as it is the slowest part of the scan
            key = re.sub(r"[-_.]+", "_", project) if "." in project or "__" in project else project
            groups.setdefault(key, []).append(os.path.join(entry, child))
    return [path for paths in groups.values() for path in paths]


def _declared_names(directory: str, group: str) -> list[str] | None:
    """The entry-point names of section ``[group]`` of ``directory/entry_points.txt`` (empty when
    it has none), read the way importlib.metadata reads the file: stripped lines, ``#`` comments,
    brackets stripped from section names, ``name = value`` entries. None when the file cannot be
    decoded: importlib.metadata then reads it (and reports it) as it would."""
    try:
        with open(os.path.join(directory, "entry_points.txt"), encoding="utf-8") as f:
            text = f.read()
    except OSError:  # no entry points, or an ``.egg-info`` file rather than a directory
        return []
    except ValueError:
        return None
    names: list[str] = []
    inside = False
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            inside = line.strip("[]") == group
        elif inside and "=" in line:
            names.append(line.partition("=")[0].strip())
    return names


def distribution_version(module: ModuleType, project: str) -> str:
    """The installed version of ``project`` whose package is ``module`` (``pluggy``), read from the
    name of its ``<project>-<version>.dist-info`` directory beside the package.

    pluggy 1.7 computes ``pluggy.__version__`` through importlib.metadata on each read: ~9 ms for
    the header line of every run. The dist-info directory's name carries the same version (as
    installers write it, PEP 427); anything unusual falls back to the module's ``__version__``.
    """
    location = getattr(module, "__file__", None)
    if location:
        site = os.path.dirname(os.path.dirname(location))
        prefix = project.lower().replace("-", "_") + "-"
        try:
            names = os.listdir(site)
        except OSError:
            names = []
        found = [name for name in names if name.lower().startswith(prefix) and name.endswith(".dist-info")]
        if len(found) == 1:
            return str(found[0][len(prefix):-len(".dist-info")])
    return str(getattr(module, "__version__", "unknown"))
