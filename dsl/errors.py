"""One catalogue of every error docalc reports, and the exception classes behind it.

Each diagnostic is built from a catalogue entry (a stable code, the exception class and a
message template) and the span of the offending node, so every message names its place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .spans import Span


class DocalcError(Exception):
    """Base class of every error docalc raises on bad input.

    Attributes
    ----------
    diagnostics : tuple of Diagnostic
        Every problem found, sorted by position; ``str(err)`` formats them all.

    """

    def __init__(self, diagnostics: Iterable[Diagnostic] | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = (Diagnostic("E000", diagnostics, None),)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics, key=_order))
        super().__init__(self.format())

    @property
    def message(self) -> str:
        """The first diagnostic's message, without place or caret."""
        return self.diagnostics[0].message

    def format(self, sources: Mapping[str, str] | None = None) -> str:
        """Format every diagnostic as ``file:line:col: error: message`` with line and caret."""
        return "\n".join(d.format(sources) for d in self.diagnostics)


class DocalcSyntaxError(DocalcError):
    """Text that is not in the language."""


class DocalcNameError(DocalcError):
    """Undefined, duplicate or reserved names."""


class DocalcCycleError(DocalcError):
    """A model whose nodes depend on each other in a circle."""


class DocalcDistributionError(DocalcError):
    """Unknown distributions, functions or arguments, and arguments outside their support."""


class DocalcPlateError(DocalcError):
    """Plate structure violations: global nodes reading unit values, bad indexing."""


class DocalcInterventionError(DocalcError):
    """``do`` on unknown nodes or with values outside the node's support."""


class DocalcQueryError(DocalcError):
    """Malformed or unanswerable named queries."""


class DocalcLimitError(DocalcError):
    """Input too large or too deeply nested to process safely."""


class DocalcDataError(DocalcError):
    """Data that does not fit the model: missing columns, NaN, wrong types, bad codes."""


class DocalcConditioningError(DocalcError):
    """Conditioning the model on something it cannot be conditioned on."""


class DocalcCounterfactualError(DocalcError):
    """Counterfactuals whose exogenous noise cannot be recovered from the observation."""


class DocalcInferenceError(DocalcError):
    """Inference that cannot run or whose output cannot be trusted."""


class DocalcGraphvizError(DocalcError):
    """The Graphviz ``dot`` program is missing or failed."""


class DocalcExtraError(DocalcError, ImportError):
    """A feature used without the optional packages it needs (an extra of docalc).

    Also an ``ImportError``, so code that guards an optional import keeps working.
    """


class DocalcWarning(UserWarning):
    """Base class of docalc warnings."""


class NotIdentifiableWarning(DocalcWarning):
    """An answer that rests on the model's parametric form and priors, not the data alone."""


class SamplingWarning(DocalcWarning):
    """Divergences, poor R-hat or low effective sample size."""


class DataWarning(DocalcWarning):
    """Data columns that the model does not use."""


@dataclass(frozen=True)
class Entry:
    """A catalogue entry: stable code, exception class, message and hint templates."""

    code: str
    cls: type[DocalcError]
    message: str
    hint: str | None = None


