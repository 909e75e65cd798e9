"""The optional cloud tier's client side: the sanitized projection P_pub and its audit."""

from .advice import Advice, AdviceError, parse_advice
from .client import CloudClient, CloudResult
from .orchestrate import decide
from .routing import LatencyEstimates, Route, route
from .sanitize import sanitize

__all__ = [
    "Advice",
    "AdviceError",
    "CloudClient",
    "CloudResult",
    "LatencyEstimates",
    "Route",
    "decide",
    "parse_advice",
    "route",
    "sanitize",
]
