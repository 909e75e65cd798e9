"""A byte-level CBOR scanner, run before cbor2 decodes anything that crosses a boundary.

cbor2 decodes leniently: duplicate map keys collapse to the last value, non-shortest
encodings are accepted, and semantic tags are acted on while decoding (bignums, regular
expressions, value sharing that expands a few hundred bytes exponentially). So the raw bytes
are walked first, counting items and depth, and anything not well formed, definite-length
and duplicate-free, or carrying a tag the message does not use, is refused with a distinct
code for each kind of fault.

`check_deterministic` also demands RFC 8949 §4.2.1 core deterministic encoding (shortest
forms, sorted keys), which signed policies need to have exactly one encoding;
`check_well_formed` is for messages from hosts, whose encoders may order keys differently.
"""

from __future__ import annotations

import math
import struct

from .errors import InputError

MAX_DEPTH = 16
MAX_ITEMS = 100_000


class CborError(InputError):
    """Bytes that are not the deterministic CBOR this project signs; `code` says which way, `offset` where."""

    def __init__(self, code: str, message: str, offset: int) -> None:
        super().__init__(code, f"{message} (at byte {offset})", where=f"byte {offset}")
        self.offset = offset


class _Scanner:
    def __init__(
        self,
        data: bytes,
        allowed_tags: frozenset[int],
        canonical: bool = True,
        max_depth: int = MAX_DEPTH,
        max_items: int = MAX_ITEMS,
    ) -> None:
        self.data = data
        self.pos = 0
        self.items = 0
        self.allowed_tags = allowed_tags
        self.canonical = canonical
        self.max_depth = max_depth
        self.max_items = max_items

    def fail(self, code: str, message: str, at: int | None = None) -> CborError:
        return CborError(code, message, self.pos if at is None else at)

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise self.fail("CBOR_TRUNCATED", "data ends inside an item")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def argument(self, info: int, start: int) -> int:
        if info < 24:
            return info
        if info > 27:
            if info == 31:
                raise self.fail("CBOR_NONCANONICAL", "indefinite-length items are not accepted", start)
            raise self.fail("CBOR_MALFORMED", f"reserved additional information {info}", start)
        size = 1 << (info - 24)
        value = int.from_bytes(self.take(size), "big")
        minimum = 24 if size == 1 else 1 << (8 * (size // 2))
        if self.canonical and value < minimum:
            raise self.fail("CBOR_NONCANONICAL", "integer or length not in its shortest form", start)
        return value

    def item(self, depth: int) -> None:
        if depth > self.max_depth:
            raise self.fail("CBOR_TOO_DEEP", f"nesting deeper than {self.max_depth}")
        self.items += 1
        if self.items > self.max_items:
            raise self.fail("CBOR_TOO_LARGE", f"more than {self.max_items} items")
        start = self.pos
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 7:
            self.simple(info, start)
            return
        value = self.argument(info, start)
        if major in (0, 1):
            return
        if major in (2, 3):
            if value > len(self.data) - self.pos:
                raise self.fail("CBOR_TRUNCATED", "a string runs past the end of the data", start)
            chunk = self.take(value)
            if major == 3:
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise self.fail("CBOR_MALFORMED", "text string is not valid UTF-8", start) from exc
            return
        if major in (4, 5) and value > len(self.data) - self.pos:
            raise self.fail("CBOR_TRUNCATED", "an array or map has more items than bytes left", start)
        if major == 4:
            for _ in range(value):
                self.item(depth + 1)
            return
        if major == 5:
            previous = b""
            seen: set[bytes] = set()
            for index in range(value):
                key_start = self.pos
                self.item(depth + 1)
                key = self.data[key_start : self.pos]
                if key in seen:
                    raise self.fail("CBOR_DUPLICATE_KEY", "a map repeats a key", key_start)
                if self.canonical and index and key < previous:
                    raise self.fail("CBOR_NONCANONICAL", "map keys are not in bytewise order", key_start)
                seen.add(key)
                previous = key
                self.item(depth + 1)
            return
        # major 6: tag
        if value not in self.allowed_tags:
            raise self.fail("CBOR_TAG_UNEXPECTED", f"tag {value} is not allowed here", start)
        self.item(depth + 1)

    def simple(self, info: int, start: int) -> None:
        if info < 20:
            raise self.fail("CBOR_MALFORMED", f"unassigned simple value {info}", start)
        if info in (20, 21, 22):  # false, true, null
            return
        if info == 23 or info == 24:
            raise self.fail("CBOR_MALFORMED", "undefined and one-byte simple values are not used", start)
        if info == 31:
            raise self.fail("CBOR_MALFORMED", "unexpected break", start)
        if info not in (25, 26, 27):
            raise self.fail("CBOR_MALFORMED", f"reserved simple value {info}", start)
        width = {25: 2, 26: 4, 27: 8}[info]
        value = struct.unpack(">" + "efd"[info - 25], self.take(width))[0]
        if not math.isfinite(value):
            raise self.fail("CBOR_MALFORMED", "NaN and infinity are not allowed", start)
        for fmt, size in (("e", 2), ("f", 4)) if self.canonical else ():
            if size >= width:
                break
            try:
                if struct.unpack(">" + fmt, struct.pack(">" + fmt, value))[0] == value:
                    raise self.fail("CBOR_NONCANONICAL", "float not in its shortest exact form", start)
            except OverflowError:
                continue


def check_well_formed(
    data: bytes, allowed_tags: frozenset[int] = frozenset(), max_depth: int = MAX_DEPTH, max_items: int = MAX_ITEMS
) -> None:
    """Raise CborError unless `data` is exactly one well-formed, definite, duplicate-free item with only `allowed_tags`."""
    scanner = _Scanner(data, allowed_tags, canonical=False, max_depth=max_depth, max_items=max_items)
    scanner.item(0)
    if scanner.pos != len(data):
        raise CborError("CBOR_TRAILING", f"{len(data) - scanner.pos} bytes after the item", scanner.pos)


def check_deterministic(data: bytes, allowed_tags: frozenset[int] = frozenset()) -> None:
    """Raise CborError unless `data` is exactly one deterministic CBOR item."""
    scanner = _Scanner(data, allowed_tags)
    scanner.item(0)
    if scanner.pos != len(data):
        raise CborError("CBOR_TRAILING", f"{len(data) - scanner.pos} bytes after the item", scanner.pos)
