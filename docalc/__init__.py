"""docalc: a small text language for structural causal models, compiled to NumPyro.

>>> import docalc as dc
>>> model = dc.compile("x ~ Normal(0, 1); y ~ Normal(2 * x, 1)")
>>> model.do(x=1).simulate(n=3, seed=0)  # doctest: +SKIP

``import docalc`` is light: JAX, NumPyro and plotting are imported when first needed.
"""

from __future__ import annotations

import os as _os
from typing import TYPE_CHECKING, Any

# In a source checkout the layers dsl/, compiler/ and widgets/ sit beside this folder, not
# in it (the installed package has them inside). When this folder is found first on
# sys.path (Python run from the checkout's root, whatever is installed), let the checkout's
# layers be found too, so that ``docalc.dsl`` resolves in both layouts.
_here = _os.path.dirname(__file__)
_root = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "dsl")) \
        and _os.path.isfile(_os.path.join(_root, "dsl", "__init__.py")):
    __path__.append(_root)
del _here, _root, _os

from .errors import *  # noqa: E402, F403 (after the path set-up above)
from .errors import __all__ as _errors_all  # noqa: E402

if TYPE_CHECKING:
    from docalc.comparison import compare as compare
    from docalc.compiler.graph.backdoor import BackdoorResult as BackdoorResult
    from docalc.compiler.graph.backdoor import backdoor as backdoor
    from docalc.compiler.graph.criteria import Identification as Identification
    from docalc.compiler.run.jax_setup import configure_jax as configure_jax
    from docalc.fit import Fit as Fit
    from docalc.model import Model as Model
    from docalc.model import compile as compile
    from docalc.model import load as load

__version__ = "0.1.0"

_LAZY = {
    "compile": "docalc.model",
    "load": "docalc.model",
    "Model": "docalc.model",
    "Fit": "docalc.fit",
    "backdoor": "docalc.compiler.graph.backdoor",
    "BackdoorResult": "docalc.compiler.graph.backdoor",
    "Identification": "docalc.compiler.graph.criteria",
    "configure_jax": "docalc.compiler.run.jax_setup",
    # not docalc/compare.py: importing that module would bind docalc.compare to it
    "compare": "docalc.comparison",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'docalc' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__all__ = [*_errors_all, *_LAZY, "__version__"]
