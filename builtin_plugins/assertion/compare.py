"""Explanations of failing comparisons: the default ``minitest_assertrepr_compare``.

Given ``left op right`` this returns the lines shown under the failing assert: a summary line
``<left> op <right>`` followed by what differs (string diffs, the first differing index of
sequences, extra set items, differing dict entries, differing dataclass fields, ...). The wording
follows pytest's so users read the same report under either runner.
"""

from __future__ import annotations

import collections.abc
import os
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from builtin_plugins.assertion.pformat import pformat_lines
from minitest.highlighting import Highlighter, code_highlighting, highlight, plain
from minitest.saferepr import saferepr, saferepr_unlimited

__all__ = ["assertrepr_compare", "assertion_verbosity", "running_on_ci", "truncate_lines"]

#: Explanations longer than this are cut unless ``-vv`` (or on CI), as pytest does.
DEFAULT_MAX_LINES = 8
DEFAULT_MAX_CHARS = 8 * 80


def running_on_ci() -> bool:
    """CI logs are read after the fact: show everything there."""
    return any(os.environ.get(name) for name in ("CI", "BUILD_NUMBER"))


def assertion_verbosity(config: Any) -> int:
    """The verbosity for assertion output: ini ``verbosity_assertions`` if set, else ``-v``."""
    try:
        configured = config.getini("verbosity_assertions")
    except Exception:
        configured = None
    if configured not in (None, "", "auto"):
        try:
            return int(configured)
        except (TypeError, ValueError):
            pass
    try:
        return int(config.getoption("verbose") or 0)
    except Exception:
        return 0


# --------------------------------------------------------------------------------------------
# kinds of values
# --------------------------------------------------------------------------------------------


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _is_sequence(value: object) -> bool:
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _is_set(value: object) -> bool:
    return isinstance(value, (set, frozenset))


def _is_dict(value: object) -> bool:
    return isinstance(value, dict)


def _is_namedtuple(value: object) -> bool:
    return isinstance(value, tuple) and getattr(value, "_fields", None) is not None


def _is_dataclass(value: object) -> bool:
    return getattr(value, "__dataclass_fields__", None) is not None and not isinstance(value, type)


def _is_attrs(value: object) -> bool:
    return getattr(value, "__attrs_attrs__", None) is not None and not isinstance(value, type)


def _is_iterable(value: object) -> bool:
    try:
        iter(value)  # type: ignore[call-overload]
    except Exception:
        return False
    return not _is_text(value)


def _is_approx(value: object) -> bool:
    from minitest.approx_api import ApproxBase

    if isinstance(value, ApproxBase):
        return True
    # pytest.approx objects (a suite written for pytest) explain themselves the same way
    cls = type(value)
    return cls.__module__.startswith("_pytest") and cls.__name__.startswith("Approx") \
        and hasattr(value, "_repr_compare")


def _has_generated_eq(value: object) -> bool:
    """Only field-by-field equality (generated ``__eq__``) is explained field by field."""
    method = getattr(type(value), "__eq__", None)
    code = getattr(method, "__code__", None)
    if code is None:
        return True
    filename = code.co_filename
    if _is_attrs(value):
        return "attrs generated " in filename
    return filename == "<string>"  # dataclasses compile their methods from strings


# --------------------------------------------------------------------------------------------
# the hook implementation
# --------------------------------------------------------------------------------------------


