"""Raw transactions of all five types, built and signed by eth-account, parsed by the gate."""

from __future__ import annotations

import hashlib

import pytest
import rlp
from dmind.edge.errors import EdgeError
from dmind.edge.parse.rawtx import intrinsic_gas, parse_raw_transaction
from eth_account import Account
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders import SIGNER, TEST_KEY, authorization

addresses = st.binary(min_size=20, max_size=20).map(lambda b: Account.create(b.hex()).address)  # checksummed
quantities = st.integers(min_value=0, max_value=2**64 - 2)
values = st.integers(min_value=0, max_value=2**256 - 1)
calldata = st.binary(max_size=200)
chains = st.integers(min_value=1, max_value=2**32)
access_lists = st.lists(
    st.fixed_dictionaries(
        {
            "address": addresses,
            "storageKeys": st.lists(st.binary(min_size=32, max_size=32).map(lambda b: "0x" + b.hex()), max_size=2),
        }
    ),
    max_size=2,
)


def _gas(to, data, access_list, auths=0) -> int:
    return intrinsic_gas(to, data, tuple((a["address"], tuple(a["storageKeys"])) for a in access_list), auths) + 1000


@st.composite
def transactions(draw) -> dict:
    tx_type = draw(st.sampled_from(["legacy", "legacy155", 1, 2, 3, 4]))
    to = draw(addresses)
    data = draw(calldata)
    access_list = [] if tx_type in ("legacy", "legacy155") else draw(access_lists)
    tx = {"nonce": draw(quantities), "to": to, "value": draw(values), "data": data}
    auths = []
    if tx_type == 4:
        auths = [authorization(draw(addresses), chain_id=draw(st.sampled_from([0, 1])), nonce=draw(quantities))]
        tx["authorizationList"] = auths
    tx["gas"] = _gas(to, data, access_list, len(auths))
    fee = draw(st.integers(min_value=0, max_value=10**12))
    if tx_type in ("legacy", "legacy155"):
        tx["gasPrice"] = fee
        if tx_type == "legacy155":
            tx["chainId"] = draw(chains)
    else:
        tx.update(type=tx_type, chainId=draw(chains), accessList=access_list)
        if tx_type == 1:
            tx["gasPrice"] = fee
        else:
            tx.update(maxFeePerGas=fee, maxPriorityFeePerGas=draw(st.integers(min_value=0, max_value=fee)))
        if tx_type == 3:
            tx.update(
                maxFeePerBlobGas=draw(st.integers(min_value=1, max_value=10**10)),
                blobVersionedHashes=[b"\x01" + draw(st.binary(min_size=31, max_size=31))],
            )
    return tx


@settings(max_examples=60, deadline=None)
@given(transactions())
def test_signed_transactions_round_trip(tx):
    signed = Account.sign_transaction(tx, TEST_KEY)
    raw = bytes(signed.raw_transaction)
    payload = parse_raw_transaction(raw, "eth_sendRawTransaction", None)
    parsed = payload.tx
    assert parsed.sender == SIGNER
    assert parsed.tx_hash == bytes(signed.hash)
    assert parsed.nonce == tx["nonce"] and parsed.value == tx["value"] and parsed.data == tx["data"]
    assert parsed.to == tx["to"]
    assert parsed.chain_id == tx.get("chainId")
    assert parsed.type == tx.get("type", 0)
    assert payload.digest == keccak(payload.signing_bytes)
    # The signature verifies over our signing hash: the digest is what the key signed.
    assert Account._recover_hash(payload.digest, vrs=(signed.v, signed.r, signed.s)) == SIGNER
    for ours, theirs in zip(parsed.authorizations, tx.get("authorizationList", [])):
        assert ours.address == theirs["address"] and ours.authority == SIGNER and ours.chain_id == theirs["chainId"]


@settings(max_examples=30, deadline=None)
@given(transactions())
def test_unsigned_transactions_give_the_signing_hash(tx):
    signed = Account.sign_transaction(tx, TEST_KEY)
    raw = bytes(signed.raw_transaction)
    if raw[0] >= 0xC0:
        items = rlp.decode(raw)
        unsigned = rlp.encode(items[:6] + ([tx["chainId"], b"", b""] if tx.get("chainId") else []))
    else:
        items = rlp.decode(raw[1:])
        unsigned = raw[:1] + rlp.encode(items[:-3])
    signed_payload = parse_raw_transaction(raw, "eth_signTransaction", None)
    payload = parse_raw_transaction(unsigned, "eth_signTransaction", None)
    assert not payload.tx.signed and payload.tx.sender is None
    assert payload.digest == signed_payload.digest


def _reencode_with(raw: bytes, index: int, value: bytes) -> bytes:
    items = rlp.decode(raw[1:])
    items[index] = value
    return raw[:1] + rlp.encode(items)


