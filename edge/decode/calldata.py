"""Calldata to a tree of `Call`s: the built-in registry, ERC-7730 descriptors, nested calls.

Nesting (multicall, Safe `execTransaction` and `multiSend`, Universal Router plans) is
expanded recursively under one budget per payload (`DecodeContext`): depth
(`MAX_CALL_DEPTH`), calls and plans (`MAX_CALLS_TOTAL`), calldata handed to a decoder
(`MAX_DECODED_CALLDATA_BYTES`) and words and bytes the ABI decoder produces
(`MAX_ABI_DECODED_BYTES`, which offsets aliasing one blob cannot multiply). Past a bound the
call is kept undecoded and a finding says so, so a hostile payload costs a finding, not a
crash or a slow gate.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from dmind.policies.messages import Phrase

from ..abi.codec import AbiDecodeError, decode_with_extent
from ..crypto import to_checksum
from ..findings import Finding, finding
from ..limits import MAX_ABI_DECODED_BYTES, MAX_CALL_DEPTH, MAX_CALLS_TOTAL, MAX_DECODED_CALLDATA_BYTES
from ..types import Action, Call
from ..units import Address
from .erc7730 import DescriptorIndex
from .functions import REGISTRY

# Confidence γ of one call, by how well it was understood.
CONFIDENCE_KNOWN = 1.0
CONFIDENCE_DESCRIPTOR_ONLY = 0.9
CONFIDENCE_CREATION = 0.5
CONFIDENCE_UNKNOWN = 0.3
CONFIDENCE_MALFORMED = 0.0
CONFIDENCE_TRUNCATED = 0.2
UNKNOWN_CODE = Phrase("unknown code", "未知代码")  # a Safe call whose target function is not decoded


class BudgetExceeded(AbiDecodeError):
    """The payload's decoding budget is spent: what is left is not inspected."""


@dataclass
class DecodeContext:
    """Per-payload state: the budget spent, the descriptors and the findings made on the way."""

    chain_id: int | None
    descriptors: DescriptorIndex | None = None
    calls: int = 0
    bytes_decoded: int = 0
    abi_bytes: int = 0
    notes: list[Finding] = field(default_factory=list)

    def charge(self, n: int) -> None:
        """Pay for `n` bytes the ABI decoder reads or produces; raises BudgetExceeded past the bound."""
        self.abi_bytes += n
        if self.abi_bytes > MAX_ABI_DECODED_BYTES:
            raise BudgetExceeded(f"decoding this payload would produce more than {MAX_ABI_DECODED_BYTES} bytes")

    def enter(self, data: bytes, depth: int) -> bool:
        """Count one call or plan of `data` at `depth`; False once any bound is passed."""
        self.calls += 1
        self.bytes_decoded += len(data)
        return (
            self.calls <= MAX_CALLS_TOTAL
            and self.bytes_decoded <= MAX_DECODED_CALLDATA_BYTES
            and depth <= MAX_CALL_DEPTH
        )

    def decode(self, params, data: bytes, where: str | None):
        """ABI-decode under the budget; bytes past the encoding are flagged at `where` (None: already flagged)."""
        args, extent = decode_with_extent(params, data, self.charge)
        if where is not None and extent < len(data):
            self.notes.append(finding("CALLDATA_TRAILING_BYTES", where, size=len(data) - extent))
        return args

    def bound_note(self, where: str) -> None:
        self.notes.append(
            finding(
                "CALL_NESTING_EXCEEDED",
                where,
                depth=MAX_CALL_DEPTH,
                calls=MAX_CALLS_TOTAL,
                calldata_bytes=MAX_DECODED_CALLDATA_BYTES,
                decoded_bytes=MAX_ABI_DECODED_BYTES,
            )
        )


def flatten_roles(args: object, roles: dict | None = None) -> dict:
    """Named values at any depth of nested structs, outermost first: what rules look up."""
    roles = {} if roles is None else roles
    if isinstance(args, dict):
        for key, value in args.items():
            if isinstance(value, dict):
                flatten_roles(value, roles)
            else:
                roles.setdefault(key, value)
    return roles


def _positional(args: dict | list) -> list:
    return list(args.values()) if isinstance(args, dict) else list(args)


def _rename(spec_args: dict, names: tuple) -> dict:
    """Re-key decoded top-level values with descriptor names (same types, other labels)."""
    values = _positional(spec_args)
    return {(name or f"arg{i}"): value for i, (name, value) in enumerate(zip(names, values))}


