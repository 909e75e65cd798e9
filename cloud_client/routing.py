"""The routing plane (DMind-3 eq. 5 and 6): which tiers to consult for one request, and why.

Only a STEP_UP leaves the fast path (eq. 6: γ < τ_conf or ρ ≥ τ_risk); ALLOW and BLOCK are the
edge's to give. Among the plans κ, those that would leak under the policy are excluded
(Leak(κ, Π) = 0: no cloud unless the policy allows it), so are those whose predicted latency
(a running estimate per tier) exceeds the policy's budget and those whose tier is not
available; the rest are ranked by expected loss ρ·(1 − coverage) plus β·cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dmind.edge import Decision, Plan, Verdict
from dmind.policies import Policy

# Share of the residual risk each plan can resolve, and its cost in tier calls.
COVERAGE = {Plan.EDGE_ONLY: 0.0, Plan.EDGE_LOCAL: 0.8, Plan.EDGE_CLOUD: 0.3, Plan.EDGE_CLOUD_LOCAL: 0.9}
COST = {Plan.EDGE_ONLY: 0, Plan.EDGE_LOCAL: 1, Plan.EDGE_CLOUD: 2, Plan.EDGE_CLOUD_LOCAL: 3}
BETA = 0.01


@dataclass
class LatencyEstimates:
    """Running (exponentially weighted) latency of each tier, in milliseconds."""

    ms: dict[str, float] = field(default_factory=lambda: {"local": 50.0, "cloud": 400.0})
    alpha: float = 0.2

    def observe(self, tier: str, latency_ms: float) -> None:
        self.ms[tier] = (1 - self.alpha) * self.ms.get(tier, latency_ms) + self.alpha * latency_ms

    def predict(self, plan: Plan) -> float:
        return sum(self.ms[t] for t in plan.tiers)


@dataclass(frozen=True, slots=True)
class Route:
    plan: Plan
    reason: str
    excluded: dict[Plan, str]
    scores: dict[Plan, float]


def route(
    decision: Decision,
    policy: Policy,
    local_available: bool,
    cloud_available: bool,
    estimates: LatencyEstimates,
    beta: float = BETA,
) -> Route:
    """The plan κ for this decision, with the reason and what was excluded and why."""
    if decision.verdict != Verdict.STEP_UP:
        why = (
            "BLOCK is final"
            if decision.verdict == Verdict.BLOCK
            else "no escalation trigger: γ ≥ τ_conf and ρ < τ_risk"
        )
        return Route(Plan.EDGE_ONLY, why, {}, {Plan.EDGE_ONLY: 0.0})
    excluded: dict[Plan, str] = {}
    for plan in list(Plan)[1:]:
        tiers = plan.tiers
        budget = policy.routing.latency_budget_ms.get(plan.budget_key)
        if "cloud" in tiers and not policy.routing.cloud_allowed:
            excluded[plan] = "leak: the policy does not allow the cloud tier"
        elif "cloud" in tiers and not cloud_available:
            excluded[plan] = "no cloud endpoint configured"
        elif "local" in tiers and not local_available:
            excluded[plan] = "no paired local verifier"
        elif budget is not None and estimates.predict(plan) > budget:
            excluded[plan] = f"predicted {estimates.predict(plan):.0f} ms is over the {budget} ms budget"
    scores = {
        plan: round(decision.risk * (1 - COVERAGE[plan]) + beta * COST[plan], 6)
        for plan in Plan
        if plan not in excluded
    }
    best = min(scores, key=lambda plan: (scores[plan], COST[plan]))
    reason = f"STEP_UP (γ={decision.confidence:.2f}, ρ={decision.risk:.2f}): least expected loss + β·cost among {sorted(scores)}"
    return Route(best, reason, excluded, scores)
