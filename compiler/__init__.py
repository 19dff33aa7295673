"""The compiler: checked model to NumPyro, inference, interventions, queries, identification."""

from .runtime import request_host_devices

# before any compiler module imports JAX, so that chains can use every CPU core
request_host_devices()
