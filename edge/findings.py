"""Findings: the one constructor, over the one catalogue of codes (`dmind.policies.catalogue`).

Parsers, decoders, rules and the tiers (local verifier, cloud) all make findings through
`finding()`, so every code a user can see is listed once, in the catalogue. The gate combines
weights into the risk ρ; policies may override a code's severity, weight or verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

from dmind.policies.catalogue import CATALOG, FAIL_CLOSED, SEVERITY_WEIGHTS
from dmind.policies.vocabulary import Severity, Verdict

__all__ = ["CATALOG", "FAIL_CLOSED", "SEVERITY_WEIGHTS", "Finding", "error_finding", "finding"]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: Severity
    weight: float
    message: str
    where: str | None = None


def finding(code: str, message: str, where: str | None = None) -> Finding:
    """A finding of a catalogued `code`, with the catalogue's severity and weight."""
    severity, _ = CATALOG[code]
    return Finding(code, severity, SEVERITY_WEIGHTS[severity], message, where)


def error_finding(code: str, message: str, verdict: Verdict, where: str | None = None) -> Finding:
    """The finding that records why an input was rejected (error codes live in `errors`)."""
    severity = Severity.CRITICAL if verdict == Verdict.BLOCK else Severity.HIGH
    return Finding(code, severity, SEVERITY_WEIGHTS[severity], message, where)
