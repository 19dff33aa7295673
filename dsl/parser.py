"""Text to AST with Lark (LALR, no recursion), with syntax errors people can act on."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from typing import Any

from lark import Lark, Token, Transformer_NonRecursive, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from . import ast
from .errors import DocalcError, diagnostic
from .spans import Span
from .syntax_messages import EXAMPLES, describe_expected

MAX_CHARS = 1_000_000
MAX_NESTING = 64


class _DropNewlinesInBrackets(PostLex):
    """Newlines inside (...) or [...] continue the statement, as in Python."""

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        level = 0
        for tok in stream:
            if tok.type in ("LPAR", "LSQB"):
                level += 1
            elif tok.type in ("RPAR", "RSQB"):
                level = max(level - 1, 0)
            elif tok.type == "_NL" and level:
                continue
            yield tok


def _span(meta: Any, source: str) -> Span:
    if getattr(meta, "empty", False):
        return Span(0, 0, 0, 0, source)
    return Span(meta.line, meta.column, meta.end_line, meta.end_column, source)


def _tspan(tok: Token, source: str) -> Span:
    return Span(tok.line or 0, tok.column or 0, tok.end_line or 0, tok.end_column or 0, source)


@v_args(meta=True)
class _Builder(Transformer_NonRecursive):
    """Builds AST nodes only; every check lives in the checker."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def _s(self, meta: Any) -> Span:
        return _span(meta, self.source)

    def start(self, meta: Any, items: list[Any]) -> ast.Program:
        return ast.Program(tuple(items), self.source)

    def stochastic(self, meta: Any, items: list[Any]) -> ast.Stochastic:
        name, call = items
        return ast.Stochastic(str(name), call, self._s(meta), _tspan(name, self.source))

    def deterministic(self, meta: Any, items: list[Any]) -> ast.Deterministic:
        name, expr = items
        return ast.Deterministic(str(name), expr, self._s(meta), _tspan(name, self.source))

    def data_decl(self, meta: Any, items: list[Any]) -> ast.DataDecl:
        name = items[0]
        index_of = str(items[1]) if len(items) > 1 else None
        return ast.DataDecl(str(name), index_of, self._s(meta), _tspan(name, self.source))

    def plate_size(self, meta: Any, items: list[Any]) -> int:
        return int(items[0])

    def plate(self, meta: Any, items: list[Any]) -> ast.Plate:
        name = items[0]
        rest = items[1:]
        size = rest.pop(0) if rest and isinstance(rest[0], int) else None
        return ast.Plate(str(name), size, tuple(rest), self._s(meta), _tspan(name, self.source))

    def do_stmt(self, meta: Any, items: list[Any]) -> ast.Do:
        return ast.Do(tuple(items), self._s(meta))

    def query_stmt(self, meta: Any, items: list[Any]) -> ast.Query:
        name, expr = items
        return ast.Query(str(name), expr, self._s(meta), _tspan(name, self.source))

    def do_args(self, meta: Any, items: list[Any]) -> tuple[ast.Intervention, ...]:
        return tuple(items)

    def set_value(self, meta: Any, items: list[Any]) -> ast.SetValue:
        return ast.SetValue(str(items[0]), items[1], self._s(meta))

    def set_dist(self, meta: Any, items: list[Any]) -> ast.SetDist:
        return ast.SetDist(str(items[0]), items[1], self._s(meta))

    def _bin(self, op: str, meta: Any, items: list[Any]) -> ast.Binary:
        return ast.Binary(op, items[0], items[-1], self._s(meta))

    def add(self, meta: Any, items: list[Any]) -> ast.Binary:
        return self._bin("+", meta, items)

    def sub(self, meta: Any, items: list[Any]) -> ast.Binary:
        return self._bin("-", meta, items)

    def mul(self, meta: Any, items: list[Any]) -> ast.Binary:
        return self._bin("*", meta, items)

    def div(self, meta: Any, items: list[Any]) -> ast.Binary:
        return self._bin("/", meta, items)

    def pow(self, meta: Any, items: list[Any]) -> ast.Binary:
        return self._bin("^", meta, items)

    def compare(self, meta: Any, items: list[Any]) -> ast.Binary:
        return ast.Binary(str(items[1]), items[0], items[2], self._s(meta))

    def neg(self, meta: Any, items: list[Any]) -> ast.Unary:
        return ast.Unary("-", items[0], self._s(meta))

    def pos(self, meta: Any, items: list[Any]) -> ast.Unary:
        return ast.Unary("+", items[0], self._s(meta))

    def number(self, meta: Any, items: list[Any]) -> ast.Num:
        return ast.Num(float(items[0]), self._s(meta))

    def name(self, meta: Any, items: list[Any]) -> ast.Name:
        return ast.Name(str(items[0]), self._s(meta))

    def index(self, meta: Any, items: list[Any]) -> ast.Index:
        tok, expr = items
        return ast.Index(ast.Name(str(tok), _tspan(tok, self.source)), expr, self._s(meta))

    def listexpr(self, meta: Any, items: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(tuple(items), self._s(meta))

    def call(self, meta: Any, items: list[Any]) -> ast.Call:
        func, *args = items
        args = [a for a in args if a is not None]
        pos = tuple(a for a in args if not isinstance(a, ast.Keyword))
        kws = tuple(a for a in args if isinstance(a, ast.Keyword))
        return ast.Call(str(func), pos, kws, self._s(meta), _tspan(func, self.source))

    def keyword(self, meta: Any, items: list[Any]) -> ast.Keyword:
        return ast.Keyword(str(items[0]), items[1], self._s(meta))

    def expectation(self, meta: Any, items: list[Any]) -> ast.Expectation:
        return ast.Expectation(items[0], tuple(items[1:]), self._s(meta))

    def do_condition(self, meta: Any, items: list[Any]) -> ast.DoCondition:
        return ast.DoCondition(tuple(items), self._s(meta))

    def factual(self, meta: Any, items: list[Any]) -> ast.Factual:
        return ast.Factual(self._s(meta))

    def observed(self, meta: Any, items: list[Any]) -> ast.Observed:
        return ast.Observed(str(items[0]), items[1], self._s(meta))


@cache
def _grammar() -> str:
    return files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")


@cache
def _raw_parser(start: str) -> Lark:
    """The LALR parser; it builds trees without recursion, whatever the input."""
    return Lark(
        _grammar(), parser="lalr", lexer="contextual", start=start,
        propagate_positions=True, maybe_placeholders=False, postlex=_DropNewlinesInBrackets(),
    )


def _check_limits(text: str, source: str) -> None:
    if len(text) > MAX_CHARS:
        raise _one("E800", Span(1, 1, 1, 2, source), text, size=len(text), limit=MAX_CHARS)
    level = 0
    line, col = 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col = line + 1, 0
        elif ch in "([{":
            level += 1
            if level > MAX_NESTING:
                raise _one("E801", Span(line, col, line, col + 1, source), text, limit=MAX_NESTING)
        elif ch in ")]}":
            level = max(level - 1, 0)


def _one(code: str, span: Span, text: str, **values: Any) -> DocalcError:
    d = diagnostic(code, span, source_text=text, **values)
    return d.kind([d])


def parse(text: str, source: str = "<string>", start: str = "start") -> Any:
    """Parse text into an AST (a Program for ``start="start"``).

    Raises
    ------
    DocalcSyntaxError
        With line, column, the source line, a caret and a message from the catalogue.
    DocalcLimitError
        For input too large or nested too deeply.
    """
    _check_limits(text, source)
    try:
        tree = _raw_parser(start).parse(text)
        return _Builder(source).transform(tree)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, source, start) from None
    except RecursionError:
        raise _one("E801", Span(1, 1, 1, 2, source), text, limit=MAX_NESTING) from None


