"""Results as ``xarray.DataTree`` in ArviZ's layout: (chain, draw, plate...) per variable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from docalc.dsl.ir import CheckedModel


def _dims(model: CheckedModel, name: str, value: np.ndarray, lead: int,
          given: list[str] | None = None) -> list[str]:
    extra = value.ndim - lead
    if given is not None:
        dims = list(given[:extra])
    else:
        try:
            plate = model.node(name).plate
        except KeyError:
            plate = None
        dims = [plate] if plate and extra >= 1 else []
    dims += [f"{name}_dim_{k}" for k in range(extra - len(dims))]
    return dims


def dataset(model: CheckedModel, values: Mapping[str, np.ndarray], coords: Mapping[str, Any],
            *, lead: tuple[str, ...] = ("chain", "draw"),
            dims: Mapping[str, list[str]] | None = None) -> xr.Dataset:
    """Build a Dataset from arrays whose leading axes are ``lead`` (e.g. chain, draw).

    A variable's other axes are named after its node's plate, or by ``dims`` (for
    variables that are no node, such as a factor site of the log-likelihood).
    """
    data_vars = {}
    used: dict[str, Any] = {}
    for name, v in values.items():
        v = np.asarray(v)
        dims_ = _dims(model, name, v, len(lead), (dims or {}).get(name))
        for d, size in zip(dims_, v.shape[len(lead):], strict=True):
            c = coords.get(d)
            used[d] = np.asarray(c) if c is not None and len(c) == size else np.arange(size)
        data_vars[name] = ([*lead, *dims_], v)
    for d, size in zip(lead, next(iter(values.values())).shape if values else (), strict=False):
        used[d] = np.arange(size)
    return xr.Dataset(data_vars, coords=used)


def tree(groups: Mapping[str, xr.Dataset], attrs: Mapping[str, Any] | None = None) -> xr.DataTree:
    """Assemble groups into a DataTree with docalc's attributes."""
    dt = xr.DataTree.from_dict(dict(groups))
    dt.attrs.update({"inference_library": "docalc", **(attrs or {})})
    return dt


def split_chains(values: Mapping[str, np.ndarray], chains: int) -> dict[str, np.ndarray]:
    """Reshape a flat draw axis into (chain, draw)."""
    return {k: v.reshape(chains, -1, *v.shape[1:]) for k, v in values.items()}


def flatten_draws(ds: xr.Dataset, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """Return variables with (chain, draw) merged into one leading axis."""
    out = {}
    for k, v in ds.data_vars.items():
        if names is not None and k not in names:
            continue
        a = v.transpose("chain", "draw", ...).to_numpy()
        out[str(k)] = a.reshape(-1, *a.shape[2:])
    return out
