"""Example-driven syntax error messages (Lark's ``match_examples``).

Each key is (message, hint); its examples are bad inputs that fail in the same parser
state as the user's text. Tests check that every example yields its own message.
"""

from __future__ import annotations

from collections.abc import Iterable

Label = tuple[str, str]

EXAMPLES: dict[Label, list[str]] = {
    ("expected '~' or '=' after the node name",
     "write `y ~ Normal(0, 1)` for a stochastic node or `y = a + b` for a deterministic one"): [
        "y Normal(0, 1)",
        "y\n",
        "y",
        "a ~ Normal(0, 1)\ny 2",
    ],
    ("'~' must be followed by a distribution call",
     "write e.g. `y ~ Normal(mu, sigma)`; for a deterministic value use `=`"): [
        "y ~ 3",
        "y ~ a + b",
        "y ~",
        "y ~ (Normal(0, 1))",
    ],
    ("a distribution needs its arguments in parentheses", "write e.g. `y ~ Normal(0, 1)`"): [
        "y ~ Normal",
        "y ~ Normal\n",
        "y ~ Normal 0, 1",
    ],
    ("missing ')'", "every '(' needs a matching ')'"): [
        "y ~ Normal(0, 1",
        "y ~ Normal(0, 1\n",
        "y = (a + b",
        "y = exp(a",
        "do(b = 0",
        "y = f(",
    ],
    ("missing ']'", "every '[' needs a matching ']'"): [
        "y = theta[k",
        "y ~ Categorical([0.5, 0.5)",
        "query q = E[y",
        "query q = E[y | do(b = 0)",
    ],
    ("expected an expression",
     "an expression is a number, a name, or a formula such as `a + 2*b`"): [
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
    ("two expressions with no operator between them",
     "did you forget '*' or '+', or a newline or ';' between statements?"): [
        "y = 2 a",
        "y = a b",
        "y = a + b c",
        "y = 2 (a)",
        "y ~ Normal(0 1)",
        "y ~ Normal(a 1)",
    ],
    ("two statements on one line", "separate statements with a newline or ';'"): [
        "a ~ Normal(0, 1) b ~ Normal(0, 1)",
        "a = 1 b = 2",
        "do(b = 0) do(c = 1)",
    ],
    ("a plate needs a name and a body in braces", "write `plate i { y ~ Normal(0, 1) }`"): [
        "plate {",
        "plate i",
        "plate i\n",
        "plate i y",
        "plate [3] {",
    ],
    ("unclosed plate: missing '}'", "every `plate name {` needs a closing '}'"): [
        "plate i {\n y ~ Normal(0, 1)\n",
        "plate i { y ~ Normal(0, 1)",
        "plate i {",
    ],
    ("unmatched ')' or ']'", "remove it, or add the '(' or '[' it closes"): [
        "y ~ Normal(0, 1))",
        "y ~ Normal(0, 1)]",
        "y = a)",
        "y = a]",
    ],
    ("unmatched '}'", "remove it, or open a plate with `plate name {`"): [
        "y ~ Normal(0, 1)\n}",
        "}",
        "plate i { y ~ Normal(0, 1) }}",
        "x = 1\n}",
        "x = 1\ny = 2 }",
    ],
    ("a plate size must be a whole number in brackets", "write e.g. `plate school[8] { ... }`"): [
        "plate s[n] {",
        "plate s[8.5] {",
        "plate s[] {",
    ],
    ("do(...) needs assignments", "write `do(b = 0)`, `do(b = 5 * b)` or `do(x ~ Normal(0, 1))`"): [
        "do(b)",
        "do()",
        "do b = 0",
        "do(0)",
        "do(b, c)",
    ],
    ("`data` declares a column by name", "write `data x` or `data school_of: school`"): [
        "plate i { data }",
        "plate i { data 3 }",
        "plate i { data x: }",
    ],
    ("a query needs a name and an expression",
     "write `query ate = E[y | do(b = 1)] - E[y | do(b = 0)]`"): [
        "query = E[y]",
        "query q E[y]",
        "query",
    ],
    ("a condition in E[... | ...] must be do(...), `factual` or `x = value`",
     "write e.g. `E[y | do(b = 0)]` or `E[y | x = 3]`"): [
        "query q = E[y | b]",
        "query q = E[y | 3]",
        "query q = E[y | ]",
        "query q = E[y | x > 3]",
    ],
    ("E needs square brackets", "write `E[y | do(b = 0)]`"): [
        "query q = E(y)",
        "query q = E y",
    ],
    ("a reserved word cannot be used as a name",
     "`do`, `data`, `plate`, `query`, `factual` and `E` are keywords; rename the node"): [
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
    ("comparisons do not chain", "write `(a < b) * (b < c)` for a < b < c"): [
        "y = a < b < c",
        "y = a == b == c",
    ],
}

# Labels that describe the unexpected token itself, with the token types they are about:
# chosen for such a token when no example matches (and never for another token).
BY_TOKEN: dict[Label, frozenset[str]] = {
    ("unmatched ')' or ']'", "remove it, or add the '(' or '[' it closes"):
        frozenset({"RPAR", "RSQB"}),
    ("unmatched '}'", "remove it, or open a plate with `plate name {`"): frozenset({"RBRACE"}),
}
RESERVED_WORD: Label = (
    "a reserved word cannot be used as a name",
    "`do`, `data`, `plate`, `query`, `factual` and `E` are keywords; rename the node",
)
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
