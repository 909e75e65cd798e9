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
from typing import Iterator

from ..decode.known_tokens import by_address, by_symbol
from ..findings import Finding, finding
from ..nano.tools import EVM_ADDRESS
from .context import RuleContext, same_address
from .swaps import Swap, swaps

ROUTER_SENTINELS = ("0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002")
AMOUNT_TOLERANCE = Decimal("0.01")  # 1%: wallets round what they show


def _mismatch(message: str, where: str = "stated_intent") -> Finding:
    return finding("INTENT_MISMATCH", message, where)


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
        yield _mismatch(f"the user asked for the token {out_ca}, which is not on this EVM chain")
    elif out_ca is not None and not any(same_address(s.token_out, out_ca) for s in found):
        yield _mismatch(
            f"the user asked for {out_ca}; the payload swaps into {', '.join(str(s.token_out) for s in found)}",
            found[0].where,
        )
    token_in, decimals = _expected_input(ctx, arguments)
    if token_in is not None and not any(same_address(s.token_in, token_in) for s in found):
        symbol = arguments.get("inputTokenSymbol")
        yield _mismatch(
            f"the user asked to sell {symbol} ({token_in}); the payload sells "
            f"{', '.join(str(s.token_in) for s in found)}",
            found[0].where,
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
                    f"the user asked to sell {amount} {arguments.get('inputTokenSymbol')}; "
                    f"the payload sells {Decimal(s.amount_in) / (Decimal(10) ** decimals)}",
                    s.where,
                )
    for s in found:
        if (
            s.recipient
            and s.recipient.lower() not in ROUTER_SENTINELS
            and ctx.signer
            and not same_address(s.recipient, ctx.signer)
        ):
            yield _mismatch(
                f"the swap pays its output to {s.recipient}, not to the signer {ctx.signer} who asked for it", s.where
            )


def intent_binding(ctx: RuleContext) -> Iterator[Finding]:
    stated = ctx.stated
    if stated is None:
        return
    signs_transaction = ctx.payload.kind in ("transaction", "batch")
    if stated.name != "EXECUTE_SWAP":
        if signs_transaction:
            asked = "a token search" if stated.name == "SEARCH_TOKEN" else "no action"
            yield _mismatch(f"the user asked for {asked}, yet a transaction is to be signed")
        return
    if not signs_transaction:
        return  # signatures (permits, orders) feed swaps; the transaction that spends them is checked
    found = list(swaps(ctx.intent))
    if not found:
        yield _mismatch(f"the user asked for a swap; the payload performs none ({ctx.intent.action})")
        return
    yield from _swap_checks(ctx, stated.arguments, found)
