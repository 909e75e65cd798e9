"""Single-part URs against Blockchain Commons' published vectors."""

from __future__ import annotations

import pytest
from dmind.firmware_bridge.messages import decode_message, encode_message, message
from dmind.firmware_bridge.ur import URError, bytewords_minimal, decode_ur, encode_ur
from hypothesis import given
from hypothesis import strategies as st

# BlockchainCommons/bc-ur test/test.cpp test_single_part_ur: CBOR byte string of make_message(50, "Wolf").
BC_UR_SINGLE = "ur:bytes/hdeymejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtgwdpfnsboxgwlbaawzuefywkdplrsrjynbvygabwjldapfcsdwkbrkch"
BC_UR_SINGLE_CBOR = bytes.fromhex(
    "5832916ec65cf77cadf55cd7f9cda1a1030026ddd42e905b77adc36e4f2d3ccba44f7f04f2de44f42d84c374a0e149136f25b018"
)


def test_bc_ur_single_part_vector():
    assert encode_ur("bytes", BC_UR_SINGLE_CBOR) == BC_UR_SINGLE
    assert decode_ur(BC_UR_SINGLE) == ("bytes", BC_UR_SINGLE_CBOR)


def test_urkit_array_vector():
    # URKit / ur-rs: UR("test", [1, 2, 3].cbor)
    assert encode_ur("test", bytes.fromhex("83010203")) == "ur:test/lsadaoaxjygonesw"


def test_bytewords_vector():
    # bc-ur test_bytewords_1 (as in the ur-rs and URKit ports)
    assert bytewords_minimal(bytes.fromhex("00010280ff")) == "aeadaolazmjendeoti"


@given(st.binary(min_size=1, max_size=500))
def test_round_trip_and_case_insensitive(data):
    text = encode_ur("dmind-msg", data)
    assert decode_ur(text) == ("dmind-msg", data) == decode_ur(text.upper())


def test_device_messages_travel_as_urs():
    msg = message("GetInfo")
    assert decode_message(decode_ur(encode_ur("dmind-msg", encode_message(msg)))[1]) == msg


@pytest.mark.parametrize(
    "text,code",
    [
        (BC_UR_SINGLE[:-2] + "ae", "UR_CHECKSUM"),
        ("ur:bytes/zz", "UR_MALFORMED"),
        ("ur:bytes/1-3/lpadaxcs", "UR_MULTIPART"),
        ("bytes/aeadaolazmjendeoti", "UR_MALFORMED"),
        ("ur:by_tes/aeadaolazmjendeoti", "UR_TYPE"),
        ("ur:bytes/aeadaolazmjendeotx", "UR_MALFORMED"),
    ],
)
def test_bad_urs(text, code):
    with pytest.raises(URError) as caught:
        decode_ur(text)
    assert caught.value.code == code


def test_air_gapped_device_answers_a_scanned_sign_request_with_a_ur(tmp_path):
    # The air-gapped path end to end in-process: the host's SignRequest as a UR, the firmware's answer as one.
    from dmind.firmware_bridge.client import sign_request
    from dmind.firmware_bridge.firmware import UR_TYPE, Firmware
    from dmind.firmware_bridge.keys import TEST_MNEMONIC, seed_from_mnemonic

    device = Firmware(seed_from_mnemonic(TEST_MNEMONIC), tmp_path, "0.1.0")
    signer = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    request = {"request": {"method": "personal_sign", "params": ["0x68656c6c6f", signer]}}
    answer = decode_message(decode_ur(device.handle_ur(encode_ur(UR_TYPE, encode_message(sign_request(request)))))[1])
    assert answer.name == "Signature" and len(answer["signature"]) == 65
    refused = decode_message(decode_ur(device.handle_ur("ur:bytes/" + "ae" * 10))[1])
    assert refused.name == "Failure" and refused["code"].startswith("UR_")
