"""The docalc language front end: text to a checked model description (no JAX here)."""

from .errors import DocalcError
from .frontend import check_file, check_text, parse_interventions, parse_text

__all__ = ["DocalcError", "check_file", "check_text", "parse_interventions", "parse_text"]
