"""JAX set-up: nothing on import; docalc's defaults at its first compilation; users win."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest


def run(code: str, **env: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    full = {k: v for k, v in os.environ.items()
            if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES", "JAX_COMPILATION_CACHE_DIR")}
    full.update(env)
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full,
                         capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


STATE = """
import json, os
import jax
def state():
    return {"flags": os.environ.get("XLA_FLAGS"),
            "devices": int(jax.config.jax_num_cpu_devices),
            "cache": jax.config.jax_compilation_cache_dir,
            "min_time": jax.config.jax_persistent_cache_min_compile_time_secs}
"""


def test_import_changes_nothing(tmp_path: object) -> None:
    got = run(STATE + """
before = state()
import docalc, docalc.compiler
import docalc.compiler.run.jax_setup, docalc.compiler.run.inference
import docalc.compiler.run.slider_effect
from jax._src import xla_bridge
print(json.dumps({"same": state() == before, "started": bool(xla_bridge._backends)}))
""")
    assert got == {"same": True, "started": False}


def test_first_compilation_applies_the_defaults(tmp_path: object) -> None:
    got = run(STATE + """
import docalc as dc
dc.compile("x ~ Normal(0, 1)").simulate(seed=0)
s = state()
s["n"] = jax.local_device_count()
print(json.dumps(s))
""", DOCALC_CACHE_DIR=str(tmp_path), DOCALC_JAX_DEVICES="3")
    assert got["flags"] is None  # set through jax.config, not the environment
    assert got["devices"] == 3 and got["n"] == 3
    assert got["cache"] == os.path.join(str(tmp_path), "jax")
    assert got["min_time"] == 0.0


@pytest.mark.parametrize("how", ["flags", "config"])
def test_the_users_settings_win(tmp_path: object, how: str) -> None:
    env = {"DOCALC_CACHE_DIR": str(tmp_path)}
    pre = ""
    if how == "flags":
        env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    else:
        pre = ("jax.config.update('jax_num_cpu_devices', 2)\n"
               "jax.config.update('jax_compilation_cache_dir', '/tmp/mine')\n")
    got = run(STATE + pre + """
import docalc as dc
dc.compile("x ~ Normal(0, 1)").simulate(seed=0)
s = state()
s["n"] = jax.local_device_count()
print(json.dumps(s))
""", **env)
    assert got["n"] == 2
    if how == "config":
        assert got["cache"] == "/tmp/mine"
        assert got["min_time"] != 0.0


def test_a_started_backend_is_left_alone() -> None:
    got = run(STATE + """
import jax.numpy as jnp
jnp.zeros(1).block_until_ready()
import docalc as dc
dc.compile("x ~ Normal(0, 1)").simulate(seed=0)
print(json.dumps({"n": jax.local_device_count()}))
""", DOCALC_NO_CACHE="1")
    assert got == {"n": 1}


def test_configure_jax_explicitly(tmp_path: object) -> None:
    got = run(STATE + f"""
import docalc as dc
out = dc.configure_jax(host_devices=2, cache={str(tmp_path)!r})
dc.compile("x ~ Normal(0, 1)").simulate(seed=0)
late = None
try:
    dc.configure_jax(host_devices=4)
except RuntimeError as exc:
    late = str(exc)
print(json.dumps({{"n": jax.local_device_count(), "cache": str(out["cache"]),
                   "late": late}}))
""")
    assert got["n"] == 2 and got["cache"] == str(tmp_path)
    assert "before any JAX computation" in str(got["late"])