def assertrepr_compare(config: Any, op: str, left: Any, right: Any) -> list[str] | None:
    """Explain ``left op right``; return None when there is nothing to add to the summary."""
    import unicodedata  # imported when an assertion fails, not at every start

    verbose = assertion_verbosity(config)
    # strings that differ only in unicode normalisation print the same: show their escapes
    use_ascii = _is_text(left) and _is_text(right) and \
        unicodedata.normalize("NFD", left) == unicodedata.normalize("NFD", right)
    if verbose > 1:
        left_repr, right_repr = saferepr_unlimited(left, use_ascii), saferepr_unlimited(right, use_ascii)
    else:
        # both sides and the operator fit one 80-column line after the "E   assert " prefix
        maxsize = (80 - 15 - len(op) - 2) // 2
        left_repr, right_repr = saferepr(left, maxsize, use_ascii), saferepr(right, maxsize, use_ascii)
    summary = f"{left_repr} {op} {right_repr}"

    try:
        explanation = _explain(op, left, right, verbose, _highlighter(config))
    except Exception as exc:
        # a broken __eq__ or __repr__ inside the explanation must not crash the report
        explanation = [
            f"(minitest assertion plugin: representation of details failed: {_crash_location(exc)}.",
            " Probably an object has a faulty __repr__.)",
        ]
    if not explanation:
        return None
    if explanation[0] != "":
        explanation = ["", *explanation]
    return [summary, *explanation]


def _crash_location(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}: " if frames else ""
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable exception>"
    return f"{where}{type(exc).__name__}: {message}"


def _highlighter(config: Any) -> Highlighter:
    """pytest 9.2 colours the values and diffs of an explanation on a colour terminal (unless
    ``--code-highlight=no``); in a worker, which has no terminal, they stay plain."""
    return highlight if code_highlighting(config) else plain


def _explain(op: str, left: Any, right: Any, verbose: int, hl: Highlighter = plain) -> list[str] | None:
    if op == "==":
        return compare_eq(left, right, verbose, hl)
    if op == "not in":
        if _is_text(left) and _is_text(right):
            return _explain_not_in_text(left, right, verbose)
        return None
    if not (_is_set(left) and _is_set(right)):
        return None
    if op == "!=":
        return ["Both sets are equal"]
    if op == ">=":
        return _extra_set_items("right", right, left, hl)
    if op == "<=":
        return _extra_set_items("left", left, right, hl)
    if op == ">":
        return _extra_set_items("right", right, left, hl) or ["Both sets are equal"]
    if op == "<":
        return _extra_set_items("left", left, right, hl) or ["Both sets are equal"]
    return None


def compare_eq(left: Any, right: Any, verbose: int = 0, hl: Highlighter = plain) -> list[str]:
    """Lines explaining why ``left == right`` is false (possibly empty); ``hl`` colours the
    values and diffs in them."""
    if _is_text(left) and _is_text(right):
        return diff_text(left, right, verbose, hl)
    explanation: list[str] = []
    if _is_approx(left) or _is_approx(right):
        approx_side, other = (left, right) if _is_approx(left) else (right, left)
        explanation = list(approx_side._repr_compare(other))
    elif type(left) is type(right) and (_is_dataclass(left) or _is_attrs(left) or _is_namedtuple(left)):
        explanation = _compare_fields(left, right, verbose, hl)
    elif _is_sequence(left) and _is_sequence(right):
        explanation = _compare_sequences(left, right, hl)
    elif _is_set(left) and _is_set(right):
        explanation = _extra_set_items("left", left, right, hl) + _extra_set_items("right", right, left, hl)
    elif _is_dict(left) and _is_dict(right):
        explanation = _compare_dicts(left, right, verbose, hl)
    if _is_iterable(left) and _is_iterable(right):
        explanation.extend(_full_diff(left, right, verbose, hl))
    return explanation


# --------------------------------------------------------------------------------------------
# strings
# --------------------------------------------------------------------------------------------


def _ndiff_lines(expected: Sequence[str], obtained: Sequence[str], strip: Callable[[str], str]) -> list[str]:
    import difflib  # imported when an assertion fails, not at every start

    # the right-hand side is what the test expected: "-" lines are expected, "+" obtained
    return [strip(line) for line in difflib.ndiff(list(expected), list(obtained))]


def _trailing_skip(left: str, right: str) -> int:
    """How many trailing characters to cut (before keeping 10 as context), pytest's count."""
    if not left or left[0] != right[0]:
        return 0
    count = 0
    while count + 1 < len(left) and left[-(count + 1)] == right[-(count + 1)]:
        count += 1
    return count + 1 if count + 1 < len(left) else len(left) - 1


