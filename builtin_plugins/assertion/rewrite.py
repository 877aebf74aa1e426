"""The AST rewriter: turn ``assert`` statements into code that explains their failure.

``assert f(x) == g(y), msg`` becomes, roughly::

    if not (@mt_2 := (@mt_0 := f(x)) == (@mt_1 := g(y))):
        raise @minitest_ar.make_error(<template>, (@mt_0, @mt_1, @mt_2), msg)
    @mt_0 = @mt_1 = @mt_2 = None

Every sub-expression worth showing is wrapped in an assignment expression (walrus) into a hidden
local whose name is not a valid identifier, so it cannot clash with user names. Because the
expression keeps its own shape, evaluation order, short-circuiting of ``and``/``or`` and side
effects are exactly those of the original. The *template* is a constant tuple describing the
expression; only on failure does ``runtime.make_error`` turn it and the values into a message.
Chained comparisons ``a < b < c`` become ``(a < b) and (b < c)`` with ``b`` evaluated once, which
is the same semantics, so each pair's result can be kept.

Lambdas, comprehensions, subscripts, literals and the like are not looked into: they are shown
by their value.
"""

from __future__ import annotations

import ast
import warnings
from typing import Any

from minitest.assertion_api import MinitestAssertRewriteWarning

__all__ = ["rewrite_module", "rewrite_source", "is_rewrite_disabled", "RUNTIME_ALIAS"]

#: The hidden module-level name the helper module is imported as.
RUNTIME_ALIAS = "@minitest_ar"
RUNTIME_MODULE = "builtin_plugins.assertion.runtime"
_OPT_OUT_MARKERS = ("MINITEST_DONT_REWRITE", "PYTEST_DONT_REWRITE")

_UNARY_SYMBOLS: dict[type, str] = {ast.Not: "not ", ast.Invert: "~", ast.UAdd: "+", ast.USub: "-"}
_BINARY_SYMBOLS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
    ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^",
    ast.BitAnd: "&", ast.MatMult: "@",
}
_COMPARE_SYMBOLS: dict[type, str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}


def is_rewrite_disabled(docstring: str | None) -> bool:
    """A module opts out of rewriting by mentioning a marker in its docstring."""
    return docstring is not None and any(marker in docstring for marker in _OPT_OUT_MARKERS)


def _runtime(attr: str) -> ast.Attribute:
    return ast.Attribute(ast.Name(RUNTIME_ALIAS, ast.Load()), attr, ast.Load())


def _slot_name(slot: int) -> str:
    return f"@mt_{slot}"


def _locate(node: ast.AST, source: ast.AST) -> ast.AST:
    """Give ``node`` and its location-less descendants the position of ``source``."""
    for child in ast.walk(node):
        if "lineno" in child._attributes and not hasattr(child, "lineno"):
            ast.copy_location(child, source)
    return node


