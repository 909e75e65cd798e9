"""The edge ↔ local-verifier wire format: one module, imported by both sides.

The daemon (`dmind.local_tier`) serves, over TLS 1.3 pinned by certificate fingerprint:

    POST /v1/pair    {token, public_key, name}  -> {device_id, verifier_public_key}   (CBOR)
    POST /v1/verify  COSE_Sign1 request         -> {verdict (signed), decision, risk, explanation,
                                                   explanation_zh, findings, divergence, intent, audit}
    GET  /v1/health                             -> {ok}

A pairing starts from an offer, a `dmind-pair:` URI with the daemon's address, its
certificate fingerprint, a one-time 128-bit token and an expiry. A verification request is
a COSE_Sign1 by the paired device's Ed25519 key, with its own external AAD, over
`{v, device_id, counter, request_id, expires_at, ask_user_s, digest, signer, request, edge}`; the daemon
checks, in order: the envelope, the sender is paired, the signature, the schema, the expiry,
and (last, because it changes state) that the counter grows. The answer's verdict is the
format of `verdict.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.policies.bundle import key_id
from dmind.policies.cbor_strict import CborError, check_deterministic
from dmind.policies.cose import CoseError, Sign1, check_alg, decode_sign1, sign1, verify_signature
from dmind.policies.errors import InputError

from .errors import EdgeError
from .requests_io import loads_strict

PAIR_PATH, VERIFY_PATH, HEALTH_PATH = "/v1/pair", "/v1/verify", "/v1/health"
PAIRING_SCHEME = "dmind-pair:"
MAX_OFFER_S = 300
TOKEN_BYTES = 16
DEVICE_NAME = re.compile(r"[A-Za-z0-9 ._-]{1,64}")
REQUEST_AAD = b"dmind-edge local request v1"
REQUEST_CONTENT_TYPE = "application/vnd.dmind.verify-request+cbor"
REQUEST_FIELDS = (
    "v",
    "device_id",
    "counter",
    "request_id",
    "expires_at",
    "ask_user_s",
    "digest",
    "signer",
    "request",
    "edge",
)
REQUEST_TTL_S = 30  # what the edge asks for
MAX_REQUEST_TTL_S = 120  # what the daemon accepts: a longer-lived request could be replayed after a re-pair
MAX_REQUEST_BYTES = 256 * 1024


class ProtocolError(InputError):
    """A pairing or verification message refused, with the HTTP status the daemon answers it with."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code, message)
        self.status = status


class PairingError(ProtocolError):
    """A pairing refused: a malformed or expired offer, a certificate that does not match, no pairing on file."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A pairing offer: the daemon's address and certificate fingerprint, a one-time token, an expiry."""

    host: str
    port: int
    fingerprint: str
    token: bytes
    expires_at: int

    @property
    def uri(self) -> str:
        query = {"h": self.host, "p": self.port, "fp": self.fingerprint, "t": self.token.hex(), "e": self.expires_at}
        return f"{PAIRING_SCHEME}?{urlencode(query)}"


def parse_offer(uri: str) -> Offer:
    """An offer from its `dmind-pair:` URI; anything malformed is PAIRING_OFFER_INVALID."""
    if not uri.startswith(PAIRING_SCHEME + "?"):
        raise PairingError("PAIRING_OFFER_INVALID", f"a pairing offer starts with {PAIRING_SCHEME}?")
    try:
        query = {k: v[0] for k, v in parse_qs(uri[len(PAIRING_SCHEME) + 1 :], strict_parsing=True).items()}
        offer = Offer(query["h"], int(query["p"]), query["fp"].lower(), bytes.fromhex(query["t"]), int(query["e"]))
    except (KeyError, ValueError) as exc:
        raise PairingError("PAIRING_OFFER_INVALID", "the pairing offer is incomplete or malformed") from exc
    if len(offer.token) != TOKEN_BYTES or len(offer.fingerprint) != 64 or not 0 < offer.port < 65536:
        raise PairingError("PAIRING_OFFER_INVALID", "the pairing offer's token, fingerprint or port is malformed")
    return offer


def token_hash(token: bytes) -> bytes:
    """What the daemon stores of a pairing token: never the token itself."""
    return hashlib.sha256(b"dmind-pair token" + token).digest()


