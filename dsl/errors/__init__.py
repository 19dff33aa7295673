"""One catalogue of every error docalc reports, and the exception classes behind it.

Each diagnostic is built by the typed constructor of its catalogue entry (a stable code,
the exception class, fixed message and hint templates) from the span of the offending
node, so every message names its place::

    errors.undefined_name(span, name="x", suggestion="did you mean 'y'?").error()

The constructors live in one module per family: ``syntax`` (E1xx and the E8xx limits),
``names`` (E2xx names, E3xx cycles, E5xx plates), ``distributions`` (E4xx),
``interventions`` (E6xx and the E7xx queries), ``data`` (E90x, E96x-E98x), ``runtime``
(E91x-E95x) and ``files`` (E0xx). ``base`` holds the exception classes and ``Diagnostic``,
``catalogue`` the ``@entry`` machinery, ``hints`` builds "did you mean" hints, and ``docs``
writes docs/errors.md, which lists every code (and the retired ones, never reused).
"""

from __future__ import annotations

from . import data, distributions, files, interventions, names, runtime, syntax
from .base import (
    MAX_DIAGNOSTICS,
    MESSAGE_CODE,
    DataWarning,
    Diagnostic,
    DocalcArgumentError,
    DocalcConditioningError,
    DocalcCounterfactualError,
    DocalcCycleError,
    DocalcDataError,
    DocalcDistributionError,
    DocalcError,
    DocalcExtraError,
    DocalcFileError,
    DocalcGraphvizError,
    DocalcInferenceError,
    DocalcInterventionError,
    DocalcLimitError,
    DocalcModelError,
    DocalcNameError,
    DocalcPlateError,
    DocalcQueryError,
    DocalcRuntimeError,
    DocalcSizeError,
    DocalcSyntaxError,
    DocalcWarning,
    LatentWarning,
    LooWarning,
    NotIdentifiableWarning,
    SamplingWarning,
    caret_lines,
    raise_diagnostics,
)
from .catalogue import AT_END, CATALOGUE, CONSTRUCTORS, RETIRED, Entry, Label
from .runtime import missing_extra

__all__ = [
    "AT_END", "CATALOGUE", "CONSTRUCTORS", "MAX_DIAGNOSTICS", "MESSAGE_CODE", "RETIRED",
    "DataWarning", "Diagnostic", "DocalcArgumentError", "DocalcConditioningError",
    "DocalcCounterfactualError", "DocalcCycleError", "DocalcDataError", "DocalcDistributionError",
    "DocalcError", "DocalcExtraError", "DocalcFileError", "DocalcGraphvizError",
    "DocalcInferenceError", "DocalcInterventionError", "DocalcLimitError", "DocalcModelError",
    "DocalcNameError", "DocalcPlateError", "DocalcQueryError", "DocalcRuntimeError",
    "DocalcSizeError", "DocalcSyntaxError", "DocalcWarning", "Entry", "Label", "LatentWarning",
    "LooWarning", "NotIdentifiableWarning", "SamplingWarning", "caret_lines", "data",
    "distributions", "files", "interventions", "missing_extra", "names", "raise_diagnostics",
    "runtime", "syntax"
]
