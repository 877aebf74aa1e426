"""The terminal's writer (builtin_plugins/terminal/writer.py) in process, on a stream that records
every write and flush: when colour is used, the width, the marks, separator lines, the current
line's width in columns, when buffered text reaches the stream (line ends at most every 0.1 s on a
clock the test moves, 512 writes, ``flush=True``, a test about to run), and streams that refuse a
character or fail to flush (a closed pipe, a closed file).

Found by mutation testing (tests/MUTATION.md): comparing a whole run's output with pytest's
(tests/test_terminal_output.py) sees what is written, not when, and never meets a failing stream.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import types
from typing import Any

import pytest

from builtin_plugins.terminal.writer import TerminalWriter, cell_width, should_use_color
from minitest import clock


class Stream:
    """A text stream that records, in ``log`` (shared with other streams to see the order), each
    ``(name, "write", text)`` and ``(name, "flush")``. ``encoding``: the characters it accepts
    (a strict stream in that encoding); ``flush_error``: raised by every ``flush()``."""

    def __init__(self, name: str = "terminal", log: list[tuple[str, ...]] | None = None,
                 encoding: str | None = "utf-8", flush_error: BaseException | None = None,
                 tty: bool | None = False) -> None:
        self.name = name
        self.log: list[tuple[str, ...]] = [] if log is None else log
        self._codec = encoding or "utf-8"
        if encoding is not None:
            self.encoding = encoding
        self.flush_error = flush_error
        if tty is not None:
            self.isatty = lambda: tty
        #: called in write(), before the text is recorded
        self.on_write: Any = None

    def write(self, text: str) -> int:
        text.encode(self._codec)  # UnicodeEncodeError, as a real stream in that encoding
        if self.on_write is not None:
            self.on_write()
        self.log.append((self.name, "write", text))
        return len(text)

    def flush(self) -> None:
        self.log.append((self.name, "flush"))
        if self.flush_error is not None:
            raise self.flush_error

    @property
    def text(self) -> str:
        return "".join(event[2] for event in self.log if event[0] == self.name and event[1] == "write")


class Clock:
    """``clock.monotonic`` as the test sets it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def columns(monkeypatch):
    """Sets the width ``shutil.get_terminal_size`` answers (80 unless changed)."""
    size = {"columns": 80}

    def fake(fallback: tuple[int, int] = (80, 24)) -> os.terminal_size:
        return os.terminal_size((size["columns"], 24))

    monkeypatch.setattr(shutil, "get_terminal_size", fake)
    return size


@pytest.fixture
def fake_clock(monkeypatch):
    now = Clock(0.0)
    monkeypatch.setattr(clock, "monotonic", now)
    return now


def replace_stdout(monkeypatch: pytest.MonkeyPatch) -> Stream:
    """``sys.stdout`` replaced by a recording stream (what the tests print with ``-s``), sharing
    its log with the terminal stream the test makes from ``stdout.log``. Called in the test itself:
    the runner's output capturing puts its own ``sys.stdout`` back as each phase begins."""
    out = Stream("stdout")
    monkeypatch.setattr(sys, "stdout", out)
    return out


def new_writer(stream: Stream, color: bool = False) -> TerminalWriter:
    return TerminalWriter(stream, color)  # type: ignore[arg-type]


# ---------------------------------------------------------------- colour


@pytest.fixture
def colour_env(monkeypatch):
    for name in ("PY_COLORS", "NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)

    def set_env(**env: str) -> None:
        for name, value in env.items():
            monkeypatch.setenv(name, value)

    return set_env


def test_color_yes_and_no_are_obeyed_whatever_the_environment_says(colour_env):
    colour_env(PY_COLORS="1", FORCE_COLOR="1")
    assert should_use_color("no", Stream(tty=True)) is False  # type: ignore[arg-type]
    colour_env(PY_COLORS="0", NO_COLOR="1", TERM="dumb")
    assert should_use_color("yes", Stream(tty=False)) is True  # type: ignore[arg-type]


@pytest.mark.parametrize("env, tty, expected", [
    ({}, False, False),
    ({}, True, True),
    ({"TERM": "xterm"}, True, True),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "xterm"}, None, False),  # a stream without isatty()
    ({"PY_COLORS": "1", "NO_COLOR": "1"}, False, True),
    ({"PY_COLORS": "0", "FORCE_COLOR": "1"}, True, False),
    ({"PY_COLORS": "2"}, True, True),  # neither 0 nor 1: as if not set
    ({"PY_COLORS": "2", "FORCE_COLOR": "1"}, False, True),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ({"NO_COLOR": ""}, True, True),  # empty: not set
    ({"FORCE_COLOR": "1"}, False, True),
    ({"FORCE_COLOR": ""}, False, False),
], ids=["plain", "tty", "tty-xterm", "tty-dumb", "no-isatty", "py-colors-1", "py-colors-0", "py-colors-2-tty",
        "py-colors-2-force", "no-color-over-force", "no-color-empty", "force", "force-empty"])
