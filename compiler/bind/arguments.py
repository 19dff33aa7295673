"""Checks of API arguments' types, so a wrong type is a DocalcError that names the argument.

Without them a number where a node name goes fails deep inside (``'int' object has no
attribute 'lower'`` from the "did you mean" search); each public entry point checks its
arguments here first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docalc.dsl.errors import runtime
from docalc.dsl.errors.hints import listing, suggest


def name(argument: str, value: Any) -> str:
    """Return ``value`` if it is a string (a node, query or column name), else refuse it.

    Raises
    ------
    DocalcArgumentError
        E952, naming ``argument``.
    """
    if not isinstance(value, str):
        raise runtime.argument_type(None, argument=argument, expected="a string",
                                    value=value).error()
    return value


def names(argument: str, value: Any) -> list[str]:
    """Return a list of names from one name or an iterable of names, else refuse it.

    One string is one name (as ArviZ reads ``var_names="y"``), never its characters.
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        items = list(value)
        for item in items:
            if not isinstance(item, str):
                raise runtime.argument_type(None, argument=f"each of {argument}",
                                            expected="a string", value=item).error()
        return items
    raise runtime.argument_type(None, argument=argument,
                                expected="a name or a list of names", value=value).error()


def known(argument: str, given: Iterable[str], nodes: Iterable[str]) -> None:
    """Refuse names in ``given`` that are not among ``nodes``, with a "did you mean".

    Raises
    ------
    DocalcArgumentError
        E954, listing the unknown names.
    """
    nodes = list(nodes)
    unknown = [g for g in dict.fromkeys(given) if g not in nodes]
    if unknown:
        raise runtime.unknown_names(
            None, argument=argument, names=", ".join(map(repr, unknown)),
            suggestion=suggest(unknown[0], nodes) or listing("nodes", nodes)
        ).error()


def flag(argument: str, value: Any) -> bool:
    """Return ``value`` if it is True or False (``progress="no"`` would be true), else refuse."""
    if not isinstance(value, bool):
        raise runtime.argument_type(None, argument=argument, expected="True or False",
                                    value=value).error()
    return value
