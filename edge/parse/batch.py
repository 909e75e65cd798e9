"""wallet_sendCalls (EIP-5792): a batch of calls the wallet executes together.

The request digest binds everything that can change what the wallet does: every call, the
chain and sender, `atomicRequired`, `version` and the `capabilities` (of the batch and of each
call, in canonical JSON). A field EIP-5792 does not define is TX_FIELD_UNKNOWN, and is bound too.
"""

from __future__ import annotations

import rlp

from ..crypto import keccak
from ..errors import EdgeError
from ..findings import Finding
from ..hexutil import min_bytes, parse_address, parse_bytes, parse_quantity
from ..limits import MAX_BATCH_CALLS, MAX_CALLDATA_BYTES
from ..types import DigestKind, Payload, PayloadKind, RawCall
from .canonical import canonical_json
from .txobject import REQUEST_DIGEST_DOMAIN, unknown_fields

BATCH_FIELDS = frozenset({"version", "id", "from", "chainId", "atomicRequired", "calls", "capabilities"})
CALL_FIELDS = frozenset({"to", "data", "value", "capabilities"})


def parse_send_calls(params: tuple, account: str | None) -> Payload:
    """Every call of the batch, bound together by one request digest."""
    if not params or not isinstance(params[0], dict):
        raise EdgeError("PARAMS_INVALID", "wallet_sendCalls takes one object with `calls`", "params[0]")
    body = params[0]
    notes: list[Finding] = []
    calls_raw = body.get("calls")
    if not isinstance(calls_raw, list) or not calls_raw:
        raise EdgeError("PARAMS_INVALID", "wallet_sendCalls needs a non-empty `calls` list", "calls")
    if len(calls_raw) > MAX_BATCH_CALLS:
        raise EdgeError("REQUEST_TOO_LARGE", f"a batch may hold at most {MAX_BATCH_CALLS} calls", "calls")
    atomic = body.get("atomicRequired")
    if atomic is not None and not isinstance(atomic, bool):
        raise EdgeError("PARAMS_INVALID", "`atomicRequired` must be true or false", "atomicRequired")
    extras = [unknown_fields(body, BATCH_FIELDS, "the batch", notes)]
    chain_id = parse_quantity(body["chainId"], "chainId", notes) if body.get("chainId") is not None else None
    sender = parse_address(body["from"], "from", notes) if body.get("from") is not None else account
    calls = []
    for i, call in enumerate(calls_raw):
        if not isinstance(call, dict):
            raise EdgeError("PARAMS_INVALID", f"calls[{i}] must be an object", f"calls[{i}]")
        to = parse_address(call["to"], f"calls[{i}].to", notes) if call.get("to") is not None else None
        value = parse_quantity(call.get("value", "0x0"), f"calls[{i}].value", notes)
        data = parse_bytes(call.get("data", "0x"), f"calls[{i}].data", notes, max_len=MAX_CALLDATA_BYTES)
        calls.append(RawCall(to, value, data))
        extras.append(
            {"capabilities": call.get("capabilities"), **unknown_fields(call, CALL_FIELDS, f"calls[{i}]", notes)}
        )
    bound = [
        REQUEST_DIGEST_DOMAIN,
        b"wallet_sendCalls",
        min_bytes(chain_id or 0),
        bytes.fromhex(sender[2:]) if sender else b"",
        [[bytes.fromhex(c.to[2:]) if c.to else b"", min_bytes(c.value), c.data] for c in calls],
        canonical_json(
            {
                "atomicRequired": atomic,
                "version": body.get("version"),
                "capabilities": body.get("capabilities"),
                "extras": extras,
            }
        ).encode(),
    ]
    signing_bytes = rlp.encode(bound)
    return Payload(
        kind=PayloadKind.BATCH,
        method="wallet_sendCalls",
        chain_id=chain_id,
        signer=sender,
        signing_bytes=signing_bytes,
        digest=keccak(signing_bytes),
        digest_kind=DigestKind.REQUEST,
        calls=tuple(calls),
        notes=tuple(notes),
    )
