"""EIP-712 typed data: full validation, normalization and the signing digest.

Pure Python. Validation is strict where leniency would let the signed data differ from
what is shown: every referenced type must be defined, message values must match their
field set exactly (a missing or extra key is an error), integers must fit, fixed arrays
must have their length. Domains that real dapps send in non-canonical form (chain id as
a decimal or zero-padded string, verifying contract as an integer) are normalized and
flagged, never silently trusted.
"""

from __future__ import annotations

import re

from ..crypto import keccak, to_checksum
from ..errors import EdgeError
from ..findings import Finding, finding
from ..hexutil import JSON_SAFE_INTEGER, parse_address, parse_bytes
from ..limits import (
    MAX_TYPED_DATA_ARRAY_DIMENSIONS,
    MAX_TYPED_DATA_DEPTH,
    MAX_TYPED_DATA_FIELDS,
    MAX_TYPED_DATA_NAME_CHARS,
    MAX_TYPED_DATA_TYPES,
    MAX_TYPED_DATA_VALUES,
)
from ..requests_io import loads_strict
from ..types import TypedData

DOMAIN_FIELDS = {
    "name": "string",
    "version": "string",
    "chainId": "uint256",
    "verifyingContract": "address",
    "salt": "bytes32",
}
_ATOMIC = re.compile(r"(uint|int)(\d+)|bytes(\d+)|address|bool|bytes|string")
_DECIMAL = re.compile(r"-?[0-9]+")
# Characters that would let two different type sets hash to one `encodeType` string: brackets,
# parentheses and commas anywhere, and (in type names, which precede a member name) spaces.
# Other names stay as wallets accept them (eth-account signs a member name with a space).
_FORBIDDEN = {"field": re.compile(r"[(),\[\]\x00-\x1f]"), "type": re.compile(r"[(),\[\] \x00-\x1f]")}
_SUFFIX = re.compile(r"\[([0-9]*)\]")
MAX_DECIMAL_CHARS = 80  # a 256-bit integer has at most 78 digits; longer text is refused before int() reads it


def _invalid(message: str, where: str = "typedData") -> EdgeError:
    return EdgeError("TYPED_DATA_INVALID", message, where)


def _bad_value(message: str, where: str) -> EdgeError:
    return EdgeError("TYPED_DATA_VALUE_INVALID", message, where)


def _atomic_ok(type_name: str) -> bool:
    m = _ATOMIC.fullmatch(type_name)
    if not m:
        return False
    if m.group(2):
        bits = int(m.group(2))
        return m.group(2)[0] != "0" and bits % 8 == 0 and 8 <= bits <= 256
    if m.group(3):
        return m.group(3)[0] != "0" and 1 <= int(m.group(3)) <= 32
    return True


def split_type(type_name: str, where: str = "types") -> tuple[str, tuple[int | None, ...]]:
    """`T[2][]` -> ("T", (2, None)): the base type and its array dimensions, outermost last, in one pass."""
    if len(type_name) > MAX_TYPED_DATA_NAME_CHARS:
        raise _invalid(f"type {type_name[:40]!r}… is longer than {MAX_TYPED_DATA_NAME_CHARS} characters", where)
    start = type_name.find("[")
    if start < 0:
        return type_name, ()
    dims: list[int | None] = []
    pos = start
    while pos < len(type_name):
        m = _SUFFIX.match(type_name, pos)
        if not m or (m.group(1) and m.group(1)[0] == "0"):
            raise _invalid(f"{type_name!r} has a malformed array suffix (lengths are positive integers)", where)
        dims.append(int(m.group(1)) if m.group(1) else None)
        pos = m.end()
    if len(dims) > MAX_TYPED_DATA_ARRAY_DIMENSIONS:
        raise _invalid(f"{type_name[:40]!r} has more than {MAX_TYPED_DATA_ARRAY_DIMENSIONS} array dimensions", where)
    return type_name[:start], tuple(dims)


def _base_type(type_name: str) -> str:
    return split_type(type_name)[0]


