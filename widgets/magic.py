"""The ``%%docalc NAME`` cell magic: compile a model cell, keep it as NAME, show its graph.

The graph is the interactive ``GraphWidget`` (click to intervene, drag, zoom); without
the widgets extra it is the static Graphviz drawing.

Load it with ``%load_ext docalc.widgets`` (or ``docalc.widgets.magic``)::

    %%docalc model
    x ~ Normal(0, 1)
    y ~ Normal(2 * x, 1)

A cell that does not check prints docalc's message, with the line and caret, and no
Python traceback; NAME is then left as it was.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from docalc.dsl.errors import DocalcError
from docalc.dsl.frontend import check_text

from .render import draw, render_svg

USAGE = "usage: %%docalc NAME, then the model in the cell; NAME must be a Python identifier"


def compile_cell(text: str, source: str) -> Any:
    """Compile model text with ``docalc.compile`` when available, else check it.

    Returns a ``docalc.Model``, or a ``CheckedModel`` when the public API is not there
    (the front end alone is enough to draw the graph).
    """
    try:
        import docalc

        compile_fn = docalc.compile
    except (ImportError, AttributeError):
        return check_text(text, source=source)
    try:
        params = inspect.signature(compile_fn).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    takes_source = "source" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )
    return compile_fn(text, source=source) if takes_source else compile_fn(text)


def _graph_widget() -> Any:
    """Return the ``GraphWidget`` class, or None without the widgets extra."""
    try:
        from .graphwidget import GraphWidget
    except (ImportError, DocalcError):  # missing_extra: no anywidget; the SVG still works
        return None
    return GraphWidget


def show(model_like: Any) -> None:
    """Display a model's interactive graph (``GraphWidget``).

    Without the widgets extra (anywidget, ipywidgets), fall back to the static Graphviz
    SVG; print the error if that cannot be drawn either.
    """
    from IPython.display import SVG, display

    widget = _graph_widget()
    try:
        if widget is not None:
            display(widget(model_like))
            return
        svg = render_svg(draw(model_like))
    except DocalcError as err:
        print(str(err), file=sys.stderr)
        return
    display(SVG(data=svg))


def run_cell(line: str, cell: str, namespace: dict[str, Any]) -> Any:
    """Run the magic: compile ``cell``, store it in ``namespace`` under NAME, show it.

    Returns
    -------
    None
        Always, so the notebook does not print the model a second time.

    """
    name = line.strip()
    if name and not name.isidentifier():
        print(USAGE, file=sys.stderr)
        return None
    try:
        model = compile_cell(cell, source=f"<cell {name}>" if name else "<cell>")
    except DocalcError as err:
        print(str(err), file=sys.stderr)
        return None
    if name:
        namespace[name] = model
    show(model)
    return None


def load_ipython_extension(ip: Any) -> None:
    """Register the ``%%docalc`` cell magic with an IPython shell."""

    def docalc(line: str, cell: str) -> None:
        run_cell(line, cell, ip.user_ns)

    docalc.__doc__ = __doc__
    ip.register_magic_function(docalc, magic_kind="cell", magic_name="docalc")
