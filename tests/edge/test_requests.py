"""eth_sendTransaction objects, personal_sign, eth_sign, wallet_sendCalls and the request envelope."""

from __future__ import annotations

import pytest
from dmind.edge import Request
from dmind.edge.errors import EdgeError
from dmind.edge.parse.request import parse_payload, request_from_json
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct

from tests.builders import SIGNER, TEST_KEY, USDC, calldata

TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
COMPLETE = {
    "from": SIGNER,
    "to": TO,
    "value": "0xde0b6b3a7640000",
    "gas": "0x10000",
    "nonce": "0x5",
    "maxFeePerGas": "0x77359400",
    "maxPriorityFeePerGas": "0x3b9aca00",
    "chainId": "0x1",
}


def _payload(method: str, params: list, **context):
    return parse_payload(Request(method, tuple(params), **context))


def test_complete_object_digest_is_the_signing_hash():
    payload = _payload("eth_sendTransaction", [COMPLETE])
    signed = Account.sign_transaction(
        {**{k: int(v, 16) for k, v in COMPLETE.items() if k not in ("from", "to")}, "to": TO, "type": 2}, TEST_KEY
    )
    assert payload.digest_kind == "tx_signing_hash"
    assert Account._recover_hash(payload.digest, vrs=(signed.v, signed.r, signed.s)) == SIGNER
    assert payload.notes == ()


def test_incomplete_object_binds_the_request():
    payload = _payload("eth_sendTransaction", [{"from": SIGNER, "to": TO, "value": "0x1"}], chain_id=1)
    other = _payload("eth_sendTransaction", [{"from": SIGNER, "to": TO, "value": "0x2"}], chain_id=1)
    assert payload.digest_kind == "request" and payload.digest != other.digest


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("value", "de0b6b3a7640000", "QUANTITY_AMBIGUOUS"),
        ("value", "0Xde0b6b3a7640000", "HEX_PREFIX_UPPERCASE"),
        ("value", "0xDE0B6B3A7640000", "HEX_UPPERCASE"),
        ("value", "1000", "QUANTITY_AMBIGUOUS"),
        ("value", 1000, "QUANTITY_JSON_NUMBER"),
        ("value", "0x0001", "QUANTITY_LEADING_ZEROS"),
        ("data", "0xabc", "HEX_ODD_LENGTH"),
        ("to", TO[2:], "HEX_NO_PREFIX"),
        ("to", "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", "ADDRESS_CHECKSUM_MISMATCH"),
    ],
)
def test_each_leniency_is_named(field, value, code):
    payload = _payload("eth_sendTransaction", [{**COMPLETE, field: value}])
    notes = [n for n in payload.notes if n.code == code]
    assert notes and field in notes[0].message


def test_decimal_string_is_read_as_decimal():
    payload = _payload("eth_sendTransaction", [{**COMPLETE, "value": "1000"}])
    assert payload.tx.value == 1000


def test_single_digit_decimal_is_not_ambiguous():
    payload = _payload("eth_sendTransaction", [{**COMPLETE, "value": "7"}])
    assert payload.tx.value == 7 and not [n for n in payload.notes if n.code == "QUANTITY_AMBIGUOUS"]


@pytest.mark.parametrize(
    "obj,code",
    [
        ({**COMPLETE, "to": "0x1234"}, "ADDRESS_INVALID"),
        ({**COMPLETE, "value": "0xzz"}, "HEX_INVALID"),
        ({**COMPLETE, "value": -1}, "QUANTITY_INVALID"),
        ({**COMPLETE, "value": True}, "QUANTITY_INVALID"),
        ({**COMPLETE, "data": "0x12", "input": "0x34"}, "PARAMS_AMBIGUOUS"),
        ("not an object", "PARAMS_INVALID"),
    ],
)
def test_bad_objects_are_typed_errors(obj, code):
    with pytest.raises(EdgeError) as caught:
        _payload("eth_sendTransaction", [obj])
    assert caught.value.code == code


@pytest.mark.parametrize("params", [["0x68656c6c6f", SIGNER], [SIGNER, "0x68656c6c6f"], ["hello", SIGNER]])
def test_personal_sign_either_order(params):
    payload = _payload("personal_sign", params)
    assert payload.signer == SIGNER
    assert payload.digest == _hash_eip191_message(encode_defunct(text="hello"))
    assert payload.message == b"hello"


def test_personal_sign_two_addresses_needs_the_account():
    other = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    with pytest.raises(EdgeError) as caught:
        _payload("personal_sign", [other, SIGNER])
    assert caught.value.code == "PARAMS_AMBIGUOUS"
    assert _payload("personal_sign", [other, SIGNER], account=SIGNER).message == bytes.fromhex(other[2:])


def test_eth_sign_is_a_raw_hash():
    payload = _payload("eth_sign", [SIGNER, "0x" + "ab" * 32])
    assert payload.kind == "raw_hash" and payload.digest == b"\xab" * 32
    with pytest.raises(EdgeError):
        _payload("eth_sign", [SIGNER, "0x" + "ab" * 31])


def test_send_calls_keeps_every_call():
    data = calldata("approve(address,uint256)", ["address", "uint256"], [TO, 5])
    payload = _payload(
        "wallet_sendCalls",
        [
            {
                "chainId": "0x1",
                "from": SIGNER,
                "calls": [{"to": USDC, "data": "0x" + data.hex()}, {"to": TO, "value": "0x5"}],
            }
        ],
    )
    assert [c.to for c in payload.calls] == [USDC, TO] and payload.calls[0].data == data and payload.chain_id == 1


@pytest.mark.parametrize(
    "obj,code",
    [
        ([], "REQUEST_INVALID"),
        ({"request": {"params": []}}, "REQUEST_INVALID"),
        ({"request": {"method": "eth_sign", "params": {}}}, "REQUEST_INVALID"),
        ({"request": {"method": "eth_sign", "params": []}, "chainId": "1"}, "REQUEST_INVALID"),
        ({"request": {"method": "eth_sign", "params": []}, "from": "0x12"}, "ADDRESS_INVALID"),
    ],
)
def test_request_envelope_errors(obj, code):
    with pytest.raises(EdgeError) as caught:
        request_from_json(obj)
    assert caught.value.code == code


def test_unknown_method_steps_up():
    with pytest.raises(EdgeError) as caught:
        _payload("eth_signTypedData", [])
    assert caught.value.code == "METHOD_UNSUPPORTED" and caught.value.verdict == "STEP_UP"
