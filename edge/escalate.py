"""The edge's side of STEP_UP: pairing with the user's local verifier, and escalating to it.

`connect` spends a pairing offer: it pins the daemon's TLS certificate by the offer's
fingerprint, registers this device's Ed25519 key, and keeps the verifier's public key.
`escalate` sends a STEP_UP request within the policy's latency budget and turns the answer
into the final decision: ALLOW only with a verdict that verifies against the pinned verifier
key for exactly this digest, account and request; anything unreachable, slow or invalid
leaves STEP_UP with a finding that says why. Imported only when escalating (httpx,
cryptography), never by `import dmind.edge`.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from dmind.policies import Policy
from dmind.policies.bundle import TrustStore, key_id
from dmind.policies.errors import CodedError

from .findings import CATALOG, Finding, finding
from .summary import summarize
from .types import Decision
from .verdict import VerdictError, verify_verdict

PAIRING_SCHEME = "dmind-pair:"
MAX_OFFER_S = 300
REQUEST_AAD = b"dmind-edge local request v1"
REQUEST_CONTENT_TYPE = "application/vnd.dmind.verify-request+cbor"
REQUEST_FIELDS = ("v", "device_id", "counter", "request_id", "expires_at", "digest", "signer", "request", "edge")
PAIRING_FILE = "pairing.json"
DEVICE_KEY = "device.key"
REQUEST_TTL_S = 30


class PairingError(CodedError):
    """A refusal with a stable code."""


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
        query = urlencode({"h": self.host, "p": self.port, "fp": self.fingerprint, "t": self.token.hex(), "e": self.expires_at})
        return f"{PAIRING_SCHEME}?{query}"


def token_hash(token: bytes) -> bytes:
    """What the daemon stores of a pairing token: never the token itself."""
    return hashlib.sha256(b"dmind-pair token" + token).digest()


def parse_offer(uri: str) -> Offer:
    """An offer from its `dmind-pair:` URI; anything malformed is a PairingError."""
    if not uri.startswith(PAIRING_SCHEME + "?"):
        raise PairingError("PAIRING_OFFER_INVALID", f"a pairing offer starts with {PAIRING_SCHEME}?")
    try:
        query = {k: v[0] for k, v in parse_qs(uri[len(PAIRING_SCHEME) + 1:], strict_parsing=True).items()}
        offer = Offer(query["h"], int(query["p"]), query["fp"].lower(), bytes.fromhex(query["t"]), int(query["e"]))
    except (KeyError, ValueError) as exc:
        raise PairingError("PAIRING_OFFER_INVALID", "the pairing offer is incomplete or malformed") from exc
    if len(offer.token) != 16 or len(offer.fingerprint) != 64 or not 0 < offer.port < 65536:
        raise PairingError("PAIRING_OFFER_INVALID", "the pairing offer's token, fingerprint or port is malformed")
    return offer


def build_request(key: Ed25519PrivateKey, counter: int, request_id: bytes, expires_at: int, digest: bytes, signer: str,
                  request: dict, edge: dict) -> bytes:
    """A verification request signed by this paired device (COSE_Sign1, its own AAD)."""
    from dmind.policies.cose import sign1

    payload = {"v": 1, "device_id": key_id(key.public_key()).hex(), "counter": counter, "request_id": request_id,
               "expires_at": expires_at, "digest": digest, "signer": signer, "request": json.dumps(request), "edge": edge}
    return sign1(cbor2.dumps(payload, canonical=True), key, key_id(key.public_key()), REQUEST_CONTENT_TYPE, REQUEST_AAD)


def cert_fingerprint(pem: bytes) -> str:
    """SHA-256 of a PEM certificate's DER bytes, hex."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem.decode())).hexdigest()


def pinned_context(pem: bytes) -> ssl.SSLContext:
    """TLS 1.3 that trusts exactly this certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False  # identity is the pinned certificate, not a host name
    context.load_verify_locations(cadata=pem.decode())
    return context


def fetch_pinned(host: str, port: int, expected: str, timeout: float = 5.0) -> bytes:
    """The daemon's certificate, if and only if its fingerprint is `expected`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # checked below against the fingerprint from the offer
    with socket.create_connection((host, port), timeout=timeout) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    pem = ssl.DER_cert_to_PEM_cert(der).encode()
    if cert_fingerprint(pem) != expected.lower():
        raise PairingError("PAIRING_FINGERPRINT_MISMATCH", "the daemon's certificate does not match the offer")
    return pem


