"""eth_sendTransaction / eth_signTransaction objects, as real dapps send them.

Leniencies (no 0x, upper case, odd length, decimal strings, JSON numbers) are accepted and
each one becomes a finding naming the field. When the object has every field a signature
needs, it is encoded into the unsigned transaction and parsed by `rawtx`, so both paths
share one validator and the digest is the real signing hash. Otherwise the wallet will fill
the rest, and the digest binds the fields given (`digest_kind` = "request").
"""

from __future__ import annotations

from dataclasses import replace

import rlp

from ..crypto import keccak
from ..errors import EdgeError
from ..findings import Finding
from ..hexutil import min_bytes, parse_address, parse_bytes, parse_quantity
from ..limits import MAX_CALLDATA_BYTES
from ..types import Payload, RawCall
from .rawtx import parse_raw_transaction

_TYPE_FIELDS = {
    0: ("nonce", "gasPrice", "gas", "to", "value", "data"),
    1: ("chainId", "nonce", "gasPrice", "gas", "to", "value", "data", "accessList"),
    2: ("chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gas", "to", "value", "data", "accessList"),
    4: ("chainId", "nonce", "maxPriorityFeePerGas", "maxFeePerGas", "gas", "to", "value", "data", "accessList", "authorizationList"),
}
# Fields that contradict the type: wallets differ on which one wins, so neither is guessed.
_FOREIGN_FIELDS = {
    0: ("maxFeePerGas", "maxPriorityFeePerGas", "authorizationList", "blobVersionedHashes", "maxFeePerBlobGas", "accessList"),
    1: ("maxFeePerGas", "maxPriorityFeePerGas", "authorizationList", "blobVersionedHashes", "maxFeePerBlobGas"),
    2: ("gasPrice", "authorizationList", "blobVersionedHashes", "maxFeePerBlobGas"),
    3: ("gasPrice", "authorizationList"),
    4: ("gasPrice", "blobVersionedHashes", "maxFeePerBlobGas"),
}
_QUANTITIES = ("nonce", "gas", "gasPrice", "maxPriorityFeePerGas", "maxFeePerGas", "maxFeePerBlobGas", "chainId")
REQUEST_DIGEST_DOMAIN = b"dmind-edge/request/v1"


def _infer_type(obj: dict, notes: list[Finding]) -> int:
    if "type" in obj:
        return parse_quantity(obj["type"], "type", notes, bits=8)
    if "authorizationList" in obj:
        return 4
    if "blobVersionedHashes" in obj or "maxFeePerBlobGas" in obj:
        return 3
    if "maxFeePerGas" in obj or "maxPriorityFeePerGas" in obj:
        return 2
    if "accessList" in obj:
        return 1
    return 0


def _access_list(raw: object, notes: list[Finding]) -> list:
    if not isinstance(raw, list):
        raise EdgeError("PARAMS_INVALID", "accessList must be a list", "accessList")
    out = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("storageKeys", []), list):
            raise EdgeError("PARAMS_INVALID", f"accessList[{i}] must be {{address, storageKeys}}", "accessList")
        address = bytes.fromhex(parse_address(entry.get("address"), f"accessList[{i}].address", notes)[2:])
        keys = [parse_bytes(k, f"accessList[{i}].storageKeys[{j}]", notes) for j, k in enumerate(entry.get("storageKeys", []))]
        out.append([address, keys])
    return out


def _authorizations(raw: object, notes: list[Finding]) -> list:
    if not isinstance(raw, list):
        raise EdgeError("PARAMS_INVALID", "authorizationList must be a list", "authorizationList")
    out = []
    for i, auth in enumerate(raw):
        here = f"authorizationList[{i}]"
        if not isinstance(auth, dict):
            raise EdgeError("PARAMS_INVALID", f"{here} must be an object", here)
        y = auth.get("yParity", auth.get("v"))
        out.append([
            min_bytes(parse_quantity(auth.get("chainId"), f"{here}.chainId", notes)),
            bytes.fromhex(parse_address(auth.get("address"), f"{here}.address", notes)[2:]),
            min_bytes(parse_quantity(auth.get("nonce"), f"{here}.nonce", notes, bits=64)),
            min_bytes(parse_quantity(y, f"{here}.yParity", notes, bits=8)),
            min_bytes(parse_quantity(auth.get("r"), f"{here}.r", notes)),
            min_bytes(parse_quantity(auth.get("s"), f"{here}.s", notes)),
        ])
    return out


