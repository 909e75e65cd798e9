"""dmind-edge: the signing-time gate. Pure Python; imports no model runtime or web framework.

    from dmind.edge import evaluate, Request
    decision = evaluate(Request("personal_sign", ("0x68656c6c6f", "0x...")))
"""

from .errors import EdgeError
from .pipeline import evaluate, evaluate_json
from .types import Decision, Finding, Intent, Payload, Request

__all__ = ["Decision", "EdgeError", "Finding", "Intent", "Payload", "Request", "evaluate", "evaluate_json"]
