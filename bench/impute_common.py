"""The imputation benchmark's model and data, shared by docalc's and PyMC's sides.

Plain NumPy only: PyMC's interpreter imports it too.
"""

import numpy as np

MODEL = """
mu_x ~ Normal(0, 2)
sd_x ~ HalfNormal(2)
alpha ~ Normal(0, 2)
beta ~ Normal(0, 2)
sigma ~ HalfNormal(1)
plate unit {
  x ~ Normal(mu_x, sd_x)
  y ~ Normal(alpha + beta * x, sigma)
}
"""
GLOBALS = ("mu_x", "sd_x", "alpha", "beta", "sigma")


def table(n: int = 200, frac: float = 0.1, seed: int = 0) -> dict[str, np.ndarray]:
    """Return columns x and y of ``n`` units, a fraction ``frac`` of each column NaN."""
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 1.5, n)
    y = 0.5 + 2.0 * x + rng.normal(0, 0.7, n)
    x[rng.random(n) < frac] = np.nan
    y[rng.random(n) < frac] = np.nan
    return {"x": x, "y": y}


def moments(values: dict[str, np.ndarray]) -> dict[str, list[list[float]]]:
    """Per variable and cell: mean, sd and the MCSE of the mean (batch means, 20 batches).

    ``values`` are (chain, draw, ...); the same estimator on both sides, so the comparison
    does not depend on two libraries' ESS code.
    """
    out = {}
    for k, v in values.items():
        v = np.asarray(v, dtype=np.float64).reshape(*np.shape(v)[:2], -1)
        chains, draws = v.shape[:2]
        b = draws // 20
        means = v[:, : b * 20].reshape(chains, 20, b, -1).mean(axis=2).reshape(chains * 20, -1)
        mcse = means.std(axis=0, ddof=1) / np.sqrt(chains * 20)
        out[k] = [v.mean(axis=(0, 1)).tolist(), v.std(axis=(0, 1)).tolist(), mcse.tolist()]
    return out
