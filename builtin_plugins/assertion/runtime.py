"""What rewritten ``assert`` statements call at run time, and only when they fail.

The rewriter (``rewrite.py``) turns ``assert f(x) == g(y)`` into code that keeps every
sub-expression's value in a hidden local and, on failure, calls :func:`make_error` with a
*template* — a constant nested tuple describing the expression's shape — and the tuple of values.
All the formatting happens here, in ordinary Python, so the generated code stays tiny and the
passing path costs only the stores of the intermediate values.

Template nodes are tuples ``(kind, slot, ...)`` where ``slot`` indexes the values tuple:

* ``("v", slot)``                        any expression shown by its value
* ``("name", slot, identifier)``         a name (shown as its value when local or a plain global)
* ``("attr", slot, value_node, attr)``   ``value.attr``  → ``+ where <res> = <value>.attr``
* ``("call", slot, func_node, args)``    ``func(args)``  → ``+ where <res> = func(args)``;
  ``args`` is a tuple of ``(prefix, node)`` with prefix ``""``, ``"*"``, ``"**"`` or ``"kw="``
* ``("unary", slot, symbol, operand)``   ``not x``, ``-x`` ...
* ``("binop", slot, symbol, left, right)``
* ``("bool", slot, "and"|"or", operands)``  only the operands that were evaluated are shown
* ``("cmp", slot, operands, symbols, result_slots)`` a (possibly chained) comparison; the pair
  that decided the result is explained, through the ``minitest_assertrepr_compare`` hook.

Values never computed (short-circuited) hold :data:`UNSET`.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

from minitest.saferepr import DEFAULT_MAXSIZE, saferepr, saferepr_unlimited

__all__ = ["UNSET", "make_error", "state", "render_explanation", "always_true_warning"]


class _Unset:
    """Marker for a sub-expression that short-circuiting skipped."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not evaluated>"


UNSET: Any = _Unset()

#: Computes the lines explaining ``left op right`` (or None); set by the assertion plugin.
ReprCompare = Callable[[str, object, object], "list[str] | None"]


class _State:
    """Process-wide settings the plugin installs at configure time and per test item."""

    def __init__(self) -> None:
        self.reprcompare: ReprCompare | None = None
        self.maxsize: int | None = DEFAULT_MAXSIZE
        #: calls minitest_assertion_pass(lineno, orig, expl) for the running test, when a plugin
        #: implements it (None: passing asserts cost nothing more than a call)
        self.assertion_pass: Callable[[int, str, str], None] | None = None


state = _State()


def _display(value: object) -> str:
    """Show one value on a single line of the explanation."""
    if isinstance(value, types.MethodType):
        # "<bound method C.m of <C object at ...>>" says nothing the where-line does not
        return value.__name__
    if state.maxsize is None:
        text = saferepr_unlimited(value)
    else:
        text = saferepr(value, state.maxsize)
    return text.replace("\n", "\\n")


def _show_name_as_value(name: str, value: object, local_names: Any) -> bool:
    """Locals and plain global values are shown by value; functions, classes, modules by name."""
    try:
        if name in local_names:
            return True
    except Exception:
        return True
    if callable(value):
        return False
    try:
        return not hasattr(value, "__name__")
    except Exception:
        return True


# --------------------------------------------------------------------------------------------
# Building an explanation: a fragment is a list of items
#   ("t", text)      text continuing the current line
#   ("c", text)      a continuation line (indented under the current level)
#   ("n", text)      a new line at the current level (used for "assert ..." after a message)
#   ("w", fragment)  a "+ where ..." entry explaining a value shown on the current line
# --------------------------------------------------------------------------------------------

Fragment = list


