"""The rule table: small pure functions over (request, payload, intent, policy), each with its codes.

`assess` runs every rule and adds the findings parsing and decoding already made. The
codes listed per rule are the ones it may emit; `tests/edge/test_rules.py` shows each
firing and not firing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..findings import Finding
from . import approvals, contracts, delegation, signing, transfers
from .context import RuleContext


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    codes: tuple[str, ...]
    check: Callable[[RuleContext], Iterable[Finding]]


RULES: tuple[Rule, ...] = (
    Rule("unlimited_approval", ("APPROVAL_UNLIMITED",), approvals.unlimited_approval),
    Rule("permit_deadline", ("PERMIT_NO_DEADLINE", "PERMIT_DEADLINE_FAR"), approvals.permit_deadline),
    Rule("approval_for_all", ("APPROVAL_FOR_ALL",), approvals.approval_for_all),
    Rule("spender_unknown", ("SPENDER_UNKNOWN",), approvals.spender_unknown),
    Rule("swap_recipient", ("SWAP_RECIPIENT_NOT_SIGNER",), transfers.swap_recipient_not_signer),
    Rule("transfer_recipient", ("TRANSFER_RECIPIENT_NOT_SIGNER",), transfers.transfer_recipient_not_signer),
    Rule("signer_unknown", ("SIGNER_UNKNOWN",), transfers.signer_unknown),
    Rule("order_nothing_back", ("NFT_ORDER_NOTHING_BACK",), transfers.order_nothing_back),
    Rule("delegation", ("DELEGATE_UNKNOWN", "DELEGATE_REVOKE", "DELEGATION_ANY_CHAIN", "CHAIN_ID_MISMATCH"), delegation.delegation),
    Rule("blind_signature", ("BLIND_SIGNATURE",), signing.blind_signature),
    Rule("chain_mismatch", ("CHAIN_ID_MISMATCH",), signing.chain_mismatch),
    Rule("chain_context_missing", ("CHAIN_CONTEXT_MISSING",), signing.chain_context_missing),
    Rule("signer_mismatch", ("SIGNER_MISMATCH",), signing.signer_mismatch),
    Rule("siwe_domain", ("SIWE_DOMAIN_MISMATCH",), signing.siwe_domain),
    Rule("value_to_unknown_selector", ("VALUE_TO_UNKNOWN_SELECTOR",), contracts.value_to_unknown_selector),
    Rule("admin_actions", ("OWNERSHIP_TRANSFER", "PROXY_UPGRADE"), contracts.admin_actions),
    Rule("contract_creation", ("CONTRACT_CREATION",), contracts.contract_creation),
    Rule("denylisted", ("ADDRESS_DENYLISTED",), contracts.denylisted),
)


def assess(ctx: RuleContext) -> tuple[Finding, ...]:
    """All findings for one request: parse and decode notes first, then every rule's."""
    found = list(ctx.payload.notes) + list(ctx.intent.notes)
    for rule in RULES:
        found.extend(rule.check(ctx))
    return tuple(found)
