"""The WalletConnect / Wallet Standard Solana methods: from their params to the exact bytes the key signs.

`solana_signTransaction`, `solana_signAndSendTransaction` (`{"transaction": base64}`, base58
as older clients send it), `solana_signAllTransactions` (`{"transactions": [...]}`) and
`solana_signMessage` (`{"message": base58, "pubkey": base58}`) and `solana_signIn` (Sign In With
Solana's structured input, written out as the wallet would write its text). A transaction string that
reads as a valid transaction both in base64 and in base58 is ambiguous and refused: the two
readings sign different bytes. The digest is SHA-256 of the message bytes (of each message's
digest in order, for several), so a decision names exactly what the key signs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from dmind.policies.base58 import b58decode
from dmind.policies.chains import SOLANA_NETWORKS

from ..errors import EdgeError
from ..findings import Finding, finding
from ..limits import MAX_MESSAGE_BYTES, MAX_SOLANA_TRANSACTIONS
from ..solana.keys import parse_pubkey
from ..solana.wire import PACKET_DATA_SIZE, Transaction, parse_transaction, reads_as_transaction
from ..types import DigestKind, Payload, PayloadKind, Request

_MAX_TX_CHARS = PACKET_DATA_SIZE * 138 // 100 + 2  # base58 is the longer of the two encodings


def _object(request: Request, keys: tuple[str, ...]) -> dict[str, Any]:
    """The method's params object (alone, or first of a list), with the keys it must have."""
    params = request.params[0] if len(request.params) == 1 else None
    if not isinstance(params, dict) or any(k not in params for k in keys):
        raise EdgeError("PARAMS_INVALID", f"{request.method} needs an object with {', '.join(keys)}", "params")
    return params


def read_transaction(value: object, where: str) -> Transaction:
    """One encoded transaction: base64 (the standard) or base58 (older clients); refused where both read."""
    if not isinstance(value, str) or not value:
        raise EdgeError("PARAMS_INVALID", f"{where} must be a base64 string", where)
    if len(value) > _MAX_TX_CHARS:
        raise EdgeError("SOLANA_TX_TOO_LARGE", f"{where} is longer than a {PACKET_DATA_SIZE}-byte transaction", where)
    readings: dict[bytes, Transaction] = {}
    errors: list[EdgeError] = []
    for decode in (_base64, _base58):
        raw = decode(value)
        if raw is None:
            continue
        try:
            readings[raw] = parse_transaction(raw, where)
        except EdgeError as exc:
            errors.append(exc)
    if len(readings) > 1:
        raise EdgeError(
            "PARAMS_AMBIGUOUS",
            f"{where} is a valid transaction both as base64 and as base58: they sign different bytes",
            where,
        )
    if readings:
        return next(iter(readings.values()))
    if errors:
        raise errors[0]
    raise EdgeError("SOLANA_ENCODING_INVALID", f"{where} is neither base64 nor base58", where)


def _base64(value: str) -> bytes | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode() == value else None  # one spelling per byte string


def _base58(value: str) -> bytes | None:
    try:
        return b58decode(value, PACKET_DATA_SIZE)
    except ValueError:
        return None


def _digest(messages: list[bytes]) -> bytes:
    if len(messages) == 1:
        return hashlib.sha256(messages[0]).digest()
    return hashlib.sha256(b"".join(hashlib.sha256(m).digest() for m in messages)).digest()


def _transactions(request: Request, txs: list[Transaction], kind: PayloadKind) -> Payload:
    tables = request.lookup_tables
    messages = tuple(tx.message.with_tables(tables) if tables else tx.message for tx in txs)
    raw = [m.raw for m in messages]
    return Payload(
        kind=kind,
        method=request.method,
        chain_id=None,
        network=request.network,
        signer=request.account,
        signing_bytes=b"".join(raw),
        digest=_digest(raw),
        digest_kind=DigestKind.SOLANA_MESSAGE,
        solana=messages,
    )


