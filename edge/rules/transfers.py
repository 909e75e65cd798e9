"""Rules on where assets go: swap output and transfers to someone other than the signer."""

from __future__ import annotations

from typing import Iterator

from ..decode.known_tokens import by_address
from ..findings import Finding, finding
from ..types import Call
from .context import RuleContext, same_address, steps


def _recipients(ctx: RuleContext, action: str) -> Iterator[tuple[str, str]]:
    """Recipients of direct calls; router commands are `router.py`'s."""
    for step in steps(ctx.intent):
        recipient = step.roles.get("recipient")
        if isinstance(step.node, Call) and step.action == action and isinstance(recipient, str) and not same_address(recipient, ctx.signer):
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


CURRENCY_ITEM_TYPES = (0, 1)  # Seaport: native token, ERC-20
NATIVE_DECIMALS = 18
# A price under 10^-4 of a whole coin is dust; where a token's decimals are unknown, only amounts
# under 10^4 base units are, so a listing in an unknown currency is not judged by a guess.
DUST_WHOLE_FRACTION_DIGITS = 4
DUST_UNKNOWN_DECIMALS = 10**4


def _payments(consideration: list[dict], to_offerer: bool, offerer: str) -> dict[tuple[int, str], int]:
    """The least each currency pays (a decaying price is judged at its lowest), to the offerer or to everyone else."""
    totals: dict[tuple[int, str], int] = {}
    for item in consideration:
        if item["itemType"] in CURRENCY_ITEM_TYPES and same_address(item.get("recipient"), offerer) == to_offerer:
            key = (item["itemType"], item["token"].lower())
            totals[key] = totals.get(key, 0) + min(item["startAmount"], item["endAmount"])
    return totals


def _dust(chain_id: int | None, currency: tuple[int, str], amount: int) -> bool:
    item_type, token = currency
    decimals = NATIVE_DECIMALS if item_type == 0 else getattr(by_address(chain_id, token), "decimals", None)
    floor = DUST_UNKNOWN_DECIMALS if decimals is None else 10 ** max(decimals - DUST_WHOLE_FRACTION_DIGITS, 0)
    return amount < floor


def marketplace_orders(ctx: RuleContext) -> Iterator[Finding]:
    """Seaport orders: the signer must be the offerer, must be paid at every point of a decaying price, paid more
    than anyone else, and paid more than dust."""
    typed = ctx.intent.typed
    if typed is None or typed.action != "nft_order":
        return
    for i, order in enumerate(typed.roles.get("orders", [])):
        offerer, where = order["offerer"], f"typedData.message.orders[{i}]"
        if ctx.payload.signer is not None and not same_address(offerer, ctx.payload.signer):
            yield finding("SIGNER_MISMATCH", f"order {i} is offered by {offerer}, but {ctx.payload.signer} signs it", where)
        own, others = _payments(order["consideration"], True, offerer), _payments(order["consideration"], False, offerer)
        back = [c for c in order["consideration"] if same_address(c.get("recipient"), offerer) and min(c["startAmount"], c["endAmount"])]
        if order["offer"] and not back:
            yield finding("NFT_ORDER_NOTHING_BACK", f"order {i} gives away {len(order['offer'])} item(s) and, at the lowest "
                                                    f"point of its price, pays the offerer {offerer} nothing", where)
            continue
        for currency, amount in others.items():
            if amount >= own.get(currency, 0):
                yield finding("NFT_ORDER_PAYS_OTHERS", f"order {i} pays others {amount} of {currency[1]} and the offerer only {own.get(currency, 0)}", where)
        # Whatever is offered (an NFT, or a currency), a dust payment back gives it away; a bid is paid in items, not here.
        if order["offer"] and own and all(_dust(ctx.chain_id, currency, amount) for currency, amount in own.items()):
            paid = ", ".join(f"{amount} of {currency[1]}" for currency, amount in sorted(own.items()))
            yield finding("NFT_ORDER_PRICE_DUST", f"order {i} sells {len(order['offer'])} item(s) for {paid} at its lowest: a dust price", where)
