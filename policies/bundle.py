"""Signed policy bundles: a deterministic CBOR payload inside a COSE_Sign1 envelope.

Payload: `{schema, bundle_id, revision, issued_at, not_before, expires_at, min_runtime,
scope, policy}`, where `policy` is the canonical `policy_to_dict` form and `scope` lists the
chains the bundle governs (an EVM chain as its integer id, any other by its CAIP-2 id). `verify_bundle`
checks, in this order and each with its own code: size, CBOR determinism and structure,
algorithm allow-list, kid, signature (over a fixed external AAD, so a signature made for
anything else never verifies as a policy), time window, schema, runtime version, and the
revision against the device's record. The device side (atomic activation) is `store.py`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import cbor2
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .cbor_strict import CborError, check_deterministic
from .chains import EIP155, chain_order, namespace, parse_chain
from .cose import CoseError, check_alg, decode_sign1, sign1, verify_signature
from .errors import InputError
from .model import UINT64_MAX, Policy, PolicyError, policy_from_dict, policy_to_dict

SCHEMA = "dmind-policy/1"
CONTENT_TYPE = "application/vnd.dmind.policy+cbor"
EXTERNAL_AAD = b"dmind-edge policy bundle v1"  # domain separation: nothing else is signed with this
MAX_BUNDLE_BYTES = 256 * 1024
PAYLOAD_KEYS = (
    "schema",
    "bundle_id",
    "revision",
    "issued_at",
    "not_before",
    "expires_at",
    "min_runtime",
    "scope",
    "policy",
)


class BundleError(InputError):
    """A bundle refused; `code` is stable and the active policy stays as it was."""


@dataclass(frozen=True, slots=True)
class BundleInfo:
    bundle_id: str
    revision: int
    issued_at: int
    not_before: int
    expires_at: int
    min_runtime: str
    scope: tuple[str, ...]  # CAIP-2 ids


@dataclass(frozen=True, slots=True)
class VerifiedBundle:
    info: BundleInfo
    policy: Policy
    kid: bytes
    raw: bytes

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def key_id(public_key: Ed25519PublicKey) -> bytes:
    """The kid of a key: the first 8 bytes of SHA-256 over its raw public bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8]


class TrustStore:
    """Pinned Ed25519 public keys by kid (the kid is derived from the key, never from a name)."""

    def __init__(self, keys: Mapping[bytes, bytes] | None = None) -> None:
        self._keys: dict[bytes, bytes] = dict(keys or {})

    def add(self, public_key: Ed25519PublicKey) -> bytes:
        kid = key_id(public_key)
        self._keys[kid] = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return kid

    def get(self, kid: bytes | None) -> bytes | None:
        return self._keys.get(kid) if kid is not None else None

    def __len__(self) -> int:
        return len(self._keys)

    @classmethod
    def from_pem_files(cls, paths: list[Path]) -> "TrustStore":
        store = cls()
        for path in paths:
            key = serialization.load_pem_public_key(Path(path).read_bytes())
            if not isinstance(key, Ed25519PublicKey):
                raise BundleError("TRUST_KEY_INVALID", f"{path} is not an Ed25519 public key")
            store.add(key)
        return store


_MIN_RUNTIME = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")
_RELEASE = re.compile(r"([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?")


def _min_runtime(text: str) -> tuple[int, ...]:
    match = _MIN_RUNTIME.fullmatch(text)
    if not match:
        raise BundleError("BUNDLE_SCHEMA_INVALID", f"min_runtime {text!r} is not a version like 1.2.3")
    return tuple(int(part) for part in match.groups())


def runtime_release(version: str) -> tuple[int, ...]:
    """The release numbers at the start of a runtime version (PEP 440: "0.2.0rc1" is 0.2.0)."""
    match = _RELEASE.match(version)
    return tuple(int(part or 0) for part in match.groups()) if match else (0, 0, 0)


