"""eth_sendTransaction / eth_signTransaction objects, as real dapps send them.

One field table (`FIELDS`) reads every field of an object, complete or not: each JSON value
becomes the RLP item a raw transaction would carry, and `rawtx`'s own parsers validate it, so
both paths share one validator. Leniencies (no 0x, upper case, decimal strings, JSON numbers)
are accepted and each becomes a finding naming the field. A field the table does not know is
TX_FIELD_UNKNOWN, an unknown type is TX_TYPE_UNSUPPORTED and two fields that say different
things (`gas` and `gasLimit`, `data` and `input`) are PARAMS_AMBIGUOUS: none of them is ALLOW.

When the object has every field a signature needs, it is encoded into the unsigned
transaction and parsed by `rawtx`, and the digest is the real signing hash. Otherwise the
wallet fills the rest (nonce, gas, fees): the Transaction is built from the fields given, so
every rule runs on it, and the digest (`digest_kind` = "request") binds every field present,
unknown ones included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import rlp

from ..crypto import keccak, to_checksum
from ..errors import EdgeError
from ..findings import Finding, finding
from ..hexutil import min_bytes, parse_address, parse_bytes, parse_quantity
from ..limits import MAX_ACCESS_LIST_ENTRIES, MAX_ACCESS_LIST_KEYS, MAX_AUTHORIZATIONS, MAX_CALLDATA_BYTES
from ..types import DigestKind, Payload, PayloadKind, RawCall, Transaction
from .canonical import canonical_json
from .rawtx import FEE_FIELDS, LEGACY_FIELDS, TX_FIELDS, parse_raw_transaction, parse_rlp_field, validate_semantics

REQUEST_DIGEST_DOMAIN = b"dmind-edge/request/v1"
MAX_BLOB_HASHES = 64  # read only to be refused (type 3 travels raw); a block holds far fewer
SUPPORTED_TYPES = (0, 1, 2, 3, 4)  # type 3 is known, and refused as an object (its blobs cannot ride in one)

Notes = list[Finding]


def _quantity(bits: int) -> Callable[[object, str, Notes], object]:
    return lambda value, where, notes: min_bytes(parse_quantity(value, where, notes, bits=bits))


def _address(value: object, where: str, notes: Notes) -> bytes:
    return bytes.fromhex(parse_address(value, where, notes)[2:])


def _to(value: object, where: str, notes: Notes) -> bytes:
    return b"" if value in ("", "0x") else _address(value, where, notes)


def _data(value: object, where: str, notes: Notes) -> bytes:
    return parse_bytes(value, where, notes, max_len=MAX_CALLDATA_BYTES)


def _json_list(value: object, where: str, limit: int) -> list:
    if not isinstance(value, list):
        raise EdgeError("PARAMS_INVALID", f"{where} must be a list", where)
    if len(value) > limit:
        raise EdgeError(
            "REQUEST_TOO_LARGE", f"{where} has {len(value)} entries; this gate reads at most {limit}", where
        )
    return value


def _object(value: object, where: str, keys: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise EdgeError("PARAMS_INVALID", f"{where} must be an object with {', '.join(keys)}", where)
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise EdgeError(
            "PARAMS_INVALID", f"{where} has field {unknown[0]!r}, which is not one of {', '.join(keys)}", where
        )
    return value


def _access_list(value: object, where: str, notes: Notes) -> list:
    out = []
    total_keys = 0
    for i, entry in enumerate(_json_list(value, where, MAX_ACCESS_LIST_ENTRIES)):
        here = f"{where}[{i}]"
        entry = _object(entry, here, ("address", "storageKeys"))
        keys = _json_list(entry.get("storageKeys", []), f"{here}.storageKeys", MAX_ACCESS_LIST_KEYS - total_keys)
        total_keys += len(keys)
        out.append(
            [
                _address(entry.get("address"), f"{here}.address", notes),
                [parse_bytes(k, f"{here}.storageKeys[{j}]", notes, max_len=32) for j, k in enumerate(keys)],
            ]
        )
    return out


def _authorizations(value: object, where: str, notes: Notes) -> list:
    out = []
    for i, auth in enumerate(_json_list(value, where, MAX_AUTHORIZATIONS)):
        here = f"{where}[{i}]"
        auth = _object(auth, here, ("chainId", "address", "nonce", "yParity", "v", "r", "s"))
        if "yParity" in auth and "v" in auth and auth["yParity"] != auth["v"]:
            raise EdgeError("PARAMS_AMBIGUOUS", f"{here} has both yParity and v and they differ", here)
        out.append(
            [
                _quantity(256)(auth.get("chainId"), f"{here}.chainId", notes),
                _address(auth.get("address"), f"{here}.address", notes),
                _quantity(64)(auth.get("nonce"), f"{here}.nonce", notes),
                _quantity(8)(auth.get("yParity", auth.get("v")), f"{here}.yParity", notes),
                _quantity(256)(auth.get("r"), f"{here}.r", notes),
                _quantity(256)(auth.get("s"), f"{here}.s", notes),
            ]
        )
    return out


def _hashes(value: object, where: str, notes: Notes) -> list:
    return [
        parse_bytes(h, f"{where}[{i}]", notes, max_len=32)
        for i, h in enumerate(_json_list(value, where, MAX_BLOB_HASHES))
    ]


@dataclass(frozen=True, slots=True)
class TxField:
    """One field of a transaction object: its JSON names (aliases must agree), its RLP field and how to read it."""

    names: tuple[str, ...]
    rlp_name: str  # the name in `rawtx.TX_FIELDS`, or "sender"/"type" for the two fields no envelope holds
    read: Callable[[object, str, Notes], Any]


FIELDS: tuple[TxField, ...] = (
    TxField(("from",), "sender", _address),
    TxField(("type",), "type", _quantity(8)),
    TxField(("chainId",), "chain_id", _quantity(256)),
    TxField(("nonce",), "nonce", _quantity(64)),
    TxField(("gasPrice",), "gas_price", _quantity(256)),
    TxField(("maxPriorityFeePerGas",), "max_priority_fee_per_gas", _quantity(256)),
    TxField(("maxFeePerGas",), "max_fee_per_gas", _quantity(256)),
    TxField(("gas", "gasLimit"), "gas_limit", _quantity(64)),
    TxField(("to",), "to", _to),
    TxField(("value",), "value", _quantity(256)),
    TxField(("data", "input"), "data", _data),
    TxField(("accessList",), "access_list", _access_list),
    TxField(("maxFeePerBlobGas",), "max_fee_per_blob_gas", _quantity(256)),
    TxField(("blobVersionedHashes",), "blob_versioned_hashes", _hashes),
    TxField(("authorizationList",), "authorization_list", _authorizations),
)
KNOWN_NAMES = frozenset(name for f in FIELDS for name in f.names)
JSON_NAMES = {f.rlp_name: f.names[0] for f in FIELDS}  # how a person names each field in a transaction object
# Fields a wallet fills in when the dapp leaves them out; list-valued ones default to empty.
DEFAULTS: dict[str, object] = {"to": b"", "value": b"", "data": b"", "access_list": []}


def unknown_fields(obj: dict, known: frozenset[str], what: str, notes: Notes) -> dict:
    """The fields of `obj` outside `known`, each noted TX_FIELD_UNKNOWN: a wallet may act on them unseen."""
    extra = {k: v for k, v in obj.items() if k not in known}
    for name in sorted(extra):
        notes.append(finding("TX_FIELD_UNKNOWN", name[:64], what=what, name=name[:64]))
    return extra


def _read_fields(obj: dict, notes: Notes) -> dict[str, Any]:
    """Every known field present, as its RLP item; aliases that disagree are PARAMS_AMBIGUOUS."""
    items: dict[str, Any] = {}
    for spec in FIELDS:
        readings = [(name, spec.read(obj[name], name, notes)) for name in spec.names if obj.get(name) is not None]
        if len({rlp.encode(item) for _, item in readings}) > 1:
            raise EdgeError(
                "PARAMS_AMBIGUOUS",
                f"the transaction has both {readings[0][0]} and {readings[1][0]} and they differ",
                readings[0][0],
            )
        if readings:
            items[spec.rlp_name] = readings[0][1]
    return items


def _infer_type(items: dict[str, Any]) -> int:
    if "type" in items:
        declared = int.from_bytes(items["type"], "big")
        if declared not in SUPPORTED_TYPES:
            raise EdgeError(
                "TX_TYPE_UNSUPPORTED", f"transaction type 0x{declared:x} is not one this gate can read", "type"
            )
        return declared
    for fields, tx_type in (
        (("authorization_list",), 4),
        (("blob_versioned_hashes", "max_fee_per_blob_gas"), 3),
        (("max_fee_per_gas", "max_priority_fee_per_gas"), 2),
        (("access_list",), 1),
    ):
        if any(f in items for f in fields):
            return tx_type
    return 0


def _spec(tx_type: int) -> tuple[tuple[str, str], ...]:
    return LEGACY_FIELDS if tx_type == 0 else TX_FIELDS[tx_type]


def _transaction(
    tx_type: int, items: dict[str, Any], spec: tuple[tuple[str, str], ...], chain_id: int | None, sender: str | None
) -> Transaction:
    """The Transaction the fields given describe, each field checked by `rawtx`'s own parser."""
    known = {name for name, _ in spec}
    foreign = sorted(n for n in items if n not in known and n not in ("sender", "type", "chain_id"))
    if foreign:
        raise EdgeError(
            "PARAMS_AMBIGUOUS", f"{', '.join(foreign)} does not belong to a type-{tx_type} transaction", foreign[0]
        )
    fields = {
        name: parse_rlp_field(kind, items.get(name, DEFAULTS.get(name)), name)
        for name, kind in spec
        if name in items or name in DEFAULTS
    }
    validate_semantics(fields)
    return Transaction(
        type=tx_type,
        chain_id=chain_id,
        nonce=fields.get("nonce"),
        gas_limit=fields.get("gas_limit"),
        to=fields.get("to"),
        value=fields.get("value", 0),
        data=fields.get("data", b""),
        fees={k: fields[k] for k in FEE_FIELDS if k in fields},
        access_list=fields.get("access_list", ()),
        authorizations=fields.get("authorization_list", ()),
        blob_versioned_hashes=fields.get("blob_versioned_hashes", ()),
        sender=sender,
    )


