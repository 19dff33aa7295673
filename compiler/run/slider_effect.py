"""Live effects: one compiled function of the intervention values, for sliders.

``effect_function(fit.draws, outcome, controls)`` plans the two scenarios once, from a template
intervention ``do(control = <number>)``, and jits one function in which the controls'
values are a traced argument (the plan's literal slots, see ``expr.literal_slots``).
Moving a slider is then a call of an already compiled function: no re-trace, no
re-compilation (``inference.TRACES["live"]`` counts the traces).

Speed. 4,000 draws x 1,000 units must re-evaluate in a few milliseconds. Drawing fresh
random numbers on every call costs far more than the arithmetic (a threefry normal per
unit and draw), yet the numbers never change between calls: the keys are fixed, which is
what makes the two scenarios share their noise. So the standard noise of each sampled
node is drawn once, kept on the device, and pushed through the node's mechanism on each
call (``x = loc + scale * eps`` and the like); families without such a transform are
drawn from their key on each call (correct, slower). When the outcome's mechanism is
location-type with the same spread in both scenarios, its shared noise cancels exactly
in the difference and the per-unit effect is the difference of the locations.

Average effect. As in ``Fit.effect``, the average is of the outcome's mechanism means
given its parents (where finite: ``compiler.lower.means``), not of its draws; the one
step evaluator returns the mean beside the draw. When the noise cancels (above) the two
are the same difference of locations.

Checks. A value may make some distribution's parameter invalid downstream (``do(x = -5)``
with ``y ~ Poisson(b * x)``). As in the forward runs (``lowering.make_forward``), each call
counts, per draw, the units that break each check of ``plan.plan_checks`` and the host
raises a DocalcInterventionError (``plan.raise_violations``), so the live numbers exist
exactly when ``Fit.effect`` gives them. The fixed baseline's checks are run once, when
the function is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from docalc.compiler.plan.slider_shortcuts import (
    cancels,
    check_names,
    check_steps,
    delta_of,
    recompute,
    relevant,
)
from docalc.compiler.run.jax_setup import ensure_jax
from docalc.dsl import ast
from docalc.dsl.distributions import DISTRIBUTIONS
from docalc.dsl.errors import interventions
from docalc.dsl.ir import CheckedModel

# template values by support: non-negative so the literal is a bare number (a negative
# one would parse as unary minus around the literal), and inside the support so the
# template intervention passes the usual checks
_TEMPLATE = {"positive": 1.0, "unit": 0.5, "interval": 0.5}


class EffectFunction:
    """The effect of ``do(controls = values)`` against a fixed baseline, as a function.

    Build it with :func:`effect_function`. Calling it evaluates the per-unit and average
    effect for new control values with one compiled function; the posterior draws, data
    and noise stay on the device between calls.

    Attributes
    ----------
    outcome : str
        The outcome node.
    controls : tuple of str
        The intervened nodes, in the order given.
    n_draws : int
        Posterior draws (chains flattened).
    units : int or None
        The outcome's plate size; None for a global outcome.
    supports : dict
        Each control's support constraint (a key of ``docalc.dsl.distributions.CONSTRAINTS``).
    checks : tuple of docalc.compiler.plan.run_plan.Check
        What each call checks (``plan.plan_checks`` of the intervened scenario; the same
        for every value).

    """

    def __init__(self, source: Any, outcome: str, controls: Sequence[str],
                 baseline: Any = None, *, seed: int = 0,
                 initial: Mapping[str, float] | None = None, data: Any = None) -> None:
        ensure_jax()
        import jax
        import jax.numpy as jnp

        from docalc.compiler.lower import dists
        from docalc.compiler.lower.expr import literal_slots
        from docalc.compiler.lower.step_eval import CompiledPlan
        from docalc.compiler.plan.run_plan import intervention_exprs
        from docalc.compiler.results.draws import Draws
        from docalc.compiler.run import posterior_runs as scenarios
        from docalc.compiler.run.batched_forward import draw_keys
        from docalc.compiler.run.simulation import literal_params
        from docalc.compiler.run.slider_kernels import kernels

        if not isinstance(source, Draws):  # Fit.draws, not the Fit: nothing here reads a Fit
            raise TypeError(f"expected Draws, got {type(source).__name__}")
        fit = source
        controls = list(controls)
        check_names(fit.checked, outcome, controls)
        self.outcome = outcome
        self.controls = tuple(controls)
        checked0: CheckedModel = fit.checked
        self.supports = {c: _support(checked0, c) for c in controls}
        template = {c: float((initial or {}).get(c, _TEMPLATE.get(self.supports[c], 0.0)))
                    for c in controls}
        template = {c: v if v >= 0 else _TEMPLATE.get(self.supports[c], 0.0)
                    for c, v in template.items()}
        a = scenarios.scenario(fit, template, data, [outcome], targets=[outcome])
        b = scenarios.scenario(fit, baseline, data, [outcome],
                               targets=[outcome, *recompute(checked0, outcome, controls)])
        self.n_draws = a.n_draws
        self.chains = a.chains
        node = a.checked.node(outcome)
        self.units = a.plan.size[node.plate] if node.plate else None
        self._plan_a, self._plan_b = a.plan, b.plan

        # which slot of the parameter vector each control's value goes to
        slots = literal_slots(intervention_exprs(a.plan))
        self._slot: dict[str, int] = {}
        for st in a.plan.steps:
            iv = st.intervention
            if iv is not None and iv.name in controls:
                if not isinstance(iv.expr, ast.Num):  # the template rules this out
                    raise AssertionError(f"template intervention on {iv.name} is not a number")
                self._slot[iv.name] = slots[id(iv.expr)]
        self._params_a = literal_params(a.checked, a.plan)
        params_b = literal_params(b.checked, b.plan)

        ca, cb = CompiledPlan(a.plan), CompiledPlan(b.plan)
        # the checks do not depend on the values (value_checks.Check), so the ones found
        # for the template serve every call
        self.checks = ca.checks
        steps_a = relevant(a.plan, a.checked, outcome)
        steps_b = relevant(b.plan, b.checked, outcome)
        # Fit.effect checks every step of its plan, and a plan may keep a node the outcome
        # does not read (a hard intervention computable from what is kept); such nodes (and
        # what their checks read) are run for their counts only: XLA drops unused draws
        tail_a = check_steps(a.plan, a.checked, ca.checks, steps_a)
        tail_b = check_steps(b.plan, b.checked, cb.checks, steps_b)
        st_a, st_b = steps_a[-1], steps_b[-1]
        shortcut = cancels(st_a, st_b, {s.name: s.mode for s in a.plan.steps},
                            {s.name: s.mode for s in b.plan.steps})
        self.noise_cancels = shortcut
        delta = None
        if shortcut or (st_a.mode == "det" and st_b.mode == "det"):
            modes_a = {s.name: s.mode for s in a.plan.steps}
            modes_b = {s.name: s.mode for s in b.plan.steps}
            changed = {n for n in modes_a if modes_a[n] not in ("given", "data")
                       or modes_b.get(n) not in ("given", "data")}
            dets = {n: a.checked.node(n).expr for n in modes_a
                    if modes_a[n] == "det" and modes_b.get(n) == "det"}
            top = dict(st_a.node.dist.args)["loc"] if shortcut else st_a.node.expr
            delta = delta_of(top, changed, dets) or (lambda ea, eb: 0.0)
        # the shortcuts skip the outcome's own step; its checks (and the checked nodes
        # below it) still need it
        finish_a = delta is not None and (
            bool(tail_a) or any(ch.node == outcome for ch in ca.checks))
        noisy = {s.index: s for s in (*steps_a, *steps_b)
                 if s.mode == "sample" and s.node.dist is not None
                 and dists.replayable(s.node.dist.name)
                 and not (shortcut and s.name == outcome)}
        read = {s.name for s in (*steps_a, *steps_b, *tail_a, *tail_b)
                if s.mode in ("given", "shift")}
        draws = {k: v for k, v in a.draws.items() if k in read}
        shapes = {i: ca.shape(s) for i, s in noisy.items()}
        n_checks = len(ca.checks)

        both, average_only, noise_of = kernels(
            ca, cb, steps_a, steps_b, tail_a, st_a, st_b, outcome, delta, finish_a, noisy,
            shapes, n_checks)
        self._both = jax.jit(both)
        self._average = jax.jit(average_only)

        dev = jax.devices()[0]
        keys = draw_keys(seed, self.n_draws)
        put = lambda tree: jax.device_put(tree, dev)  # noqa: E731 - one-line helper
        self._keys = put(keys)
        self._draws = put({k: np.asarray(v) for k, v in draws.items()})
        self._shared = put({k: np.asarray(v) for k, v in a.shared.items()})
        self._arrays_a = put({k: np.asarray(v) for k, v in a.arrays.items()})
        self._arrays_b = put({k: np.asarray(v) for k, v in b.arrays.items()})
        self._pb = put(jnp.asarray(params_b, dtype=jnp.float32))
        self._noise = jax.jit(noise_of)(self._keys) if noisy else {}
        self._dev = dev
        if cb.checks:
            self._check_baseline(cb, [*steps_b, *tail_b])
        self.values = dict(template)

    def _check_baseline(self, cb: Any, steps: list[Any]) -> None:
        """Raise if the fixed baseline breaks a check of its plan (once: it never changes).

        Raises
        ------
        DocalcInterventionError
            As ``Fit.effect`` would for this baseline, whatever the controls' values.

        """
        import jax

        from docalc.compiler.plan.value_checks import raise_violations
        from docalc.compiler.run.slider_kernels import baseline_checks

        run = baseline_checks(cb, steps)
        counts = jax.jit(run)(self._keys, self._draws, self._noise, self._shared, self._pb,
                              self._arrays_b)
        raise_violations(cb.checks, jax.device_get(counts))

    def params(self, values: Mapping[str, float]) -> np.ndarray:
        """Return the parameter vector for ``values`` (unset controls keep their last value).

        The last values are those of the last call that returned; a value refused by a
        check (see :meth:`__call__`) does not become one.

        Raises
        ------
        DocalcInterventionError
            An unknown control, or a non-finite value; a value that makes a parameter it
            reaches invalid is refused by the run's checks.

        """
        return self._merge(values)[0]

    def _merge(self, values: Mapping[str, float]) -> tuple[np.ndarray, dict[str, float]]:
        p = self._params_a.copy()
        merged = dict(self.values)
        for name, v in values.items():
            if name not in self._slot:
                from docalc.dsl.check.checker import suggest

                raise interventions.not_a_control(
                    None, name=name, controls=", ".join(self.controls),
                    suggestion=suggest(name, list(self.controls))).error()
            try:
                x = float(v)
            except (TypeError, ValueError):
                raise interventions.control_not_number(
                    None, name=name, got=type(v).__name__).error() from None
            merged[name] = x
        for name, x in merged.items():
            # a value outside the control's own support is allowed (do() replaces its
            # mechanism); the parameters it reaches are checked by the run, as Fit.effect does
            if not np.isfinite(x):
                raise interventions.do_not_finite(None, name=name, value=repr(x)).error()
            p[self._slot[name]] = x
        return p, merged

    def _run(self, fn: Callable[..., Any], values: Mapping[str, float]) -> tuple[Any, ...]:
        """Call a compiled function for ``values``; raise on the host if a check failed."""
        import jax

        from docalc.compiler.plan.value_checks import raise_violations

        p, merged = self._merge(values)
        pa = jax.device_put(p, self._dev)
        *out, counts = fn(self._keys, self._draws, self._noise, self._shared, pa, self._pb,
                          self._arrays_a, self._arrays_b)
        # every draw is real here (no padded batch), so all the counts are read
        raise_violations(self.checks, jax.device_get(counts))
        self.values = merged
        return tuple(out)

    def __call__(self, values: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(per_unit, average)`` effect draws for ``do(controls = values)``.

        Parameters
        ----------
        values : dict of str to float
            New values of (some of) the controls; the others keep their last value.

        Returns
        -------
        per_unit : numpy.ndarray
            Shape ``(draws, units)`` (``(draws,)`` for a global outcome, equal to
            ``average``): the outcome's draw under the intervention minus under the
            baseline, per posterior draw and unit.
        average : numpy.ndarray
            Shape ``(draws,)``: the difference of the outcome's mechanism means (where
            finite, see ``compiler.lower.means``) averaged over units, as ``Fit.effect``'s
            ``<outcome>_mean``; not the mean of ``per_unit``, which has the outcome's
            sampling noise.

        Raises
        ------
        DocalcInterventionError
            A value outside a control's support, or one that makes a parameter of some
            distribution invalid for some unit of some draw (as ``Fit.effect`` refuses it).

        """
        d, m = self._run(self._both, values)
        return np.asarray(d), np.asarray(m)

    def average(self, values: Mapping[str, float]) -> np.ndarray:
        """Return only the average effect, shape ``(draws,)`` (skips the per-unit array).

        Raises
        ------
        DocalcInterventionError
            As :meth:`__call__`.

        """
        return np.asarray(self._run(self._average, values)[0])

    def average_device(self, values: Mapping[str, float]) -> Any:
        """Like :meth:`average`, leaving the result on the device (for timing).

        The checks' counts are still fetched (they are small), so a refused value raises
        here too and a timing includes what the explorer pays for the checks.
        """
        return self._run(self._average, values)[0]


