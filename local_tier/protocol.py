"""Verification requests, daemon side: authenticate and decode what `edge/escalate.py` signs.

Every request carries the payload digest, a request id, a per-device counter that must grow
and an expiry; the signature covers all of it with its own external AAD. The daemon checks,
in order: the envelope, the sender is a paired and unrevoked device, the signature, the
schema, the expiry, and (last, because it changes state) the counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cbor2
from dmind.edge.errors import EdgeError
from dmind.edge.escalate import REQUEST_AAD
from dmind.edge.escalate import REQUEST_FIELDS as FIELDS
from dmind.edge.requests_io import loads_strict
from dmind.policies.cbor_strict import CborError, check_deterministic
from dmind.policies.cose import CoseError, check_alg, decode_sign1, verify_signature
from dmind.policies.errors import CodedError

from .store import ContextStore, StoreError

MAX_REQUEST_BYTES = 256 * 1024
MAX_REQUEST_TTL_S = 120  # a request claiming a longer life is refused: it could be replayed after a re-pair


class ProtocolError(CodedError):
    """A request the daemon refuses, with the HTTP status it answers with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code, message)
        self.status = status


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    device_id: str
    counter: int
    request_id: bytes
    expires_at: int
    digest: bytes
    signer: str
    request: dict
    edge: dict


def parse_request(data: bytes, store: ContextStore, now: int) -> VerifyRequest:
    """Authenticate and decode a request; the device's counter advances only if all else holds."""
    if len(data) > MAX_REQUEST_BYTES:
        raise ProtocolError("REQUEST_TOO_LARGE", f"requests are at most {MAX_REQUEST_BYTES} bytes", 413)
    try:
        message = decode_sign1(data)
        check_alg(message)
    except CoseError as exc:
        raise ProtocolError("REQUEST_INVALID", exc.message) from exc
    pairing = store.pairing(message.kid.hex()) if message.kid else None
    if pairing is None or pairing.revoked_at is not None:
        raise ProtocolError("DEVICE_NOT_PAIRED", "this key is not paired with the verifier (or was unpaired)", 403)
    try:
        verify_signature(message, pairing.public_key, REQUEST_AAD)
        check_deterministic(message.payload)
    except CoseError as exc:
        raise ProtocolError("REQUEST_SIGNATURE_INVALID", exc.message, 403) from exc
    except CborError as exc:
        raise ProtocolError("REQUEST_INVALID", str(exc)) from exc
    body: Any = cbor2.loads(message.payload)
    if (not isinstance(body, dict) or sorted(body) != sorted(FIELDS) or body["v"] != 1 or body["device_id"] != pairing.device_id
            or type(body["counter"]) is not int or type(body["expires_at"]) is not int or not isinstance(body["request_id"], bytes)
            or not isinstance(body["digest"], bytes) or len(body["digest"]) != 32 or type(body["signer"]) is not str
            or type(body["request"]) is not str or not isinstance(body["edge"], dict)):
        raise ProtocolError("REQUEST_INVALID", "not a verification request of this version")
    if now >= body["expires_at"]:
        raise ProtocolError("REQUEST_EXPIRED", "the request expired before it arrived")
    if body["expires_at"] > now + MAX_REQUEST_TTL_S:
        raise ProtocolError("REQUEST_INVALID", f"a request may live at most {MAX_REQUEST_TTL_S} s")
    try:
        request = loads_strict(body["request"], "the escalated request")
    except EdgeError as exc:
        raise ProtocolError("REQUEST_INVALID", exc.message) from exc
    try:
        store.advance_counter(pairing.device_id, body["counter"])
    except StoreError as exc:
        raise ProtocolError(exc.code, exc.message, 409) from exc
    return VerifyRequest(pairing.device_id, body["counter"], body["request_id"], body["expires_at"], body["digest"],
                         body["signer"], request, body["edge"])
