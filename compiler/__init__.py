"""The compiler: checked model to NumPyro, inference, interventions, queries, identification.

Importing it changes nothing in JAX's set-up (see :mod:`docalc.compiler.jax_setup`).
"""
