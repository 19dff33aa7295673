"""The docalc language front end: text to a checked model description (no JAX here).

The parser (Lark) and the checker (networkx) load on first use, so that importing the
package for its error classes stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docalc.dsl.errors import DocalcError

if TYPE_CHECKING:
    from docalc.dsl.frontend import check_file, check_text, parse_interventions, parse_text

_LAZY = {"check_file", "check_text", "parse_interventions", "parse_text"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from docalc.dsl import frontend

        return getattr(frontend, name)
    raise AttributeError(f"module 'docalc.dsl' has no attribute {name!r}")


__all__ = ["DocalcError", "check_file", "check_text", "parse_interventions", "parse_text"]
