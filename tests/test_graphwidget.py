"""The graph widget without a browser: its payload, its trait logic, its bundle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import traitlets

import docalc
from docalc.dsl import check_text
from docalc.widgets import graphpayload as gp
from docalc.widgets.graphwidget import STATIC, GraphWidget

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CONFOUNDED = """
z ~ Normal(0, 1)
plate i {
  u ~ Normal(0, 1)
  a ~ Normal(0, 1)
  b ~ Normal(z + u, 1)
  y ~ Normal(b + u + a, 1)
}
"""


@pytest.fixture(scope="module")
def gear() -> docalc.Model:
    return docalc.load(EXAMPLES / "gear.scm").observe(pd.read_csv(EXAMPLES / "gear.csv"))


def nodes(w: GraphWidget) -> dict[str, dict]:
    return {n["name"]: n for n in w.graph["nodes"]}


def edges(w: GraphWidget) -> dict[str, dict]:
    return {f"{e['parent']}->{e['child']}": e for e in w.graph["edges"]}


# --- the payload ----------------------------------------------------------------------


def test_gear_payload(gear: docalc.Model) -> None:
    w = GraphWidget(gear)
    ns = nodes(w)
    assert {k for k, n in ns.items() if not n["parameter"]} == {"talent", "gear", "sound"}
    assert {k for k, n in ns.items() if n["parameter"]} == {
        "p_talent", "g0", "g_talent", "s0", "s_gear", "s_talent", "s_both"}
    assert ns["gear"]["observed"] and not ns["g0"]["observed"]
    assert ns["gear"]["kind"] == "stochastic" and ns["gear"]["mechanism"] == "Bernoulli"
    assert ns["gear"]["plate"] == "player" and ns["g0"]["plate"] is None
    # a plate sized by the data says so, as PyMC's "i (100)"
    assert w.graph["plates"] == [{"name": "player", "size": 16, "label": "player (16)"}]
    # binary nodes start a click at 0 or 1, never at a mean such as 0.44
    assert {ns[k]["start"] for k in ("talent", "gear", "sound")} <= {0.0, 1.0}
    assert not any(n["intervened"] or n["role"] for n in ns.values())
    assert w.do == "" and w.error == "" and w.verdict == {} and not w.show_parameters
    json.dumps(w.graph)  # the state travels as JSON


def test_payload_marks_observed_latent_marginalized_and_imputed() -> None:
    table = pd.read_csv(EXAMPLES / "gear.csv")
    with pytest.warns(docalc.LatentWarning):  # talent has no column: a latent per player
        naive = docalc.load(EXAMPLES / "gear.scm").observe(table[["gear", "sound"]])
    w = GraphWidget(naive, imputed={"sound": (3, 16)})
    ns = nodes(w)
    assert {k: ns[k]["status"] for k in ("talent", "gear", "sound", "p_talent")} == {
        "talent": "marginalized", "gear": "observed", "sound": "partly observed",
        "p_talent": "latent"}
    assert ns["sound"]["imputed"] == [3, 16]
    assert ns["sound"]["status_text"] == "partly observed: 3 of 16 imputed"
    assert "marginalized" in ns["talent"]["status_text"]
    assert w.graph["statuses"] == ["observed", "partly observed", "latent", "marginalized"]
    # the intervened view: a do() on the latent fixes it there, the factual view keeps it
    w.do = "talent = 1"
    ns = nodes(w)
    assert ns["talent"]["status"] == "marginalized" and ns["talent"]["status_intervened"] is None
    assert ns["gear"]["status_intervened"] == "observed"
    # the whole table: everything per player observed, the parameters latent
    full = GraphWidget(docalc.load(EXAMPLES / "gear.scm").observe(table))
    assert {n["status"] for n in full.graph["nodes"] if n["plate"]} == {"observed"}
    assert full.graph["statuses"] == ["observed", "latent"]
    # no data bound: plain structure, no marks (the legend says how to get them)
    plain = GraphWidget(docalc.load(EXAMPLES / "gear.scm"))
    assert plain.graph["statuses"] == [] and {n["status"] for n in plain.graph["nodes"]} == {None}
    json.dumps(w.graph)


def test_fixed_and_unknown_plate_sizes() -> None:
    w = GraphWidget(docalc.load(EXAMPLES / "eight_schools.scm"))
    labels = {p["name"]: p["label"] for p in w.graph["plates"]}
    assert labels == {"school": "school (8)", "study": "study"}  # no data: size unknown
    assert nodes(w)["sigma"]["kind"] == "data" and not nodes(w)["sigma"]["parameter"]


def test_a_model_without_plates_has_no_parameters() -> None:
    w = GraphWidget(check_text("a ~ Normal(0, 1)\nb ~ Normal(a, 1)"))
    assert not any(n["parameter"] for n in w.graph["nodes"])


def test_start_values_from_data_then_means_then_nothing() -> None:
    model = docalc.compile(CONFOUNDED).observe(
        pd.DataFrame({"a": [0.1, 0.2, 0.4], "b": [1.0, 2.0, 4.0], "y": [0, 1, 1]}))
    w = GraphWidget(model, means={"u": 0.123456, "a": 99.0})
    ns = nodes(w)
    assert ns["a"]["start"] == pytest.approx(0.233)  # data first, three digits
    assert ns["u"]["start"] == 0.123                   # no column: the model's mean
    assert ns["y"]["start"] == 1.0                     # data in {0, 1}: rounded
    assert ns["z"]["start"] is None                    # the front end starts it at 0


def test_cut_and_added_edges() -> None:
    w = GraphWidget(check_text(CONFOUNDED), do="b = a + 1")
    es = edges(w)
    assert es["u->b"]["cut"] and es["z->b"]["cut"] and not es["u->b"]["added"]
    assert es["a->b"]["added"] and not es["a->b"]["cut"]
    assert not es["b->y"]["cut"] and not es["b->y"]["added"]
    assert nodes(w)["b"]["intervened"] and nodes(w)["b"]["intervention"] == "do(b = a + 1)"
    assert w.graph["interventions"] == [{"name": "b", "op": "=", "rhs": "a + 1", "value": None,
                                         "editable": True, "text": "b = a + 1"}]
    assert w.graph["do_label"] == "do(b = a + 1)"


def test_a_shift_keeps_its_edges_and_a_dist_is_split() -> None:
    w = GraphWidget(check_text(CONFOUNDED), do="b = 2 * b, a ~ Normal(1, 2)")
    assert not any(e["cut"] for e in w.graph["edges"] if e["child"] == "b")
    parts = {iv["name"]: (iv["op"], iv["rhs"]) for iv in w.graph["interventions"]}
    assert parts == {"b": ("=", "2 * b"), "a": ("~", "Normal(1, 2)")}


# --- trait logic ----------------------------------------------------------------------


def test_do_from_python_updates_the_graph_and_an_error_keeps_it() -> None:
    w = GraphWidget(check_text(CONFOUNDED))
    w.do = "b = 0"
    assert nodes(w)["b"]["intervened"] and w.intervened == ("b",)
    good = w.graph
    w.do = "b = = 1"
    assert w.do == "b = = 1"  # the text box keeps what was typed, to be fixed
    assert w.graph == good    # ... and the last good drawing stays
    assert "<do>:1:5" in w.error and "^" in w.error and "hint:" in w.error
    w.do = "nope = 1"
    assert w.graph == good and "nope" in w.error
    w.do = ""
    assert w.error == "" and not any(n["intervened"] for n in w.graph["nodes"])


def test_initial_do_from_the_model_a_mapping_or_text() -> None:
    model = docalc.compile(CONFOUNDED)
    assert GraphWidget(model.do(b=0)).do == "b = 0"
    assert GraphWidget(model, do={"b": 0.5, "a": 1}).do == "b = 0.5, a = 1"
    w = GraphWidget(model.do(b=0), do="a = 2")
    assert w.intervened == ("a",)


def test_a_message_from_the_browser_is_checked_like_python() -> None:
    # what ipywidgets does with a comm message from the front end
    w = GraphWidget(check_text(CONFOUNDED))
    w.set_state({"do": "a = 1"})
    assert nodes(w)["a"]["intervened"]
    w.set_state({"roles": {"b": "treatment", "y": "outcome"}})
    assert w.verdict["treatment"] == "b"


def test_intervene_and_release_edit_the_text() -> None:
    w = GraphWidget(check_text(CONFOUNDED), means={"a": 0.5})
    w.intervene("a")
    assert w.do == "a = 0.5"
    w.intervene("b", 2)
    assert w.do == "a = 0.5, b = 2"
    w.intervene("b", 3)
    assert w.do == "a = 0.5, b = 3"
    with pytest.raises(docalc.DocalcError):
        w.intervene("nope")
    assert w.do == "a = 0.5, b = 3"
    w.release("a")
    assert w.do == "b = 3" and w.intervened == ("b",)


def test_roles_are_validated() -> None:
    w = GraphWidget(check_text(CONFOUNDED))
    with pytest.raises(traitlets.TraitError, match="not node"):
        w.roles = {"nope": "treatment"}
    with pytest.raises(traitlets.TraitError, match="unknown role"):
        w.roles = {"b": "cause"}
    with pytest.raises(traitlets.TraitError):
        w.verdict = {}  # read-only: only the compiler decides it


def test_verdict_backdoor_with_adjustment_set(gear: docalc.Model) -> None:
    w = GraphWidget(gear, roles={"gear": "treatment", "sound": "outcome"})
    v = w.verdict
    assert v["identifiable"] and v["criterion"] == "backdoor"
    assert v["highlight"] == ["talent"] and v["sets"] == [["talent"]]
    assert v["query"] == "P(sound | do(gear))"
    roles = {k: n["role"] for k, n in nodes(w).items() if n["role"]}
    assert roles == {"gear": "treatment", "sound": "outcome", "talent": "adjust"}
    assert v["summary"] == str(gear.identify("gear", "sound")).splitlines()[0]
    w.roles = {}
    assert w.verdict == {} and not any(n["role"] for n in w.graph["nodes"])


def test_verdict_not_identifiable_marks_the_confounder(gear: docalc.Model) -> None:
    # talent has no data: a latent common cause
    latent = docalc.load(EXAMPLES / "gear.scm").observe(
        pd.read_csv(EXAMPLES / "gear.csv")[["gear", "sound"]])
    w = GraphWidget(latent, roles={"gear": "treatment", "sound": "outcome"})
    assert w.verdict["identifiable"] is False and w.verdict["highlight"] == []
    assert "talent" in w.verdict["latent"]
    assert nodes(w)["talent"]["role"] == "confounder"


def test_verdict_front_door() -> None:
    model = docalc.compile("""