def _eof_span(text: str, source: str) -> Span:
    lines = text.splitlines() or [""]
    line = len(lines)
    col = len(lines[-1]) + 1
    return Span(line, col, line, col + 1, source)


def _syntax_error(exc: UnexpectedInput, text: str, source: str, start: str) -> DocalcError:
    at_eof = isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    )
    if at_eof or getattr(exc, "line", -1) in (None, -1, 0):
        span = _eof_span(text, source)
    elif isinstance(exc, UnexpectedToken):
        tok = exc.token
        span = Span(tok.line or 1, tok.column or 1, tok.end_line or tok.line or 1,
                    tok.end_column or (tok.column or 1) + 1, source)
    else:
        span = Span(exc.line, exc.column, exc.line, exc.column + 1, source)

    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if 0 <= exc.pos_in_stream < len(text) else "?"
        return _one("E102", span, text, char=char)

    label = exc.match_examples(_raw_parser(start).parse, EXAMPLES, use_accepts=True)
    expected = describe_expected(getattr(exc, "accepts", None) or getattr(exc, "expected", set()))
    if label is not None:
        detail, hint = label
    else:
        found = "end of input" if at_eof else _describe_token(exc)
        detail, hint = f"unexpected {found}", f"expected {expected}"
    code = "E101" if at_eof else "E100"
    if at_eof and detail.startswith("unexpected end of input"):
        detail = f"expected {expected}"
    return _one(code, span, text, detail=detail, hint=hint)


def _describe_token(exc: UnexpectedInput) -> str:
    tok = getattr(exc, "token", None)
    if tok is None:
        return "input"
    if tok.type == "_NL":
        return "end of line"
    return f"'{tok}'"
