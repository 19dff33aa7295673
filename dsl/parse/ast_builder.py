"""Lark's parse tree to AST nodes, with spans, refusing trees nested too deeply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Tree

from docalc.dsl import ast
from docalc.dsl.errors import syntax
from docalc.dsl.spans import Span

MAX_DEPTH = 100  # syntax-tree levels; `a + b + ...` adds one per term


def token_span(tok: Token, source: str) -> Span:
    """Return the span of one token."""
    return Span(tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0, source)


# Tokens whose text the builders read; punctuation and keywords only delimit spans.
_KEEP = frozenset({"NAME", "NUMBER", "SIZE", "COMP", "POW"})


class _Builder:
    """Builds AST nodes only; every check except nesting depth lives in the checker.

    The walk is iterative and dispatches on the rule name directly, and spans come from
    each subtree's first and last token: Lark's transformers and position propagation
    wrap every reduction, which cost half the parse time on large models.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def transform(self, tree: Tree, text: str) -> Any:
        """Build the AST bottom-up, refusing subtrees nested deeper than MAX_DEPTH."""
        handlers = {name: getattr(self, name) for name in _RULES}
        source = self.source
        values: list[Any] = []
        depths: list[int] = []
        deep: Span | None = None
        # a Tree on the stack is to be expanded; a 1-tuple holding it, to be built
        stack: list[Any] = [tree]
        while stack:
            node = stack.pop()
            if type(node) is Tree:
                stack.append((node,))
                stack.extend(reversed(node.children))
                continue
            if type(node) is not tuple:
                values.append(node)
                depths.append(0)
                continue
            t = node[0]
            k = len(values) - len(t.children)
            items = values[k:]
            depth = 1 + max(depths[k:], default=0)
            del values[k:], depths[k:]
            if items:
                # read positions straight off the end tokens: no throw-away Span objects
                first, last = items[0], items[-1]
                if type(first) is Token:
                    line, col = first.line or 0, first.column or 0
                else:
                    line, col = first.span.line, first.span.column
                if type(last) is Token:
                    end_line, end_col = last.end_line or 0, last.end_column or 0
                else:
                    end_line, end_col = last.span.end_line, last.span.end_column
                span = Span(line, col, end_line, end_col, source)
            else:
                span = Span(0, 0, 0, 0, source)
            if depth > MAX_DEPTH:
                # report the outermost expression, where the user can split it
                if t.data in _STATEMENT_RULES or not stack:
                    too_deep = syntax.expression_too_deep(deep or span, limit=MAX_DEPTH)
                    raise too_deep.with_source(text).error()
                deep = span
            items = [x.inner if type(x) is _Paren else x for x in items
                     if type(x) is not Token or x.type in _KEEP]
            values.append(handlers[t.data](span, items))
            depths.append(depth)
        return values[0]

    def start(self, span: Span, items: list[Any]) -> ast.Program:
        return ast.Program(tuple(items), self.source)

    def atom(self, span: Span, items: list[Any]) -> _Paren:
        # `( expr )`: the parentheses leave no node, but the enclosing node's span covers them
        return _Paren(items[0], span)

    def stochastic(self, span: Span, items: list[Any]) -> ast.Stochastic:
        name, call = items
        return ast.Stochastic(str(name), call, span, token_span(name, self.source))

    def deterministic(self, span: Span, items: list[Any]) -> ast.Deterministic:
        name, expr = items
        return ast.Deterministic(str(name), expr, span, token_span(name, self.source))

    def data_decl(self, span: Span, items: list[Any]) -> ast.DataDecl:
        name = items[0]
        index_of = str(items[1]) if len(items) > 1 else None
        return ast.DataDecl(str(name), index_of, span, token_span(name, self.source))

    def plate_size(self, span: Span, items: list[Any]) -> _Size:
        # a size of thousands of digits is refused by the checker as too large; int() of
        # more than 4300 digits would raise, so past 30 digits it is only "very large"
        digits = str(items[0]).lstrip("0") or "0"
        return _Size(int(digits) if len(digits) <= 30 else 10**30)

    def plate(self, span: Span, items: list[Any]) -> ast.Plate:
        name, *rest = items
        size = rest.pop(0).value if rest and isinstance(rest[0], _Size) else None
        return ast.Plate(str(name), size, tuple(rest), span, token_span(name, self.source))

    def do_stmt(self, span: Span, items: list[Any]) -> ast.Do:
        return ast.Do(tuple(items), span)

    def query_stmt(self, span: Span, items: list[Any]) -> ast.Query:
        name, expr = items
        return ast.Query(str(name), expr, span, token_span(name, self.source))

    def do_args(self, span: Span, items: list[Any]) -> tuple[ast.Intervention, ...]:
        return tuple(items)

    def set_value(self, span: Span, items: list[Any]) -> ast.SetValue:
        return ast.SetValue(str(items[0]), items[1], span)

    def set_dist(self, span: Span, items: list[Any]) -> ast.SetDist:
        return ast.SetDist(str(items[0]), items[1], span)

    def add(self, span: Span, items: list[Any]) -> ast.Binary:
        return ast.Binary("+", items[0], items[-1], span)

    def sub(self, span: Span, items: list[Any]) -> ast.Binary:
        return ast.Binary("-", items[0], items[-1], span)

    def mul(self, span: Span, items: list[Any]) -> ast.Binary:
        return ast.Binary("*", items[0], items[-1], span)

    def div(self, span: Span, items: list[Any]) -> ast.Binary:
        return ast.Binary("/", items[0], items[-1], span)

    def pow(self, span: Span, items: list[Any]) -> ast.Binary:
        return ast.Binary("^", items[0], items[-1], span)

    def compare(self, span: Span, items: list[Any]) -> ast.Binary:
        return ast.Binary(str(items[1]), items[0], items[2], span)

    def neg(self, span: Span, items: list[Any]) -> ast.Unary:
        return ast.Unary("-", items[0], span)

    def pos(self, span: Span, items: list[Any]) -> ast.Unary:
        return ast.Unary("+", items[0], span)

    def number(self, span: Span, items: list[Any]) -> ast.Num:
        return ast.Num(float(items[0]), span)

    def name(self, span: Span, items: list[Any]) -> ast.Name:
        return ast.Name(str(items[0]), span)

    def index(self, span: Span, items: list[Any]) -> ast.Index:
        tok, expr = items
        return ast.Index(ast.Name(str(tok), token_span(tok, self.source)), expr, span)

    def listexpr(self, span: Span, items: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(tuple(items), span)

    def call(self, span: Span, items: list[Any]) -> ast.Call:
        func, *args = items
        pos = tuple(a for a in args if not isinstance(a, ast.Keyword))
        kws = tuple(a for a in args if isinstance(a, ast.Keyword))
        return ast.Call(str(func), pos, kws, span, token_span(func, self.source))

    def keyword(self, span: Span, items: list[Any]) -> ast.Keyword:
        return ast.Keyword(str(items[0]), items[1], span)

    def expectation(self, span: Span, items: list[Any]) -> ast.Expectation:
        return ast.Expectation(items[0], tuple(items[1:]), span)

    def do_condition(self, span: Span, items: list[Any]) -> ast.DoCondition:
        return ast.DoCondition(tuple(items), span)

    def factual(self, span: Span, items: list[Any]) -> ast.Factual:
        return ast.Factual(span)

    def observed(self, span: Span, items: list[Any]) -> ast.Observed:
        return ast.Observed(str(items[0]), items[1], span)


@dataclass(frozen=True)
class _Paren:
    # a parenthesised expression while its parent is built
    inner: Any
    span: Span


@dataclass(frozen=True)
class _Size:
    # a plate size, boxed so it cannot be mistaken for a statement
    value: int


_STATEMENT_RULES = frozenset({
    "start", "stochastic", "deterministic", "data_decl", "plate", "do_stmt", "query_stmt",
    "set_value", "set_dist", "do_args", "keyword", "observed", "do_condition",
})

# grammar rules and aliases, each built by the _Builder method of the same name
_RULES = (
    "start", "atom", "stochastic", "deterministic", "data_decl", "plate_size", "plate", "do_stmt",
    "query_stmt", "do_args", "set_value", "set_dist", "add", "sub", "mul", "div", "pow",
    "compare", "neg", "pos", "number", "name", "index", "listexpr", "call", "keyword",
    "expectation", "do_condition", "factual", "observed",
)


def build_ast(tree: Tree, text: str, source: str) -> Any:
    """Return the AST of Lark's ``tree`` for ``text`` (a Program for the start rule).

    Raises
    ------
    DocalcLimitError
        For a tree nested deeper than MAX_DEPTH.
    """
    return _Builder(source).transform(tree, text)
