"""Text to AST with Lark (LALR, no recursion), with syntax errors people can act on.

The stages of a parse: size limits on the raw text (here), Lark's LALR parse with its saved
tables (lalr.py), the AST built from Lark's tree (ast_builder.py), and Lark's errors turned
into catalogue diagnostics (syntax_errors.py).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lark.exceptions import UnexpectedInput

from docalc.dsl.errors import syntax
from docalc.dsl.parse import lalr
from docalc.dsl.parse.ast_builder import MAX_DEPTH, build_ast, token_span
from docalc.dsl.parse.lalr import (
    MAX_STATEMENT_TOKENS,
    StatementTooLong,
    TooManyStatements,
    raw_parser,
)
from docalc.dsl.parse.syntax_errors import syntax_error
from docalc.dsl.spans import Span

MAX_CHARS = 1_000_000
MAX_NESTING = 64  # brackets
_BRACKETS = re.compile(r"#[^\n]*|[()\[\]{}\n]")
_LONE_CR = re.compile(r"\r(?!\n)")

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NESTING", "MAX_STATEMENT_TOKENS", "gc_paused", "parse"]


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
        raise syntax.input_too_large(Span(1, 1, 1, 2, source), size=len(text),
                                     limit=MAX_CHARS).with_source(text).error()
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
                raise syntax.brackets_too_deep(Span(line, col, line, col + 1, source),
                                               limit=MAX_NESTING).with_source(text).error()
        elif ch in ")]}":
            level = max(level - 1, 0)


def parse(text: str, source: str = "<string>", start: str = "start") -> Any:
    """Parse text into an AST (a Program for ``start="start"``).

    Raises
    ------
    DocalcSyntaxError
        With line, column, the source line, a caret and a message from the catalogue.
    DocalcLimitError
        For input too large or nested too deeply.

    """
    if "\r" in text:
        # a lone \r (old Mac line ends) is a line break, as spans.split_lines counts lines;
        # Lark counts only \n, so it reads one (same length: every offset stays put)
        text = _LONE_CR.sub("\n", text)
    if start == "do_args":
        text = text.rstrip()  # a text box's final line break ends the text, nothing more
    _check_limits(text, source)
    try:
        with gc_paused():
            tree = raw_parser(start).parse(text)
            return build_ast(tree, text, source)
    except UnexpectedInput as exc:
        raise syntax_error(exc, text, source, start) from None
    except TooManyStatements as exc:
        span = token_span(exc.token, source)
        raise syntax.too_many_statements(span, limit=lalr.MAX_STATEMENTS).with_source(text) \
            .error() from None
    except StatementTooLong as exc:
        span = token_span(exc.token, source)
        raise syntax.statement_too_long(span, limit=MAX_STATEMENT_TOKENS).with_source(text) \
            .error() from None
