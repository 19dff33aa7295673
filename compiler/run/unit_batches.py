"""Forward runs cut into batches of units, so memory is bounded by a batch, not by the data.

Each unit draws from its own random stream (:mod:`docalc.compiler.lower.streams`), so a
batch gives bitwise the units' values of one run over every unit: how the work is cut never
changes a per-unit draw. Every batch runs one compiled function (the plan for the batch's
size; the last batch is padded to it), each with the global index of its first unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from docalc.compiler.lower.streams import OFFSET_KEY
from docalc.compiler.plan.run_plan import Plan
from docalc.dsl import errors
from docalc.dsl.ir import CheckedModel

#: Values (draws x units x nodes kept) one batch's output may hold: 64 MB of float32.
BATCH_VALUES = 2**24
#: A batch's units are a multiple of this (the last batch, or a single one, padded): XLA's
#: CPU code rounds a fused multiply-add in a loop's vector body and its scalar tail
#: differently, so batches of one size, all without a tail, give the same bits.
LANES = 32


@dataclass(frozen=True)
class Cut:
    """How a run's units are cut: the plate cut, its units and the units per batch."""

    plate: str | None
    units: int
    batch: int

    @property
    def starts(self) -> range:
        """The first unit of each batch, in order."""
        return range(0, self.units, self.batch) if self.plate else range(0, 1)

    def stop(self, start: int) -> int:
        """One past the last unit of the batch that starts at ``start``."""
        return min(start + self.batch, self.units) if self.plate else self.units


def unit_plate(checked: CheckedModel, sizes: Mapping[str, int],
               missing: Mapping[str, Any]) -> str | None:
    """Return the one plate whose units a run may cut, or None.

    Units of a plate that some node indexes into (a group: schools) are shared by the
    units that point at them, and imputed cells are stored by position: neither is cut.
    """
    groups = {n.index_of for n in checked.nodes if n.index_of}
    plates = [p for p in sizes if p not in groups]
    if len(plates) != 1 or missing:
        return None
    return plates[0]


def choose(plate: str | None, sizes: Mapping[str, int], n_draws: int, kept: int,
           batch_size: Any) -> Cut:
    """Return the cut: ``batch_size`` units per batch, or as many as fill BATCH_VALUES.

    The batch is rounded up to a multiple of :data:`LANES` units.

    Raises
    ------
    DocalcInferenceError
        E934: ``batch_size`` is not a positive whole number.
    """
    if batch_size is not None and (isinstance(batch_size, bool) or
                                   not isinstance(batch_size, int | np.integer) or
                                   batch_size < 1):
        raise errors.runtime.not_whole(None, label="batch_size", value=batch_size,
                                       minimum=1).error()
    if plate is None:
        return Cut(None, 1, 1)
    units = int(sizes[plate])
    if batch_size is None:
        batch_size = max(1, BATCH_VALUES // max(1, n_draws * max(kept, 1)))
    b = max(1, min(units, int(batch_size)))
    return Cut(plate, units, -(-b // LANES) * LANES)


def batch_inputs(checked: CheckedModel, cut: Cut, start: int, shared: Mapping[str, Any],
                 draws: Mapping[str, Any], arrays: Mapping[str, Any], first: int = 0
                 ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return the batch's ``shared``, ``draws`` and ``arrays``, padded to ``cut.batch``.

    ``first`` is the global index of the run's first unit (a table read in row batches).

    A value of a node on the cut plate is sliced along its units (the draws' second axis);
    the padding repeats the last unit (its values are dropped by :func:`trim`).
    """
    stop = cut.stop(start)
    pad = cut.batch - (stop - start)

    def part(name: str, v: Any, axis: int) -> Any:
        if name not in checked.names or checked.node(name).plate != cut.plate:
            return v
        v = np.asarray(v)
        if v.ndim <= axis or v.shape[axis] != cut.units:
            return v  # one value for every unit (an array intervention of length 1)
        s = np.take(v, np.arange(start, stop), axis=axis)
        if pad:
            s = np.concatenate([s, np.repeat(np.take(s, [-1], axis=axis), pad, axis=axis)],
                               axis=axis)
        return s

    sh = {k: part(k, v, 0) for k, v in shared.items()}
    sh[OFFSET_KEY.format(cut.plate)] = np.uint32(first + start)
    return sh, {k: part(k, v, 1) for k, v in draws.items()}, \
        {k: part(k, v, 0) for k, v in arrays.items()}


def trim(checked: CheckedModel, cut: Cut, start: int,
         values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop the padding units from a batch's outputs (leading draw axis, then units)."""
    n = cut.stop(start) - start
    out = {}
    for k, v in values.items():
        node = _node_of(checked, k)
        on_plate = node is not None and checked.node(node).plate == cut.plate
        out[k] = v[:, :n] if on_plate and v.ndim >= 2 and n < cut.batch else v
    return out


def _node_of(checked: CheckedModel, key: str) -> str | None:
    """Return the node an output belongs to (a mechanism mean is stored beside its node)."""
    from docalc.compiler.lower.means import node_of

    name = node_of(key)
    return name if name in checked.names else None


def run_batches(checked: CheckedModel, cut: Cut, replan: Callable[[dict[str, int]], Plan],
                sizes: Mapping[str, int], shared: Mapping[str, Any],
                draws: Mapping[str, Any], arrays: Mapping[str, Any],
                run: Callable[..., dict[str, np.ndarray]], first: int = 0
                ) -> Iterator[tuple[int, int, dict[str, np.ndarray]]]:
    """Yield ``(start, stop, values)`` per batch, in order of units.

    ``run(plan, shared, draws, arrays)`` runs one batch (``batched_forward.forward``);
    ``first`` is the global index of the first unit.
    """
    if cut.plate is None:
        yield 0, cut.units, run(replan(dict(sizes)), shared, draws, arrays)
        return
    plan = replan({**sizes, cut.plate: cut.batch})
    for start in cut.starts:
        sh, dr, ar = batch_inputs(checked, cut, start, shared, draws, arrays, first)
        yield start, cut.stop(start), trim(checked, cut, start, run(plan, sh, dr, ar))
