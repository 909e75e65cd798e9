"""Packet framing modelled on Trezor's THP transport layer; sans-io, so one codec serves USB
(64-byte packets), BLE (244-byte packets), UDP and tests.

A message is an initiation packet `ctrl(1) | channel(2) | length(2) | payload…` followed by
continuation packets `0x80 | channel(2) | payload…`; `length` counts the payload plus the
CRC-32 (zlib's, big-endian) that ends the message and covers the header and the payload.
Packets are zero-padded to the transport's size. Data messages carry a sequence bit and are
acknowledged with the same bit (an alternating-bit protocol, `channel.py`).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from dmind.policies.errors import InputError

USB_PACKET = 64
BLE_PACKET = 244
BROADCAST = 0xFFFF
MAX_MESSAGE = 60_000  # payload bytes; the 16-bit length also counts the 4-byte CRC

CONTINUATION = 0x80
DATA = 0x04
ACK = 0x20
CHANNEL_REQUEST = 0x40
CHANNEL_RESPONSE = 0x41
ERROR = 0x42
PING = 0x43
PONG = 0x44
SEQ_BIT = 0x10  # on DATA: which of two alternating messages this is
ACK_BIT = 0x08  # on ACK: which sequence bit is acknowledged

_INIT = struct.Struct(">BHH")
_CONT = struct.Struct(">BH")
_CRC = struct.Struct(">I")
KINDS = {DATA, ACK, CHANNEL_REQUEST, CHANNEL_RESPONSE, ERROR, PING, PONG}


class FramingError(InputError):
    """A packet or message the codec refuses; `code` is stable, the channel stays usable."""


SYNC_BITS = SEQ_BIT | ACK_BIT


@dataclass(frozen=True, slots=True)
class Frame:
    """One whole, CRC-checked message: its control byte, channel and payload."""

    ctrl: int
    channel: int
    payload: bytes

    @property
    def kind(self) -> int:
        """The control byte without its sync bit."""
        return self.ctrl & ~SYNC_BITS

    @property
    def sync_bit(self) -> int:
        return int(bool(self.ctrl & SYNC_BITS))


def encode(ctrl: int, channel: int, payload: bytes, packet_size: int = USB_PACKET) -> list[bytes]:
    """The packets of one message, each exactly `packet_size` bytes."""
    if len(payload) > MAX_MESSAGE:
        raise FramingError("MESSAGE_TOO_LARGE", f"{len(payload)} bytes exceeds {MAX_MESSAGE}")
    header = _INIT.pack(ctrl, channel, len(payload) + _CRC.size)
    body = payload + _CRC.pack(zlib.crc32(header + payload))
    first = packet_size - _INIT.size
    packets = [header + body[:first]]
    step = packet_size - _CONT.size
    for start in range(first, len(body), step):
        packets.append(_CONT.pack(CONTINUATION, channel) + body[start : start + step])
    return [p.ljust(packet_size, b"\x00") for p in packets]


def _check_ctrl(ctrl: int) -> None:
    kind = ctrl & ~SYNC_BITS
    if kind not in KINDS or (ctrl & SYNC_BITS and (kind, ctrl & SYNC_BITS) not in ((DATA, SEQ_BIT), (ACK, ACK_BIT))):
        raise FramingError("UNKNOWN_CONTROL_BYTE", f"control byte {ctrl:#04x}")


class Reassembler:
    """Packets in; whole messages and faults out, in order.

    A fault (bad size, stray continuation, unknown control byte, lying length, failed CRC, an
    unfinished message cut off by a new one) is reported as a FramingError in the returned
    list and the faulty message is dropped; nothing corrupted is ever returned as a Frame,
    and the next initiation packet starts afresh, so one fault never wedges a channel.
    """

    def __init__(self, packet_size: int = USB_PACKET, max_partial: int = 4) -> None:
        self.packet_size = packet_size
        self.max_partial = max_partial  # unfinished messages kept at once: bounds memory per peer
        self._partial: dict[int, tuple[bytes, int, bytearray]] = {}  # channel -> (header, length, body so far)

    def feed(self, packet: bytes) -> list[Frame | FramingError]:
        """Add one packet; return what it completes or breaks."""
        events: list[Frame | FramingError] = []
        if len(packet) != self.packet_size:
            return [FramingError("PACKET_SIZE", f"packet of {len(packet)} bytes, expected {self.packet_size}")]
        if packet[0] == CONTINUATION:
            _, channel = _CONT.unpack_from(packet)
            if channel not in self._partial:
                return [
                    FramingError(
                        "UNEXPECTED_CONTINUATION", f"continuation on channel {channel:#06x} with no message in progress"
                    )
                ]
            header, length, body = self._partial[channel]
            body += packet[_CONT.size :]
        else:
            ctrl, channel, length = _INIT.unpack_from(packet)
            if self._partial.pop(channel, None) is not None:
                events.append(
                    FramingError(
                        "MESSAGE_INCOMPLETE", f"a new message on channel {channel:#06x} cut off an unfinished one"
                    )
                )
            try:
                _check_ctrl(ctrl)
            except FramingError as exc:
                return events + [exc]
            if not _CRC.size <= length <= MAX_MESSAGE + _CRC.size:
                return events + [
                    FramingError("BAD_LENGTH", f"length {length} is outside {_CRC.size}..{MAX_MESSAGE + _CRC.size}")
                ]
            header, body = packet[: _INIT.size], bytearray(packet[_INIT.size :])
        if len(body) < length:
            if channel not in self._partial and len(self._partial) >= self.max_partial:
                oldest = next(iter(self._partial))
                del self._partial[oldest]
                events.append(
                    FramingError(
                        "MESSAGE_INCOMPLETE", f"too many unfinished messages; dropped the one on channel {oldest:#06x}"
                    )
                )
            self._partial[channel] = (header, length, body)
            return events
        self._partial.pop(channel, None)
        payload, crc = bytes(body[: length - _CRC.size]), bytes(body[length - _CRC.size : length])
        if _CRC.unpack(crc)[0] != zlib.crc32(header + payload):
            return events + [FramingError("CRC_MISMATCH", f"message on channel {channel:#06x} failed its CRC")]
        return events + [Frame(header[0], channel, payload)]
