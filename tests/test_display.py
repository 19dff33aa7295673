"""Model and Fit render themselves in Jupyter: graph as SVG, summary as HTML."""

from __future__ import annotations

import shutil

import pytest

import docalc as dc

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz 'dot' missing")


@needs_dot
def test_model_displays_its_graph() -> None:
    model = dc.load("examples/linear.scm")
    bundle = model._repr_mimebundle_()
    assert bundle["text/plain"].startswith("<docalc.Model")
    svg = bundle["image/svg+xml"]
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "y_mu" in svg


@needs_dot
def test_model_graph_marks_the_intervention() -> None:
    model = dc.load("examples/linear.scm")
    g = model.graph(do={"b": 0})
    assert "do(b = 0)" in g.source
    # b's incoming edges are cut, its outgoing edge into y_mu stays
    svg = g.pipe(format="svg", encoding="utf-8")
    assert "do(b = 0)" in svg


@needs_dot
@pytest.mark.slow
def test_fit_displays_graph_and_summary(linear_fit) -> None:  # type: ignore[no-untyped-def]
    bundle = linear_fit._repr_mimebundle_()
    assert bundle["text/plain"].startswith("<docalc.Fit")
    assert "image/svg+xml" in bundle
    html = bundle["text/html"]
    assert "beta_by" in html and "r_hat" in html
