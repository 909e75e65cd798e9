"""Strict ABI decoding, and the encoding it inverts, in pure Python.

The gate cannot use eth-abi on its import path: eth-abi parses type strings with
parsimonious, which needs the compiled `regex` package, and the gate must run in embedded
Python. This decoder covers the ABI's full type grammar, is checked against eth-abi's
encoder by property tests, and is stricter than most: padding must be zero, values must
fit their type, offsets and lengths must stay inside the data, arrays are bounded.
`encode_call` builds calldata from a signature and values (the benches, the audit corpus);
it is checked byte for byte against eth-abi's encoder.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..crypto import to_checksum
from ..limits import MAX_ABI_ARRAY_LENGTH
from .types import AbiType, Array, Basic, Tuple, parse_signature

WORD = 32


class AbiDecodeError(ValueError):
    """Calldata that does not decode as the given types."""


def _head_size(t: AbiType) -> int:
    if t.dynamic:
        return WORD
    if isinstance(t, Array):
        return t.length * _head_size(t.item)  # type: ignore[operator]
    if isinstance(t, Tuple):
        return sum(_head_size(i) for i in t.items)
    return WORD


class _Decoder:
    """One decoding pass: the data, the furthest byte read (the encoding's extent) and the work charged."""

    def __init__(self, data: bytes, charge: Callable[[int], None] | None) -> None:
        self.data = data
        self.end = 0
        self.charge = charge or (lambda n: None)

    def word(self, pos: int, what: str) -> bytes:
        if pos < 0 or pos + WORD > len(self.data):
            raise AbiDecodeError(f"{what}: data ends before the 32-byte word at offset {pos}")
        self.end = max(self.end, pos + WORD)
        self.charge(WORD)
        return self.data[pos : pos + WORD]

    def offset(self, pos: int, base: int, what: str) -> int:
        value = int.from_bytes(self.word(pos, what), "big")
        if value > len(self.data):
            raise AbiDecodeError(f"{what}: offset {value} points past the end of the data")
        return base + value

    def basic(self, t: Basic, pos: int, what: str):
        data = self.data
        if t.dynamic:
            length = int.from_bytes(self.word(pos, what), "big")
            start = pos + WORD
            if length > len(data) - start:
                raise AbiDecodeError(f"{what}: length {length} runs past the end of the data")
            self.charge(length)  # aliased offsets would copy one blob many times: each copy is paid for
            raw = data[start : start + length]
            padded = -length % WORD
            if data[start + length : start + length + padded].strip(b"\0"):
                raise AbiDecodeError(f"{what}: non-zero padding after {t.name}")
            self.end = max(self.end, min(len(data), start + length + padded))
            if t.name == "string":
                try:
                    return raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise AbiDecodeError(f"{what}: string is not valid UTF-8") from exc
            return raw
        word = self.word(pos, what)
        if t.name == "uint":
            value = int.from_bytes(word, "big")
            if value >> t.size:  # type: ignore[operator]
                raise AbiDecodeError(f"{what}: value does not fit in uint{t.size}")
            return value
        if t.name == "int":
            value = int.from_bytes(word, "big", signed=True)
            bound = 1 << (t.size - 1)  # type: ignore[operator]
            if not -bound <= value < bound:
                raise AbiDecodeError(f"{what}: value does not fit in int{t.size}")
            return value
        if t.name == "address":
            if word[:12].strip(b"\0"):
                raise AbiDecodeError(f"{what}: address has non-zero upper bytes")
            return to_checksum(word[12:])
        if t.name == "bool":
            value = int.from_bytes(word, "big")
            if value > 1:
                raise AbiDecodeError(f"{what}: bool is neither 0 nor 1")
            return bool(value)
        # fixed bytesN
        if word[t.size :].strip(b"\0"):
            raise AbiDecodeError(f"{what}: bytes{t.size} has non-zero padding")
        return word[: t.size]

    def sequence(self, items: list[AbiType], base: int, what: str) -> list:
        values = []
        pos = base
        for index, item in enumerate(items):
            label = f"{what}[{index}]"
            if item.dynamic:
                values.append(self.value(item, self.offset(pos, base, label), label))
            else:
                values.append(self.value(item, pos, label))
            pos += _head_size(item)
        return values

    def value(self, t: AbiType, pos: int, what: str):
        if isinstance(t, Basic):
            return self.basic(t, pos, what)
        if isinstance(t, Tuple):
            values = self.sequence(list(t.items), pos, what)
            if all(t.names) and len(set(t.names)) == len(t.names):
                return dict(zip(t.names, values))
            return values
        length = t.length
        if length is None:
            length = int.from_bytes(self.word(pos, what), "big")
            pos += WORD
        if length > MAX_ABI_ARRAY_LENGTH:
            raise AbiDecodeError(f"{what}: array of {length} items exceeds the limit of {MAX_ABI_ARRAY_LENGTH}")
        if length * _head_size(t.item) > len(self.data) - pos:
            raise AbiDecodeError(f"{what}: array of {length} items runs past the end of the data")
        return self.sequence([t.item] * length, pos, what)


def decode_with_extent(params: Tuple, data: bytes, charge: Callable[[int], None] | None = None) -> tuple[Any, int]:
    """Decode `data` as the ABI encoding of `params`; also the number of bytes the encoding spans.

    `charge(n)` is called for every word read and every byte string produced, so a caller can
    hold several nested decodings to one budget (it raises to stop). Bytes past the extent are
    not part of the encoding: a caller may flag them.
    """
    decoder = _Decoder(data, charge)
    return decoder.value(params, 0, "args"), decoder.end


def decode(params: Tuple, data: bytes, charge: Callable[[int], None] | None = None):
    """Decode `data` as the ABI encoding of `params`; named tuples become dicts."""
    return decode_with_extent(params, data, charge)[0]


def _encode_basic(t: Basic, value: Any) -> bytes:
    if t.dynamic:
        raw = value.encode("utf-8") if t.name == "string" else bytes(value)
        return len(raw).to_bytes(WORD, "big") + raw + b"\0" * (-len(raw) % WORD)
    if t.name in ("uint", "int"):
        bits = t.size or 256
        signed = t.name == "int"
        low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
        if type(value) is not int or not low <= value < high:
            raise ValueError(f"{value!r} is not a {t.canonical}")
        return value.to_bytes(WORD, "big", signed=signed)
    if t.name == "address":
        raw = bytes.fromhex(value[2:]) if isinstance(value, str) and value[:2] in ("0x", "0X") else b""
        if len(raw) != 20:
            raise ValueError(f"{value!r} is not a 20-byte hex address")
        return raw.rjust(WORD, b"\0")
    if t.name == "bool":
        if type(value) is not bool:
            raise ValueError(f"{value!r} is not a bool")
        return int(value).to_bytes(WORD, "big")
    raw = bytes(value)
    if len(raw) != t.size:
        raise ValueError(f"bytes{t.size} takes {t.size} bytes, not {len(raw)}")
    return raw.ljust(WORD, b"\0")


def _encode_sequence(types: Sequence[AbiType], values: Sequence[Any]) -> bytes:
    if len(types) != len(values):
        raise ValueError(f"{len(types)} types but {len(values)} values")
    heads, tails = [], []
    tail_offset = sum(_head_size(t) for t in types)
    for t, value in zip(types, values):
        encoded = _encode(t, value)
        if t.dynamic:
            heads.append(tail_offset.to_bytes(WORD, "big"))
            tails.append(encoded)
            tail_offset += len(encoded)
        else:
            heads.append(encoded)
    return b"".join(heads + tails)


def _encode(t: AbiType, value: Any) -> bytes:
    if isinstance(t, Basic):
        return _encode_basic(t, value)
    if isinstance(t, Tuple):
        values = [value[name] for name in t.names] if isinstance(value, dict) else list(value)
        return _encode_sequence(t.items, values)
    items = list(value)
    if t.length is not None and len(items) != t.length:
        raise ValueError(f"{t.canonical} takes {t.length} items, not {len(items)}")
    prefix = b"" if t.length is not None else len(items).to_bytes(WORD, "big")
    return prefix + _encode_sequence([t.item] * len(items), items)


def encode(params: Tuple, values: Sequence[Any]) -> bytes:
    """The ABI encoding of `values` as `params` (a dict or a sequence per tuple); `decode` inverts it."""
    return _encode(params, values)


def encode_call(signature: str, *values: Any) -> bytes:
    """Calldata: the selector of `signature` and its arguments, e.g. `encode_call("approve(address,uint256)", a, n)`."""
    function = parse_signature(signature)
    return function.selector + encode(function.params, values)
