"""Observational conditions ``E[t | x = v]`` by likelihood weighting.

Conditioning is inference, not clamping. Each world is run forward with the evidence
nodes *set* to their values (so their descendants see them) while everything upstream is
drawn from its mechanism; the world's weight is the likelihood of the evidence under the
evidence nodes' own mechanisms, ``log w = sum_x log p(x = v | parents of x)``. The
self-normalised average of ``t`` under these weights estimates ``E[t | x = v]``.

Only ``data`` input columns are held at their values. From a fit, the global nodes (and
group-plate nodes such as a hierarchy's school effects) are the posterior draw's; every
unit-level node is redrawn, so the plate's units are replicate worlds for that draw. From
the prior, every node is drawn afresh.

- Evidence on unit-level nodes: per draw, the weighted mean of ``t`` over the units (the
  plate is replicated when it has fewer than :data:`MIN_UNITS` units, so that a small
  data set still gives a stable per-draw estimate).
- Evidence on a global node (a model without plates, such as the forum examples): the
  condition is about the one world, so it reweights the draws themselves. A pool of about
  :data:`POOL` worlds is drawn (each draw replicated), weighted, and resampled back to one
  value per draw (systematic resampling); the result's mean is ``E[t | x = v]``, but its
  values are no longer paired with the posterior draws.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from docalc.dsl import ast
from docalc.dsl.distributions import CONSTANTS as CONSTANT_NAMES
from docalc.dsl.distributions import CONSTRAINTS, DISTRIBUTIONS, in_support
from docalc.dsl.errors import SamplingWarning, interventions, runtime
from docalc.dsl.ir import CheckedModel, DistCall, InterventionDef, Kind
from docalc.dsl.printer import format_number, print_expr

if TYPE_CHECKING:
    from docalc.compiler.results.draws import Draws

#: Worlds drawn when the evidence is on a global node.
POOL = 16000
#: Units per draw below which a unit plate is replicated for evidence on unit nodes.
MIN_UNITS = 1000
#: Most replicates of a small plate per draw.
MAX_REPLICATES = 64
#: Values (worlds x units x kept nodes) per forward call; larger pools run in chunks.
MAX_ELEMENTS = 2**24
#: Effective sample size below which the weighted answer is flagged as unreliable.
MIN_ESS = 50


@dataclass(frozen=True)
class Evidence:
    """One observational condition ``name = value`` and the mechanism that weighs it."""

    name: str
    value: float
    expr: ast.Expr
    plate: str | None
    mechanism: DistCall | None  # None for a data input column: nothing to weigh


def evidence_of(checked: CheckedModel, conds: Sequence[ast.Observed]) -> list[Evidence]:
    """Check the conditions against the (intervened) model and return them as Evidence."""
    from docalc.compiler.lower.expr import compile_expr

    out: list[Evidence] = []
    seen: set[str] = set()
    for c in conds:
        node = checked.node(c.name)
        if c.name in seen:
            raise interventions.conditioned_twice(c.span, name=c.name).error()
        seen.add(c.name)
        iv = checked.intervention(c.name)
        if iv is not None and iv.kind != "dist":
            raise interventions.condition_on_intervened(c.span, name=c.name,
                                                        intervention=str(iv)).error()
        reads = [n.id for n in ast.names_in(c.value) if n.id not in CONSTANT_NAMES]
        if reads:
            # the value is evaluated with no nodes in scope: a node there would be a KeyError
            text = checked.text if c.span is not None and c.span.source == checked.source \
                else None
            raise interventions.condition_not_constant(
                c.span, name=c.name, value=print_expr(c.value),
                reads=", ".join(f"'{r}'" for r in dict.fromkeys(reads))
            ).with_source(text).error()
        value = float(compile_expr(c.value)({}, None))
        if node.kind is Kind.DATA:
            # an exogenous input has no mechanism: observing it is setting it
            out.append(Evidence(c.name, value, c.value, node.plate, None))
            continue
        mech = iv.dist if iv is not None else node.dist
        if mech is None:  # deterministic: the checker refuses these already
            raise runtime.condition_on_deterministic(c.span, name=c.name).error()
        spec = DISTRIBUTIONS[mech.name]
        if not in_support(spec.support, value):
            raise interventions.condition_outside_support(
                c.span, name=c.name, value=format_number(value), dist=str(mech),
                constraint=CONSTRAINTS[spec.support]).error()
        out.append(Evidence(c.name, value, c.value, node.plate, mech))
    return out


_WORLDS: dict[tuple[Any, ...], Callable[..., Any]] = {}


def _world_fn(target: ast.Expr, evidence: list[Evidence]) -> Callable[..., Any]:
    """Return a jitted ``f(values) -> (t, log w per unit, log w per world)`` over worlds.

    Cached on the target and the evidence nodes' mechanisms (the evidence values are read
    from the run's values), so evaluating a query again does not re-trace it.
    """
    key = (print_expr(target),
           tuple((ev.name, ev.plate, str(ev.mechanism)) for ev in evidence))
    fn = _WORLDS.get(key)
    if fn is None:
        fn = _WORLDS[key] = _build_world_fn(target, evidence)
    return fn


def _build_world_fn(target: ast.Expr, evidence: list[Evidence]) -> Callable[..., Any]:
    import jax
    import jax.numpy as jnp

    from docalc.compiler.lower import dists
    from docalc.compiler.lower.expr import compile_expr

    f_t = compile_expr(target)
    mechs = [(ev, {k: compile_expr(e) for k, e in ev.mechanism.args})
             for ev in evidence if ev.mechanism is not None]

    def one(env: dict[str, Any]) -> tuple[Any, Any, Any]:
        t = jnp.asarray(f_t(env, None), dtype=float)
        unit = jnp.zeros(())
        glob = jnp.zeros(())
        for ev, args in mechs:
            assert ev.mechanism is not None
            d = dists.make(ev.mechanism.name, {k: g(env, None) for k, g in args.items()})
            x = env[ev.name]
            if d.support.is_discrete:
                x = jnp.round(x).astype(jnp.int32)
            lp = jnp.where(d.support(x), d.log_prob(x), -jnp.inf)
            if ev.plate is None:
                glob = glob + lp
            else:
                unit = unit + lp
        return t, unit, glob

    from docalc.compiler.run.inference import count_trace

    def worlds(values: dict[str, Any]) -> Any:
        count_trace("weights")
        return jax.vmap(one)(values)

    return jax.jit(worlds)


def weighted(src: Draws, target: ast.Expr, do: tuple[ast.Intervention, ...] | None,
             conds: Sequence[ast.Observed], seed: int) -> np.ndarray:
    """``E[target | do, conds]`` per draw by likelihood weighting (flat draw axis)."""
    from docalc.compiler.bind import data as data_mod
    from docalc.compiler.bind.interventions import apply, check_array_shapes
    from docalc.compiler.plan.run_plan import forward_plan
    from docalc.compiler.run.queries import target_names
    from docalc.compiler.run.simulation import literal_params

    checked, arrays = apply(src.checked, src.arrays, do)
    evidence = evidence_of(checked, conds)
    names = target_names(checked, target)
    ev_plates = {ev.plate for ev in evidence if ev.plate is not None}
    t_plates = {p for n in names if (p := checked.node(n).plate) is not None}
    if len(ev_plates) > 1 or (ev_plates and t_plates and t_plates != ev_plates):
        raise interventions.conditions_mix_plates(
            None, plates=", ".join(sorted(ev_plates | t_plates))).error()
    glob = any(ev.plate is None and ev.mechanism is not None for ev in evidence)
    cw = checked.with_interventions(
        InterventionDef(ev.name, "set", expr=ev.expr) for ev in evidence)

    bound = src.bound
    check_array_shapes(cw, arrays, bound.sizes)
    shared = {k: v for k, v in data_mod.as_arrays(checked, bound).items()
              if checked.node(k).kind is Kind.DATA}
    groups = {n.index_of for n in checked.nodes if n.index_of}
    held = {} if src.prior else {
        k: v for k, v in src.values.items()
        if checked.node(k).plate is None or checked.node(k).plate in groups}
    plan = forward_plan(cw, bound.sizes, given=set(held) | set(shared))
    params = literal_params(cw, plan)

    n_draws = src.n_draws
    plate = next(iter(ev_plates | t_plates), None)
    units = bound.sizes.get(plate, 1) if plate else 1
    if glob:
        reps = max(1, math.ceil(POOL / n_draws))
    else:
        reps = max(1, min(MAX_REPLICATES, math.ceil(MIN_UNITS / units)))
    keep = sorted(set(names) | {ev.name for ev in evidence} | {
        n.id for ev in evidence if ev.mechanism is not None
        for _, e in ev.mechanism.args for n in ast.names_in(e)} & set(checked.names))
    world = _world_fn(target, evidence)
    per_chunk = max(1, MAX_ELEMENTS // max(1, reps * units * max(len(keep), 1)))

    values: list[np.ndarray] = []  # per draw (unit evidence) or per world (global evidence)
    log_g: list[np.ndarray] = []
    ess: list[np.ndarray] = []
    for k, d0 in enumerate(range(0, n_draws, per_chunk)):
        d1 = min(d0 + per_chunk, n_draws)
        part = {name: np.repeat(v[d0:d1], reps, axis=0) for name, v in held.items()}
        out = _run(plan, _chunk_seed(seed, k), (d1 - d0) * reps, part, shared, params,
                   arrays, keep)
        t, lu, lg = (np.asarray(a, dtype=np.float64) for a in world(out))
        n_w = t.shape[0]
        t, lu = t.reshape(n_w, -1), lu.reshape(n_w, -1)
        # a global target (or no unit evidence) broadcasts against the plate's units
        m = max(t.shape[1], lu.shape[1])
        t, lu = np.broadcast_to(t, (n_w, m)), np.broadcast_to(lu, (n_w, m))
        if glob:
            # each world's own answer (units weighted by the unit evidence), to be
            # reweighted across worlds by the global evidence
            values.append(_snis(lu, t)[0])
            log_g.append(lg)
        else:
            v, e = _snis(lu.reshape(d1 - d0, -1), t.reshape(d1 - d0, -1))
            values.append(v)
            ess.append(e)
    label = ", ".join(f"{ev.name} = {format_number(ev.value)}" for ev in evidence)
    if glob:
        return _resample(np.concatenate(values), np.concatenate(log_g), n_draws, seed, label,
                         print_expr(target))
    result = np.concatenate(values)
    _check(result, np.concatenate(ess), label, per="draw")
    return result


def _chunk_seed(seed: int, k: int) -> int:
    # distinct, reproducible key streams per chunk (draw_keys restarts at 0 in each call)
    if k == 0:
        return seed
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0] & 0x7FFFFFFF)


def _run(plan: Any, seed: int, n: int, draws: dict[str, np.ndarray],
         shared: dict[str, np.ndarray], params: Any, arrays: dict[str, Any],
         keep: list[str]) -> dict[str, np.ndarray]:
    from docalc.compiler.run.batched_forward import forward

    return forward(plan, seed=seed, n_draws=n, draws=draws, shared=shared, params=params,
                   arrays=arrays, keep=keep)


def _snis(logw: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Self-normalised weighted mean of ``t`` along the last axis, and its ESS."""
    top = np.max(logw, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.exp(logw - top)
        total = w.sum(axis=-1)
        value = (w * t).sum(axis=-1) / total
        ess = total**2 / (w**2).sum(axis=-1)
    return value, ess


def _check(value: np.ndarray, ess: np.ndarray, label: str, per: str) -> None:
    if not np.all(np.isfinite(value)):
        raise interventions.evidence_impossible_in_part(None, label=label, per=per).error()
    low = float(np.median(ess))
    if low < MIN_ESS:
        warnings.warn(f"likelihood weighting for {label}: median effective sample size "
                      f"{low:.0f} per {per}; the evidence is improbable under the model and "
                      "the answer is noisy", SamplingWarning, stacklevel=6)


def _resample(values: np.ndarray, logw: np.ndarray, n: int, seed: int, label: str,
              target: str) -> np.ndarray:
    """Systematic resampling of ``n`` values from the weighted pool."""
    top = np.max(logw)
    if not np.isfinite(top):
        raise interventions.evidence_impossible(None, label=label, target=target).error()
    w = np.exp(logw - top)
    w = w / w.sum()
    ess = 1.0 / np.sum(w**2)
    _check(values[w > 0], np.asarray([ess]), label, per="pool")
    rng = np.random.default_rng(seed)
    u = (rng.random() + np.arange(n)) / n
    idx = np.minimum(np.searchsorted(np.cumsum(w), u), len(w) - 1)
    # systematic resampling returns pool order; shuffle so chains are exchangeable
    return values[rng.permutation(idx)]
