"""CBOR for the core types: what crosses a process or device boundary, with a schema version.

A value is encoded as `{"v": WIRE_VERSION, "type": name, "body": {field: value}}`, nested
dataclasses the same way, tuples under a private CBOR tag so they come back as tuples.
Decoding refuses unknown types, unknown fields and other versions. It is the core types'
CBOR form for embedding hosts (the mobile bridge); the tiers' own protocols (verdicts,
requests, device messages) are smaller CBOR maps of their own. Not on the gate's import path.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import cbor2

from .errors import EdgeError
from .findings import Finding
from .types import (
    Authorization,
    Call,
    Command,
    Decision,
    Intent,
    Payload,
    RawCall,
    Request,
    Transaction,
    TypedData,
    TypedIntent,
)

WIRE_VERSION = 1
TUPLE_TAG = 25_700  # private to this format: a CBOR array that decodes as a Python tuple
MAX_WIRE_BYTES = 8 * 1024 * 1024

WIRE_TYPES: dict[str, type] = {cls.__name__: cls for cls in (
    Request, Payload, Transaction, Authorization, TypedData, RawCall, Call, Command, TypedIntent, Intent, Finding, Decision)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        body = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"v": WIRE_VERSION, "type": type(value).__name__, "body": body}
    if isinstance(value, tuple):
        return cbor2.CBORTag(TUPLE_TAG, [_plain(v) for v in value])
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _tag_hook(_decoder: Any, tag: cbor2.CBORTag) -> Any:
    if tag.tag == TUPLE_TAG and isinstance(tag.value, list):
        return tuple(tag.value)
    raise EdgeError("REQUEST_INVALID", f"unknown CBOR tag {tag.tag}")


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"v", "type", "body"} and isinstance(value.get("type"), str):
        if value["v"] != WIRE_VERSION:
            raise EdgeError("REQUEST_INVALID", f"wire version {value['v']} is not {WIRE_VERSION}")
        cls = WIRE_TYPES.get(value["type"])
        if cls is None or not isinstance(value["body"], dict):
            raise EdgeError("REQUEST_INVALID", f"unknown wire type {value['type']!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        if set(value["body"]) - names:
            raise EdgeError("REQUEST_INVALID", f"unknown fields for {value['type']}: {sorted(set(value['body']) - names)}")
        try:
            return cls(**{k: _typed(v) for k, v in value["body"].items()})
        except TypeError as exc:
            raise EdgeError("REQUEST_INVALID", f"incomplete {value['type']}: {exc}") from exc
    if isinstance(value, tuple):
        return tuple(_typed(v) for v in value)
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return value


def to_cbor(value: Any) -> bytes:
    """Deterministic CBOR (RFC 8949 core deterministic encoding) of a core-type value."""
    return cbor2.dumps(_plain(value), canonical=True)


def from_cbor(data: bytes) -> Any:
    """The core-type value encoded by `to_cbor`; anything else is an EdgeError."""
    if len(data) > MAX_WIRE_BYTES:
        raise EdgeError("REQUEST_TOO_LARGE", f"CBOR message exceeds {MAX_WIRE_BYTES} bytes")
    try:
        return _typed(cbor2.loads(data, tag_hook=_tag_hook))
    except EdgeError:
        raise
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise EdgeError("REQUEST_INVALID", f"not a valid CBOR message: {exc}") from exc
