"""The private context store: SQLite in WAL mode, versioned by numbered migrations.

Everything here stays on the user's machine. A write is committed before the daemon answers,
and WAL with `synchronous=FULL` keeps every acknowledged write across a kill -9.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from dmind.edge import EdgeError, canonical_address, parse_pubkey
from dmind.policies.errors import InputError
from dmind.policies.vocabulary import Verdict

# Each migration runs once, in order; the schema version is SQLite's user_version.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE address_book (address TEXT PRIMARY KEY, label TEXT NOT NULL, added_at INTEGER NOT NULL);
    CREATE TABLE interactions (id INTEGER PRIMARY KEY, counterparty TEXT NOT NULL, kind TEXT NOT NULL,
                               token TEXT, amount TEXT, at INTEGER NOT NULL);
    CREATE INDEX interactions_counterparty ON interactions (counterparty);
    CREATE TABLE holdings (token TEXT PRIMARY KEY, amount TEXT NOT NULL, exposure_limit TEXT);
    CREATE TABLE lists (address TEXT NOT NULL, list TEXT NOT NULL CHECK (list IN ('allow', 'deny')), PRIMARY KEY (address, list));
    CREATE TABLE pairings (device_id TEXT PRIMARY KEY, public_key BLOB NOT NULL, name TEXT NOT NULL,
                           paired_at INTEGER NOT NULL, revoked_at INTEGER, last_counter INTEGER NOT NULL DEFAULT -1);
    CREATE TABLE offers (token_hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL, used_at INTEGER);
    CREATE TABLE verdicts (request_id BLOB PRIMARY KEY, device_id TEXT NOT NULL, digest BLOB NOT NULL,
                           verdict TEXT NOT NULL, risk REAL NOT NULL, at INTEGER NOT NULL);
    """,
)
INTERACTION_KINDS = ("send", "approve", "receive")
LISTS = ("allow", "deny")
CONTEXT_SECTIONS = ("contacts", "interactions", "holdings", *LISTS)
MAX_LABEL_CHARS = 64
MAX_AMOUNT = 2**256 - 1  # base units: what a uint256 holds


