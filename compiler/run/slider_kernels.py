"""The traced functions of the live slider path: noise drawn once, effects replayed from it.

:mod:`docalc.compiler.run.slider_effect` plans the two scenarios and decides the shortcuts;
this module holds what it jits. Every step is made by the one step evaluator with the
``Replayed`` strategy (the standard noise of a replayable node, drawn once per draw and
pushed through its mechanism on each call), so the live numbers are the forward runs'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from docalc.compiler.run.inference import count_trace


def kernels(ca: Any, cb: Any, steps_a: list[Any], steps_b: list[Any], tail_a: list[Any],
            st_a: Any, st_b: Any, outcome: str, delta: Callable[..., Any] | None,
            finish_a: bool, noisy: dict[int, Any], shapes: dict[int, tuple[int, ...]],
            n_checks: int) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """Return ``(both, average_only, noise_of)``, the functions the live path jits.

    ``both(keys, draws, noise, shared, pa, pb, arrays_a, arrays_b)`` gives the per-unit
    effect (of the outcome's draws), the average effect (of its mechanism means where
    finite, averaged over units: ``Fit.effect``'s) and the check counts of scenario ``a``
    (the one whose values move); ``average_only`` skips the per-unit array;
    ``noise_of(keys)`` draws each replayable node's standard noise once per draw.
    ``delta`` (the difference of the outcome's locations, when its noise cancels) replaces
    the outcome's own step, which then runs only when ``finish_a`` says its checks need it.
    """
    import jax
    import jax.numpy as jnp

    from docalc.compiler.lower import streams
    from docalc.compiler.lower.step_eval import fit_shape

    def noise_of(keys: Any) -> Any:
        count_trace("live-noise")

        def one(key: Any) -> Any:
            return {str(i): streams.standard(_standard(s.node.dist.name),
                                             streams.node_keys(key, i, shapes[i]), shapes[i])
                    for i, s in noisy.items()}

        return jax.vmap(one)(keys)

    def scenario_env(c: Any, steps: list[Any], key: Any, given: Any, params: Any,
                     arrays: Any, noise: Any,
                     counts: dict[int, Any] | None = None) -> dict[str, Any]:
        env: dict[str, Any] = {}
        for st in steps[:-1]:
            env[st.name] = step(c, st, key, env, given, params, arrays, noise, counts)
        return env

    def per_unit(keys: Any, draws: Any, noise: Any, shared: Any, pa: Any, pb: Any,
                 arrays_a: Any, arrays_b: Any) -> Any:
        def one(key: Any, draw: Any, nz: Any) -> Any:
            given = {**shared, **draw}
            counts: dict[int, Any] = {}
            ea = scenario_env(ca, steps_a, key, given, pa, arrays_a, nz, counts)
            # the baseline is fixed: its checks ran once, when the function was built
            eb = scenario_env(cb, steps_b, key, given, pb, arrays_b, nz)
            shape = ca.shape(st_a)
            if delta is not None:
                # the noise cancels (a location family with the same spread) or the outcome
                # is deterministic: the draws' difference is the means' difference
                d = m = fit_shape(delta(ea, eb), shape)
                if finish_a:
                    ea[outcome] = step(ca, st_a, key, ea, given, pa, arrays_a, nz, counts)
            else:
                ma: dict[str, Any] = {}
                mb: dict[str, Any] = {}
                ya = ea[outcome] = step(ca, st_a, key, ea, given, pa, arrays_a, nz, counts,
                                        ma)
                yb = step(cb, st_b, key, eb, given, pb, arrays_b, nz, None, mb)
                d = fit_shape(ya, shape) - fit_shape(yb, shape)
                # the average effect is of the outcome's mechanism means (Fit.effect's)
                m = fit_shape(ma.get(outcome, ya), shape) - fit_shape(mb.get(outcome, yb),
                                                                      shape)
            for st in tail_a:
                ea[st.name] = step(ca, st, key, ea, given, pa, arrays_a, nz, counts)
            return d, m, tuple(counts.get(k, jnp.int32(0)) for k in range(n_checks))

        return jax.vmap(one)(keys, draws, noise)

    def both(*args: Any) -> Any:
        count_trace("live")
        d, m, counts = per_unit(*args)
        m = average(m.astype(jnp.float32))
        # a global outcome has no units: its effect is the average (as in Fit.effect)
        d = m if d.ndim == 1 else d.astype(jnp.float32)
        return d, m, counts

    def average_only(*args: Any) -> Any:
        count_trace("live")
        _, m, counts = per_unit(*args)
        return average(m.astype(jnp.float32)), counts

    return both, average_only, noise_of


def baseline_checks(cb: Any, steps: list[Any]) -> Callable[..., Any]:
    """Return ``run(keys, draws, noise, shared, pb, arrays)``: the fixed baseline's counts.

    The baseline never changes, so its checks run once, when the live function is built.
    """
    import jax
    import jax.numpy as jnp

    def run(keys: Any, draws: Any, noise: Any, shared: Any, pb: Any, arrays: Any) -> Any:
        count_trace("live-check")

        def one(key: Any, draw: Any, nz: Any) -> Any:
            given = {**shared, **draw}
            env: dict[str, Any] = {}
            counts: dict[int, Any] = {}
            for st in steps:
                env[st.name] = step(cb, st, key, env, given, pb, arrays, nz, counts)
            return tuple(counts.get(k, jnp.int32(0)) for k in range(len(cb.checks)))

        return jax.vmap(one)(keys, draws, noise)

    return run


def average(d: Any) -> Any:
    """Average a per-unit effect over its units (a global outcome has none)."""
    return d.mean(axis=-1) if d.ndim > 1 else d


def _standard(family: str) -> Callable[[Any, tuple[int, ...]], Any]:
    from docalc.compiler.lower.dists import NOISE

    draw = NOISE[family].draw
    assert draw is not None  # only replayable families have noise drawn once
    return draw


def step(c: Any, st: Any, key: Any, env: dict[str, Any], given: Any, params: Any,
         arrays: Any, noise: Any, counts: dict[int, Any] | None = None,
         means: dict[str, Any] | None = None) -> Any:
    """Evaluate one step with the noise replayed, counting its checks (None: unchecked).

    With ``means``, the step's mechanism mean is put there too when it is drawn (see
    ``step_eval.Fresh``).
    """
    from docalc.compiler.lower.step_eval import Replayed, evaluate, fit_shape

    how = Replayed(c, key, given, params, arrays, noise, counts,
                   () if means is None else (st.name,))
    value = fit_shape(evaluate(st, env, how), c.shape(st))
    if means is not None:
        means.update(how.means)
    return value