def cert_fingerprint(pem: bytes) -> str:
    """SHA-256 of a PEM certificate's DER bytes, hex: what an offer pins."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.decode())).hexdigest()


@dataclass(frozen=True, slots=True)
class PairRequest:
    """The body of POST /v1/pair: the offer's token and the device's Ed25519 public key."""

    token: bytes
    public_key: bytes
    name: str

    def encode(self) -> bytes:
        return cbor2.dumps({"token": self.token, "public_key": self.public_key, "name": self.name})


def read_pair_request(data: bytes) -> PairRequest:
    """A pairing body, or PAIRING_INVALID."""
    try:
        body = cbor2.loads(data)
    except Exception as exc:  # cbor2 raises many types on garbage; all mean the same here
        raise PairingError("PAIRING_INVALID", "the body is not CBOR") from exc
    if not (
        isinstance(body, dict)
        and isinstance(body.get("token"), bytes)
        and isinstance(body.get("public_key"), bytes)
        and len(body["public_key"]) == 32
        and type(body.get("name")) is str
        and DEVICE_NAME.fullmatch(body["name"])
    ):
        raise PairingError(
            "PAIRING_INVALID",
            "a pairing needs token, a 32-byte Ed25519 public_key and a name of letters, digits, space, . _ -",
        )
    return PairRequest(body["token"], body["public_key"], body["name"])


@dataclass(frozen=True, slots=True)
class VerifyRequest:
    """An authenticated verification request, as the daemon reads it."""

    device_id: str
    counter: int
    request_id: bytes
    expires_at: int
    digest: bytes
    signer: str
    request: dict
    edge: dict
    ask_user_s: int = 0  # how long the verifier may wait for the user's own decision (policy `user_decides_s`)


def build_request(
    key: Ed25519PrivateKey,
    counter: int,
    request_id: bytes,
    expires_at: int,
    digest: bytes,
    signer: str,
    request: dict,
    edge: dict,
    ask_user_s: int = 0,
) -> bytes:
    """A verification request signed by this paired device (COSE_Sign1, its own AAD)."""
    device = key_id(key.public_key())
    payload = {
        "v": 1,
        "device_id": device.hex(),
        "counter": counter,
        "request_id": request_id,
        "expires_at": expires_at,
        "ask_user_s": ask_user_s,
        "digest": digest,
        "signer": signer,
        "request": json.dumps(request),
        "edge": edge,
    }
    return sign1(cbor2.dumps(payload, canonical=True), key, device, REQUEST_CONTENT_TYPE, REQUEST_AAD)


def open_request(data: bytes) -> Sign1:
    """The request's COSE envelope, not yet authenticated: its `kid` says which device's key to check it with."""
    if len(data) > MAX_REQUEST_BYTES:
        raise ProtocolError("REQUEST_TOO_LARGE", f"requests are at most {MAX_REQUEST_BYTES} bytes", 413)
    try:
        message = decode_sign1(data)
        check_alg(message)
    except CoseError as exc:
        raise ProtocolError("REQUEST_INVALID", exc.message) from exc
    return message


def _is_request(body: Any, device_id: str) -> bool:
    return (
        isinstance(body, dict)
        and sorted(body) == sorted(REQUEST_FIELDS)
        and body["v"] == 1
        and body["device_id"] == device_id
        and type(body["counter"]) is int
        and type(body["expires_at"]) is int
        and type(body["ask_user_s"]) is int
        and isinstance(body["request_id"], bytes)
        and isinstance(body["digest"], bytes)
        and len(body["digest"]) == 32
        and type(body["signer"]) is str
        and type(body["request"]) is str
        and isinstance(body["edge"], dict)
    )


def read_request(message: Sign1, public_key: bytes, device_id: str, now: int) -> VerifyRequest:
    """The request, if `public_key` signed it for `device_id` and it is current; the caller then checks the counter."""
    try:
        verify_signature(message, public_key, REQUEST_AAD)
        check_deterministic(message.payload)
    except CoseError as exc:
        raise ProtocolError("REQUEST_SIGNATURE_INVALID", exc.message, 403) from exc
    except CborError as exc:
        raise ProtocolError("REQUEST_INVALID", exc.message) from exc
    body: Any = cbor2.loads(message.payload)
    if not _is_request(body, device_id):
        raise ProtocolError("REQUEST_INVALID", "not a verification request of this version")
    if now >= body["expires_at"]:
        raise ProtocolError("REQUEST_EXPIRED", "the request expired before it arrived")
    if body["expires_at"] > now + MAX_REQUEST_TTL_S:
        raise ProtocolError("REQUEST_INVALID", f"a request may live at most {MAX_REQUEST_TTL_S} s")
    if not 0 <= body["ask_user_s"] < body["expires_at"] - now:
        raise ProtocolError("REQUEST_INVALID", "ask_user_s must be a wait the request outlives")
    try:
        request = loads_strict(body["request"], "the escalated request")
    except EdgeError as exc:
        raise ProtocolError("REQUEST_INVALID", exc.message) from exc
    return VerifyRequest(
        device_id,
        body["counter"],
        body["request_id"],
        body["expires_at"],
        body["digest"],
        body["signer"],
        request,
        body["edge"],
        body["ask_user_s"],
    )
