"""Signed verdicts from the paired local verifier, bound to one payload digest.

When the edge says STEP_UP, the user's desktop verifier (local tier) may answer with a
verdict: a COSE_Sign1 (Ed25519) over `{v, digest, signer, verdict, request_id, issued_at,
expires_at}` with its own external AAD, so neither a policy signature nor a verdict for
other bytes can pass as one. Whoever holds a verdict (the edge, a hardware wallet) checks it
against the verifier key it pinned at pairing, the digest and account it is about to sign
with, and the request it answers; a digest alone would not say whose key may sign it (a
transaction's signing hash does not include its sender).
"""

from __future__ import annotations

from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.policies.bundle import TrustStore, key_id
from dmind.policies.cbor_strict import CborError, check_deterministic
from dmind.policies.cose import CoseError, check_alg, decode_sign1, sign1, verify_signature
from dmind.policies.errors import InputError
from dmind.policies.vocabulary import Verdict

VERDICT_AAD = b"dmind-edge local verdict v1"
CONTENT_TYPE = "application/vnd.dmind.verdict+cbor"
VERDICTS = (Verdict.ALLOW, Verdict.BLOCK)  # a local verdict settles a STEP_UP: it is never one
FIELDS = ("v", "digest", "signer", "verdict", "request_id", "issued_at", "expires_at")
MAX_CLOCK_SKEW_S = 30  # the verifier's clock may run this far ahead of the holder's


class VerdictError(InputError):
    """A verdict that does not authorize this signature; `code` is stable."""


@dataclass(frozen=True, slots=True)
class LocalVerdict:
    digest: bytes
    signer: str
    verdict: Verdict
    request_id: bytes
    issued_at: int
    expires_at: int
    kid: bytes


def sign_verdict(
    digest: bytes,
    signer: str,
    verdict: Verdict,
    request_id: bytes,
    key: Ed25519PrivateKey,
    issued_at: int,
    ttl_s: int = 120,
) -> bytes:
    """The local verifier's signed verdict on one digest, for one signing account and request."""
    if verdict not in VERDICTS or len(digest) != 32:
        raise ValueError("a verdict is ALLOW or BLOCK on a 32-byte digest")
    payload = cbor2.dumps(
        {
            "v": 1,
            "digest": digest,
            "signer": signer.lower(),
            "verdict": verdict,
            "request_id": request_id,
            "issued_at": issued_at,
            "expires_at": issued_at + ttl_s,
        },
        canonical=True,
    )
    return sign1(payload, key, key_id(key.public_key()), CONTENT_TYPE, VERDICT_AAD)


def verify_verdict(
    data: bytes, digest: bytes, signer: str, request_id: bytes, verifiers: TrustStore, now: int
) -> LocalVerdict:
    """The verdict, if a pinned verifier signed it for exactly this digest, account and request, and it is current."""
    if not isinstance(data, bytes):
        raise VerdictError("VERDICT_INVALID", "a verdict is a COSE_Sign1 byte string")
    try:
        message = decode_sign1(data)
        check_alg(message)
        kid = message.kid
        key = verifiers.get(kid)
        if kid is None or key is None:
            raise VerdictError("VERDICT_KID_UNKNOWN", "the verdict is not from a paired verifier")
        verify_signature(message, key, VERDICT_AAD)
        check_deterministic(message.payload)
    except CoseError as exc:
        raise VerdictError("VERDICT_INVALID", exc.message) from exc
    except CborError as exc:
        raise VerdictError("VERDICT_INVALID", str(exc)) from exc
    body = cbor2.loads(message.payload)
    if (
        message.unprotected
        or message.protected.get(3) != CONTENT_TYPE
        or not isinstance(body, dict)
        or sorted(body) != sorted(FIELDS)
        or body["v"] != 1
        or body["verdict"] not in VERDICTS
        or not isinstance(body["digest"], bytes)
        or not isinstance(body["request_id"], bytes)
        or type(body["signer"]) is not str
        or not all(type(body[k]) is int for k in ("issued_at", "expires_at"))
    ):
        raise VerdictError("VERDICT_INVALID", "not a verdict of this format")
    verdict = LocalVerdict(
        body["digest"],
        body["signer"],
        Verdict(body["verdict"]),
        body["request_id"],
        body["issued_at"],
        body["expires_at"],
        kid,
    )
    if verdict.digest != digest:
        raise VerdictError("VERDICT_DIGEST_MISMATCH", "the verdict is for other bytes than the ones to be signed")
    if verdict.signer != signer.lower():
        raise VerdictError("VERDICT_SIGNER_MISMATCH", "the verdict is for another account")
    if verdict.request_id != request_id:
        raise VerdictError("VERDICT_REQUEST_MISMATCH", "the verdict answers another request")
    if not verdict.issued_at - MAX_CLOCK_SKEW_S <= now < verdict.expires_at:
        raise VerdictError("VERDICT_EXPIRED", "the verdict is not valid at this time")
    return verdict


def verdict_request_id(data: bytes) -> bytes:
    """The request id a verdict answers, read without verifying it: the holder needs it to ask for the signature,
    and the device verifies the whole verdict (signature, digest, account, this id) before it signs."""
    try:
        body = cbor2.loads(decode_sign1(data).payload)
    except (CoseError, CborError, ValueError, cbor2.CBORDecodeError) as exc:
        raise VerdictError("VERDICT_INVALID", "not a verdict of this format: it is not a COSE_Sign1 message") from exc
    if not isinstance(body, dict) or not isinstance(body.get("request_id"), bytes):
        raise VerdictError("VERDICT_INVALID", "not a verdict of this format: it names no request id")
    return body["request_id"]
