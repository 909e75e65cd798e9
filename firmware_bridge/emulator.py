"""The device emulator: a real process speaking the framing over UDP, as Trezor's emulator does.

Each UDP datagram is one packet. Channels are allocated on the broadcast channel; on each
channel the emulator acknowledges every DATA message, hands new ones to `Firmware.handle`, and
sends the response with retransmission until the host acknowledges it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from dataclasses import dataclass, field

from .channel import Receiver, Sender
from .firmware import Firmware
from .framing import (
    ACK,
    BROADCAST,
    CHANNEL_REQUEST,
    CHANNEL_RESPONSE,
    DATA,
    ERROR,
    PING,
    PONG,
    USB_PACKET,
    Frame,
    FramingError,
    Reassembler,
    encode,
)
from .messages import MessageError, decode_message, encode_message, message

log = logging.getLogger(__name__)
RETRANSMIT_S = 0.25
ERROR_UNALLOCATED_CHANNEL = 2
MAX_CHANNELS = 64  # in all; past this the least recently active channel is closed
MAX_CHANNELS_PER_PEER = 4  # past this a peer's own oldest channel is closed, never another peer's
MAX_PEERS = 64  # reassembly state is kept for this many source addresses at most


@dataclass
class _Channel:
    receiver: Receiver
    sender: Sender
    queue: list[bytes] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


class EmulatorProtocol(asyncio.DatagramProtocol):
    def __init__(self, device: Firmware, packet_size: int = USB_PACKET) -> None:
        self.device = device
        self.packet_size = packet_size
        self.reassemblers: OrderedDict[tuple, Reassembler] = OrderedDict()
        self.channels: OrderedDict[int, tuple[tuple, _Channel]] = OrderedDict()  # least recently active first
        self.transport: asyncio.DatagramTransport | None = None
        self.next_channel = 1

    def connection_made(self, transport) -> None:
        self.transport = transport

    def _send(self, packets: list[bytes], addr: tuple) -> None:
        for packet in packets:
            self.transport.sendto(packet, addr)  # type: ignore[union-attr]

    def datagram_received(self, data: bytes, addr: tuple) -> None:
        if len(data) != self.packet_size:
            log.debug("dropped a %d-byte datagram from %s", len(data), addr)
            return  # no state for a sender that does not even speak the packet size
        reassembler = self.reassemblers.get(addr)
        if reassembler is None:
            if len(self.reassemblers) >= MAX_PEERS:
                self.reassemblers.popitem(last=False)
            reassembler = self.reassemblers[addr] = Reassembler(self.packet_size)
        self.reassemblers.move_to_end(addr)
        for event in reassembler.feed(data):
            if isinstance(event, FramingError):
                log.debug("dropped from %s: %s", addr, event)
            else:
                self._frame(event, addr)

    def _frame(self, frame: Frame, addr: tuple) -> None:
        if frame.channel == BROADCAST:
            if frame.kind == CHANNEL_REQUEST and len(frame.payload) == 8:
                channel = self._allocate(addr)
                self._send(
                    encode(CHANNEL_RESPONSE, BROADCAST, frame.payload + channel.to_bytes(2, "big"), self.packet_size),
                    addr,
                )
            elif frame.kind == PING:
                self._send(encode(PONG, BROADCAST, frame.payload, self.packet_size), addr)
            return
        entry = self.channels.get(frame.channel)
        if entry is None or entry[0] != addr:
            self._send(encode(ERROR, frame.channel, bytes([ERROR_UNALLOCATED_CHANNEL]), self.packet_size), addr)
            return
        link = entry[1]
        self.channels.move_to_end(frame.channel)
        if frame.kind == PING:
            self._send(encode(PONG, frame.channel, frame.payload, self.packet_size), addr)
        elif frame.kind == ACK and link.sender.on_ack(frame):
            if link.timer:
                link.timer.cancel()
            if link.queue:
                self._respond(frame.channel, link, link.queue.pop(0), addr)
        elif frame.kind == DATA:
            payload, ack = link.receiver.on_data(frame)
            self._send(ack, addr)
            if payload is not None:
                self._respond(frame.channel, link, self._handle(payload), addr)

    def _allocate(self, addr: tuple) -> int:
        own = [cid for cid, (owner, _) in self.channels.items() if owner == addr]
        if len(own) >= MAX_CHANNELS_PER_PEER:
            self._close(own[0])
        elif len(self.channels) >= MAX_CHANNELS:
            self._close(next(iter(self.channels)))
        while self.next_channel in self.channels:
            self.next_channel = self.next_channel % 0xFFEF + 1
        cid = self.next_channel
        self.next_channel = self.next_channel % 0xFFEF + 1  # 0x0001..0xFFEF; 0xFFF0.. are reserved
        self.channels[cid] = (addr, _Channel(Receiver(cid, self.packet_size), Sender(cid, self.packet_size)))
        return cid

    def _close(self, cid: int) -> None:
        _, channel = self.channels.pop(cid)
        if channel.timer:
            channel.timer.cancel()

    def _handle(self, payload: bytes) -> bytes:
        try:
            request = decode_message(payload)
        except MessageError as exc:
            return encode_message(message("Failure", code=exc.code, message=exc.message))
        try:
            return encode_message(self.device.handle(request))
        except Exception:  # the firmware answers Failure itself; this guards the encoder too
            log.exception("could not answer %s", request.name)
            return encode_message(message("Failure", code="DEVICE_ERROR", message="the device could not answer"))

    def _respond(self, cid: int, channel: _Channel, response: bytes, addr: tuple) -> None:
        if channel.sender.pending is not None:
            channel.queue.append(response)
            return
        self._send(channel.sender.send(response), addr)
        self._arm(cid, channel, addr)

    def _arm(self, cid: int, channel: _Channel, addr: tuple) -> None:
        loop = asyncio.get_running_loop()
        channel.timer = loop.call_later(RETRANSMIT_S, self._retransmit, cid, channel, addr)

    def _retransmit(self, cid: int, channel: _Channel, addr: tuple) -> None:
        try:
            packets = channel.sender.timed_out()
        except FramingError as exc:
            # The alternating bit cannot recover once a message is abandoned: close the channel,
            # and the host, told the channel is unallocated, opens a new one.
            log.info("channel %#06x closed: %s", cid, exc)
            if self.channels.get(cid, (None, None))[1] is channel:
                self._close(cid)
            return
        if packets:
            self._send(packets, addr)
            self._arm(cid, channel, addr)


async def serve(device: Firmware, host: str, port: int, ready=None) -> None:
    """Run the emulator until cancelled; `ready(port)` is called once it listens."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: EmulatorProtocol(device), local_addr=(host, port))
    bound = transport.get_extra_info("sockname")[1]
    log.info("emulator listening on udp://%s:%d (pid %d)", host, bound, os.getpid())
    if ready:
        ready(bound)
    try:
        await asyncio.Event().wait()
    finally:
        transport.close()