def parse_sign_transaction(request: Request) -> Payload:
    """`solana_signTransaction` and `solana_signAndSendTransaction`: one transaction."""
    tx = read_transaction(_object(request, ("transaction",))["transaction"], "params.transaction")
    return _transactions(request, [tx], PayloadKind.TRANSACTION)


def parse_sign_all(request: Request) -> Payload:
    """`solana_signAllTransactions`: every transaction is decided, and the worst finding decides them all."""
    encoded = _object(request, ("transactions",))["transactions"]
    if not isinstance(encoded, list) or not encoded:
        raise EdgeError("PARAMS_INVALID", "params.transactions must be a non-empty list", "params.transactions")
    if len(encoded) > MAX_SOLANA_TRANSACTIONS:
        raise EdgeError(
            "REQUEST_TOO_LARGE",
            f"at most {MAX_SOLANA_TRANSACTIONS} transactions can be signed in one request",
            "params.transactions",
        )
    txs = [read_transaction(value, f"params.transactions[{i}]") for i, value in enumerate(encoded)]
    return _transactions(request, txs, PayloadKind.BATCH)


def _message_payload(request: Request, signer: str | None, message: bytes, notes: list[Finding]) -> Payload:
    """Off-chain bytes the key signs as they are (signMessage, a sign-in): their digest is SHA-256 of them."""
    return Payload(
        kind=PayloadKind.MESSAGE,
        method=request.method,
        chain_id=None,
        network=request.network,
        signer=signer,
        signing_bytes=message,
        digest=hashlib.sha256(message).digest(),
        digest_kind=DigestKind.SOLANA_MESSAGE,
        message=message,
        notes=tuple(notes),
    )


def parse_sign_message(request: Request) -> Payload:
    """`solana_signMessage`: base58 bytes signed as they are; bytes that read as a transaction are refused."""
    params = _object(request, ("message", "pubkey"))
    signer = parse_pubkey(params["pubkey"], "params.pubkey")
    try:
        message = b58decode(params["message"], MAX_MESSAGE_BYTES) if isinstance(params["message"], str) else None
    except ValueError as exc:
        raise EdgeError("SOLANA_ENCODING_INVALID", f"params.message is not base58: {exc}", "params.message") from None
    if message is None:
        raise EdgeError("PARAMS_INVALID", "params.message must be a base58 string", "params.message")
    notes: list[Finding] = []
    if reads_as_transaction(message):
        notes.append(finding("SOLANA_MESSAGE_IS_TRANSACTION", "params.message", size=len(message)))
    return _message_payload(request, signer, message, notes)


# Sign In With Solana: the input's optional fields, in the order the message writes them, with their labels
# (Wallet Standard's createSignInMessageText); `domain`, `address` and `statement` come first, unlabelled.
SIGN_IN_FIELDS = (
    ("uri", "URI"),
    ("version", "Version"),
    ("chainId", "Chain ID"),
    ("nonce", "Nonce"),
    ("issuedAt", "Issued At"),
    ("expirationTime", "Expiration Time"),
    ("notBefore", "Not Before"),
    ("requestId", "Request ID"),
)
_SIGN_IN_KEYS = {"domain", "address", "statement", "resources", *(key for key, _ in SIGN_IN_FIELDS)}
MAX_SIGN_IN_RESOURCES = 64
# An RFC 3986 authority without userinfo: an ASCII host name or a bracketed IP literal, and a port.
_AUTHORITY = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
# What a sign-in's chain ID may say of a cluster (SIWS writes names; CAIP-2 ids are accepted as well).
_SIGN_IN_CHAINS = {
    name: caip2
    for caip2, cluster in SOLANA_NETWORKS.items()
    for name in (caip2, cluster, cluster.removesuffix("-beta"), f"solana:{cluster.removesuffix('-beta')}")
}


def _visible(text: str) -> bool:
    """No control, format or separator character: nothing that breaks a line for some reader (\\n, \\x1c, U+2028),
    hides (zero-width) or reorders (bidi) what the user is shown. SIWE's grammar allows none of them in a field."""
    return not any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in text)


