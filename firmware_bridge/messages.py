"""Device messages: CBOR maps with small integer keys and a version, in ERC-4527's style.

Every message is `{0: version, 1: type, 2…: fields}`; each type's fields are listed once in
`SCHEMAS` as (key, name, kind, required). A `SignRequest` carries what ERC-4527's
`eth-sign-request` does (request id, the data to sign, chain, derivation path, address,
origin), with the EIP-1193 request itself as the sign data so the device can gate it.

`Signature.signature` is `r (32) || s (32) || v` with v = 27 + y-parity, as `eth_sign` and
`personal_sign` return it. For a typed transaction the y-parity is v - 27; for a legacy
EIP-155 transaction the host writes v as chainId * 2 + 35 + (v - 27). For a Solana request
it is one 64-byte Ed25519 signature per message signed, in the request's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cbor2
from dmind.policies.errors import InputError

VERSION = 1
MAX_MESSAGE_BYTES = 48_000

# kind -> Python type(s) accepted for it
KINDS: dict[str, tuple[type, ...]] = {
    "bytes": (bytes,),
    "text": (str,),
    "uint": (int,),
    "bool": (bool,),
    "map": (dict,),
}

# type id -> (name, ((key, field, kind, required), ...))
SCHEMAS: dict[int, tuple[str, tuple[tuple[int, str, str, bool], ...]]] = {
    1: ("GetInfo", ()),
    2: (
        "Info",
        (
            (2, "device_id", "text", True),
            (3, "firmware", "text", True),
            (4, "address", "text", True),
            (5, "policy_id", "text", False),
            (6, "policy_revision", "uint", False),
            (7, "verifiers", "uint", True),
        ),
    ),
    3: ("LoadPolicy", ((2, "bundle", "bytes", True),)),
    4: ("PolicyLoaded", ((2, "policy_id", "text", True), (3, "policy_revision", "uint", True))),
    5: ("Evaluate", ((2, "request_id", "bytes", True), (3, "request", "text", True))),
    6: ("Evaluation", ((2, "request_id", "bytes", True), (3, "decision", "map", True))),
    7: (
        "SignRequest",
        (
            (2, "request_id", "bytes", True),
            (3, "request", "text", True),
            (4, "derivation_path", "text", True),
            (5, "address", "text", False),
            (6, "origin", "text", False),
            (7, "verdict", "bytes", False),
            (8, "data_type", "uint", False),
            (9, "chain_id", "uint", False),
        ),
    ),
    8: (
        "Signature",
        (
            (2, "request_id", "bytes", True),
            (3, "digest", "bytes", True),
            (4, "signature", "bytes", True),
            (5, "decision", "text", True),
        ),
    ),
    9: ("Failure", ((2, "request_id", "bytes", False), (3, "code", "text", True), (4, "message", "text", True))),
    10: ("DebugConfirm", ((2, "confirm", "bool", True),)),
    11: ("Success", ()),
}
TYPE_IDS = {name: type_id for type_id, (name, _) in SCHEMAS.items()}


class MessageError(InputError):
    """CBOR that is not a known, well-formed message; `code` is stable."""


@dataclass(frozen=True, slots=True)
class Message:
    """A message by name, with its fields by name (absent optional fields are left out)."""

    name: str
    fields: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.fields[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.fields.get(key, default)


def message(name: str, **fields: Any) -> Message:
    """Build a message, checking its fields against the schema."""
    if name not in TYPE_IDS:
        raise MessageError("MESSAGE_UNKNOWN", f"no message type {name!r}")
    present = {k: v for k, v in fields.items() if v is not None}
    keys = {field: key for key, field, _, _ in SCHEMAS[TYPE_IDS[name]][1]}
    _validate(TYPE_IDS[name], {keys[f]: v for f, v in present.items() if f in keys}, extra=set(present) - set(keys))
    return Message(name, present)


def _validate(type_id: int, body: dict[int, Any], extra: set) -> None:
    name, schema = SCHEMAS[type_id]
    if extra:
        raise MessageError("MESSAGE_INVALID", f"{name} has no field {sorted(map(str, extra))[0]}")
    for key, field, kind, required in schema:
        if key not in body:
            if required:
                raise MessageError("MESSAGE_INVALID", f"{name} needs {field}")
            continue
        value = body[key]
        # bool is an int in Python: keep uint and bool apart
        if not isinstance(value, KINDS[kind]) or (
            kind == "uint" and (isinstance(value, bool) or (isinstance(value, int) and value < 0))
        ):
            raise MessageError("MESSAGE_INVALID", f"{name}.{field} must be {kind}")


def encode_message(msg: Message) -> bytes:
    """Deterministic CBOR of a message."""
    type_id = TYPE_IDS[msg.name]
    body = {key: msg.fields[field] for key, field, _, _ in SCHEMAS[type_id][1] if field in msg.fields}
    return cbor2.dumps({0: VERSION, 1: type_id, **body}, canonical=True)


def decode_message(data: bytes) -> Message:
    """A message from CBOR; anything malformed, unknown or oversized is a MessageError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageError("MESSAGE_TOO_LARGE", f"{len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    try:
        raw = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises assorted errors on hostile input; all mean "not a message"
        raise MessageError("MESSAGE_INVALID", "not well-formed CBOR") from exc
    if not isinstance(raw, dict) or not all(type(k) is int for k in raw):
        raise MessageError("MESSAGE_INVALID", "a message is a CBOR map with integer keys")
    if type(raw.get(0)) is not int or raw[0] != VERSION:
        raise MessageError("MESSAGE_VERSION", f"the message version is not {VERSION}")
    type_id = raw.get(1)
    if type(type_id) is not int or type_id not in SCHEMAS:
        raise MessageError("MESSAGE_UNKNOWN", "unknown message type")
    name, schema = SCHEMAS[type_id]
    body = {k: v for k, v in raw.items() if k not in (0, 1)}
    _validate(type_id, body, extra=set(body) - {key for key, _, _, _ in schema})
    return Message(name, {field: body[key] for key, field, _, _ in schema if key in body})
