"""Lark's parse errors to catalogue diagnostics: example-driven labels, else the fallback."""

from __future__ import annotations

import re
from functools import cache

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from docalc.dsl.errors import Diagnostic, DocalcError, Label, syntax
from docalc.dsl.parse.lalr import raw_parser
from docalc.dsl.parse.syntax_messages import BY_TOKEN, EXAMPLES, RESERVED_WORD, describe_expected
from docalc.dsl.spans import Span, split_lines


def _eof_span(text: str, source: str) -> Span:
    # the end of the last line: a final line break opens no line of its own here
    lines = split_lines(text)
    if len(lines) > 1 and lines[-1] == "":
        lines = lines[:-1]
    line = len(lines)
    col = len(lines[-1]) + 1
    return Span(line, col, line, col + 1, source)


def syntax_error(exc: UnexpectedInput, text: str, source: str, start: str) -> DocalcError:
    """Return the DocalcSyntaxError for Lark's error ``exc`` on ``text``.

    An example that fails the same way (syntax_messages.py) names the label; otherwise the
    message says what the parser expected. At the end of the input the message says so.
    """
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
        number = _malformed_number(text, pos, span) if pos is not None else None
        if number is not None:
            return number.with_source(text).error()
        char = text[pos] if pos is not None and 0 <= pos < len(text) else "?"
        return syntax.unexpected_character(span, char=char).with_source(text).error()

    if isinstance(exc, UnexpectedToken) and not at_eof:
        told = _told_by_text(exc, text, span, start)
        if told is not None:
            return told.with_source(text).error()

    label = _match_example(exc, start)
    terminals = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or ()
    expected = describe_expected(terminals)
    if label is not None:
        diag = label(span, at_end=at_eof)
    elif at_eof:
        diag = syntax.unexpected_end(span, expected=expected)
    else:
        diag = syntax.unexpected_token(span, token=_describe_token(exc), expected=expected)
    return diag.with_source(text).error()


@cache
def _example_errors(start: str) -> tuple[tuple[Label, int, frozenset[str], str, str], ...]:
    """Parse every catalogue example once: (label, state, accepts, token type, token)."""
    out = []
    for label, examples in EXAMPLES.items():
        for example in examples:
            try:
                raw_parser(start).parse(example)
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
    if by_type is None and exc.token.type in _RESERVED_TOKENS and "NAME" in accepts:
        # a keyword where a name belongs is always called reserved, whatever else an
        # example of the same state says (`Normal(data=1)` is no missing ')')
        return RESERVED_WORD
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


# -- errors told by the text around the token ------------------------------------------------
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[0-9A-Za-z_.]*")
_ASSIGNS = re.compile(r"[ \t]*(=(?!=)|~)")
_POINT_DIGIT = frozenset(f".{d}" for d in "0123456789")


def _malformed_number(text: str, pos: int, span: Span) -> Diagnostic | None:
    """Return E124 when the text at ``pos`` continues a number (``0x10``, ``1_000``, ``1..2``)."""
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
        start -= 1
    begins_number = text[start].isdigit() or text[start:start + 2] in _POINT_DIGIT
    if start == pos or not begins_number:
        return None  # nothing glued before it, or a name (`a1.5`), not a number
    end = pos + len(_WORD.match(text, pos).group())  # type: ignore[union-attr]
    word = text[start:end]
    if _NUMBER.fullmatch(word) or not word.isascii():
        return None
    col = span.column - (pos - start)
    return syntax.malformed_number(Span(span.line, col, span.line, col + len(word), span.source),
                                   text=word)


def _told_by_text(exc: UnexpectedToken, text: str, span: Span, start: str) -> Diagnostic | None:
    """Return the errors that the text around the token tells better than the parser state."""
    tok = exc.token
    pos = tok.start_pos
    if pos is None:
        return None
    accepts = exc.accepts or exc.expected
    if tok.type in ("NAME", "NUMBER", "SIZE"):
        number = _malformed_number(text, pos, span)
        if number is not None:
            return number
    if tok.type == "NAME" and "COMMA" in accepts and _ASSIGNS.match(text, tok.end_pos or pos):
        # `Normal(0 scale=1)`, `do(b = 0 c = 1)`: the next argument is written already
        ivs = start == "do_args" or _in_do(text, pos)
        what, example = ("interventions", "b = 0, c = 1") if ivs else \
            ("arguments", "Normal(0, scale=1)")
        return syntax.missing_comma(span, name=str(tok), what=what, example=example)
    if start == "do_args" and tok.type in ("SEMICOLON", "_NL") and text[:pos].strip() \
            and text[pos:].strip():
        return syntax.do_text_separator(span, found="';'" if tok.type == "SEMICOLON"
                                        else "a line break")
    before = text[:pos].rstrip()
    if tok.type == "RSQB" and before.endswith("["):
        # a list `[]`, not an index `a[]` or `E[]` (those miss an expression)
        ahead = before[:-1].rstrip()[-1:]
        if not ahead or not (ahead.isalnum() or ahead in "_)]"):
            return syntax.empty_list(span)
    return None


def _in_do(text: str, pos: int) -> bool:
    """Return whether the innermost '(' open at ``pos`` is that of ``do(``."""
    level = 0
    for k in range(pos - 1, max(pos - 100_000, 0) - 1, -1):
        ch = text[k]
        if ch in ")]":
            level += 1
        elif ch in "([":
            if level == 0:
                return ch == "(" and text[:k].rstrip().endswith("do")
            level -= 1
        elif ch in "\n;{}" and level == 0:
            return False
    return False