def _payload_dict(info: BundleInfo, policy: Policy) -> dict[str, Any]:
    """The one plain form of a payload; its canonical CBOR is the only accepted encoding."""
    return {
        "schema": SCHEMA,
        "bundle_id": info.bundle_id,
        "revision": info.revision,
        "issued_at": info.issued_at,
        "not_before": info.not_before,
        "expires_at": info.expires_at,
        "min_runtime": info.min_runtime,
        "scope": [scope_entry(chain) for chain in info.scope],
        "policy": policy_to_dict(policy),
    }


def _check_consistency(info: BundleInfo, policy: Policy) -> None:
    _min_runtime(info.min_runtime)
    if not info.scope or list(info.scope) != sorted(set(info.scope), key=chain_order):
        raise BundleError(
            "BUNDLE_SCHEMA_INVALID", "scope must be a non-empty list of distinct chains, EVM ids first, in order"
        )
    if info.not_before >= info.expires_at or info.issued_at > info.expires_at:
        raise BundleError("BUNDLE_SCHEMA_INVALID", "the validity window is empty")
    if (policy.policy_id, policy.revision) != (info.bundle_id, info.revision):
        raise BundleError("BUNDLE_SCHEMA_INVALID", "bundle_id and revision must equal the policy's own")
    chains = policy.chains()
    if not chains <= set(info.scope):
        raise BundleError(
            "BUNDLE_SCHEMA_INVALID",
            f"policy names chains {', '.join(sorted(chains - set(info.scope)))} outside the bundle's scope",
        )


def scope_entry(chain: str) -> int | str:
    """A chain as a bundle's scope writes it: the integer id of an EVM chain, the CAIP-2 id of any other."""
    return int(chain.split(":", 1)[1]) if namespace(chain) == EIP155 else chain


def scope_chain(value: Any, name: str = "scope") -> str:
    """A scope entry (an integer, `eip155:<n>` or a Solana cluster's CAIP-2 id) as a CAIP-2 id."""
    chain = None if isinstance(value, bool) else parse_chain(value)
    if chain is None:
        raise BundleError(
            "BUNDLE_SCHEMA_INVALID", f"{name} entries are EVM chain ids or Solana clusters' CAIP-2 ids, got {value!r}"
        )
    return chain


def build_payload(
    policy: Policy, issued_at: int, not_before: int, expires_at: int, min_runtime: str, scope: tuple[int | str, ...]
) -> bytes:
    """The deterministic CBOR payload for `policy`; bundle id and revision are the policy's own."""
    info = BundleInfo(
        policy.policy_id,
        policy.revision,
        _uint(issued_at, "issued_at"),
        _uint(not_before, "not_before"),
        _uint(expires_at, "expires_at"),
        min_runtime,
        tuple(sorted({scope_chain(c) for c in scope}, key=chain_order)),
    )
    _check_consistency(info, policy)
    data = cbor2.dumps(_payload_dict(info, policy), canonical=True)
    try:
        check_deterministic(data)  # what we sign must pass our own verifier
    except CborError as exc:
        raise BundleError("BUNDLE_" + exc.code, f"this policy has no deterministic encoding: {exc}") from exc
    return data


def sign_bundle(payload: bytes, private_key: Ed25519PrivateKey) -> bytes:
    """Wrap a payload in COSE_Sign1, signed with the fixed policy AAD."""
    return sign1(payload, private_key, key_id(private_key.public_key()), CONTENT_TYPE, EXTERNAL_AAD)


def _uint(value: Any, name: str) -> int:
    if type(value) is not int or not 0 <= value <= UINT64_MAX:
        raise BundleError("BUNDLE_SCHEMA_INVALID", f"{name} must be an unsigned integer below 2^64")
    return value


