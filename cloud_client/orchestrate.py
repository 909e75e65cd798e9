"""Carrying out a route: cloud advice on the sanitized projection, then the local verifier.

Cloud advice never lowers the escalation depth: a compromised endpoint could otherwise
switch local verification off. It can only add caution.

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

from dmind.edge import Decision, Finding, Plan, escalate, evaluate_json, finding
from dmind.policies import Policy

from .client import CloudClient
from .routing import LatencyEstimates, route
from .sanitize import sanitize


def _with(decision: Decision, extra: Finding) -> Decision:
    return replace(decision, findings=decision.findings + (extra,))


async def _consult_cloud(
    decision: Decision,
    edge: Decision,
    request: dict,
    policy: Policy,
    cloud: CloudClient,
    plan: Plan,
    budget_ms: int,
    tiers: tuple[str, ...],
    started: float,
    estimates: LatencyEstimates,
    provenance: dict[str, Any],
) -> Decision:
    """Cloud advice on the projection: it may add caution, nothing else. Any failure is a finding."""
    try:
        projection = sanitize(edge, policy, request.get("origin"))
    except Exception as exc:  # the projection is ours; if it cannot be built, nothing goes out
        return _with(
            decision,
            finding("CLOUD_UNAVAILABLE", key="no_projection", error=type(exc).__name__),
        )
    share = 0.5 if "local" in tiers else 1.0
    remaining = budget_ms / 1000 * share - (time.monotonic() - started)
    result = await cloud.advise(projection, strategic=plan == Plan.EDGE_CLOUD_LOCAL, budget_s=max(0.01, remaining))
    estimates.observe("cloud", result.latency_ms if result.advice else max(result.latency_ms, remaining * 1000))
    if result.advice is None:
        return _with(decision, finding("CLOUD_UNAVAILABLE", key="no_cloud", reason=result.reason))
    provenance["advice"] = "cloud φ on the sanitized projection"
    if result.advice.raises_caution:
        patterns = ", ".join(result.advice.exploit_patterns) or "caution"
        return _with(decision, finding("CLOUD_CAUTION", reputation=result.advice.reputation, patterns=patterns))
    return decision


async def _consult_local(
    decision: Decision,
    request: dict,
    policy: Policy,
    pairing,
    budget_ms: int,
    started: float,
    estimates: LatencyEstimates,
    provenance: dict[str, Any],
) -> Decision:
    """The local verifier within what is left of the budget; past it, the decision stays as it is."""
    remaining = max(0.05, budget_ms / 1000 - (time.monotonic() - started))
    local_policy = replace(
        policy,
        routing=replace(
            policy.routing,
            latency_budget_ms={**policy.routing.latency_budget_ms, Plan.EDGE_LOCAL.budget_key: int(remaining * 1000)},
        ),
    )
    t0 = time.monotonic()
    try:
        # A hard deadline: the escalation's own timeouts are per read, a trickling peer could outlast them.
        result = await asyncio.wait_for(
            asyncio.to_thread(escalate, decision, request, pairing, local_policy), remaining
        )
    except Exception as exc:  # TimeoutError included
        estimates.observe("local", remaining * 1000)
        return _with(
            decision,
            finding("LOCAL_UNREACHABLE", error=type(exc).__name__),
        )
    estimates.observe("local", (time.monotonic() - t0) * 1000)
    if result.verdict_token:
        provenance["verdict"] = "local verifier (signed, bound to the digest)"
    return result


async def decide(
    request: dict,
    policy: Policy,
    pairing=None,
    cloud: CloudClient | None = None,
    estimates: LatencyEstimates | None = None,
    now: int | None = None,
    intent_reader=None,
) -> Decision:
    """The final decision for one request across the tiers the route picks (`intent_reader`: the nano model, for words)."""
    started = time.monotonic()
    estimates = estimates or LatencyEstimates()
    edge = evaluate_json(request, policy=policy, now=now, intent_reader=intent_reader)
    chosen = route(edge, policy, pairing is not None, cloud is not None, estimates)
    provenance: dict[str, Any] = {"verdict": "edge rules", "risk": "edge rules"}
    consulted: list[str] = []
    decision = replace(edge, plan=chosen.plan)
    tiers = chosen.plan.tiers
    budget_ms = policy.routing.latency_budget_ms.get(chosen.plan.budget_key, 5000)
    if "cloud" in tiers and cloud is not None:
        consulted.append("cloud")
        decision = await _consult_cloud(
            decision, edge, request, policy, cloud, chosen.plan, budget_ms, tiers, started, estimates, provenance
        )
    if "local" in tiers:
        consulted.append("local")
        decision = await _consult_local(decision, request, policy, pairing, budget_ms, started, estimates, provenance)
    route_record = {
        "plan": chosen.plan,
        "reason": chosen.reason,
        "excluded": chosen.excluded,
        "scores": chosen.scores,
        "consulted": consulted,
        "provenance": provenance,
    }
    return replace(
        decision,
        plan=chosen.plan,
        route=route_record,
        timings_us={**decision.timings_us, "route_total": int((time.monotonic() - started) * 1e6)},
    )
