"""docs/errors.md, written from the catalogue (``python -m docalc.dsl.errors.docs``).

tests/test_errors_catalogue.py compares the file with this output, so the page cannot
drift from the code.
"""

from __future__ import annotations

from . import CATALOGUE, RETIRED, base, catalogue

INTRO = """\
# Errors

Every error docalc reports is a `docalc.DocalcError` with one or more diagnostics; each
diagnostic has a stable code (`err.diagnostics[0].code`), a message, a place and often a
hint, and prints as

```
FILE:LINE:COL: error: MESSAGE
    the source line
    ^^^^ under the offending part
  hint: what to do
```

(an error about a whole file prints as `FILE: error: MESSAGE`, one with no place as
`error: MESSAGE`). The classes form two families: **model errors** (`DocalcModelError`), found
in the model's text (or an intervention or query given as text), and **run-time errors**
(`DocalcRuntimeError`), about data, files and running the model. Catch either base, or a
class below.

This page is written from the catalogue in `dsl/errors/` by
`python -m docalc.dsl.errors.docs > docs/errors.md`; a test checks that it is up to date.

## Codes

The hundreds say the family. Model errors: E1xx syntax, E2xx names, E3xx cycles, E4xx
distributions and functions, E5xx plates, E6xx interventions and identification, E7xx
queries, E8xx size limits. Run-time errors: E0xx files; in E9xx the tens say the
sub-family: E90x the data table, E91x conditioning, E92x counterfactuals, E93x inference,
E94x Graphviz, E95x optional packages, E96x data values, E97x units (plate sizes, `n`),
E98x tables given to `backdoor` (E988 and E989, NaN cells `observe` cannot impute,
went on in E98x when E96x was full). A new code takes the next free number of its family
(or sub-family; inference, E93x being full, goes on at E951); codes are never reused, so
the retired codes below stay retired.

## Adding an error

Declare it in the family module of `dsl/errors/` with `@entry(code, class, message, hint)` on
a function whose keyword arguments are the template's values (its docstring says when it is
reported), call it where the error is found (`errors.names.undefined_name(span, name=...,
suggestion=...)`, `.error()` for the exception, `.with_source(text)` for the caret line),
and regenerate this page. A missing or unexpected template value raises `KeyError` or
`TypeError`: it is a bug, never a blank in the message. Codes are never reused.
"""

RETIRED_NOTE = """\
## Retired codes

These codes once carried free text; the typed codes above replaced them, and they are
never reused.
"""

_CLASS_ORDER = (
    base.DocalcSyntaxError, base.DocalcNameError, base.DocalcCycleError,
    base.DocalcDistributionError, base.DocalcPlateError, base.DocalcInterventionError,
    base.DocalcQueryError, base.DocalcLimitError, base.DocalcDataError,
    base.DocalcConditioningError, base.DocalcCounterfactualError, base.DocalcInferenceError,
    base.DocalcFileError, base.DocalcGraphvizError, base.DocalcExtraError,
    base.DocalcArgumentError, base.DocalcSizeError,
)


def _cell(text: str | None) -> str:
    return (text or "").replace("``", "`").replace("|", "\\|").replace("\n", " ")


def _when(e: catalogue.Entry) -> str:
    if e.label:
        return "syntax error told by its examples (dsl/parse/syntax_messages.py)"
    # the constructors' docstrings say "Report <situation>."; the table says the situation
    about = e.about.removeprefix("Report ").removeprefix("that ")
    return _cell(about[:1].upper() + about[1:])


def catalogue_markdown() -> str:
    """Return docs/errors.md: the classes, then every code by class, then the retired codes."""
    out = [INTRO]
    out.append("## Classes\n")
    out.append("| class | base | what it covers |")
    out.append("| --- | --- | --- |")
    for cls in _CLASS_ORDER:
        family = "DocalcModelError" if issubclass(cls, base.DocalcModelError) \
            else "DocalcRuntimeError"
        out.append(f"| `{cls.__name__}` | `{family}` | {_cell(cls.__doc__).split('.')[0]} |")
    out.append("")
    entries = sorted(CATALOGUE.values(), key=lambda e: e.code)
    for cls in _CLASS_ORDER:
        mine = [e for e in entries if e.cls is cls]
        if not mine:
            continue
        out.append(f"## {cls.__name__}\n")
        out.append("| code | constructor | message | hint | reported for |")
        out.append("| --- | --- | --- | --- | --- |")
        for e in mine:
            out.append(f"| {e.code} | `{e.constructor}` | {_cell(e.message)} | "
                       f"{_cell(e.hint)} | {_when(e)} |")
        out.append("")
    out.append(RETIRED_NOTE)
    out.append("| code | what it covered |")
    out.append("| --- | --- |")
    for code, about in sorted(RETIRED.items()):
        out.append(f"| {code} | {_cell(about)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