def effect_function(source: Any, outcome: str, controls: Sequence[str],
                    baseline: Any = None, *, seed: int = 0,
                    initial: Mapping[str, float] | None = None,
                    data: Any = None) -> EffectFunction:
    """Compile the effect of ``do(controls = values)`` on ``outcome`` as a function of values.

    Parameters
    ----------
    source : Draws
        Posterior (or prior) draws, e.g. ``fit.draws``; they are held on the device.
    outcome : str
        The node whose change is measured.
    controls : list of str
        Nodes to intervene on (unit-level, global parameters, or data inputs).
    baseline : dict or str, optional
        The comparison scenario, fixed; default the factual model (no intervention).
    seed : int
        Seeds the per-draw keys, shared by both scenarios (common random numbers). The
        same seed as ``Fit.effect`` gives the same noise.
    initial : dict, optional
        Starting values of the controls (non-negative ones also serve as the template).
    data : DataFrame, optional
        New units; default the fitted data.

    Returns
    -------
    EffectFunction
        ``f(values) -> (per_unit, average)``; ``f.average(values)`` for the average alone.

    Raises
    ------
    DocalcInterventionError
        Unknown names (with a suggestion), no controls, or the outcome among the controls.

    """
    return EffectFunction(source, outcome, controls, baseline, seed=seed, initial=initial,
                          data=data)


def _support(checked: CheckedModel, name: str) -> str:
    node = checked.node(name)
    if node.dist is None:
        return "real"  # a deterministic node or a data input takes any number
    return DISTRIBUTIONS[node.dist.name].support


__all__ = ["EffectFunction", "effect_function"]