class _Explainer:
    def __init__(self, values: Sequence[object], local_names: Any) -> None:
        self.values = values
        self.local_names = local_names

    def fragment(self, node: tuple) -> Fragment:
        method = getattr(self, "_" + node[0])
        return method(node)

    def _value(self, node: tuple) -> object:
        return self.values[node[1]]

    def _v(self, node: tuple) -> Fragment:
        return [("t", _display(self._value(node)))]

    def _name(self, node: tuple) -> Fragment:
        value = self._value(node)
        if _show_name_as_value(node[2], value, self.local_names):
            return [("t", _display(value))]
        return [("t", node[2])]

    def _attr(self, node: tuple) -> Fragment:
        shown = _display(self._value(node))
        where = [("t", f"{shown} = "), *self.fragment(node[2]), ("t", f".{node[3]}")]
        return [("t", shown), ("w", where)]

    def _call(self, node: tuple) -> Fragment:
        shown = _display(self._value(node))
        where: Fragment = [("t", f"{shown} = "), *self.fragment(node[2]), ("t", "(")]
        for index, (prefix, arg) in enumerate(node[3]):
            if index:
                where.append(("t", ", "))
            if prefix:
                where.append(("t", prefix))
            where.extend(self.fragment(arg))
        where.append(("t", ")"))
        return [("t", shown), ("w", where)]

    def _starred(self, node: tuple) -> Fragment:
        return [("t", "*"), *self.fragment(node[2])]

    def _unary(self, node: tuple) -> Fragment:
        return [("t", node[2]), *self.fragment(node[3])]

    def _binop(self, node: tuple) -> Fragment:
        return [("t", "("), *self.fragment(node[3]), ("t", f" {node[2]} "), *self.fragment(node[4]), ("t", ")")]

    def _bool(self, node: tuple) -> Fragment:
        parts: Fragment = [("t", "(")]
        evaluated = [operand for operand in node[3] if self.values[operand[1]] is not UNSET]
        for index, operand in enumerate(evaluated):
            if index:
                parts.append(("t", f" {node[2]} "))
            parts.extend(self.fragment(operand))
        parts.append(("t", ")"))
        return parts

    def _cmp(self, node: tuple) -> Fragment:
        operands, symbols, result_slots = node[2], node[3], node[4]
        # the deciding pair: the first false one, else the last one evaluated
        chosen = 0
        for index, slot in enumerate(result_slots):
            result = self.values[slot]
            if result is UNSET:
                break
            chosen = index
            try:
                if not result:
                    break
            except Exception:
                break
        left, right, symbol = operands[chosen], operands[chosen + 1], symbols[chosen]
        custom = _compare_lines(symbol, self.values[left[1]], self.values[right[1]])
        if custom:
            return [("t", custom[0]), *(("c", line) for line in custom[1:])]
        return [*self.fragment(left), ("t", f" {symbol} "), *self.fragment(right)]


def _compare_lines(symbol: str, left: object, right: object) -> list[str] | None:
    """Ask the plugin (and so the ``minitest_assertrepr_compare`` hook) to explain a comparison."""
    if state.reprcompare is None:
        return None
    try:
        lines = state.reprcompare(symbol, left, right)
    except Exception as exc:  # a broken hook implementation must not hide the test's failure
        return [f"{_display(left)} {symbol} {_display(right)}",
                f"(explaining the comparison failed: {_display(exc)})"]
    if not lines:
        return None
    # an explanation line must stay one line of the report
    return [str(line).replace("\n", "\\n") for line in lines]


def render_explanation(fragment: Fragment) -> str:
    """Lay a fragment out as the lines of an assertion message (pytest's layout).

    ``+  where`` entries follow the line they explain, one level deeper per nesting; the second
    and later entries of one level say ``and`` instead of ``where``.
    """
    lines: list[str] = [""]

    def emit(items: Fragment, line_index: int, depth: int) -> None:
        where_count = 0
        for kind, payload in items:
            if kind == "t":
                lines[line_index] += payload
            elif kind == "c":
                lines.append("  " * (depth + 1) + payload)
                line_index = len(lines) - 1
            elif kind == "n":
                lines.append("  " * depth + payload)
                line_index = len(lines) - 1
            else:
                word = "and   " if where_count else "where "
                where_count += 1
                lines.append(" +" + "  " * (depth + 1) + word)
                emit(payload, len(lines) - 1, depth + 1)

    emit(fragment, 0, 0)
    return "\n".join(lines)


def _message_fragment(msg: object) -> Fragment:
    """The user's ``assert x, msg`` message: strings as they are, other objects by repr."""
    if isinstance(msg, str):
        text_lines = msg.split("\n")
    else:
        text_lines = _display(msg).replace("\\n", "\n").split("\n")
    return [("t", text_lines[0]), *(("c", line) for line in text_lines[1:])]


_NO_MESSAGE: Any = UNSET


def make_error(template: tuple, values: Sequence[object], msg: object = _NO_MESSAGE) -> AssertionError:
    """Build the AssertionError of a failed rewritten assert (called from the test's frame)."""
    __tracebackhide__ = True
    try:
        local_names = sys._getframe(1).f_locals
    except Exception:
        local_names = {}
    try:
        explainer = _Explainer(values, local_names)
        body = explainer.fragment(template)
        if msg is _NO_MESSAGE:
            fragment = [("t", "assert "), *body]
        else:
            fragment = [*_message_fragment(msg), ("n", "assert "), *body]
        text = render_explanation(fragment)
    except Exception as exc:  # never let the explanation machinery replace the real failure
        text = f"assert <explanation failed: {_display(exc)}>"
        if msg is not _NO_MESSAGE:
            text = f"{_display(msg)}\n{text}"
    return AssertionError(text)


def assertion_passed(lineno: int, orig: str, template: tuple, values: Sequence[object]) -> None:
    """A rewritten assert passed (modules rewritten with ``enable_assertion_pass_hook``): explain
    it as a failure would be explained and hand it to the assertion_pass hook."""
    hook = state.assertion_pass
    if hook is None:
        return
    try:
        local_names = sys._getframe(1).f_locals
    except Exception:
        local_names = {}
    expl = render_explanation(_Explainer(values, local_names).fragment(template))
    hook(lineno, orig, expl)


def always_true_warning() -> str:
    """Text of the warning for ``assert (x, "msg")`` (a tuple is always true)."""
    return "assertion is always true, perhaps remove parentheses?"
