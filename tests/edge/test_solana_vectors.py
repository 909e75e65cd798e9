"""Serialized Solana transactions and messages from public SDKs' and firmware tests (`data/solana_vectors.json`:
each entry names its repository, path and commit), read by the gate as their sources say they read."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from dmind.edge.solana.decode import decode_message
from dmind.edge.solana.wire import parse_message, parse_transaction

VECTORS = json.loads((Path(__file__).parent / "data" / "solana_vectors.json").read_text())


def _bytes(vector: dict) -> bytes:
    data = vector["data"]
    return bytes.fromhex(data) if vector["encoding"] == "hex" else base64.b64decode(data, validate=True)


def _header(message) -> tuple[int, int, int]:
    return message.header.required_signatures, message.header.readonly_signed, message.header.readonly_unsigned


def _message(vector: dict):
    raw = _bytes(vector)
    return parse_message(raw) if vector["kind"] == "message" else parse_transaction(raw).message


@pytest.mark.parametrize(
    "vector", VECTORS, ids=[f"{i}-{v['source'].split(':')[1][:40]}" for i, v in enumerate(VECTORS)]
)
def test_each_vector_reads_as_its_source_says(vector):
    message = _message(vector)
    calls, notes = decode_message(message)
    assert not [n for n in notes if n.code == "SOLANA_INSTRUCTION_UNREADABLE"]
    expect = vector["expect"]
    construct = expect.get("construct")
    if construct:  # Trezor's fixture for the same signed bytes: header, keys, blockhash, programs, lookups
        h = construct["header"]
        assert _header(message) == (h["signers"], h["readonly_signers"], h["readonly_non_signers"])
        assert list(message.account_keys) == construct["accounts"]
        assert message.recent_blockhash == construct["blockhash"]
        assert message.version == construct["version"]
        assert [ix.program_index for ix in message.instructions] == [
            i["program_index"] for i in construct["instructions"]
        ]
        assert [x.table for x in message.lookups] == [lut["account"] for lut in construct.get("luts", [])]
    if "header" in expect:
        h = expect["header"]
        assert _header(message) == (h["num_required_signatures"], h["num_readonly_signed"], h["num_readonly_unsigned"])
    if "lamports" in expect:
        assert calls[0].function == "transfer" and calls[0].args["lamports"] == expect["lamports"]
    if "to_pubkey" in expect:
        assert calls[0].roles["recipient"] == expect["to_pubkey"]
    for key in ("recent_blockhash", "blockhash"):
        if key in expect:
            assert message.recent_blockhash == expect[key]
    if "version" in expect:
        assert message.version == expect["version"]
    if str(expect.get("fee_payer", "")).isalnum():
        assert message.fee_payer == expect["fee_payer"]
    if "num_transfers" in expect:
        transfers = [c for c in calls if c.function == "transfer"]
        assert len(transfers) == expect["num_transfers"]
        assert {c.args["lamports"] for c in transfers} == {expect["lamports_each"]}


def test_the_vectors_cover_the_instructions_a_wallet_meets():
    names = {c.function for v in VECTORS for c in decode_message(_message(v))[0]}
    assert {
        "transfer",
        "transferChecked",
        "approveChecked",
        "setAuthority",
        "closeAccount",
        "advanceNonceAccount",
    } <= names
    assert any(_message(v).lookups for v in VECTORS)
