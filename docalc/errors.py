"""The errors and warnings docalc raises (one catalogue, defined in ``docalc.dsl.errors``)."""

from docalc.dsl.errors import base
from docalc.dsl.errors.base import *  # noqa: F403 - the public classes, listed once, in base
from docalc.dsl.errors.catalogue import CATALOGUE

__all__ = ["CATALOGUE"]
__all__ += base.__all__
