"""COSE_Sign1: interoperability with the COSE working group's examples, and strictness."""

from __future__ import annotations

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.policies.cose import CoseError, decode_sign1, sig_structure, sign1, verify_signature

# cose-wg/Examples eddsa-examples/eddsa-sig-01.json ("EdDSA-01: EdDSA - 25519 - sign0"):
# the key is RFC 8032 §7.1 test 1; the payload is "This is the content.".
COSE_WG_SIGN1 = bytes.fromhex(
    "D28445A201270300A10442313154546869732069732074686520636F6E74656E742E5840"
    "7142FD2FF96D56DB85BEE905A76BA1D0B7321A95C8C4D3607C5781932B7AFB8711497DFA751BF40B58B3BCC32300B1487F3DB34085EEF013BF08F4A44D6FEF0D"
)
COSE_WG_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
COSE_WG_PRIVATE = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def test_cose_wg_example_verifies():
    message = decode_sign1(COSE_WG_SIGN1)
    assert message.payload == b"This is the content." and message.kid == b"11"
    verify_signature(message, COSE_WG_PUBLIC, b"")


def test_our_signature_matches_the_cose_wg_example():
    # Ed25519 is deterministic: the same key, headers and payload give the same bytes.
    key = Ed25519PrivateKey.from_private_bytes(COSE_WG_PRIVATE)
    message = decode_sign1(COSE_WG_SIGN1)
    ours = key.sign(sig_structure(message.protected_bytes, b"", message.payload))
    assert ours == message.signature


def test_external_aad_separates_domains():
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    message = decode_sign1(sign1(b"payload", key, b"k", "text/plain", b"domain A"))
    verify_signature(message, public, b"domain A")
    with pytest.raises(CoseError) as caught:
        verify_signature(message, public, b"domain B")
    assert caught.value.code == "BUNDLE_SIGNATURE_INVALID"


def _forge(protected: dict, unprotected: dict | None = None) -> bytes:
    body = cbor2.dumps(protected, canonical=True)
    return cbor2.dumps(cbor2.CBORTag(18, [body, unprotected or {}, b"x", b"\x00" * 64]), canonical=True)


@pytest.mark.parametrize(
    "data,code",
    [
        (_forge({1: -7}), "BUNDLE_ALG_UNSUPPORTED"),  # ES256
        (_forge({1: "EdDSA"}), "BUNDLE_ALG_UNSUPPORTED"),  # text alg
        (_forge({}), "BUNDLE_ALG_UNSUPPORTED"),  # no alg ("none")
        (_forge({3: 0}, {1: -8}), "BUNDLE_ALG_UNSUPPORTED"),  # alg only unprotected
        (_forge({1: -8, 2: [99]}), "BUNDLE_HEADER_CRITICAL"),  # unknown critical header
        (_forge({1: -8}, {1: -8}), "BUNDLE_STRUCTURE_INVALID"),  # label in both buckets
        (cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""])), "BUNDLE_CBOR_TAG_UNEXPECTED"),
        (cbor2.dumps([b"", {}, b"", b""]), "BUNDLE_TAG_INVALID"),
        (cbor2.dumps(cbor2.CBORTag(18, [b"", {}, b""])), "BUNDLE_STRUCTURE_INVALID"),
    ],
)
def test_bad_envelopes(data, code):
    with pytest.raises(CoseError) as caught:
        verify_signature(decode_sign1(data), COSE_WG_PUBLIC, b"")
    assert caught.value.code == code
