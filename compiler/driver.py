"""The compiler driver: the stages from a checked model to results, each printable.

``stages`` runs them in order, each a function of the previous stage's output:

1. ``bind``: interventions applied, data validated against the model (plate sizes,
   columns) -- :func:`docalc.compiler.bind.interventions.apply`, :func:`data.bind`;
2. ``plan``: how each node gets its value in one run -- the inference plan when some
   stochastic node has data (what a fit samples), else the forward plan;
3. ``checks``: the constraints intervention values may break at run time;
4. ``lower``: the plan as JAX: a NumPyro model (inference) or a forward run;
5. ``run``: one run of the lowered program from ``seed`` (the NumPyro model's prior draw
   with the data observed, or one forward draw);
6. ``results``: that run as a ``DataTree`` in ArviZ's layout.

:func:`stage_texts` prints them (``docalc check FILE --stages``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from docalc.dsl.ir import CheckedModel, Kind

if TYPE_CHECKING:
    from docalc.compiler.bind.data import Bound
    from docalc.compiler.plan.run_plan import Plan

#: The stage names, in order.
STAGES = ("bind", "plan", "checks", "lower", "run", "results")

#: Units per plate that neither the model nor the data sizes.
DEFAULT_UNITS = 10


@dataclass(frozen=True)
class Bind:
    """The bind stage's output: the intervened model, its array values and bound data."""

    checked: CheckedModel
    arrays: Mapping[str, np.ndarray]
    bound: Bound

    @property
    def observed(self) -> frozenset[str]:
        """Bound nodes that are not data inputs (what inference conditions on)."""
        return frozenset(k for k in self.bound.names
                         if self.checked.node(k).kind is not Kind.DATA)

    def __str__(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in sorted(self.bound.sizes.items())) or "-"
        cols = ", ".join(sorted(self.bound.names)) or "-"
        ivs = "; ".join(str(i) for i in self.checked.interventions) or "-"
        return f"plates {sizes}\ncolumns {cols}\ndo {ivs}\n"


def bind(checked: CheckedModel, data: Any = None, do: Any = None) -> Bind:
    """Stage 1: apply ``do`` and bind ``data`` (unsized plates get DEFAULT_UNITS units).

    Without data, missing ``data`` input columns are allowed here (the plan names them);
    the run stage then refuses them.
    """
    from docalc.compiler.bind import data as data_mod
    from docalc.compiler.bind.interventions import apply, check_array_shapes

    checked, arrays = apply(checked, {}, do)
    unsized = any(p.size is None for p in checked.plates)
    # without data, input columns are only named by the plan (a run needs them)
    bound = data_mod.bind(checked, data, n=DEFAULT_UNITS if unsized and data is None else None,
                          require_inputs=data is not None)
    check_array_shapes(checked, arrays, bound.sizes)
    return Bind(checked, arrays, bound)


def plan(b: Bind) -> Plan:
    """Stage 2: the inference plan if some stochastic node has data, else the forward plan."""
    from docalc.compiler.plan.run_plan import forward_plan, inference_plan

    if b.observed:
        return inference_plan(b.checked, b.bound.sizes, b.observed)
    return forward_plan(b.checked, b.bound.sizes, given=b.bound.names)


@dataclass(frozen=True)
class Checks:
    """The checks stage's output: what a run of the plan checks."""

    checks: tuple[Any, ...]

    def __str__(self) -> str:
        if not self.checks:
            return "none\n"
        return "".join(f"{c.node}.{c.param or '<value>'} {c.constraint} ({c.dist}) "
                       f"from {', '.join(c.sources)}\n" for c in self.checks)


def checks(p: Plan) -> Checks:
    """Stage 3: the run-time checks of intervention values."""
    from docalc.compiler.plan.value_checks import plan_checks

    return Checks(plan_checks(p)[0])