def decode_call(
    to: str | None, value: int, data: bytes, ctx: DecodeContext, depth: int = 0, where: str = "calls[0]"
) -> Call:
    """Decode one call and everything nested in it."""
    within = ctx.enter(data, depth)
    if to is None:
        return Call(to, value, data, Action.CONTRACT_CREATION, confidence=CONFIDENCE_CREATION, where=where)
    if not data:
        return Call(to, value, data, Action.NATIVE_TRANSFER, roles={"recipient": to, "amount": value}, where=where)
    if not within:
        ctx.bound_note(where)
        return Call(to, value, data, Action.CONTRACT_CALL, confidence=CONFIDENCE_TRUNCATED, where=where)
    if len(data) < 4:
        ctx.notes.append(finding("CALLDATA_UNDECODED", where, key="too_short", size=len(data)))
        return Call(to, value, data, Action.CONTRACT_CALL, confidence=CONFIDENCE_UNKNOWN, where=where)
    selector, body = data[:4], data[4:]
    spec = REGISTRY.get(selector)
    descriptor = ctx.descriptors.lookup(ctx.chain_id, to, selector) if ctx.descriptors else None
    signature = descriptor.signature if descriptor else spec.signature if spec else None
    if signature is None:
        ctx.notes.append(
            finding("CALLDATA_UNDECODED", where, key="unknown_function", selector=selector.hex(), to=Address(to))
        )
        return Call(
            to, value, data, Action.CONTRACT_CALL, selector=selector, confidence=CONFIDENCE_UNKNOWN, where=where
        )
    try:
        args = ctx.decode(signature.params, body, where)
        roles: dict = {}
        if spec is not None:
            roles = flatten_roles(args if descriptor is None else ctx.decode(spec.signature.params, body, None))
    except BudgetExceeded:
        ctx.bound_note(where)
        return Call(
            to,
            value,
            data,
            Action.CONTRACT_CALL,
            selector=selector,
            function=signature.canonical,
            confidence=CONFIDENCE_TRUNCATED,
            where=where,
        )
    except AbiDecodeError as exc:
        ctx.notes.append(finding("CALLDATA_MALFORMED", where, key="abi", signature=signature.canonical, error=str(exc)))
        return Call(
            to,
            value,
            data,
            Action.CONTRACT_CALL,
            selector=selector,
            function=signature.canonical,
            confidence=CONFIDENCE_MALFORMED,
            where=where,
        )
    if not isinstance(args, dict):
        args = _rename(args, signature.params.names)
    call = Call(
        to,
        value,
        data,
        spec.action if spec else Action.CONTRACT_CALL,
        selector=selector,
        function=signature.canonical,
        args=args,
        roles=roles,
        label=descriptor.intent if descriptor else None,
        source="erc7730" if descriptor else "builtin",
        standard=spec.standard if spec else None,
        confidence=CONFIDENCE_KNOWN if spec else CONFIDENCE_DESCRIPTOR_ONLY,
        where=where,
    )
    if spec is not None and spec.expand is not None:
        call = EXPANDERS[spec.expand](call, roles, ctx, depth)
    return call


def empty_batch_note(ctx: DecodeContext, call_where: str, what: str) -> None:
    """A batch that makes no calls only moves what it carries (native value) to the contract."""
    ctx.notes.append(finding("CALL_BATCH_EMPTY", call_where, what=what))


def _expand_multicall(call: Call, roles: dict, ctx: DecodeContext, depth: int) -> Call:
    if not roles["data"]:
        empty_batch_note(ctx, call.where, "multicall")
    inner = tuple(
        decode_call(call.to, 0, item, ctx, depth + 1, f"{call.where}.calls[{i}]")
        for i, item in enumerate(roles["data"])
    )
    return replace(call, calls=inner)


def _expand_safe_exec(call: Call, roles: dict, ctx: DecodeContext, depth: int) -> Call:
    inner = decode_call(roles["to"], roles["value"], roles["data"], ctx, depth + 1, f"{call.where}.calls[0]")
    if roles["operation"] == 1:
        ctx.notes.append(
            finding(
                "SAFE_DELEGATECALL",
                call.where,
                key="safe",
                function=inner.function or UNKNOWN_CODE,
                to=Address(roles["to"]),
            )
        )
    return replace(call, calls=(inner,))


def _expand_multisend(call: Call, roles: dict, ctx: DecodeContext, depth: int) -> Call:
    packed: bytes = roles["transactions"]
    if not packed:
        empty_batch_note(ctx, call.where, "multiSend")
    inner: list[Call] = []
    pos = 0
    while pos < len(packed):
        here = f"{call.where}.calls[{len(inner)}]"
        if pos + 85 > len(packed):
            ctx.notes.append(finding("CALLDATA_MALFORMED", here, key="multisend_truncated"))
            return replace(call, calls=tuple(inner), confidence=CONFIDENCE_MALFORMED)
        operation = packed[pos]
        to = to_checksum(packed[pos + 1 : pos + 21])
        value = int.from_bytes(packed[pos + 21 : pos + 53], "big")
        length = int.from_bytes(packed[pos + 53 : pos + 85], "big")
        data = packed[pos + 85 : pos + 85 + length]
        if operation > 1 or len(data) != length:
            ctx.notes.append(finding("CALLDATA_MALFORMED", here, key="multisend_entry", operation=operation))
            return replace(call, calls=tuple(inner), confidence=CONFIDENCE_MALFORMED)
        sub = decode_call(to, value, data, ctx, depth + 1, here)
        if operation == 1:
            ctx.notes.append(
                finding(
                    "SAFE_DELEGATECALL", here, key="multisend", function=sub.function or UNKNOWN_CODE, to=Address(to)
                )
            )
        inner.append(sub)
        pos += 85 + length
    return replace(call, calls=tuple(inner))


def _expand_universal_router(call: Call, roles: dict, ctx: DecodeContext, depth: int) -> Call:
    from .universal_router import decode_plan  # the router module imports this one

    commands, confidence = decode_plan(roles["commands"], roles["inputs"], ctx, depth, call.where)
    return replace(call, commands=commands, confidence=min(call.confidence, confidence))


EXPANDERS: dict[str, Callable[[Call, dict, DecodeContext, int], Call]] = {
    "multicall": _expand_multicall,
    "safe_exec": _expand_safe_exec,
    "multisend": _expand_multisend,
    "universal_router": _expand_universal_router,
}
