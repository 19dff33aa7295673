"""Shared fixtures: the tutorial's linear model, its simulated data and one small fit.

The fit is session-scoped and small (2 chains x 300 + 300) so the compiler tests stay fast;
every test that reads it must not modify it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# The suite's own cache folder (JAX compilations, exported samplers, parser tables), set
# before docalc is imported and inherited by the processes tests start: a test run never
# reads what the user's docalc wrote, nor writes there. DOCALC_TEST_CACHE_DIR moves it.
os.environ["DOCALC_CACHE_DIR"] = os.environ.get("DOCALC_TEST_CACHE_DIR",
                                                str(ROOT / ".cache" / "tests"))
os.environ.pop("DOCALC_NO_CACHE", None)

XLA_CACHE = {"JAX_COMPILATION_CACHE_DIR": str(Path(os.environ["DOCALC_CACHE_DIR"]) / "jax")}
"""For a test process with a cache folder of its own (to see what docalc keeps there): the
suite's XLA compilations. What docalc decides to trace, export or load does not change
with it; XLA's compile of a program the suite already compiled is skipped (seconds each)."""

# The files that take longest (measured on CI's two cores), collected first: with
# ``--dist loadfile`` a file runs on one worker, and xdist hands out files in collection order,
# so long files last would leave the other worker idle at the end. The order changes when
# tests run, never what they check (each file's own order is kept).
FIRST = ("test_cli", "test_live_families", "test_caches", "test_latent_discrete",
         "test_notebooks", "test_compare", "test_missing", "test_missing_discrete",
         "test_jax_setup", "test_live_checks",
         "test_queries", "test_compiler_interventions", "test_browser_widgets",
         "test_expectations", "test_compiler_conditioning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: k for k, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(FIRST)))  # stable


TRUE = {"beta_ay": 1.5, "beta_by": 0.7, "beta_cy": 0.3, "sigma_y": 0.2, "beta_y0": 0.0}
SMALL = {"chains": 2, "tune": 300, "draws": 300}
"""NUTS settings for the shared fits: enough for posterior means and sds to two digits."""


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def linear_model():  # type: ignore[no-untyped-def]
    import docalc

    return docalc.load(EXAMPLES / "linear.scm")


@pytest.fixture(scope="session")
def linear_sim(linear_model) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The tutorial's data: 100 units simulated with the true coefficients."""
    return linear_model.do(TRUE).simulate(n=100, seed=1)


@pytest.fixture(scope="session")
def linear_data(linear_sim: pd.DataFrame) -> pd.DataFrame:
    return linear_sim[["a", "b", "c", "y"]]


@pytest.fixture(scope="session")
def linear_fit(linear_model, linear_data):  # type: ignore[no-untyped-def]
    return linear_model.observe(linear_data).fit(seed=2, **SMALL)


def draws(tree, group: str, name: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A variable as float64 with (chain, draw) flattened into one leading axis."""
    v = tree[group][name].transpose("chain", "draw", ...).to_numpy().astype(np.float64)
    return v.reshape(-1, *v.shape[2:])
