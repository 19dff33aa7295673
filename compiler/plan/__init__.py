"""Stage 2, plan: how each node gets its value in a run, and the checks of values it needs."""
