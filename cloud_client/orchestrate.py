"""Carrying out a route: cloud advice on the sanitized projection, then the local verifier.

Whatever fails (cloud down, hanging or answering garbage, local daemon unreachable, both),
the decision still arrives within the plan's budget, is never looser than the edge's own
(only a local verdict that verifies can turn STEP_UP into ALLOW; φ never can), and says
which tiers were consulted and where each signal came from.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

from dmind.edge import evaluate_json
from dmind.edge.findings import Finding
from dmind.edge.router import BUDGET_KEYS, EDGE_CLOUD_LOCAL, TIERS, LatencyEstimates, route
from dmind.edge.types import Decision
from dmind.policies import Policy

from .client import CloudClient
from .sanitize import sanitize


def _note(code: str, severity: str, message: str) -> Finding:
    return Finding(code, severity, {"info": 0.0, "medium": 0.35, "high": 0.6}[severity], message)


async def decide(request: dict, policy: Policy, pairing=None, cloud: CloudClient | None = None,
                 estimates: LatencyEstimates | None = None, now: int | None = None) -> Decision:
    """The final decision for one request across the tiers the route picks."""
    estimates = estimates or LatencyEstimates()
    edge = evaluate_json(request, policy=policy, now=now)
    chosen = route(edge, policy, pairing is not None, cloud is not None, estimates)
    provenance: dict[str, Any] = {"verdict": "edge rules", "risk": "edge rules"}
    consulted: list[str] = []
    decision = replace(edge, plan=chosen.plan)
    tiers = TIERS[chosen.plan]
    budget_ms = policy.routing.latency_budget_ms.get(BUDGET_KEYS[chosen.plan], 5000)
    started = time.monotonic()
    if "cloud" in tiers:
        consulted.append("cloud")
        result = await cloud.advise(sanitize(edge, policy, request.get("origin")), strategic=chosen.plan == EDGE_CLOUD_LOCAL,  # type: ignore[union-attr]
                                    budget_s=budget_ms / 1000 * (0.5 if "local" in tiers else 1.0))
        if result.advice is None:
            decision = replace(decision, findings=decision.findings + (_note("CLOUD_UNAVAILABLE", "info", f"no cloud advice: {result.reason}"),))
        else:
            estimates.observe("cloud", result.latency_ms)
            provenance["advice"] = "cloud φ on the sanitized projection"
            if result.advice.raises_caution:
                decision = replace(decision, findings=decision.findings + (_note(
                    "CLOUD_CAUTION", "medium", f"cloud advice: {result.advice.reputation}, {', '.join(result.advice.exploit_patterns) or 'caution'}"),))
            elif "local" in tiers:  # φ may lower the escalation depth, never the verdict
                tiers = ()
                provenance["depth"] = "cloud φ found nothing; local step skipped, the decision stays STEP_UP"
    if "local" in tiers:
        consulted.append("local")
        from dmind.edge.escalate import escalate

        remaining = max(0.05, budget_ms / 1000 - (time.monotonic() - started))
        local_policy = replace(policy, routing=replace(policy.routing, latency_budget_ms={**policy.routing.latency_budget_ms, "edge_local": int(remaining * 1000)}))
        t0 = time.monotonic()
        decision = await asyncio.to_thread(escalate, decision, request, pairing, local_policy)
        estimates.observe("local", (time.monotonic() - t0) * 1000)
        if decision.verdict_token:
            provenance["verdict"] = "local verifier (signed, bound to the digest)"
    route_record = {"plan": chosen.plan, "reason": chosen.reason, "excluded": chosen.excluded, "scores": chosen.scores,
                    "consulted": consulted, "provenance": provenance}
    return replace(decision, plan=chosen.plan, route=route_record,
                   timings_us={**decision.timings_us, "route_total": int((time.monotonic() - started) * 1e6)})