def diff_text(left: str, right: str, verbose: int = 0, hl: Highlighter = plain) -> list[str]:
    """Line diff of two strings; without ``-v`` long identical heads and tails are skipped."""
    explanation: list[str] = []
    if verbose < 1:
        common = 0
        for common in range(min(len(left), len(right))):
            if left[common] != right[common]:
                break
        if common > 42:
            common -= 10  # keep some context before the first difference
            explanation.append(f"Skipping {common} identical leading characters in diff, use -v to show")
            left, right = left[common:], right[common:]
        if len(left) == len(right):
            trailing = _trailing_skip(left, right)
            if trailing > 42:
                trailing -= 10
                explanation.append(f"Skipping {trailing} identical trailing characters in diff, use -v to show")
                left, right = left[:-trailing], right[:-trailing]
    if left.isspace() or right.isspace():
        left, right = repr(str(left)), repr(str(right))
        explanation.append("Strings contain only whitespace, escaping them using repr()")
    lines = _ndiff_lines(right.splitlines(keepends=True), left.splitlines(keepends=True), lambda s: s.strip("\n"))
    # highlighted as one piece and split again, as pytest (which also splits at the other line
    # boundaries str.splitlines knows, coloured or not)
    explanation.extend(hl("\n".join(lines), "diff").splitlines())
    return explanation


def _explain_not_in_text(term: str, text: str, verbose: int) -> list[str]:
    """Show where ``term`` occurs in ``text`` (the diff of text with and without it)."""
    index = text.find(term)
    without = text[:index] + text[index + len(term):]
    lines = [f"{saferepr(term, maxsize=42)} is contained here:"]
    for line in diff_text(text, without, verbose):
        if line.startswith(("Skipping", "- ")):
            continue
        lines.append("  " + line[2:] if line.startswith("+ ") else line)
    return lines


# --------------------------------------------------------------------------------------------
# containers
# --------------------------------------------------------------------------------------------


def _compare_sequences(left: Sequence[Any], right: Sequence[Any], hl: Highlighter = plain) -> list[str]:
    both_bytes = isinstance(left, bytes) and isinstance(right, bytes)
    explanation: list[str] = []
    for index in range(min(len(left), len(right))):
        if left[index] != right[index]:
            # a byte is clearer as b'c' than as its number
            left_item = left[index:index + 1] if both_bytes else left[index]
            right_item = right[index:index + 1] if both_bytes else right[index]
            explanation.append(f"At index {index} diff: {hl(repr(left_item))} != {hl(repr(right_item))}")
            break
    if both_bytes:
        return explanation
    extra = len(left) - len(right)
    if extra:
        side, longer, count = ("Left", left, extra) if extra > 0 else ("Right", right, -extra)
        first_extra = hl(saferepr(longer[min(len(left), len(right))]))
        if count == 1:
            explanation.append(f"{side} contains one more item: {first_extra}")
        else:
            explanation.append(f"{side} contains {count} more items, first extra item: {first_extra}")
    return explanation


def _extra_set_items(side: str, these: Iterable[Any], others: Any, hl: Highlighter = plain) -> list[str]:
    extra = [item for item in these if item not in others]
    if not extra:
        return []
    return [f"Extra items in the {side} set:", *(hl(saferepr(item)) for item in extra)]


def _plural(count: int) -> str:
    return "" if count == 1 else "s"


def _compare_dicts(left: Mapping[Any, Any], right: Mapping[Any, Any], verbose: int,
                   hl: Highlighter = plain) -> list[str]:
    import pprint  # here and in _compare_fields only: most runs compare no dicts (0.3 ms at start-up)

    explanation: list[str] = []
    common = [key for key in left if key in right]
    same = {key: left[key] for key in common if left[key] == right[key]}
    if same and verbose < 2:
        explanation.append(f"Omitting {len(same)} identical items, use -vv to show")
    elif same:
        explanation.append("Common items:")
        explanation.extend(hl(pprint.pformat(same)).splitlines())
    differing = [key for key in common if left[key] != right[key]]
    if differing:
        explanation.append("Differing items:")
        for key in differing:
            explanation.append(f"{hl(saferepr({key: left[key]}))} != {hl(saferepr({key: right[key]}))}")
    for side, these, others in (("Left", left, right), ("Right", right, left)):
        extra = {key: these[key] for key in these if key not in others}
        if extra:
            explanation.append(f"{side} contains {len(extra)} more item{_plural(len(extra))}:")
            explanation.extend(hl(pprint.pformat(extra)).splitlines())
    return explanation


