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
from .limits import MAX_RAW_TX_BYTES

_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")
_DECIMAL = re.compile(r"[0-9]+")
UINT256_MAX = (1 << 256) - 1
JSON_SAFE_INTEGER = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER
# 2^256 has 78 decimal digits: a longer number is out of range, and is refused before int() (which
# stops at 4,300 digits with an exception) is ever asked to read it.
MAX_DECIMAL_DIGITS = 78
# Hex text of one value: the largest blob transaction's hex, with room.
MAX_HEX_CHARS = 2 * MAX_RAW_TX_BYTES + 2


def _split_prefix(value: object, where: str, notes: list[Finding] | None) -> tuple[str, bool]:
    if not isinstance(value, str):
        raise EdgeError("HEX_INVALID", f"{where} must be a hex string, got {type(value).__name__}", where)
    if len(value) > MAX_HEX_CHARS:
        raise EdgeError("REQUEST_TOO_LARGE", f"{where} is longer than {MAX_HEX_CHARS} characters", where)
    if value[:2] == "0x":
        return value[2:], True
    if notes is None:
        raise EdgeError("HEX_INVALID", f"{where} must start with 0x", where)
    if value[:2] == "0X":
        notes.append(finding("HEX_PREFIX_UPPERCASE", where))
        return value[2:], True
    return value, False


def _check_digits(digits: str, where: str, notes: list[Finding] | None) -> None:
    if not _HEX_DIGITS.fullmatch(digits):
        raise EdgeError("HEX_INVALID", f"{where} is not hexadecimal", where)
    if notes is not None and digits != digits.lower():
        notes.append(finding("HEX_UPPERCASE", where))


def parse_bytes(value: object, where: str, notes: list[Finding] | None = None, max_len: int | None = None) -> bytes:
    """Bytes from `0x`-hex; lenient (with `notes`) about the prefix, case and odd length."""
    digits, prefixed = _split_prefix(value, where, notes)
    _check_digits(digits, where, notes)
    if max_len is not None and len(digits) > 2 * max_len:
        raise EdgeError("REQUEST_TOO_LARGE", f"{where} is longer than {max_len} bytes", where)
    if not prefixed and notes is not None:
        notes.append(finding("HEX_NO_PREFIX", where, key="read_as_hex"))
    if len(digits) % 2:
        if notes is None:
            raise EdgeError("HEX_INVALID", f"{where} has an odd number of hex digits", where)
        notes.append(finding("HEX_ODD_LENGTH", where))
        digits = "0" + digits
    return bytes.fromhex(digits)


def parse_quantity(value: object, where: str, notes: list[Finding] | None = None, bits: int = 256) -> int:
    """A non-negative integer from a JSON-RPC quantity; lenient (with `notes`) forms are flagged.

    A string without `0x` has two readings wherever it is longer than one digit ("10" is ten or
    sixteen; "1e18" is 7,704 as hex or 10^18 as a number): it is read one way and flagged
    QUANTITY_AMBIGUOUS, which never lets the request through unconfirmed.
    """
    if isinstance(value, bool):
        raise EdgeError("QUANTITY_INVALID", f"{where} must be a quantity, got a boolean", where)
    if isinstance(value, int):
        if notes is None:
            raise EdgeError("QUANTITY_INVALID", f"{where} must be a 0x-hex string", where)
        if value > JSON_SAFE_INTEGER or value < 0:
            raise EdgeError(
                "QUANTITY_INVALID",
                f"{where} is the JSON number {value}, outside 0..2^53: JavaScript would round it",
                where,
            )
        notes.append(finding("QUANTITY_JSON_NUMBER", where, value=value))
        number = value
    elif isinstance(value, str) and value[:2] not in ("0x", "0X") and notes is not None:
        number = _unprefixed_quantity(value, where, notes)
    else:
        digits, prefixed = _split_prefix(value, where, notes)
        if not digits:
            raise EdgeError("QUANTITY_INVALID", f"{where} has no digits", where)
        _check_digits(digits, where, notes)
        if len(digits) > 1 and digits[0] == "0":
            if notes is None:
                raise EdgeError("QUANTITY_INVALID", f"{where} has leading zeros", where)
            notes.append(finding("QUANTITY_LEADING_ZEROS", where))
        digits = digits.lstrip("0") or "0"
        if len(digits) > (bits + 3) // 4:
            raise EdgeError("QUANTITY_INVALID", f"{where} is outside 0..2^{bits}-1", where)
        number = int(digits, 16)
    if number < 0 or number >> bits:
        raise EdgeError("QUANTITY_INVALID", f"{where} is outside 0..2^{bits}-1", where)
    return number


def _unprefixed_quantity(value: str, where: str, notes: list[Finding]) -> int:
    """A quantity string without 0x: decimal digits read as decimal, anything else as hex; both flagged."""
    if not value:
        raise EdgeError("QUANTITY_INVALID", f"{where} has no digits", where)
    if len(value) > MAX_DECIMAL_DIGITS:
        raise EdgeError("QUANTITY_INVALID", f"{where} has {len(value)} digits, more than any 256-bit quantity", where)
    if _DECIMAL.fullmatch(value):
        number = int(value, 10)
        if len(value) > 1:
            notes.append(
                finding(
                    "QUANTITY_AMBIGUOUS", where, key="as_decimal", value=value, number=number, as_hex=int(value, 16)
                )
            )
        return number
    if not _HEX_DIGITS.fullmatch(value):
        raise EdgeError("QUANTITY_INVALID", f"{where} is {value[:80]!r}, neither 0x-hex nor decimal", where)
    number = int(value, 16)
    notes.append(finding("QUANTITY_AMBIGUOUS", where, key="as_hex", value=value, number=number))
    return number


def parse_address(value: object, where: str, notes: list[Finding] | None = None) -> str:
    """An EIP-55 checksummed address; mixed case must carry a valid checksum.

    Strict callers get ADDRESS_CHECKSUM_INVALID for a failed checksum. Lenient callers get the
    address (its bytes are not in doubt) and an ADDRESS_CHECKSUM_MISMATCH finding, which never ALLOWs.
    """
    digits, prefixed = _split_prefix(value, where, notes)
    if len(digits) != 40 or not _HEX_DIGITS.fullmatch(digits):
        raise EdgeError("ADDRESS_INVALID", f"{where} is not a 20-byte hex address", where)
    checksummed = to_checksum(bytes.fromhex(digits))
    if digits not in (digits.lower(), digits.upper()) and digits != checksummed[2:]:
        if notes is None:
            raise EdgeError("ADDRESS_CHECKSUM_INVALID", f"{where} has mixed case that fails its EIP-55 checksum", where)
        notes.append(finding("ADDRESS_CHECKSUM_MISMATCH", where, value=value, checksummed=checksummed))
    if not prefixed and notes is not None:
        notes.append(finding("HEX_NO_PREFIX", where))
    return checksummed


def min_bytes(value: int) -> bytes:
    """The minimal big-endian bytes of a non-negative integer (RLP's integer form)."""
    return value.to_bytes((value.bit_length() + 7) // 8, "big")
