"""Sign In With Solana's structured input (`solana_signIn`): the text the wallet writes, decided like any message."""

from __future__ import annotations

import hashlib

import pytest
from dmind.edge import evaluate_json
from dmind.edge.parse.solana import MAX_SIGN_IN_RESOURCES, sign_in_text
from hypothesis import given
from hypothesis import strategies as st

from tests.solana_builders import DRAINER, MAINNET, USER

ME = str(USER.pubkey())

# Wallet Standard's own cases for createSignInMessageText (anza-xyz/wallet-standard,
# packages/core/util/src/__tests__/signIn.ts): the input and the text every wallet writes from it.
WALLET_STANDARD_CASES = [
    ({"domain": "solana.com", "address": "A"}, "solana.com wants you to sign in with your Solana account:\nA"),
    ({"domain": "solana.com", "address": "A", "statement": "S"},
     "solana.com wants you to sign in with your Solana account:\nA\n\nS"),
    ({"domain": "solana.com", "address": "A", "statement": "S\n\nS"},
     "solana.com wants you to sign in with your Solana account:\nA\n\nS\n\nS"),
    ({"domain": "solana.com", "address": "A", "uri": "https://solana.com"},
     "solana.com wants you to sign in with your Solana account:\nA\n\nURI: https://solana.com"),
    ({"domain": "solana.com", "address": "A", "statement": "S", "uri": "https://solana.com"},
     "solana.com wants you to sign in with your Solana account:\nA\n\nS\n\nURI: https://solana.com"),
    ({"domain": "solana.com", "address": "A", "statement": "S\n\nS", "uri": "https://solana.com"},
     "solana.com wants you to sign in with your Solana account:\nA\n\nS\n\nS\n\nURI: https://solana.com"),
]  # fmt: skip


@pytest.mark.parametrize("given_input, text", WALLET_STANDARD_CASES)
def test_the_text_is_the_one_wallet_standard_writes(given_input, text):
    fields = {k: v for k, v in given_input.items() if k not in ("domain", "address")}
    assert sign_in_text(fields, given_input["domain"], given_input["address"]) == text


FULL = {
    "domain": "app.example",
    "address": ME,
    "statement": "Sign in to App",
    "uri": "https://app.example/login",
    "version": "1",
    "chainId": "mainnet",
    "nonce": "8a7f1c2e",
    "issuedAt": "2026-12-07T10:00:00Z",
    "expirationTime": "2026-12-07T10:10:00Z",
    "requestId": "r-1",
    "resources": ["https://app.example/terms", "ipfs://bafy"],
}


def _request(params: dict, **context) -> dict:
    return {
        "request": {"method": "solana_signIn", "params": params},
        "chainId": MAINNET,
        "from": ME,
        "origin": "https://app.example",
        **context,
    }


def test_a_full_input_is_signed_as_its_text_and_the_decision_names_those_bytes():
    decision = evaluate_json(_request(FULL))
    text = (
        f"app.example wants you to sign in with your Solana account:\n{ME}\n\nSign in to App\n\n"
        "URI: https://app.example/login\nVersion: 1\nChain ID: mainnet\nNonce: 8a7f1c2e\n"
        "Issued At: 2026-12-07T10:00:00Z\nExpiration Time: 2026-12-07T10:10:00Z\nRequest ID: r-1\n"
        "Resources:\n- https://app.example/terms\n- ipfs://bafy"
    )
    assert decision.verdict == "ALLOW", decision.findings
    assert decision.payload.signing_bytes == text.encode()
    assert decision.digest == hashlib.sha256(text.encode()).digest()


def test_a_missing_domain_and_address_are_filled_as_the_wallet_fills_them():
    decision = evaluate_json(_request({"nonce": "1"}))
    assert decision.verdict == "ALLOW"
    assert decision.payload.signing_bytes.startswith(
        f"app.example wants you to sign in with your Solana account:\n{ME}".encode()
    )


