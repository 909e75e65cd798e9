"""Hex, quantity and address parsing for values that arrive as JSON.

Strict callers get an `EdgeError` for anything non-canonical. Lenient callers (what dapps
send with `eth_sendTransaction`) pass a `notes` list: each leniency taken is recorded there
as a finding that names the field, so nothing is interpreted silently.
"""

from __future__ import annotations

import re

from .crypto import to_checksum
from .errors import EdgeError
from .findings import Finding, finding

_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")
_DECIMAL = re.compile(r"[0-9]+")
UINT256_MAX = (1 << 256) - 1
JSON_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER


def _split_prefix(value: object, where: str, notes: list[Finding] | None) -> tuple[str, bool]:
    if not isinstance(value, str):
        raise EdgeError("HEX_INVALID", f"{where} must be a hex string, got {type(value).__name__}", where)
    if value[:2] in ("0x", "0X"):
        return value[2:], True
    if notes is None:
        raise EdgeError("HEX_INVALID", f"{where} must start with 0x", where)
    return value, False


def _check_digits(digits: str, where: str, notes: list[Finding] | None) -> None:
    if not _HEX_DIGITS.fullmatch(digits):
        raise EdgeError("HEX_INVALID", f"{where} is not hexadecimal", where)
    if notes is not None and digits != digits.lower():
        notes.append(finding("HEX_UPPERCASE", f"{where} uses upper-case hex digits", where))


def parse_bytes(value: object, where: str, notes: list[Finding] | None = None, max_len: int | None = None) -> bytes:
    """Bytes from `0x`-hex; lenient (with `notes`) about the prefix, case and odd length."""
    digits, prefixed = _split_prefix(value, where, notes)
    _check_digits(digits, where, notes)
    if max_len is not None and len(digits) > 2 * max_len:
        raise EdgeError("REQUEST_TOO_LARGE", f"{where} is longer than {max_len} bytes", where)
    if not prefixed and notes is not None:
        notes.append(finding("HEX_NO_PREFIX", f"{where} has no 0x prefix; read as hex", where))
    if len(digits) % 2:
        if notes is None:
            raise EdgeError("HEX_INVALID", f"{where} has an odd number of hex digits", where)
        notes.append(finding("HEX_ODD_LENGTH", f"{where} has an odd number of hex digits; a leading 0 was assumed", where))
        digits = "0" + digits
    return bytes.fromhex(digits)


def parse_quantity(value: object, where: str, notes: list[Finding] | None = None, bits: int = 256) -> int:
    """A non-negative integer from a JSON-RPC quantity; lenient (with `notes`) forms are flagged."""
    if isinstance(value, bool):
        raise EdgeError("QUANTITY_INVALID", f"{where} must be a quantity, got a boolean", where)
    if isinstance(value, int):
        if notes is None:
            raise EdgeError("QUANTITY_INVALID", f"{where} must be a 0x-hex string", where)
        if value > JSON_SAFE_INTEGER:
            raise EdgeError("QUANTITY_INVALID", f"{where} is the JSON number {value}, beyond 2^53: JavaScript would round it", where)
        notes.append(finding("QUANTITY_JSON_NUMBER", f"{where} came as the JSON number {value}", where))
        number = value
    elif isinstance(value, str) and value[:2] not in ("0x", "0X") and _DECIMAL.fullmatch(value) and notes is not None:
        number = int(value, 10)
        as_hex = int(value, 16)
        if as_hex != number:
            notes.append(finding(
                "QUANTITY_AMBIGUOUS",
                f"{where} is {value!r} without 0x: read as decimal {number}; as hex it would be {as_hex}",
                where,
            ))
    else:
        digits, prefixed = _split_prefix(value, where, notes)
        if not digits:
            raise EdgeError("QUANTITY_INVALID", f"{where} has no digits", where)
        _check_digits(digits, where, notes)
        if not prefixed:
            notes.append(finding("HEX_NO_PREFIX", f"{where} has no 0x prefix; read as hex", where))  # type: ignore[union-attr]
        if len(digits) > 1 and digits[0] == "0":
            if notes is None:
                raise EdgeError("QUANTITY_INVALID", f"{where} has leading zeros", where)
            notes.append(finding("QUANTITY_LEADING_ZEROS", f"{where} has leading zeros", where))
        number = int(digits, 16)
    if number < 0 or number >> bits:
        raise EdgeError("QUANTITY_INVALID", f"{where} is outside 0..2^{bits}-1", where)
    return number


def parse_address(value: object, where: str, notes: list[Finding] | None = None) -> str:
    """An EIP-55 checksummed address; mixed case must carry a valid checksum."""
    digits, prefixed = _split_prefix(value, where, notes)
    if len(digits) != 40 or not _HEX_DIGITS.fullmatch(digits):
        raise EdgeError("ADDRESS_INVALID", f"{where} is not a 20-byte hex address", where)
    checksummed = to_checksum(bytes.fromhex(digits))
    if digits not in (digits.lower(), digits.upper()) and digits != checksummed[2:]:
        raise EdgeError("ADDRESS_CHECKSUM_INVALID", f"{where} has mixed case that fails its EIP-55 checksum", where)
    if not prefixed and notes is not None:
        notes.append(finding("HEX_NO_PREFIX", f"{where} has no 0x prefix", where))
    return checksummed


def min_bytes(value: int) -> bytes:
    """The minimal big-endian bytes of a non-negative integer (RLP's integer form)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")
