"""The PyMC do-operator tutorial's model, shared by the PyMC benchmark scripts."""

import pymc as pm


def tutorial_model(coords: dict) -> pm.Model:
    """Return the generative model (priors, a, b, c, y_mu, y) over plate ``i``."""
    with pm.Model(coords=coords) as model:
        beta_y0 = pm.Normal("beta_y0")
        beta_ay = pm.Normal("beta_ay")
        beta_by = pm.Normal("beta_by")
        beta_cy = pm.Normal("beta_cy")
        sigma_y = pm.HalfNormal("sigma_y")
        a = pm.Normal("a", mu=0, sigma=1, dims="i")
        b = pm.Normal("b", mu=0, sigma=1, dims="i")
        c = pm.Normal("c", mu=0, sigma=1, dims="i")
        y_mu = pm.Deterministic("y_mu", beta_y0 + (beta_ay * a) + (beta_by * b)
                                + (beta_cy * c), dims="i")
        pm.Normal("y", mu=y_mu, sigma=sigma_y, dims="i")
    return model
