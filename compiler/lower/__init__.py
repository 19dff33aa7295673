"""Stage 3, lower: a plan to JAX callables and a NumPyro model, through one step evaluator."""
