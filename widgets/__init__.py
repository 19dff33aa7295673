"""Graph drawing and notebook widgets for docalc models.

``import docalc.widgets`` is light: ipywidgets, Graphviz and IPython are imported only
when a widget, a drawing or the magic is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docalc.compiler.graph.description import GraphSpec, graph_spec, roles_for, roles_from

    from .explorer import EffectExplorer
    from .graphview import GraphView
    from .graphwidget import GraphWidget
    from .render import draw, render_svg, side_by_side, to_digraph, write

_LAZY = {
    "GraphView": "docalc.widgets.graphview",
    "GraphWidget": "docalc.widgets.graphwidget",
    "EffectExplorer": "docalc.widgets.explorer",
    "GraphSpec": "docalc.compiler.graph.description",
    "graph_spec": "docalc.compiler.graph.description",
    "roles_for": "docalc.compiler.graph.description",
    "roles_from": "docalc.compiler.graph.description",
    "draw": "docalc.widgets.render",
    "render_svg": "docalc.widgets.render",
    "side_by_side": "docalc.widgets.render",
    "to_digraph": "docalc.widgets.render",
    "write": "docalc.widgets.render",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'docalc.widgets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


def load_ipython_extension(ip: Any) -> None:
    """Register the ``%%docalc`` cell magic (``%load_ext docalc.widgets``)."""
    from .magic import load_ipython_extension as load

    load(ip)


__all__ = [
    "EffectExplorer",
    "GraphSpec",
    "GraphView",
    "GraphWidget",
    "draw",
    "graph_spec",
    "load_ipython_extension",
    "render_svg",
    "roles_for",
    "roles_from",
    "side_by_side",
    "to_digraph",
    "write",
]
