"""Graph specs, Graphviz drawing, the GraphView widget and the %%docalc magic."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docalc.compiler.graph.description import GraphSpec, graph_spec, roles_for, roles_from, unwrap
from docalc.dsl import check_text
from docalc.dsl.errors import DocalcGraphvizError
from docalc.dsl.frontend import apply_intervention_text
from docalc.dsl.ir import CheckedModel
from docalc.widgets.render import (
    INSTALL_HINT,
    ROLE_COLORS,
    draw,
    node_attrs,
    render_svg,
    side_by_side,
    to_digraph,
    write,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def load(name: str) -> CheckedModel:
    path = EXAMPLES / f"{name}.scm"
    return check_text(path.read_text(), str(path))


@pytest.fixture(scope="module")
def linear() -> CheckedModel:
    return load("linear")


# --- the spec -------------------------------------------------------------------------


def test_linear_shapes_and_plate(linear: CheckedModel) -> None:
    spec = graph_spec(linear)
    assert spec.node("y_mu").shape == "box"
    assert {spec.node(n).shape for n in ("a", "b", "c", "y")} == {"ellipse"}
    assert [c.label for c in spec.clusters] == ["i"]
    assert spec.cluster("i").nodes == ("a", "b", "c", "y_mu", "y")
    assert spec.node("beta_ay").plate is None
    assert spec.interventions == () and spec.do_label == "factual"
    assert set(spec.parents("y")) == {"y_mu", "sigma_y"}


def test_spec_is_immutable_and_printable(linear: CheckedModel) -> None:
    spec = graph_spec(linear, observed=["y"])
    with pytest.raises(AttributeError):
        spec.nodes = ()
    text = str(spec)
    assert "plate i: a, b, c, y_mu, y" in text
    assert "node y: ellipse, stochastic, observed" in text
    assert "edge b -> y_mu" in text
    assert spec == graph_spec(linear, observed=("y",))


def test_hard_intervention_cuts_incoming_edges() -> None:
    model = check_text("z ~ Normal(0, 1)\nb ~ Normal(z, 1)\ny ~ Normal(b + z, 1)")
    assert graph_spec(model).parents("b") == ("z",)
    spec = graph_spec(apply_intervention_text(model, "b = 0"))
    assert spec.parents("b") == ()
    assert spec.node("b").intervention == "do(b = 0)"
    assert set(spec.parents("y")) == {"b", "z"}
    # the factual view of the same model ignores its interventions
    factual = graph_spec(apply_intervention_text(model, "b = 0"), intervened=False)
    assert factual.parents("b") == ("z",) and factual.node("b").intervention is None


def test_do_b0_on_linear(linear: CheckedModel) -> None:
    spec = graph_spec(apply_intervention_text(linear, "b = 0"))
    assert spec.parents("b") == ()
    assert spec.node("b").intervention == "do(b = 0)"
    assert "b" in spec.parents("y_mu")
    assert spec.do_label == "do(b = 0)"


def test_shift_keeps_parents() -> None:
    model = check_text("z ~ Normal(0, 1)\nb ~ Normal(z, 1)\ny ~ Normal(b, 1)")
    spec = graph_spec(apply_intervention_text(model, "b = 5 * b"))
    assert spec.parents("b") == ("z",)
    assert spec.node("b").intervention == "do(b = 5 * b)"
    assert not any(e.added for e in spec.edges)


def test_stochastic_intervention_and_reads() -> None:
    model = check_text("z ~ Normal(0, 1)\nw ~ Normal(0, 1)\nx ~ Normal(z, 1)\ny ~ Normal(x, 1)")
    spec = graph_spec(apply_intervention_text(model, "x ~ Normal(1, 2)"))
    assert spec.parents("x") == ()
    assert spec.node("x").intervention == "do(x ~ Normal(1, 2))"
    spec = graph_spec(apply_intervention_text(model, "x ~ Normal(scale=2)"))
    assert spec.node("x").intervention == "do(x ~ Normal(0, 2))"  # the default filled in
    binary = check_text("t ~ Bernoulli(0.5)\ny ~ Normal(t, 1)")
    spec = graph_spec(apply_intervention_text(binary, "t ~ Bernoulli(logits=1)"))
    assert spec.node("t").intervention == "do(t ~ Bernoulli(logits=1))"
    # a new value reading another node draws an edge that only the intervention creates
    spec = graph_spec(apply_intervention_text(model, "x = w + 1"))
    assert spec.parents("x") == ("w",)
    assert [(e.source, e.added) for e in spec.edges if e.target == "x"] == [("w", True)]


def test_eight_schools_clusters() -> None:
    spec = graph_spec(load("eight_schools"))
    assert [c.label for c in spec.clusters] == ["school [8]", "study"]
    assert spec.node("school_of").shape == spec.node("sigma").shape == "note"
    assert spec.node("theta").shape == "box"


def test_gear_roles() -> None:
    gear = load("gear")
    roles = roles_for(gear, "gear", "sound")
    assert roles == {"gear": "treatment", "sound": "outcome", "talent": "confounder"}
    spec = graph_spec(gear, treatment="gear", outcome="sound")
    assert spec.node("talent").role == "confounder"
    assert spec.node("p_talent").role is None
    attrs = node_attrs(spec.node("talent"))
    assert attrs["color"] == ROLE_COLORS["confounder"] == "#6c3483"
    assert node_attrs(spec.node("gear"))["color"] == "#c0392b"
    assert node_attrs(spec.node("sound"))["color"] == "#1e8449"
    # explicit roles win over derived ones
    spec = graph_spec(gear, treatment="gear", outcome="sound", roles={"talent": "mediator"})
    assert spec.node("talent").role == "mediator"


def test_mediator_role() -> None:
    model = check_text("u ~ Normal(0, 1)\nx ~ Normal(u, 1)\nm ~ Normal(x, 1)\ny ~ Normal(m + u, 1)")
    assert roles_for(model, "x", "y") == {
        "x": "treatment", "y": "outcome", "m": "mediator", "u": "confounder",
    }


def test_roles_from_identification() -> None:
    class Ident:
        treatment = "gear"
        outcome = "sound"
        criterion = "backdoor"
        adjustment_sets = (frozenset({"talent"}),)

    assert roles_from(Ident()) == {"gear": "treatment", "sound": "outcome", "talent": "confounder"}


def test_bad_roles_and_names(linear: CheckedModel) -> None:
    with pytest.raises(ValueError, match="unknown role"):
        graph_spec(linear, roles={"a": "instrument"})
    with pytest.raises(ValueError, match="'zz'"):
        graph_spec(linear, observed=["zz"])
    with pytest.raises(ValueError, match="both"):
        graph_spec(linear, treatment="a")


def test_unwrap_model_like(linear: CheckedModel) -> None:
    class Wrapped:
        checked = linear
        observed_names = frozenset({"y"})

    assert unwrap(Wrapped()) == (linear, frozenset({"y"}))
    assert unwrap(linear) == (linear, frozenset())
    with pytest.raises(TypeError):
        unwrap(42)


# --- what a fit makes of each node: observed, latent, marginalized, partly observed ---

# a latent class, a discrete child with unbounded support, a Binomial with a literal and one
# with a non-literal count, a data input and a deterministic node
MARKS = """
p ~ Beta(1, 1)
plate i {
  data x
  k ~ Bernoulli(p)
  c ~ Categorical([0.2, 0.3, 0.5])
  n3 ~ Binomial(3, 0.5)
  nk ~ Binomial(total_count = 1 + k, probs = 0.5)
  m ~ Poisson(1 + k)
  mu = x + k + c
  y ~ Normal(mu + n3 + nk + m, 1)
}
"""


def statuses(spec: GraphSpec) -> dict[str, str | None]:
    return {n.name: n.status for n in spec.nodes}


def test_no_data_bound_draws_plain_structure() -> None:
    spec = graph_spec(check_text(MARKS))
    # nothing is fitted without data: no node is called latent or marginalized
    assert set(statuses(spec).values()) == {None}
    assert not any(n.latent or n.marginalized or n.observed for n in spec.nodes)
    # a bound data input alone is no fit either (fitting refuses "nothing observed")
    inputs_only = graph_spec(check_text(MARKS), observed=["x"])
    assert {k: v for k, v in statuses(inputs_only).items() if v} == {"x": "observed"}


def test_marks_follow_the_fit_latent_rule() -> None:
    from docalc.compiler.plan.run_plan import inference_plan
    from docalc.compiler.run.fitting import latent_steps

    model = check_text(MARKS)
    spec = graph_spec(model, observed=["x", "y", "m"])
    assert statuses(spec) == {
        "p": "latent", "x": "observed", "k": "marginalized", "c": "marginalized",
        "n3": "marginalized", "nk": "latent", "m": "observed", "mu": None, "y": "observed"}
    # exactly the nodes a fit infers
    fit_latent = {st.name for st in latent_steps(inference_plan(model, {}, {"x", "y", "m"}))}
    assert {n.name for n in spec.nodes if n.latent} == fit_latent
    # a Poisson latent is latent, never marginalized (its support is unbounded)
    spec = graph_spec(model, observed=["x", "y"])
    assert spec.node("m").status == "latent" and not spec.node("m").marginalized
    assert "node k: ellipse, stochastic, marginalized" in str(spec)


def test_finite_support_predicate() -> None:
    from docalc.compiler.graph.marks import finite_support

    model = check_text(MARKS)
    assert [finite_support(model.node(n).dist) for n in ("k", "c", "n3", "nk", "m", "p")] == [
        True, True, True, False, False, False]
    assert not finite_support(None)


def test_intervened_view_has_its_own_latents() -> None:
    model = apply_intervention_text(check_text(MARKS), "k = 1")
    done = graph_spec(model, observed=["x", "y"])
    assert done.node("k").status is None and done.node("k").intervention == "do(k = 1)"
    # the factual view of the same model still marginalizes k
    assert graph_spec(model, observed=["x", "y"], intervened=False).node("k").marginalized
    # a stochastic do() on a latent keeps it latent under its new distribution
    soft = apply_intervention_text(check_text(MARKS), "p ~ Beta(2, 2)")
    assert graph_spec(soft, observed=["x", "y"]).node("p").status == "latent"


def test_partly_observed_column() -> None:
    from docalc.compiler.graph.marks import imputed_cells

    model = check_text(MARKS)
    y = [1.0, float("nan"), 2.0, float("nan")]
    holes = imputed_cells(model, {"x": [1.0, float("nan"), 0, 0], "y": y, "m": [1, 2, 3, 4]})
    assert holes == {"y": (2, 4)}  # a data input is never imputed; ints hold no NaN
    spec = graph_spec(model, observed=["x", "y", "m"], imputed=holes)
    y_node = spec.node("y")
    assert y_node.status == "partly observed" and y_node.observed and y_node.imputed == (2, 4)
    assert y_node.status_text == "partly observed: 2 of 4 imputed"
    assert "node y: ellipse, stochastic, partly observed: 2 of 4 imputed" in str(spec)
    with pytest.raises(ValueError, match="zz"):
        graph_spec(model, observed=["y"], imputed={"zz": (1, 2)})


def test_imputed_of_reads_the_bound_nan_cells() -> None:
    from docalc.compiler.bind.data import Bound
    from docalc.compiler.graph.marks import imputed_of

    model = check_text(MARKS)

    class Observed:  # how docalc.Model holds its data, with missing="impute" NaN cells
        checked = model
        observed_names = frozenset({"x", "y"})
        _bound = Bound({"x": [0.0, 1.0, 2.0], "y": [0.5, float("nan"), 1.5]}, {"i": 3})

    assert imputed_of(Observed()) == {"y": (1, 3)}
    assert imputed_of(model) == {}
    src = draw(Observed()).source
    assert "1 of 3 imputed" in src and 'fillcolor="#bfbfbf;0.5:white"' in src


def test_dot_styles_and_legend() -> None:
    model = check_text(MARKS)
    spec = graph_spec(model, observed=["x", "y"], imputed={"y": (1, 4)})
    attrs = {n.name: node_attrs(n) for n in spec.nodes}
    assert attrs["k"]["style"] == "dashed" and "fillcolor" not in attrs["k"]  # unfilled
    assert "marginalized" in attrs["k"]["tooltip"]
    assert "style" not in attrs["p"] and "latent" in attrs["p"]["tooltip"]  # PyMC's free RV
    assert attrs["y"]["fillcolor"] == "#bfbfbf;0.5:white"  # half filled
    assert "1 of 4 imputed" in attrs["y"]["label"]
    src = to_digraph(spec).source
    assert "cluster_legend" in src
    for text in ("observed (data)", "partly observed (cells imputed)", "latent (inferred)",
                 "latent, marginalized"):
        assert f'label="{text}"' in src
    # only what is drawn is in the legend; plain structure gets none
    assert "partly observed" not in to_digraph(graph_spec(model, observed=["y"])).source
    assert "cluster_legend" not in to_digraph(graph_spec(model)).source
    side = side_by_side(spec, graph_spec(apply_intervention_text(model, "k = 1"),
                                         observed=["x", "y"])).source
    assert side.count("subgraph cluster_legend") == 1 and '"factual.k"' in side


# --- drawing ----------------------------------------------------------------------------


def test_digraph_source_needs_no_dot(linear: CheckedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    spec = graph_spec(apply_intervention_text(linear, "b = 0"), observed=["y"])
    src = to_digraph(spec, title="linear model").source
    assert "cluster_i" in src and 'label="linear model"' in src
    assert "do(b = 0)" in src
    assert 'fillcolor="#bfbfbf"' in src  # observed y, as PyMC fills it


def test_side_by_side_prefixes(linear: CheckedModel) -> None:
    factual = graph_spec(linear)
    done = graph_spec(apply_intervention_text(linear, "b = 0"))
    src = side_by_side(factual, done).source
    assert "cluster_factual" in src and "cluster_do" in src
    assert '"factual.b"' in src and '"do.b"' in src
    assert '"factual.b" -> "factual.y_mu"' in src
    assert 'label="do(b = 0)"' in src


@needs_dot
def test_svg_contains_names_and_do_label(linear: CheckedModel) -> None:
    svg = render_svg(draw(apply_intervention_text(linear, "b = 0")))
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    for name in ("beta_y0", "y_mu", "sigma_y"):
        assert name in svg
    assert "do(b = 0)" in svg and "factual" in svg


@needs_dot
def test_awkward_names_render() -> None:
    # DOT keywords and underscores as node names must be quoted, not parsed as syntax
    model = check_text("node ~ Normal(0, 1)\ngraph_ = node * 2\nedge ~ Normal(graph_, 1)\n"
                       "plate subgraph { strict ~ Normal(edge, 1) }")
    svg = render_svg(draw(apply_intervention_text(model, "node = -1.5")))
    for name in ("node", "graph_", "edge", "strict", "subgraph"):
        assert f">{name}<" in svg
    assert "do(node = &#45;1.5)" in svg  # dot writes the minus as an entity


@needs_dot
def test_write_formats(linear: CheckedModel, tmp_path: Path) -> None:
    g = draw(linear)
    assert write(g, tmp_path / "g.svg").read_text().count("<svg") == 1
    assert write(g, tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert write(g, tmp_path / "g.dot").read_text() == g.source
    with pytest.raises(DocalcGraphvizError, match="suffix"):
        write(g, tmp_path / "g.jpeg2")


def test_missing_dot_is_docalc_error(linear: CheckedModel, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no dot on it
    g = draw(linear)
    with pytest.raises(DocalcGraphvizError) as info:
        render_svg(g)
    assert info.value.diagnostics[0].code == "E942"  # dot_missing
    assert "apt-get install graphviz" in str(info.value)
    assert "brew install graphviz" in str(info.value)
    assert INSTALL_HINT in str(info.value)
    with pytest.raises(DocalcGraphvizError, match="dot"):
        write(g, tmp_path / "g.png")
    # writing DOT source needs no program
    assert write(g, tmp_path / "g.dot").exists()


def test_dot_failure_is_docalc_error(linear: CheckedModel, monkeypatch: pytest.MonkeyPatch) -> None:
    import graphviz

    def fail(*args: object, **kwargs: object) -> bytes:
        raise subprocess.CalledProcessError(1, ["dot"], stderr=b"syntax error in line 1")

    monkeypatch.setattr(graphviz.Digraph, "pipe", fail)
    with pytest.raises(DocalcGraphvizError, match="syntax error in line 1"):
        render_svg(draw(linear))


# --- the widget --------------------------------------------------------------------------


def test_graphview_updates_on_do(linear: CheckedModel) -> None:
    pytest.importorskip("anywidget")
    from docalc.widgets import GraphView, GraphWidget

    view = GraphView(linear)
    assert isinstance(view, GraphWidget)  # the interactive widget, under its README name
    names = {n["name"] for n in view.graph["nodes"]}
    assert "y_mu" in names and view.do == "" and view.error == ""
    assert view.has_trait("do") and view.trait_metadata("do", "sync")
    assert view.trait_metadata("roles", "sync")
    view.do = "b = 0"
    assert view.graph["do_label"] == "do(b = 0)" and view.intervened == ("b",)
    good = view.graph
    view.do = "bb = 0"
    # a bad text keeps the last good drawing; the error has its caret and hint
    assert view.graph == good and "did you mean 'b'?" in view.error
    assert "^" in view.error and "bb = 0" in view.error
    view.do = "b = ("
    assert "^" in view.error and view.graph == good
    view.do = ""
    assert view.error == "" and view.intervened == ()


def test_graphview_model_like_and_mapping(linear: CheckedModel) -> None:
    pytest.importorskip("anywidget")
    from docalc.widgets.graphview import GraphView, do_text

    class Wrapped:
        checked = linear
        observed_names = frozenset({"y"})

    view = GraphView(Wrapped(), do={"b": 0.5}, roles={"b": "treatment", "y": "outcome"})
    assert view.do == "b = 0.5"
    nodes = {n["name"]: n for n in view.graph["nodes"]}
    assert nodes["b"]["intervened"] and nodes["b"]["value"] == 0.5
    assert nodes["y"]["observed"] and nodes["b"]["role"] == "treatment"
    assert view.verdict["query"] == "P(y | do(b))"
    view.roles = {}
    assert view.verdict == {}
    assert do_text({"a": 1.0, "c": -2}) == "a = 1, c = -2"


def test_graphview_needs_no_dot(linear: CheckedModel, monkeypatch: pytest.MonkeyPatch,
                                tmp_path: Path) -> None:
    # the browser lays the graph out: no Graphviz program is needed to show it
    pytest.importorskip("anywidget")
    from docalc.widgets import GraphView

    monkeypatch.setenv("PATH", str(tmp_path))
    view = GraphView(linear, do="b = 0")
    assert view.error == "" and view.intervened == ("b",)


def test_widgets_import_is_light() -> None:
    code = ("import sys, docalc.widgets as w; "
            "heavy = [m for m in ('ipywidgets', 'graphviz', 'IPython', 'jax') "
            "if m in sys.modules]; assert not heavy, heavy; assert 'GraphView' in dir(w)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lazy_names() -> None:
    import docalc.widgets as w

    assert w.graph_spec is graph_spec
    assert isinstance(w.GraphSpec, type) and w.GraphSpec is GraphSpec
    with pytest.raises(AttributeError):
        _ = w.nothing_here


# --- the magic ---------------------------------------------------------------------------


@pytest.fixture
def shell():  # type: ignore[no-untyped-def]
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "docalc.widgets")
    yield ip
    ip.user_ns.pop("m1", None)


@pytest.fixture
def no_public_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    # the front end alone must be enough, whether or not docalc.compile exists yet
    import docalc

    monkeypatch.delitem(vars(docalc), "compile", raising=False)
    monkeypatch.setitem(sys.modules, "docalc.model", None)


def test_magic_stores_checked_model(shell, no_public_compile, capsys) -> None:  # type: ignore[no-untyped-def]
    shell.run_cell_magic("docalc", "m1", "x ~ Normal(0, 1)\ny ~ Normal(2 * x, 1)\n")
    model = shell.user_ns["m1"]
    assert isinstance(model, CheckedModel) and model.names == ("x", "y")
    assert model.source == "<cell m1>"
    assert "Traceback" not in capsys.readouterr().err


def test_magic_shows_the_graph_widget(shell, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("anywidget")
    import IPython.display

    from docalc.widgets import GraphWidget, magic

    shown: list[object] = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    shell.run_cell_magic("docalc", "m1", "x ~ Normal(0, 1)\ny ~ Normal(2 * x, 1)\n")
    assert len(shown) == 1 and isinstance(shown[0], GraphWidget)
    assert {n["name"] for n in shown[0].graph["nodes"]} == {"x", "y"}  # type: ignore[attr-defined]
    # without the widgets extra the magic falls back to the static drawing
    if shutil.which("dot") is not None:
        monkeypatch.setattr(magic, "_graph_widget", lambda: None)
        shell.run_cell_magic("docalc", "m1", "x ~ Normal(0, 1)\n")
        assert isinstance(shown[1], IPython.display.SVG)


def test_magic_shows_error_without_raising(shell, no_public_compile, capsys) -> None:  # type: ignore[no-untyped-def]
    shell.user_ns["m1"] = "before"
    result = shell.run_cell_magic("docalc", "m1", "x ~ Normal(0, 1)\ny ~ Normal(2 * xx, 1)\n")
    assert result is None
    err = capsys.readouterr().err
    assert "<cell m1>:2:" in err and "^^" in err and "did you mean 'x'?" in err
    assert "Traceback" not in err
    assert shell.user_ns["m1"] == "before"


def test_magic_bad_name(shell, capsys) -> None:  # type: ignore[no-untyped-def]
    shell.run_cell_magic("docalc", "1 2", "x ~ Normal(0, 1)\n")
    assert "usage" in capsys.readouterr().err


@needs_dot
def test_magic_uses_public_compile(shell, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import docalc

    calls = []

    class FakeModel:
        def __init__(self, checked: CheckedModel) -> None:
            self.checked = checked
            self.observed_names: frozenset[str] = frozenset()

    def fake_compile(text: str, source: str = "<string>") -> FakeModel:
        calls.append(source)
        return FakeModel(check_text(text, source))

    monkeypatch.setitem(vars(docalc), "compile", fake_compile)
    shell.run_cell_magic("docalc", "m1", "x ~ Normal(0, 1)\n")
    assert calls == ["<cell m1>"]
    assert isinstance(shell.user_ns["m1"], FakeModel)
    assert shell.run_cell_magic("docalc", "m1", "x ~ Nrmal(0, 1)\n") is None
    err = capsys.readouterr().err
    assert "Nrmal" in err and "Traceback" not in err



def test_model_graph_marks_imputed_columns_partly_observed() -> None:
    import warnings

    import numpy as np
    import pandas as pd

    import docalc as dc

    model = dc.compile("plate i { x ~ Normal(0, 1); y ~ Normal(x, 1) }")
    df = pd.DataFrame({"x": [0.1, np.nan, 0.3, 0.2], "y": [1.0, 2.0, np.nan, np.nan]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dc.LatentWarning)
        observed = model.observe(df, missing="impute")
    source = observed.graph().source
    assert "x ~ Normal (partly observed: 1 of 4 imputed)" in source
    assert "y ~ Normal (partly observed: 2 of 4 imputed)" in source
