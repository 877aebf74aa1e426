"""The terminal part that writes: :class:`TerminalWriter` (colour, width, batched writes).

Its one job is putting marked-up text on the stream; every other part writes through the one
writer the reporter owns (``terminalreporter.writer``, the kernel's
:class:`minitest.terminal_api.TerminalWriter` contract), so they share its idea of the current line.
"""

from __future__ import annotations

import os
import sys
import threading
import unicodedata
from typing import IO

from minitest import clock


def should_use_color(option: str, stream: IO[str]) -> bool:
    if option == "yes":
        return True
    if option == "no":
        return False
    py_colors = os.environ.get("PY_COLORS")
    if py_colors in ("0", "1"):
        return py_colors == "1"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def cell_width(text: str) -> int:
    """The columns ``text`` takes on a terminal, counted as pytest counts them: a wide or fullwidth
    East Asian character takes 2, a combining or zero-width one 0; -1 when ``text`` holds a control
    character (its width is unknown)."""
    if text.isascii() and text.isprintable():
        return len(text)  # nearly every line: no table lookup
    width = 0
    for char in unicodedata.normalize("NFC", text):
        columns = _char_width(char)
        if columns is None:
            return -1
        width += columns
    return width


def _char_width(char: str) -> int | None:
    """0, 1 or 2 columns; ``None`` for a control character."""
    code = ord(char)
    # NUL and the zero-width spaces, joiners, marks and separators
    if code == 0 or 0x200B <= code <= 0x200F or 0x2028 <= code <= 0x202E or 0x2060 <= code <= 0x2063:
        return 0
    category = unicodedata.category(char)
    if category == "Cc":
        return None
    if category in ("Mn", "Me"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "purple": "35", "cyan": "36",
          "white": "37", "bold": "1", "light": "2"}


class TerminalWriter:
    """Writes marked-up text; output is buffered and flushed at line ends at most every 0.1s.

    Writes and flushes hold :attr:`lock` (reentrant): a line written from another thread while a
    test runs (``write_live_line``: the slow builtin's watch) must not interleave with the main
    thread's writes or lose buffered text. Uncontended, it costs a fraction of a microsecond per
    write."""

    def __init__(self, stream: IO[str], color: bool) -> None:
        self._stream = stream
        self.lock = threading.RLock()
        self.hasmarkup = color
        if color and sys.platform == "win32":
            import colorama

            colorama.just_fix_windows_console()
        self._buffer: list[str] = []
        self._last_flush = clock.monotonic()
        #: what was written since the last newline, without the colour codes
        self._current_line = ""
        width = 80
        try:
            import shutil

            width = shutil.get_terminal_size(fallback=(80, 24)).columns
        except Exception:
            pass
        self.fullwidth = width if width >= 40 else 80

    @property
    def width_of_current_line(self) -> int:
        """The columns of the current line so far (:func:`cell_width`: a test name in Chinese
        takes twice its length; pytest lines the percentages up by that)."""
        return cell_width(self._current_line)

    def markup(self, text: str, **marks: bool) -> str:
        if not self.hasmarkup:
            return text
        codes = [_CODES[name] for name, on in marks.items() if on and name in _CODES]
        if not codes:
            return text
        return "".join(f"\x1b[{c}m" for c in codes) + text + "\x1b[0m"

    def write(self, text: str, flush: bool = False, **marks: bool) -> None:
        if not text:
            return
        with self.lock:
            if "\n" in text:
                self._current_line = text.rsplit("\n", 1)[1]
            else:
                self._current_line += text
            self._buffer.append(self.markup(text, **marks))
            if flush or ("\n" in text and clock.monotonic() - self._last_flush > 0.1) or len(self._buffer) > 512:
                self.flush()

    def line(self, text: str = "", **marks: bool) -> None:
        self.write(text, **marks)
        self.write("\n")

    def sep(self, sepchar: str, title: str | None = None, fullwidth: int | None = None, **marks: bool) -> None:
        width = fullwidth or self.fullwidth
        if title:
            n = max((width - len(title) - 2) // (2 * len(sepchar)), 1)
            fill = sepchar * n
            text = f"{fill} {title} {fill}"
        else:
            text = sepchar * (width // len(sepchar))
        if len(text) + len(sepchar.rstrip()) <= width:
            text += sepchar.rstrip()
        self.line(text, **marks)

    def flush_finished(self) -> None:
        """Write out what is buffered (a test is about to run); cheaper than :meth:`flush`: no
        ``sys.stdout`` flush (nothing of a test is pending between tests) and no call at all
        when nothing is buffered. It holds :attr:`lock` as :meth:`flush` does: a line another
        thread adds between taking the buffer and emptying it would be lost."""
        if not self._buffer:
            return
        with self.lock:
            data = "".join(self._buffer)
            self._buffer.clear()
            try:
                self._stream.write(data)
            except UnicodeEncodeError:
                self._buffer.append(data)
                self._flush()
                return
            try:
                self._stream.flush()
            except (OSError, ValueError):
                pass
            self._last_flush = clock.monotonic()

    def flush(self) -> None:
        with self.lock:
            self._flush()

    def _flush(self) -> None:
        if self._stream is not sys.stdout and sys.stdout is not None:
            try:
                sys.stdout.flush()  # what the tests printed uncaptured (-s) comes first
            except (OSError, ValueError):
                pass
        if self._buffer:
            data = "".join(self._buffer)
            self._buffer.clear()
            try:
                self._stream.write(data)
            except UnicodeEncodeError:
                encoding = getattr(self._stream, "encoding", None) or "utf-8"
                self._stream.write(data.encode(encoding, "backslashreplace").decode(encoding))
        try:
            self._stream.flush()
        except (OSError, ValueError):
            pass
        self._last_flush = clock.monotonic()
