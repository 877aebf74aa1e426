"""Rendering exceptions as the failure text of a report (``--tb`` styles, ``-l``, chains).

Frames are cut to start at the test function, frames that set ``__tracebackhide__`` and frames
of minitest, its builtin plugins and pluggy are hidden (unless that would hide everything).
Styles: ``auto`` (long for the first and last entry, short between), ``long``, ``short``,
``line``, ``native`` and ``no``.
"""

from __future__ import annotations

import ast
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
#: the line between two entries of a traceback, 80 columns as pytest writes it to a file; the
#: terminal writes it at its own width (pytest's ``sep("_ ")``)
ENTRY_SEPARATOR = "_ " * 40
#: the lines between the exceptions of a chain (Python's and pytest's words)
CAUSE_SENTENCE = "The above exception was the direct cause of the following exception:"
CONTEXT_SENTENCE = "During handling of the above exception, another exception occurred:"


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


def _positions(entry: TracebackType) -> tuple[int | None, int | None, int | None, int | None]:
    """(line, end line, column, end column) of the instruction that failed in ``entry``; the
    columns are byte offsets in the line's UTF-8 text. Nones where Python does not know."""
    try:
        position = list(entry.tb_frame.f_code.co_positions())[entry.tb_lasti // 2]
    except (IndexError, AttributeError, ValueError):
        return None, None, None, None
    return position


def _statement_lines(filename: str, lineno: int, module_globals: dict[str, Any]) -> tuple[int, int]:
    """First and last line (1-based) of the statement that contains ``lineno``: a simple statement
    whole (an assert or a call over several lines), of a compound one its header only (``with``,
    ``if``, ``for``, ``except`` lines up to its body), as pytest shows the failing statement."""
    file_lines = linecache.getlines(filename, module_globals)
    source = "".join(file_lines)
    tree = _parsed(filename, source)
    if tree is None:
        return lineno, lineno
    first, last = lineno, lineno
    best: tuple[int, int] | None = None
    for node in ast.walk(tree):
        if not isinstance(node, (ast.stmt, ast.ExceptHandler)) or node.end_lineno is None:
            continue
        top, bottom = node.lineno, node.end_lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            bottom = min(bottom, body[0].lineno - 1)  # a compound statement: its header
        decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
        if decorators:
            top = min(d.lineno for d in decorators)
        if top <= lineno <= bottom and (best is None or bottom - top < best[1] - best[0]):
            best = (top, bottom)
    if best is not None:
        first, last = best
    # (the file's lines as linecache split them, as the AST numbers them: str.splitlines would
    # also split at a form feed)
    while last > lineno and (last > len(file_lines) or not file_lines[last - 1].strip()
                             or file_lines[last - 1].lstrip().startswith("#")):
        last -= 1  # a header's trailing comments and blank lines are not shown
    return first, last


_parsed_files: dict[str, tuple[str, ast.Module | None]] = {}


def _parsed(filename: str, source: str) -> ast.Module | None:
    """``source`` (the text of ``filename``) parsed, kept while the text is the same."""
    kept = _parsed_files.get(filename)
    if kept is not None and kept[0] == source:
        return kept[1]
    try:
        tree: ast.Module | None = ast.parse(source)
    except (SyntaxError, ValueError):
        tree = None
    _parsed_files[filename] = (source, tree)
    return tree


def _source_lines(entry: TracebackType) -> tuple[list[str], int, list[str]]:
    """Source shown for a long entry: (the lines from the function's first line to the end of the
    failing statement, dedented; the index of the failing line; the highlight line under it, or
    nothing)."""
    code = entry.tb_frame.f_code
    filename = code.co_filename
    module_globals = entry.tb_frame.f_globals
    linecache.checkcache(filename)
    first, last = _statement_lines(filename, entry.tb_lineno, module_globals)
    start = code.co_firstlineno if code.co_name != "<module>" else first
    start = min(start, first, entry.tb_lineno)
    last = max(last, entry.tb_lineno)
    raw = [linecache.getline(filename, n, module_globals).rstrip("\n") for n in range(start, last + 1)]
    if not any(raw):
        return [], 0, []
    text = textwrap.dedent("\n".join(raw)).split("\n")
    index = entry.tb_lineno - start
    return text, index, _highlight(entry, raw[index], text[index], stripped=False)


def _highlight(entry: TracebackType, raw_line: str, shown: str, stripped: bool) -> list[str]:
    """The ``^^^`` line under ``shown`` (``raw_line`` as the traceback shows it, after a 4-character
    prefix: dedented, or ``stripped``) marking the expression that failed, as pytest 9.2 draws it:
    only for an expression on one line that is not the whole line."""
    lineno, end_lineno, col, end_col = _positions(entry)
    if lineno is None or lineno != end_lineno or lineno != entry.tb_lineno or col is None or end_col is None:
        return []
    encoded = raw_line.encode("utf-8")
    start = len(encoded[:col].decode("utf-8", "replace"))
    end = len(encoded[:end_col].decode("utf-8", "replace"))
    carets = end - start
    if carets <= 0 or carets >= len(shown.strip()):
        return []
    removed = len(raw_line) - len(raw_line.lstrip()) if stripped else len(raw_line) - len(shown)
    return ["    " + " " * max(start - removed, 0) + "^" * carets]


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
    src, fail_index, highlight = _source_lines(entry)
    out: list[str] = []
    args = _format_args(entry.tb_frame)
    if args:
        out.extend(args)
        out.append("")
    indent = " " * (len(src[fail_index]) - len(src[fail_index].lstrip())) if src else ""
    for i, line in enumerate(src):
        if i == fail_index:
            out.append(">   " + line)
            out.extend(highlight)
        else:
            out.append("    " + line)
    if exc_lines is not None:
        # after the whole failing statement, at the failing line's indentation (pytest)
        out.extend(f"E   {indent}{x}" for x in exc_lines)
    if showlocals:
        out.append("")
        out.extend(_format_locals(entry.tb_frame))
    return out


def _short_entry(entry: TracebackType, exc_lines: list[str] | None, showlocals: bool) -> list[str]:
    code = entry.tb_frame.f_code
    raw_line = linecache.getline(code.co_filename, entry.tb_lineno, entry.tb_frame.f_globals).rstrip("\n")
    line = raw_line.strip()
    out = [f"{display_path(code.co_filename)}:{entry.tb_lineno}: in {code.co_name}"]
    if line:
        out.append(f"    {line}")
        out.extend(_highlight(entry, raw_line, line, stripped=True))
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
    if style == "line":
        # the exception alone, its first line marked (pytest 9.2); the terminal writes the crash
        # line (path:line: message) after it and the captured output
        return [("E   " if i == 0 else "    ") + x for i, x in enumerate(exc_lines)], crash
    if style == "short":
        for i, entry in enumerate(entries):
            out.extend(_short_entry(entry, exc_lines if i == len(entries) - 1 else None, showlocals))
        if not entries:
            out.extend(f"E   {x}" for x in exc_lines)
        return out, crash
    styles = ["long" if style == "long" or i == 0 or i == len(entries) - 1 else "short"
              for i in range(len(entries))]
    for i, entry in enumerate(entries):
        is_last = i == len(entries) - 1
        if styles[i] == "long":
            if not out or out[-1] != "":
                out.append("")
            out.extend(_long_entry(entry, exc_lines if is_last else None, showlocals))
            out.append("")
            location = f"{display_path(entry.tb_frame.f_code.co_filename)}:{entry.tb_lineno}: "
            out.append(location + (type(exc).__name__ if is_last else ""))
        else:
            out.extend(_short_entry(entry, None, showlocals))
        # as pytest 9.2: a separator after a long entry, and after a short one before a long one
        if not is_last and (styles[i] == "long" or styles[i + 1] == "long"):
            out.append(ENTRY_SEPARATOR)
    if not entries:
        out.extend(f"E   {x}" for x in exc_lines)
    return out, crash


def _format_group(exc: BaseException, group: BaseExceptionGroup[Any], cut_code: CodeType | None,
                  full: bool) -> tuple[list[str], ReprCrash | None]:
    """An exception group in Python's own layout (its sub-exceptions boxed, its chain included),
    in every ``--tb`` style, as pytest 9.2 shows one; each traceback in it keeps the frames the
    other styles would show (cut at the test function, hidden and minitest's frames left out).

    As pytest, what is laid out is ``exc``, the exception the test ended with: for a group
    that caused it (``raise ... from group``) that is the group, then ``exc`` itself, which the
    rest of the text shows once more in the ``--tb`` style."""
    native = traceback.TracebackException.from_exception(exc)
    _keep_shown_frames(native, exc, cut_code, full)
    entries = _entries(group.__traceback__, cut_code, full)
    crash = None
    if entries:
        leaf = _single_leaf(group)
        # pytest 9.2's crash message: a group around one exception names that exception
        message = exconly(group) if leaf is None else f"{leaf!r} [single exception in {type(group).__name__}]"
        crash = ReprCrash(entries[-1].tb_frame.f_code.co_filename, entries[-1].tb_lineno, message)
    return "".join(native.format()).rstrip("\n").split("\n"), crash


def _single_leaf(group: BaseExceptionGroup[Any]) -> BaseException | None:
    """The one exception inside ``group`` and the groups nested in it, None if there are more."""
    if len(group.exceptions) != 1:
        return None
    inner = group.exceptions[0]
    return _single_leaf(inner) if isinstance(inner, BaseExceptionGroup) else inner


def _keep_shown_frames(native: traceback.TracebackException, exc: BaseException, cut_code: CodeType | None,
                       full: bool) -> None:
    """Drop from ``native`` (and from its sub-exceptions and chain) the frames :func:`_entries`
    leaves out of ``exc``'s traceback."""
    if exc.__traceback__ is not None:
        shown = {(e.tb_frame.f_code.co_filename, e.tb_lineno) for e in _entries(exc.__traceback__, cut_code, full)}
        native.stack = traceback.StackSummary.from_list(
            [frame for frame in native.stack if (frame.filename, frame.lineno) in shown])
    if isinstance(exc, BaseExceptionGroup):
        for sub_native, sub in zip(getattr(native, "exceptions", None) or [], exc.exceptions, strict=False):
            _keep_shown_frames(sub_native, sub, cut_code, full)
    if native.__cause__ is not None and exc.__cause__ is not None:
        _keep_shown_frames(native.__cause__, exc.__cause__, cut_code, full)
    if native.__context__ is not None and exc.__context__ is not None:
        _keep_shown_frames(native.__context__, exc.__context__, cut_code, full)


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
            descr = CAUSE_SENTENCE
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            descr = CONTEXT_SENTENCE
            current = current.__context__
        else:
            current = None
    chain.reverse()
    # each sentence was recorded with the older exception it introduces the newer one after:
    # oldest first, it is the sentence that follows its exception
    return chain


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
    chain = _chain(exc)
    for index in range(len(chain) - 1, -1, -1):
        if isinstance(chain[index][0], BaseExceptionGroup):
            chain = chain[index:]  # the group's native text shows what came before it
            break
    for e, sentence in chain:
        if isinstance(e, BaseExceptionGroup):
            lines, crash = _format_group(exc, e, cut_code, full)
        else:
            lines, crash = _format_one(e, style, showlocals, cut_code if e is exc else None, full)
        blocks.extend(lines)
        if sentence:
            # as pytest 9.2: a blank line before the sentence; after it, only the blank line a
            # long entry starts with (none before a short entry or an E line)
            blocks.extend(["", sentence])
    if crash is None:
        crash = ReprCrash("", 0, exconly(exc))
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
    # the line that called fail(), not fail() itself (as pytest's crash line with --tb=line)
    return raise_location(exc, skip_hidden=True) or (str(Path(node.path)), 0)
