"""Base58 (Bitcoin alphabet), as Solana writes keys, hashes and signatures; bounded before any arithmetic.

Here, below the edge, because a policy names Solana addresses too and validates them with the same codec.
"""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def b58encode(data: bytes) -> str:
    """`data` in base58: one `1` per leading zero byte, then the number in base 58."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    n, digits = int.from_bytes(data, "big"), []
    while n:
        n, r = divmod(n, 58)
        digits.append(ALPHABET[r])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str, max_bytes: int) -> bytes:
    """The bytes `text` encodes; ValueError if it is not base58 or would decode past `max_bytes`.

    Every base58 digit carries at most log2(58) < 6 bits, and a leading `1` is a whole byte: the
    length check before decoding keeps a long string from costing quadratic time.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("empty or not a string")
    if len(text) > max_bytes * 138 // 100 + 1:
        raise ValueError(f"longer than {max_bytes} bytes can be")
    bad = next((ch for ch in text if ch not in _INDEX), None)
    if bad is not None:
        raise ValueError(f"{bad!r} is not a base58 digit")
    n = _number(text)
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    if zeros + len(body) > max_bytes:
        raise ValueError(f"decodes to more than {max_bytes} bytes")
    return b"\0" * zeros + body


_DIRECT = 64  # digits converted one at a time; longer strings are split in halves


def _number(text: str) -> int:
    """The integer `text`'s digits write, in O(n^1.6): halves joined with one multiplication, not n small ones."""
    if len(text) <= _DIRECT:
        n = 0
        for ch in text:
            n = n * 58 + _INDEX[ch]
        return n
    half = len(text) // 2
    return _number(text[:half]) * 58 ** (len(text) - half) + _number(text[half:])