def _field_names(value: Any) -> list[str]:
    if _is_dataclass(value):
        import dataclasses

        return [field.name for field in dataclasses.fields(value) if field.compare]
    if _is_attrs(value):
        return [field.name for field in value.__attrs_attrs__ if getattr(field, "eq", True)]
    return list(value._fields)


def _compare_fields(left: Any, right: Any, verbose: int, hl: Highlighter = plain) -> list[str]:
    """Dataclasses, attrs classes and namedtuples of one type: which fields differ, and how."""
    import pprint

    if not _has_generated_eq(left):
        return []
    same: list[str] = []
    differing: list[str] = []
    for name in _field_names(left):
        (same if getattr(left, name) == getattr(right, name) else differing).append(name)
    explanation: list[str] = [""] if same or differing else []
    if same and verbose < 2:
        explanation.append(f"Omitting {len(same)} identical items, use -vv to show")
    elif same:
        explanation.append("Matching attributes:")
        explanation.extend(hl(pprint.pformat(same)).splitlines())
    if differing:
        explanation.append("Differing attributes:")
        explanation.extend(hl(pprint.pformat(differing)).splitlines())
        for name in differing:
            left_value, right_value = getattr(left, name), getattr(right, name)
            explanation += ["", f"Drill down into differing attribute {name}:",
                            f"  {name}: {hl(repr(left_value))} != {hl(repr(right_value))}"]
            explanation += ["  " + line for line in compare_eq(left_value, right_value, verbose, hl)]
    return explanation


def _full_diff(left: Any, right: Any, verbose: int, hl: Highlighter = plain) -> list[str]:
    """Line diff of both values pretty-printed one element per line (``-v`` and up)."""
    if verbose <= 0 and not running_on_ci():
        return ["Use -v to get more diff"]
    return ["", "Full diff: (-: missing in left side, +: extra in left side)",
            *(hl(line, "diff") for line in _ndiff_lines(pformat_lines(right), pformat_lines(left),
                                                          lambda s: s.rstrip()))]


# --------------------------------------------------------------------------------------------
# truncation
# --------------------------------------------------------------------------------------------


TRUNCATION_MESSAGE = "...Full output truncated, use '-vv' to show"
# the footer (``...`` on the last kept line, a blank line, the message) may be spent by a body
# that nearly fits before it is cut; pytest >= 9.2 no longer counts the hidden lines (#14523)
_FOOTER_LINES = 2
_FOOTER_CHARS = len("...") + len(TRUNCATION_MESSAGE)


def truncate_lines(lines: list[str], max_lines: int = DEFAULT_MAX_LINES,
                   max_chars: int = DEFAULT_MAX_CHARS) -> list[str]:
    """Cut a long explanation to ``max_lines`` lines / ``max_chars`` characters, saying so.

    A little slack is allowed so that cutting never hides less than the footer itself takes.
    """
    tolerable_chars = max_chars + _FOOTER_CHARS
    if max_lines == 0 or len(lines) <= max_lines + _FOOTER_LINES:
        if max_chars == 0 or sum(len(line) for line in lines) <= tolerable_chars:
            return lines
        kept = list(lines)
    else:
        kept = lines[:max_lines]
    if max_chars > 0 and sum(len(line) for line in kept) > tolerable_chars:
        kept = _cut_to_chars(kept, max_chars)
    kept[-1] += "..."
    return [*kept, "", TRUNCATION_MESSAGE]


def _cut_to_chars(lines: list[str], max_chars: int) -> list[str]:
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) > max_chars:
            return [*lines[:index], line[: max_chars - used]]
        used += len(line)
    return list(lines)