CATALOGUE: dict[str, Entry] = {
    e.code: e
    for e in (
        # syntax (messages for specific situations live in dsl/syntax_messages.py)
        Entry("E100", DocalcSyntaxError, "{detail}", "{hint}"),
        Entry("E101", DocalcSyntaxError, "unexpected end of input: {detail}", "{hint}"),
        Entry("E102", DocalcSyntaxError, "unexpected character {char!r}",
              "remove it: names are letters, digits and '_', and '#' starts a comment"),
        # names
        Entry("E200", DocalcNameError, "undefined name '{name}'", "{hint}"),
        Entry("E201", DocalcNameError, "'{name}' is defined twice (first at {first})",
              "rename one of them; a node has one mechanism"),
        Entry("E202", DocalcNameError, "'{name}' is a reserved word and cannot name a node",
              "choose another name"),
        Entry("E203", DocalcNameError, "plate '{name}' is defined twice (first at {first})",
              "put all of the plate's statements in one block, or rename one"),
        Entry("E204", DocalcNameError, "undefined plate '{name}'", "{hint}"),
        Entry("E205", DocalcNameError, "'{name}' contains '__', which docalc keeps for the "
              "names of its own internal values", "write it with single underscores: "
              "'{suggestion}'"),
        Entry("E206", DocalcNameError, "{detail}", "{hint}"),  # unknown names in API calls
        # cycles
        Entry("E300", DocalcCycleError, "the model has a cycle: {cycle}",
              "a structural causal model must be acyclic; remove one of these dependencies"),
        # distributions, functions and arguments
        Entry("E400", DocalcDistributionError, "unknown distribution '{name}'", "{hint}"),
        Entry("E401", DocalcDistributionError, "{dist} has no argument '{arg}'",
              "its arguments are {params}"),
        Entry("E402", DocalcDistributionError, "{dist} is missing argument '{arg}'",
              "{dist} takes {params}"),
        Entry("E403", DocalcDistributionError, "argument '{arg}' of {dist} is given twice",
              "give each argument once, by position or by name"),
        Entry("E404", DocalcDistributionError, "{dist} takes at most {n} positional argument(s), "
              "got {got}", "{dist} takes {params}"),
        Entry("E405", DocalcDistributionError, "unknown function '{name}'", "{hint}"),
        Entry("E406", DocalcDistributionError, "{name}() takes {expected} argument(s), got {got}",
              None),
        Entry("E407", DocalcDistributionError, "'{name}' is a distribution, not a function",
              "write `{node} ~ {name}(...)` to draw a stochastic node"),
        Entry("E408", DocalcDistributionError, "'{name}' is a function, not a distribution",
              "write `{node} = {name}(...)` for a deterministic node"),
        Entry("E409", DocalcDistributionError, "{arg} of {dist} must be {constraint}, got {value}",
              "give {arg} a value that is {constraint}"),
        Entry("E410", DocalcDistributionError, "{dist} takes either {alternatives}, not both",
              "remove one of them"),
        Entry("E411", DocalcDistributionError, "a list [...] is only allowed as the probs or "
              "logits of Categorical", None),
        Entry("E412", DocalcDistributionError, "{dist}() is a distribution and cannot appear "
              "inside an expression", "give it a name: `x ~ {dist}(...)`, then use x"),
        Entry("E413", DocalcDistributionError, "keyword arguments are not allowed in "
              "function {name}()", None),
        # plates
        Entry("E500", DocalcPlateError, "global node '{name}' depends on '{other}', which has one "
              "value per unit of plate '{plate}'",
              "move '{name}' into plate '{plate}', or make '{other}' global"),
        Entry("E501", DocalcPlateError, "'{name}' has one value per unit of plate '{plate}' and "
              "cannot be used in plate '{here}'", "{hint}"),
        Entry("E502", DocalcPlateError, "'{index}' is not an index column",
              "declare it in this plate as `data {index}: {plate}`"),
        Entry("E503", DocalcPlateError, "'{index}' indexes plate '{indexed}', but '{name}' "
              "belongs to plate '{plate}'",
              "index '{name}' with a column declared as `data ...: {plate}`"),
        Entry("E504", DocalcPlateError, "only plate-level nodes can be indexed; '{name}' is {what}",
              None),
        Entry("E505", DocalcPlateError, "plates cannot be nested", "declare plate '{name}' at the "
              "top level and index it through a `data ...: {name}` column"),
        Entry("E506", DocalcPlateError, "`data {name}` must be declared inside a plate",
              "data columns have one value per unit (row)"),
        Entry("E507", DocalcPlateError, "a plate size must be a positive integer, got {size}",
              None),
        Entry("E508", DocalcPlateError, "`{what}` statements belong at the top level, "
              "not inside plate '{plate}'", None),
        # interventions
        Entry("E600", DocalcInterventionError, "do() names undefined variable '{name}'",
              "{hint}"),
        Entry("E601", DocalcInterventionError, "'{name}' is intervened on twice in one do()",
              "keep one of the two"),
        Entry("E602", DocalcInterventionError, "do({name} = {value}) is outside the support "
              "of {name} ~ {dist}: {name} must be {constraint}",
              "set {name} to a value that is {constraint}"),
        Entry("E603", DocalcInterventionError, "{detail}", "{hint}"),
        # queries
        Entry("E700", DocalcQueryError, "query '{name}' is defined twice (first at {first})",
              "rename one of them"),
        Entry("E701", DocalcQueryError, "E[...] may only appear in a query", None),
        Entry("E702", DocalcQueryError, "{detail}", "{hint}"),
        Entry("E703", DocalcQueryError, "unknown query '{name}'", "{hint}"),
        # limits
        Entry("E800", DocalcLimitError, "input too large: {size} characters (the limit is {limit})",
              "split the model or generate it in parts"),
        Entry("E801", DocalcLimitError, "expression nested too deeply (more than {limit} levels)",
              "name intermediate values as deterministic nodes; a chain such as `a + b + ...` "
              "counts one level per term, so split a long one into partial sums "
              "(`s1 = a + b + ...`, then `y = s1 + ...`)"),
        Entry("E802", DocalcLimitError, "too many statements: {count} (the limit is {limit})",
              None),
        Entry("E804", DocalcLimitError, "statement too long: more than {limit} tokens",
              "split it into several deterministic nodes, e.g. partial sums "
              "`s1 = a + b + ...`, then `y = s1 + ...`"),
        Entry("E803", DocalcLimitError, "brackets nested too deeply (more than {limit} levels)",
              "remove redundant parentheses, or name inner parts as deterministic nodes"),
        # data
        Entry("E900", DocalcDataError, "{detail}", "{hint}"),
        # conditioning, counterfactuals, inference
        Entry("E910", DocalcConditioningError, "cannot condition on deterministic node "
              "'{name}': {why}", "{hint}"),
        Entry("E911", DocalcConditioningError, "{detail}", "{hint}"),
        Entry("E920", DocalcCounterfactualError, "{detail}", "{hint}"),
        Entry("E930", DocalcInferenceError, "{detail}", "{hint}"),
        Entry("E940", DocalcGraphvizError, "{detail}", "{hint}"),
        Entry("E950", DocalcExtraError, "{feature} needs the optional package "
              "'{missing}', which is not installed", 'pip install "docalc[{extra}]"'),
    )
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem: catalogue code, message, where it is, and what to do about it."""

    code: str
    message: str
    span: Span | None = field(default=None)
    hint: str | None = None
    line_text: str | None = field(default=None, compare=False)

    @property
    def kind(self) -> type[DocalcError]:
        """The exception class of this diagnostic's catalogue entry."""
        entry = CATALOGUE.get(self.code)
        return entry.cls if entry else DocalcError

    def format(self, sources: Mapping[str, str] | None = None) -> str:
        """Return ``file:line:col: error: message`` plus the source line, a caret and a hint."""
        if self.span is None or self.span.line <= 0:
            head = f"error: {self.message}"
            where = f"{self.span.source}: " if self.span and self.span.line <= 0 else ""
            out = [where + head]
        else:
            out = [f"{self.span}: error: {self.message}"]
            text = self.line_text
            if text is None and sources and self.span.source in sources:
                lines = sources[self.span.source].splitlines()
                if 0 < self.span.line <= len(lines):
                    text = lines[self.span.line - 1]
            if text is not None:
                out.append(caret_lines(text, self.span))
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)