def _request_digest_bytes(
    items: dict[str, Any], unknown: dict, tx_type: int, chain_id: int | None, sender: str | None
) -> bytes:
    """What an incomplete object's digest binds: every field read, the context it was read in, and unknown fields."""
    return rlp.encode(
        [
            REQUEST_DIGEST_DOMAIN,
            b"transaction",
            min_bytes(tx_type),
            min_bytes(chain_id or 0),
            bytes.fromhex(sender[2:]) if sender else b"",
            [[name.encode(), item] for name, item in sorted(items.items())],
            canonical_json(unknown).encode(),
        ]
    )


def parse_transaction_object(obj: object, method: str, context_chain_id: int | None, account: str | None) -> Payload:
    """A Payload for a JSON transaction object; the real signing hash when it is complete."""
    if not isinstance(obj, dict):
        raise EdgeError("PARAMS_INVALID", f"{method} takes a transaction object", "params[0]")
    notes: Notes = []
    items = _read_fields(obj, notes)
    unknown = unknown_fields(obj, KNOWN_NAMES, "the transaction", notes)
    sender = to_checksum(items["sender"]) if "sender" in items else account
    tx_type = _infer_type(items)
    if tx_type == 3:
        raise EdgeError(
            "TX_TYPE_UNSUPPORTED",
            "a blob transaction cannot be checked as an object: its blobs travel only in the "
            "network form, so send it with eth_sendRawTransaction",
            "blobVersionedHashes",
        )
    spec = _spec(tx_type)
    chain_id = int.from_bytes(items["chain_id"], "big") if "chain_id" in items else context_chain_id
    if tx_type == 4 and not items.get("to"):
        raise EdgeError("PARAMS_INVALID", f"a type-{tx_type} transaction must name its `to` address", "to")
    tx = _transaction(tx_type, items, spec, chain_id, sender)
    complete = all(name in items for name, _ in spec if name not in DEFAULTS and name != "chain_id")
    if complete and tx_type == 0 and chain_id is None:
        raise EdgeError(
            "PARAMS_INVALID", "no chain id: a legacy transaction would have no replay protection", "chainId"
        )
    if complete and chain_id is not None and not unknown:
        values = {**DEFAULTS, **items, "chain_id": min_bytes(chain_id)}
        body = [values[name] for name, _ in spec]
        raw = (
            rlp.encode(body + [min_bytes(chain_id), b"", b""]) if tx_type == 0 else bytes([tx_type]) + rlp.encode(body)
        )
        parsed = parse_raw_transaction(raw, method, sender)
        return replace(parsed, notes=parsed.notes + tuple(notes))
    signing_bytes = _request_digest_bytes(items, unknown, tx_type, chain_id, sender)
    lacking = [JSON_NAMES[name] for name, _ in spec if name not in items and name not in DEFAULTS]
    if chain_id is None and "chainId" not in lacking:
        lacking.append("chainId")
    return Payload(
        kind=PayloadKind.TRANSACTION,
        method=method,
        chain_id=chain_id,
        signer=sender,
        signing_bytes=signing_bytes,
        digest=keccak(signing_bytes),
        digest_kind=DigestKind.REQUEST,
        calls=(RawCall(tx.to, tx.value, tx.data),),
        tx=tx,
        notes=tuple(notes),
        unsignable=tuple(lacking) + tuple(sorted(unknown)),
    )
