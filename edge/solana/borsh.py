"""A bounded Borsh reader over a table of types, for Anchor programs' instruction data.

Types are written as in Anchor IDLs: `u8`…`u128`, `i64`, `bool`, `pubkey`, `bytes`,
`Option<T>`, `Vec<T>` (u32 length), `[T; N]`, or a name in `Types.structs` (fields in order)
or `Types.enums` (a one-byte variant index, then that variant's fields). A length is never
trusted past the bytes that remain, and nesting is limited, so no data makes the reader work
without bound.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from dmind.policies.base58 import b58encode

MAX_DEPTH = 8
_INTS = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "u128": 16, "i64": 8}
_GENERIC = re.compile(r"(Option|Vec)<(.+)>")
_ARRAY = re.compile(r"\[(.+); *(\d+)\]")


class BorshError(ValueError):
    """The bytes do not fit the type."""


@dataclass(frozen=True, slots=True)
class Types:
    structs: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    enums: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = field(default_factory=dict)


@cache
def load_types(name: str) -> Types:
    """A type table shipped beside this module (`<name>.json`: structs and enums as name/type pairs)."""
    raw = json.loads(resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8"))
    return Types(
        {k: tuple((f, t) for f, t in v) for k, v in raw["structs"].items()},
        {k: tuple((n, tuple((f, t) for f, t in fs)) for n, fs in v) for k, v in raw["enums"].items()},
    )


def read(kind: str, data: bytes, pos: int, types: Types, depth: int = 0) -> tuple[Any, int]:
    """The value of type `kind` at `pos` in `data`, and the position after it."""
    if depth > MAX_DEPTH:
        raise BorshError("types nest too deeply")
    if kind in _INTS:
        end = pos + _INTS[kind]
        if end > len(data):
            raise BorshError(f"the data ends inside a {kind}")
        return int.from_bytes(data[pos:end], "little", signed=kind[0] == "i"), end
    if kind == "bool":
        flag, pos = read("u8", data, pos, types, depth)
        if flag > 1:
            raise BorshError("a bool is 0 or 1")
        return bool(flag), pos
    if kind == "pubkey":
        if pos + 32 > len(data):
            raise BorshError("the data ends inside a public key")
        return b58encode(data[pos : pos + 32]), pos + 32
    if kind == "bytes":
        n, pos = read("u32", data, pos, types, depth)
        if pos + n > len(data):
            raise BorshError("a byte string runs past the data")
        return data[pos : pos + n], pos + n
    generic, array = _GENERIC.fullmatch(kind), _ARRAY.fullmatch(kind)
    if generic and generic.group(1) == "Option":
        flag, pos = read("u8", data, pos, types, depth)
        if flag > 1:
            raise BorshError("an option's tag is 0 or 1")
        return read(generic.group(2), data, pos, types, depth + 1) if flag else (None, pos)
    if generic or array:
        inner = generic.group(2) if generic else array.group(1)  # type: ignore[union-attr]
        n, pos = read("u32", data, pos, types, depth) if generic else (int(array.group(2)), pos)  # type: ignore[union-attr]
        if n > len(data) - pos:  # every element takes at least a byte here
            raise BorshError("a list is longer than the data")
        items = []
        for _ in range(n):
            item, pos = read(inner, data, pos, types, depth + 1)
            items.append(item)
        return items, pos
    if kind in types.structs:
        return _fields(types.structs[kind], data, pos, types, depth + 1)
    if kind in types.enums:
        index, pos = read("u8", data, pos, types, depth)
        variants = types.enums[kind]
        if index >= len(variants):
            raise BorshError(f"{kind} has no variant {index}")
        name, fields = variants[index]
        values, pos = _fields(fields, data, pos, types, depth + 1)
        return {name: values} if values else name, pos
    raise BorshError(f"no type {kind!r}")


def _fields(fields: tuple[tuple[str, str], ...], data: bytes, pos: int, types: Types, depth: int):
    values = {}
    for name, kind in fields:
        values[name], pos = read(kind, data, pos, types, depth)
    return values, pos
