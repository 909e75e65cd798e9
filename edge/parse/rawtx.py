"""RLP transaction envelopes: legacy (with and without EIP-155) and types 0x01-0x04.

Decoding is strict: canonical RLP (via `rlp` with strict=True), exact field counts,
minimal integers in range, 20-byte addresses, 32-byte storage keys and hashes, signature
values inside the curve order with low s, and the fee and gas checks any node applies
before it would accept the transaction. A field table per type drives all of it.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import rlp
from rlp.exceptions import DecodingError

from ..crypto import keccak, recover_address, to_checksum
from ..errors import EdgeError
from ..findings import Finding, finding
from ..hexutil import min_bytes
from ..limits import MAX_ACCESS_LIST_ENTRIES, MAX_ACCESS_LIST_KEYS, MAX_AUTHORIZATIONS, MAX_RAW_TX_BYTES
from ..types import Authorization, DigestKind, Payload, PayloadKind, RawCall, Transaction

UINT64 = 64
UINT256 = 256
NONCE_MAX = (1 << 64) - 2  # EIP-2681
MAX_INITCODE_SIZE = 49152  # EIP-3860
BLOB_SIZE = 131072
BLOB_VERSION_KZG = 0x01

# Field tables: (name, kind). Kinds are handled by `_FIELD_PARSERS`.
LEGACY_FIELDS = (
    ("nonce", "nonce"),
    ("gas_price", "uint256"),
    ("gas_limit", "uint64"),
    ("to", "to"),
    ("value", "uint256"),
    ("data", "bytes"),
)
_EIP1559_FEES = (("max_priority_fee_per_gas", "uint256"), ("max_fee_per_gas", "uint256"))
_CALL = (("gas_limit", "uint64"), ("to", "to"), ("value", "uint256"), ("data", "bytes"), ("access_list", "access_list"))
TX_FIELDS: dict[int, tuple[tuple[str, str], ...]] = {
    0x01: (("chain_id", "uint256"), ("nonce", "nonce"), ("gas_price", "uint256")) + _CALL,
    0x02: (("chain_id", "uint256"), ("nonce", "nonce")) + _EIP1559_FEES + _CALL,
    0x03: (("chain_id", "uint256"), ("nonce", "nonce"))
    + _EIP1559_FEES
    + (
        ("gas_limit", "uint64"),
        ("to", "address"),
        ("value", "uint256"),
        ("data", "bytes"),
        ("access_list", "access_list"),
        ("max_fee_per_blob_gas", "uint256"),
        ("blob_versioned_hashes", "hashes"),
    ),
    0x04: (("chain_id", "uint256"), ("nonce", "nonce"))
    + _EIP1559_FEES
    + (
        ("gas_limit", "uint64"),
        ("to", "address"),
        ("value", "uint256"),
        ("data", "bytes"),
        ("access_list", "access_list"),
        ("authorization_list", "authorization_list"),
    ),
}
FEE_FIELDS = ("gas_price", "max_priority_fee_per_gas", "max_fee_per_gas", "max_fee_per_blob_gas")

# Intrinsic gas (Shanghai onward; EIP-2028, EIP-2930, EIP-3860, EIP-7702).
G_TX, G_CREATE, G_ZERO, G_NONZERO = 21000, 32000, 4, 16
G_ACCESS_ADDRESS, G_ACCESS_KEY, G_INITCODE_WORD, G_AUTH = 2400, 1900, 2, 25000


def _int(raw: object, where: str, bits: int) -> int:
    if not isinstance(raw, bytes):
        raise EdgeError("TX_FIELD_INVALID", f"{where} must be an RLP string, found a list", where)
    if raw[:1] == b"\0":
        raise EdgeError("TX_FIELD_INVALID", f"{where} has leading zero bytes (non-canonical integer)", where)
    value = int.from_bytes(raw, "big")
    if value >> bits:
        raise EdgeError("TX_INTEGER_RANGE", f"{where} does not fit in {bits} bits", where)
    return value


def _bytes(raw: object, where: str, size: int | None = None) -> bytes:
    if not isinstance(raw, bytes):
        raise EdgeError("TX_FIELD_INVALID", f"{where} must be an RLP string, found a list", where)
    if size is not None and len(raw) != size:
        raise EdgeError("TX_FIELD_INVALID", f"{where} must be {size} bytes, found {len(raw)}", where)
    return raw


def _list(raw: object, where: str) -> list:
    if not isinstance(raw, list):
        raise EdgeError("TX_FIELD_INVALID", f"{where} must be an RLP list", where)
    return raw


def _to(raw: object, where: str) -> str | None:
    data = _bytes(raw, where)
    if not data:
        return None
    return to_checksum(_bytes(data, where, 20))


def _capped(items: list, limit: int, where: str, what: str) -> list:
    if len(items) > limit:
        raise EdgeError("REQUEST_TOO_LARGE", f"{where} has {len(items)} {what}; this gate reads at most {limit}", where)
    return items


def _access_list(raw: object, where: str) -> tuple:
    entries = []
    total_keys = 0
    for i, entry in enumerate(_capped(_list(raw, where), MAX_ACCESS_LIST_ENTRIES, where, "entries")):
        pair = _list(entry, f"{where}[{i}]")
        if len(pair) != 2:
            raise EdgeError("TX_FIELD_INVALID", f"{where}[{i}] must be [address, storageKeys]", where)
        address = to_checksum(_bytes(pair[0], f"{where}[{i}].address", 20))
        raw_keys = _list(pair[1], f"{where}[{i}].storageKeys")
        total_keys += len(raw_keys)
        if total_keys > MAX_ACCESS_LIST_KEYS:
            raise EdgeError("REQUEST_TOO_LARGE", f"{where} has more than {MAX_ACCESS_LIST_KEYS} storage keys", where)
        keys = tuple(_bytes(k, f"{where}[{i}].storageKeys[{j}]", 32) for j, k in enumerate(raw_keys))
        entries.append((address, keys))
    return tuple(entries)


def _authorizations(raw: object, where: str) -> tuple[Authorization, ...]:
    auths = []
    items = _capped(_list(raw, where), MAX_AUTHORIZATIONS, where, "authorizations")
    if not items:
        raise EdgeError("TX_FIELD_INVALID", f"{where} must not be empty in a type-4 transaction", where)
    for i, item in enumerate(items):
        here = f"{where}[{i}]"
        fields = _list(item, here)
        if len(fields) != 6:
            raise EdgeError("TX_FIELD_COUNT", f"{here} must have 6 fields, found {len(fields)}", here)
        chain_id = _int(fields[0], f"{here}.chainId", UINT256)
        address = _bytes(fields[1], f"{here}.address", 20)
        nonce = _int(fields[2], f"{here}.nonce", UINT64)
        y, r, s = (
            _int(fields[3], f"{here}.yParity", 8),
            _int(fields[4], f"{here}.r", UINT256),
            _int(fields[5], f"{here}.s", UINT256),
        )
        message = keccak(b"\x05" + rlp.encode(fields[:3]))
        try:
            authority: str | None = to_checksum(recover_address(message, y, r, s, here))
        except EdgeError:
            authority = None  # the chain skips such a tuple; the rules still see its delegate
        auths.append(Authorization(chain_id, to_checksum(address), nonce, authority))
    return tuple(auths)


_FIELD_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "nonce": lambda raw, where: _int(raw, where, UINT64),
    "uint64": lambda raw, where: _int(raw, where, UINT64),
    "uint256": lambda raw, where: _int(raw, where, UINT256),
    "to": _to,
    "address": lambda raw, where: to_checksum(_bytes(raw, where, 20)),
    "bytes": _bytes,
    "access_list": _access_list,
    "hashes": lambda raw, where: tuple(_bytes(h, f"{where}[{i}]", 32) for i, h in enumerate(_list(raw, where))),
    "authorization_list": _authorizations,
}


def parse_rlp_field(kind: str, raw: object, where: str):
    """One field's RLP item read as its kind (`_FIELD_PARSERS`): the validator both request paths share."""
    value = _FIELD_PARSERS[kind](raw, where)
    if kind == "nonce" and value > NONCE_MAX:
        raise EdgeError("TX_INTEGER_RANGE", "nonce must be below 2^64-1 (EIP-2681)", where)
    return value


