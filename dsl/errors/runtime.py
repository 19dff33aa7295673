"""What goes wrong when a model runs: conditioning, counterfactuals, inference, Graphviz.

Conditioning E912-E914, comparing fits E915-E919, counterfactuals E92x, inference E93x,
Graphviz E94x, optional packages E95x.
"""

from __future__ import annotations

import math

from ..spans import Span
from .base import (
    DocalcArgumentError,
    DocalcConditioningError,
    DocalcCounterfactualError,
    DocalcError,
    DocalcExtraError,
    DocalcGraphvizError,
    DocalcInferenceError,
)
from .catalogue import entry


@entry("E912", DocalcConditioningError, "cannot condition on deterministic node '{name}': its "
       "value is fixed by its parents, so it has no likelihood", "condition on its stochastic "
       "parents, or make it stochastic with noise: `{name} ~ Normal(expr, small_sd)`")
def condition_on_deterministic(span: Span | None, *, name: str) -> None:
    """Report a query condition ``E[y | d = 1]`` on a deterministic node."""


@entry("E913", DocalcConditioningError, "cannot condition on deterministic node '{name}': its "
       "value is a function of its parents, so it has no likelihood and observing it would "
       "silently constrain nothing", "drop the '{name}' column and observe its stochastic "
       "parents or children, or give it noise: `{name} ~ Normal(<expr>, sd)`")
def observe_deterministic(span: Span | None, *, name: str) -> None:
    """Report a data column for a deterministic node."""


@entry("E914", DocalcConditioningError, "'{name}' is set by do({intervention}) and cannot "
       "also be observed", "fit the observed model without this do(), then ask "
       "fit.predict(do=...) or fit.effect(...); or drop the column")
def observe_intervened(span: Span | None, *, name: str, intervention: str) -> None:
    """Report a data column for a node a ``do`` sets."""


@entry("E915", DocalcInferenceError, "cannot compare fits '{first}' and '{other}': they are "
       "fitted to different units ({why})", "compare models fitted to the same data table: "
       "leave-one-out scores are sums over units, so the units must be the same")
def compare_units_differ(span: Span | None, *, first: str, other: str, why: str) -> None:
    """Report ``compare`` of fits whose unit plates differ in size or labels."""


@entry("E916", DocalcInferenceError, "cannot compare fits '{first}' and '{other}': they "
       "observe different nodes ('{first}': {names_first}; '{other}': {names_other})",
       "compare models that predict the same data columns: fit both to the same columns of "
       "stochastic nodes")
def compare_observed_differ(span: Span | None, *, first: str, other: str, names_first: str,
                            names_other: str) -> None:
    """Report ``compare`` of fits whose observed nodes are not the same."""


@entry("E917", DocalcInferenceError, "cannot compare fits '{first}' and '{other}': their data "
       "for '{name}' differ (first at unit {unit})", "fit both models to the same data table")
def compare_data_differ(span: Span | None, *, first: str, other: str, name: str,
                        unit: str) -> None:
    """Report ``compare`` of fits on the same units and nodes but with other data values."""


@entry("E918", DocalcInferenceError, "fit '{name}' has no log_likelihood group, which "
       "compare needs", "{fix}")
def compare_no_log_likelihood(span: Span | None, *, name: str, fix: str) -> None:
    """Report ``compare`` of a fit without pointwise log-likelihood (turned off, or too big)."""


@entry("E919", DocalcInferenceError, "cannot compare fit '{name}': {why}", "{fix}")
def compare_not_per_unit(span: Span | None, *, name: str, why: str, fix: str) -> None:
    """Report ``compare`` given fewer than two fits, or a fit with no term per unit."""


@entry("E921", DocalcCounterfactualError, "counterfactuals are for the observed units; new data "
       "has no observed outcome to abduct the noise from",
       "use fit.predict(do=..., data=...) for new units")
def counterfactual_new_data(span: Span | None) -> None:
    """Report ``fit.counterfactual(data=...)``."""