@dataclass(frozen=True, slots=True)
class Pairing:
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
    """This wallet's pairing (pinned daemon, device key, verifier key) from its directory."""
    directory = Path(directory)
    try:
        record = json.loads((directory / PAIRING_FILE).read_text())
        key = serialization.load_pem_private_key((directory / DEVICE_KEY).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise PairingError("NOT_PAIRED", f"no pairing in {directory}: run `dmind-edge local connect URI`") from exc
    assert isinstance(key, Ed25519PrivateKey)
    return Pairing(record["host"], record["port"], record["cert_pem"].encode(), record["device_id"],
                   bytes.fromhex(record["verifier_public_key"]), key)


def connect(uri: str, directory: str | Path, name: str = "wallet", timeout: float = 5.0) -> Pairing:
    """Pair with the daemon that made `uri`: pin it, register this device's key, spend the token."""
    import httpx

    offer = parse_offer(uri)
    if offer.expires_at <= time.time():
        raise PairingError("PAIRING_OFFER_EXPIRED", "the pairing offer has expired; ask for a new one")
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path = directory / DEVICE_KEY
    if not key_path.exists():
        key_path.touch(mode=0o600)
        key_path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    pem = fetch_pinned(offer.host, offer.port, offer.fingerprint, timeout)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    with httpx.Client(verify=pinned_context(pem), timeout=timeout) as client:
        response = client.post(f"https://{offer.host}:{offer.port}/v1/pair",
                               content=cbor2.dumps({"token": offer.token, "public_key": public, "name": name}))
    body = cbor2.loads(response.content)
    if response.status_code != 200:
        raise PairingError(body.get("code", "PAIRING_REFUSED"), body.get("message", "the daemon refused to pair"))
    if body["device_id"] != key_id(key.public_key()).hex():
        raise PairingError("PAIRING_INVALID", "the daemon registered another device id")
    record = {"host": offer.host, "port": offer.port, "cert_pem": pem.decode(), "device_id": body["device_id"],
              "verifier_public_key": body["verifier_public_key"].hex()}
    (directory / PAIRING_FILE).write_text(json.dumps(record, indent=2))
    return load_pairing(directory)


def _finding(code: str, detail: str) -> Finding:
    meaning = CATALOG[code][1]
    return finding(code, f"{meaning}: {detail}" if detail else meaning)


def escalate(decision: Decision, request: dict, pairing: Pairing, policy: Policy, now: int | None = None) -> Decision:
    """The final decision for a STEP_UP: the local verifier's, bound to the digest, or STEP_UP with a reason."""
    if decision.verdict != "STEP_UP" or decision.payload is None or decision.payload.signer is None:
        return decision
    import httpx

    now = int(time.time()) if now is None else now
    budget_s = policy.routing.latency_budget_ms.get("edge_local", policy.step_up.local_timeout_ms) / 1000
    request_id = uuid.uuid4().bytes
    signer = decision.payload.signer
    body = build_request(pairing.key, time.time_ns(), request_id, now + REQUEST_TTL_S, decision.payload.digest, signer,
                         request, summarize(decision, policy, now))
    started = time.perf_counter_ns()

    def stay(code: str, detail: str) -> Decision:
        return replace(decision, findings=decision.findings + (_finding(code, detail),), plan="edge→local",
                       timings_us={**decision.timings_us, "local": (time.perf_counter_ns() - started) // 1000})

    try:
        with httpx.Client(verify=pinned_context(pairing.cert_pem), timeout=budget_s) as client:
            response = client.post(f"{pairing.url}/v1/verify", content=body)
        answer: Any = cbor2.loads(response.content)
    except (httpx.HTTPError, OSError, ValueError, cbor2.CBORDecodeError) as exc:
        return stay("LOCAL_UNREACHABLE", type(exc).__name__)
    if response.status_code != 200 or not isinstance(answer, dict):
        return stay("LOCAL_REFUSED", str(answer.get("code", response.status_code)) if isinstance(answer, dict) else str(response.status_code))
    try:
        verdict = verify_verdict(answer.get("verdict", b""), decision.payload.digest, signer, request_id, pairing.verifiers(), int(time.time()))
    except VerdictError as exc:
        return stay("LOCAL_VERDICT_INVALID", exc.code)
    final = stay("LOCAL_VERIFIED" if verdict.verdict == "ALLOW" else "LOCAL_BLOCKED", str(answer.get("explanation", ""))[:300])
    return replace(final, verdict=verdict.verdict, verdict_token=answer["verdict"],
                   explanation=f"{'allowed' if verdict.verdict == 'ALLOW' else 'blocked'} by your local verifier: {answer.get('explanation', '')}")