def test_another_site_or_another_account_is_caught():
    wrong_site = evaluate_json(_request({**FULL, "domain": "app.example.evil"}))
    assert wrong_site.verdict == "BLOCK" and "SIWE_DOMAIN_MISMATCH" in {f.code for f in wrong_site.findings}
    other_key = evaluate_json(_request({**FULL, "address": str(DRAINER)}))
    assert other_key.verdict != "ALLOW" and "SIGNER_MISMATCH" in {f.code for f in other_key.findings}


@pytest.mark.parametrize(
    "change, where",
    [
        ({"nonce": "1\nURI: https://evil.example"}, "params.nonce"),  # a second URI line
        ({"uri": "https://app.example\u2028Nonce: 2"}, "params.uri"),  # a line break some readers show
        ({"statement": "hi\nURI: https://evil.example"}, "params.statement"),  # a field hidden in the statement
        ({"statement": "line one\nline two"}, "params.statement"),  # SIWE's statement is one line
        ({"domain": "bank.example\x1cevil.example"}, "params.domain"),  # a separator str.splitlines() breaks on
        ({"nonce": "12\u200b34"}, "params.nonce"),  # a zero-width space: what is shown is not what is signed
        ({"statement": "Sign in \u202eexample"}, "params.statement"),  # a bidi override
        ({"domain": "user@app.example"}, "params.domain"),  # userinfo is not part of a domain
        ({"domain": "app.example/login"}, "params.domain"),
        ({"statement": ""}, "params.statement"),
        ({"version": 1}, "params.version"),
        ({"domain": "evil.example wants you"}, "params.domain"),
        ({"address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"}, "params.address"),
        ({"resources": []}, "params.resources"),
        ({"resources": ["a"] * (MAX_SIGN_IN_RESOURCES + 1)}, "params.resources"),
        ({"resources": ["a\nb"]}, "params.resources"),
        ({"expiry": "never"}, "params.expiry"),  # a field no wallet writes: not silently dropped
        ({"statement": "x" * 70_000}, "params"),
    ],
)
def test_input_that_would_write_other_text_is_refused(change, where):
    decision = evaluate_json(_request({**FULL, **change}))
    assert decision.verdict == "BLOCK" and decision.error is not None
    assert [f.where for f in decision.findings if f.code == decision.error[0]] == [where]


def test_without_a_domain_or_an_address_there_is_nothing_to_sign():
    no_origin = {k: v for k, v in _request({"address": ME}).items() if k != "origin"}
    assert evaluate_json(no_origin).error[0] == "PARAMS_INVALID"
    no_account = {k: v for k, v in _request({"domain": "app.example"}).items() if k != "from"}
    assert evaluate_json(no_account).error[0] == "PARAMS_INVALID"


@given(st.dictionaries(st.sampled_from(sorted(FULL)), st.text(max_size=40) | st.lists(st.text(max_size=8))))
def test_any_input_is_decided_or_refused_with_a_code(params):
    decision = evaluate_json(_request(params))
    assert decision.verdict in ("ALLOW", "BLOCK", "STEP_UP")
    if decision.error is None:  # what is signed reads back as the sign-in it claims, line for line
        text = decision.payload.signing_bytes.decode()
        assert text.split("\n", 1)[0].endswith(" wants you to sign in with your Solana account:")


def test_a_missing_domain_is_the_origins_host_and_port_without_userinfo():
    decision = evaluate_json(_request({"nonce": "1"}, origin="https://alice@app.example:8443/path"))
    assert decision.payload.signing_bytes.startswith(b"app.example:8443 wants you to sign in")


def test_a_chain_id_for_another_cluster_is_noted():
    devnet = evaluate_json(_request({**FULL, "chainId": "devnet"}))
    assert devnet.verdict != "ALLOW" and "CHAIN_ID_MISMATCH" in {f.code for f in devnet.findings}
    for same in ("mainnet", "solana:mainnet", MAINNET):
        assert evaluate_json(_request({**FULL, "chainId": same})).verdict == "ALLOW", same