def test_color_auto_follows_pytests_environment_rules(colour_env, env, tty, expected):
    colour_env(**env)
    assert should_use_color("auto", Stream(tty=tty)) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize("platform, color, calls", [("linux", True, 0), ("win32", True, 1), ("win32", False, 0)])
def test_colour_on_windows_switches_the_console_to_escape_codes(monkeypatch, columns, platform, color, calls):
    made: list[str] = []
    colorama = types.ModuleType("colorama")
    colorama.just_fix_windows_console = lambda: made.append("fixed")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "colorama", colorama)
    monkeypatch.setattr(sys, "platform", platform)
    assert new_writer(Stream(), color=color).hasmarkup is color
    assert made == ["fixed"] * calls


# ---------------------------------------------------------------- width


@pytest.mark.parametrize("size, fullwidth", [(200, 200), (40, 40), (39, 80), (10, 80)])
def test_width_is_the_terminals_and_at_least_40_columns(columns, size, fullwidth):
    columns["columns"] = size
    assert new_writer(Stream()).fullwidth == fullwidth


def test_width_is_80_when_the_size_cannot_be_known(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)

    def no_terminal(fd: int = 1) -> os.terminal_size:
        raise OSError("not a terminal")

    monkeypatch.setattr(os, "get_terminal_size", no_terminal)
    assert new_writer(Stream()).fullwidth == 80


def test_width_is_80_when_asking_for_it_fails(monkeypatch):
    def broken(fallback: tuple[int, int] = (80, 24)) -> os.terminal_size:
        raise RuntimeError("no size")

    monkeypatch.setattr(shutil, "get_terminal_size", broken)
    assert new_writer(Stream()).fullwidth == 80


# ---------------------------------------------------------------- marks


def test_marks_become_escape_codes_in_the_order_given_only_with_colour(columns):
    coloured, plain = new_writer(Stream(), color=True), new_writer(Stream())
    assert coloured.markup("x", red=True, bold=True) == "\x1b[31m\x1b[1mx\x1b[0m"
    assert coloured.markup("x", bold=True, red=True) == "\x1b[1m\x1b[31mx\x1b[0m"
    assert coloured.markup("x", green=True, red=False, blink=True) == "\x1b[32mx\x1b[0m"  # off and unknown: none
    assert coloured.markup("x", red=False) == "x"
    assert coloured.markup("x") == "x"
    assert plain.markup("x", red=True) == "x"
    codes = {name: coloured.markup("", **{name: True}) for name in
             ("red", "green", "yellow", "blue", "purple", "cyan", "white", "bold", "light")}
    assert codes == {"red": "\x1b[31m\x1b[0m", "green": "\x1b[32m\x1b[0m", "yellow": "\x1b[33m\x1b[0m",
                     "blue": "\x1b[34m\x1b[0m", "purple": "\x1b[35m\x1b[0m", "cyan": "\x1b[36m\x1b[0m",
                     "white": "\x1b[37m\x1b[0m", "bold": "\x1b[1m\x1b[0m", "light": "\x1b[2m\x1b[0m"}


def test_written_marks_reach_the_stream_and_do_not_count_in_the_width(columns):
    stream = Stream()
    tw = new_writer(stream, color=True)
    tw.write("ab", red=True)
    tw.write("c")
    assert tw.width_of_current_line == 3
    tw.line(" end", bold=True)
    tw.flush()
    assert stream.text == "\x1b[31mab\x1b[0mc\x1b[1m end\x1b[0m\n"


