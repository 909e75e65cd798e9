"""The device in-process: it signs what the gate allows, and nothing the gate blocks."""

from __future__ import annotations

import json
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.edge import evaluate_json
from dmind.edge.examples import example_requests
from dmind.edge.verdict import sign_verdict
from dmind.firmware_bridge.firmware import Firmware, provision
from dmind.firmware_bridge.keys import TEST_MNEMONIC, seed_from_mnemonic
from dmind.firmware_bridge.messages import message
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import SIGNER, TEST_KEY
from tests.firmware_bridge.conftest import (
    ALLOWED,
    BLOCKED,
    FRIEND,
    NOW,
    STEPPED_UP,
    VERIFIER_KEY,
    as_eth_account_tx,
    bundle,
)

SEED = seed_from_mnemonic(TEST_MNEMONIC)


@pytest.fixture
def device(tmp_path, keys_dir):
    provision(tmp_path / "state", [keys_dir / "policy.pub"], [keys_dir / "verifier.pub"])
    return Firmware(SEED, tmp_path / "state", "0.1.0", clock=lambda: NOW, debug=True)


def sign(
    device: Firmware,
    request: dict,
    verdict: bytes | None = None,
    path: str = "m/44'/60'/0'/0/0",
    request_id: bytes | None = None,
):
    return device.handle(
        message(
            "SignRequest",
            request_id=request_id or uuid.uuid4().bytes,
            request=json.dumps(request),
            derivation_path=path,
            verdict=verdict,
        )
    )


def digest_of(request: dict) -> bytes:
    return evaluate_json(request, now=NOW).digest


def test_info(device):
    info = device.handle(message("GetInfo"))
    assert (
        info.name == "Info"
        and info["address"] == SIGNER
        and info["verifiers"] == 1
        and info["policy_id"] == "builtin-default"
    )


def test_allowed_transaction_is_signed_like_eth_account(device):
    response = sign(device, ALLOWED)
    assert response.name == "Signature" and response["decision"] == "ALLOW"
    reference = Account.sign_transaction(as_eth_account_tx(ALLOWED), TEST_KEY)
    signature = response["signature"]
    assert (int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:64], "big")) == (
        reference.r,
        reference.s,
    )
    assert Account._recover_hash(response["digest"], signature=signature) == SIGNER


def test_blocked_is_refused(device):
    response = sign(device, BLOCKED)
    assert response.name == "Failure" and response["code"] == "GATE_BLOCKED"


def test_step_up_needs_a_verdict_for_exactly_this_digest_account_and_request(device):
    assert sign(device, STEPPED_UP)["code"] == "STEP_UP_REQUIRED"
    digest = digest_of(STEPPED_UP)
    good = sign_verdict(digest, SIGNER, "ALLOW", b"r1", VERIFIER_KEY, NOW - 10)
    cases = {
        "VERDICT_DIGEST_MISMATCH": sign_verdict(digest_of(ALLOWED), SIGNER, "ALLOW", b"r1", VERIFIER_KEY, NOW - 10),
        "VERDICT_SIGNER_MISMATCH": sign_verdict(digest, FRIEND, "ALLOW", b"r1", VERIFIER_KEY, NOW - 10),
        "VERDICT_EXPIRED": sign_verdict(digest, SIGNER, "ALLOW", b"r1", VERIFIER_KEY, NOW - 1000),
        "VERDICT_KID_UNKNOWN": sign_verdict(digest, SIGNER, "ALLOW", b"r1", Ed25519PrivateKey.generate(), NOW - 10),
        "VERDICT_BLOCK": sign_verdict(digest, SIGNER, "BLOCK", b"r1", VERIFIER_KEY, NOW - 10),
        "VERDICT_INVALID": good[:-1] + bytes([good[-1] ^ 1]),
    }
    for code, verdict in cases.items():
        assert sign(device, STEPPED_UP, verdict, request_id=b"r1")["code"] == code
    assert sign(device, STEPPED_UP, good, request_id=b"other")["code"] == "VERDICT_REQUEST_MISMATCH"
    assert sign(device, STEPPED_UP, good, request_id=b"r1").name == "Signature"
    assert sign(device, STEPPED_UP, good, request_id=b"r1")["code"] == "VERDICT_REPLAYED"


def test_a_verdict_cannot_lift_a_block(device):
    verdict = sign_verdict(digest_of(BLOCKED), SIGNER, "ALLOW", b"r", VERIFIER_KEY, NOW - 10)
    assert sign(device, BLOCKED, verdict, request_id=b"r")["code"] == "GATE_BLOCKED"


def test_a_confirmation_is_for_the_next_request_only(device):
    device.handle(message("DebugConfirm", confirm=True))
    assert sign(device, ALLOWED).name == "Signature"  # consumed here, though not needed
    assert sign(device, STEPPED_UP)["code"] == "STEP_UP_REQUIRED"


def test_deep_paths_are_refused_before_any_work(device):
    deep = "m" + "/0" * 20_000
    assert sign(device, ALLOWED, path=deep)["code"] == "PATH_INVALID"


def test_device_confirmation_hook(device, tmp_path):
    assert device.handle(message("DebugConfirm", confirm=True)).name == "Success"
    assert sign(device, STEPPED_UP).name == "Signature"
    assert sign(device, STEPPED_UP)["code"] == "STEP_UP_REQUIRED"  # one confirmation, one signature
    locked = Firmware(SEED, tmp_path / "state", "0.1.0", clock=lambda: NOW)
    assert locked.handle(message("DebugConfirm", confirm=True))["code"] == "DEBUG_DISABLED"


def test_host_description_must_match_the_payload(device):
    assert (
        device.handle(
            message(
                "SignRequest",
                request_id=b"1",
                request=json.dumps(ALLOWED),
                derivation_path="m/44'/60'/0'/0/0",
                data_type=4,
                chain_id=1,
            )
        ).name
        == "Signature"
    )
    for wrong in ({"data_type": 2}, {"chain_id": 10}):
        response = device.handle(
            message(
                "SignRequest", request_id=b"1", request=json.dumps(ALLOWED), derivation_path="m/44'/60'/0'/0/0", **wrong
            )
        )
        assert response["code"] == "REQUEST_INCONSISTENT"


def test_wrong_path_or_address_is_refused(device):
    assert sign(device, ALLOWED, path="m/44'/60'/0'/0/1")["code"] == "ADDRESS_MISMATCH"
    assert sign(device, ALLOWED, path="m/x")["code"] == "PATH_INVALID"


def test_policy_loading_changes_decisions_and_rolls_forward_only(device):
    from tests.firmware_bridge.conftest import FRIEND

    assert device.handle(message("LoadPolicy", bundle=bundle(5, known_spenders={"1": [FRIEND]}))).name == "PolicyLoaded"
    assert sign(device, STEPPED_UP).name == "Signature"  # the spender is now known: ALLOW
    assert device.handle(message("LoadPolicy", bundle=bundle(4)))["code"] == "BUNDLE_ROLLBACK"
    assert device.handle(message("GetInfo"))["policy_revision"] == 5


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(example_requests()), st.booleans())
def test_never_signs_what_the_gate_blocks(tmp_path_factory, row, confirm):
    state = tmp_path_factory.mktemp("state")
    device = Firmware(SEED, state, "0.1.0", clock=lambda: NOW, debug=True, confirm=lambda _: confirm)
    decision = evaluate_json(row, now=NOW)
    response = sign(device, row)
    if decision.verdict == "BLOCK":
        assert response.name == "Failure"
    if response.name == "Signature":
        assert response["digest"] == decision.digest and decision.verdict != "BLOCK"
