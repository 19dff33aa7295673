"""Compiled samplers saved with ``jax.export``, keyed on the model's structure.

A refit of an unchanged model structure in a fresh process then skips Python tracing of
the whole NUTS loop: the serialized StableHLO is loaded and (with JAX's persistent cache)
its compiled executable too. Anything that cannot be exported runs as a plain jit.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jax

from docalc.dsl.cache import cache_root

FORMAT = "docalc-export-6"  # the layout of the file itself; the code is keyed separately

def fingerprint(folders: Iterable[Path]) -> str:
    """Return a hash of the Python and grammar sources in ``folders`` (names and bytes)."""
    h = hashlib.sha256()
    for folder in folders:
        for f in sorted([*folder.rglob("*.py"), *folder.rglob("*.lark")]):
            h.update(f"{f.relative_to(folder).as_posix()}\0".encode())
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


@cache
def code_stamp() -> str:
    """Return what exported programs are keyed on besides the model: docalc and its code.

    The package version and a hash of the sources that lower a model, so that an upgrade
    or an edit of the lowering never runs a program exported by other code.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("docalc")
    except PackageNotFoundError:  # run from a source tree that was never installed
        ours = "unknown"
    import docalc.dsl

    # what an exported program is made from: the front end (the IR it is lowered from)
    # and the compiler (the lowering); a change of either is a different program
    folders = (Path(docalc.dsl.__file__).parent, Path(__file__).parents[1])
    return f"docalc {ours} code {fingerprint(folders)}"


def _folder() -> Path | None:
    root = cache_root()
    return None if root is None else root / "exported"


def _path(key: str) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    from importlib.metadata import version

    stamp = f"{FORMAT}\n{code_stamp()}\n{key}\njax {jax.__version__} " \
            f"numpyro {version('numpyro')} devices {jax.local_device_count()} " \
            f"{jax.default_backend()}"
    return folder / (hashlib.sha256(stamp.encode()).hexdigest()[:32] + ".jaxexport")


def load_or_export(key: str, build: Callable[[], Callable[..., Any]],
                   args: tuple[Any, ...]) -> Callable[..., Any]:
    """Return a jitted callable for ``key``.

    From disk if exported before; else built, exported for next time, and run from the
    export (so it is traced only once).
    """
    path = _path(key)
    if path is not None and path.exists():
        try:
            loaded = _callable(jax.export.deserialize(bytearray(path.read_bytes())))
        except Exception:
            path.unlink(missing_ok=True)
        else:
            return _guarded(loaded, path, lambda: _fresh(path, build, args))
    return _fresh(path, build, args)


def _guarded(loaded: Callable[..., Any], path: Path,
             rebuild: Callable[[], Callable[..., Any]]) -> Callable[..., Any]:
    """Call a loaded export; if it cannot run here, drop the file and build anew."""
    state: dict[str, Callable[..., Any]] = {}

    def call(*a: Any) -> Any:
        fn = state.get("fn")
        if fn is not None:
            return fn(*a)
        try:
            out = loaded(*a)
        except Exception:
            path.unlink(missing_ok=True)
            state["fn"] = rebuild()
            return state["fn"](*a)
        state["fn"] = loaded
        return out

    return call


def _fresh(path: Path | None, build: Callable[[], Callable[..., Any]],
           args: tuple[Any, ...]) -> Callable[..., Any]:
    fn = build()
    if path is None:
        return fn
    try:
        exp = jax.export.export(fn)(*args)  # type: ignore[arg-type]
        blob = exp.serialize()
    except Exception:
        return fn
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        tmp.replace(path)
    except OSError:
        pass
    return _callable(exp)


def _callable(exp: Any) -> Callable[..., Any]:
    """Jit an exported function; a multi-device one is placed on a mesh of as many devices."""
    if exp.nr_devices <= 1:
        return jax.jit(exp.call)
    from jax.sharding import Mesh

    if jax.local_device_count() < exp.nr_devices:
        raise ValueError(f"exported for {exp.nr_devices} devices")
    mesh = Mesh(jax.devices()[: exp.nr_devices], ("chain",))
    # shardings come flat, one per leaf; jit wants them shaped like (args, kwargs)
    args_sh, _ = jax.tree_util.tree_unflatten(exp.in_tree, exp.in_shardings_jax(mesh))
    out_sh = jax.tree_util.tree_unflatten(exp.out_tree, exp.out_shardings_jax(mesh))
    return jax.jit(exp.call, in_shardings=args_sh, out_shardings=out_sh)
