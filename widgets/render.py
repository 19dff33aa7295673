"""Draw a ``GraphSpec`` with Graphviz, in the manner of PyMC's ``model_to_graphviz``.

Building a ``graphviz.Digraph`` needs no ``dot`` program; only ``render_svg`` and
``write`` run it, and they turn a missing program into ``DocalcGraphvizError`` with an
install hint instead of the library's ``ExecutableNotFound``.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docalc.compiler.graph.description import GraphSpec, NodeSpec, graph_spec, unwrap
from docalc.compiler.graph.marks import imputed_of
from docalc.dsl.errors import DocalcError, DocalcGraphvizError
from docalc.dsl.errors import runtime as errors

if TYPE_CHECKING:
    import graphviz

# the blog post's palette
ROLE_COLORS: Mapping[str, str] = {
    "treatment": "#c0392b",
    "outcome": "#1e8449",
    "confounder": "#6c3483",
    "mediator": "#2471a3",
}
INTERVENED_FILL = "#fdebd0"
INTERVENED_LINE = "#d35400"
OBSERVED_FILL = "#bfbfbf"  # PyMC fills observed nodes gray
# a partly observed column: the lower half filled, as a column with holes (weighted
# colours are hard bands in Graphviz, not a gradient)
PARTLY_FILL = f"{OBSERVED_FILL};0.5:white"
DATA_FILL = "#eaecee"

#: What each status looks like in the legend, in the order the legend lists them.
LEGEND: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("observed", "observed (data)", {"style": "filled", "fillcolor": OBSERVED_FILL}),
    ("partly observed", "partly observed (cells imputed)",
     {"style": "filled", "fillcolor": PARTLY_FILL, "gradientangle": "90"}),
    ("latent", "latent (inferred)", {}),
    ("marginalized", "latent, marginalized", {"style": "dashed", "penwidth": "1.6"}),
)

INSTALL_HINT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install -c conda-forge graphviz`, then check that `dot -V` runs"
)

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


def _graphviz() -> Any:
    try:
        import graphviz
    except ImportError:
        raise errors.graphviz_package_missing(None).error() from None
    return graphviz


def node_attrs(node: NodeSpec) -> dict[str, str]:
    """Return the Graphviz attributes of one node (shape, label, colours).

    The label is PyMC's ``name ~ Dist``; an intervened node shows its ``do`` text instead,
    since its old mechanism no longer applies (a shift still reads it, and says so).
    Observed nodes are filled grey and latent ones unfilled, as PyMC draws them; a
    marginalized latent has a dashed outline; a partly observed node (imputed cells) is
    half filled and its label says how many cells are imputed. The tooltip names the status.
    """
    if node.intervention is not None:
        label = f"{node.name}\n{node.intervention}"
    else:
        label = f"{node.name}\n~\n{node.mechanism}"
    tip = label.replace("\n", " ") + (f" ({node.status_text})" if node.status_text else "")
    if node.imputed is not None and node.intervention is None:
        label += f"\n{node.imputed[0]} of {node.imputed[1]} imputed"
    attrs = {"label": label, "shape": node.shape, "tooltip": tip}
    fill = DATA_FILL if node.kind == "data" else None
    styles = []
    if node.observed:
        fill = OBSERVED_FILL
    if node.imputed is not None:
        fill = PARTLY_FILL
        attrs["gradientangle"] = "90"
    if node.marginalized:
        styles.append("dashed")
        attrs["penwidth"] = "1.6"
    if node.intervention is not None:
        fill = INTERVENED_FILL
        attrs["color"] = INTERVENED_LINE
        attrs["penwidth"] = "2"
    if fill is not None:
        styles.insert(0, "filled")
        attrs["fillcolor"] = fill
    if styles:
        attrs["style"] = ",".join(styles)
    if node.role is not None:
        colour = ROLE_COLORS[node.role]
        attrs["color"] = colour
        attrs["fontcolor"] = colour
        attrs["penwidth"] = "2.5"
    return attrs


def _add_spec(g: Any, spec: GraphSpec, prefix: str = "") -> None:
    in_cluster = {n for c in spec.clusters for n in c.nodes}
    for node in spec.nodes:
        if node.name not in in_cluster:
            g.node(prefix + node.name, **node_attrs(node))
    for c in spec.clusters:
        # the "cluster" name prefix is what makes dot draw a box around a subgraph
        with g.subgraph(name=f"cluster_{prefix}{c.name}") as sub:
            sub.attr(label=c.label, labeljust="r", labelloc="b", style="rounded")
            for name in c.nodes:
                sub.node(prefix + name, **node_attrs(spec.node(name)))
    for e in spec.edges:
        extra = {"style": "dashed", "color": INTERVENED_LINE} if e.added else {}
        g.edge(prefix + e.source, prefix + e.target, **extra)


def add_legend(g: Any, *specs: GraphSpec, below: str | None = None) -> None:
    """Add a small legend cluster for the statuses the specs draw (none: no legend).

    Only what appears is listed, so a model without data (plain structure) gets no legend
    and one without imputed cells no "partly observed" entry. ``below`` names a node id
    the legend is drawn under (an invisible edge), rather than beside the graph.
    """
    shown = {n.status for spec in specs for n in spec.nodes}
    entries = [(key, text, style) for key, text, style in LEGEND if key in shown]
    if not entries:
        return
    with g.subgraph(name="cluster_legend") as box:
        box.attr(label="legend", labeljust="l", fontsize="11", style="rounded",
                 color="#cccccc", fontcolor="#555555")
        # one row (an inner rank=same subgraph), so the legend adds no height
        with box.subgraph() as row:
            row.attr(rank="same")
            ids = []
            for key, text, style in entries:
                # ids cannot clash with node names: those never hold a space
                ids.append(f"legend {key}")
                row.node(ids[-1], label=text, shape="ellipse", fontsize="10",
                         height="0.45", tooltip=text, **style)
            for a, b in itertools.pairwise(ids):
                row.edge(a, b, style="invis")
    if below is not None:
        g.edge(below, ids[0], style="invis")


def to_digraph(spec: GraphSpec, title: str | None = None) -> graphviz.Digraph:
    """Build a ``graphviz.Digraph`` from a spec (no ``dot`` program needed).

    Parameters
    ----------
    spec : GraphSpec
        What to draw.
    title : str, optional
        Drawn above the graph.

    Returns
    -------
    graphviz.Digraph
        Node ids are the node names; the library quotes them (names such as ``node`` or
        ``graph`` that are DOT keywords are safe).

    """
    g = _graphviz().Digraph(name="docalc")
    g.attr(fontname="Helvetica")
    g.attr("node", fontname="Helvetica")
    if title:
        g.attr(label=title, labelloc="t", fontsize="16")
    _add_spec(g, spec)
    add_legend(g, spec, below=spec.nodes[-1].name if spec.nodes else None)
    return g


def side_by_side(factual: GraphSpec, intervened: GraphSpec) -> graphviz.Digraph:
    """Draw the factual graph and the intervened one next to each other.

    Each sits in its own cluster, labelled ``factual`` and ``do(...)``; node ids are
    prefixed ``factual.`` and ``do.`` so the two copies of a node stay apart.
    """
    g = _graphviz().Digraph(name="docalc")
    g.attr(fontname="Helvetica", rankdir="TB")
    g.attr("node", fontname="Helvetica")
    for key, spec, label in (
        ("factual", factual, "factual"),
        ("do", intervened, intervened.do_label),
    ):
        with g.subgraph(name=f"cluster_{key}") as sub:
            sub.attr(label=label, labelloc="t", fontsize="16", pencolor="#cccccc")
            _add_spec(sub, spec, prefix=f"{key}.")
    add_legend(g, factual, intervened,
               below=f"factual.{factual.nodes[-1].name}" if factual.nodes else None)
    return g


def draw(
    model_like: Any,
    *,
    observed: Iterable[str] | None = None,
    roles: Mapping[str, str] | None = None,
    title: str | None = None,
    imputed: Mapping[str, tuple[int, int]] | None = None,
) -> graphviz.Digraph:
    """Draw a model: its graph alone, or factual and intervened side by side.

    Parameters
    ----------
    model_like : CheckedModel or docalc.Model
        Anything ``docalc.compiler.graph.description.unwrap`` accepts.
    observed : iterable of str, optional
        Observed names; defaults to the model's own ``observed_names``.
    roles : mapping of str to str, optional
        Node roles to colour.
    title : str, optional
        Used when the model has no interventions.
    imputed : mapping of str to (int, int), optional
        Node to ``(imputed cells, cells)``; defaults to the NaN cells of the model's bound
        data (``marks.imputed_of``).

    """
    model, own_observed = unwrap(model_like)
    seen = own_observed if observed is None else frozenset(observed)
    holes = imputed_of(model_like) if imputed is None else imputed
    factual = graph_spec(model, observed=seen, roles=roles, intervened=False, imputed=holes)
    if not model.interventions:
        return to_digraph(factual, title=title)
    return side_by_side(factual, graph_spec(model, observed=seen, roles=roles, imputed=holes))


def _run(digraph: graphviz.Digraph, fmt: str) -> bytes:
    graphviz = _graphviz()
    try:
        out: bytes = digraph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise errors.dot_missing(None, install=INSTALL_HINT).error() from None
    except subprocess.CalledProcessError as exc:
        why = (exc.stderr or b"").decode("utf-8", "replace").strip()
        why = why or f"exit status {exc.returncode}"
        raise errors.dot_failed(None, why=why).error() from None
    return out


def render_svg(digraph: graphviz.Digraph) -> str:
    """Run ``dot`` and return the drawing as SVG text.

    Raises
    ------
    DocalcGraphvizError
        When ``dot`` is missing (the hint says how to install it) or fails.

    """
    return _run(digraph, "svg").decode("utf-8")


def write(digraph: graphviz.Digraph, path: str | Path) -> Path:
    """Write the drawing to ``path``, in the format its suffix names.

    ``.svg``, ``.png`` and ``.pdf`` run ``dot``; ``.dot`` and ``.gv`` write the DOT source
    and need no Graphviz program.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DocalcGraphvizError
        For an unknown suffix, a missing or failing ``dot``, or a file that cannot be written.

    """
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise errors.unknown_graph_format(None, path=p, formats=", ".join(FORMATS)).error()
    data = digraph.source.encode("utf-8") if fmt == "dot" else _run(digraph, fmt)
    try:
        p.write_bytes(data)
    except OSError as exc:
        raise errors.cannot_write_graph(None, path=p, why=str(exc.strerror or exc)).error() \
            from None
    return p


def error_html(err: DocalcError) -> str:
    """Return an error's formatted text (with its carets) as an HTML ``<pre>`` block."""
    import html

    return (
        '<pre class="docalc-error" style="color:#c0392b;white-space:pre">'
        f"{html.escape(str(err))}</pre>"
    )


__all__ = [
    "ROLE_COLORS",
    "DocalcGraphvizError",
    "add_legend",
    "draw",
    "error_html",
    "node_attrs",
    "render_svg",
    "side_by_side",
    "to_digraph",
    "write",
]
