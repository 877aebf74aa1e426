"""Locations reported by a worker that runs a ``--rsyncdir`` copy, said with the project's paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def map_paths(value: Any, path_map: Sequence[tuple[str, str]]) -> Any:
    """``value`` (a report or warning as plain data) with the worker's copy paths replaced by the
    project's, so locations read as in a run here (``test_a.py:3``, not ``~/pyexecnetcache/...``)."""
    if not path_map:
        return value
    if isinstance(value, str):
        for remote, local in path_map:
            if remote in value:
                value = value.replace(remote + "/", local + "/")
                if value == remote:
                    value = local
        return value
    if isinstance(value, dict):
        return {k: map_paths(v, path_map) for k, v in value.items()}
    if isinstance(value, list):
        return [map_paths(v, path_map) for v in value]
    return value
