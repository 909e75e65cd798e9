"""Rules on Universal Router plans: where each command sends assets, and what is left behind.

Recipients `address(1)` (the caller, i.e. the signer) and `address(2)` (the router itself)
are sentinels. A command that sends to anyone else is a finding whose weight depends on
what the command moves: swap output, the signer's own tokens pulled through Permit2, or a
fee portion. Output sent to the router must be taken out again by a later command, or it
stays there for the next caller to sweep.
"""

from __future__ import annotations

from typing import Iterator

from ..decode.universal_router import ADDRESS_THIS, MSG_SENDER
from ..findings import Finding, finding
from ..types import Call, Command
from ..units import Address, native_amount
from .context import RuleContext, same_address, steps

# Commands whose `recipient` receives output the signer is buying.
OUTPUT_COMMANDS = frozenset(
    {
        "V3_SWAP_EXACT_IN",
        "V3_SWAP_EXACT_OUT",
        "V2_SWAP_EXACT_IN",
        "V2_SWAP_EXACT_OUT",
        "SWEEP",
        "UNWRAP_WETH",
        "WRAP_ETH",
    }
)
# Commands that move the signer's tokens (via Permit2) or the router's balance to `recipient`.
PAYMENT_COMMANDS = frozenset({"PERMIT2_TRANSFER_FROM", "PERMIT2_TRANSFER_FROM_BATCH", "TRANSFER"})
# Commands that take what the router holds (the rest of the plan can no longer strand it).
DRAINING_COMMANDS = frozenset({"SWEEP", "UNWRAP_WETH", "TRANSFER"})
# Interface fees above this share are not fees: PAY_PORTION of more than 1% is a payment.
MAX_FEE_BIPS = 100
# The router's "everything it holds" amount, and the token address that means native ETH.
CONTRACT_BALANCE = 1 << 255
NATIVE = "0x" + "00" * 20
# Commands that take the router's native ETH balance out (token = NATIVE), or settle native ETH themselves.
ETH_TAKERS = frozenset({"SWEEP", "TRANSFER", "PAY_PORTION"})


def _plan(commands: tuple[Command, ...]) -> Iterator[Command]:
    for command in commands:
        yield command
        yield from _plan(command.commands)


def _router_calls(ctx: RuleContext) -> Iterator[Call]:
    for step in steps(ctx.intent):
        if isinstance(step.node, Call) and step.node.commands:
            yield step.node


def _is_sentinel(address: object) -> bool:
    return same_address(address, MSG_SENDER) or same_address(address, ADDRESS_THIS)


def _recipients(command: Command) -> list[str]:
    if command.name == "PERMIT2_TRANSFER_FROM_BATCH":
        return [d["recipient"] for d in command.args.get("batchDetails", [])]
    recipient = command.roles.get("recipient")
    return [recipient] if isinstance(recipient, str) else []


def router_recipients(ctx: RuleContext) -> Iterator[Finding]:
    for call in _router_calls(ctx):
        for command in _plan(call.commands):
            for recipient in _recipients(command):
                if _is_sentinel(recipient) or same_address(recipient, ctx.signer):
                    continue
                if command.name in OUTPUT_COMMANDS:
                    yield finding(
                        "SWAP_RECIPIENT_NOT_SIGNER",
                        command.where,
                        key="command",
                        name=command.name,
                        recipient=Address(recipient),
                    )
                elif command.name in PAYMENT_COMMANDS:
                    yield finding(
                        "ROUTER_TRANSFER_TO_THIRD_PARTY",
                        command.where,
                        key="command",
                        name=command.name,
                        recipient=Address(recipient),
                    )
                elif command.name == "PAY_PORTION":
                    bips = command.args.get("bips", 0)
                    if bips > MAX_FEE_BIPS:
                        yield finding(
                            "ROUTER_TRANSFER_TO_THIRD_PARTY",
                            command.where,
                            key="portion",
                            percent=bips / 100,
                            recipient=Address(recipient),
                        )
                    else:
                        yield finding(
                            "TRANSFER_RECIPIENT_NOT_SIGNER",
                            command.where,
                            key="fee",
                            percent=bips / 100,
                            recipient=Address(recipient),
                        )


def _eth_left(call: Call) -> int:
    """Native ETH sent with the plan that no command wraps, sweeps or settles: it stays in the router."""
    used = 0
    for command in _plan(call.commands):
        if command.name == "WRAP_ETH":
            if command.args.get("amount") == CONTRACT_BALANCE:
                return 0
            used += command.args.get("amount", 0)
        elif command.name == "V4_SWAP" or (
            command.name in ETH_TAKERS and same_address(command.args.get("token"), NATIVE)
        ):
            return 0  # V4 settles native ETH itself (and is judged opaque elsewhere); a native sweep takes the rest
    return max(call.value - used, 0)


def router_stranded_output(ctx: RuleContext) -> Iterator[Finding]:
    for call in _router_calls(ctx):
        left = _eth_left(call) if call.value else 0
        if left:
            yield finding(
                "ROUTER_OUTPUT_STRANDED", call.where, key="native_left", amount=native_amount(left, ctx.chain_id)
            )
        holding = None
        for command in _plan(call.commands):
            if command.name in DRAINING_COMMANDS or command.roles.get("payerIsUser") is False:
                holding = None
            if command.name in OUTPUT_COMMANDS and same_address(command.roles.get("recipient"), ADDRESS_THIS):
                holding = command
        if holding is not None:
            yield finding("ROUTER_OUTPUT_STRANDED", holding.where, key="output_left", name=holding.name)
