"""The exception and warning classes behind every docalc error, and the diagnostics they hold.

The catalogue of codes that builds diagnostics is :mod:`docalc.dsl.errors.catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from ..spans import Span, source_line


class DocalcError(Exception):
    """Base class of every error docalc raises on bad input.

    Attributes
    ----------
    diagnostics : tuple of Diagnostic
        The problems found, sorted by position: the first MAX_DIAGNOSTICS of them;
        ``str(err)`` formats them all.
    more : int
        How many further problems were found and left out; ``str(err)`` ends with one
        line saying so.

    """

    def __init__(self, diagnostics: Iterable[Diagnostic] | str, more: int = 0) -> None:
        if isinstance(diagnostics, str):
            # for code outside docalc that raises a DocalcError of its own with a message
            diagnostics = (Diagnostic(MESSAGE_CODE, diagnostics, None),)
        diags = sorted(diagnostics, key=_order)
        # a file with thousands of errors gets the first ones and a count, as compilers do:
        # the rest are most often consequences of the first, and printing them all costs
        # time and megabytes
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diags[:MAX_DIAGNOSTICS])
        self.more: int = more + max(len(diags) - MAX_DIAGNOSTICS, 0)
        super().__init__(self.format())

    @property
    def message(self) -> str:
        """The first diagnostic's message, without place or caret."""
        return self.diagnostics[0].message

    def format(self, sources: Mapping[str, str] | None = None) -> str:
        """Format every diagnostic as ``file:line:col: error: message`` with line and caret."""
        out = [d.format(sources) for d in self.diagnostics]
        if self.more:
            out.append(f"... and {self.more} more error{'s' if self.more > 1 else ''} "
                       f"(only the first {len(self.diagnostics)} are shown)")
        return "\n".join(out)


MESSAGE_CODE = "E000"  # a DocalcError built from a message string (docalc itself never does)
#: How many diagnostics an error keeps and prints; the rest are counted in one line.
MAX_DIAGNOSTICS = 100


class DocalcModelError(DocalcError):
    """An error in the model's text.

    Syntax, names, cycles, distributions, plates, interventions, queries, or a size limit;
    it has a place (file:line:col) in the text, or in an intervention or query given as
    text to the API.
    """


class DocalcRuntimeError(DocalcError):
    """An error outside the model's text.

    Data, conditioning, counterfactuals, inference, files, Graphviz, or an optional package
    that is not installed.
    """


class DocalcSyntaxError(DocalcModelError):
    """Text that is not in the language."""


class DocalcNameError(DocalcModelError):
    """Undefined, duplicate or reserved names."""


class DocalcCycleError(DocalcModelError):
    """A model whose nodes depend on each other in a circle."""


class DocalcDistributionError(DocalcModelError):
    """Unknown distributions, functions or arguments, and arguments outside their support."""


class DocalcPlateError(DocalcModelError):
    """Plate structure violations: global nodes reading unit values, bad indexing."""


class DocalcInterventionError(DocalcModelError):
    """``do`` on unknown nodes or with values outside the node's support."""


class DocalcQueryError(DocalcModelError):
    """Malformed or unanswerable named queries."""


class DocalcLimitError(DocalcModelError):
    """Input too large or too deeply nested to process safely."""


class DocalcDataError(DocalcRuntimeError):
    """Data that does not fit the model: missing columns, NaN, wrong types, bad codes."""


class DocalcConditioningError(DocalcRuntimeError):
    """Conditioning the model on something it cannot be conditioned on."""


class DocalcCounterfactualError(DocalcRuntimeError):
    """Counterfactuals whose exogenous noise cannot be recovered from the observation."""


class DocalcInferenceError(DocalcRuntimeError):
    """Inference that cannot run or whose output cannot be trusted."""


class DocalcFileError(DocalcRuntimeError):
    """A model, data, posterior or output file that cannot be read or written."""


class DocalcGraphvizError(DocalcRuntimeError):
    """The Graphviz ``dot`` program is missing or failed."""


class DocalcArgumentError(DocalcRuntimeError, TypeError, ValueError):
    """An API argument of the wrong type or naming no node: a number where a name goes.

    Also a ``TypeError`` and a ``ValueError``, which such arguments raised before.
    """


class DocalcSizeError(DocalcRuntimeError):
    """A run whose results would not fit in memory (draws x units x nodes over the limit)."""


class DocalcExtraError(DocalcRuntimeError, ImportError):
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
    """Data the model does not use as given: unknown or replaced columns, empty groups."""


class LatentWarning(DataWarning):
    """Unit-level stochastic nodes without a data column, inferred per unit (latent).

    Legitimate (a latent confounder, a measurement model), but also what a misspelt or
    missing column looks like; a ``DataWarning``, so filtering those filters these too.
    """


class LooWarning(DocalcWarning):
    """Leave-one-out estimates that may not be trusted: units with Pareto k above 0.7.

    PSIS-LOO (``docalc.compare``) leans on those units' importance weights, whose
    variance is then large or infinite; also a ``log_likelihood`` group left out of a fit.
    """


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
        from .catalogue import CATALOGUE  # the catalogue's entries are built from Diagnostic

        found = CATALOGUE.get(self.code)
        return found.cls if found else DocalcError

    def error(self) -> DocalcError:
        """Return (not raise) the exception of this one diagnostic."""
        return self.kind([self])

    def with_source(self, text: str | None) -> Diagnostic:
        """Return the diagnostic with its source line taken from ``text`` (for the caret)."""
        if text is None or self.span is None or self.span.line <= 0:
            return self
        line = source_line(text, self.span.line)
        return self if line is None else replace(self, line_text=line)

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
                text = source_line(sources[self.span.source], self.span.line)
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
    text = text.rstrip("\r\n")
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
    # one column per character, as the lexer counts them: a tab or a control or separator
    # character (\f, \v, U+2028) is shown as one space, so the caret stays under its
    # column and the message has no line breaks of its own (done on the cut window only)
    text = "".join(c if c.isprintable() else " " for c in text)
    return f"    {text}\n    {' ' * start}{'^' * width}"


def _order(d: Diagnostic) -> tuple[str, int, int, str]:
    if d.span is None:
        return ("", 0, 0, d.code)
    return (d.span.source, d.span.line, d.span.column, d.code)


def raise_diagnostics(diagnostics: Iterable[Diagnostic], more: int = 0) -> None:
    """Raise all diagnostics at once as the class of the first (by position); no-op if none.

    ``more`` counts further problems that were found but not built (left out of the error).
    """
    diags = sorted(diagnostics, key=_order)
    if diags:
        raise diags[0].kind(diags, more)


# -- the catalogue ----------------------------------------------------------------------------

# the public classes (docalc.errors re-exports exactly these)
__all__ = [
    "DataWarning",
    "Diagnostic",
    "DocalcArgumentError",
    "DocalcConditioningError",
    "DocalcCounterfactualError",
    "DocalcCycleError",
    "DocalcDataError",
    "DocalcDistributionError",
    "DocalcError",
    "DocalcExtraError",
    "DocalcFileError",
    "DocalcGraphvizError",
    "DocalcInferenceError",
    "DocalcInterventionError",
    "DocalcLimitError",
    "DocalcModelError",
    "DocalcNameError",
    "DocalcPlateError",
    "DocalcQueryError",
    "DocalcRuntimeError",
    "DocalcSizeError",
    "DocalcSyntaxError",
    "DocalcWarning",
    "LatentWarning",
    "LooWarning",
    "NotIdentifiableWarning",
    "SamplingWarning",
]
