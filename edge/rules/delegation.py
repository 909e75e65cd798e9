"""Rules on EIP-7702 authorizations: who the account delegates to, and on which chain."""

from __future__ import annotations

from typing import Iterator

from dmind.policies.messages import Phrase

from ..findings import Finding, finding
from ..units import Address
from .context import ZERO_ADDRESS, RuleContext

ITS_SIGNER = Phrase("its signer", "其签名者")
AN_ACCOUNT = Phrase("an account", "一个账户")


def delegation(ctx: RuleContext) -> Iterator[Finding]:
    tx = ctx.payload.tx
    if tx is None:
        return
    for i, auth in enumerate(tx.authorizations):
        where = f"authorizationList[{i}]"
        if auth.address.lower() == ZERO_ADDRESS:
            yield finding(
                "DELEGATE_REVOKE", where, i=i, authority=Address(auth.authority) if auth.authority else ITS_SIGNER
            )
        elif not ctx.policy.allowed_delegate(ctx.chain, auth.address):
            yield finding(
                "DELEGATE_UNKNOWN",
                where,
                i=i,
                authority=Address(auth.authority) if auth.authority else AN_ACCOUNT,
                address=Address(auth.address),
            )
        if auth.chain_id == 0:
            yield finding("DELEGATION_ANY_CHAIN", where, i=i)
        elif ctx.request.chain_id is not None and auth.chain_id != ctx.request.chain_id:
            yield finding(
                "CHAIN_ID_MISMATCH",
                where,
                key="authorization",
                i=i,
                chain_id=auth.chain_id,
                wallet=ctx.request.chain_id,
            )
