"""Named queries: ``E[...]`` terms per posterior (or prior) draw, combined draw by draw.

Each term is answered by the machinery that answers the same question through the API:

- ``E[t | do(...)]`` and ``E[t]``: a :func:`~docalc.compiler.run.posterior_runs.scenario` run (as
  ``Fit.predict``), with the nodes of ``t`` redrawn and observed columns that the
  intervention does not reach held at their data; the mean of ``t`` over units. When ``t``
  is affine in the redrawn nodes, each one drawn from its mechanism enters as that
  mechanism's mean given its parents' values, where finite (Rao-Blackwellized, see
  :mod:`docalc.compiler.lower.means`); otherwise, and for deterministic nodes, the values.
- ``E[t | do(...), factual]``: the counterfactual run (as ``Fit.counterfactual``): abducted
  values are kept; nodes drawn afresh enter as their means, as above.
- ``E[t | x = v]``: likelihood weighting (see :mod:`docalc.compiler.run.weighting`), with
  the draws (the weights may depend on them).

Every term of one query runs with the same seed, hence the same random numbers, so the
noise an intervention does not touch cancels in a difference of terms (as in ``effect``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from docalc.compiler.results.draws import Draws
from docalc.compiler.run.jax_setup import ensure_jax
from docalc.dsl import ast
from docalc.dsl.check.checker import suggest
from docalc.dsl.distributions import CONSTANTS
from docalc.dsl.errors import interventions
from docalc.dsl.ir import CheckedModel, Kind, QueryDef
from docalc.dsl.printer import print_expr

if TYPE_CHECKING:
    from docalc.compiler.bind.data import Bound

#: Units per unit plate when the prior is queried on a model without data.
PRIOR_UNITS = 1000


def _lookup(checked: CheckedModel, name: str) -> QueryDef:
    from docalc.compiler.bind.arguments import name as name_arg

    name_arg("query", name)
    try:
        return checked.query(name)
    except KeyError:
        known = [q.name for q in checked.queries]
        hint = suggest(name, known, "the queries are " + ", ".join(known) if known
                       else "the model defines no queries; add one, e.g. "
                            "`query q = E[y | do(x = 1)]`")
        raise interventions.unknown_query(None, name=name, suggestion=hint).error() from None


def evaluate(source: Draws, name: str, *, seed: int = 0) -> xr.DataArray:
    """Evaluate the named query on a fit's posterior: one value per posterior draw.

    Parameters
    ----------
    source : Draws
        The posterior draws the query is evaluated on, with their model and data.
    name : str
        A query defined in the model text.
    seed : int
        Seed of the forward runs; every term of the query uses the same random numbers.

    Returns
    -------
    xarray.DataArray
        Named ``name``, dims (chain, draw); attrs ``query`` (the expression's text) and
        ``definition`` (the whole ``query name = ...`` line).

    Raises
    ------
    DocalcQueryError
        Unknown query name (E703), or evidence the model cannot weight (E714-E719).

    Warns
    -----
    NotIdentifiableWarning
        When an interventional term's effect is not identifiable from the fit's observed
        nodes: the answer then rests on the model's parametric form and priors.

    """
    q = _lookup(source.checked, name)
    _warn_identification(source, q)
    ensure_jax()
    return _result(q, source, seed, "posterior")


def evaluate_prior(checked: CheckedModel, bound: Bound | None,
                   arrays: Mapping[str, np.ndarray], name: str, *, draws: int = 1000,
                   seed: int = 0) -> xr.DataArray:
    """Evaluate the named query under the prior: one value per prior draw.

    Every node is drawn from the (intervened) prior, once per draw; unit plates without
    data get :data:`PRIOR_UNITS` units, and only ``data`` input columns are held at their
    values. A factual (counterfactual) term then abducts from the prior draw's world.

    Parameters
    ----------
    checked : CheckedModel
        The model.
    bound : Bound or None
        Its data, if any: only the ``data`` input columns (and plate sizes) are used.
    arrays : mapping
        Its array-valued interventions.
    name : str
        A query defined in the model text.
    draws : int
        Prior draws (one chain).
    seed : int
        Seed of the prior draws and of the query's forward runs.

    Returns
    -------
    xarray.DataArray
        As :func:`evaluate`, with one chain of ``draws`` draws.

    """
    from .fitting import whole

    q = _lookup(checked, name)
    if isinstance(draws, int | float) and not isinstance(draws, bool) and draws < 1:
        raise interventions.too_few_draws(None, draws=draws).error()
    draws = whole("draws", draws, 1)  # "5" and 2.5 are refused, not read as 5 and 2
    ensure_jax()
    src = prior_draws(checked, bound, arrays, int(draws), seed)
    return _result(q, src, seed + 1, "prior")


def prior_draws(checked: CheckedModel, bound: Bound | None, arrays: Mapping[str, np.ndarray],
                draws: int, seed: int) -> Draws:
    """Draw ``draws`` worlds from the prior, as :class:`Draws` (one chain)."""
    from docalc.compiler.bind import data as data_mod
    from docalc.compiler.plan.run_plan import forward_plan
    from docalc.compiler.results.trees import dataset, split_chains, tree
    from docalc.compiler.run.batched_forward import forward
    from docalc.compiler.run.simulation import literal_params

    if bound is not None:
        # the prior ignores observed columns: only exogenous inputs (and sizes) are kept
        inputs = {k: v for k, v in bound.columns.items()
                  if checked.node(k).kind is Kind.DATA}
        bound = data_mod.Bound(inputs, dict(bound.sizes), dict(bound.coords))
    else:
        # units per prior draw, for the plates the model does not size itself
        unsized = any(p.size is None for p in checked.plates)
        bound = data_mod.bind(checked, None, n=PRIOR_UNITS if unsized else None, what="data")
    shared = data_mod.as_arrays(checked, bound)
    plan = forward_plan(checked, bound.sizes, given=bound.names)
    values = forward(plan, seed=seed, n_draws=draws, draws={}, shared=shared,
                     params=literal_params(checked, plan), arrays=arrays,
                     what=f"the query's {draws:,} prior draws", fix="lower draws")
    values = {k: v for k, v in values.items() if checked.node(k).kind is not Kind.DATA}
    post = tree({"posterior": dataset(checked, split_chains(values, 1), bound.coords)})
    return Draws(checked, bound, arrays, post, prior=True)


def _result(q: QueryDef, src: Draws, seed: int, kind: str) -> xr.DataArray:
    from docalc.compiler.lower.expr import compile_expr

    terms: dict[str, np.ndarray] = {}
    expr = _substitute(q.expr, terms, src, seed)
    value = np.asarray(compile_expr(expr)(terms, None), dtype=np.float64)
    value = np.broadcast_to(value, (src.n_draws,)).reshape(src.chains, -1)
    return xr.DataArray(
        value, dims=("chain", "draw"),
        coords={"chain": np.arange(value.shape[0]), "draw": np.arange(value.shape[1])},
        name=q.name,
        attrs={"query": print_expr(q.expr), "definition": str(q), "draws_from": kind,
               "source": src.checked.source})


def _substitute(e: ast.Expr, terms: dict[str, np.ndarray], src: Draws,
                seed: int) -> ast.Expr:
    """Replace each ``E[...]`` by a name bound in ``terms`` to its per-draw values."""
    # recursion depth is bounded by the checker's nesting limit (E801)
    match e:
        case ast.Expectation():
            key = f"__term{len(terms)}"
            terms[key] = term(src, e, seed)
            return ast.Name(key)
        case ast.Unary(op=op, operand=o):
            return ast.Unary(op, _substitute(o, terms, src, seed))
        case ast.Binary(op=op, left=a, right=b):
            return ast.Binary(op, _substitute(a, terms, src, seed),
                              _substitute(b, terms, src, seed))
        case ast.Call(func=f, args=args):
            return ast.Call(f, tuple(_substitute(a, terms, src, seed) for a in args))
    return e


def target_names(checked: CheckedModel, target: ast.Expr) -> list[str]:
    """Return the node names a target expression reads, in first-read order."""
    names = [n.id for n in ast.names_in(target) if n.id not in CONSTANTS]
    return [n for n in dict.fromkeys(names) if n in checked.names]


def per_world(target: ast.Expr, values: dict[str, Any]) -> np.ndarray:
    """Evaluate ``target`` in each world (leading axis) and return it with that axis."""
    import jax

    from docalc.compiler.lower.expr import compile_expr

    f = compile_expr(target)
    out = jax.vmap(lambda env: jax.numpy.asarray(f(env, None), dtype=float))(values)
    return np.asarray(out, dtype=np.float64)


def unit_mean(t: np.ndarray) -> np.ndarray:
    """Mean over every axis after the first (the units of the target's plate)."""
    return t.reshape(t.shape[0], -1).mean(axis=1)


def do_of(e: ast.Expectation) -> tuple[ast.Intervention, ...] | None:
    """Return an expectation's interventions as parsed (None if it has none)."""
    ivs = tuple(i for c in e.conditions if isinstance(c, ast.DoCondition)
                for i in c.interventions)
    return ivs or None


def term(src: Draws, e: ast.Expectation, seed: int) -> np.ndarray:
    """One expectation's value per draw (flat draw axis)."""
    from docalc.compiler.lower.means import mean_key
    from docalc.compiler.run.posterior_runs import scenario

    evidence = [c for c in e.conditions if isinstance(c, ast.Observed)]
    if evidence:
        from docalc.compiler.run.weighting import weighted

        return weighted(src, e.target, do_of(e), evidence, seed)
    checked = src.checked
    names = target_names(checked, e.target)
    if not names:
        return per_world(e.target, {"__n": np.zeros(src.n_draws)})
    factual = any(isinstance(c, ast.Factual) for c in e.conditions)
    # only unit-level nodes are redrawn: globals are the draw's parameters, and data
    # inputs are exogenous
    redraw = [n for n in names if checked.node(n).plate is not None
              and checked.node(n).kind is not Kind.DATA]
    sc = scenario(src, do_of(e), None, names, counterfactual=factual, targets=redraw)
    # an expectation of the redrawn nodes' draws, Rao-Blackwellized where that is exact:
    # each node drawn from its mechanism is replaced by that mechanism's mean given its
    # parents (lower.means), which linearity of expectation allows only in an affine target
    means = redraw if affine(e.target, set(redraw)) else None
    values = sc.run(seed, names, means=means)
    return unit_mean(per_world(e.target, {k: values.get(mean_key(k), values[k])
                                          for k in names}))


def affine(e: ast.Expr, random: set[str]) -> bool:
    """Whether ``e`` is affine in the nodes ``random`` (the others are fixed in a run).

    ``E[a * y1 - y2 / 2]`` with ``a`` held is ``a * E[y1] - E[y2] / 2``, so each node may
    be replaced by its mean; ``E[y1 * y2]``, ``E[y^2]`` or ``E[exp(y)]`` may not (the mean
    of a function is not the function of the means), so their draws are kept.
    """
    def reads(x: ast.Expr) -> bool:
        return any(n.id in random for n in ast.names_in(x))

    match e:
        case ast.Name() | ast.Num():
            return True
        case ast.Unary(op="-" | "+", operand=o):
            return affine(o, random)
        case ast.Binary(op="+" | "-", left=a, right=b):
            return affine(a, random) and affine(b, random)
        case ast.Binary(op="*", left=a, right=b):
            return (not reads(a) and affine(b, random)) or (not reads(b) and affine(a, random))
        case ast.Binary(op="/", left=a, right=b):
            return not reads(b) and affine(a, random)
    return not reads(e)


def _warn_identification(source: Draws, q: QueryDef) -> None:
    """Warn once per (treatment, outcome) of the query whose effect is not identifiable."""
    from docalc.compiler.graph.identification import warn_unidentified

    checked = source.checked
    done: set[tuple[str, str]] = set()
    for e in _expectations(q.expr):
        treatments = [i.name for c in e.conditions if isinstance(c, ast.DoCondition)
                      for i in c.interventions]
        warn_unidentified(checked, treatments, target_names(checked, e.target),
                          source.bound.names, context=f"query '{q.name}': ", stacklevel=4,
                          done=done)


def _expectations(e: ast.Expr) -> list[ast.Expectation]:
    out: list[ast.Expectation] = []
    stack: list[object] = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Expectation):
            out.append(node)
            continue
        stack.extend(ast.children(node))
    return out
