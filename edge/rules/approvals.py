"""Rules on allowances: unlimited amounts, permit deadlines, operators, unknown spenders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..findings import Finding, finding
from ..units import UNLIMITED_FLOOR, Address, Until, token_amount
from .context import UINT48_MAX, UINT256_MAX, ZERO_ADDRESS, RuleContext, same_address, steps

APPROVAL_ACTIONS = ("approve", "permit", "permit2")
# At or above 2^96-1 an allowance is unlimited in effect: it is the "infinite" of tokens that keep
# balances in uint96 (UNI, COMP), and 79 billion whole tokens at 18 decimals, more than all but a few
# meme coins have. It covers 2^256-1, 2^255, Permit2's 2^160-1, 2^128-1 and every near miss.


@dataclass(frozen=True, slots=True)
class Grant:
    """One allowance a payload would give: `spender` may move `amount` of `token`."""

    token: str | None
    spender: str | None
    amount: int
    expiration: int | None  # allowance expiry (Permit2), None where the standard has none
    deadline: int | None  # until when the signature itself can be used
    permit2: bool
    where: str


def _grants_of(action: str, roles: dict, token: str | None, where: str) -> Iterator[Grant]:
    if action not in APPROVAL_ACTIONS:
        return
    permit2 = action == "permit2"
    spender = roles.get("spender")
    deadline = roles.get("deadline")
    if "grants" in roles:
        for i, g in enumerate(roles["grants"]):
            yield Grant(
                g.get("token"),
                spender,
                g.get("amount", 0),
                g.get("expiration"),
                deadline,
                permit2,
                f"{where}.grants[{i}]",
            )
    elif spender is not None:
        amount = UINT256_MAX if roles.get("allowed") is True else roles.get("amount", 0)
        if "allowed" in roles and deadline == 0:
            deadline = UINT256_MAX  # a DAI permit with expiry 0 never expires
        yield Grant(roles.get("token", token), spender, amount, roles.get("expiration"), deadline, permit2, where)


def grants(ctx: RuleContext) -> Iterator[Grant]:
    """Every allowance in calls, router commands and typed data."""
    for step in steps(ctx.intent):
        yield from _grants_of(step.action, step.roles, step.to, step.where)
    typed = ctx.intent.typed
    if typed is not None:
        yield from _grants_of(typed.action, typed.roles, None, "typedData.message")


def _unlimited(grant: Grant) -> bool:
    return grant.amount >= UNLIMITED_FLOOR


def unlimited_approval(ctx: RuleContext) -> Iterator[Finding]:
    for g in grants(ctx):
        limit = ctx.policy.approval_limit(ctx.chain, g.token) if g.token else None
        if _unlimited(g):
            yield finding(
                "APPROVAL_UNLIMITED",
                g.where,
                key="unlimited",
                spender=Address(g.spender),
                amount=token_amount(g.amount, g.token, ctx.chain_id, unlimited=True),
            )
        elif limit is not None and g.amount > limit:
            yield finding(
                "APPROVAL_UNLIMITED",
                g.where,
                key="over_limit",
                spender=Address(g.spender),
                amount=token_amount(g.amount, g.token, ctx.chain_id),
                limit=token_amount(limit, g.token, ctx.chain_id, unlimited=False),
            )


def permit_deadline(ctx: RuleContext) -> Iterator[Finding]:
    horizon = ctx.now + ctx.policy.max_permit_lifetime_s
    for g in grants(ctx):
        if g.amount == 0:
            continue
        for label, value in (("signature deadline", g.deadline), ("allowance expiration", g.expiration)):
            if value is None:
                continue
            if value >= UINT48_MAX:
                yield finding("PERMIT_NO_DEADLINE", g.where, label=label, spender=Address(g.spender))
            elif value > horizon:
                yield finding(
                    "PERMIT_DEADLINE_FAR", g.where, label=label, spender=Address(g.spender), until=Until(value, ctx.now)
                )


def approval_for_all(ctx: RuleContext) -> Iterator[Finding]:
    for step in steps(ctx.intent):
        if step.action == "set_approval_for_all" and step.roles.get("approved") is True:
            yield finding(
                "APPROVAL_FOR_ALL",
                step.where,
                operator=Address(step.roles.get("operator")),
                collection=Address(step.to),
            )


def spender_unknown(ctx: RuleContext) -> Iterator[Finding]:
    """An unknown spender whatever the amount: `approve(spender, 0)` is a revoke on ERC-20 but hands
    token #0 to `spender` on ERC-721, and the selector cannot say which the token is."""
    for g in grants(ctx):
        if (
            g.spender
            and not same_address(g.spender, ZERO_ADDRESS)
            and not ctx.policy.known_spender(ctx.chain, g.spender)
        ):
            yield finding("SPENDER_UNKNOWN", g.where, key="spender", spender=Address(g.spender), chain_id=ctx.chain_id)
    for step in steps(ctx.intent):
        operator = step.roles.get("operator")
        if (
            step.action == "set_approval_for_all"
            and step.roles.get("approved") is True
            and operator
            and not ctx.policy.known_spender(ctx.chain, operator)
        ):
            yield finding(
                "SPENDER_UNKNOWN", step.where, key="operator", operator=Address(operator), chain_id=ctx.chain_id
            )
