"""Reliable delivery over lossy packets: THP's alternating-bit protocol, sans-io.

One DATA message is outstanding per direction and channel. The receiver acknowledges every
DATA frame with its sequence bit, delivers it only if the bit is the one it expects (a
retransmitted duplicate is acknowledged again but not delivered twice), and the sender
retransmits on timeout a bounded number of times. Timers belong to the driver: it calls
`timed_out()` when its clock says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .framing import ACK, ACK_BIT, DATA, SEQ_BIT, USB_PACKET, Frame, FramingError, encode

MAX_RETRIES = 10  # THP allows 2..50; ten covers a 20%-loss link for the messages this bridge sends


@dataclass
class Sender:
    channel: int
    packet_size: int = USB_PACKET
    max_retries: int = MAX_RETRIES
    seq: int = 0
    pending: list[bytes] | None = None
    attempts: int = 0

    def send(self, payload: bytes) -> list[bytes]:
        """Packets for a new message; one message may be outstanding at a time."""
        if self.pending is not None:
            raise FramingError("BUSY", "the previous message is not acknowledged yet")
        self.pending = encode(DATA | (SEQ_BIT if self.seq else 0), self.channel, payload, self.packet_size)
        self.attempts = 1
        return self.pending

    def on_ack(self, frame: Frame) -> bool:
        """True when this ACK completes the outstanding message (a stale ACK is ignored)."""
        if self.pending is None or frame.kind != ACK or frame.sync_bit != self.seq:
            return False
        self.pending, self.seq = None, self.seq ^ 1
        return True

    def delivered(self) -> None:
        """The peer answered, so it has our message even if its ACK was lost."""
        if self.pending is not None:
            self.pending, self.seq = None, self.seq ^ 1

    def timed_out(self) -> list[bytes]:
        """The packets to send again, or FramingError once the retries are spent."""
        if self.pending is None:
            return []
        if self.attempts > self.max_retries:
            self.pending = None
            raise FramingError("RETRIES_EXHAUSTED", f"no acknowledgement after {self.max_retries} retries")
        self.attempts += 1
        return self.pending


@dataclass
class Receiver:
    channel: int
    packet_size: int = USB_PACKET
    expected: int = 0
    delivered: int = field(default=0)

    def on_data(self, frame: Frame) -> tuple[bytes | None, list[bytes]]:
        """(payload to deliver or None for a duplicate, the ACK packets to send)."""
        ack = encode(ACK | (ACK_BIT if frame.sync_bit else 0), self.channel, b"", self.packet_size)
        if frame.sync_bit != self.expected:
            return None, ack
        self.expected ^= 1
        self.delivered += 1
        return frame.payload, ack
