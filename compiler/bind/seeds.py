"""Random seeds, checked where random keys are made.

JAX silently truncates a seed to 32 bits (``PRNGKey(2**32)`` is ``PRNGKey(0)``), so two
different seeds could give the same draws; a seed outside that range is refused instead.
"""

from __future__ import annotations

import operator
from typing import Any

from docalc.dsl.errors import runtime

LIMIT = 2**32


def check_seed(seed: Any) -> int:
    """Return ``seed`` as an int in [0, 2**32), or raise a DocalcInferenceError."""
    try:
        value = None if isinstance(seed, bool) else operator.index(seed)
    except TypeError:
        value = None
    if value is None or not 0 <= value < LIMIT:
        raise runtime.bad_seed(None, value=seed).error()
    return value