@entry("E922", DocalcCounterfactualError, "cannot compute the counterfactual of '{name}': its "
       "noise under {dist} cannot be recovered from the observed value",
       "counterfactuals need location-scale mechanisms (Normal, StudentT, Laplace, Cauchy, "
       "LogNormal, HalfNormal, HalfCauchy) or deterministic nodes for the nodes the "
       "intervention changes; use predict() or effect() for the interventional answer instead")
def noise_not_recoverable(span: Span | None, *, name: str, dist: str) -> None:
    """Report a counterfactual through a node whose family has no recoverable noise."""


@entry("E931", DocalcInferenceError, "hdi_prob must be a number in (0, 1), got {value!r}",
       "e.g. hdi_prob=0.94")
def bad_hdi_prob(span: Span | None, *, value: object) -> None:
    """Report an HDI probability outside (0, 1)."""


@entry("E932", DocalcInferenceError, "seed must be a whole number from 0 to 2**32 - 1, got "
       "{value!r}", "pass an int such as seed=0")
def bad_seed(span: Span | None, *, value: object) -> None:
    """Report a seed that is no 32-bit unsigned integer."""


@entry("E933", DocalcInferenceError, "model text must be a string, got {got}",
       "use docalc.load(path) for a file")
def model_text_type(span: Span | None, *, got: str) -> None:
    """Report ``docalc.compile(...)`` given something that is not text."""


@entry("E934", DocalcInferenceError, "{label} must be {what}, got {value!r}")
def not_whole(span: Span | None, *, label: str, value: object, minimum: int
              ) -> dict[str, object]:
    """Report an inference count (``draws=2.5``, ``tune=-1``) below minimum or fractional."""
    what = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
    return {"label": label, "what": what, "value": value}


@entry("E935", DocalcInferenceError, "{label} must be a number {bounds}, got {value!r}")
def not_in_range(span: Span | None, *, label: str, value: object, low: float, high: float
                 ) -> dict[str, object]:
    """Report an inference setting (``target_accept=1.5``) outside (low, high); high may be inf."""
    bounds = f"in ({low:g}, {high:g})" if math.isfinite(high) else f"greater than {low:g}"
    return {"label": label, "bounds": bounds, "value": value}


@entry("E936", DocalcInferenceError, "unknown method {method!r}", "use 'nuts' or 'svi'")
def unknown_method(span: Span | None, *, method: object) -> None:
    """Report ``fit(method="mcmc")``."""


@entry("E937", DocalcInferenceError, "unknown guide {guide!r}", "use one of {guides}")
def unknown_guide(span: Span | None, *, guide: object, guides: str) -> None:
    """Report ``fit(method="svi", guide=...)`` naming no guide."""


@entry("E938", DocalcInferenceError, "the model has no data to fit",
       "call model.observe(data).fit(), or use sample_prior()")
def no_data_to_fit(span: Span | None) -> None:
    """Report ``fit()`` on a model that observes nothing."""


@entry("E939", DocalcInferenceError, "every stochastic node is observed or intervened on: "
       "there is nothing to infer")
def nothing_to_infer(span: Span | None) -> None:
    """Report ``fit()`` on a model without latent stochastic nodes."""


@entry("E951", DocalcInferenceError, "latent discrete node(s) {names} cannot be inferred: "
       "{dist} has unbounded support, so its values cannot be summed out, and NUTS and SVI "
       "need continuous unknowns", "give {first} a data column, or model it with a finite "
       "support (Bernoulli, Categorical, or Binomial with a literal total_count), which docalc "
       "marginalizes exactly")
def latent_discrete(span: Span | None, *, names: str, first: str, dist: str) -> None:
    """Report ``fit()`` on a model with an unobserved discrete node of unbounded support."""


@entry("E952", DocalcArgumentError, "{argument} must be {expected}, got {got}")
def argument_type(span: Span | None, *, argument: str, expected: str, value: object
                  ) -> dict[str, object]:
    """Report an API argument of the wrong type (``identify(3, "y")``, ``var_names=5``)."""
    text = repr(value)
    if len(text) > 60:  # a whole DataFrame's repr would bury the message
        text = text[:57] + "..."
    return {"argument": argument, "expected": expected,
            "got": f"{text} ({type(value).__name__})"}


