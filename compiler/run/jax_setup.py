"""JAX set-up for docalc: host devices and the persistent compilation cache.

Nothing happens on ``import docalc`` or ``import docalc.compiler``. docalc's settings are
applied when docalc first needs JAX (:func:`ensure_jax`, called before its first
compilation), and only where the user set nothing:

- host devices: one XLA CPU device per core, so that NUTS chains run in parallel. Applied
  only while JAX's backend is not started yet (the count is fixed for the process once it
  is), and only if neither ``XLA_FLAGS`` (``--xla_force_host_platform_device_count``) nor
  ``jax.config.jax_num_cpu_devices`` (``JAX_NUM_CPU_DEVICES``) says otherwise.
- persistent compilation cache: ``jax`` in docalc's cache folder (``DOCALC_CACHE_DIR``,
  default ``~/.cache/docalc``), with zero size and time thresholds, so that a refit in a
  fresh process finds every program it needs. Applied only if
  ``jax.config.jax_compilation_cache_dir`` is unset (``JAX_COMPILATION_CACHE_DIR``).

Both are process-wide JAX settings: they apply to the user's own JAX code too.
:func:`configure_jax` (``docalc.configure_jax``) sets them explicitly, and
``DOCALC_JAX_DEVICES`` / ``DOCALC_JAX_CACHE=0`` change the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docalc.dsl.cache import cache_root

_DEVICE_FLAG = "xla_force_host_platform_device_count"


@dataclass
class _State:
    done: bool = False


_STATE = _State()


def cache_dir() -> Path | None:
    """Return the folder docalc gives JAX's persistent compilation cache, or None if off.

    It is ``jax`` in docalc's cache folder (see :func:`docalc.dsl.cache.cache_root`);
    ``DOCALC_JAX_CACHE=0`` turns this cache off alone.
    """
    if os.environ.get("DOCALC_JAX_CACHE", "").strip() == "0":
        return None
    root = cache_root()
    return None if root is None else root / "jax"


def _default_devices() -> int:
    wanted = os.environ.get("DOCALC_JAX_DEVICES", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(os.cpu_count() or 1, 1)


def _backend_started() -> bool:
    """Whether JAX has created its devices (after which their count is fixed)."""
    from jax._src import xla_bridge

    started = getattr(xla_bridge, "backends_are_initialized", None)
    return bool(started()) if started is not None else bool(xla_bridge._backends)


def _user_set_devices(jax: Any) -> bool:
    if _DEVICE_FLAG in os.environ.get("XLA_FLAGS", ""):
        return True
    if os.environ.get("JAX_NUM_CPU_DEVICES"):
        return True
    return int(getattr(jax.config, "jax_num_cpu_devices", -1)) > 0


def _user_set_cache(jax: Any) -> bool:
    return bool(os.environ.get("JAX_COMPILATION_CACHE_DIR")) \
        or bool(getattr(jax.config, "jax_compilation_cache_dir", None))


def configure_jax(host_devices: int | None = None, cache: str | Path | bool | None = None,
                  ) -> dict[str, Any]:
    """Apply docalc's JAX settings now; return what JAX is set to afterwards.

    Called by docalc before its first compilation with no arguments, which applies only
    the defaults the user left unset. Call it yourself, before any JAX computation, to
    choose. Both settings are global to the process (they affect your own JAX code too).

    Parameters
    ----------
    host_devices : int, optional
        XLA CPU devices to create (NUTS chains are split over them). Default: one per CPU
        core (``DOCALC_JAX_DEVICES`` overrides), unless set through ``XLA_FLAGS`` or
        ``jax_num_cpu_devices``. Only possible before JAX's backend starts: given
        explicitly after that, it raises.
    cache : str, Path or bool, optional
        JAX's persistent compilation cache folder; True for docalc's
        (``<DOCALC_CACHE_DIR>/jax``), False to leave JAX's cache setting alone. Default:
        docalc's folder unless ``jax_compilation_cache_dir`` is already set.

    Returns
    -------
    dict
        ``host_devices`` (the count JAX will use, or None if its backend started before
        and was left alone) and ``cache`` (the cache folder, or None).

    Raises
    ------
    RuntimeError
        ``host_devices`` given after JAX's backend has started.
    """
    import jax

    started = _backend_started()
    devices: int | None = None
    if host_devices is not None:
        if started:
            raise RuntimeError("JAX has already started its devices; call "
                               "docalc.configure_jax(host_devices=...) before any JAX "
                               "computation (or set XLA_FLAGS before starting Python)")
        devices = int(host_devices)
        jax.config.update("jax_num_cpu_devices", devices)
    elif not started and not _user_set_devices(jax):
        devices = _default_devices()
        jax.config.update("jax_num_cpu_devices", devices)

    folder: Path | None = None
    if cache is None:
        folder = None if _user_set_cache(jax) else cache_dir()
    elif cache is True:
        folder = cache_dir()
    elif cache is not False:
        folder = Path(cache)
    if folder is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            folder = None  # an unwritable cache folder only costs speed
        else:
            jax.config.update("jax_compilation_cache_dir", str(folder))
            # docalc's programs are many and small; a refit needs every one of them
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    _STATE.done = True
    current = getattr(jax.config, "jax_compilation_cache_dir", None)
    return {"host_devices": devices, "cache": Path(current) if current else None}


def ensure_jax() -> None:
    """Apply docalc's default JAX settings once, before docalc's first compilation."""
    if not _STATE.done:
        configure_jax()