plate i {
  u ~ Normal(0, 1)
  x ~ Normal(u, 1)
  m ~ Normal(x, 1)
  y ~ Normal(m + u, 1)
}
""").observe(pd.DataFrame({"x": [0.0, 1.0], "m": [0.5, 0.2], "y": [1.0, 2.0]}))
    w = GraphWidget(model, roles={"x": "treatment", "y": "outcome"})
    assert w.verdict["criterion"] == "frontdoor" and w.verdict["highlight"] == ["m"]
    assert nodes(w)["m"]["role"] == "mediator"


def test_a_global_treatment_is_an_error_in_the_verdict_not_a_raise(gear: docalc.Model) -> None:
    w = GraphWidget(gear, roles={"g0": "treatment", "sound": "outcome"})
    assert "global" in w.verdict["error"] and w.verdict["identifiable"] is False
    # a parameter with a role is part of the question: it is not folded away
    assert not nodes(w)["g0"]["parameter"]


def test_given_roles_win_over_derived_ones(gear: docalc.Model) -> None:
    w = GraphWidget(gear, roles={"gear": "treatment", "sound": "outcome",
                                 "talent": "confounder"})
    assert nodes(w)["talent"]["role"] == "confounder"


def test_pick_needs_exactly_one() -> None:
    assert gp.pick({"a": "treatment", "b": "treatment"}, "treatment") is None
    assert gp.pick({"a": "treatment"}, "treatment") == "a"


# --- the bundle -----------------------------------------------------------------------


def test_bundle_is_one_self_contained_es_module() -> None:
    path = STATIC / "graph.js"
    text = path.read_text(encoding="utf-8")
    assert str(GraphWidget._esm) == text  # anywidget serves the committed bundle
    assert re.search(r"export\s*\{[^}]*as default", text) or "export default" in text
    # nothing fetched at run time: no import of a URL, no CDN
    assert not re.search(r"""(import|from)\s*\(?\s*["']https?:""", text)
    assert "cdn" not in text.lower()
    for attr in ("data-node", "data-intervened", "data-role", "data-edge", "data-cut",
                 "data-status", "data-legend"):
        assert attr in text
    assert "graph.css" not in text  # the stylesheet is inlined, not a second request
