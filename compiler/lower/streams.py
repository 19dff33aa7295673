"""Where a forward run's random numbers come from: one stream per node, and per unit.

A node's stream is ``fold_in(key, node index)`` of the draw's key; a node on a plate draws
each unit from ``fold_in(node stream, global unit index)``. A unit's numbers therefore do
not depend on how many units a run holds or where its batch starts: cutting new data into
unit batches (:mod:`docalc.compiler.run.unit_batches`), over devices or workers, gives
bitwise the same per-unit draws as one run over every unit. The live path draws its
standard noise from the same per-unit streams, so replayed values equal fresh ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp

from docalc.compiler.lower import dists

#: The key of ``given`` that holds, for a plate, the global index of a run's first unit.
OFFSET_KEY = "__offset__/{}"


def offset(given: Mapping[str, Any], plate: str | None) -> Any:
    """Return the global index of the run's first unit of ``plate`` (0 when not batched)."""
    if plate is None:
        return 0
    return given.get(OFFSET_KEY.format(plate), 0)


def node_keys(key: Any, index: int, shape: tuple[int, ...], start: Any = 0) -> Any:
    """Return a node's key (a global node) or its units' keys (shape ``(units, 2)``)."""
    node = jax.random.fold_in(key, index)
    if not shape:
        return node
    units = jnp.asarray(start, dtype=jnp.uint32) + jnp.arange(shape[0], dtype=jnp.uint32)
    return jax.vmap(lambda u: jax.random.fold_in(node, u))(units)


def sample(dist: str, args: Mapping[str, Any], keys: Any, shape: tuple[int, ...]) -> Any:
    """Draw from family ``dist`` with parameters ``args``: one draw per key of ``keys``.

    ``shape`` is the node's (``()`` or ``(units,)``); for a plate node each parameter is
    broadcast to the units (beside its own event axes: Categorical's probabilities) and
    each unit drawn with its own key.
    """
    d = dists.make(dist, args)
    if not shape:
        batch = jnp.broadcast_shapes(d.batch_shape, shape)
        return d.expand(batch).sample(keys) if batch != d.batch_shape else d.sample(keys)
    cons = d.arg_constraints
    units = {}
    for name, value in args.items():
        v = jnp.asarray(value)
        event = getattr(cons.get(name), "event_dim", 0)
        units[name] = jnp.broadcast_to(v, shape + v.shape[v.ndim - event:] if event else shape)
    return jax.vmap(lambda k, a: dists.make(dist, a).sample(k))(keys, units)


def standard(draw: Callable[[Any, tuple[int, ...]], Any], keys: Any,
             shape: tuple[int, ...]) -> Any:
    """Return the standard noise ``draw`` makes from ``keys`` (see :func:`node_keys`)."""
    if not shape:
        return draw(keys, ())
    return jax.vmap(lambda k: draw(k, ()))(keys)