@dataclass(frozen=True)
class Lowered:
    """The lower stage's output: the plan as a JAX function."""

    plan: Plan
    inference: bool
    fn: Callable[..., Any]

    def __str__(self) -> str:
        kind = "NumPyro model model(data, params, arrays)" if self.inference else \
            "forward run run(key, given, params, arrays) -> (values, counts)"
        out = [kind]
        for st in self.plan.steps:
            out.append(f"  {st.name}: {_site(st, self.inference)}")
        return "\n".join(out) + "\n"


def _site(st: Any, inference: bool) -> str:
    if st.mode in ("given", "data"):
        return "argument"
    if st.mode in ("sample", "dist"):
        if inference:
            return "sample site" + (" (observed)" if st.observed else "")
        return f"draw from fold_in(key, {st.index})" + (", per unit" if st.node.plate else "")
    if st.mode == "abduct":
        return "abducted noise"
    return "deterministic site" if inference else "computed"


def lower(p: Plan, inference: bool) -> Lowered:
    """Stage 4: lower the plan to a NumPyro model (inference) or a forward run."""
    from docalc.compiler.run.jax_setup import ensure_jax

    ensure_jax()
    from docalc.compiler.lower.lowering import make_forward, make_numpyro_model

    return Lowered(p, inference, make_numpyro_model(p) if inference else make_forward(p))


def run(b: Bind, low: Lowered, seed: int = 0) -> dict[str, np.ndarray]:
    """Stage 5: one run of the lowered program; every node's value."""
    import jax

    from docalc.compiler.bind import data as data_mod
    from docalc.compiler.bind.seeds import check_seed
    from docalc.compiler.lower.expr import literal_values
    from docalc.compiler.plan.run_plan import intervention_exprs

    params = np.asarray(literal_values(intervention_exprs(low.plan)), dtype=np.float32)
    columns = data_mod.as_arrays(b.checked, b.bound)
    key = jax.random.PRNGKey(check_seed(seed))
    if low.inference:
        from numpyro import handlers

        tr = handlers.trace(handlers.seed(low.fn, key)).get_trace(columns, params, b.arrays)
        return {k: np.asarray(v["value"]) for k, v in tr.items()
                if v["type"] in ("sample", "deterministic") and "__" not in k}
    values, _ = low.fn(key, columns, params, dict(b.arrays))
    return {k: np.asarray(v) for k, v in values.items()}


def results(b: Bind, values: Mapping[str, np.ndarray]) -> Any:
    """Stage 6: the run as a DataTree (group ``run``, one chain of one draw)."""
    from docalc.compiler.results.trees import dataset, tree

    keep = {k: v[None, None] for k, v in values.items()}
    return tree({"run": dataset(b.checked, keep, b.bound.coords)})


def stages(checked: CheckedModel, data: Any = None, do: Any = None, *,
           seed: int = 0) -> list[tuple[str, Any]]:
    """Run every stage in order; return ``(name, output)`` pairs (names of STAGES)."""
    b = bind(checked, data, do)
    p = plan(b)
    inference = bool(b.observed)
    low = lower(p, inference)
    values = run(b, low, seed)
    return [("bind", b), ("plan", p), ("checks", checks(p)), ("lower", low),
            ("run", values), ("results", results(b, values))]


def _text(name: str, out: Any) -> str:
    if name == "plan":
        return str(out) + "\n"
    if name == "run":
        return "".join(f"{k} {np.shape(v)} mean {float(np.mean(v)):.4g}\n"
                       for k, v in out.items())
    return str(out) if str(out).endswith("\n") else f"{out}\n"


def stage_texts(checked: CheckedModel, data: Any = None,
                do: Any = None) -> list[tuple[str, str]]:
    """Return ``(stage name, printed output)`` for every stage (``docalc check --stages``).

    Parameters
    ----------
    checked : CheckedModel
        The front end's output.
    data : DataFrame or dict, optional
        Data to bind (observed nodes make the plan an inference plan).
    do : dict or str, optional
        Interventions to apply first.
    """
    return [(name, _text(name, out)) for name, out in stages(checked, data, do)]


def plan_text(checked: CheckedModel, data: Any = None) -> str:
    """Return the plan stage alone, printed (what ``tests/golden/plan`` holds)."""
    return str(plan(bind(checked, data))) + "\n"