@entry("E953", DocalcInferenceError, "no stochastic node is observed: the data bind only the "
       "`data` input(s) {inputs}, so the fit would return the prior as the posterior",
       "give a column for a stochastic node ({nodes}); for the prior itself use "
       "sample_prior(data=...)")
def nothing_observed(span: Span | None, *, inputs: str, nodes: str) -> None:
    """Report ``fit()`` whose data hold only ``data`` inputs: nothing to condition on."""


@entry("E954", DocalcArgumentError, "{argument} names no node of the model: {names}",
       "{suggestion}")
def unknown_names(span: Span | None, *, argument: str, names: str, suggestion: str) -> None:
    """Report unknown node names in an API argument (``identify(observed=[...])``, ``roles``)."""


@entry("E955", DocalcInferenceError, "latent discrete node '{name}' cannot be marginalized: "
       "{why}", "give '{name}' a data column, or put it and every node that reads it in one "
       "plate (a per-unit latent is summed out unit by unit)")
def latent_not_marginalizable(span: Span | None, *, name: str, why: str) -> None:
    """Report a latent discrete node whose sum over values is not per unit (or not exact)."""


@entry("E956", DocalcInferenceError, "latent discrete node '{name}' ~ {dist} has no fixed "
       "number of values to sum over", "write its list of probabilities out "
       "(`Categorical(probs = [0.2, 0.8])`) or give Binomial a literal total_count")
def latent_support_not_literal(span: Span | None, *, name: str, dist: str) -> None:
    """Report a marginalized latent whose support size is not known from the model text."""


@entry("E957", DocalcCounterfactualError, "cannot compute the counterfactual: it would "
       "need the noise of latent discrete node(s) {names}, which the data do not determine",
       "counterfactuals of a model with marginalized latents work when the intervention "
       "leaves the latents untouched (each unit's noise is recovered given the latent's "
       "posterior draws); use predict() or effect() for the interventional answer")
def counterfactual_through_latent(span: Span | None, *, names: str) -> None:
    """Report a counterfactual whose intervention reaches a marginalized latent."""


@entry("E941", DocalcGraphvizError, "the Python package 'graphviz' is not installed",
       "pip install graphviz")
def graphviz_package_missing(span: Span | None) -> None:
    """Report drawing without the ``graphviz`` Python package."""


@entry("E942", DocalcGraphvizError, "the Graphviz program `dot` was not found on PATH",
       "{install}")
def dot_missing(span: Span | None, *, install: str) -> None:
    """Report rendering without the ``dot`` program (the hint says how to install it)."""


@entry("E943", DocalcGraphvizError, "Graphviz `dot` failed: {why}")
def dot_failed(span: Span | None, *, why: str) -> None:
    """Report that ``dot`` exited with an error."""


@entry("E944", DocalcGraphvizError, "cannot tell the graph format of '{path}' from its suffix",
       "use one of {formats}")
def unknown_graph_format(span: Span | None, *, path: object, formats: str) -> None:
    """Report ``graph -o g.xyz``."""


@entry("E945", DocalcGraphvizError, "cannot write '{path}': {why}")
def cannot_write_graph(span: Span | None, *, path: object, why: str) -> None:
    """Report a graph file that cannot be written."""


@entry("E950", DocalcExtraError, "{feature} needs the optional package '{missing}', which is "
       "not installed", 'pip install "docalc[{extra}]"')
def extra_missing(span: Span | None, *, feature: str, missing: str, extra: str) -> None:
    """Report a feature used without its extra (``docalc[widgets]``)."""


def missing_extra(extra: str, module: str | None, feature: str) -> DocalcError:
    """Return the error for a feature whose optional package ``module`` is not installed.

    Parameters
    ----------
    extra : str
        The extra of docalc that installs it (``"widgets"``): the hint says
        ``pip install "docalc[widgets]"``.
    module : str or None
        The missing module, as ``ModuleNotFoundError.name`` gives it.
    feature : str
        What the user asked for, as the message names it (``"docalc.widgets.GraphView"``).

    """
    return extra_missing(None, feature=feature, missing=module or "?", extra=extra).error()
