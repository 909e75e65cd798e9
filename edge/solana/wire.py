"""The Solana transaction wire format, read strictly: signatures, then a legacy or v0 message.

A transaction is `compact-u16 n, n × 64-byte signature, message`. A message is an optional
version byte (0x80 | version), a 3-byte header, the static account keys, the recent
blockhash, the compiled instructions and, in v0, address-table lookups. The whole
transaction fits one 1,232-byte packet. Everything the runtime's sanitizer refuses is refused
here too (`SOLANA_TX_INVALID`), and so is what it tolerates but a reader could misread: an
account key listed twice, bytes after the message, a compact-u16 written in more bytes than
it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping

from dmind.policies.base58 import b58encode

from ..errors import EdgeError

PACKET_DATA_SIZE = 1232  # the largest transaction a validator accepts (IPv6 MTU minus headers)
SIGNATURE_BYTES = 64
KEY_BYTES = 32
MAX_ACCOUNTS = 256  # account indexes are one byte
VERSION_PREFIX = 0x80


@dataclass(frozen=True, slots=True)
class Header:
    required_signatures: int
    readonly_signed: int
    readonly_unsigned: int


@dataclass(frozen=True, slots=True)
class CompiledInstruction:
    program_index: int
    accounts: tuple[int, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class AddressLookup:
    """A v0 lookup: accounts taken from an on-chain table, by index; their keys are not in the bytes."""

    table: str
    writable: tuple[int, ...]
    readonly: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Message:
    """What the key signs: `raw` is exactly those bytes."""

    version: int | None  # None: legacy
    header: Header
    account_keys: tuple[str, ...]  # the static keys, base58
    recent_blockhash: str
    instructions: tuple[CompiledInstruction, ...]
    lookups: tuple[AddressLookup, ...]
    raw: bytes
    # keys of the accounts loaded from tables, in load order, where the wallet said what its tables hold (None: not)
    loaded: tuple[str | None, ...] = ()

    @property
    def account_count(self) -> int:
        """Static keys plus the accounts loaded from lookup tables."""
        return len(self.account_keys) + sum(len(x.writable) + len(x.readonly) for x in self.lookups)

    def key(self, index: int) -> str | None:
        """The base58 key of account `index`; None for an account a lookup table holds that nobody resolved."""
        if index < len(self.account_keys):
            return self.account_keys[index]
        i = index - len(self.account_keys)
        return self.loaded[i] if i < len(self.loaded) else None

    def with_tables(self, tables: Mapping[str, tuple[str, ...]]) -> "Message":
        """This message with its table accounts resolved from `tables` (table -> its addresses, as the wallet read
        them on chain). A table's entries never change while it exists, and a closed table's address cannot be
        created again, so an entry read once is that entry. An entry past a table's end stays unresolved."""
        loaded = [
            tables[lookup.table][entry] if entry < len(tables.get(lookup.table, ())) else None
            for part in ("writable", "readonly")
            for lookup in self.lookups
            for entry in getattr(lookup, part)
        ]
        keys = [*self.account_keys, *(k for k in loaded if k is not None)]
        if len(set(keys)) != len(keys):  # the runtime refuses a transaction that loads an account twice
            raise EdgeError(
                "SOLANA_TX_INVALID",
                "with the lookup tables the wallet gave, the transaction loads an account twice: the runtime refuses it",
                "address_lookup_tables",
            )
        return replace(self, loaded=tuple(loaded)) if any(loaded) else self

    def lookup_of(self, index: int) -> tuple[str, int] | None:
        """For an account loaded from a table: the table and the index in it."""
        i = index - len(self.account_keys)
        if i < 0:
            return None
        for part in ("writable", "readonly"):
            for lookup in self.lookups:
                entries = getattr(lookup, part)
                if i < len(entries):
                    return lookup.table, entries[i]
                i -= len(entries)
        return None

    def is_signer(self, index: int) -> bool:
        return index < self.header.required_signatures

    def is_writable(self, index: int) -> bool:
        h, static = self.header, len(self.account_keys)
        if index < h.required_signatures:
            return index < h.required_signatures - h.readonly_signed
        if index < static:
            return index < static - h.readonly_unsigned
        lookup = self.lookup_of(index)
        writable = sum(len(x.writable) for x in self.lookups)
        return lookup is not None and index - static < writable

    @property
    def fee_payer(self) -> str:
        return self.account_keys[0]