def _name(value: object, kind: str, what: str, where: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TYPED_DATA_NAME_CHARS:
        raise _invalid(f"{what} must be text of at most {MAX_TYPED_DATA_NAME_CHARS} characters", where)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _invalid(f"{what} {value[:40]!r} is not valid Unicode text", where) from exc
    if _FORBIDDEN[kind].search(value):
        raise _invalid(f"{what} {value[:40]!r} holds a character that would make its type encoding ambiguous", where)
    return value


def _parse_types(raw: object) -> dict[str, tuple[tuple[str, str], ...]]:
    if not isinstance(raw, dict):
        raise _invalid("`types` must be an object", "types")
    if len(raw) > MAX_TYPED_DATA_TYPES:
        raise _invalid(f"more than {MAX_TYPED_DATA_TYPES} types", "types")
    types: dict[str, tuple[tuple[str, str], ...]] = {}
    for name, fields in raw.items():
        name = _name(name, "type", "type name", "types")
        if not isinstance(fields, list) or len(fields) > MAX_TYPED_DATA_FIELDS:
            raise _invalid(f"type {name!r} must be a list of at most {MAX_TYPED_DATA_FIELDS} fields", f"types.{name}")
        if _atomic_ok(name):
            raise _invalid(f"type name {name!r} shadows an atomic type", f"types.{name}")
        parsed = []
        for i, f in enumerate(fields):
            if not (isinstance(f, dict) and isinstance(f.get("name"), str) and isinstance(f.get("type"), str)):
                raise _invalid(f"field {i} of {name!r} must be {{name, type}} strings", f"types.{name}[{i}]")
            field_name = _name(f["name"], "field", f"field name in {name}", f"types.{name}[{i}]")
            base, _ = split_type(f["type"], f"types.{name}.{field_name}")
            _name(base, "type", f"type of {name}.{field_name}", f"types.{name}.{field_name}")
            parsed.append((field_name, f["type"]))
        if len({n for n, _ in parsed}) != len(parsed):
            raise _invalid(f"type {name!r} has duplicate field names", f"types.{name}")
        types[name] = tuple(parsed)
    for name, fields in types.items():
        for field_name, field_type in fields:
            base = _base_type(field_type)
            if not (_atomic_ok(base) or base in types) or base == "EIP712Domain":
                raise _invalid(
                    f"field {field_name!r} of {name!r} has undefined type {field_type!r}", f"types.{name}.{field_name}"
                )
    return types


def _dependencies(types: dict, primary: str) -> list[str]:
    found: list[str] = []
    stack = [primary]
    while stack:
        current = stack.pop()
        if current in found or current not in types:
            continue
        found.append(current)
        stack.extend(_base_type(t) for _, t in types[current])
    return found


def encode_type(types: dict, primary: str) -> str:
    """EIP-712 `encodeType`: the primary type, then its dependencies sorted by name."""
    deps = _dependencies(types, primary)
    ordered = [primary] + sorted(d for d in deps if d != primary)
    return "".join(f"{t}(" + ",".join(f"{ft} {fn}" for fn, ft in types[t]) + ")" for t in ordered)


class _Encoder:
    """Hashes values against types while counting work, so hostile input stays bounded."""

    def __init__(self, types: dict, notes: list[Finding]) -> None:
        self.types = types
        self.type_hashes: dict[str, bytes] = {}
        self.values = 0
        self.notes = notes
        self.splits: dict[str, tuple[str, tuple[int | None, ...]]] = {}  # type string -> split_type(), once each

    def type_hash(self, name: str) -> bytes:
        if name not in self.type_hashes:
            self.type_hashes[name] = keccak(encode_type(self.types, name).encode())
        return self.type_hashes[name]

    def hash_struct(self, name: str, value: object, where: str, depth: int = 0) -> bytes:
        if depth > MAX_TYPED_DATA_DEPTH:
            raise _invalid(f"values nest deeper than {MAX_TYPED_DATA_DEPTH} levels", where)
        if not isinstance(value, dict):
            raise _bad_value(f"{where} must be an object of type {name}", where)
        fields = self.types[name]
        names = {n for n, _ in fields}
        missing = [n for n in names if n not in value]
        extra = [k for k in value if k not in names]
        if missing:
            raise _bad_value(f"{where} is missing field {missing[0]!r} of type {name}", where)
        if extra:
            raise _bad_value(
                f"{where} has field {extra[0]!r} that type {name} does not define (it would be shown but not signed)",
                where,
            )
        parts = [self.type_hash(name)]
        for field_name, field_type in fields:
            parts.append(self.encode(field_type, value[field_name], f"{where}.{field_name}", depth + 1))
        return keccak(b"".join(parts))

    def encode(self, type_name: str, value: object, where: str, depth: int) -> bytes:
        self.values += 1
        if self.values > MAX_TYPED_DATA_VALUES:
            raise _invalid(f"more than {MAX_TYPED_DATA_VALUES} values", where)
        if type_name not in self.splits:
            self.splits[type_name] = split_type(type_name, where)
        _, dims = self.splits[type_name]
        if dims:
            if not isinstance(value, list):
                raise _bad_value(f"{where} must be an array of type {type_name}", where)
            if dims[-1] is not None and len(value) != dims[-1]:
                raise _bad_value(f"{where} must have exactly {dims[-1]} items, found {len(value)}", where)
            item_type = type_name[: type_name.rindex("[")]
            return keccak(
                b"".join(self.encode(item_type, item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value))
            )
        if type_name in self.types:
            return self.hash_struct(type_name, value, where, depth)
        return encode_atomic(type_name, value, where, self.notes)


def to_integer(value: object, where: str, notes: list[Finding] | None = None) -> int:
    """An integer from a JSON number or a decimal or 0x-hex string, as EIP-712 tools accept.

    Text that needs trimming or a `0X` prefix reads differently in different wallets: with
    `notes`, it is read and flagged TYPED_DATA_VALUE_NONCANONICAL; without, refused.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _bad_value(f"{where} must be an integer or a numeric string", where)
    if isinstance(value, int):
        if abs(value) > JSON_SAFE_INTEGER:
            raise _bad_value(
                f"{where} is the JSON number {value}, beyond 2^53: JavaScript wallets would sign a rounded value; send "
                "it as a string",
                where,
            )
        return value
    if len(value) > MAX_DECIMAL_CHARS:
        raise _bad_value(f"{where} has {len(value)} characters, more than any 256-bit integer", where)
    text = _canonical_text(value, where, notes)
    if text[:2] == "0x" or text[:3] == "-0x":
        negative = text.startswith("-")
        digits = text[3:] if negative else text[2:]
        if not digits or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            raise _bad_value(f"{where} is not a number: {value!r}", where)
        return -int(digits, 16) if negative else int(digits, 16)
    if not _DECIMAL.fullmatch(text):
        raise _bad_value(f"{where} is not a number: {value!r}", where)
    return int(text, 10)


def _canonical_text(value: str, where: str, notes: list[Finding] | None) -> str:
    """`value` trimmed and with a `0X` prefix read as `0x`: wallets differ on both, so a change is flagged
    TYPED_DATA_VALUE_NONCANONICAL (with `notes`) or refused (without)."""
    text = value.strip()
    for upper, lower in (("0X", "0x"), ("-0X", "-0x")):
        if text.startswith(upper):
            text = lower + text[len(upper) :]
    if text != value:
        if notes is None:
            raise _bad_value(f"{where} is not written canonically: {value[:80]!r}", where)
        notes.append(finding("TYPED_DATA_VALUE_NONCANONICAL", where, value=value[:80], text=text[:80]))
    return text


def typed_address(value: object, where: str, notes: list[Finding] | None = None) -> str:
    """An address value: 0x-prefixed 20 bytes; a failed checksum, a `0X` prefix or spaces are flagged (with `notes`)."""
    if not isinstance(value, str):
        raise _bad_value(f"{where} must be a 0x-prefixed address", where)
    text = _canonical_text(value, where, notes)
    if text[:2] != "0x":
        raise _bad_value(f"{where} must be a 0x-prefixed address", where)
    try:
        return parse_address(text, where, notes)
    except EdgeError as exc:
        raise _bad_value(exc.message, where) from exc


def encode_atomic(type_name: str, value: object, where: str, notes: list[Finding] | None = None) -> bytes:
    """The 32-byte EIP-712 encoding of one atomic value; `notes` collects values read leniently."""
    m = _ATOMIC.fullmatch(type_name)
    assert m, type_name  # types were validated before any value is encoded
    if m.group(1):
        number = to_integer(value, where, notes)
        bits = int(m.group(2))
        low, high = (0, 1 << bits) if m.group(1) == "uint" else (-(1 << (bits - 1)), 1 << (bits - 1))
        if not low <= number < high:
            raise _bad_value(f"{where} = {number} does not fit in {type_name}", where)
        return (number % (1 << 256)).to_bytes(32, "big")
    if m.group(3):
        size = int(m.group(3))
        data = _hex(value, where, notes)
        if len(data) != size:
            raise _bad_value(f"{where} must be exactly {size} bytes, found {len(data)}", where)
        return data.ljust(32, b"\0")
    if type_name == "address":
        return bytes.fromhex(typed_address(value, where, notes)[2:]).rjust(32, b"\0")
    if type_name == "bool":
        if not isinstance(value, bool):
            raise _bad_value(f"{where} must be true or false", where)
        return int(value).to_bytes(32, "big")
    if type_name == "bytes":
        return keccak(_hex(value, where, notes))
    if not isinstance(value, str):
        raise _bad_value(f"{where} must be a string", where)
    try:
        return keccak(value.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise _bad_value(f"{where} is not valid Unicode text", where) from exc


def _hex(value: object, where: str, notes: list[Finding] | None = None) -> bytes:
    try:
        return parse_bytes(_canonical_text(value, where, notes) if isinstance(value, str) else value, where)
    except EdgeError as exc:
        raise _bad_value(exc.message, where) from exc


def _normalize_domain(domain: dict, notes: list[Finding]) -> dict:
    normalized = dict(domain)
    chain_id = domain.get("chainId")
    if "chainId" in domain and not (isinstance(chain_id, int) and not isinstance(chain_id, bool)):
        number = to_integer(chain_id, "domain.chainId", notes)
        notes.append(
            finding(
                "TYPED_DATA_DOMAIN_NONCANONICAL", "domain.chainId", key="chain_id", chain_id=chain_id, number=number
            )
        )
        normalized["chainId"] = number
    contract = domain.get("verifyingContract")
    if isinstance(contract, int) and not isinstance(contract, bool):
        if not 0 <= contract < 1 << 160:
            raise _bad_value("domain.verifyingContract integer is out of address range", "domain.verifyingContract")
        normalized["verifyingContract"] = to_checksum(contract.to_bytes(20, "big"))
        notes.append(
            finding(
                "TYPED_DATA_DOMAIN_NONCANONICAL",
                "domain.verifyingContract",
                key="verifying_contract",
                integer=contract,
                address=normalized["verifyingContract"],
            )
        )
    elif isinstance(contract, str):
        normalized["verifyingContract"] = typed_address(contract, "domain.verifyingContract", notes)
    return normalized


def load_typed_data(raw: object) -> dict:
    """The typed-data object from a JSON string or an already parsed object."""
    if isinstance(raw, str):
        raw = loads_strict(raw, "the typed data", "TYPED_DATA_INVALID")
    if not isinstance(raw, dict):
        raise _invalid("typed data must be a JSON object")
    return raw


def parse_typed_data(raw: object, v3: bool = False) -> tuple[TypedData, bytes, bytes, list[Finding]]:
    """Validate typed data; return it normalized with its signing bytes, digest and notes."""
    data = load_typed_data(raw)
    notes: list[Finding] = []
    for key, kind in (("types", dict), ("primaryType", str), ("domain", dict), ("message", dict)):
        if not isinstance(data.get(key), kind):
            raise _invalid(f"`{key}` is missing or not a{'n object' if kind is dict else ' string'}", key)
    types = _parse_types(data["types"])
    domain_fields = types.get("EIP712Domain")
    if domain_fields is None:
        raise _invalid("types must define EIP712Domain", "types.EIP712Domain")
    for field_name, field_type in domain_fields:
        if DOMAIN_FIELDS.get(field_name) != field_type:
            raise _invalid(
                f"EIP712Domain field {field_type} {field_name} is not one of the standard domain fields",
                "types.EIP712Domain",
            )
    if set(data["domain"]) != {n for n, _ in domain_fields}:
        raise _invalid("domain values do not match the fields declared in types.EIP712Domain", "domain")
    primary = data["primaryType"]
    if primary not in types:
        raise _invalid(f"primaryType {primary!r} is not defined in types", "primaryType")
    if v3 and any("[" in t for fields in types.values() for _, t in fields):
        raise _invalid("eth_signTypedData_v3 does not support arrays; use _v4", "types")
    domain = _normalize_domain(data["domain"], notes)
    encoder = _Encoder(types, notes)
    domain_separator = encoder.hash_struct("EIP712Domain", domain, "domain")
    signing_bytes = b"\x19\x01" + domain_separator
    if primary != "EIP712Domain":
        signing_bytes += encoder.hash_struct(primary, data["message"], "message")
    used = set(_dependencies(types, primary)) | {"EIP712Domain"}
    unused = sorted(set(types) - used)
    if unused:
        notes.append(finding("TYPED_DATA_UNUSED_TYPES", "types", unused=", ".join(unused), primary=primary))
    typed = TypedData(primary, types, domain, data["message"])
    return typed, signing_bytes, keccak(signing_bytes), notes
