"""Lowering a plan to JAX: a forward run and a NumPyro model.

The forward run serves simulate, predict and counterfactuals; the NumPyro model serves
inference. Both evaluate the plan's steps with the one step evaluator
(:func:`docalc.compiler.lower.step_eval.evaluate`), with fresh keys or with NumPyro sites.
Interventions are lowered from the IR, never by NumPyro's ``do``.

Whether an intervention value gives some distribution an invalid parameter is known only
when the run is done (see :mod:`docalc.compiler.plan.value_checks`): the forward run returns,
per draw, the number of units that broke each check beside the values; the NumPyro model
records them as sites (``value_checks.check_samples``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from contextlib import nullcontext
from functools import partial
from typing import Any

import jax.numpy as jnp
import numpyro

from docalc.compiler.lower.means import mean_key
from docalc.compiler.lower.step_eval import CompiledPlan, Fresh, Sites, evaluate, fit_shape
from docalc.compiler.plan.run_plan import Plan
from docalc.compiler.plan.value_checks import CHECK_SITE

Arrays = Mapping[str, Any]

Forward = Callable[[Any, Arrays, Any, Arrays], tuple[dict[str, Any], tuple[Any, ...]]]


def make_forward(plan: Plan, means: Collection[str] = ()) -> Forward:
    """Return ``run(key, given, params, arrays) -> (values, counts)`` for one draw.

    ``given`` holds data columns and held values (and, for abduction, every factual
    value); ``params`` the intervention literals; ``arrays`` array-valued interventions.
    Each node's random numbers come from ``fold_in(key, node index)``, so two scenarios
    run with the same key share the noise of every node they both draw. ``counts`` has,
    for each check of ``value_checks.plan_checks(plan)``, the number of units that broke
    it; the caller passes them to ``value_checks.raise_violations`` on the host. Vmap
    ``run`` over draws.

    For each node named in ``means`` that the run draws from its mechanism, ``values``
    also holds, under ``means.mean_key(name)``, that distribution's mean given the values
    its parents took (the draw where the mean is not finite): what expectations use.
    """
    c = CompiledPlan(plan)

    def run(key: Any, given: Arrays, params: Any,
            arrays: Arrays) -> tuple[dict[str, Any], tuple[Any, ...]]:
        env: dict[str, Any] = {}
        counts: dict[int, Any] = {}
        how = Fresh(c, key, given, params, arrays, counts, means)
        for st in plan.steps:
            env[st.name] = fit_shape(evaluate(st, env, how), c.shape(st))
        env.update({mean_key(k): v for k, v in how.means.items()})
        return env, tuple(counts.get(k, jnp.int32(0)) for k in range(len(c.checks)))

    return run


def make_numpyro_model(plan: Plan,
                       pointwise: bool = False) -> Callable[[Arrays, Any, Arrays], None]:
    """Return the NumPyro model ``model(data, params, arrays)`` for inference.

    Observed nodes are sample sites with ``obs``; deterministic and hard-intervened nodes
    are recorded with ``numpyro.deterministic``, so every output holds the value a node
    actually took. Each check of ``value_checks.plan_checks`` is recorded too, as the
    number of units that broke it (site ``value_checks.CHECK_SITE``); when NumPyro first
    runs the model with concrete values, a broken check raises at once. Latent discrete
    nodes are summed out (one factor site per group, see
    :mod:`docalc.compiler.lower.enumeration`). With ``pointwise`` (for a pointwise log
    likelihood) a factor leaves out the density of imputed cells, as a masked site does.
    """
    body = _model_body(plan, pointwise)

    def model(data: Arrays, params: Any, arrays: Arrays) -> None:
        body(data, params, arrays)

    return model


def make_enumeration_terms(plan: Plan) -> Callable[..., list[Any]]:
    """Return ``terms(values, data, params, arrays)``: each group's log joint per value.

    ``values`` holds one draw of the model's sample sites (a posterior draw of the
    continuous latents); the result has, per group of ``plan_groups(plan)``, the
    unnormalized log posterior of each joint value of its latents per unit, shape
    ``(Group.size, units)``: the terms the model's factor sums (the infer_discrete idea).
    """
    from numpyro import handlers

    body = _model_body(plan)

    def terms(values: Arrays, data: Arrays, params: Any, arrays: Arrays) -> list[Any]:
        with handlers.block(), handlers.seed(rng_seed=0), handlers.substitute(data=values):
            how = body(data, params, arrays)
        m = how.marginal
        return [] if m is None else [m.terms(k) for k in range(len(m.groups))]

    return terms


def _model_body(plan: Plan, pointwise: bool = False) -> Callable[[Arrays, Any, Arrays], Sites]:
    from docalc.compiler.lower.enumeration import Marginal
    from docalc.compiler.plan.enumeration import plan_groups

    c = CompiledPlan(plan)
    groups = plan_groups(plan)

    def body(data: Arrays, params: Any, arrays: Arrays) -> Sites:
        env: dict[str, Any] = {}
        counts: dict[int, Any] = {}
        marginal = Marginal(groups, plan.size, pointwise) if groups else None
        how = Sites(c, data, params, arrays, counts, marginal)
        for st in plan.steps:
            plate = st.node.plate
            ctx = numpyro.plate(plate, c.shape(st)[0], dim=-1) if plate else nullcontext()
            with ctx:
                if marginal is not None and marginal.member(st.name):
                    env[st.name] = marginal.each(st.name, env, how, partial(evaluate, st,
                                                                            run=how))
                else:
                    env[st.name] = evaluate(st, env, how)
        if marginal is not None:
            marginal.finish()
        for k in range(len(c.checks)):
            numpyro.deterministic(CHECK_SITE.format(k), counts.get(k, jnp.int32(0)))
        return how

    return body
