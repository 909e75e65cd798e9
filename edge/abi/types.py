"""ABI type strings and function signatures, parsed into small immutable trees.

One parser serves the built-in registry and ERC-7730 descriptors, whose v2 format keys are
signatures with parameter names: ``exactInput((bytes path, address recipient) params)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..crypto import keccak


class AbiTypeError(ValueError):
    """A type string or signature that is not valid Solidity ABI."""


@dataclass(frozen=True, slots=True)
class Basic:
    name: str  # uint, int, address, bool, bytes (fixed when size set), string, function
    size: int | None = None  # bits for uint/int, bytes for bytesN

    @property
    def canonical(self) -> str:
        if self.name in ("uint", "int"):
            return f"{self.name}{self.size}"
        if self.name == "bytes" and self.size is not None:
            return f"bytes{self.size}"
        return self.name

    @property
    def dynamic(self) -> bool:
        return self.name == "string" or (self.name == "bytes" and self.size is None)


@dataclass(frozen=True, slots=True)
class Array:
    item: "AbiType"
    length: int | None  # None for T[]

    @property
    def canonical(self) -> str:
        return f"{self.item.canonical}[{'' if self.length is None else self.length}]"

    @property
    def dynamic(self) -> bool:
        return self.length is None or self.item.dynamic


@dataclass(frozen=True, slots=True)
class Tuple:
    items: tuple["AbiType", ...]
    names: tuple[str | None, ...]

    @property
    def canonical(self) -> str:
        return "(" + ",".join(t.canonical for t in self.items) + ")"

    @property
    def dynamic(self) -> bool:
        return any(t.dynamic for t in self.items)


AbiType = Basic | Array | Tuple


@dataclass(frozen=True, slots=True)
class FunctionSignature:
    name: str
    params: Tuple

    @property
    def canonical(self) -> str:
        return self.name + self.params.canonical

    @property
    def selector(self) -> bytes:
        return keccak(self.canonical.encode())[:4]


_BASIC = re.compile(r"(uint|int)(\d*)|(bytes)(\d*)|(address|bool|string|function)")
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SUFFIX = re.compile(r"\[(\d*)\]")
_KEYWORDS = {"indexed", "calldata", "memory", "storage", "payable"}


def _basic(text: str) -> Basic:
    m = _BASIC.fullmatch(text)
    if not m:
        raise AbiTypeError(f"unknown ABI type {text!r}")
    if m.group(1):
        bits = int(m.group(2) or 256)
        if m.group(2) and (m.group(2)[0] == "0" or bits % 8 or not 8 <= bits <= 256):
            raise AbiTypeError(f"invalid integer size in {text!r}")
        return Basic(m.group(1), bits)
    if m.group(3):
        if not m.group(4):
            return Basic("bytes")
        size = int(m.group(4))
        if m.group(4)[0] == "0" or not 1 <= size <= 32:
            raise AbiTypeError(f"invalid fixed bytes size in {text!r}")
        return Basic("bytes", size)
    if m.group(5) == "function":
        return Basic("bytes", 24)  # ABI encodes `function` as bytes24
    return Basic(m.group(5))


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, what: str) -> AbiTypeError:
        return AbiTypeError(f"{what} at position {self.pos} in {self.text!r}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char!r}")
        self.pos += 1

    def name(self) -> str:
        m = _NAME.match(self.text, self.pos)
        if not m:
            raise self.error("expected a name")
        self.pos = m.end()
        return m.group(0)

    def type_(self) -> AbiType:
        self.skip_space()
        if self.peek() == "(":
            base: AbiType = self.tuple_()
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos].isalnum():
                self.pos += 1
            base = _basic(self.text[start : self.pos])
        while True:
            m = _SUFFIX.match(self.text, self.pos)
            if not m:
                return base
            self.pos = m.end()
            if m.group(1) and (m.group(1)[0] == "0"):
                raise self.error("array length must be a positive integer")
            base = Array(base, int(m.group(1)) if m.group(1) else None)

    def tuple_(self) -> Tuple:
        self.expect("(")
        items: list[AbiType] = []
        names: list[str | None] = []
        self.skip_space()
        if self.peek() == ")":
            self.pos += 1
            return Tuple((), ())
        while True:
            items.append(self.type_())
            self.skip_space()
            param_name = None
            while _NAME.match(self.text, self.pos):
                word = self.name()
                self.skip_space()
                if word not in _KEYWORDS:
                    param_name = word
            names.append(param_name)
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect(")")
            return Tuple(tuple(items), tuple(names))


def parse_type(text: str) -> AbiType:
    """Parse one ABI type string (``uint256``, ``(address,uint160)[]``)."""
    parser = _Parser(text.strip())
    parsed = parser.type_()
    if parser.pos != len(parser.text):
        raise parser.error("unexpected text")
    return parsed


def parse_signature(text: str) -> FunctionSignature:
    """Parse ``name(type [name], ...)`` into its canonical form and parameter names."""
    parser = _Parser(text.strip())
    name = parser.name()
    params = parser.tuple_()
    parser.skip_space()
    if parser.pos != len(parser.text):
        raise parser.error("unexpected text after the parameter list")
    return FunctionSignature(name, params)