@dataclass(frozen=True, slots=True)
class Transaction:
    signatures: tuple[bytes, ...]  # all zero where not signed yet
    message: Message


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self.data, self.pos, self.what = data, 0, what

    def fail(self, detail: str) -> EdgeError:
        return EdgeError("SOLANA_TX_INVALID", f"{self.what}: {detail} (at byte {self.pos})", self.what)

    def take(self, n: int, field: str) -> bytes:
        if self.pos + n > len(self.data):
            raise self.fail(f"ends inside the {field}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u8(self, field: str) -> int:
        return self.take(1, field)[0]

    def compact_u16(self, field: str) -> int:
        """Solana's short_vec length: 1-3 bytes, 7 bits each, low first; only the shortest form."""
        value = 0
        for i in range(3):
            byte = self.u8(field)
            if i and byte == 0:
                raise self.fail(f"the {field} length is written in more bytes than it needs")
            if i == 2 and byte > 3:
                raise self.fail(f"the {field} length is larger than 65535")
            value |= (byte & 0x7F) << (7 * i)
            if not byte & 0x80:
                return value
        raise self.fail(f"the {field} length runs past three bytes")

    def indexes(self, field: str) -> tuple[int, ...]:
        return tuple(self.take(self.compact_u16(field), field))


def _read_message(r: _Reader, strict: bool = True) -> Message:
    start = r.pos
    first = r.u8("message header")
    version: int | None = None
    if first & VERSION_PREFIX:
        version = first & ~VERSION_PREFIX
        if version != 0:
            raise EdgeError(
                "SOLANA_VERSION_UNSUPPORTED", f"{r.what}: message version {version} is not one this gate reads", r.what
            )
        first = r.u8("message header")
    header = Header(first, r.u8("message header"), r.u8("message header"))
    keys = tuple(b58encode(r.take(KEY_BYTES, "account keys")) for _ in range(r.compact_u16("account keys")))
    blockhash = b58encode(r.take(KEY_BYTES, "recent blockhash"))
    instructions = tuple(
        CompiledInstruction(
            r.u8("instruction"), r.indexes("instruction accounts"), r.take(r.compact_u16("data"), "data")
        )
        for _ in range(r.compact_u16("instructions"))
    )
    lookups: tuple[AddressLookup, ...] = ()
    if version == 0:
        lookups = tuple(
            AddressLookup(b58encode(r.take(KEY_BYTES, "lookup table")), r.indexes("lookups"), r.indexes("lookups"))
            for _ in range(r.compact_u16("lookup tables"))
        )
    message = Message(version, header, keys, blockhash, instructions, lookups, r.data[start : r.pos])
    _sanitize(message, r, strict)
    return message


def _sanitize(m: Message, r: _Reader, strict: bool) -> None:
    """The runtime's sanitizer, and (`strict`) what it lets through that would let two readers disagree."""
    h, static = m.header, len(m.account_keys)
    if h.required_signatures == 0:
        raise r.fail("no account signs it (a fee payer is required)")
    if h.readonly_signed >= h.required_signatures:
        raise r.fail("the fee payer would be read-only")
    if h.required_signatures + h.readonly_unsigned > static:
        raise r.fail("the header counts more accounts than the message lists")
    if strict and len(set(m.account_keys)) != static:
        raise r.fail("an account key is listed twice")
    if strict and len({x.table for x in m.lookups}) != len(m.lookups):
        raise r.fail("a lookup table is listed twice")
    if strict and any(not x.writable and not x.readonly for x in m.lookups):
        raise r.fail("a lookup table loads no account")
    if m.account_count > MAX_ACCOUNTS:
        raise r.fail(f"it loads {m.account_count} accounts, more than {MAX_ACCOUNTS}")
    for i, ix in enumerate(m.instructions):
        if not 0 < ix.program_index < static:  # a program is a static key and never the fee payer
            raise r.fail(f"instruction {i} names program index {ix.program_index}, not a static non-payer key")
        if any(a >= m.account_count for a in ix.accounts):
            raise r.fail(f"instruction {i} names an account index past the {m.account_count} accounts")


def parse_message(data: bytes, what: str = "message") -> Message:
    """A message alone (what `signMessage` bytes are checked against), every byte used."""
    r = _Reader(data, what)
    message = _read_message(r)
    if r.pos != len(data):
        raise r.fail(f"{len(data) - r.pos} bytes follow the message")
    return message


def reads_as_transaction(data: bytes) -> bool:
    """Whether `data` begins with a transaction or a message the runtime's own sanitizer would accept: bytes that
    sign one, whatever this gate's stricter reading refuses and whatever follows them."""
    for signatures in (False, True):
        r = _Reader(data, "message")
        try:
            if signatures:
                for _ in range(r.compact_u16("signatures")):
                    r.take(SIGNATURE_BYTES, "signatures")
            _read_message(r, strict=False)
            return True
        except EdgeError:
            continue
    return False


def parse_transaction(data: bytes, what: str = "transaction") -> Transaction:
    """A serialized transaction: at most one packet, signatures matching the header, nothing after the message."""
    if len(data) > PACKET_DATA_SIZE:
        raise EdgeError(
            "SOLANA_TX_TOO_LARGE",
            f"{what} is {len(data)} bytes; a Solana transaction is at most {PACKET_DATA_SIZE}",
            what,
        )
    r = _Reader(data, what)
    signatures = tuple(r.take(SIGNATURE_BYTES, "signatures") for _ in range(r.compact_u16("signatures")))
    message = _read_message(r)
    if r.pos != len(data):
        raise r.fail(f"{len(data) - r.pos} bytes follow the message")
    if len(signatures) != message.header.required_signatures:
        raise r.fail(f"it carries {len(signatures)} signatures for {message.header.required_signatures} signers")
    return Transaction(signatures, message)