# ---------------------------------------------------------------- the current line


def test_the_current_lines_width_follows_the_writes(columns):
    stream = Stream()
    tw = new_writer(stream)
    assert tw.width_of_current_line == 0
    tw.write("abc")
    assert tw.width_of_current_line == 3
    tw.write("de")
    assert tw.width_of_current_line == 5
    tw.write("x\nyz")
    assert tw.width_of_current_line == 2
    tw.write("1\n22\n333")
    assert tw.width_of_current_line == 3
    tw.write("")
    assert tw.width_of_current_line == 3
    tw.write("\n")
    assert tw.width_of_current_line == 0
    tw.line("abc")
    assert tw.width_of_current_line == 0
    tw.flush()
    assert stream.text == "abcdex\nyz1\n22\n333\nabc\n"


def test_wide_characters_take_two_columns_of_the_current_line(columns):
    tw = new_writer(Stream())
    tw.write("test_\u540d\u524d.py ")
    assert tw.width_of_current_line == 13
    tw.write("cafe\u0301\n\uff21")  # a combining accent: none; a fullwidth A: two
    assert tw.width_of_current_line == 2
    tw.write("\t")  # a control character: the width is unknown, as pytest says it
    assert tw.width_of_current_line == -1


@pytest.mark.parametrize("text, width", [
    ("", 0), ("abc", 3), ("a b~", 4),
    ("\t", -1), ("a\x1b", -1), ("\x7f", -1), ("\x85", -1),  # control characters, ASCII or not
    ("\x00", 0),  # NUL: none
    ("\u540d\u524d", 4), ("\uff21", 2),  # wide, fullwidth
    ("\u00e9", 1), ("e\u0301", 1), ("\u20dd", 0),  # combining (Mn, Me): none
    ("\u1100\u1161\u11a8", 2),  # a Hangul syllable spelt in three jamo: composed first
    ("\u00ad", 1), ("\u2064", 1), ("\ufeff", 1),  # other format characters: one, as pytest counts
    # the zero-width ranges and their neighbours
    ("\u200a", 1), ("\u200b", 0), ("\u200c", 0), ("\u200f", 0), ("\u2010", 1),
    ("\u2027", 1), ("\u2028", 0), ("\u2029", 0), ("\u202e", 0), ("\u202f", 1),
    ("\u205f", 1), ("\u2060", 0), ("\u2061", 0), ("\u2063", 0), ("\u2064", 1),
    ("\x1f", -1), (" ", 1), ("~", 1), ("\xa0", 1),
    ("ab\u540d\tcd", -1),  # a control character anywhere
])
def test_cell_width_counts_columns_as_pytest(text, width):
    assert cell_width(text) == width


# ---------------------------------------------------------------- separator lines


def test_separator_lines_fill_the_width_as_pytests(columns):
    stream = Stream()
    tw = new_writer(stream)
    tw.sep("=", "ab")  # (80 - 2 - 2) // 2 = 38 on each side
    tw.sep("=", "abc")  # 37 on each side, and one more to fill the width
    tw.sep("-")
    tw.sep("- ")  # 40 times, ends in a space: no room for one more "-"
    tw.sep("- ", fullwidth=81)  # 40 times, and the "-" that fits
    tw.sep("- ", "ab")  # (80 - 2 - 2) // 4 = 19 on each side
    tw.sep("=", "x" * 100)  # too long: one on each side all the same
    tw.sep("=", "", fullwidth=10)  # an empty title: no title
    tw.sep("=", "t", fullwidth=40)  # the width given, not the terminal's
    tw.flush()
    assert stream.text.split("\n") == [
        "=" * 38 + " ab " + "=" * 38,
        "=" * 37 + " abc " + "=" * 37 + "=",
        "-" * 80,
        "- " * 40,
        "- " * 40 + "-",
        "- " * 19 + " ab " + "- " * 19,
        "= " + "x" * 100 + " =",
        "=" * 10,
        "=" * 18 + " t " + "=" * 18 + "=",
        "",
    ]
    assert tw.width_of_current_line == 0