def _parse_fields(items: list, spec: tuple[tuple[str, str], ...]) -> dict:
    return {name: parse_rlp_field(kind, raw, name) for (name, kind), raw in zip(spec, items)}


def intrinsic_gas(to: str | None, data: bytes, access_list: tuple, authorizations: int) -> int:
    """The gas a transaction spends before any code runs; less than this never executes."""
    zeros = data.count(0)
    gas = G_TX + G_ZERO * zeros + G_NONZERO * (len(data) - zeros)
    if to is None:
        gas += G_CREATE + G_INITCODE_WORD * ((len(data) + 31) // 32)
    gas += sum(G_ACCESS_ADDRESS + G_ACCESS_KEY * len(keys) for _, keys in access_list)
    return gas + G_AUTH * authorizations


def validate_semantics(fields: dict) -> None:
    """The checks a node applies before it accepts a transaction, on the fields present (the wallet fills the rest)."""
    if fields.get("to") is None and len(fields.get("data", b"")) > MAX_INITCODE_SIZE:
        raise EdgeError(
            "TX_INITCODE_TOO_LARGE", f"contract creation code exceeds {MAX_INITCODE_SIZE} bytes (EIP-3860)", "data"
        )
    fee_cap = fields.get("gas_price", fields.get("max_fee_per_gas", 0))
    if (
        "max_priority_fee_per_gas" in fields
        and "max_fee_per_gas" in fields
        and fields["max_priority_fee_per_gas"] > fields["max_fee_per_gas"]
    ):
        raise EdgeError(
            "TX_FEE_INVALID", "priority fee is greater than the max fee per gas", "max_priority_fee_per_gas"
        )
    if fields.get("gas_limit") is None:
        return
    if fee_cap * fields["gas_limit"] >> 256:
        raise EdgeError("TX_FEE_INVALID", "gas limit times fee cap overflows 256 bits", "gas_limit")
    needed = intrinsic_gas(
        fields.get("to"),
        fields.get("data", b""),
        fields.get("access_list", ()),
        len(fields.get("authorization_list", ())),
    )
    if fields["gas_limit"] < needed:
        raise EdgeError(
            "TX_INTRINSIC_GAS", f"gas limit {fields['gas_limit']} is below the intrinsic gas {needed}", "gas_limit"
        )


def _signature(items: list, where: str = "signature") -> tuple[int, int, int]:
    return (
        _int(items[0], f"{where}.v", UINT256),
        _int(items[1], f"{where}.r", UINT256),
        _int(items[2], f"{where}.s", UINT256),
    )


def _decode_rlp(data: bytes, where: str) -> object:
    try:
        return rlp.decode(data, strict=True)
    except DecodingError as exc:
        raise EdgeError("RLP_INVALID", f"{where} is not canonical RLP: {exc}", where) from exc


def _legacy(raw: bytes, notes: list[Finding]) -> tuple[Transaction, bytes]:
    items = _decode_rlp(raw, "transaction")
    if not isinstance(items, list):
        raise EdgeError("RLP_INVALID", "a legacy transaction must be an RLP list", "transaction")
    if len(items) not in (6, 9):
        raise EdgeError("TX_FIELD_COUNT", f"a legacy transaction has 6 or 9 fields, found {len(items)}", "transaction")
    fields = _parse_fields(items, LEGACY_FIELDS)
    validate_semantics(fields)
    chain_id, sender, signed = None, None, False
    if len(items) == 6:
        unsigned = items
    else:
        v, r, s = _signature(items[6:])
        if r == 0 and s == 0:  # unsigned EIP-155 form: [.., chainId, 0, 0]
            if v == 0:
                raise EdgeError(
                    "TX_FIELD_INVALID", "an unsigned EIP-155 transaction needs a non-zero chain id", "signature.v"
                )
            chain_id, unsigned = v, items
        else:
            signed = True
            if v in (27, 28):
                y_parity, unsigned = v - 27, items[:6]
            elif v >= 37:
                chain_id, y_parity = (v - 35) // 2, (v - 35) % 2
                unsigned = items[:6] + [min_bytes(chain_id), b"", b""]
            else:
                raise EdgeError(
                    "TX_SIGNATURE_INVALID", f"legacy v must be 27, 28 or 35+2*chainId, got {v}", "signature.v"
                )
    signing_bytes = rlp.encode(unsigned)
    if signed:
        sender = to_checksum(recover_address(keccak(signing_bytes), y_parity, r, s, "signature"))
    if chain_id is None:
        notes.append(finding("TX_NO_REPLAY_PROTECTION", "signature.v"))
    tx = Transaction(
        type=0,
        chain_id=chain_id,
        nonce=fields["nonce"],
        gas_limit=fields["gas_limit"],
        to=fields["to"],
        value=fields["value"],
        data=fields["data"],
        fees={"gas_price": fields["gas_price"]},
        sender=sender,
        tx_hash=keccak(raw) if signed else None,
        signed=signed,
    )
    return tx, signing_bytes


def _blob_sidecar(wrapper: list, hashes: tuple[bytes, ...]) -> None:
    """Check the network form's sidecar against the signed versioned hashes (no KZG proof check)."""
    if len(wrapper) == 4:
        blobs, commitments, proofs = wrapper[1:]
        proofs_per_blob = 1
    elif len(wrapper) == 5:
        if _int(wrapper[1], "wrapper_version", 8) != 1:
            raise EdgeError("TX_FIELD_INVALID", "unknown blob wrapper version", "wrapper_version")
        blobs, commitments, proofs = wrapper[2:]
        proofs_per_blob = 128  # EIP-7594 cell proofs
    else:
        raise EdgeError(
            "TX_FIELD_COUNT", f"a blob network wrapper has 4 or 5 fields, found {len(wrapper)}", "transaction"
        )
    blobs, commitments, proofs = (
        _list(x, name) for x, name in ((blobs, "blobs"), (commitments, "commitments"), (proofs, "proofs"))
    )
    if not len(blobs) == len(commitments) == len(hashes) or len(proofs) != proofs_per_blob * len(blobs):
        raise EdgeError("TX_INCONSISTENT", "blob, commitment, proof and versioned-hash counts disagree", "blobs")
    for i, (blob, commitment, expected) in enumerate(zip(blobs, commitments, hashes)):
        _bytes(blob, f"blobs[{i}]", BLOB_SIZE)
        versioned = bytes([BLOB_VERSION_KZG]) + hashlib.sha256(_bytes(commitment, f"commitments[{i}]", 48)).digest()[1:]
        if versioned != expected:
            raise EdgeError(
                "TX_INCONSISTENT", f"commitment {i} does not match blob versioned hash {i}", f"commitments[{i}]"
            )
    for i, proof in enumerate(proofs):
        _bytes(proof, f"proofs[{i}]", 48)


def _typed(raw: bytes) -> tuple[Transaction, bytes]:
    tx_type = raw[0]
    spec = TX_FIELDS.get(tx_type)
    if spec is None:
        raise EdgeError("TX_TYPE_UNSUPPORTED", f"transaction type 0x{tx_type:02x} is not supported", "type")
    items = _decode_rlp(raw[1:], "transaction")
    if not isinstance(items, list):
        raise EdgeError("RLP_INVALID", "a typed transaction payload must be an RLP list", "transaction")
    network_form = tx_type == 0x03 and bool(items) and isinstance(items[0], list)
    body = items[0] if network_form else items
    if len(body) not in (len(spec), len(spec) + 3):
        raise EdgeError(
            "TX_FIELD_COUNT",
            f"a type-{tx_type} transaction has {len(spec)} fields unsigned or {len(spec) + 3} signed, found "
            f"{len(body)}",
            "transaction",
        )
    fields = _parse_fields(body, spec)
    validate_semantics(fields)
    if tx_type == 0x03:
        if not fields["blob_versioned_hashes"]:
            raise EdgeError(
                "TX_FIELD_INVALID", "a blob transaction must carry at least one blob", "blob_versioned_hashes"
            )
        if any(h[0] != BLOB_VERSION_KZG for h in fields["blob_versioned_hashes"]):
            raise EdgeError(
                "TX_FIELD_INVALID", "blob versioned hashes must start with version 0x01", "blob_versioned_hashes"
            )
        if network_form:
            _blob_sidecar(items, fields["blob_versioned_hashes"])
    signing_bytes = bytes([tx_type]) + rlp.encode(body[: len(spec)])
    signed = len(body) == len(spec) + 3
    sender = None
    if signed:
        y, r, s = _signature(body[len(spec) :])
        sender = to_checksum(recover_address(keccak(signing_bytes), y, r, s, "signature"))
    tx = Transaction(
        type=tx_type,
        chain_id=fields["chain_id"],
        nonce=fields["nonce"],
        gas_limit=fields["gas_limit"],
        to=fields["to"],
        value=fields["value"],
        data=fields["data"],
        fees={k: fields[k] for k in FEE_FIELDS if k in fields},
        access_list=fields["access_list"],
        authorizations=fields.get("authorization_list", ()),
        blob_versioned_hashes=fields.get("blob_versioned_hashes", ()),
        sender=sender,
        tx_hash=keccak(bytes([tx_type]) + rlp.encode(body)) if signed else None,
        signed=signed,
        network_form=network_form,
    )
    return tx, signing_bytes


def parse_raw_transaction(raw: bytes, method: str, account: str | None) -> Payload:
    """Decode a raw transaction (signed or unsigned) into a Payload bound to its signing hash."""
    if not raw:
        raise EdgeError("RLP_INVALID", "the transaction is empty", "transaction")
    if len(raw) > MAX_RAW_TX_BYTES:
        raise EdgeError("REQUEST_TOO_LARGE", f"the transaction exceeds {MAX_RAW_TX_BYTES} bytes", "transaction")
    notes: list[Finding] = []
    if raw[0] >= 0xC0:
        tx, signing_bytes = _legacy(raw, notes)
    elif raw[0] <= 0x7F:
        tx, signing_bytes = _typed(raw)
    else:
        raise EdgeError(
            "RLP_INVALID", f"first byte 0x{raw[0]:02x} starts neither a typed nor a legacy transaction", "type"
        )
    return Payload(
        kind=PayloadKind.TRANSACTION,
        method=method,
        chain_id=tx.chain_id,
        signer=tx.sender or account,
        signing_bytes=signing_bytes,
        digest=keccak(signing_bytes),
        digest_kind=DigestKind.TX_SIGNING_HASH,
        calls=(RawCall(tx.to, tx.value, tx.data),),
        tx=tx,
        notes=tuple(notes),
    )
