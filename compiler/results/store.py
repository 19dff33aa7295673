"""Per-unit results written batch by batch to a chunked Zarr store, read back lazily.

A run over unit batches (:mod:`docalc.compiler.run.unit_batches`) hands each batch's values
to :class:`ZarrStore`, which appends them along the plate (one chunk per batch), so what
is held at once is one batch; :meth:`ZarrStore.finish` writes the groups that are small
(the average effect, its summary) and opens the store as a lazy DataTree in ArviZ's
layout. Zarr is the ``docalc[scale]`` extra.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from docalc.compiler.results.trees import dataset, split_chains
from docalc.dsl.ir import CheckedModel


def require_zarr(feature: str = "store= (a Zarr store)") -> None:
    """Raise the clear missing-extra error (``docalc[scale]``) when Zarr is not installed."""
    try:
        import zarr  # noqa: F401
    except ModuleNotFoundError as exc:
        from docalc.dsl.errors import missing_extra

        raise missing_extra("scale", exc.name, feature) from None


class ZarrStore:
    """Where a run's per-unit values go: group ``group`` of the Zarr store at ``path``."""

    def __init__(self, path: str | Path, group: str, checked: CheckedModel,
                 coords: Mapping[str, Any], chains: int, plate: str | None) -> None:
        require_zarr()
        self.path, self.group, self.checked = str(path), group, checked
        self.coords, self.chains, self.plate = coords, chains, plate
        self._started = False

    def write(self, start: int, stop: int, values: Mapping[str, np.ndarray]) -> None:
        """Append one batch's values (flat leading draw axis, then its units)."""
        with _writing(self.path):
            self._write(start, stop, values)

    def _write(self, start: int, stop: int, values: Mapping[str, np.ndarray]) -> None:
        coords = dict(self.coords)
        if self.plate is not None:
            labels = coords.get(self.plate)
            coords[self.plate] = np.asarray(labels)[start:stop] \
                if labels is not None and len(labels) >= stop else np.arange(start, stop)
        ds = dataset(self.checked, split_chains(dict(values), self.chains), coords)
        if not self._started:
            # one chunk per batch along the units, whole along chains and draws
            enc = {k: {"chunks": ds[k].shape} for k in ds.data_vars}
            ds.to_zarr(self.path, group=self.group, mode="w", encoding=enc,
                       consolidated=False)
            self._started = True
            return
        per_unit = [k for k in ds.data_vars if self.plate in ds[k].dims]
        if not per_unit:
            return  # only global nodes kept: the first batch wrote them
        ds[per_unit].to_zarr(self.path, group=self.group, append_dim=self.plate,
                             consolidated=False)

    def finish(self, groups: Mapping[str, xr.Dataset] | None = None,
               attrs: Mapping[str, Any] | None = None) -> xr.DataTree:
        """Write the small groups and the root's attributes; open the store lazily."""
        with _writing(self.path):
            for name, ds in (groups or {}).items():
                ds.to_zarr(self.path, group=name, mode="w" if not self._started else "a",
                           consolidated=False)
                self._started = True
            xr.Dataset(attrs={"inference_library": "docalc", **(attrs or {})}).to_zarr(
                self.path, mode="a", consolidated=False)
        return xr.open_datatree(self.path, engine="zarr", consolidated=False)


@contextlib.contextmanager
def _writing(path: str) -> Iterator[None]:
    """Turn the system's refusal to write the store into E016, naming the store."""
    try:
        yield
    except OSError as exc:
        from docalc.dsl.errors import files

        raise files.cannot_write(files.at_file(path),
                                 why=exc.strerror or str(exc)).error() from None