class _AssertTranslator:
    """Rewrites one assert statement; one instance per statement keeps the slot numbering local."""

    def __init__(self, orig: str | None = None) -> None:
        self.slots = 0
        self.conditional = False  # some slot may stay unevaluated: initialise them all first
        #: the assert's expression as written, when passing asserts call minitest_assertion_pass
        self.orig = orig

    def _store(self, expr: ast.expr) -> tuple[ast.expr, int]:
        slot = self.slots
        self.slots += 1
        wrapped = ast.NamedExpr(ast.Name(_slot_name(slot), ast.Store()), expr)
        return ast.copy_location(wrapped, expr), slot

    def visit(self, node: ast.expr) -> tuple[ast.expr, tuple]:
        method = getattr(self, f"_visit_{type(node).__name__}", None)
        if method is None:
            wrapped, slot = self._store(node)
            return wrapped, ("v", slot)
        return method(node)

    def _visit_Name(self, node: ast.Name) -> tuple[ast.expr, tuple]:
        wrapped, slot = self._store(node)
        return wrapped, ("name", slot, node.id)

    def _visit_Attribute(self, node: ast.Attribute) -> tuple[ast.expr, tuple]:
        value, value_t = self.visit(node.value)
        new = ast.copy_location(ast.Attribute(value, node.attr, ast.Load()), node)
        wrapped, slot = self._store(new)
        return wrapped, ("attr", slot, value_t, node.attr)

    def _visit_Call(self, node: ast.Call) -> tuple[ast.expr, tuple]:
        func, func_t = self.visit(node.func)
        args: list[ast.expr] = []
        arg_ts: list[tuple[str, tuple]] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                inner, inner_t = self.visit(arg.value)
                args.append(ast.copy_location(ast.Starred(inner, ast.Load()), arg))
                arg_ts.append(("*", inner_t))
            else:
                new_arg, arg_t = self.visit(arg)
                args.append(new_arg)
                arg_ts.append(("", arg_t))
        keywords: list[ast.keyword] = []
        for keyword in node.keywords:
            value, value_t = self.visit(keyword.value)
            keywords.append(ast.copy_location(ast.keyword(keyword.arg, value), keyword))
            arg_ts.append(("**" if keyword.arg is None else f"{keyword.arg}=", value_t))
        new = ast.copy_location(ast.Call(func, args, keywords), node)
        wrapped, slot = self._store(new)
        return wrapped, ("call", slot, func_t, tuple(arg_ts))

    def _visit_UnaryOp(self, node: ast.UnaryOp) -> tuple[ast.expr, tuple]:
        operand, operand_t = self.visit(node.operand)
        new = ast.copy_location(ast.UnaryOp(node.op, operand), node)
        wrapped, slot = self._store(new)
        return wrapped, ("unary", slot, _UNARY_SYMBOLS[type(node.op)], operand_t)

    def _visit_BinOp(self, node: ast.BinOp) -> tuple[ast.expr, tuple]:
        left, left_t = self.visit(node.left)
        right, right_t = self.visit(node.right)
        new = ast.copy_location(ast.BinOp(left, node.op, right), node)
        wrapped, slot = self._store(new)
        return wrapped, ("binop", slot, _BINARY_SYMBOLS[type(node.op)], left_t, right_t)

    def _visit_BoolOp(self, node: ast.BoolOp) -> tuple[ast.expr, tuple]:
        self.conditional = True
        values, value_ts = [], []
        for value in node.values:
            new_value, value_t = self.visit(value)
            values.append(new_value)
            value_ts.append(value_t)
        new = ast.copy_location(ast.BoolOp(node.op, values), node)
        wrapped, slot = self._store(new)
        word = "and" if isinstance(node.op, ast.And) else "or"
        return wrapped, ("bool", slot, word, tuple(value_ts))

    def _visit_Compare(self, node: ast.Compare) -> tuple[ast.expr, tuple]:
        left, left_t = self.visit(node.left)
        operand_ts = [left_t]
        symbols = [_COMPARE_SYMBOLS[type(op)] for op in node.ops]
        pairs: list[ast.expr] = []
        result_slots: list[int] = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right, right_t = self.visit(comparator)
            pair = ast.copy_location(ast.Compare(left, [op], [right]), node)
            stored, result_slot = self._store(pair)
            pairs.append(stored)
            result_slots.append(result_slot)
            operand_ts.append(right_t)
            # the next pair reads the value already computed instead of evaluating it again
            left = ast.copy_location(ast.Name(_slot_name(right_t[1]), ast.Load()), comparator)
        if len(pairs) == 1:
            whole, slot = pairs[0], result_slots[0]
        else:
            self.conditional = True
            # a < b < c  ==  (a < b) and (b < c), including which value is returned
            whole, slot = self._store(ast.copy_location(ast.BoolOp(ast.And(), pairs), node))
        return whole, ("cmp", slot, tuple(operand_ts), tuple(symbols), tuple(result_slots))

    def translate(self, assert_: ast.Assert) -> list[ast.stmt]:
        test, template = self.visit(assert_.test)
        names = [_slot_name(slot) for slot in range(self.slots)]
        statements: list[ast.stmt] = []
        if self.conditional:
            # short-circuited parts must read as "not evaluated", not as a stale or unbound value
            statements.append(ast.Assign([ast.Name(name, ast.Store()) for name in names], _runtime("UNSET")))
        error_args: list[ast.expr] = [
            # a tuple constant compiles fine (the compiler folds them); typeshed lists scalars only
            ast.Constant(template),  # type: ignore[arg-type]
            ast.Tuple([ast.Name(name, ast.Load()) for name in names], ast.Load()),
        ]
        if assert_.msg is not None:
            error_args.append(assert_.msg)
        raise_ = ast.Raise(ast.Call(_runtime("make_error"), error_args, []), None)
        passed: list[ast.stmt] = []
        if self.orig is not None:
            # enable_assertion_pass_hook: the runtime explains the passing assert only when some
            # plugin implements the hook for the running test
            passed.append(ast.Expr(ast.Call(_runtime("assertion_passed"), [
                ast.Constant(assert_.lineno), ast.Constant(self.orig),
                ast.Constant(template),  # type: ignore[arg-type]
                ast.Tuple([ast.Name(name, ast.Load()) for name in names], ast.Load())], [])))
        statements.append(ast.If(ast.UnaryOp(ast.Not(), test), [raise_], passed))
        # drop the references so a passing assert does not keep large values alive
        statements.append(ast.Assign([ast.Name(name, ast.Store()) for name in names], ast.Constant(None)))
        for statement in statements:
            _locate(statement, assert_)
        return statements


