"""Intent binding: does the payload do what the user asked?

An `EXECUTE_SWAP` is checked against the swaps the payload performs: the output token, the
input token (by address, or by symbol where the token is well known on the chain), the
input amount (where decimals are known), and that the output goes to the signer. A
`SEARCH_TOKEN` or a plain-text reply asked for nothing to be signed, so any transaction
contradicts it. Only contradictions are findings; what cannot be checked is left to the
other rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterator

from dmind.policies.messages import Several

from ..decode.known_tokens import by_address, by_symbol
from ..findings import Finding, finding
from ..nano.tools import EVM_ADDRESS
from ..units import Address, token_amount
from .context import RuleContext, same_address
from .swaps import Swap, swaps

ROUTER_SENTINELS = ("0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002")
AMOUNT_TOLERANCE = Decimal("0.01")  # 1%: wallets round what they show


def _mismatch(key: str, where: str = "stated_intent", **args: Any) -> Finding:
    return finding("INTENT_MISMATCH", where, key=key, **args)


def _expected_input(ctx: RuleContext, arguments: dict) -> tuple[str | None, int | None]:
    """The input token's address the user meant, and its decimals, where they can be known."""
    address = arguments.get("inputTokenCA")
    known = (
        by_address(ctx.chain_id, address)
        if address
        else by_symbol(ctx.chain_id, str(arguments.get("inputTokenSymbol", "")))
    )
    if address:
        return address, known.decimals if known else None
    return (known.address, known.decimals) if known else (None, None)


def _swap_checks(ctx: RuleContext, arguments: dict, found: list[Swap]) -> Iterator[Finding]:
    out_ca = arguments.get("outputTokenCA")
    if out_ca is not None and not EVM_ADDRESS.fullmatch(out_ca):
        yield _mismatch("not_evm_token", token=out_ca)
    elif out_ca is not None and not any(same_address(s.token_out, out_ca) for s in found):
        yield _mismatch(
            "output_token",
            found[0].where,
            token=Address(out_ca),
            found=Several(tuple(Address(s.token_out) for s in found)),
        )
    token_in, decimals = _expected_input(ctx, arguments)
    if token_in is not None and not any(same_address(s.token_in, token_in) for s in found):
        symbol = arguments.get("inputTokenSymbol")
        yield _mismatch(
            "input_token",
            found[0].where,
            symbol=symbol,
            token=Address(token_in),
            found=Several(tuple(Address(s.token_in) for s in found)),
        )
    amount = arguments.get("inputTokenAmount")
    if amount is not None and decimals is not None:
        wanted = Decimal(str(amount)) * (Decimal(10) ** decimals)
        for s in found:
            if (
                s.amount_in is not None
                and same_address(s.token_in, token_in)
                and abs(Decimal(s.amount_in) - wanted) > wanted * AMOUNT_TOLERANCE
            ):
                yield _mismatch(
                    "input_amount",
                    s.where,
                    asked=f"{amount} {arguments.get('inputTokenSymbol')}",
                    sold=token_amount(s.amount_in, token_in, ctx.chain_id, unlimited=False),
                )
    for s in found:
        if (
            s.recipient
            and s.recipient.lower() not in ROUTER_SENTINELS
            and ctx.signer
            and not same_address(s.recipient, ctx.signer)
        ):
            yield _mismatch("recipient", s.where, recipient=Address(s.recipient), signer=Address(ctx.signer))


def intent_binding(ctx: RuleContext) -> Iterator[Finding]:
    stated = ctx.stated
    if stated is None:
        return
    signs_transaction = ctx.payload.kind in ("transaction", "batch")
    if stated.name != "EXECUTE_SWAP":
        if signs_transaction:
            yield _mismatch("search" if stated.name == "SEARCH_TOKEN" else "no_action")
        return
    if not signs_transaction:
        return  # signatures (permits, orders) feed swaps; the transaction that spends them is checked
    found = list(swaps(ctx.intent))
    if not found:
        yield _mismatch("no_swap", action=ctx.intent.action)
        return
    yield from _swap_checks(ctx, stated.arguments, found)
