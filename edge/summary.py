"""A decision's comparable reading: what it does, with whom, with which tokens and amounts.

Tiers compare these (the local verifier's cross-tier consistency, eq. 7), so both compute
them with this one function, each from its own decoding of the raw request.
"""

from __future__ import annotations

from typing import Any

from dmind.policies import Policy

from .rules.approvals import grants
from .rules.context import RuleContext, canonical_address, steps
from .solana.registry import PROGRAMS
from .types import Decision, Request

# Roles whose address receives or controls something: EVM's, then Solana's (delegates, new authorities, token accounts).
COUNTERPARTY_ROLES = ("recipient", "spender", "operator", "newOwner", "implementation", "delegate", "new_authority",
                      "destination", "new_account")  # fmt: skip
SOLANA_STANDARDS = frozenset(program.standard for program in PROGRAMS.values())


def rule_context(decision: Decision, policy: Policy, now: int) -> RuleContext:
    """The rules' view of a decided payload (for reading grants and steps after the fact)."""
    payload = decision.payload
    request = Request("", (), payload.chain_id if payload else None, payload.signer if payload else None)
    return RuleContext(request, payload, decision.intent, policy, now)  # type: ignore[arg-type]


def comparable_reading(decision: Decision, policy: Policy, now: int) -> dict[str, Any]:
    """The comparable reading of a decision: action, counterparties, tokens, amounts (sorted, lower-case)."""
    if decision.intent is None or decision.payload is None:
        return {"action": None, "counterparties": [], "tokens": [], "amounts": []}
    ctx = rule_context(decision, policy, now)
    counterparties, tokens, amounts = set(), set(), set()
    for step in steps(decision.intent):
        for role in COUNTERPARTY_ROLES:
            value = step.roles.get(role)
            if isinstance(value, str):
                counterparties.add(canonical_address(value))
        solana = getattr(step.node, "standard", None) in SOLANA_STANDARDS
        if solana and step.value:  # SOL moved by a transfer or into a new account; the recipient is a role
            amounts.add(str(step.value))
        elif step.action == "native_transfer" and step.to:
            counterparties.add(step.to.lower())
            amounts.add(str(step.value))
        elif (
            step.action in ("contract_call", "contract_creation")
            and getattr(step.node, "source", None) is None
            and step.to
        ):
            counterparties.add(step.to.lower())  # code nobody decoded: whoever runs it is a counterparty
        elif isinstance(step.roles.get("amount"), int):
            amounts.add(str(step.roles["amount"]))
            token = step.roles.get("mint") if solana else step.to  # an SPL amount is of its mint, not the program
            if isinstance(token, str):
                tokens.add(canonical_address(token))
    for grant in grants(ctx):
        if grant.spender:
            counterparties.add(grant.spender.lower())
        if grant.token:
            tokens.add(grant.token.lower())
        amounts.add(str(grant.amount))
    return {
        "action": decision.intent.action,
        "counterparties": sorted(counterparties),
        "tokens": sorted(tokens),
        "amounts": sorted(amounts),
    }