def _address(value: object, what: str = "address") -> str:
    """An account or token address as stored: EVM in lower case, Solana (base58) as written; else CONTEXT_INVALID."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and len(text) == 42 and text[:2] == "0x":
        try:
            int(text[2:], 16)
            return text.lower()
        except ValueError:
            pass
    elif isinstance(text, str):
        try:
            return parse_pubkey(text, what)
        except EdgeError:
            pass
    raise StoreError(
        "CONTEXT_INVALID",
        f"the {what} {str(value)[:60]!r} is not an address (0x and 40 hex digits, or a base58 Solana address)",
    )


def _label(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_LABEL_CHARS or not text.isprintable():
        raise StoreError("CONTEXT_INVALID", f"a contact's name is 1 to {MAX_LABEL_CHARS} printable characters")
    return text


def _base_units(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AMOUNT:
        raise StoreError("CONTEXT_INVALID", f"the {what} must be a whole number of base units, 0 to 2^256-1")
    return value


def _amount_and_limit(text: str) -> tuple[int, int | None]:
    amount, _, limit = text.partition(":")
    try:
        return int(amount or 0), int(limit) if limit else None
    except ValueError as exc:
        raise StoreError("CONTEXT_INVALID", f"a holding is AMOUNT[:LIMIT] in base units, not {text!r}") from exc


class StoreError(InputError):
    """A store operation refused; `code` is stable."""


@dataclass(frozen=True, slots=True)
class Pairing:
    device_id: str
    public_key: bytes
    name: str
    paired_at: int
    revoked_at: int | None
    last_counter: int


class ContextStore:
    """One user's private context and pairings, in `state/context.sqlite3`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path.parent.chmod(0o700)  # private context: readable by this user only
        self._lock = threading.Lock()
        self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._lock:
                self.db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in filter(str.strip, script.split(";")):
                        self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {number}")
                    self.db.execute("COMMIT")
                except BaseException:
                    self.db.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _write(self, sql: str, args: Iterable = ()) -> int:
        with self._lock:
            return self.db.execute(sql, tuple(args)).rowcount

    # private context ---------------------------------------------------------------------

    def add_contact(self, address: str, label: str) -> None:
        self._write(
            "INSERT INTO address_book VALUES (?, ?, ?) ON CONFLICT(address) DO UPDATE SET label = excluded.label",
            (_address(address), _label(label), int(time.time())),
        )

    def contacts(self) -> list[tuple[str, str, int]]:
        """The address book: (address, label, added at), by label."""
        return list(self.db.execute("SELECT address, label, added_at FROM address_book ORDER BY label, address"))

    def label(self, address: str) -> str | None:
        row = self.db.execute(
            "SELECT label FROM address_book WHERE address = ?", (canonical_address(address),)
        ).fetchone()
        return row[0] if row else None

    def record_interaction(
        self, counterparty: str, kind: str, token: str | None = None, amount: int | None = None, at: int | None = None
    ) -> None:
        if kind not in INTERACTION_KINDS:
            raise StoreError("CONTEXT_INVALID", f"interaction kind must be one of {', '.join(INTERACTION_KINDS)}")
        if at is not None and (isinstance(at, bool) or not isinstance(at, int) or at < 0):
            raise StoreError("CONTEXT_INVALID", "an interaction's time is unix seconds")
        self._write(
            "INSERT INTO interactions (counterparty, kind, token, amount, at) VALUES (?, ?, ?, ?, ?)",
            (
                _address(counterparty, "counterparty"),
                kind,
                _address(token, "token") if token else None,
                str(_base_units(amount, "amount")) if amount is not None else None,
                int(time.time()) if at is None else at,
            ),
        )

    def interactions(self) -> list[tuple[str, str, int, int]]:
        """The history by counterparty and kind: (counterparty, kind, how many times, last at), latest first."""
        return list(
            self.db.execute(
                "SELECT counterparty, kind, COUNT(*), MAX(at) FROM interactions GROUP BY counterparty, kind "
                "ORDER BY MAX(at) DESC"
            )
        )

    def interacted(self, counterparty: str, kinds: tuple[str, ...] = INTERACTION_KINDS) -> bool:
        marks = ",".join("?" * len(kinds))
        return (
            self.db.execute(
                f"SELECT 1 FROM interactions WHERE counterparty = ? AND kind IN ({marks}) LIMIT 1",
                (canonical_address(counterparty), *kinds),
            ).fetchone()
            is not None
        )

    def used_addresses(self) -> list[str]:
        """Addresses the user has actually sent to or approved: the only ones poisoning can imitate."""
        return [
            r[0]
            for r in self.db.execute("SELECT DISTINCT counterparty FROM interactions WHERE kind IN ('send', 'approve')")
        ]

    def set_holding(self, token: str, amount: int, exposure_limit: int | None = None) -> None:
        self._write(
            "INSERT INTO holdings VALUES (?, ?, ?) ON CONFLICT(token) "
            "DO UPDATE SET amount = excluded.amount, exposure_limit = excluded.exposure_limit",
            (
                _address(token, "token"),
                str(_base_units(amount, "amount")),
                None if exposure_limit is None else str(_base_units(exposure_limit, "exposure limit")),
            ),
        )

    def holdings(self) -> list[tuple[str, int, int | None]]:
        """(token, amount, exposure limit) in base units."""
        return [
            (token, int(amount), None if limit is None else int(limit))
            for token, amount, limit in self.db.execute(
                "SELECT token, amount, exposure_limit FROM holdings ORDER BY token"
            )
        ]

    def holding(self, token: str) -> tuple[int, int | None] | None:
        row = self.db.execute(
            "SELECT amount, exposure_limit FROM holdings WHERE token = ?", (canonical_address(token),)
        ).fetchone()
        return (int(row[0]), None if row[1] is None else int(row[1])) if row else None

    def set_listed(self, address: str, which: str) -> None:
        if which not in LISTS:
            raise StoreError("CONTEXT_INVALID", "a list is allow or deny")
        self._write("INSERT OR IGNORE INTO lists VALUES (?, ?)", (_address(address), which))

    def lists(self) -> list[tuple[str, str]]:
        """(address, allow | deny)."""
        return list(self.db.execute("SELECT address, list FROM lists ORDER BY list, address"))

    def listed(self, address: str, which: str) -> bool:
        return (
            self.db.execute(
                "SELECT 1 FROM lists WHERE address = ? AND list = ?", (canonical_address(address), which)
            ).fetchone()
            is not None
        )

    def add_fact(self, kind: str, address: str, value: str = "") -> None:
        """One fact as a person states it: `contact LABEL`, `interaction send|approve|receive`,
        `holding AMOUNT[:LIMIT]` (address: the token), `allow`, `deny`."""
        adders = {
            "contact": lambda: self.add_contact(address, value or address),
            "interaction": lambda: self.record_interaction(address, value or "send"),
            "holding": lambda: self.set_holding(address, *_amount_and_limit(value)),
            "allow": lambda: self.set_listed(address, "allow"),
            "deny": lambda: self.set_listed(address, "deny"),
        }
        if kind not in adders:
            raise StoreError("CONTEXT_INVALID", f"unknown kind {kind!r}: one of {', '.join(adders)}")
        adders[kind]()

    def remove_fact(self, kind: str, address: str) -> bool:
        """Forget one fact (`contact`, `interaction`: all with that counterparty, `holding`, `allow`, `deny`);
        False when there was none."""
        removers = {
            "contact": ("DELETE FROM address_book WHERE address = ?", ()),
            "interaction": ("DELETE FROM interactions WHERE counterparty = ?", ()),
            "holding": ("DELETE FROM holdings WHERE token = ?", ()),
            "allow": ("DELETE FROM lists WHERE address = ? AND list = ?", ("allow",)),
            "deny": ("DELETE FROM lists WHERE address = ? AND list = ?", ("deny",)),
        }
        if kind not in removers:
            raise StoreError("CONTEXT_INVALID", f"unknown kind {kind!r}: one of {', '.join(removers)}")
        sql, extra = removers[kind]
        return self._write(sql, (_address(address), *extra)) > 0

    def import_context(self, data: dict) -> None:
        """Many facts: `{contacts: {addr: label}, interactions: [{counterparty, kind, token, amount, at}],
        holdings: {token: {amount, limit}}, allow: [addr], deny: [addr]}`; facts before a fault stay stored."""
        unknown = sorted(set(data) - set(CONTEXT_SECTIONS)) if isinstance(data, dict) else []
        if unknown:  # a misspelt section would import nothing, silently
            raise StoreError("CONTEXT_INVALID", f"unknown section {unknown[0]!r}: one of {', '.join(CONTEXT_SECTIONS)}")
        try:
            for address, label in data.get("contacts", {}).items():
                self.add_contact(address, label)
            for item in data.get("interactions", []):
                self.record_interaction(
                    item["counterparty"],
                    item.get("kind", "send"),
                    item.get("token"),
                    item.get("amount"),
                    item.get("at"),
                )
            for token, holding in data.get("holdings", {}).items():
                self.set_holding(token, holding.get("amount", 0), holding.get("limit"))
            for which in ("allow", "deny"):
                for address in data.get(which, []):
                    self.set_listed(address, which)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise StoreError(
                "CONTEXT_INVALID", f"not a context of the documented shape ({type(exc).__name__}: {exc})"
            ) from exc

    def summary(self) -> dict[str, int]:
        return {
            table: self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("address_book", "interactions", "holdings", "lists", "pairings", "verdicts")
        }

    # pairing -----------------------------------------------------------------------------

    def add_offer(self, token_hash: bytes, expires_at: int) -> None:
        self._write("INSERT INTO offers VALUES (?, ?, NULL)", (token_hash, expires_at))

    def spend_offer(self, token_hash: bytes, now: int) -> None:
        """Use a pairing token once, before it expires; anything else is refused."""
        with self._lock:
            changed = self.db.execute(
                "UPDATE offers SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?",
                (now, token_hash, now),
            ).rowcount
        if changed != 1:
            row = self.db.execute(
                "SELECT expires_at, used_at FROM offers WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            code = (
                "PAIRING_TOKEN_UNKNOWN"
                if row is None
                else "PAIRING_TOKEN_USED"
                if row[1] is not None
                else "PAIRING_OFFER_EXPIRED"
            )
            raise StoreError(code, "the pairing token is unknown, already used or expired")

    def add_pairing(self, device_id: str, public_key: bytes, name: str, now: int) -> None:
        self._write(
            "INSERT INTO pairings (device_id, public_key, name, paired_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(device_id) DO UPDATE SET public_key = excluded.public_key, name = excluded.name, "
            "paired_at = excluded.paired_at, revoked_at = NULL",
            (device_id, public_key, name, now),
        )
        # A re-paired key keeps its highest counter: requests signed before an unpairing stay dead.

    def pairing(self, device_id: str) -> Pairing | None:
        row = self.db.execute(
            "SELECT device_id, public_key, name, paired_at, revoked_at, last_counter FROM pairings WHERE device_id = ?",
            (device_id,),
        ).fetchone()
        return Pairing(*row) if row else None

    def pairings(self) -> list[Pairing]:
        return [
            Pairing(*r)
            for r in self.db.execute(
                "SELECT device_id, public_key, name, paired_at, revoked_at, last_counter FROM pairings"
            )
        ]

    def revoke(self, device_id: str, now: int) -> bool:
        return (
            self._write(
                "UPDATE pairings SET revoked_at = ? WHERE device_id = ? AND revoked_at IS NULL", (now, device_id)
            )
            == 1
        )

    def advance_counter(self, device_id: str, counter: int) -> None:
        """Accept `counter` only if it is above the last one seen for this device (no replays)."""
        with self._lock:
            changed = self.db.execute(
                "UPDATE pairings SET last_counter = ? WHERE device_id = ? AND last_counter < ? AND revoked_at IS NULL",
                (counter, device_id, counter),
            ).rowcount
        if changed != 1:
            raise StoreError(
                "REQUEST_REPLAYED", "the request counter is not above the last one seen (a replay or a reordering)"
            )

    def record_verdict(
        self, request_id: bytes, device_id: str, digest: bytes, verdict: Verdict, risk: float, now: int
    ) -> None:
        self._write(
            "INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?)", (request_id, device_id, digest, verdict, risk, now)
        )

    def has_verdict(self, request_id: bytes) -> bool:
        return self.db.execute("SELECT 1 FROM verdicts WHERE request_id = ?", (request_id,)).fetchone() is not None

    def recent_verdicts(self, limit: int = 10) -> list[tuple]:
        return list(
            self.db.execute(
                "SELECT request_id, device_id, verdict, risk, at FROM verdicts ORDER BY at DESC LIMIT ?", (limit,)
            )
        )
