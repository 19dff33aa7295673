"""JAX set-up done once, before JAX is first imported: host devices and the compile cache.

Kept out of ``import docalc`` so that start-up stays light; every compiler module that
needs JAX calls :func:`ensure_jax` first.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from docalc.dsl.cache import cache_root


def cache_dir() -> Path | None:
    """Return JAX's persistent compilation cache folder, or None if caching is off.

    It is ``jax`` in docalc's cache folder (see :func:`docalc.dsl.cache.cache_root`).
    """
    root = cache_root()
    return None if root is None else root / "jax"


def request_host_devices() -> None:
    """Ask XLA for one host device per CPU core, if JAX has not started yet.

    Chains then run in parallel on the cores. Called when ``docalc.compiler`` is first
    imported, before any of its modules imports JAX; a user's own XLA_FLAGS win.
    """
    if "jax" in sys.modules:
        return
    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        n = max(os.cpu_count() or 1, 1)
        os.environ["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count={n}".strip()


@cache
def ensure_jax() -> None:
    """Configure JAX for docalc: several host devices, the persistent compile cache."""
    request_host_devices()
    import jax

    folder = cache_dir()
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            jax.config.update("jax_compilation_cache_dir", str(folder))
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        except OSError:
            pass  # an unwritable cache folder only costs speed
