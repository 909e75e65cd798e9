"""Keys and requests shared by the bridge tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.policies import default_policy, policy_from_dict, policy_to_dict
from dmind.policies.bundle import build_payload, sign_bundle

from tests.builders import SIGNER, USDC, calldata

FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
NOW = 1_800_000_000
POLICY_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
VERIFIER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32, 64)))


def write_public(key: Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return path


def bundle(revision: int, now: int = NOW, **changes) -> bytes:
    """A policy bundle signed by POLICY_KEY, valid from a day before `now` for 30 days."""
    policy = policy_from_dict({**policy_to_dict(default_policy()), "revision": revision, **changes})
    return sign_bundle(build_payload(policy, now - 86400, now - 86400, now + 30 * 86400, "0.0.1", (1,)), POLICY_KEY)


def tx_request(to: str, data: bytes = b"", value: int = 0, **extra) -> dict:
    """A complete eth_sendTransaction: its digest is the real signing hash."""
    tx = {
        "from": SIGNER,
        "to": to,
        "value": hex(value),
        "data": "0x" + data.hex(),
        "gas": "0x30000",
        "nonce": "0x7",
        "maxFeePerGas": "0x6fc23ac00",
        "maxPriorityFeePerGas": "0x3b9aca00",
        "chainId": "0x1",
        **extra,
    }
    return {
        "id": 1,
        "request": {"method": "eth_sendTransaction", "params": [tx]},
        "chainId": 1,
        "from": SIGNER,
        "origin": "https://app.example",
    }


ALLOWED = tx_request(FRIEND, value=10**16)
BLOCKED = {
    "id": 2,
    "request": {"method": "eth_sign", "params": [SIGNER, "0x" + "ab" * 32]},
    "chainId": 1,
    "from": SIGNER,
}
STEPPED_UP = tx_request(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [FRIEND, 10**6]))


def as_eth_account_tx(request: dict) -> dict:
    obj = request["request"]["params"][0]
    return {
        "type": 2,
        "chainId": int(obj["chainId"], 16),
        "nonce": int(obj["nonce"], 16),
        "gas": int(obj["gas"], 16),
        "maxFeePerGas": int(obj["maxFeePerGas"], 16),
        "maxPriorityFeePerGas": int(obj["maxPriorityFeePerGas"], 16),
        "to": obj["to"],
        "value": int(obj["value"], 16),
        "data": bytes.fromhex(obj["data"][2:]),
    }


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    directory.mkdir()
    write_public(POLICY_KEY, directory / "policy.pub")
    write_public(VERIFIER_KEY, directory / "verifier.pub")
    return directory


def dumps(obj: dict) -> str:
    return json.dumps(obj)
