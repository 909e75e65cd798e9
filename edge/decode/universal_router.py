"""Uniswap Universal Router plans: the `commands` bytes and their `inputs`, decoded by name.

Command codes, names and input layouts follow the router's `Commands` library and
`Dispatcher` (v2, the V4-era router). Each command byte carries the allow-revert flag in
its top bit; the low six bits pick the command. Recipients `address(1)` (MSG_SENDER: the
signer) and `address(2)` (ADDRESS_THIS: the router itself) are sentinels the rules honour.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..abi.codec import AbiDecodeError
from ..abi.types import Tuple, parse_signature
from ..findings import finding
from ..types import Action, Command
from .calldata import (
    CONFIDENCE_KNOWN,
    CONFIDENCE_MALFORMED,
    CONFIDENCE_TRUNCATED,
    CONFIDENCE_UNKNOWN,
    BudgetExceeded,
    DecodeContext,
    decode_call,
    empty_batch_note,
    flatten_roles,
)

FLAG_ALLOW_REVERT = 0x80
COMMAND_TYPE_MASK = 0x3F
MSG_SENDER = "0x0000000000000000000000000000000000000001"
ADDRESS_THIS = "0x0000000000000000000000000000000000000002"

_PERMIT_SINGLE = (
    "((address token, uint160 amount, uint48 expiration, uint48 nonce) details, "
    "address spender, uint256 deadline) permitSingle"
)
_PERMIT_BATCH = "((address token, uint160 amount, uint48 expiration, uint48 nonce)[] grants, address spender, uint256 deadline) permitBatch"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    action: Action
    inputs: Tuple | None  # None: the input is raw calldata or bytes shown as is


def _inputs(params: str) -> Tuple:
    return parse_signature(f"inputs({params})").params


# code -> (name, action, input parameters or None)
_TABLE: dict[int, tuple[str, str, str | None]] = {
    0x00: (
        "V3_SWAP_EXACT_IN",
        "swap",
        "address recipient, uint256 amountIn, uint256 amountOutMin, bytes path, bool payerIsUser",
    ),
    0x01: (
        "V3_SWAP_EXACT_OUT",
        "swap",
        "address recipient, uint256 amountOut, uint256 amountInMax, bytes path, bool payerIsUser",
    ),
    0x02: ("PERMIT2_TRANSFER_FROM", "transfer", "address token, address recipient, uint160 amount"),
    0x03: ("PERMIT2_PERMIT_BATCH", "permit2", f"{_PERMIT_BATCH}, bytes signature"),
    0x04: ("SWEEP", "swap", "address token, address recipient, uint160 amountMin"),
    0x05: ("TRANSFER", "transfer", "address token, address recipient, uint256 value"),
    0x06: ("PAY_PORTION", "transfer", "address token, address recipient, uint256 bips"),
    0x08: (
        "V2_SWAP_EXACT_IN",
        "swap",
        "address recipient, uint256 amountIn, uint256 amountOutMin, address[] path, bool payerIsUser",
    ),
    0x09: (
        "V2_SWAP_EXACT_OUT",
        "swap",
        "address recipient, uint256 amountOut, uint256 amountInMax, address[] path, bool payerIsUser",
    ),
    0x0A: ("PERMIT2_PERMIT", "permit2", f"{_PERMIT_SINGLE}, bytes signature"),
    0x0B: ("WRAP_ETH", "wrap", "address recipient, uint256 amount"),
    0x0C: ("UNWRAP_WETH", "swap", "address recipient, uint256 amountMin"),
    0x0D: (
        "PERMIT2_TRANSFER_FROM_BATCH",
        "transfer",
        "(address from, address recipient, uint160 amount, address token)[] batchDetails",
    ),
    0x0E: ("BALANCE_CHECK_ERC20", "check", "address owner, address token, uint256 minBalance"),
    0x10: ("V4_SWAP", "swap", "bytes actions, bytes[] params"),
    0x11: ("V3_POSITION_MANAGER_PERMIT", "contract_call", None),
    0x12: ("V3_POSITION_MANAGER_CALL", "contract_call", None),
    0x13: (
        "V4_INITIALIZE_POOL",
        "contract_call",
        "(address currency0, address currency1, uint24 fee, int24 tickSpacing, address hooks) poolKey, uint160 "
        "sqrtPriceX96",
    ),
    0x14: ("V4_POSITION_MANAGER_CALL", "contract_call", None),
    0x21: ("EXECUTE_SUB_PLAN", "batch", "bytes commands, bytes[] inputs"),
}
# Decoded only as opaque bytes so far: the plan is shown but not understood, so γ drops.
OPAQUE = {"V4_SWAP"}
COMMANDS: dict[int, CommandSpec] = {
    code: CommandSpec(name, Action(action), _inputs(params) if params is not None else None)
    for code, (name, action, params) in _TABLE.items()
}


def decode_plan(
    commands: bytes, inputs: list, ctx: DecodeContext, depth: int, where: str
) -> tuple[tuple[Command, ...], float]:
    """Decode a plan into named commands and the lowest confidence among them, under the payload's one budget."""
    if not ctx.enter(commands, depth):
        ctx.bound_note(where)
        return (), CONFIDENCE_TRUNCATED
    if not commands:
        empty_batch_note(ctx, where, "the router plan")
    if len(commands) != len(inputs):
        ctx.notes.append(
            finding("CALLDATA_MALFORMED", where, key="command_count", commands=len(commands), inputs=len(inputs))
        )
        return (), CONFIDENCE_MALFORMED
    decoded: list[Command] = []
    confidence = CONFIDENCE_KNOWN
    for index, (byte, data) in enumerate(zip(commands, inputs)):
        here = f"{where}.commands[{index}]"
        spec = COMMANDS.get(byte & COMMAND_TYPE_MASK)
        allow_revert = bool(byte & FLAG_ALLOW_REVERT)
        if spec is None:
            ctx.notes.append(finding("UR_COMMAND_UNKNOWN", here, command=byte & COMMAND_TYPE_MASK))
            decoded.append(
                Command(
                    f"UNKNOWN_0x{byte & COMMAND_TYPE_MASK:02x}",
                    {"input": data},
                    allow_revert,
                    action=Action.CONTRACT_CALL,
                    where=here,
                )
            )
            confidence = min(confidence, CONFIDENCE_UNKNOWN)
            continue
        if spec.inputs is None:
            # Raw calldata the router forwards to its configured position manager.
            inner = decode_call(ADDRESS_THIS, 0, data, ctx, depth + 1, f"{here}.calls[0]")
            decoded.append(
                Command(spec.name, {"calldata": data}, allow_revert, calls=(inner,), action=spec.action, where=here)
            )
            confidence = min(confidence, inner.confidence)
            continue
        try:
            args = ctx.decode(spec.inputs, data, here)
        except BudgetExceeded:
            ctx.bound_note(here)
            return tuple(decoded), CONFIDENCE_TRUNCATED
        except AbiDecodeError as exc:
            ctx.notes.append(finding("CALLDATA_MALFORMED", here, key="command_input", name=spec.name, error=str(exc)))
            decoded.append(Command(spec.name, {"input": data}, allow_revert, action=spec.action, where=here))
            confidence = CONFIDENCE_MALFORMED
            continue
        sub: tuple[Command, ...] = ()
        if spec.name in OPAQUE:
            ctx.notes.append(finding("CALLDATA_UNDECODED", here, key="actions", name=spec.name))
            confidence = min(confidence, CONFIDENCE_UNKNOWN)
        if spec.name == "EXECUTE_SUB_PLAN":
            sub, sub_confidence = decode_plan(args["commands"], args["inputs"], ctx, depth + 1, here)
            confidence = min(confidence, sub_confidence)
        decoded.append(
            Command(
                spec.name, args, allow_revert, commands=sub, action=spec.action, roles=flatten_roles(args), where=here
            )
        )
    return tuple(decoded), confidence
