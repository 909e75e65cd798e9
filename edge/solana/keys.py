"""Solana keys: base58 public keys, Ed25519's on-curve check, program-derived and associated token addresses."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from dmind.policies.base58 import b58decode, b58encode

from ..errors import EdgeError

_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P
_PDA_MARKER = b"ProgramDerivedAddress"
MAX_SEED_BYTES = 32
MAX_SEEDS = 16

SYSTEM_PROGRAM = "11111111111111111111111111111111"
TOKEN_PROGRAM = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
TOKEN_2022_PROGRAM = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb"
ASSOCIATED_TOKEN_PROGRAM = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL"


def parse_pubkey(value: object, where: str) -> str:
    """A base58 public key (32 bytes), as written canonically; ADDRESS_INVALID otherwise."""
    try:
        raw = b58decode(value, 32) if isinstance(value, str) else b""
    except ValueError as exc:
        raise EdgeError("ADDRESS_INVALID", f"{where} is not a Solana address: {exc}", where) from None
    if len(raw) != 32 or b58encode(raw) != value:
        raise EdgeError("ADDRESS_INVALID", f"{where} is not a Solana address (32 bytes in base58)", where)
    return value


def on_curve(key: bytes) -> bool:
    """Whether 32 bytes decode to a point of Ed25519 (RFC 8032 §5.1.3): a key some private key may own."""
    y = int.from_bytes(key, "little") & ((1 << 255) - 1)
    if y >= _P:
        return False
    y2 = y * y % _P
    x2 = (y2 - 1) * pow(_D * y2 + 1, _P - 2, _P) % _P
    if x2 == 0:
        return not key[31] >> 7  # x = 0 has no negative form
    return pow(x2, (_P - 1) // 2, _P) == 1  # Euler's criterion: x² has a square root


def create_program_address(seeds: tuple[bytes, ...], program: str) -> str | None:
    """The address `program` can sign for with `seeds`, or None where the hash lands on the curve."""
    if len(seeds) > MAX_SEEDS or any(len(s) > MAX_SEED_BYTES for s in seeds):
        raise ValueError(f"at most {MAX_SEEDS} seeds of {MAX_SEED_BYTES} bytes")
    digest = hashlib.sha256(b"".join(seeds) + b58decode(program, 32) + _PDA_MARKER).digest()
    return None if on_curve(digest) else b58encode(digest)


def find_program_address(seeds: tuple[bytes, ...], program: str) -> tuple[str, int]:
    """The canonical program-derived address: the first bump from 255 down that lands off the curve."""
    for bump in range(255, -1, -1):
        address = create_program_address((*seeds, bytes([bump])), program)
        if address is not None:
            return address, bump
    raise ValueError("no bump gives an address off the curve")


@lru_cache(maxsize=4096)  # pure, and the rules ask for the same wallet's accounts several times per transaction
def associated_token_address(owner: str, mint: str, token_program: str = TOKEN_PROGRAM) -> str:
    """The token account the Associated Token Account program gives `owner` for `mint`."""
    seeds = (b58decode(owner, 32), b58decode(token_program, 32), b58decode(mint, 32))
    return find_program_address(seeds, ASSOCIATED_TOKEN_PROGRAM)[0]
