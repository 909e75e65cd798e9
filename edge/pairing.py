"""The edge's side of pairing with the user's local verifier: pin its certificate, register a key, keep it.

`connect` spends a pairing offer: it pins the daemon's TLS certificate by the offer's
fingerprint, registers this device's Ed25519 key and keeps the verifier's public key in a
pairing directory; `load_pairing` reads it back for `escalate`. The messages are those of
`local_protocol`. Imported only when pairing or escalating (httpx, cryptography), never by
`import dmind.edge`.
"""

from __future__ import annotations

import json
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from dmind.policies.bundle import TrustStore, key_id
from dmind.policies.keyfiles import ensure_private_key, read_private_key

from .local_protocol import PAIR_PATH, PairingError, PairRequest, cert_fingerprint, parse_offer

PAIRING_FILE = "pairing.json"
DEVICE_KEY = "device.key"


def _tls13_client() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False  # identity is the pinned certificate, not a host name
    return context


def pinned_context(pem: bytes) -> ssl.SSLContext:
    """TLS 1.3 that trusts exactly this certificate."""
    context = _tls13_client()
    context.load_verify_locations(cadata=pem.decode())
    return context


def fetch_pinned(host: str, port: int, expected: str, timeout: float = 5.0) -> bytes:
    """The daemon's certificate, if and only if its fingerprint is `expected`."""
    context = _tls13_client()
    context.verify_mode = ssl.CERT_NONE  # checked below against the fingerprint from the offer
    with socket.create_connection((host, port), timeout=timeout) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    if der is None:
        raise PairingError("PAIRING_FINGERPRINT_MISMATCH", "the daemon presented no certificate")
    pem = ssl.DER_cert_to_PEM_cert(der).encode()
    if cert_fingerprint(pem) != expected.lower():
        raise PairingError("PAIRING_FINGERPRINT_MISMATCH", "the daemon's certificate does not match the offer")
    return pem


@dataclass(frozen=True, slots=True)
class Pairing:
    """This wallet's pairing: the pinned daemon, this device's key and the verifier's public key."""

    host: str
    port: int
    cert_pem: bytes
    device_id: str
    verifier_public_key: bytes
    key: Ed25519PrivateKey

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def verifiers(self) -> TrustStore:
        store = TrustStore()
        store.add(Ed25519PublicKey.from_public_bytes(self.verifier_public_key))
        return store


def load_pairing(directory: str | Path) -> Pairing:
    """This wallet's pairing from its directory; NOT_PAIRED when there is none."""
    directory = Path(directory)
    try:
        record = json.loads((directory / PAIRING_FILE).read_text())
        key = read_private_key(directory / DEVICE_KEY, Ed25519PrivateKey)
        return Pairing(
            record["host"],
            record["port"],
            record["cert_pem"].encode(),
            record["device_id"],
            bytes.fromhex(record["verifier_public_key"]),
            key,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PairingError("NOT_PAIRED", f"no pairing in {directory}: run `dmind-edge local connect URI`") from exc


def connect(uri: str, directory: str | Path, name: str = "wallet", timeout: float = 5.0) -> Pairing:
    """Pair with the daemon that made `uri`: pin it, register this device's key, spend the token."""
    import httpx

    offer = parse_offer(uri)
    if offer.expires_at <= time.time():
        raise PairingError("PAIRING_OFFER_EXPIRED", "the pairing offer has expired; ask for a new one")
    directory = Path(directory)
    key = ensure_private_key(directory / DEVICE_KEY, Ed25519PrivateKey, Ed25519PrivateKey.generate)
    pem = fetch_pinned(offer.host, offer.port, offer.fingerprint, timeout)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with httpx.Client(verify=pinned_context(pem), timeout=timeout) as client:
        response = client.post(
            f"https://{offer.host}:{offer.port}{PAIR_PATH}", content=PairRequest(offer.token, public, name).encode()
        )
    body = cbor2.loads(response.content)
    if response.status_code != 200:
        raise PairingError(body.get("code", "PAIRING_REFUSED"), body.get("message", "the daemon refused to pair"))
    if body["device_id"] != key_id(key.public_key()).hex():
        raise PairingError("PAIRING_INVALID", "the daemon registered another device id")
    record = {
        "host": offer.host,
        "port": offer.port,
        "cert_pem": pem.decode(),
        "device_id": body["device_id"],
        "verifier_public_key": body["verifier_public_key"].hex(),
    }
    (directory / PAIRING_FILE).write_text(json.dumps(record, indent=2))
    return load_pairing(directory)
