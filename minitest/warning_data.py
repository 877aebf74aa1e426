"""Warnings as plain data and back: what a worker sends its controller and what the report log
records (``warnings.WarningMessage`` holds a class and an exception, which neither can carry).

The category travels as its module and qualified name; where this process cannot import it (a
warning class defined in a test module the controller never imported), a stand-in class of the
same name is made, so the warnings summary reads as it did where the warning was raised.
"""

from __future__ import annotations

import functools
import importlib
import warnings
from typing import Any

__all__ = ["category_names", "warning_category", "rebuild_warning"]


def category_names(category: object) -> tuple[str, str]:
    """``(module, qualname)`` of a warning category."""
    return getattr(category, "__module__", "builtins"), getattr(category, "__qualname__", "UserWarning")


@functools.cache
def warning_category(module: str, qualname: str) -> type[Warning]:
    """The warning class ``module.qualname``, or a stand-in of the same name."""
    try:
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        if isinstance(obj, type) and issubclass(obj, Warning):
            return obj
    except Exception:  # noqa: BLE001 - defined in a test module this process did not import
        pass
    return type(qualname.rsplit(".", 1)[-1], (Warning,), {"__module__": module})


def rebuild_warning(message: str, module: str, qualname: str, filename: str, lineno: int,
                    line: str | None = None) -> warnings.WarningMessage:
    """A ``warnings.WarningMessage`` from its plain parts."""
    category = warning_category(module, qualname)
    try:
        instance: Warning = category(message)
    except Exception:  # noqa: BLE001 - a category with an unusual constructor: keep the text
        instance = UserWarning(message)
    return warnings.WarningMessage(instance, category, filename, lineno, line=line)
