"""COSE_Sign1 (RFC 9052 §4.2) with EdDSA over Ed25519, on cbor2 and cryptography.

No maintained COSE library fits: pycose (1.1.0, last released 2023) pulls `ecdsa` and
`attrs` and decodes leniently. This module does only what policy bundles need, strictly:
the message must be deterministic CBOR under tag 18, headers must be known, the algorithm
must be EdDSA (-8) or Ed25519 (-19), and the signature covers the Sig_structure with the
caller's external AAD. Interoperability is tested against the COSE working group's
published Sign1 example (eddsa-sig-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .cbor_strict import CborError, check_deterministic
from .errors import InputError

COSE_SIGN1_TAG = 18
HEADER_ALG, HEADER_CRIT, HEADER_CONTENT_TYPE, HEADER_KID = 1, 2, 3, 4
ALG_EDDSA, ALG_ED25519 = -8, -19
ALLOWED_ALGS = (ALG_EDDSA, ALG_ED25519)
KNOWN_HEADERS = {HEADER_ALG, HEADER_CRIT, HEADER_CONTENT_TYPE, HEADER_KID}


class CoseError(InputError):
    """A COSE message refused; `code` is stable."""


@dataclass(frozen=True, slots=True)
class Sign1:
    protected: dict[int, Any]
    protected_bytes: bytes
    unprotected: dict[int, Any]
    payload: bytes
    signature: bytes

    @property
    def alg(self) -> Any:
        return self.protected.get(HEADER_ALG)

    @property
    def kid(self) -> bytes | None:
        kid = self.protected.get(HEADER_KID, self.unprotected.get(HEADER_KID))
        return kid if isinstance(kid, bytes) else None


def _cbor_error(exc: CborError) -> CoseError:
    return CoseError("BUNDLE_" + exc.code, f"not deterministic CBOR: {exc}")


def sig_structure(protected_bytes: bytes, external_aad: bytes, payload: bytes) -> bytes:
    """The bytes a COSE_Sign1 signature covers (RFC 9052 §4.4)."""
    return cbor2.dumps(["Signature1", protected_bytes, external_aad, payload], canonical=True)


def _headers(raw: Any, where: str) -> dict[int, Any]:
    # type() rather than isinstance(): a bool or a float label (1.0 == 1 in Python) is not a label.
    if not isinstance(raw, dict) or not all(type(k) is int for k in raw):
        raise CoseError("BUNDLE_STRUCTURE_INVALID", f"{where} header must be a map with integer labels")
    return raw


def decode_sign1(data: bytes) -> Sign1:
    """Parse a tagged COSE_Sign1 strictly; the signature is not checked here."""
    try:
        check_deterministic(data, frozenset({COSE_SIGN1_TAG}))
    except CborError as exc:
        raise _cbor_error(exc) from exc
    decoded = cbor2.loads(data)
    if not isinstance(decoded, cbor2.CBORTag) or decoded.tag != COSE_SIGN1_TAG:
        raise CoseError("BUNDLE_TAG_INVALID", "not a tagged COSE_Sign1 message (tag 18)")
    body = decoded.value
    if not (
        isinstance(body, list)
        and len(body) == 4
        and isinstance(body[0], bytes)
        and isinstance(body[2], bytes)
        and isinstance(body[3], bytes)
    ):
        raise CoseError(
            "BUNDLE_STRUCTURE_INVALID",
            "COSE_Sign1 must be [protected bstr, unprotected map, payload bstr, signature bstr]",
        )
    protected_bytes, unprotected, payload, signature = body
    protected: dict[int, Any] = {}
    if protected_bytes:
        try:
            check_deterministic(protected_bytes)
        except CborError as exc:
            raise _cbor_error(exc) from exc
        protected = _headers(cbor2.loads(protected_bytes), "protected")
    unprotected = _headers(unprotected, "unprotected")
    if set(protected) & set(unprotected):
        raise CoseError("BUNDLE_STRUCTURE_INVALID", "a header label appears in both protected and unprotected buckets")
    if HEADER_CRIT in unprotected:
        raise CoseError("BUNDLE_HEADER_CRITICAL", "crit must be in the protected header (RFC 9052 §3.1)")
    if HEADER_CRIT in protected:
        crit = protected[HEADER_CRIT]
        if not isinstance(crit, list) or not crit or not all(type(label) is int for label in crit):
            raise CoseError("BUNDLE_HEADER_CRITICAL", "crit must be a non-empty list of integer labels")
        if any(label not in KNOWN_HEADERS or label not in protected for label in crit):
            raise CoseError(
                "BUNDLE_HEADER_CRITICAL", "a critical header this verifier does not understand, or one that is absent"
            )
    return Sign1(protected, protected_bytes, unprotected, payload, signature)


def check_alg(message: Sign1) -> None:
    """Accept only EdDSA (-8) and Ed25519 (-19), and only in the protected bucket."""
    if type(message.alg) is not int or message.alg not in ALLOWED_ALGS or HEADER_ALG in message.unprotected:
        raise CoseError("BUNDLE_ALG_UNSUPPORTED", f"algorithm {message.alg!r} is not EdDSA/Ed25519")


def verify_signature(message: Sign1, public_key: bytes, external_aad: bytes) -> None:
    """Check the Ed25519 signature over the Sig_structure with this external AAD."""
    check_alg(message)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            message.signature, sig_structure(message.protected_bytes, external_aad, message.payload)
        )
    except (InvalidSignature, ValueError) as exc:
        raise CoseError("BUNDLE_SIGNATURE_INVALID", "the signature does not verify with the pinned key") from exc


def sign1(payload: bytes, private_key: Ed25519PrivateKey, kid: bytes, content_type: str, external_aad: bytes) -> bytes:
    """A tagged COSE_Sign1 with alg EdDSA, kid and content type in the protected header."""
    protected_bytes = cbor2.dumps(
        {HEADER_ALG: ALG_EDDSA, HEADER_CONTENT_TYPE: content_type, HEADER_KID: kid}, canonical=True
    )
    check_deterministic(protected_bytes)  # what we sign must pass our own verifier
    signature = private_key.sign(sig_structure(protected_bytes, external_aad, payload))
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected_bytes, {}, payload, signature]), canonical=True)