SAMPLE = {
    "type": 2,
    "chainId": 1,
    "nonce": 5,
    "maxFeePerGas": 2 * 10**9,
    "maxPriorityFeePerGas": 10**9,
    "gas": 21000,
    "to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "value": 10**18,
    "data": b"",
    "accessList": [],
}


def _sample_raw(**changes) -> bytes:
    return bytes(Account.sign_transaction({**SAMPLE, **changes}, TEST_KEY).raw_transaction)


@pytest.mark.parametrize(
    "index,value,code",
    [
        (1, b"\x00\x05", "TX_FIELD_INVALID"),  # nonce with a leading zero
        (6, b"\x00" + (10**18).to_bytes(8, "big"), "TX_FIELD_INVALID"),  # value with a leading zero
        (5, b"\x11" * 19, "TX_FIELD_INVALID"),  # 19-byte recipient
        (5, b"\x11" * 21, "TX_FIELD_INVALID"),  # 21-byte recipient
        (6, b"\x01" + b"\x00" * 32, "TX_INTEGER_RANGE"),  # value above 2^256-1
        (1, b"\xff" * 8, "TX_INTEGER_RANGE"),  # nonce 2^64-1 (EIP-2681)
        (4, (20999).to_bytes(2, "big"), "TX_INTRINSIC_GAS"),
        (2, (3 * 10**9).to_bytes(4, "big"), "TX_FEE_INVALID"),  # priority fee above max fee
    ],
)
def test_non_canonical_or_invalid_fields_are_typed_errors(index, value, code):
    raw = _reencode_with(_sample_raw(), index, value)
    with pytest.raises(EdgeError) as caught:
        parse_raw_transaction(raw, "eth_sendRawTransaction", None)
    assert caught.value.code == code


def test_high_s_signature_is_rejected():
    raw = _sample_raw()
    items = rlp.decode(raw[1:])
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    items[-1] = (n - int.from_bytes(items[-1], "big")).to_bytes(32, "big")
    items[-3] = b"" if items[-3] == b"\x01" else b"\x01"
    with pytest.raises(EdgeError) as caught:
        parse_raw_transaction(raw[:1] + rlp.encode(items), "eth_sendRawTransaction", None)
    assert caught.value.code == "TX_SIGNATURE_INVALID"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda raw: raw[:-1],  # truncated
        lambda raw: raw + b"\x00",  # trailing byte
        lambda raw: b"\x05" + raw[1:],  # unknown type
        lambda raw: raw[:1] + rlp.encode(rlp.decode(raw[1:])[:-4]),  # too few fields
        lambda raw: raw[:1] + rlp.encode(rlp.decode(raw[1:]) + [b""]),  # too many fields
        lambda raw: b"\x80" + raw[1:],  # neither typed nor legacy
    ],
)
def test_malformed_envelopes_are_typed_errors(mutate):
    with pytest.raises(EdgeError) as caught:
        parse_raw_transaction(mutate(_sample_raw()), "eth_sendRawTransaction", None)
    assert caught.value.verdict in ("BLOCK", "STEP_UP")


def test_blob_network_form_checks_commitments_against_versioned_hashes():
    commitment = b"\xc0" + b"\x00" * 47
    versioned = b"\x01" + hashlib.sha256(commitment).digest()[1:]
    tx = {**SAMPLE, "type": 3, "maxFeePerBlobGas": 10**9, "blobVersionedHashes": [versioned]}
    raw = bytes(Account.sign_transaction(tx, TEST_KEY).raw_transaction)
    body = rlp.decode(raw[1:])
    wrapper = raw[:1] + rlp.encode([body, [b"\x00" * 131072], [commitment], [b"\x00" * 48]])
    payload = parse_raw_transaction(wrapper, "eth_sendRawTransaction", None)
    assert payload.tx.network_form and payload.tx.sender == SIGNER
    assert payload.digest == parse_raw_transaction(raw, "eth_sendRawTransaction", None).digest
    wrong = raw[:1] + rlp.encode([body, [b"\x00" * 131072], [b"\xc1" + b"\x00" * 47], [b"\x00" * 48]])
    with pytest.raises(EdgeError) as caught:
        parse_raw_transaction(wrong, "eth_sendRawTransaction", None)
    assert caught.value.code == "TX_INCONSISTENT"


def test_legacy_without_chain_id_is_flagged():
    raw = bytes(
        Account.sign_transaction(
            {
                k: v
                for k, v in SAMPLE.items()
                if k not in ("type", "chainId", "maxFeePerGas", "maxPriorityFeePerGas", "accessList")
            }
            | {"gasPrice": 10**9},
            TEST_KEY,
        ).raw_transaction
    )
    payload = parse_raw_transaction(raw, "eth_sendRawTransaction", None)
    assert payload.tx.chain_id is None and payload.tx.sender == SIGNER
    assert [n.code for n in payload.notes] == ["TX_NO_REPLAY_PROTECTION"]
