"""personal_sign (EIP-191 version 0x45) and eth_sign (a raw 32-byte hash)."""

from __future__ import annotations

import re

from ..crypto import keccak
from ..errors import EdgeError
from ..findings import Finding, finding
from ..hexutil import parse_address, parse_bytes
from ..limits import MAX_MESSAGE_BYTES
from ..types import DigestKind, Payload, PayloadKind


def _is_address(value: object) -> bool:
    try:
        parse_address(value, "param")
        return True
    except EdgeError:
        return False


def eip191_signing_bytes(message: bytes) -> bytes:
    """`\\x19Ethereum Signed Message:\\n` + length + message, what personal_sign hashes."""
    return b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message


_BARE_HEX = re.compile(r"[0-9A-Fa-f]+")


def _message_bytes(value: object) -> bytes:
    """The message bytes, read the way wallets agree on; where they disagree, refuse.

    `0x` + hex is bytes everywhere. Bare hex digits are bytes to MetaMask but text to other
    wallets, and `0X` + hex is text to MetaMask: signing either could sign other bytes than
    the ones checked here, so both are PARAMS_AMBIGUOUS.
    """
    if not isinstance(value, str):
        raise EdgeError("PARAMS_INVALID", "the message must be a string", "params")
    if value[:2] == "0x":
        return parse_bytes(value, "message", max_len=MAX_MESSAGE_BYTES)
    if value[:2] == "0X" or _BARE_HEX.fullmatch(value):
        raise EdgeError(
            "PARAMS_AMBIGUOUS",
            "the message is hex without a lower-case 0x prefix: wallets disagree on whether it is text or bytes",
            "message",
        )
    try:
        data = value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EdgeError("MESSAGE_INVALID", "the message is not valid Unicode text", "message") from exc
    if len(data) > MAX_MESSAGE_BYTES:
        raise EdgeError("REQUEST_TOO_LARGE", f"the message exceeds {MAX_MESSAGE_BYTES} bytes", "message")
    return data


def parse_personal_sign(params: tuple, account: str | None) -> Payload:
    """personal_sign takes [message, address]; some dapps still send [address, message]."""
    if len(params) < 2:
        raise EdgeError("PARAMS_INVALID", "personal_sign needs a message and an address", "params")
    first, second = params[0], params[1]
    notes: list[Finding] = []
    first_is_address, second_is_address = _is_address(first), _is_address(second)
    if second_is_address and not first_is_address:
        message, address = first, second
    elif first_is_address and not second_is_address:
        message, address = second, first
        notes.append(finding("PARAMS_ORDER_LEGACY", "params"))
    elif first_is_address and second_is_address and account is not None:
        # Both are 20-byte hex values: the wallet's own account says which one signs.
        matches = [p for p in (first, second) if parse_address(p, "param").lower() == account.lower()]
        if len(matches) != 1 or first == second:
            raise EdgeError("PARAMS_AMBIGUOUS", "both personal_sign parameters look like addresses", "params")
        address = matches[0]
        message = second if address is first else first
    else:
        raise EdgeError(
            "PARAMS_AMBIGUOUS" if first_is_address else "PARAMS_INVALID",
            "cannot tell the message from the address in personal_sign",
            "params",
        )
    data = _message_bytes(message)
    signing_bytes = eip191_signing_bytes(data)
    return Payload(
        kind=PayloadKind.MESSAGE,
        method="personal_sign",
        chain_id=None,
        signer=parse_address(address, "address"),
        signing_bytes=signing_bytes,
        digest=keccak(signing_bytes),
        digest_kind=DigestKind.EIP191,
        message=data,
        notes=tuple(notes),
    )


def parse_eth_sign(params: tuple) -> Payload:
    """eth_sign [address, hash]: the wallet signs 32 bytes it cannot interpret."""
    if len(params) < 2:
        raise EdgeError("PARAMS_INVALID", "eth_sign needs an address and a 32-byte hash", "params")
    address = parse_address(params[0], "params[0]")
    digest = parse_bytes(params[1], "params[1]")
    if len(digest) != 32:
        raise EdgeError(
            "PARAMS_INVALID", f"eth_sign data must be a 32-byte hash, found {len(digest)} bytes", "params[1]"
        )
    return Payload(
        kind=PayloadKind.RAW_HASH,
        method="eth_sign",
        chain_id=None,
        signer=address,
        signing_bytes=digest,
        digest=digest,
        digest_kind=DigestKind.RAW_HASH,
    )
