"""Source positions carried by every AST node and diagnostic."""

from __future__ import annotations

from dataclasses import dataclass


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
