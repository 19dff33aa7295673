"""Text to AST with Lark (LALR, no recursion), with syntax errors people can act on."""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from . import ast
from .cache import cache_root
from .errors import DocalcError, diagnostic
from .spans import Span
from .syntax_messages import BY_TOKEN, EXAMPLES, RESERVED_WORD, Label, describe_expected

MAX_CHARS = 1_000_000
MAX_NESTING = 64  # brackets
MAX_DEPTH = 100  # syntax-tree levels; `a + b + ...` adds one per term
_BRACKETS = re.compile(r"#[^\n]*|[()\[\]{}\n]")


MAX_STATEMENT_TOKENS = 10_000
_STATEMENT_ENDS = frozenset({"SEMICOLON", "LBRACE", "RBRACE"})


class _StatementTooLong(Exception):
    def __init__(self, token: Token) -> None:
        super().__init__(token)
        self.token = token


class _DropNewlinesInBrackets(PostLex):
    """Newlines inside (...) or [...] continue the statement, as in Python.

    It also stops a statement of more than MAX_STATEMENT_TOKENS tokens while it is being
    read: such a statement is always refused (a flat sum that long is too deep), and
    parsing all of a 1,000,000-character one first would take seconds.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        level = 0
        count = 0
        for tok in stream:
            kind = tok.type
            count += 1
            if kind in ("LPAR", "LSQB"):
                level += 1
            elif kind in ("RPAR", "RSQB"):
                level = max(level - 1, 0)
            elif kind == "_NL":
                if level:
                    continue
                count = 0
            elif kind in _STATEMENT_ENDS:
                count = 0
            if count > MAX_STATEMENT_TOKENS:
                raise _StatementTooLong(tok)
            yield tok


def _tspan(tok: Token, source: str) -> Span:
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
                    raise _one("E801", deep or span, text, limit=MAX_DEPTH)
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
        return ast.Stochastic(str(name), call, span, _tspan(name, self.source))

    def deterministic(self, span: Span, items: list[Any]) -> ast.Deterministic:
        name, expr = items
        return ast.Deterministic(str(name), expr, span, _tspan(name, self.source))

    def data_decl(self, span: Span, items: list[Any]) -> ast.DataDecl:
        name = items[0]
        index_of = str(items[1]) if len(items) > 1 else None
        return ast.DataDecl(str(name), index_of, span, _tspan(name, self.source))

    def plate_size(self, span: Span, items: list[Any]) -> _Size:
        return _Size(int(items[0]))

    def plate(self, span: Span, items: list[Any]) -> ast.Plate:
        name, *rest = items
        size = rest.pop(0).value if rest and isinstance(rest[0], _Size) else None
        return ast.Plate(str(name), size, tuple(rest), span, _tspan(name, self.source))

    def do_stmt(self, span: Span, items: list[Any]) -> ast.Do:
        return ast.Do(tuple(items), span)

    def query_stmt(self, span: Span, items: list[Any]) -> ast.Query:
        name, expr = items
        return ast.Query(str(name), expr, span, _tspan(name, self.source))

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
        return ast.Index(ast.Name(str(tok), _tspan(tok, self.source)), expr, span)

    def listexpr(self, span: Span, items: list[Any]) -> ast.ListExpr:
        return ast.ListExpr(tuple(items), span)

    def call(self, span: Span, items: list[Any]) -> ast.Call:
        func, *args = items
        pos = tuple(a for a in args if not isinstance(a, ast.Keyword))
        kws = tuple(a for a in args if isinstance(a, ast.Keyword))
        return ast.Call(str(func), pos, kws, span, _tspan(func, self.source))

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


@cache
def _grammar() -> str:
    return files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")


@cache
def _raw_parser(start: str) -> Lark:
    """Return the LALR parser; it builds trees without recursion, whatever the input."""
    return Lark(
        _grammar(), parser="lalr", lexer="contextual", start=start,
        keep_all_tokens=True, maybe_placeholders=False, postlex=_DropNewlinesInBrackets(),
        cache=_table_file(start),
    )


def _table_file(start: str) -> str | bool:
    # Lark's analysed tables, saved once: rebuilding them costs most of a small model's
    # parse. Lark checks the grammar, options and version it stored and rebuilds on any
    # change; a file it cannot read or write only costs the rebuild.
    root = cache_root()
    if root is None:
        return False
    folder = root / "parser"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    stamp = hashlib.sha256(f"{_grammar()}{start}{lark.__version__}".encode()).hexdigest()
    return str(folder / f"{start}-{stamp[:16]}.lark")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of a front-end stage.

    Parsing allocates many small acyclic objects, which trigger collections that find
    nothing; pausing them makes large models a quarter faster. The previous state is
    restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_limits(text: str, source: str) -> None:
    if len(text) > MAX_CHARS:
        raise _one("E800", Span(1, 1, 1, 2, source), text, size=len(text), limit=MAX_CHARS)
    # Brackets are counted before Lark runs, so that no parser stage sees deep input;
    # comments are skipped since a '(' there nests nothing.
    level = 0
    line, line_start = 1, 0
    for m in _BRACKETS.finditer(text):
        ch = m.group()
        if ch == "\n":
            line, line_start = line + 1, m.end()
        elif ch in "([{":
            level += 1
            if level > MAX_NESTING:
                col = m.start() - line_start + 1
                raise _one("E803", Span(line, col, line, col + 1, source), text,
                           limit=MAX_NESTING)
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
        with gc_paused():
            tree = _raw_parser(start).parse(text)
            return _Builder(source).transform(tree, text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, source, start) from None
    except _StatementTooLong as exc:
        span = _tspan(exc.token, source)
        raise _one("E804", span, text, limit=MAX_STATEMENT_TOKENS) from None


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
        pos = exc.pos_in_stream
        char = text[pos] if pos is not None and 0 <= pos < len(text) else "?"
        return _one("E102", span, text, char=char)

    label = _match_example(exc, start)
    terminals = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or ()
    expected = describe_expected(terminals)
    if label is not None:
        detail, hint = label
    elif at_eof:
        detail, hint = f"expected {expected}", "the text ends in the middle of a statement"
    else:
        detail, hint = f"unexpected {_describe_token(exc)}", f"expected {expected}"
    return _one("E101" if at_eof else "E100", span, text, detail=detail, hint=hint)


@cache
def _example_errors(start: str) -> tuple[tuple[Label, int, frozenset[str], str, str], ...]:
    """Parse every catalogue example once: (label, state, accepts, token type, token)."""
    out = []
    for label, examples in EXAMPLES.items():
        for example in examples:
            try:
                _raw_parser(start).parse(example)
            except UnexpectedToken as ut:
                accepts = frozenset(ut.accepts or ut.expected)
                out.append((label, _state(ut), accepts, ut.token.type, str(ut.token)))
            except UnexpectedInput:
                continue
    return tuple(out)


def _state(exc: UnexpectedToken) -> int:
    # The LALR state on top of the stack. Lark compares whole parser states, stack depth
    # included, so its examples would only match errors in a file's first statement.
    state = exc.state
    return int(getattr(state, "position", state))


def _match_example(exc: UnexpectedInput, start: str) -> Label | None:
    """Return the catalogue label of the example that failed like ``exc``.

    Like Lark's ``match_examples`` (same parser state and expected set; the same token
    first, then the same kind of token), but the examples are parsed once, and a label
    about one particular token (``BY_TOKEN``) is never chosen for a different one.
    """
    if not isinstance(exc, UnexpectedToken):
        return None
    accepts = frozenset(exc.accepts or exc.expected)
    here = _state(exc)
    by_type = by_state = None
    for label, state, acc, ttype, tok in _example_errors(start):
        if state != here or acc != accepts:
            continue
        if ttype == exc.token.type:
            if tok == str(exc.token):
                return label
            by_type = by_type or label
        elif label not in BY_TOKEN:
            by_state = by_state or label
    return by_type or by_state or _match_token(exc, accepts)


_RESERVED_TOKENS = frozenset({"E", "DO", "DATA", "PLATE", "QUERY", "FACTUAL"})


def _match_token(exc: UnexpectedToken, accepts: frozenset[str]) -> Label | None:
    # LALR states differ between a file's first, second and later statements, so the
    # examples cannot cover every context; these errors are told by the token alone.
    kind = exc.token.type
    for label in BY_TOKEN:
        if kind in BY_TOKEN[label] and not accepts & BY_TOKEN[label]:
            return label
    if kind in _RESERVED_TOKENS and "NAME" in accepts:
        return RESERVED_WORD
    return None


def _describe_token(exc: UnexpectedInput) -> str:
    tok = getattr(exc, "token", None)
    if tok is None:
        return "input"
    if tok.type == "_NL":
        return "end of line"
    return f"'{tok}'"
