"""Lark set-up: the LALR parser of grammar.lark, its saved tables, and the post-lexer."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from importlib.resources import files

import lark
from lark import Lark, Token
from lark.lark import PostLex

from docalc.dsl.cache import cache_root

MAX_STATEMENT_TOKENS = 10_000
#: Statements in one text (a plate's inner statements count, and the plate itself).
MAX_STATEMENTS = 50_000
_STATEMENT_ENDS = frozenset({"SEMICOLON", "LBRACE", "RBRACE"})


class StatementTooLong(Exception):
    """Raised by the post-lexer at the token past MAX_STATEMENT_TOKENS of one statement."""

    def __init__(self, token: Token) -> None:
        super().__init__(token)
        self.token = token


class TooManyStatements(StatementTooLong):
    """Raised by the post-lexer at the first token of the statement past MAX_STATEMENTS."""


class DropNewlinesInBrackets(PostLex):
    """Newlines inside (...) or [...] continue the statement, as in Python.

    It also stops a statement of more than MAX_STATEMENT_TOKENS tokens, and a text of more
    than MAX_STATEMENTS statements, while they are being read: such input is always
    refused, and parsing all of a 1,000,000-character statement, or 100,000 statements,
    first would take seconds.
    """

    always_accept = ("_NL",)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        """Drop newlines inside brackets and stop statements that are too long or many."""
        level = 0
        count = 0  # tokens of this statement; 0 between statements
        statements = 0
        limit = MAX_STATEMENTS  # read once: tests lower it
        for tok in stream:
            kind = tok.type
            if kind in ("LPAR", "LSQB"):
                level += 1
            elif kind in ("RPAR", "RSQB"):
                level = max(level - 1, 0)
            elif kind == "_NL":
                if level:
                    continue
                count = 0
                yield tok
                continue
            elif kind in _STATEMENT_ENDS:
                count = 0
                yield tok
                continue
            if count == 0:
                statements += 1
                if statements > limit:
                    raise TooManyStatements(tok)
            count += 1
            if count > MAX_STATEMENT_TOKENS:
                raise StatementTooLong(tok)
            yield tok

@cache
def _grammar() -> str:
    grammar = files(__package__ or "docalc.dsl.parse").joinpath("grammar.lark")
    return grammar.read_text(encoding="utf-8")


@cache
def raw_parser(start: str) -> Lark:
    """Return the LALR parser; it builds trees without recursion, whatever the input."""
    return Lark(
        _grammar(), parser="lalr", lexer="contextual", start=start,
        keep_all_tokens=True, maybe_placeholders=False, postlex=DropNewlinesInBrackets(),
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