class _ModuleRewriter:
    def __init__(self, filename: str, pass_source: str | None = None) -> None:
        self.filename = filename
        #: the module's source when passing asserts call the assertion_pass hook (else None)
        self.pass_source = pass_source

    def rewrite_block(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        result: list[ast.stmt] = []
        for statement in statements:
            if isinstance(statement, ast.Assert):
                result.extend(self.rewrite_assert(statement))
            else:
                self.descend(statement)
                result.append(statement)
        return result

    def descend(self, node: ast.AST) -> None:
        for field, value in ast.iter_fields(node):
            if not isinstance(value, list) or not value:
                continue
            if isinstance(value[0], ast.stmt):
                setattr(node, field, self.rewrite_block(value))
            else:
                for child in value:
                    if isinstance(child, (ast.excepthandler, ast.match_case)):
                        self.descend(child)

    def rewrite_assert(self, assert_: ast.Assert) -> list[ast.stmt]:
        if isinstance(assert_.test, ast.Tuple) and assert_.test.elts:
            warnings.warn_explicit(
                MinitestAssertRewriteWarning("assertion is always true, perhaps remove parentheses?"),
                category=None, filename=self.filename, lineno=assert_.lineno,
            )
        orig = None
        if self.pass_source is not None:
            orig = ast.get_source_segment(self.pass_source, assert_.test) or ""
        return _AssertTranslator(orig).translate(assert_)


def _insertion_point(module: ast.Module) -> int:
    """Index after the docstring and ``from __future__`` imports (which must come first)."""
    index = 0
    body = module.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        index = 1
    while index < len(body):
        statement = body[index]
        if not (isinstance(statement, ast.ImportFrom) and statement.module == "__future__"):
            break
        index += 1
    return index


def rewrite_module(module: ast.Module, filename: str = "<unknown>", pass_source: str | None = None) -> bool:
    """Rewrite the asserts of ``module`` in place; return False if it opted out. With
    ``pass_source`` (the module's source text) a passing assert calls the assertion_pass hook."""
    if is_rewrite_disabled(ast.get_docstring(module, clean=False)):
        return False
    index = _insertion_point(module)
    anchor: Any = module.body[index] if index < len(module.body) else None
    lineno = anchor.lineno if anchor is not None else 1
    importer = ast.Import([ast.alias(RUNTIME_MODULE, RUNTIME_ALIAS)])
    for node in ast.walk(importer):
        if "lineno" in node._attributes:
            located: Any = node  # the nodes whose _attributes name a position have these fields
            located.lineno, located.col_offset = lineno, 0
            located.end_lineno, located.end_col_offset = lineno, 0
    rewriter = _ModuleRewriter(filename, pass_source)
    module.body = rewriter.rewrite_block(module.body)
    module.body.insert(index, importer)
    return True


def rewrite_source(source: str | bytes, filename: str = "<unknown>", *, assertion_pass: bool = False) -> Any:
    """Parse, rewrite and compile ``source``; return the code object.

    A SyntaxError propagates unchanged, with the file name and line, so a broken test module is
    reported exactly as Python would report it.
    """
    __tracebackhide__ = True
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        # the parser's own frames say nothing to the user: report only the error itself
        raise exc.with_traceback(None) from None
    pass_source = None
    if assertion_pass:
        pass_source = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    rewrite_module(tree, filename, pass_source)
    return compile(tree, filename, "exec", dont_inherit=True)
