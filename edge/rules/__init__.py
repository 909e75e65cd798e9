"""The rule table: small pure functions over (request, payload, intent, policy), each with its codes.

`assess` runs every rule and adds the findings parsing and decoding already made. The
codes listed per rule are the ones it may emit; `tests/edge/test_rules.py` shows each
firing and not firing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from ..findings import Finding
from ..types import DigestKind
from . import approvals, contracts, counterparties, delegation, intent, router, signing, solana, transfers
from .context import RuleContext


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    codes: tuple[str, ...]
    check: Callable[[RuleContext], Iterable[Finding]]
    family: str = "evm"  # the requests it reads: "evm", "solana" or "any"


RULES: tuple[Rule, ...] = (
    Rule("unlimited_approval", ("APPROVAL_UNLIMITED",), approvals.unlimited_approval),
    Rule("permit_deadline", ("PERMIT_NO_DEADLINE", "PERMIT_DEADLINE_FAR"), approvals.permit_deadline),
    Rule("approval_for_all", ("APPROVAL_FOR_ALL",), approvals.approval_for_all),
    Rule("spender_unknown", ("SPENDER_UNKNOWN",), approvals.spender_unknown),
    Rule("swap_recipient", ("SWAP_RECIPIENT_NOT_SIGNER",), transfers.swap_recipient_not_signer),
    Rule("transfer_recipient", ("TRANSFER_RECIPIENT_NOT_SIGNER",), transfers.transfer_recipient_not_signer),
    Rule("signer_unknown", ("SIGNER_UNKNOWN",), transfers.signer_unknown),
    Rule(
        "marketplace_orders",
        (
            "NFT_ORDER_NOTHING_BACK",
            "NFT_ORDER_PAYS_OTHERS",
            "NFT_ORDER_PRICE_DUST",
            "NFT_ORDER_VALUE_UNKNOWN",
            "SIGNER_MISMATCH",
        ),
        transfers.marketplace_orders,
    ),
    Rule(
        "router_recipients",
        ("SWAP_RECIPIENT_NOT_SIGNER", "ROUTER_TRANSFER_TO_THIRD_PARTY", "TRANSFER_RECIPIENT_NOT_SIGNER"),
        router.router_recipients,
    ),
    Rule("router_stranded_output", ("ROUTER_OUTPUT_STRANDED",), router.router_stranded_output),
    Rule(
        "delegation",
        ("DELEGATE_UNKNOWN", "DELEGATE_REVOKE", "DELEGATION_ANY_CHAIN", "CHAIN_ID_MISMATCH"),
        delegation.delegation,
    ),
    Rule("blind_signature", ("BLIND_SIGNATURE",), signing.blind_signature),
    Rule("chain_mismatch", ("CHAIN_ID_MISMATCH",), signing.chain_mismatch),
    Rule("typed_data_without_chain", ("TYPED_DATA_NO_CHAIN_ID",), signing.typed_data_without_chain),
    Rule("chain_context_missing", ("CHAIN_CONTEXT_MISSING",), signing.chain_context_missing),
    Rule("signer_mismatch", ("SIGNER_MISMATCH",), signing.signer_mismatch),
    Rule("siwe_domain", ("SIWE_DOMAIN_MISMATCH", "SIWE_ORIGIN_UNKNOWN"), signing.siwe_domain, "any"),
    Rule("look_alike_counterparty", ("ADDRESS_LOOKALIKE",), counterparties.look_alike, "any"),
    Rule("new_recipient", ("RECIPIENT_NEW",), counterparties.new_recipient, "any"),
    Rule("value_to_unknown_selector", ("VALUE_TO_UNKNOWN_SELECTOR",), contracts.value_to_unknown_selector),
    Rule("unverified_contract", ("CONTRACT_UNVERIFIED",), contracts.unverified_contract),
    Rule("admin_actions", ("OWNERSHIP_TRANSFER", "PROXY_UPGRADE"), contracts.admin_actions),
    Rule("contract_creation", ("CONTRACT_CREATION",), contracts.contract_creation),
    Rule("denylisted", ("ADDRESS_DENYLISTED",), contracts.denylisted, "any"),
    Rule("intent_binding", ("INTENT_MISMATCH",), intent.intent_binding),
    Rule("solana_authority_change", ("SOLANA_AUTHORITY_CHANGE",), solana.authority_change, "solana"),
    Rule("solana_account_assign", ("SOLANA_ACCOUNT_ASSIGN",), solana.account_assign, "solana"),
    Rule("solana_delegate", ("APPROVAL_UNLIMITED", "SPENDER_UNKNOWN"), solana.delegate_approval, "solana"),
    Rule("solana_close_to_other", ("SOLANA_CLOSE_TO_OTHER",), solana.close_to_other, "solana"),
    Rule("solana_durable_nonce", ("SOLANA_DURABLE_NONCE",), solana.durable_nonce, "solana"),
    Rule("solana_initial_authority", ("SOLANA_AUTHORITY_CHANGE",), solana.initial_authority, "solana"),
    Rule("solana_priority_fee", ("SOLANA_PRIORITY_FEE_HIGH",), solana.priority_fee, "solana"),
    Rule("solana_signers", ("SIGNER_MISMATCH", "SIGNER_UNKNOWN", "SOLANA_FEE_PAYER_OTHER"), solana.signers, "solana"),
    Rule("solana_transfers", ("TRANSFER_RECIPIENT_NOT_SIGNER",), solana.transfer_recipients, "solana"),
    Rule(
        "solana_swap_destination",
        ("SWAP_RECIPIENT_NOT_SIGNER", "SOLANA_SWAP_OUTPUT_UNBOUND"),
        solana.swap_destination,
        "solana",
    ),
    Rule("solana_intent_binding", ("INTENT_MISMATCH",), solana.intent_binding, "solana"),
)


def assess(ctx: RuleContext) -> tuple[Finding, ...]:
    """All findings for one request: parse and decode notes first, then every rule's."""
    found = list(ctx.payload.notes) + list(ctx.intent.notes)
    family = "solana" if ctx.payload.digest_kind == DigestKind.SOLANA_MESSAGE else "evm"
    for rule in RULES:
        if rule.family in (family, "any"):
            found.extend(rule.check(ctx))
    return tuple(found)