def parse_payload(payload: Any) -> tuple[BundleInfo, Policy]:
    """A decoded payload to its header and policy, refusing anything but the exact schema."""
    if (
        not isinstance(payload, dict)
        or not all(type(k) is str for k in payload)
        or sorted(payload) != sorted(PAYLOAD_KEYS)
    ):
        raise BundleError("BUNDLE_SCHEMA_INVALID", f"payload must have exactly the keys {', '.join(PAYLOAD_KEYS)}")
    if payload["schema"] != SCHEMA:
        raise BundleError("BUNDLE_SCHEMA_INVALID", f"schema {payload['schema']!r} is not {SCHEMA}")
    if (
        type(payload["bundle_id"]) is not str
        or type(payload["min_runtime"]) is not str
        or not isinstance(payload["scope"], list)
    ):
        raise BundleError("BUNDLE_SCHEMA_INVALID", "bundle_id and min_runtime must be text, scope a list")
    info = BundleInfo(
        payload["bundle_id"],
        _uint(payload["revision"], "revision"),
        _uint(payload["issued_at"], "issued_at"),
        _uint(payload["not_before"], "not_before"),
        _uint(payload["expires_at"], "expires_at"),
        payload["min_runtime"],
        tuple(scope_chain(c) for c in payload["scope"]),
    )
    try:
        policy = policy_from_dict(payload["policy"])
    except PolicyError as exc:
        raise BundleError("BUNDLE_SCHEMA_INVALID", f"policy.{exc}") from exc
    _check_consistency(info, policy)
    return info, policy


def verify_bundle(
    data: bytes,
    trust: TrustStore,
    now: int,
    runtime_version: str,
    revisions: Mapping[str, int] | None = None,
    check_window: bool = True,
) -> VerifiedBundle:
    """Verify a bundle completely; `revisions` is the device's record of installed revisions.

    `check_window=False` is for the device's own bookkeeping only (reading which revision an
    expired active bundle had); nothing is ever activated without the window check.
    """
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("BUNDLE_TOO_LARGE", f"bundle is {len(data)} bytes, over the {MAX_BUNDLE_BYTES}-byte limit")
    try:
        message = decode_sign1(data)
        check_alg(message)
    except CoseError as exc:
        raise BundleError(exc.code, exc.message) from exc
    if message.unprotected:
        # Unprotected headers are not signed: allowing any would give one policy many encodings.
        raise BundleError("BUNDLE_STRUCTURE_INVALID", "a policy bundle carries no unprotected headers")
    key = trust.get(message.kid)
    if key is None:
        raise BundleError("BUNDLE_KID_UNKNOWN", f"kid {message.kid.hex() if message.kid else None} is not a pinned key")
    try:
        verify_signature(message, key, EXTERNAL_AAD)
    except CoseError as exc:
        raise BundleError(exc.code, exc.message) from exc
    if message.protected.get(3) != CONTENT_TYPE:
        raise BundleError("BUNDLE_SCHEMA_INVALID", f"content type is not {CONTENT_TYPE}")
    try:
        check_deterministic(message.payload)
    except CborError as exc:
        raise BundleError("BUNDLE_" + exc.code, f"payload is not deterministic CBOR: {exc}") from exc
    payload = cbor2.loads(message.payload)
    if check_window and isinstance(payload, dict):
        not_before, expires_at = (
            _uint(payload.get("not_before"), "not_before"),
            _uint(payload.get("expires_at"), "expires_at"),
        )
        if now < not_before:
            raise BundleError("BUNDLE_NOT_YET_VALID", f"bundle is valid from {not_before}, it is {now}")
        if now >= expires_at:
            raise BundleError("BUNDLE_EXPIRED", f"bundle expired at {expires_at}, it is {now}")
    info, policy = parse_payload(payload)
    if cbor2.dumps(_payload_dict(info, policy), canonical=True) != message.payload:
        raise BundleError("BUNDLE_SCHEMA_INVALID", "payload is not in canonical form (e.g. 1 where 1.0 belongs)")
    if runtime_release(runtime_version) < _min_runtime(info.min_runtime):
        raise BundleError(
            "BUNDLE_RUNTIME_TOO_OLD", f"bundle needs runtime {info.min_runtime}, this is {runtime_version}"
        )
    stored = (revisions or {}).get(info.bundle_id)
    if stored is not None and info.revision <= stored:
        raise BundleError("BUNDLE_ROLLBACK", f"revision {info.revision} is not above the installed revision {stored}")
    return VerifiedBundle(info, policy, message.kid, data)  # type: ignore[arg-type]