def test_a_separator_line_is_marked_up_as_a_whole(columns):
    stream = Stream()
    tw = new_writer(stream, color=True)
    tw.sep("=", "FAILURES", red=True, bold=True)
    tw.flush()
    line = "=" * 35 + " FAILURES " + "=" * 35
    assert stream.text == "\x1b[31m\x1b[1m" + line + "\x1b[0m\n"


# ---------------------------------------------------------------- when text reaches the stream


def test_text_without_a_line_end_waits_in_the_buffer(columns, fake_clock):
    stream = Stream()
    tw = new_writer(stream)
    fake_clock.now = 10.0
    tw.write("abc")
    tw.write("def", red=True)
    assert stream.log == []
    tw.write("!", flush=True)  # asked for: at once, with what waited
    assert stream.log == [("terminal", "write", "abcdef!"), ("terminal", "flush")]


def test_a_line_end_writes_the_buffer_once_more_than_a_tenth_of_a_second_went_by(columns, fake_clock):
    stream = Stream()
    tw = new_writer(stream)  # last written out at 0.0
    fake_clock.now = 0.1
    tw.write("a\n")  # 0.1 s: not more than a tenth
    assert stream.text == ""
    fake_clock.now = 0.125
    tw.write("b\n")
    assert stream.text == "a\nb\n"
    fake_clock.now = 0.2  # 0.075 s after the last write-out
    tw.line("c")
    assert stream.text == "a\nb\n"
    fake_clock.now = 0.25
    tw.line("d")
    assert stream.text == "a\nb\nc\nd\n"


def test_the_tenth_of_a_second_counts_from_the_last_write_out(columns, fake_clock):
    stream = Stream()
    fake_clock.now = 1000.0
    tw = new_writer(stream)
    fake_clock.now = 1000.0625
    tw.write("a\n")
    assert stream.text == ""
    fake_clock.now = 1000.125
    tw.write("b")  # no line end: waits however long it has been
    assert stream.text == ""
    tw.flush_finished()  # a test starts: written out at 1000.125
    assert stream.text == "a\nb"
    fake_clock.now = 1000.1875
    tw.write("c\n")
    assert stream.text == "a\nb"
    fake_clock.now = 1000.25
    tw.write("d\n")
    assert stream.text == "a\nbc\nd\n"


def test_512_writes_wait_the_513th_writes_them_out(columns, fake_clock):
    stream = Stream()
    tw = new_writer(stream)
    for _ in range(512):
        tw.write("x")
    assert stream.log == []
    tw.write("y")
    assert stream.log == [("terminal", "write", "x" * 512 + "y"), ("terminal", "flush")]
    tw.write("z")
    assert stream.text == "x" * 512 + "y"


def test_a_test_about_to_run_writes_out_what_is_finished_without_flushing_stdout(columns, fake_clock, monkeypatch):
    stdout = replace_stdout(monkeypatch)
    stream = Stream(log=stdout.log)
    tw = new_writer(stream)
    tw.flush_finished()  # nothing buffered: no call at all
    assert stdout.log == []
    tw.write("test_a.py ", red=True)
    tw.write(".")
    tw.flush_finished()
    assert stdout.log == [("terminal", "write", "test_a.py ."), ("terminal", "flush")]
    tw.flush_finished()  # written once
    assert stdout.log == [("terminal", "write", "test_a.py ."), ("terminal", "flush")]


def test_flush_writes_what_the_tests_printed_first(columns, fake_clock, monkeypatch):
    stdout = replace_stdout(monkeypatch)
    stream = Stream(log=stdout.log)
    tw = new_writer(stream)
    tw.write("PASSED")
    tw.flush()
    assert stdout.log == [("stdout", "flush"), ("terminal", "write", "PASSED"), ("terminal", "flush")]
    del stdout.log[:]
    tw.flush()  # nothing buffered: no write, the flushes all the same
    assert stdout.log == [("stdout", "flush"), ("terminal", "flush")]


def test_flush_on_stdout_itself_flushes_it_once(columns, fake_clock, monkeypatch):
    stdout = replace_stdout(monkeypatch)
    tw = new_writer(stdout)
    tw.write("abc")
    tw.flush()
    assert stdout.log == [("stdout", "write", "abc"), ("stdout", "flush")]


