"""Rendering exceptions as the failure text of a report (``--tb`` styles, ``-l``, chains).

Frames are cut to start at the test function, frames that set ``__tracebackhide__`` and frames
of minitest, its builtin plugins and pluggy are hidden (unless that would hide everything).
Styles: ``auto`` (long for the first and last entry, short between), ``long``, ``short``,
``line``, ``native`` and ``no``.
"""

from __future__ import annotations

import linecache
import os
import textwrap
import traceback
from pathlib import Path
from types import CodeType, FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from minitest.reports import FailureRepr, ReprCrash
from minitest.saferepr import saferepr

if TYPE_CHECKING:
    from minitest.nodes import Node

__all__ = ["format_failure", "format_exception_for_node", "exconly", "INTERNAL_DIRS", "raise_location",
           "display_path"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def _internal_dirs() -> tuple[str, ...]:
    import pluggy

    dirs = [_HERE + os.sep, os.path.join(os.path.dirname(_HERE), "builtin_plugins") + os.sep,
            os.path.dirname(os.path.abspath(pluggy.__file__)) + os.sep]
    return tuple(dirs)


INTERNAL_DIRS = _internal_dirs()
_ENTRY_SEP = "_ " * 39 + "_"


def exconly(exc: BaseException) -> str:
    """``Type: message`` of ``exc``, without the ``AssertionError:`` prefix of rewritten asserts."""
    try:
        text = "".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n")
    except BaseException:
        text = f"{type(exc).__name__}: <unpresentable>"
    if isinstance(exc, AssertionError):
        # pytest's rule, kept for identical output: the prefix goes when repr() starts this way
        try:
            short = repr(exc).startswith("AssertionError('assert ")
        except BaseException:
            short = False
        if short:
            return _with_notes(_safe_str(exc), exc)
    if type(exc).__module__ == "minitest.outcomes":
        return _with_notes(f"{type(exc).__name__}: {_safe_str(exc)}", exc)
    return text  # format_exception_only already added the notes


def _with_notes(text: str, exc: BaseException) -> str:
    """``text`` followed by the exception's notes (PEP 678: ``add_note``; hypothesis puts the
    falsifying example there), as Python's own traceback shows them."""
    notes = getattr(exc, "__notes__", None)
    if not isinstance(notes, (list, tuple)) or not notes:
        return text
    return "\n".join([text, *(str(note) for note in notes)])


def _safe_str(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:
        return ""


def _is_hidden(frame: FrameType) -> bool:
    value = frame.f_locals.get("__tracebackhide__", frame.f_globals.get("__tracebackhide__", False))
    if callable(value):
        try:
            return bool(value(None))
        except Exception:
            return False
    return bool(value)


def raise_location(exc: BaseException, *, skip_hidden: bool = False) -> tuple[str, int] | None:
    """(file, line) of the innermost frame of ``exc``'s traceback, None without a traceback.

    ``skip_hidden``: frames that set ``__tracebackhide__`` (``skip()``, ``importorskip()``,
    helpers) are passed over, so the location is the line that called them.
    """
    last = None
    tb = exc.__traceback__
    while tb is not None:
        if not (skip_hidden and _is_hidden(tb.tb_frame)):
            last = tb
        tb = tb.tb_next
    if last is None:
        return None
    return last.tb_frame.f_code.co_filename, last.tb_lineno


def _entries(tb: TracebackType | None, cut_code: CodeType | None, full: bool) -> list[TracebackType]:
    entries: list[TracebackType] = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    if cut_code is not None:
        # from the test function; else (a fixture of the test's module failed) from the first
        # frame in the test's file, as pytest cuts: a plugin's fixture_setup wrapper above it
        # (pytest-asyncio's) is not shown
        starts = [i for i, entry in enumerate(entries) if entry.tb_frame.f_code is cut_code] or \
                 [i for i, entry in enumerate(entries) if entry.tb_frame.f_code.co_filename == cut_code.co_filename]
        if starts:
            entries = entries[starts[0]:]
    if full:
        return entries
    kept = [e for e in entries
            if not _is_hidden(e.tb_frame) and not e.tb_frame.f_code.co_filename.startswith(INTERNAL_DIRS)
            and not _is_import_machinery(e.tb_frame.f_code.co_filename)]
    if not kept and entries:
        # everything was internal: show at least where it ended (import machinery says nothing)
        kept = [e for e in entries if not _is_hidden(e.tb_frame)
                and not _is_import_machinery(e.tb_frame.f_code.co_filename)][-1:]
    return kept


def _is_import_machinery(filename: str) -> bool:
    return filename.startswith("<frozen importlib") or filename.endswith(("importlib/__init__.py",))


def display_path(filename: str | os.PathLike[str]) -> str:
    """``filename`` relative to the run's invocation directory when that is shorter, else as
    given (not the current directory: a test may have changed it, see :mod:`minitest.startup`)."""
    from minitest import startup

    filename = str(filename)
    try:
        rel = os.path.relpath(filename, startup.display_dir)
    except (ValueError, OSError):  # another drive, or a test removed the current directory
        return filename
    return rel if len(rel) < len(filename) else filename


def _statement_range(entry: TracebackType) -> tuple[int, int]:
    """First and last line (1-based) of the expression that failed in ``entry``."""
    lineno = entry.tb_lineno
    end = lineno
    try:
        positions = list(entry.tb_frame.f_code.co_positions())
        pos = positions[entry.tb_lasti // 2]
        if pos[0] is not None and pos[1] is not None:
            lineno, end = pos[0], pos[1]
    except (IndexError, AttributeError):
        pass
    return lineno, max(end, lineno)


def _source_lines(entry: TracebackType) -> tuple[list[str], int, int]:
    """Source shown for a long entry: (lines, index of the failing line, number of failing lines)."""
    code = entry.tb_frame.f_code
    filename = code.co_filename
    first, last = _statement_range(entry)
    linecache.checkcache(filename)
    start = code.co_firstlineno if code.co_name != "<module>" else first
    start = min(start, first)
    lines = [linecache.getline(filename, n, entry.tb_frame.f_globals).rstrip("\n") for n in range(start, last + 1)]
    if not any(lines):
        return [], 0, 0
    text = textwrap.dedent("\n".join(lines)).split("\n")
    return text, first - start, last - first + 1


def _format_locals(frame: FrameType) -> list[str]:
    out = []
    for name, value in sorted(frame.f_locals.items()):
        if name == "__tracebackhide__" or name.startswith("@"):
            continue
        out.append(f"{name:<10} = {saferepr(value)}")
    return out


def _format_args(frame: FrameType) -> list[str]:
    code = frame.f_code
    count = code.co_argcount + code.co_kwonlyargcount
    names = code.co_varnames[:count]
    return [f"{name} = {saferepr(frame.f_locals[name])}" for name in names if name in frame.f_locals]


def _long_entry(entry: TracebackType, exc_lines: list[str] | None, showlocals: bool) -> list[str]:
    src, fail_index, fail_count = _source_lines(entry)
    out: list[str] = []
    args = _format_args(entry.tb_frame)
    if args:
        out.extend(args)
        out.append("")
    indent = ""
    for i, line in enumerate(src):
        if i == fail_index:
            out.append(">   " + line)
            indent = " " * (len(line) - len(line.lstrip()))
        else:
            out.append("    " + line)
        if i == fail_index + fail_count - 1 and exc_lines is not None:
            out.extend(f"E   {indent}{x}" for x in exc_lines)
    if exc_lines is not None and not src:
        out.extend(f"E   {x}" for x in exc_lines)
    if showlocals:
        out.append("")
        out.extend(_format_locals(entry.tb_frame))
    return out


def _short_entry(entry: TracebackType, exc_lines: list[str] | None, showlocals: bool) -> list[str]:
    code = entry.tb_frame.f_code
    line = linecache.getline(code.co_filename, entry.tb_lineno, entry.tb_frame.f_globals).strip()
    out = [f"{display_path(code.co_filename)}:{entry.tb_lineno}: in {code.co_name}"]
    if line:
        out.append(f"    {line}")
    if showlocals:
        out.extend(_format_locals(entry.tb_frame))
    if exc_lines is not None:
        out.extend(f"E   {x}" for x in exc_lines)
    return out


def _format_one(exc: BaseException, style: str, showlocals: bool, cut_code: CodeType | None,
                full: bool) -> tuple[list[str], ReprCrash | None]:
    entries = _entries(exc.__traceback__, cut_code, full)
    exc_lines = exconly(exc).split("\n")
    crash = None
    if entries:
        last = entries[-1]
        crash = ReprCrash(last.tb_frame.f_code.co_filename, last.tb_lineno, exconly(exc))
    out: list[str] = []
    if style == "short":
        for i, entry in enumerate(entries):
            out.extend(_short_entry(entry, exc_lines if i == len(entries) - 1 else None, showlocals))
        if not entries:
            out.extend(f"E   {x}" for x in exc_lines)
        return out, crash
    for i, entry in enumerate(entries):
        is_last = i == len(entries) - 1
        entry_style = "long" if style == "long" or i == 0 or is_last else "short"
        if entry_style == "long":
            if not out or out[-1] != "":
                out.append("")
            out.extend(_long_entry(entry, exc_lines if is_last else None, showlocals))
            out.append("")
            location = f"{display_path(entry.tb_frame.f_code.co_filename)}:{entry.tb_lineno}: "
            out.append(location + (type(exc).__name__ if is_last else ""))
            if not is_last and (i + 1 < len(entries)):
                out.append(_ENTRY_SEP)
        else:
            out.extend(_short_entry(entry, None, showlocals))
    if not entries:
        out.extend(f"E   {x}" for x in exc_lines)
    return out, crash


def _chain(exc: BaseException) -> list[tuple[BaseException, str | None]]:
    """Oldest first: (exception, the sentence that introduces the next one)."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    descr: str | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, descr))
        if current.__cause__ is not None:
            descr = "The above exception was the direct cause of the following exception:"
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            descr = "During handling of the above exception, another exception occurred:"
            current = current.__context__
        else:
            current = None
    chain.reverse()
    # the sentence belongs between an exception and the one after it
    return [(e, chain[i + 1][1] if i + 1 < len(chain) else None) for i, (e, _) in enumerate(chain)]


def format_failure(exc: BaseException, *, style: str = "auto", showlocals: bool = False,
                   cut_code: CodeType | None = None, full: bool = False) -> FailureRepr:
    """Render ``exc`` (with its chain) as the failure text of a report."""
    if style == "native":
        tb_entries = _entries(exc.__traceback__, cut_code, True)
        tb = tb_entries[0] if tb_entries else exc.__traceback__
        text = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip("\n")
        native_crash = None
        if tb_entries:
            last = tb_entries[-1]
            native_crash = ReprCrash(last.tb_frame.f_code.co_filename, last.tb_lineno, exconly(exc))
        return FailureRepr(text, native_crash)
    blocks: list[str] = []
    crash: ReprCrash | None = None
    for e, sentence in _chain(exc):
        lines, crash = _format_one(e, style, showlocals, cut_code if e is exc else None, full)
        blocks.extend(lines)
        if sentence:
            blocks.extend(["", sentence, ""])
    if crash is None:
        crash = ReprCrash("", 0, exconly(exc))
    if style == "line":
        return FailureRepr(f"{crash.path}:{crash.lineno}: {crash.message.splitlines()[0] if crash.message else ''}",
                           crash)
    return FailureRepr("\n".join(blocks), crash)


def format_exception_for_node(node: Node, exc: Any, style: str | None = None) -> FailureRepr:
    """The failure text for an exception raised while collecting or running ``node``."""
    if not isinstance(exc, BaseException):
        exc = getattr(exc, "value", exc)
    config = node.config
    tbstyle = style or config.getoption("tbstyle", "auto") or "auto"
    fulltrace = bool(config.getoption("fulltrace", False))
    from minitest.outcomes import outcome_kind

    if outcome_kind(exc) == "failed" and not getattr(exc, "pytrace", True):
        msg = getattr(exc, "msg", None) or str(exc)
        if not getattr(exc, "summary_message", True):
            return FailureRepr(msg, None)  # e.g. a missing fixture: pytest's summary line has no message
        path, lineno = _crash_location(exc, node)
        return FailureRepr(msg, ReprCrash(path, lineno, f"Failed: {msg}"))
    if tbstyle == "no":
        tbstyle = "auto"
    cut = None if fulltrace else node._traceback_entry_point()
    return format_failure(exc, style=tbstyle if not fulltrace else "long",
                          showlocals=bool(config.getoption("showlocals", False)), cut_code=cut, full=fulltrace)


def _crash_location(exc: BaseException, node: Node) -> tuple[str, int]:
    return raise_location(exc) or (str(Path(node.path)), 0)
