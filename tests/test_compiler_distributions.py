"""Every distribution of the language, under NumPyro's and PyMC's argument names."""

from __future__ import annotations

import math

import numpy as np
import pytest

import docalc as dc

N = 20_000

# (PyMC-style text, NumPyro-style text, mean, sd) — analytic moments
CASES = [
    ("Normal(mu=1, sigma=2)", "Normal(loc=1, scale=2)", 1.0, 2.0),
    ("HalfNormal(sigma=2)", "HalfNormal(scale=2)", 2 * math.sqrt(2 / math.pi),
     2 * math.sqrt(1 - 2 / math.pi)),
    ("LogNormal(mu=0, sigma=0.5)", "LogNormal(loc=0, scale=0.5)", math.exp(0.125),
     math.sqrt((math.exp(0.25) - 1) * math.exp(0.25))),
    ("StudentT(nu=5, mu=1, sigma=2)", "StudentT(df=5, loc=1, scale=2)", 1.0,
     2 * math.sqrt(5 / 3)),
    ("Laplace(mu=1, b=2)", "Laplace(loc=1, scale=2)", 1.0, 2 * math.sqrt(2)),
    ("Exponential(lam=2)", "Exponential(rate=2)", 0.5, 0.5),
    ("Gamma(alpha=2, beta=3)", "Gamma(concentration=2, rate=3)", 2 / 3, math.sqrt(2) / 3),
    ("InverseGamma(alpha=5, beta=2)", "InverseGamma(concentration=5, rate=2)", 0.5,
     0.5 / math.sqrt(3)),
    ("Beta(alpha=2, beta=3)", "Beta(concentration1=2, concentration0=3)", 0.4,
     math.sqrt(6 / (25 * 6))),
    ("Uniform(lower=-1, upper=2)", "Uniform(low=-1, high=2)", 0.5, 3 / math.sqrt(12)),
    ("Bernoulli(p=0.3)", "Bernoulli(probs=0.3)", 0.3, math.sqrt(0.21)),
    ("Bernoulli(logit_p=0.5)", "Bernoulli(logits=0.5)", 1 / (1 + math.exp(-0.5)),
     math.sqrt(0.6225 * 0.3775)),
    ("Binomial(n=10, p=0.3)", "Binomial(total_count=10, probs=0.3)", 3.0, math.sqrt(2.1)),
    ("Poisson(mu=3)", "Poisson(rate=3)", 3.0, math.sqrt(3)),
    ("NegativeBinomial(mu=3, alpha=2)", "NegativeBinomial(mean=3, concentration=2)", 3.0,
     math.sqrt(3 + 9 / 2)),
    ("Categorical(p=[0.2, 0.3, 0.5])", "Categorical(probs=[0.2, 0.3, 0.5])", 1.3,
     math.sqrt(0.3 + 4 * 0.5 - 1.3**2)),
]


def _draws(dist_text: str, seed: int = 0) -> np.ndarray:
    model = dc.compile(f"plate i {{ x ~ {dist_text} }}")
    return model.simulate(n=N, seed=seed)["x"].to_numpy().astype(float)


@pytest.mark.parametrize(("pymc", "numpyro", "mean", "sd"), CASES, ids=[c[1] for c in CASES])
def test_both_conventions_agree_and_match_moments(pymc: str, numpyro: str, mean: float,
                                                  sd: float) -> None:
    a, b = _draws(pymc), _draws(numpyro)
    # the two spellings are the same model: the same seed gives the same draws
    np.testing.assert_array_equal(a, b)
    se = sd / math.sqrt(N)
    assert abs(a.mean() - mean) < 5 * se, (a.mean(), mean, se)


def test_cauchy_and_halfcauchy_quantiles() -> None:
    x = _draws("Cauchy(alpha=1, beta=2)")
    np.testing.assert_array_equal(x, _draws("Cauchy(loc=1, scale=2)"))
    # median 1 and quartiles 1 -/+ 2; the sample quartile's se is about 2.2 * scale / sqrt(n)
    q = np.quantile(x, [0.25, 0.5, 0.75])
    assert np.allclose(q, [-1, 1, 3], atol=5 * 2.2 * 2 / math.sqrt(N))
    h = _draws("HalfCauchy(beta=2)")
    assert abs(np.median(h) - 2) < 5 * 2.2 * 2 / math.sqrt(N)


def test_positional_arguments_follow_numpyro_order() -> None:
    np.testing.assert_array_equal(_draws("StudentT(5, 1, 2)"),
                                  _draws("StudentT(df=5, loc=1, scale=2)"))
    np.testing.assert_array_equal(_draws("Binomial(10, 0.3)"),
                                  _draws("Binomial(total_count=10, probs=0.3)"))


def test_discrete_draws_are_integers_in_support() -> None:
    x = _draws("Categorical(logits=[0, 1, 2])")
    assert set(np.unique(x)) <= {0, 1, 2}
    assert set(np.unique(_draws("Bernoulli(0.4)"))) == {0, 1}
