"""Compiled samplers saved with ``jax.export``, keyed on the model's structure.

A refit of an unchanged model structure in a fresh process then skips Python tracing of
the whole NUTS loop: the serialized StableHLO is loaded and (with JAX's persistent cache)
its compiled executable too. Anything that cannot be exported runs as a plain jit.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax

from .runtime import cache_dir


def _folder() -> Path | None:
    root = cache_dir()
    return None if root is None else root.parent / "exported"


def _path(key: str) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    import numpyro

    stamp = f"{key}\njax {jax.__version__} numpyro {numpyro.__version__} " \
            f"devices {jax.local_device_count()} {jax.default_backend()}"
    return folder / (hashlib.sha256(stamp.encode()).hexdigest()[:32] + ".jaxexport")


def load_or_export(key: str, build: Callable[[], Callable[..., Any]],
                   args: tuple[Any, ...]) -> Callable[..., Any]:
    """Return a jitted callable for ``key``: from disk if exported before, else built,
    exported for next time, and run from the export (so it is traced only once).
    """
    path = _path(key)
    if path is not None and path.exists():
        try:
            exp = jax.export.deserialize(bytearray(path.read_bytes()))
            return jax.jit(exp.call)
        except Exception:  # noqa: BLE001 - a stale or foreign file only costs a rebuild
            path.unlink(missing_ok=True)
    fn = build()
    if path is None:
        return fn
    try:
        exp = jax.export.export(fn)(*args)
        blob = exp.serialize()
    except Exception as exc:  # noqa: BLE001 - e.g. host callbacks cannot be exported
        warnings.warn(f"docalc: sampler not exported ({type(exc).__name__})", RuntimeWarning,
                      stacklevel=2) if os.environ.get("DOCALC_DEBUG") else None
        return fn
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(path)
    except OSError:
        pass
    return jax.jit(exp.call)
