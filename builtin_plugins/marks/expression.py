"""The little boolean language of ``-k`` and ``-m``.

Grammar (the same one pytest users write)::

    expression := [or_expr] END
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | "(" or_expr ")" | IDENT [call]
    call       := "(" kwarg ("," kwarg)* ")"
    kwarg      := IDENT "=" (STRING | INTEGER | True | False | None)

An identifier is a run of word characters and ``: + - . [ ] \\ /``, so node-id fragments such as
``test_x[1-2]`` work unquoted. An empty expression matches nothing. What an identifier *means* is
left to a matcher callable given to :meth:`Expression.evaluate`: ``-k`` matches substrings of
names, ``-m`` matches mark names (and, with a call, the mark's keyword arguments).

Parse errors are :class:`ParseError` with a 1-based column, so the caller can name the position.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Callable, Iterator
from typing import Any, Union

__all__ = ["Expression", "ParseError", "Matcher"]

#: ``matcher(name, **kwargs) -> bool``; kwargs are only given for ``name(k=v, ...)``
Matcher = Callable[..., bool]

_IDENT = re.compile(r"(?:\w|[:+\-.\[\]\\/])+")
_CONSTANTS: dict[str, Any] = {"True": True, "False": False, "None": None}

# token kinds, spelled the way error messages name them
LPAREN, RPAREN, OR, AND, NOT = "left parenthesis", "right parenthesis", "or", "and", "not"
IDENT, END, EQUAL, STRING, COMMA = "identifier", "end of input", "=", "string literal", ","


class ParseError(Exception):
    """A malformed expression; ``column`` is 1-based."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"at column {column}: {message}")
        self.column = column
        self.message = message


@dataclasses.dataclass(frozen=True)
class _Token:
    kind: str
    value: str
    pos: int  # 0-based offset in the input


def _tokens(text: str) -> Iterator[_Token]:
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in " \t":
            pos += 1
        elif char in "()=,":
            kind = {"(": LPAREN, ")": RPAREN, "=": EQUAL, ",": COMMA}[char]
            yield _Token(kind, char, pos)
            pos += 1
        elif char in "\"'":
            end = text.find(char, pos + 1)
            if end == -1:
                raise ParseError(pos + 1, f"closing quote {char!r} is missing")
            value = text[pos: end + 1]
            if "\\" in value:
                # quoting rules stay trivial: there is no escaping inside a literal
                raise ParseError(text.index("\\", pos) + 1, 'escaping with "\\" not supported in marker expression')
            yield _Token(STRING, value, pos)
            pos = end + 1
        else:
            match = _IDENT.match(text, pos)
            if match is None:
                raise ParseError(pos + 1, f'unexpected character "{char}"')
            word = match.group(0)
            kind = {"or": OR, "and": AND, "not": NOT}.get(word, IDENT)
            yield _Token(kind, word, pos)
            pos = match.end()
    yield _Token(END, "", pos)


# -- syntax tree --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Name:
    name: str
    kwargs: tuple[tuple[str, Any], ...] | None  # None: no call parentheses


@dataclasses.dataclass(frozen=True)
class _Not:
    operand: _Node


@dataclasses.dataclass(frozen=True)
class _BinOp:
    op: str  # "and" / "or"
    left: _Node
    right: _Node


@dataclasses.dataclass(frozen=True)
class _Empty:
    pass


_Node = Union[_Name, _Not, _BinOp, _Empty]


class _Parser:
    """Recursive descent over the token list; one method per grammar rule."""

    def __init__(self, text: str) -> None:
        self.tokens = list(_tokens(text))
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def accept(self, kind: str) -> _Token | None:
        token = self.current
        if token.kind != kind:
            return None
        if kind != END:
            self.index += 1
        return token

    def expect(self, *kinds: str) -> _Token:
        for kind in kinds:
            token = self.accept(kind)
            if token is not None:
                return token
        got = self.current
        raise ParseError(got.pos + 1, f"expected {' OR '.join(kinds)}; got {got.kind}")

    def parse(self) -> _Node:
        if self.accept(END):
            return _Empty()
        node = self.or_expr()
        self.expect(END)
        return node

    def or_expr(self) -> _Node:
        node = self.and_expr()
        while self.accept(OR):
            node = _BinOp("or", node, self.and_expr())
        return node

    def and_expr(self) -> _Node:
        node = self.not_expr()
        while self.accept(AND):
            node = _BinOp("and", node, self.not_expr())
        return node

    def not_expr(self) -> _Node:
        if self.accept(NOT):
            return _Not(self.not_expr())
        if self.accept(LPAREN):
            node = self.or_expr()
            self.expect(RPAREN)
            return node
        ident = self.expect(NOT, LPAREN, IDENT)
        if self.accept(LPAREN):
            kwargs = self.call_args()
            return _Name(ident.value, kwargs)
        return _Name(ident.value, None)

    def call_args(self) -> tuple[tuple[str, Any], ...]:
        seen: dict[str, Any] = {}
        while True:
            name_tok = self.expect(IDENT)
            name = name_tok.value
            if not name.isidentifier():
                raise ParseError(name_tok.pos + 1, f"not a valid python identifier {name}")
            if keyword.iskeyword(name):
                raise ParseError(name_tok.pos + 1, f"unexpected reserved python keyword `{name}`")
            if name in seen:
                raise ParseError(name_tok.pos + 1, f"keyword argument repeated: {name}")
            self.expect(EQUAL)
            seen[name] = self.value()
            if not self.accept(COMMA):
                break
        self.expect(RPAREN)
        return tuple(seen.items())

    def value(self) -> Any:
        literal = self.accept(STRING)
        if literal is not None:
            return literal.value[1:-1]
        token = self.expect(IDENT)
        text = token.value
        if text.isdigit() or (text.startswith("-") and text[1:].isdigit()):
            return int(text)
        if text in _CONSTANTS:
            return _CONSTANTS[text]
        raise ParseError(token.pos + 1, f'unexpected character/s "{text}"')


class Expression:
    """A compiled ``-k`` / ``-m`` expression."""

    def __init__(self, text: str, tree: _Node) -> None:
        self.text = text
        self._tree = tree

    @classmethod
    def compile(cls, text: str) -> Expression:
        """Parse ``text``; raises :class:`ParseError` naming the column of the problem."""
        return cls(text, _Parser(text).parse())

    def evaluate(self, matcher: Matcher) -> bool:
        """Whether the expression holds, asking ``matcher`` about each identifier."""
        return _evaluate(self._tree, matcher)

    def idents(self) -> frozenset[str]:
        """The identifiers the expression names (mark names for ``-m``)."""
        return frozenset(_idents(self._tree))


def _idents(node: _Node) -> Iterator[str]:
    if isinstance(node, _Name):
        yield node.name
    elif isinstance(node, _Not):
        yield from _idents(node.operand)
    elif isinstance(node, _BinOp):
        yield from _idents(node.left)
        yield from _idents(node.right)


def _evaluate(node: _Node, matcher: Matcher) -> bool:
    if isinstance(node, _Name):
        if node.kwargs is None:
            return bool(matcher(node.name))
        return bool(matcher(node.name, **dict(node.kwargs)))
    if isinstance(node, _Not):
        return not _evaluate(node.operand, matcher)
    if isinstance(node, _BinOp):
        left = _evaluate(node.left, matcher)
        if node.op == "and":
            return left and _evaluate(node.right, matcher)
        return left or _evaluate(node.right, matcher)
    return False
