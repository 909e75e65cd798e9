"""The host side, for a wallet's companion app: open a device, call it, get typed answers.

    with Device.open("udp:127.0.0.1:21324") as device:
        info = device.info()
        signature = device.sign(request, "m/44'/60'/0'/0/0")

Every call is one request message and one response message over an allocated channel, with
acknowledgements and bounded retransmission. A device refusal raises `DeviceFailure` with
the device's code; silence raises `DeviceTimeout`.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from typing import Any, Callable

from dmind.edge import host_port
from dmind.policies.errors import DmindError, InputError

from .channel import Receiver, Sender
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
from .messages import Message, MessageError, decode_message, encode_message, message

DEFAULT_URL = "udp:127.0.0.1:21324"
ACK_TIMEOUT_S = 0.2
RESPONSE_TIMEOUT_S = 15.0


class DeviceError(DmindError):
    """Base of what a device call can raise; `code` is stable."""


class DeviceTimeout(DeviceError):
    """No answer in time (code `DEVICE_TIMEOUT`)."""

    def __init__(self, message: str) -> None:
        super().__init__("DEVICE_TIMEOUT", message)


class DeviceFailure(DeviceError):
    """The device answered with Failure (its code and message)."""


def _parse_url(url: str) -> tuple[str, int]:
    scheme, _, rest = url.partition(":")
    if scheme != "udp":
        raise InputError("HOST_PORT_INVALID", f"device address {url!r} is not udp:HOST:PORT")
    return host_port(rest, "the device address")


def sign_request(
    request: dict,
    derivation_path: str = "m/44'/60'/0'/0/0",
    verdict: bytes | None = None,
    address: str | None = None,
    request_id: bytes | None = None,
) -> Message:
    """The SignRequest message for `request`, over any transport (UDP, or a QR code as a UR)."""
    return message(
        "SignRequest",
        request_id=request_id or uuid.uuid4().bytes,
        request=json.dumps(request),
        derivation_path=derivation_path,
        verdict=verdict,
        address=address,
        origin=request.get("origin"),
    )


class Device:
    """A channel to one device over UDP (one packet per datagram)."""

    def __init__(
        self,
        sock: socket.socket,
        address: tuple[str, int],
        packet_size: int = USB_PACKET,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.sock = sock
        self.address = address
        self.packet_size = packet_size
        self.progress = progress
        self._open_channel()

    def _open_channel(self) -> None:
        """A fresh channel: after a timeout the old one's sequence bits can no longer be trusted."""
        self.reassembler = Reassembler(self.packet_size)
        self.channel = self._allocate()
        self.sender = Sender(self.channel, self.packet_size)
        self.receiver = Receiver(self.channel, self.packet_size)
        self.broken = False

    @classmethod
    def open(cls, url: str = DEFAULT_URL, progress: Callable[[int, int], None] | None = None) -> "Device":
        """Connect to a device (today: the emulator over UDP) and allocate a channel."""
        host, port = _parse_url(url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect((host, port))
        try:
            return cls(sock, (host, port), progress=progress)
        except BaseException:
            sock.close()
            raise

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "Device":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    # transport -------------------------------------------------------------------------

    def _send(self, packets: list[bytes]) -> None:
        for index, packet in enumerate(packets, 1):
            self.sock.send(packet)
            if self.progress and len(packets) > 1:
                self.progress(index, len(packets))

    def _frames(self, deadline: float):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.sock.settimeout(remaining)
            try:
                packet = self.sock.recv(65536)
            except socket.timeout:
                return
            except ConnectionRefusedError as exc:
                raise DeviceTimeout(f"no device listens at {self.address[0]}:{self.address[1]}") from exc
            for event in self.reassembler.feed(packet):
                if isinstance(event, Frame):
                    yield event

    def _allocate(self) -> int:
        nonce = os.urandom(8)
        for _ in range(5):
            self._send(encode(CHANNEL_REQUEST, BROADCAST, nonce, self.packet_size))
            for frame in self._frames(time.monotonic() + ACK_TIMEOUT_S * 2):
                if frame.kind == CHANNEL_RESPONSE and frame.payload[:8] == nonce and len(frame.payload) >= 10:
                    return int.from_bytes(frame.payload[8:10], "big")
        raise DeviceTimeout(f"no device answered at {self.address[0]}:{self.address[1]}")

    def call(self, request: Message) -> Message:
        """Send one request and return the device's response message."""
        if self.broken:
            self._open_channel()
        try:
            return self._call(request)
        except DeviceError:
            self.broken = True
            raise

    def _call(self, request: Message) -> Message:
        self._send(self.sender.send(encode_message(request)))
        deadline = time.monotonic() + RESPONSE_TIMEOUT_S
        retry_at = time.monotonic() + ACK_TIMEOUT_S
        while time.monotonic() < deadline:
            for frame in self._frames(min(deadline, retry_at) if self.sender.pending else deadline):
                if frame.channel != self.channel:
                    continue
                if frame.kind == ERROR:
                    raise DeviceFailure(
                        "TRANSPORT_ERROR", f"device transport error {frame.payload[:1].hex()} (the channel was closed)"
                    )
                if frame.kind == ACK:
                    self.sender.on_ack(frame)
                elif frame.kind == DATA:
                    payload, ack = self.receiver.on_data(frame)
                    self._send(ack)
                    if payload is not None:
                        self.sender.delivered()  # a response implies our request arrived
                        try:
                            response = decode_message(payload)
                        except MessageError as exc:
                            raise DeviceFailure(
                                exc.code, f"the device sent an unreadable response: {exc.message}"
                            ) from exc
                        if request.get("request_id") is not None and response.get("request_id") not in (
                            None,
                            request["request_id"],
                        ):
                            continue  # an answer to an earlier request that timed out: not ours
                        return response
            if self.sender.pending and time.monotonic() >= retry_at:
                try:
                    self._send(self.sender.timed_out())
                except FramingError as exc:
                    raise DeviceTimeout(f"the device did not acknowledge: {exc}") from exc
                retry_at = time.monotonic() + ACK_TIMEOUT_S
        raise DeviceTimeout(f"no response within {RESPONSE_TIMEOUT_S:.0f} s")

    def _expect(self, response: Message, name: str) -> Message:
        if response.name == "Failure":
            raise DeviceFailure(response["code"], response["message"])
        if response.name != name:
            raise DeviceFailure("UNEXPECTED_MESSAGE", f"expected {name}, got {response.name}")
        return response

    # the API ---------------------------------------------------------------------------

    def ping(self) -> float:
        """Round-trip time of a ping on this channel, in seconds."""
        nonce = os.urandom(8)
        started = time.monotonic()
        for _ in range(3):
            self._send(encode(PING, self.channel, nonce, self.packet_size))
            for frame in self._frames(time.monotonic() + ACK_TIMEOUT_S * 2):
                if frame.kind == PONG and frame.payload == nonce:
                    return time.monotonic() - started
        raise DeviceTimeout("no pong")

    def info(self) -> Message:
        return self._expect(self.call(message("GetInfo")), "Info")

    def load_policy(self, bundle: bytes) -> Message:
        return self._expect(self.call(message("LoadPolicy", bundle=bundle)), "PolicyLoaded")

    def evaluate(self, request: dict) -> dict:
        response = self._expect(
            self.call(message("Evaluate", request_id=uuid.uuid4().bytes, request=json.dumps(request))), "Evaluation"
        )
        return response["decision"]

    def sign(
        self,
        request: dict,
        derivation_path: str = "m/44'/60'/0'/0/0",
        verdict: bytes | None = None,
        address: str | None = None,
        request_id: bytes | None = None,
    ) -> Message:
        """Ask the device to sign; it answers Signature or refuses with DeviceFailure.

        With a local verdict, pass the `request_id` the verifier signed it for.
        """
        return self._expect(
            self.call(sign_request(request, derivation_path, verdict, address, request_id)), "Signature"
        )

    def debug_confirm(self, confirm: bool) -> None:
        """Emulator test hook: the answer the 'user' gives to the next on-device confirmation."""
        self._expect(self.call(message("DebugConfirm", confirm=confirm)), "Success")
