"""Rules on EIP-7702 authorizations: who the account delegates to, and on which chain."""

from __future__ import annotations

from typing import Iterator

from ..findings import Finding, finding
from .context import ZERO_ADDRESS, RuleContext


def delegation(ctx: RuleContext) -> Iterator[Finding]:
    tx = ctx.payload.tx
    if tx is None:
        return
    for i, auth in enumerate(tx.authorizations):
        where = f"authorizationList[{i}]"
        if auth.address.lower() == ZERO_ADDRESS:
            yield finding(
                "DELEGATE_REVOKE", f"authorization {i} clears the delegation of {auth.authority or 'its signer'}", where
            )
        elif not ctx.policy.allowed_delegate(ctx.chain_id, auth.address):
            yield finding(
                "DELEGATE_UNKNOWN",
                f"authorization {i} delegates {auth.authority or 'an account'} to {auth.address}, "
                "which is not in the policy's delegate allowlist",
                where,
            )
        if auth.chain_id == 0:
            yield finding(
                "DELEGATION_ANY_CHAIN", f"authorization {i} has chain id 0 and is valid on every chain", where
            )
        elif ctx.request.chain_id is not None and auth.chain_id != ctx.request.chain_id:
            yield finding(
                "CHAIN_ID_MISMATCH",
                f"authorization {i} is for chain {auth.chain_id}, the wallet is on chain {ctx.request.chain_id}",
                where,
            )
