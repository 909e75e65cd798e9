"""Deep verification f_L(z, c_priv): the payload decoded again, then checked against private context.

The daemon never takes the edge's word for what a payload does: it decodes the escalated
request itself (the same decoder, run on the raw request) and compares its reading with the
edge's (eq. 7: a divergence Δ over action, counterparties, tokens and amounts; above ε the
verdict is tightened). Then rules that only the user's own data can answer: first contact,
address poisoning, exposure over the user's limit, the user's deny list, a spender never used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dmind.edge import (
    ZERO_ADDRESS,
    Address,
    Decision,
    Finding,
    Severity,
    Verdict,
    action_lines,
    combine_risk,
    comparable_reading,
    evaluate_json,
    finding,
    grants,
    looks_like,
    rule_context,
    steps,
    token_amount,
)
from dmind.policies import Policy
from dmind.policies.messages import Phrase, Several, Shown, message
from dmind.policies.vocabulary import Lang

from .store import ContextStore

# A disagreement between the tiers means one of them was fooled: the console's reading may be the wrong one.
# A payload the verifier cannot read well enough shows you a reading it does not vouch for.
NOT_FOR_THE_USER = frozenset({"CROSS_TIER_DIVERGENCE", "PAYLOAD_UNREADABLE"})

EPSILON = 0.2  # tolerated divergence between the edge's reading and ours (one component of four differs: 0.25)
# The local tier's own codes (USER_DENYLISTED, ADDRESS_POISONING, …) live in the one catalogue, `dmind.edge.findings`.


@dataclass(frozen=True, slots=True)
class LocalResult:
    verdict: Verdict  # ALLOW or BLOCK: a local result settles a STEP_UP
    digest: bytes | None  # what the verifier itself decoded: the only bytes a verdict may name
    signer: str | None
    risk: float
    reason: Shown  # why, in either language (`explanation` is the English)
    findings: tuple[Finding, ...]
    divergence: float
    intent: dict[str, Any] = field(default_factory=dict)
    user_may_decide: bool = False  # blocked on private context alone (no critical finding): the user may overrule
    actions: tuple[str, ...] = ()  # what the payload does, as the verifier decoded it (`dmind.edge.readable`)
    payload_findings: tuple[Finding, ...] = ()  # the gate's own, on the verifier's decoding: why it stepped up

    @property
    def explanation(self) -> str:
        return self.reason.text(Lang.EN)


def divergence(edge: dict, local: dict) -> float:
    """Δ: the share of the four components (action, counterparties, tokens, amounts) that differ."""
    keys = ("action", "counterparties", "tokens", "amounts")
    return sum(edge.get(k) != local.get(k) for k in keys) / len(keys)


def private_findings(summary: dict, decision: Decision, store: ContextStore, policy: Policy, now: int) -> list[Finding]:
    """The findings only the user's own data can make: deny list, look-alikes, first contacts, limits."""
    found: list[Finding] = []
    used = store.used_addresses()
    for party in summary["counterparties"]:
        if store.listed(party, "deny"):
            found.append(finding("USER_DENYLISTED", party=Address(party)))
            continue
        known = party in used or store.label(party) or store.listed(party, "allow")
        twins = [] if known else [u for u in used if looks_like(party, u)]
        if twins:
            label = store.label(twins[0])
            found.append(
                finding(
                    "ADDRESS_POISONING", party=Address(party, full=True), twin=Address(twins[0], full=True, label=label)
                )
            )
        elif not (known or store.interacted(party)):
            found.append(finding("FIRST_INTERACTION", party=Address(party)))
    if decision.intent is not None and decision.payload is not None:
        chain_id = decision.payload.chain_id
        for grant in grants(rule_context(decision, policy, now)):
            spender = (grant.spender or "").lower()
            # any amount: approve(spender, 0) hands token #0 to spender on an ERC-721
            if (
                spender
                and spender != ZERO_ADDRESS
                and not (store.interacted(spender, ("approve",)) or store.listed(spender, "allow"))
            ):
                found.append(finding("SPENDER_NEVER_USED", key="spender", spender=Address(spender)))
            holding = store.holding(grant.token) if grant.token else None
            if holding and holding[1] is not None and grant.amount > holding[1]:
                found.append(
                    finding(
                        "EXPOSURE_OVER_LIMIT",
                        key="approval",
                        amount=token_amount(grant.amount, grant.token, chain_id),
                        limit=token_amount(holding[1], grant.token, chain_id, unlimited=False),
                    )
                )
        for step in steps(decision.intent):
            operator = step.roles.get("operator")
            if (
                step.action == "set_approval_for_all"
                and step.roles.get("approved") is True
                and isinstance(operator, str)
                and not (store.interacted(operator, ("approve",)) or store.listed(operator, "allow"))
            ):
                found.append(finding("SPENDER_NEVER_USED", key="operator", operator=Address(operator)))
            token, amount = step.to, step.roles.get("amount")
            if step.action == "transfer" and isinstance(amount, int) and token:
                holding = store.holding(token)
                if holding and holding[1] is not None and amount > holding[1]:
                    found.append(
                        finding(
                            "EXPOSURE_OVER_LIMIT",
                            key="send",
                            amount=token_amount(amount, token, chain_id),
                            limit=token_amount(holding[1], token, chain_id, unlimited=False),
                        )
                    )
    return found


def _said(f: Finding) -> Shown:
    return f.said if f.said is not None else Phrase(f.message, f.message)


def verify(
    request: dict,
    edge_summary: dict,
    store: ContextStore,
    policy: Policy,
    now: int,
    *,
    private_rules: bool = True,
    cross_tier: bool = True,
) -> LocalResult:
    """The local verdict on an escalated request.

    `private_rules` and `cross_tier` exist for the ablation benchmark (`dmind-edge bench`), which
    measures what each part contributes; the daemon always runs both.
    """
    decision = evaluate_json(request, policy=policy, now=now)
    local = comparable_reading(decision, policy, now)
    delta = divergence(edge_summary, local)
    found = private_findings(local, decision, store, policy, now) if private_rules else []
    if decision.intent is not None and decision.intent.confidence < policy.thresholds.tau_conf:
        found.append(finding("PAYLOAD_UNREADABLE", confidence=decision.intent.confidence))
    if cross_tier and delta > EPSILON:
        found.append(finding("CROSS_TIER_DIVERGENCE", delta=delta, edge=edge_summary, local=local))
    risk = combine_risk(tuple(found))
    blocking = [f for f in found if f.severity in (Severity.HIGH, Severity.CRITICAL)]
    why: Shown
    if decision.verdict == Verdict.BLOCK:
        edge_reason = decision.reason or Phrase(decision.explanation, decision.explanation)
        verdict, why = Verdict.BLOCK, message("explain.payload_blocked", reason=edge_reason)
    elif blocking:
        verdict, why = Verdict.BLOCK, _said(blocking[0])
    else:
        verdict = Verdict.ALLOW
        reasons = Several(tuple(_said(f) for f in found)) if found else message("explain.no_private_risk")
        why = message("explain.private_allowed", reasons=reasons)
    payload = decision.payload
    return LocalResult(
        verdict,
        payload.digest if payload else None,
        payload.signer if payload else None,
        risk,
        why,
        tuple(found),
        delta,
        local,
        verdict == Verdict.BLOCK
        and decision.verdict != Verdict.BLOCK
        and all(
            f.severity != Severity.CRITICAL and f.code not in NOT_FOR_THE_USER for f in found + list(decision.findings)
        ),
        tuple(action_lines(decision)),
        decision.findings,
    )