CARET_WIDTH = 100


def caret_lines(text: str, span: Span) -> str:
    """Return the source line and a caret line under the span's columns.

    A line longer than CARET_WIDTH is cut to a window around the span's start (marked
    with "..."), so that a 20,000-term expression does not flood the message.
    """
    text = text.rstrip("\n").expandtabs(1)
    start = max(span.column - 1, 0)
    if span.end_line == span.line and span.end_column > span.column:
        width = span.end_column - span.column
    else:
        width = 1
    if len(text) > CARET_WIDTH:
        left = max(0, min(start - CARET_WIDTH // 4, len(text) - CARET_WIDTH))
        right = left + CARET_WIDTH
        head = "..." if left > 0 else ""
        tail = "..." if right < len(text) else ""
        text = head + text[left:right] + tail
        start = start - left + len(head)
        width = min(width, right - left - (start - len(head)))
    width = max(1, min(width, max(len(text) - start, 1)))
    return f"    {text}\n    {' ' * start}{'^' * width}"


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    if d.span is None:
        return ("", 0, 0, d.code)
    return (d.span.source, d.span.line, d.span.column, d.code)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def diagnostic(
    code: str, span: Span | None, *, source_text: str | None = None, **values: Any
) -> Diagnostic:
    """Build a diagnostic from catalogue entry ``code`` filled with ``values``."""
    entry = CATALOGUE[code]
    fill = _Blank({k: v for k, v in values.items() if v is not None})
    message = entry.message.format_map(fill)
    hint = entry.hint.format_map(fill) if entry.hint else None
    line_text = None
    if source_text is not None and span is not None and span.line > 0:
        lines = source_text.splitlines()
        if span.line <= len(lines):
            line_text = lines[span.line - 1]
    return Diagnostic(code, message, span, hint or None, line_text)


def raise_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """Raise all diagnostics at once as the class of the first (by position); no-op if none."""
    diags = sorted(diagnostics, key=_order)
    if diags:
        raise diags[0].kind(diags)


def error(code: str, span: Span | None = None, **values: Any) -> DocalcError:
    """Return (not raise) the exception for a single catalogue entry."""
    d = diagnostic(code, span, **values)
    return d.kind([d])


def missing_extra(extra: str, module: str | None, feature: str) -> DocalcError:
    """Return the error for a feature whose optional package ``module`` is not installed.

    Parameters
    ----------
    extra : str
        The extra of docalc that installs it (``"widgets"``): the hint says
        ``pip install "docalc[widgets]"``.
    module : str or None
        The missing module, as ``ModuleNotFoundError.name`` gives it.
    feature : str
        What the user asked for, as the message names it (``"docalc.widgets.GraphView"``).

    """
    return error("E950", None, feature=feature, extra=extra, missing=module or "?")