def _field(params: dict[str, Any], key: str) -> str | None:
    """An optional text field of the input: present means a non-empty string of one visible line."""
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value or not _visible(value):
        raise EdgeError("PARAMS_INVALID", f"params.{key} must be one non-empty line of visible text", f"params.{key}")
    return value


def sign_in_text(params: dict[str, Any], domain: str, address: str) -> str:
    """The Sign In With Solana message for an input, line for line as Wallet Standard writes it (no checks here)."""
    text = f"{domain} wants you to sign in with your Solana account:\n{address}"
    if params.get("statement"):
        text += f"\n\n{params['statement']}"
    fields = [f"{label}: {params[key]}" for key, label in SIGN_IN_FIELDS if params.get(key)]
    if params.get("resources"):
        fields.extend(["Resources:", *(f"- {resource}" for resource in params["resources"])])
    return text + ("\n\n" + "\n".join(fields) if fields else "")


def _host(origin: str | None) -> str | None:
    """The host and port of the requesting site, as a wallet fills a sign-in's missing domain (never userinfo)."""
    if not origin:
        return None
    try:
        parts = urlsplit(origin if "://" in origin else f"https://{origin}")
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port is not None else host


def _sign_in_input(params: dict[str, Any], request: Request) -> tuple[dict[str, Any], str, str]:
    """The input checked field by field: (its fields, the domain, the signing address)."""
    unknown = sorted(str(k) for k in params if k not in _SIGN_IN_KEYS)
    if unknown:
        raise EdgeError("PARAMS_INVALID", f"solana_signIn has no field {unknown[0]!r}", f"params.{unknown[0]}")
    fields: dict[str, Any] = {key: _field(params, key) for key in ("statement", *(k for k, _ in SIGN_IN_FIELDS))}
    resources = params.get("resources")
    if resources is not None:
        if not isinstance(resources, list) or not 0 < len(resources) <= MAX_SIGN_IN_RESOURCES:
            raise EdgeError(
                "PARAMS_INVALID",
                f"params.resources must be a list of 1 to {MAX_SIGN_IN_RESOURCES} URIs",
                "params.resources",
            )
        fields["resources"] = [_field({"resources": r}, "resources") for r in resources]
    domain = _field(params, "domain") or _host(request.origin)
    if not domain or not _AUTHORITY.fullmatch(domain):
        raise EdgeError(
            "PARAMS_INVALID",
            "solana_signIn needs a domain (a host and optional port), in params or as the request's origin",
            "params.domain",
        )
    named = params.get("address")
    signer = parse_pubkey(named, "params.address") if named is not None else request.account
    if signer is None:
        raise EdgeError(
            "PARAMS_INVALID", "solana_signIn needs an address, in params or as the request's from", "params.address"
        )
    return fields, domain, signer


def parse_sign_in(request: Request) -> Payload:
    """`solana_signIn`: the wallet writes the message from the input, so the gate writes the same text and decides
    those bytes. A missing domain is the requesting site's host, a missing address the request's account; a chain ID
    naming another cluster than the request's is noted."""
    fields, domain, signer = _sign_in_input(_object(request, ()), request)
    message = sign_in_text(fields, domain, signer).encode()
    if len(message) > MAX_MESSAGE_BYTES:
        raise EdgeError("REQUEST_TOO_LARGE", f"the sign-in message is longer than {MAX_MESSAGE_BYTES} bytes", "params")
    notes: list[Finding] = []
    claimed = _SIGN_IN_CHAINS.get(fields["chainId"] or "")
    if claimed is not None and request.network is not None and claimed != request.network:
        notes.append(
            finding(
                "CHAIN_ID_MISMATCH", "params.chainId", key="payload", chain_id=fields["chainId"], wallet=request.network
            )
        )
    return _message_payload(request, signer, message, notes)


SOLANA_METHODS = {
    "solana_signTransaction": parse_sign_transaction,
    "solana_signAndSendTransaction": parse_sign_transaction,
    "solana_signAllTransactions": parse_sign_all,
    "solana_signMessage": parse_sign_message,
    "solana_signIn": parse_sign_in,
}
