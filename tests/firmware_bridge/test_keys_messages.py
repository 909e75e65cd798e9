"""Key derivation against published vectors, and the message codec's strictness."""

from __future__ import annotations

import cbor2
import pytest
from dmind.firmware_bridge.keys import TEST_MNEMONIC, address_of, derive, parse_path, seed_from_mnemonic
from dmind.firmware_bridge.messages import MessageError, decode_message, encode_message, message
from hypothesis import given
from hypothesis import strategies as st

from tests.builders import SIGNER


def test_bip32_published_vector_1():
    # BIP-32 test vector 1 (seed 000102…0f): chain m and m/0H.
    seed = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
    master = derive(seed, "m")
    assert master.key == 0xE8F32E723DECF4051AEFAC8E2C93C9C5B214313817CDB01A1494B917C8436B35
    assert master.chain_code.hex() == "873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508"
    assert derive(seed, "m/0'").key == 0xEDB2E14F9EE77D26DD93B4ECEDE8D16ED408CE149B6CD80B0715A2D911A0AFEA


def test_test_mnemonic_gives_the_well_known_accounts():
    seed = seed_from_mnemonic(TEST_MNEMONIC)
    assert address_of(derive(seed, "m/44'/60'/0'/0/0").key) == SIGNER
    assert address_of(derive(seed, "m/44'/60'/0'/0/1").key) == "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.mark.parametrize("path", ["44'/60'", "m/x", "m/2147483648", "m//1"])
def test_bad_paths(path):
    with pytest.raises(ValueError):
        parse_path(path)


@given(st.binary(max_size=40), st.text(max_size=40))
def test_messages_round_trip(request_id, request):
    msg = message("Evaluate", request_id=request_id, request=request)
    assert decode_message(encode_message(msg)) == msg


@pytest.mark.parametrize(
    "data,code",
    [
        (b"\xff", "MESSAGE_INVALID"),
        (cbor2.dumps([1, 2]), "MESSAGE_INVALID"),
        (cbor2.dumps({0: 2, 1: 1}), "MESSAGE_VERSION"),
        (cbor2.dumps({0: 1, 1: 99}), "MESSAGE_UNKNOWN"),
        (cbor2.dumps({0: 1, 1: 3}), "MESSAGE_INVALID"),  # LoadPolicy without bundle
        (cbor2.dumps({0: 1, 1: 3, 2: "text"}), "MESSAGE_INVALID"),  # bundle of the wrong kind
        (cbor2.dumps({0: 1, 1: 1, 9: 0}), "MESSAGE_INVALID"),  # unknown field
        (cbor2.dumps({0: 1, 1: 2, 2: "d", 3: "f", 4: "a", 7: True}), "MESSAGE_INVALID"),  # bool is not a uint
        (b"\xa0" * 50_000, "MESSAGE_TOO_LARGE"),
    ],
)
def test_bad_messages(data, code):
    with pytest.raises(MessageError) as caught:
        decode_message(data)
    assert caught.value.code == code


@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_message_errors(data):
    try:
        decode_message(data)
    except MessageError:
        pass


def test_huge_integers_are_message_errors():
    with pytest.raises(MessageError):
        decode_message(cbor2.dumps({0: 10**5000, 1: 1}))