def _data(obj: dict, notes: list[Finding]) -> bytes:
    data = obj.get("data")
    alt = obj.get("input")
    if isinstance(data, str) and isinstance(alt, str) and data.lower() != alt.lower():
        raise EdgeError("PARAMS_AMBIGUOUS", "the transaction has both `data` and `input` and they differ", "data")
    raw = data if data is not None else alt
    return parse_bytes(raw, "data", notes, max_len=MAX_CALLDATA_BYTES) if raw is not None else b""


def parse_transaction_object(obj: object, method: str, context_chain_id: int | None, account: str | None) -> Payload:
    """A Payload for a JSON transaction object; the real signing hash when it is complete."""
    if not isinstance(obj, dict):
        raise EdgeError("PARAMS_INVALID", f"{method} takes a transaction object", "params[0]")
    notes: list[Finding] = []
    sender = parse_address(obj["from"], "from", notes) if obj.get("from") is not None else account
    to = parse_address(obj["to"], "to", notes) if obj.get("to") not in (None, "", "0x") else None
    value = parse_quantity(obj.get("value", "0x0"), "value", notes)
    data = _data(obj, notes)
    quantities = {k: parse_quantity(obj[k], k, notes, bits=64 if k in ("nonce", "gas") else 256) for k in _QUANTITIES if obj.get(k) is not None}
    tx_type = _infer_type(obj, notes)
    foreign = sorted(f for f in _FOREIGN_FIELDS.get(tx_type, ()) if obj.get(f) is not None)
    if foreign:
        raise EdgeError("PARAMS_AMBIGUOUS", f"{', '.join(foreign)} does not belong to a type-{tx_type} transaction", foreign[0])
    chain_id = quantities.get("chainId", context_chain_id)
    fields = _TYPE_FIELDS.get(tx_type)
    values = {**quantities, "chainId": chain_id, "to": to, "value": value, "data": data}
    if fields and all(values.get(f) is not None for f in fields if f not in ("to", "accessList", "authorizationList")):
        encoded = {
            "to": bytes.fromhex(to[2:]) if to else b"",
            "data": data,
            "accessList": _access_list(obj.get("accessList", []), notes),
            "authorizationList": _authorizations(obj.get("authorizationList", []), notes),
        }
        items = [encoded[f] if f in encoded else min_bytes(values[f]) for f in fields]
        if tx_type == 0:
            if chain_id is None:
                raise EdgeError("PARAMS_INVALID", "no chain id: a legacy transaction would have no replay protection", "chainId")
            raw = rlp.encode(items + [min_bytes(chain_id), b"", b""])
        else:
            raw = bytes([tx_type]) + rlp.encode(items)
        parsed = parse_raw_transaction(raw, method, sender)
        return replace(parsed, notes=parsed.notes + tuple(notes))
    # Incomplete: the wallet fills nonce, gas and fees. Bind what the request fixes.
    bound = [REQUEST_DIGEST_DOMAIN, min_bytes(chain_id or 0), bytes.fromhex(sender[2:]) if sender else b"",
             bytes.fromhex(to[2:]) if to else b"", min_bytes(value), data,
             [[k.encode(), min_bytes(v)] for k, v in sorted(quantities.items())]]
    signing_bytes = rlp.encode(bound)
    return Payload(
        kind="transaction", method=method, chain_id=chain_id, signer=sender, signing_bytes=signing_bytes,
        digest=keccak(signing_bytes), digest_kind="request", calls=(RawCall(to, value, data),), notes=tuple(notes),
    )
