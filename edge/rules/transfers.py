"""Rules on where assets go: swap output and transfers to someone other than the signer."""

from __future__ import annotations

from typing import Iterator

from ..decode.universal_router import ADDRESS_THIS, MSG_SENDER
from ..findings import Finding, finding
from ..types import Command
from .context import RuleContext, same_address, steps

# Universal Router sentinels: address(1) is the caller (the signer), address(2) the router.
_ROUTER_SENTINELS = (MSG_SENDER.lower(), ADDRESS_THIS.lower())


def _recipients(ctx: RuleContext, action: str) -> Iterator[tuple[str, str]]:
    for step in steps(ctx.intent):
        recipient = step.roles.get("recipient")
        if step.action != action or not isinstance(recipient, str):
            continue
        if isinstance(step.node, Command) and recipient.lower() in _ROUTER_SENTINELS:
            continue
        if not same_address(recipient, ctx.signer):
            yield recipient, step.where


def swap_recipient_not_signer(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.signer is None:
        return
    for recipient, where in _recipients(ctx, "swap"):
        yield finding("SWAP_RECIPIENT_NOT_SIGNER", f"swap output goes to {recipient}, not to the signer {ctx.signer}", where)


def transfer_recipient_not_signer(ctx: RuleContext) -> Iterator[Finding]:
    for recipient, where in _recipients(ctx, "transfer"):
        yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", f"assets go to {recipient}", where)
    for step in steps(ctx.intent):
        if step.action == "native_transfer" and step.value > 0 and not same_address(step.to, ctx.signer):
            yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", f"{step.value} wei goes to {step.to}", step.where)


def signer_unknown(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.signer is None and any(s.action in ("swap", "transfer") for s in steps(ctx.intent)):
        yield finding("SIGNER_UNKNOWN", "no signing account is known, so the recipients of this payload cannot be checked", "from")


def order_nothing_back(ctx: RuleContext) -> Iterator[Finding]:
    typed = ctx.intent.typed
    if typed is None or typed.action != "nft_order":
        return
    for i, order in enumerate(typed.roles.get("orders", [])):
        offerer = order["offerer"]
        back = [c for c in order["consideration"] if same_address(c.get("recipient"), offerer) and (c["startAmount"] or c["endAmount"])]
        if order["offer"] and not back:
            yield finding("NFT_ORDER_NOTHING_BACK", f"order {i} gives away {len(order['offer'])} item(s) and pays the offerer {offerer} nothing", f"typedData.message.orders[{i}]")
