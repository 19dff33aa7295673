"""The catalogue machinery: one typed constructor per stable code.

A catalogue entry is a stable code, an exception class and fixed message and hint
templates. Each entry is declared once, by the typed constructor that builds it
(``@entry(...)`` on a function whose keyword arguments are the template's values); the
family modules beside this one hold the constructors.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ParamSpec, Protocol

from ..spans import Span
from .base import Diagnostic, DocalcError, DocalcSyntaxError

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
