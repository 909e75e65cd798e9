"""Rules on where assets go: swap output and transfers to someone other than the signer."""

from __future__ import annotations

from typing import Iterator

from ..decode.known_tokens import by_address
from ..findings import Finding, finding
from ..types import Call
from .context import RuleContext, recipients_of, same_address, steps


def _recipients(ctx: RuleContext, action: str) -> Iterator[tuple[str, str]]:
    """Recipients of direct calls; router commands are `router.py`'s."""
    for step in steps(ctx.intent):
        if isinstance(step.node, Call) and step.action == action:
            for recipient in recipients_of(step.roles):
                if not same_address(recipient, ctx.signer):
                    yield recipient, step.where


def swap_recipient_not_signer(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.signer is None:
        return
    for recipient, where in _recipients(ctx, "swap"):
        yield finding(
            "SWAP_RECIPIENT_NOT_SIGNER", f"swap output goes to {recipient}, not to the signer {ctx.signer}", where
        )


def transfer_recipient_not_signer(ctx: RuleContext) -> Iterator[Finding]:
    for recipient, where in _recipients(ctx, "transfer"):
        yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", f"assets go to {recipient}", where)
    for step in steps(ctx.intent):
        if step.action == "native_transfer" and step.value > 0 and not same_address(step.to, ctx.signer):
            yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", f"{step.value} wei goes to {step.to}", step.where)


def signer_unknown(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.signer is None and any(s.action in ("swap", "transfer") for s in steps(ctx.intent)):
        yield finding(
            "SIGNER_UNKNOWN", "no signing account is known, so the recipients of this payload cannot be checked", "from"
        )


CURRENCY_ITEM_TYPES = (0, 1)  # Seaport: native token, ERC-20
NATIVE_DECIMALS = 18
# Below these fractions of a whole coin a payment is dust: 10^-4 of a coin (ETH, WBTC, …), 10^-2 of a
# stablecoin (a cent). Currencies the gate cannot value (unknown tokens, items) are not dust and not value.
DUST_FRACTION_DIGITS = 4
DUST_FRACTION_DIGITS_STABLE = 2


def _payments(consideration: list[dict], to_offerer: bool, offerer: str) -> dict[tuple[int, str], int]:
    """The least each currency pays (a decaying price is judged at its lowest), to the offerer or to everyone else."""
    totals: dict[tuple[int, str], int] = {}
    for item in consideration:
        if item["itemType"] in CURRENCY_ITEM_TYPES and same_address(item.get("recipient"), offerer) == to_offerer:
            key = (item["itemType"], item["token"].lower())
            totals[key] = totals.get(key, 0) + min(item["startAmount"], item["endAmount"])
    return totals


def _dust_floor(chain_id: int | None, currency: tuple[int, str]) -> int | None:
    """The least payment in `currency` that is not dust, or None where the gate cannot value the currency."""
    item_type, token = currency
    if item_type == 0:
        return 10 ** (NATIVE_DECIMALS - DUST_FRACTION_DIGITS)
    known = by_address(chain_id, token)
    if known is None:
        return None
    return 10 ** max(known.decimals - (DUST_FRACTION_DIGITS_STABLE if known.stable else DUST_FRACTION_DIGITS), 0)


def marketplace_orders(ctx: RuleContext) -> Iterator[Finding]:
    """Seaport orders: the signer must be the offerer, must be paid at every point of a decaying price, paid more
    than anyone else, and paid more than dust."""
    typed = ctx.intent.typed
    if typed is None or typed.action != "nft_order":
        return
    for i, order in enumerate(typed.roles.get("orders", [])):
        offerer, where = order["offerer"], f"typedData.message.orders[{i}]"
        if ctx.payload.signer is not None and not same_address(offerer, ctx.payload.signer):
            yield finding(
                "SIGNER_MISMATCH", f"order {i} is offered by {offerer}, but {ctx.payload.signer} signs it", where
            )
        own, others = (
            _payments(order["consideration"], True, offerer),
            _payments(order["consideration"], False, offerer),
        )
        back = [
            c
            for c in order["consideration"]
            if same_address(c.get("recipient"), offerer) and min(c["startAmount"], c["endAmount"])
        ]
        if order["offer"] and not back:
            yield finding(
                "NFT_ORDER_NOTHING_BACK",
                f"order {i} gives away {len(order['offer'])} item(s) and, at the lowest "
                f"point of its price, pays the offerer {offerer} nothing",
                where,
            )
            continue
        for currency, amount in others.items():
            if amount >= own.get(currency, 0):
                yield finding(
                    "NFT_ORDER_PAYS_OTHERS",
                    f"order {i} pays others {amount} of {currency[1]} and the offerer only {own.get(currency, 0)}",
                    where,
                )
        # Whatever is offered, it must come back as something of value: a coin the gate can value, above dust.
        floors = {currency: floor for currency in own if (floor := _dust_floor(ctx.chain_id, currency)) is not None}
        valued = {currency: amount for currency, amount in own.items() if currency in floors}
        if order["offer"] and not valued:
            yield finding(
                "NFT_ORDER_VALUE_UNKNOWN",
                f"order {i} pays the offerer only in items or tokens whose value the gate cannot judge",
                where,
            )
        elif order["offer"] and all(amount < floors[currency] for currency, amount in valued.items()):
            paid = ", ".join(f"{amount} of {currency[1]}" for currency, amount in sorted(valued.items()))
            yield finding(
                "NFT_ORDER_PRICE_DUST",
                f"order {i} gives away {len(order['offer'])} item(s) for {paid} at its lowest: a dust price",
                where,
            )
