"""Framing and the alternating-bit channel: vectors, faults, and fuzzed packet streams."""

from __future__ import annotations

import pytest
from dmind.firmware_bridge.channel import Receiver, Sender
from dmind.firmware_bridge.framing import (
    ACK,
    BLE_PACKET,
    BROADCAST,
    CHANNEL_REQUEST,
    DATA,
    SEQ_BIT,
    USB_PACKET,
    Frame,
    FramingError,
    Reassembler,
    encode,
)
from hypothesis import given, settings
from hypothesis import strategies as st


def test_layout_matches_thp():
    # THP's layout (trezor-firmware docs/common/thp/specification.md): ctrl | cid | length | payload | CRC-32,
    # with length counting payload + CRC and the CRC covering header and payload (these bytes were worked
    # out from that description with zlib.crc32).
    request = encode(CHANNEL_REQUEST, BROADCAST, bytes.fromhex("0001020304050607"))
    assert request == [bytes.fromhex("40ffff000c000102030405060795677104").ljust(64, b"\x00")]
    assert encode(ACK, 0x1234, b"") == [bytes.fromhex("2012340004d9fcce58").ljust(64, b"\x00")]


@pytest.mark.parametrize("size", [USB_PACKET, BLE_PACKET])
@pytest.mark.parametrize("length", [0, 1, 55, 56, 57, 500, 5000])
def test_round_trip(size, length):
    payload = bytes(range(256)) * (length // 256) + bytes(length % 256)
    packets = encode(DATA | SEQ_BIT, 7, payload, size)
    assert all(len(p) == size for p in packets)
    reassembler = Reassembler(size)
    events = [e for p in packets for e in reassembler.feed(p)]
    assert events == [Frame(DATA | SEQ_BIT, 7, payload)]


def _codes(packets, size=USB_PACKET):
    reassembler = Reassembler(size)
    return [e.code if isinstance(e, FramingError) else "FRAME" for p in packets for e in reassembler.feed(p)]


def test_each_fault_is_reported_and_the_channel_recovers():
    good = encode(DATA, 3, b"x" * 200)
    flipped = bytearray(good[1])
    flipped[10] ^= 1
    assert _codes([good[0], bytes(flipped), *good[2:]]) == ["CRC_MISMATCH"]
    assert _codes([good[1]]) == ["UNEXPECTED_CONTINUATION"]
    assert _codes([good[0][:-1]]) == ["PACKET_SIZE"]
    assert _codes([b"\x77" + good[0][1:]]) == ["UNKNOWN_CONTROL_BYTE"]
    assert _codes([good[0][:3] + b"\x00\x02" + good[0][5:]]) == ["BAD_LENGTH"]
    assert _codes([good[0], *good]) == ["MESSAGE_INCOMPLETE", "FRAME"]
    assert _codes([good[0], good[1], *encode(DATA, 3, b"ok")]) == ["MESSAGE_INCOMPLETE", "FRAME"]


def test_duplicates_are_acknowledged_but_delivered_once():
    sender, receiver, reassembler = Sender(9), Receiver(9), Reassembler()
    packets = sender.send(b"hello")
    frame = reassembler.feed(packets[0])[0]
    assert receiver.on_data(frame)[0] == b"hello"
    payload, ack = receiver.on_data(frame)
    assert payload is None and ack
    assert sender.on_ack(Reassembler().feed(ack[0])[0])
    assert sender.pending is None and sender.seq == 1


def test_retries_are_bounded():
    sender = Sender(1, max_retries=2)
    sender.send(b"x")
    assert sender.timed_out() and sender.timed_out()
    with pytest.raises(FramingError) as caught:
        sender.timed_out()
    assert caught.value.code == "RETRIES_EXHAUSTED"


@st.composite
def lossy_streams(draw):
    messages = draw(st.lists(st.binary(max_size=300), min_size=1, max_size=6))
    stream = []
    for index, payload in enumerate(messages):
        for packet in encode(DATA | (SEQ_BIT if index % 2 else 0), 5, payload):
            fate = draw(st.sampled_from(["keep"] * 6 + ["drop", "duplicate", "flip"]))
            if fate == "drop":
                continue
            if fate == "flip":
                position = draw(st.integers(0, len(packet) * 8 - 1))
                packet = bytearray(packet)
                packet[position // 8] ^= 1 << (position % 8)
                packet = bytes(packet)
            stream.append(packet)
            if fate == "duplicate":
                stream.append(packet)
    return messages, stream


@settings(max_examples=300, deadline=None)
@given(lossy_streams())
def test_lossy_streams_deliver_intact_or_not_at_all(case):
    messages, stream = case
    reassembler, receiver = Reassembler(), Receiver(5)
    delivered = []
    for packet in stream:
        for event in reassembler.feed(packet):
            if isinstance(event, Frame) and event.channel == 5 and event.kind == DATA:
                payload, _ = receiver.on_data(event)
                if payload is not None:
                    delivered.append(payload)
    # Every delivered payload is one that was sent, never altered, in order, at most once each.
    remaining = list(messages)
    for payload in delivered:
        assert payload in remaining
        remaining = remaining[remaining.index(payload) + 1 :]


def test_unfinished_messages_are_bounded():
    reassembler = Reassembler(max_partial=4)
    events = []
    for channel in range(1, 11):
        events += reassembler.feed(encode(DATA, channel, b"x" * 1000)[0])  # first packet only
    assert len(reassembler._partial) == 4
    assert sum(1 for e in events if isinstance(e, FramingError) and e.code == "MESSAGE_INCOMPLETE") == 6
