"""The exception classes, diagnostics and catalogue machinery behind every docalc error.

A catalogue entry is a stable code, an exception class and fixed message and hint
templates. Each entry is declared once, by the typed constructor that builds it
(``@entry(...)`` on a function whose keyword arguments are the template's values); the
family modules beside this one hold the constructors.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import ParamSpec, Protocol

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
AT_END = "unexpected end of input: "  # what a syntax label's message starts with at the end


@dataclass(frozen=True)
class Entry:
    """A catalogue entry: stable code, exception class, message and hint templates.

    Attributes
    ----------
    code : str
        The stable code (``"E200"``); ``Diagnostic.code`` carries it.
    cls : type of DocalcError
        The exception raised for it.
    message, hint : str
        ``str.format`` templates; every field must be given (no silent blanks). A hint
        whose value is empty is left out.
    constructor : str
        The name of the function that builds it (``undefined_name``).
    about : str
        One line saying when it is reported (the constructor's docstring), for docs/errors.md.
    label : bool
        A syntax label: message and hint are literal text (no fields), and the message
        starts with AT_END when the error is at the end of the input.
    """

    code: str
    cls: type[DocalcError]
    message: str
    hint: str | None = None
    constructor: str = ""
    about: str = ""
    label: bool = False

    @functools.cached_property
    def fields(self) -> frozenset[str]:
        """The names the templates read."""
        return frozenset() if self.label else _fields(self.message) | self.hint_fields

    @functools.cached_property
    def hint_fields(self) -> frozenset[str]:
        """The names the hint template reads."""
        return frozenset() if self.label else _fields(self.hint or "")

    def build(self, span: Span | None, values: Mapping[str, object],
              at_end: bool = False) -> Diagnostic:
        """Fill the templates; a missing or unexpected value is a programming error."""
        missing = self.fields - values.keys()
        if missing:
            raise KeyError(f"{self.code} needs a value for {', '.join(sorted(missing))}")
        extra = values.keys() - self.fields
        if extra:
            raise TypeError(f"{self.code} takes no value {', '.join(sorted(extra))}")
        if self.label:  # literal text, braces and all
            message, hint = self.message, self.hint
        else:
            message = self.message.format_map(values)
            hint = self.hint.format_map(values) if self.hint else None
        return Diagnostic(self.code, AT_END + message if at_end else message, span, hint or None)


def _fields(template: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in string.Formatter().parse(template) if f)


CATALOGUE: dict[str, Entry] = {}
#: Codes that once carried free text, by what they covered; never reused.
RETIRED: dict[str, str] = {
    "E206": "unknown names in API calls (now E207-E209)",
    "E603": "interventions refused at run time (now E608-E624)",
    "E702": "queries refused at run time (now E712, E714-E719 and E912)",
    "E910": "a data column for a deterministic node (now E913)",
    "E911": "a data column for an intervened node (now E914)",
    "E920": "counterfactuals refused at run time (now E921, E922)",
    "E930": "inference settings and model text refused (now E931-E939, E951)",
}
CONSTRUCTORS: dict[str, Callable[..., Diagnostic]] = {}
P = ParamSpec("P")
Values = Mapping[str, object] | None


def _register(found: Entry, build: Callable[..., Diagnostic]) -> None:
    if found.code in CATALOGUE:
        raise ValueError(f"catalogue code {found.code} is declared twice")
    if found.code in RETIRED:
        raise ValueError(f"catalogue code {found.code} is retired: {RETIRED[found.code]}")
    CATALOGUE[found.code] = found
    CONSTRUCTORS[found.code] = build


def _about(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def entry(code: str, cls: type[DocalcError], message: str, hint: str | None = None
          ) -> Callable[[Callable[P, Values]], Callable[P, Diagnostic]]:
    """Declare a catalogue entry by its typed constructor.

    The decorated function takes the span first and the template's values as keywords. Its
    body returns None (the keywords fill the templates) or the values to fill them with,
    when some are worked out from the arguments. The decorated name returns the Diagnostic.
    """

    def wrap(fn: Callable[P, Values]) -> Callable[P, Diagnostic]:
        found = Entry(code, cls, message, hint, fn.__name__, _about(fn.__doc__))

        @functools.wraps(fn)
        def build(*args: P.args, **kwargs: P.kwargs) -> Diagnostic:
            values = fn(*args, **kwargs)
            span = args[0] if args else kwargs.pop("span", None)
            assert span is None or isinstance(span, Span), span
            return found.build(span, kwargs if values is None else values)

        _register(found, build)
        return build

    return wrap


class Label(Protocol):
    """A syntax label's constructor: the span, and whether the error is at the end of input."""

    def __call__(self, span: Span | None, *, at_end: bool = False) -> Diagnostic:
        """Return the diagnostic at ``span``."""
        ...


def syntax_label(code: str, name: str, message: str, hint: str) -> Label:
    """Declare a syntax error told by its examples (dsl/parse/syntax_messages.py lists them).

    The constructor takes the span and ``at_end``: at the end of the input the message
    starts with "unexpected end of input: ".
    """
    found = Entry(code, DocalcSyntaxError, message, hint, name, message, label=True)

    def build(span: Span | None, *, at_end: bool = False) -> Diagnostic:
        return found.build(span, {}, at_end=at_end)

    build.__name__ = build.__qualname__ = name
    _register(found, build)
    return build
