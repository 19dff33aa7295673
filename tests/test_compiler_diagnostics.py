"""docalc's own split R-hat agrees with NumPyro's (the reference implementation)."""

from __future__ import annotations

import numpy as np
import pytest

from docalc.compiler.run.fitting import split_rhat


@pytest.mark.parametrize("shift", [0.0, 0.3, 2.0])
def test_split_rhat_matches_numpyro(shift: float) -> None:
    from numpyro.diagnostics import split_gelman_rubin

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 301, 3))
    x[1] += shift
    np.testing.assert_allclose(split_rhat(x), split_gelman_rubin(x), rtol=1e-10)
    assert (split_rhat(x) > 1.01).any() == (shift >= 0.3)
