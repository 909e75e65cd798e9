"""Conformance against ../shared/vectors: ethereum/tests transactions and eth-account vectors."""

from __future__ import annotations

import pytest
from dmind.edge import evaluate_json
from dmind.edge.render import decision_json

from tests.conftest import FIXED_NOW, SHARED, load_jsonl, shared_path

ETH_TESTS = "ethereum-tests-tx.jsonl"
ETH_ACCOUNT = "eth-account.jsonl"


def _rows(name: str) -> list[dict]:
    path = SHARED / "vectors" / name
    return load_jsonl(path) if path.exists() else []


def _ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def _decide(row: dict) -> dict:
    return decision_json(evaluate_json(row, now=FIXED_NOW))


VALID_TX = [r for r in _rows(ETH_TESTS) if r["expect"]["valid"]]
INVALID_TX = [r for r in _rows(ETH_TESTS) if not r["expect"]["valid"]]
DECODER_REJECTS = [r for r in INVALID_TX if r["expect"]["invalid_kind"] == "decoder_rejects"]
ACCOUNT_TX = [r for r in _rows(ETH_ACCOUNT) if r["request"]["method"] == "eth_sendRawTransaction"]
ACCOUNT_TYPED = [r for r in _rows(ETH_ACCOUNT) if r["request"]["method"].startswith("eth_signTypedData")]


def test_vectors_present():
    shared_path("vectors", ETH_TESTS)
    shared_path("vectors", ETH_ACCOUNT)
    assert VALID_TX and INVALID_TX and ACCOUNT_TX and ACCOUNT_TYPED


@pytest.mark.parametrize("row", VALID_TX, ids=_ids(VALID_TX))
def test_valid_ethereum_tests_parse_exactly(row):
    expect = row["expect"]
    tx = _decide(row)["intent"]["transaction"]
    assert str(tx["type"]) == expect["type"]
    assert tx["chainId"] == expect["chainId"]
    assert tx["nonce"] == expect["nonce"]
    assert tx["to"] == expect["to"]
    assert tx["value"] == expect["value"]
    assert tx["sender"] == expect["sender"]
    assert tx["hash"] == expect["tx_hash"]


@pytest.mark.parametrize("row", INVALID_TX, ids=_ids(INVALID_TX))
def test_invalid_ethereum_tests_never_allow(row):
    decision = _decide(row)
    assert decision["decision"] != "ALLOW"
    # the reason is in a finding that is not merely informational
    assert any(f["severity"] in ("medium", "high", "critical") for f in decision["findings"])


@pytest.mark.parametrize("row", DECODER_REJECTS, ids=_ids(DECODER_REJECTS))
def test_invalid_rows_rejected_by_decoder_are_errors(row):
    decision = _decide(row)
    assert decision["decision"] in ("BLOCK", "STEP_UP") and decision["error"] is not None


@pytest.mark.parametrize("row", ACCOUNT_TX, ids=_ids(ACCOUNT_TX))
def test_eth_account_transactions_recover_sender(row):
    expect = row["expect"]
    decision = _decide(row)
    tx = decision["intent"]["transaction"]
    assert tx["sender"] == expect["sender"]
    assert tx["hash"] == expect["tx_hash"]
    if "signing_hash" in expect:
        assert decision["digest"] == expect["signing_hash"]
    for got, want in zip(tx["authorizations"], expect.get("authorizations", [])):
        assert got["address"] == want["address"]
        assert got["authority"] == want["authority"]


@pytest.mark.parametrize("row", ACCOUNT_TYPED, ids=_ids(ACCOUNT_TYPED))
def test_eth_account_typed_data_digest_or_typed_error(row):
    expect = row["expect"]
    decision = _decide(row)
    if expect["valid"] and not expect.get("implementations_disagree"):
        assert decision["error"] is None
        assert decision["digest"] == expect["eip712_digest"]
    elif expect["valid"] is False:
        assert decision["decision"] != "ALLOW"
        assert decision["error"] is not None or decision["findings"]
    else:
        # wallets disagree on these: either eth-account's digest, or refused with a typed error
        if decision["error"] is None:
            assert decision["digest"] == expect["eip712_digest"]
        else:
            assert decision["decision"] != "ALLOW" and decision["error"]["code"].startswith("TYPED_DATA")
