"""Source positions carried by every AST node and diagnostic."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A region of source text: 1-based line and column of its start and end.

    Attributes
    ----------
    line, column : int
        Start position (1-based).
    end_line, end_column : int
        End position (1-based, exclusive column).
    source : str
        File name or ``"<string>"``.

    """

    line: int
    column: int
    end_line: int
    end_column: int
    source: str = "<string>"

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}"

    def cover(self, other: Span) -> Span:
        """Return the smallest span containing both spans."""
        start = min((self.line, self.column), (other.line, other.column))
        end = max((self.end_line, self.end_column), (other.end_line, other.end_column))
        return Span(start[0], start[1], end[0], end[1], self.source)


NOWHERE = Span(0, 0, 0, 0, "<generated>")


# What the lexer calls a line break: \n, \r\n or a lone \r (the parser reads a lone \r
# as \n). Not str.splitlines(), which also breaks at \f, \v, U+0085, U+2028 and others
# that the lexer reads as characters of a line: lines counted that way point past the text.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@lru_cache(maxsize=8)
def split_lines(text: str) -> tuple[str, ...]:
    """Return the lines of ``text`` as the lexer counts them (without their line breaks).

    Cached, so that each of thousands of diagnostics of one text does not split it again
    (a string's hash is computed once and kept by the string).
    """
    return tuple(_LINE_BREAK.split(text))


def source_line(text: str, line: int) -> str | None:
    """Return line ``line`` (1-based) of ``text`` as the lexer counts lines, or None."""
    lines = split_lines(text)
    return lines[line - 1] if 0 < line <= len(lines) else None