def test_flush_without_a_stdout(columns, fake_clock, monkeypatch):
    monkeypatch.setattr(sys, "stdout", None)
    stream = Stream()
    tw = new_writer(stream)
    tw.write("abc")
    tw.flush()
    assert stream.log == [("terminal", "write", "abc"), ("terminal", "flush")]


@pytest.mark.parametrize("error", [BrokenPipeError(32, "Broken pipe"), ValueError("I/O operation on closed file.")],
                         ids=["broken-pipe", "closed"])
def test_a_stdout_that_cannot_flush_does_not_stop_the_report(columns, fake_clock, monkeypatch, error):
    stdout = replace_stdout(monkeypatch)
    stdout.flush_error = error
    stream = Stream()
    tw = new_writer(stream)
    tw.write("abc")
    tw.flush()
    assert stream.log == [("terminal", "write", "abc"), ("terminal", "flush")]


def test_a_closed_stdout_does_not_stop_the_report(columns, fake_clock, monkeypatch):
    import io

    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdout", closed)
    stream = Stream()
    tw = new_writer(stream)
    tw.line("abc")
    tw.flush()
    assert stream.text == "abc\n"


@pytest.mark.parametrize("how", ["flush", "flush_finished", "write"])
@pytest.mark.parametrize("error", [BrokenPipeError(32, "Broken pipe"), ValueError("I/O operation on closed file.")],
                         ids=["broken-pipe", "closed"])
def test_a_stream_that_cannot_flush_still_gets_the_text(columns, fake_clock, monkeypatch, how, error):
    monkeypatch.setattr(sys, "stdout", None)
    stream = Stream(flush_error=error)
    tw = new_writer(stream)
    tw.write("abc")
    fake_clock.now = 5.0
    if how == "write":
        tw.write("\n", flush=True)
    else:
        getattr(tw, how)()
    assert stream.text == ("abc\n" if how == "write" else "abc")
    assert stream.log[-1] == ("terminal", "flush")
    fake_clock.now = 5.0625  # and the time of the write-out was taken: a line end now waits
    tw.write("d\n")
    assert stream.text == ("abc\n" if how == "write" else "abc")


@pytest.mark.parametrize("how", ["flush", "flush_finished"])
def test_characters_the_stream_refuses_are_written_as_escapes(columns, fake_clock, monkeypatch, how):
    stdout = replace_stdout(monkeypatch)
    stream = Stream(log=stdout.log, encoding="ascii")
    tw = new_writer(stream)
    tw.write("caf\u00e9 \u540d\n")
    getattr(tw, how)()
    assert stream.text == "caf\\xe9 \\u540d\n"
    assert stream.log[-1] == ("terminal", "flush")
    tw.flush()  # written once
    assert stream.text == "caf\\xe9 \\u540d\n"


def test_a_stream_without_an_encoding_is_taken_for_utf_8(columns, fake_clock, monkeypatch):
    stdout = replace_stdout(monkeypatch)
    stream = Stream(log=stdout.log, encoding=None)
    tw = new_writer(stream)
    tw.write("\u540d \ud800\n")  # a lone surrogate: not even UTF-8 has it
    tw.flush()
    assert stream.text == "\u540d \\ud800\n"


# ---------------------------------------------------------------- threads


@pytest.mark.parametrize("how", ["flush", "flush_finished"])
def test_the_buffer_is_written_out_under_the_writers_lock(columns, fake_clock, monkeypatch, how):
    # another thread's write_live_line (the slow builtin's watch) takes the lock: it must not get
    # between taking the buffer and emptying it, or its line would be lost
    monkeypatch.setattr(sys, "stdout", None)
    stream = Stream()
    tw = new_writer(stream)
    free: list[bool] = []

    def try_the_lock() -> None:
        got = tw.lock.acquire(blocking=False)
        if got:
            tw.lock.release()
        free.append(got)

    def check() -> None:
        other = threading.Thread(target=try_the_lock)
        other.start()
        other.join()

    stream.on_write = check
    tw.write("abc")
    getattr(tw, how)()
    assert free == [False]
    assert stream.text == "abc"
    check()
    assert free == [False, True]
