"""Example-driven syntax error messages (Lark's ``match_examples``).

Each key is the constructor of a syntax error in the catalogue (dsl/errors/syntax.py,
where its message and hint are); its examples are bad inputs that fail in the same parser
state as the user's text. Tests check that every example yields its own message.
"""

from __future__ import annotations

from collections.abc import Iterable

from docalc.dsl.errors import Label, syntax

EXAMPLES: dict[Label, list[str]] = {
    syntax.expected_tilde_or_equal: [
        "y Normal(0, 1)",
        "y\n",
        "y",
        "a ~ Normal(0, 1)\ny 2",
    ],
    syntax.tilde_needs_call: [
        "y ~ 3",
        "y ~ a + b",
        "y ~",
        "y ~ (Normal(0, 1))",
    ],
    syntax.dist_needs_parentheses: [
        "y ~ Normal",
        "y ~ Normal\n",
        "y ~ Normal 0, 1",
    ],
    syntax.missing_paren: [
        "y ~ Normal(0, 1",
        "y ~ Normal(0, 1\n",
        "y = (a + b",
        "y = exp(a",
        "do(b = 0",
        "y = f(",
    ],
    syntax.missing_bracket: [
        "y = theta[k",
        "y ~ Categorical([0.5, 0.5)",
        "query q = E[y",
        "query q = E[y | do(b = 0)",
    ],
    syntax.expected_expression: [
        "y =",
        "y = \n",
        "y = a +",
        "y = a *",
        "y = (",
        "y = a + * b",
        "do(b = )",
        "y ~ Normal(a +, 1)",
        "y = a ^",
        "y = a ^\n",
        "y = -",
        "y = -\n",
        "y ~ Normal(0, , 1)",
        "y ~ Normal(loc=)",
        "y = a[]",
        "query q = E[y] -",
    ],
    syntax.missing_operator: [
        "y = 2 a",
        "y = a b",
        "y = a + b c",
        "y = 2 (a)",
        "y ~ Normal(0 1)",
        "y ~ Normal(a 1)",
    ],
    syntax.two_statements: [
        "a ~ Normal(0, 1) b ~ Normal(0, 1)",
        "a = 1 b = 2",
        "do(b = 0) do(c = 1)",
    ],
    syntax.plate_needs_body: [
        "plate {",
        "plate i",
        "plate i\n",
        "plate i y",
        "plate [3] {",
    ],
    syntax.unclosed_plate: [
        "plate i {\n y ~ Normal(0, 1)\n",
        "plate i { y ~ Normal(0, 1)",
        "plate i {",
    ],
    syntax.unmatched_close: [
        "y ~ Normal(0, 1))",
        "y ~ Normal(0, 1)]",
        "y = a)",
        "y = a]",
    ],
    syntax.unmatched_brace: [
        "y ~ Normal(0, 1)\n}",
        "}",
        "plate i { y ~ Normal(0, 1) }}",
        "x = 1\n}",
        "x = 1\ny = 2 }",
    ],
    syntax.plate_size_not_whole: [
        "plate s[n] {",
        "plate s[8.5] {",
        "plate s[] {",
    ],
    syntax.do_needs_assignments: [
        "do(b)",
        "do()",
        "do b = 0",
        "do(0)",
        "do(b, c)",
    ],
    syntax.data_needs_name: [
        "plate i { data }",
        "plate i { data 3 }",
        "plate i { data x: }",
    ],
    syntax.query_needs_name: [
        "query = E[y]",
        "query q E[y]",
        "query",
    ],
    syntax.bad_condition: [
        "query q = E[y | b]",
        "query q = E[y | 3]",
        "query q = E[y | ]",
        "query q = E[y | x > 3]",
    ],
    syntax.expectation_needs_brackets: [
        "query q = E(y)",
        "query q = E y",
    ],
    syntax.reserved_word: [
        "do ~ Normal(0, 1)",
        "data ~ Normal(0, 1)",
        "E ~ Normal(0, 1)",
        "E = 1",
        "factual = 1",
        "y = do + 1",
        "x = 1\nE = 1",
        "x = 1\nE ~ Normal(0, 1)",
        "x = 1\nfactual = 1",
    ],
    syntax.empty_list: [
        "y ~ Categorical([])",
        "y ~ Categorical(probs=[])",
        "y ~ Categorical([ ])",
    ],
    syntax.comparisons_do_not_chain: [
        "y = a < b < c",
        "y = a == b == c",
    ],
}

# Labels that describe the unexpected token itself, with the token types they are about:
# chosen for such a token when no example matches (and never for another token).
BY_TOKEN: dict[Label, frozenset[str]] = {
    syntax.unmatched_close: frozenset({"RPAR", "RSQB"}),
    syntax.unmatched_brace: frozenset({"RBRACE"}),
}
RESERVED_WORD: Label = syntax.reserved_word
assert EXAMPLES.keys() >= {*BY_TOKEN, RESERVED_WORD}

_FRIENDLY = {
    "NAME": "a name",
    "NUMBER": "a number",
    "SIZE": "a whole number",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "TILDE": "'~'",
    "EQUAL": "'='",
    "SEMICOLON": "';'",
    "_NL": "a newline",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "STAR": "'*'",
    "SLASH": "'/'",
    "POW": "'^'",
    "COMP": "a comparison",
    "COLON": "':'",
    "VBAR": "'|'",
    "$END": "end of input",
    "E": "E[...]",
    "DO": "do(...)",
    "FACTUAL": "factual",
}


def describe_expected(terminals: Iterable[str]) -> str:
    """Describe a set of Lark terminal names in words, for the fallback message."""
    words = sorted({_FRIENDLY.get(t, f"'{t.lower()}'") for t in terminals})
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]
