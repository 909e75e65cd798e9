"""Rules on where assets go: swap output and transfers to someone other than the signer."""

from __future__ import annotations

from typing import Iterator

from dmind.policies.messages import Several

from ..decode.known_tokens import by_address
from ..findings import Finding, finding
from ..types import Call
from ..units import NATIVE_DECIMALS, Address, Amount, native_amount, token_amount
from .context import RuleContext, recipients_of, same_address, steps


def _recipients(ctx: RuleContext, action: str) -> Iterator[tuple[str, str, Amount | None]]:
    """Recipients of direct calls, with what one single-recipient step sends where its amount is known;
    router commands are `router.py`'s."""
    for step in steps(ctx.intent):
        if isinstance(step.node, Call) and step.action == action:
            recipients = recipients_of(step.roles)
            amount = step.roles.get("amount")
            sent = (
                token_amount(amount, step.roles.get("token") or step.to, ctx.chain_id)
                if len(recipients) == 1 and isinstance(amount, int) and not isinstance(amount, bool)
                else None
            )
            for recipient in recipients:
                if not same_address(recipient, ctx.signer):
                    yield recipient, step.where, sent


def swap_recipient_not_signer(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.signer is None:
        return
    for recipient, where, _ in _recipients(ctx, "swap"):
        yield finding(
            "SWAP_RECIPIENT_NOT_SIGNER", where, key="swap", recipient=Address(recipient), signer=Address(ctx.signer)
        )


def transfer_recipient_not_signer(ctx: RuleContext) -> Iterator[Finding]:
    for recipient, where, sent in _recipients(ctx, "transfer"):
        if sent is None:
            yield finding("TRANSFER_RECIPIENT_NOT_SIGNER", where, key="assets", recipient=Address(recipient))
        else:
            yield finding(
                "TRANSFER_RECIPIENT_NOT_SIGNER", where, key="token", amount=sent, recipient=Address(recipient)
            )
    for step in steps(ctx.intent):
        if step.action == "native_transfer" and step.value > 0 and not same_address(step.to, ctx.signer):
            yield finding(
                "TRANSFER_RECIPIENT_NOT_SIGNER",
                step.where,
                key="native",
                amount=native_amount(step.value, ctx.chain_id),
                recipient=Address(step.to),
            )


def signer_unknown(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.signer is None and any(s.action in ("swap", "transfer") for s in steps(ctx.intent)):
        yield finding("SIGNER_UNKNOWN", "from")


CURRENCY_ITEM_TYPES = (0, 1)  # Seaport: native token, ERC-20
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


def _paid(ctx: RuleContext, currency: tuple[int, str], amount: int) -> Amount:
    """A Seaport payment as a sentence shows it: the native coin (item type 0) or an ERC-20."""
    item_type, token = currency
    return native_amount(amount, ctx.chain_id) if item_type == 0 else token_amount(amount, token, ctx.chain_id)


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
                "SIGNER_MISMATCH",
                where,
                key="order",
                i=i,
                offerer=Address(offerer),
                signer=Address(ctx.payload.signer),
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
            yield finding("NFT_ORDER_NOTHING_BACK", where, i=i, items=len(order["offer"]), offerer=Address(offerer))
            continue
        for currency, amount in others.items():
            if amount >= own.get(currency, 0):
                yield finding(
                    "NFT_ORDER_PAYS_OTHERS",
                    where,
                    i=i,
                    amount=_paid(ctx, currency, amount),
                    own=_paid(ctx, currency, own.get(currency, 0)),
                )
        # Whatever is offered, it must come back as something of value: a coin the gate can value, above dust.
        floors = {currency: floor for currency in own if (floor := _dust_floor(ctx.chain_id, currency)) is not None}
        valued = {currency: amount for currency, amount in own.items() if currency in floors}
        if order["offer"] and not valued:
            yield finding("NFT_ORDER_VALUE_UNKNOWN", where, i=i)
        elif order["offer"] and all(amount < floors[currency] for currency, amount in valued.items()):
            paid = Several(tuple(_paid(ctx, currency, amount) for currency, amount in sorted(valued.items())))
            yield finding("NFT_ORDER_PRICE_DUST", where, i=i, items=len(order["offer"]), paid=paid)
