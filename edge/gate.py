"""The gate g(intent, policy, γ): findings and confidence to ALLOW, STEP_UP or BLOCK.

Risk ρ combines finding weights as a noisy-OR, ρ = 1 - Π(1 - w_i), so it stays in [0, 1],
grows with every finding and is dominated by the worst. The verdict is BLOCK if any
finding's effective verdict is BLOCK (critical severity, or a policy override) or
ρ >= τ_block; STEP_UP if any finding says so (fail-closed codes always do), ρ >= τ_risk or γ < τ_conf; ALLOW otherwise.
"""

from __future__ import annotations

from dataclasses import replace

from dmind.policies import Policy
from dmind.policies.messages import Message, message
from dmind.policies.model import IGNORE

from .findings import FAIL_CLOSED, SEVERITY_WEIGHTS, Finding
from .types import Severity, Verdict


def apply_overrides(findings: tuple[Finding, ...], policy: Policy) -> tuple[tuple[Finding, ...], list[Verdict]]:
    """Findings with the policy's severity and weight overrides; also each one's forced verdict.

    A fail-closed code (`FAIL_CLOSED`: two readings of the bytes, a field nobody can interpret)
    forces STEP_UP at least, and no override can ignore it.
    """
    adjusted: list[Finding] = []
    forced: list[Verdict] = []
    for f in findings:
        if f.code in FAIL_CLOSED:
            forced.append(Verdict.STEP_UP)
        override = policy.overrides.get(f.code)
        if override is not None and override.verdict == IGNORE and f.code in FAIL_CLOSED:
            override = None
        if override is not None and override.verdict == IGNORE:
            continue
        if override is not None and (override.severity or override.weight is not None):
            severity = override.severity or f.severity
            weight = override.weight if override.weight is not None else SEVERITY_WEIGHTS[severity]
            f = replace(f, severity=severity, weight=weight)
        adjusted.append(f)
        if override is not None and override.verdict in (Verdict.BLOCK, Verdict.STEP_UP):
            forced.append(Verdict(override.verdict))
        elif f.severity == Severity.CRITICAL:
            forced.append(Verdict.BLOCK)
    return tuple(adjusted), forced


def combine_risk(findings: tuple[Finding, ...]) -> float:
    """ρ = 1 - Π(1 - w): the noisy-OR of finding weights."""
    safe = 1.0
    for f in findings:
        safe *= 1.0 - f.weight
    return round(1.0 - safe, 6)


def gate(
    findings: tuple[Finding, ...], confidence: float, policy: Policy
) -> tuple[Verdict, float, tuple[Finding, ...], Message]:
    """The verdict, risk, effective findings and a one-line reason (worst finding first)."""
    adjusted, forced = apply_overrides(findings, policy)
    risk = combine_risk(adjusted)
    t = policy.thresholds
    worst = max(adjusted, key=lambda f: f.weight, default=None)
    reason = worst.said or worst.message if worst else None
    if Verdict.BLOCK in forced or risk >= t.tau_block:
        why = message("explain.blocked", reason=reason) if reason else message("explain.blocked_risk")
        return Verdict.BLOCK, risk, adjusted, why
    if Verdict.STEP_UP in forced or risk >= t.tau_risk:
        why = message("explain.step_up", reason=reason) if reason else message("explain.step_up_risk")
        return Verdict.STEP_UP, risk, adjusted, why
    if confidence < t.tau_conf:
        return Verdict.STEP_UP, risk, adjusted, message("explain.partial", confidence=confidence, tau=t.tau_conf)
    return Verdict.ALLOW, risk, adjusted, message("explain.allowed")
