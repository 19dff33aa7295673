"""Syntax errors (E1xx) and size limits (E8xx): text that the parser cannot take."""

from __future__ import annotations

from ..spans import Span
from .base import DocalcLimitError, DocalcSyntaxError
from .catalogue import entry, syntax_label


@entry("E100", DocalcSyntaxError, "unexpected {token}", "expected {expected}")
def unexpected_token(span: Span | None, *, token: str, expected: str) -> None:
    """Report a token no example describes (the parser's own words for what it expected)."""


@entry("E101", DocalcSyntaxError, "unexpected end of input: expected {expected}",
       "the text ends in the middle of a statement")
def unexpected_end(span: Span | None, *, expected: str) -> None:
    """Report the text ends in the middle of a statement no example describes."""


@entry("E102", DocalcSyntaxError, "unexpected character {char!r}",
       "remove it: names are letters, digits and '_', and '#' starts a comment")
def unexpected_character(span: Span | None, *, char: str) -> None:
    """Report a character that is no part of any token."""


# Example-driven labels: dsl/parse/syntax_messages.py holds the bad inputs that produce each.
expected_tilde_or_equal = syntax_label(
    "E103", "expected_tilde_or_equal", "expected '~' or '=' after the node name",
    "write `y ~ Normal(0, 1)` for a stochastic node or `y = a + b` for a deterministic one")
tilde_needs_call = syntax_label(
    "E104", "tilde_needs_call", "'~' must be followed by a distribution call",
    "write e.g. `y ~ Normal(mu, sigma)`; for a deterministic value use `=`")
dist_needs_parentheses = syntax_label(
    "E105", "dist_needs_parentheses", "a distribution needs its arguments in parentheses",
    "write e.g. `y ~ Normal(0, 1)`")
missing_paren = syntax_label(
    "E106", "missing_paren", "missing ')'", "every '(' needs a matching ')'")
missing_bracket = syntax_label(
    "E107", "missing_bracket", "missing ']'", "every '[' needs a matching ']'")
expected_expression = syntax_label(
    "E108", "expected_expression", "expected an expression",
    "an expression is a number, a name, or a formula such as `a + 2*b`")
missing_operator = syntax_label(
    "E109", "missing_operator", "two expressions with no operator between them",
    "did you forget '*' or '+', or a newline or ';' between statements?")
two_statements = syntax_label(
    "E110", "two_statements", "two statements on one line",
    "separate statements with a newline or ';'")
plate_needs_body = syntax_label(
    "E111", "plate_needs_body", "a plate needs a name and a body in braces",
    "write `plate i { y ~ Normal(0, 1) }`")
unclosed_plate = syntax_label(
    "E112", "unclosed_plate", "unclosed plate: missing '}'",
    "every `plate name {` needs a closing '}'")
unmatched_close = syntax_label(
    "E113", "unmatched_close", "unmatched ')' or ']'",
    "remove it, or add the '(' or '[' it closes")
unmatched_brace = syntax_label(
    "E114", "unmatched_brace", "unmatched '}'", "remove it, or open a plate with `plate name {`")
plate_size_not_whole = syntax_label(
    "E115", "plate_size_not_whole", "a plate size must be a whole number in brackets",
    "write e.g. `plate school[8] { ... }`")
do_needs_assignments = syntax_label(
    "E116", "do_needs_assignments", "do(...) needs assignments",
    "write `do(b = 0)`, `do(b = 5 * b)` or `do(x ~ Normal(0, 1))`")
data_needs_name = syntax_label(
    "E117", "data_needs_name", "`data` declares a column by name",
    "write `data x` or `data school_of: school`")
query_needs_name = syntax_label(
    "E118", "query_needs_name", "a query needs a name and an expression",
    "write `query ate = E[y | do(b = 1)] - E[y | do(b = 0)]`")
bad_condition = syntax_label(
    "E119", "bad_condition",
    "a condition in E[... | ...] must be do(...), `factual` or `x = value`",
    "write e.g. `E[y | do(b = 0)]` or `E[y | x = 3]`")
expectation_needs_brackets = syntax_label(
    "E120", "expectation_needs_brackets", "E needs square brackets", "write `E[y | do(b = 0)]`")
