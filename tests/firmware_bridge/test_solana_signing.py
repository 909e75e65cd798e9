"""Solana on the device: SLIP-10 Ed25519 keys checked against Trezor's signatures and solders, and the emulator
signing exactly the message bytes its gate allowed, never what it blocked."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import solders.system_program as sp
import spl.token.instructions as spl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.firmware_bridge.firmware import Firmware, provision
from dmind.firmware_bridge.keys import TEST_MNEMONIC, derive_ed25519, seed_from_mnemonic
from dmind.firmware_bridge.messages import message
from solders.keypair import Keypair
from solders.pubkey import Pubkey
from solders.signature import Signature

from tests.firmware_bridge.conftest import NOW
from tests.solana_builders import DRAINER, FRIEND, MINT, TOKEN_PROGRAM, legacy, sol_request, token_account

SEED = seed_from_mnemonic(TEST_MNEMONIC)
PATH = "m/44'/501'/0'/0'"
VECTORS = json.loads((Path(__file__).parents[1] / "edge" / "data" / "solana_vectors.json").read_text())
SIGNED_BY_TREZOR = [v for v in VECTORS if "expected_signature" in v["expect"]]


def test_slip10_ed25519_matches_the_specs_first_vector():
    seed = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    assert derive_ed25519(seed, "m").hex() == "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7"
    assert derive_ed25519(seed, "m/0'").hex() == "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3"
    with pytest.raises(ValueError, match="hardened"):
        derive_ed25519(seed, "m/44'/501'/0")


@pytest.mark.parametrize("vector", SIGNED_BY_TREZOR, ids=[v["description"][:50] for v in SIGNED_BY_TREZOR])
def test_keys_sign_the_message_bytes_as_trezor_did(vector):
    expect = vector["expect"]
    key = derive_ed25519(seed_from_mnemonic(expect["mnemonic"]), expect["signer_path"])
    signature = Ed25519PrivateKey.from_private_bytes(key).sign(bytes.fromhex(vector["data"]))
    assert signature.hex() == expect["expected_signature"].lower()


@pytest.fixture
def device(tmp_path, keys_dir):
    provision(tmp_path / "state", [keys_dir / "policy.pub"], [keys_dir / "verifier.pub"])
    return Firmware(SEED, tmp_path / "state", "0.1.0", clock=lambda: NOW, debug=True)


def _me(device) -> Pubkey:
    return Pubkey.from_string(device.solana_key(PATH)[1])


def _sign(device, obj: dict, path: str = PATH):
    request = message("SignRequest", request_id=uuid.uuid4().bytes, request=json.dumps(obj), derivation_path=path)
    return device.handle(request)


def _hand_over(me: Pubkey):
    """The device's token account handed to the drainer: what the gate blocks."""
    params = spl.SetAuthorityParams(
        program_id=TOKEN_PROGRAM, account=token_account(me, MINT), authority=spl.AuthorityType.ACCOUNT_OWNER,
        current_authority=me, new_authority=DRAINER, signers=[],
    )  # fmt: skip
    return spl.set_authority(params)


def test_the_device_key_is_the_one_solders_derives_from_the_same_seed(device):
    assert _me(device) == Keypair.from_seed(derive_ed25519(SEED, PATH)).pubkey()


def test_an_allowed_transaction_is_signed_and_solders_verifies_it(device):
    me = _me(device)
    tx = legacy(sp.transfer(sp.TransferParams(from_pubkey=me, to_pubkey=FRIEND, lamports=10**6)), payer=me)
    response = _sign(device, sol_request(tx, **{"from": str(me)}))
    assert response.name == "Signature" and response["decision"] == "ALLOW"
    assert Signature.from_bytes(response["signature"]).verify(me, bytes(tx.message))


def test_a_blocked_transaction_is_refused(device):
    me = _me(device)
    ix = _hand_over(me)
    response = _sign(device, sol_request(legacy(ix, payer=me), **{"from": str(me)}))
    assert response.name == "Failure" and response["code"] == "GATE_BLOCKED"


def test_a_transaction_this_key_does_not_sign_or_an_evm_path_is_refused(device):
    me = _me(device)
    other = legacy(sp.transfer(sp.TransferParams(from_pubkey=FRIEND, to_pubkey=me, lamports=1)), payer=FRIEND)
    refused = _sign(device, sol_request(other, **{"from": str(FRIEND)}))  # judged as the device: not a signer
    assert refused["code"] == "GATE_BLOCKED" and "not one of them" in refused["message"]
    mine = legacy(sp.transfer(sp.TransferParams(from_pubkey=me, to_pubkey=FRIEND, lamports=1)), payer=me)
    assert _sign(device, sol_request(mine, **{"from": str(me)}), path="m/44'/60'/0'/0/0")["code"] == "PATH_INVALID"
    assert _sign(device, sol_request(mine, **{"from": str(me)}), path="m/44'/501'/0'/0")["code"] == "PATH_INVALID"


def test_sign_all_transactions_gives_one_signature_per_message(device):
    me = _me(device)
    txs = [
        legacy(sp.transfer(sp.TransferParams(from_pubkey=me, to_pubkey=FRIEND, lamports=n)), payer=me) for n in (1, 2)
    ]
    obj = sol_request(txs[0], method="solana_signAllTransactions", **{"from": str(me)})
    obj["request"]["params"] = {"transactions": [sol_request(t)["request"]["params"]["transaction"] for t in txs]}
    response = _sign(device, obj)
    assert response.name == "Signature" and len(response["signature"]) == 128
    for i, tx in enumerate(txs):
        assert Signature.from_bytes(response["signature"][64 * i : 64 * (i + 1)]).verify(me, bytes(tx.message))


def test_the_device_judges_as_its_own_key_whatever_account_the_host_names(device):
    """An attacker pays the fee and the device co-signs: without `from` (or with the attacker's), the gate must
    still see the device's key as the wallet that loses its token account."""
    me = _me(device)
    ix = _hand_over(me)
    request = sol_request(legacy(ix, payer=DRAINER))
    for sent_from in (None, str(DRAINER)):
        obj = {k: v for k, v in request.items() if k != "from"} | ({"from": sent_from} if sent_from else {})
        assert _sign(device, obj)["code"] == "GATE_BLOCKED"
