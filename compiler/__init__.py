"""The compiler: checked model to NumPyro, inference, interventions, queries, identification.

One folder per stage, in the order data flows (``driver.py`` runs them):

- ``bind``: data, intervention values and seeds checked and turned into arrays;
- ``plan``: for each node, how a run gets its value, and the checks values need at run time;
- ``lower``: a plan to JAX (a forward run, a NumPyro model) through one step evaluator;
- ``run``: forward runs, NUTS/SVI, queries, the live slider function, exported programs;
- ``results``: draws in, DataTrees in ArviZ's layout and effect summaries out;
- ``graph``: the graph description and identification (used by every stage's callers).

Importing it changes nothing in JAX's set-up (see :mod:`docalc.compiler.run.jax_setup`).
"""