reserved_word = syntax_label(
    "E121", "reserved_word", "a reserved word cannot be used as a name",
    "`do`, `data`, `plate`, `query`, `factual` and `E` are keywords; choose another name")
comparisons_do_not_chain = syntax_label(
    "E122", "comparisons_do_not_chain", "comparisons do not chain",
    "write `(a < b) * (b < c)` for a < b < c")

empty_list = syntax_label(
    "E123", "empty_list", "an empty list []",
    "a list needs at least one entry, e.g. `Categorical([0.2, 0.8])`")


@entry("E124", DocalcSyntaxError, "'{text}' is not a number",
       "numbers are written in decimal, like 12, 0.5, .5, 1e-3 or 2.5E+4 (no '_' between "
       "digits, no '0x'); for a product write `2 * a`")
def malformed_number(span: Span | None, *, text: str) -> None:
    """Report a number glued to letters, '_' or a second '.' (``0x10``, ``1_000``, ``1..2``)."""


@entry("E125", DocalcSyntaxError, "missing ',' before '{name}'",
       "separate {what} with ',', e.g. `{example}`")
def missing_comma(span: Span | None, *, name: str, what: str, example: str) -> None:
    """Report two arguments or interventions with no ',' between them (``Normal(0 scale=1)``)."""


@entry("E126", DocalcSyntaxError, "interventions are separated by ',', not {found}",
       "write e.g. `b = 0, c = 1`")
def do_text_separator(span: Span | None, *, found: str) -> None:
    """Report ';' or a line break between interventions given as text (API, CLI, widget)."""


# -- limits -----------------------------------------------------------------------------------
@entry("E800", DocalcLimitError, "input too large: {size} characters (the limit is {limit})",
       "split the model or generate it in parts")
def input_too_large(span: Span | None, *, size: int, limit: int) -> None:
    """Report the text is longer than the parser's character limit."""


@entry("E801", DocalcLimitError, "expression nested too deeply (more than {limit} levels)",
       "name intermediate values as deterministic nodes; a chain such as `a + b + ...` "
       "counts one level per term, so split a long one into partial sums "
       "(`s1 = a + b + ...`, then `y = s1 + ...`)")
def expression_too_deep(span: Span | None, *, limit: int) -> None:
    """Report a syntax tree deeper than the parser's limit."""


@entry("E802", DocalcLimitError, "too many statements: more than {limit:,}",
       "split the model; a generated model can group repeated nodes into a plate")
def too_many_statements(span: Span | None, *, limit: int) -> None:
    """Report more statements than the limit (stopped while they are read, at the first past it)."""


@entry("E803", DocalcLimitError, "brackets nested too deeply (more than {limit} levels)",
       "remove redundant parentheses, or name inner parts as deterministic nodes")
def brackets_too_deep(span: Span | None, *, limit: int) -> None:
    """Report brackets nested deeper than the limit (counted before the parser runs)."""


@entry("E804", DocalcLimitError, "statement too long: more than {limit} tokens",
       "split it into several deterministic nodes, e.g. partial sums "
       "`s1 = a + b + ...`, then `y = s1 + ...`")
def statement_too_long(span: Span | None, *, limit: int) -> None:
    """Report one statement with more tokens than the limit (stopped while it is read)."""


@entry("E805", DocalcLimitError, "plate '{name}' is too large: {size} units (the limit is "
       "{limit:,})", "a size written in the text is held in memory (4 bytes per unit for each "
       "node of the plate, at least); give a larger population as data, or simulate it in parts")
def plate_too_large(span: Span | None, *, name: str, size: int, limit: int) -> dict[str, object]:
    """Report a plate size in the text too large to hold in memory (``plate i[1000000000]``)."""
    shown = f"{size:,}" if size < 10**30 else "more than 10^30"
    return {"name": name, "size": shown, "limit": limit}


@entry("E806", DocalcLimitError, "the file is too large: more than {limit:,} characters",
       "split the model or generate it in parts")
def file_too_large(span: Span | None, *, limit: int) -> None:
    """Report a model file longer than the parser's character limit (read no further)."""
