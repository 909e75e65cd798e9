"""Key derivation for the device: BIP-39 seed from a mnemonic, BIP-32 paths, Ethereum addresses, and SLIP-10
Ed25519 keys for Solana (`m/44'/501'/…'`, every level hardened).

Pure Python (hashlib, hmac and the gate's own secp256k1 module), as a coprocessor would run
it. The emulator derives from a public test mnemonic; it never holds real funds.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from dmind.edge import keccak, secp256k1, to_checksum

HARDENED = 1 << 31
SOLANA_COIN = 501  # SLIP-44
MAX_DEPTH = 10  # BIP-44 uses 5; every level costs elliptic-curve work on the device
# Hardhat's and Foundry's public test mnemonic: m/44'/60'/0'/0/0 is 0xf39F…2266.
TEST_MNEMONIC = "test test test test test test test test test test test junk"
_SEGMENT = re.compile(r"([0-9]+)('?)")


@dataclass(frozen=True, slots=True)
class ExtendedKey:
    key: int
    chain_code: bytes


def seed_from_mnemonic(mnemonic: str, passphrase: str = "") -> bytes:
    """BIP-39 seed: PBKDF2-HMAC-SHA512, 2048 rounds (the word-list checksum is not checked)."""
    words = unicodedata.normalize("NFKD", " ".join(mnemonic.split()))
    salt = unicodedata.normalize("NFKD", "mnemonic" + passphrase)
    return hashlib.pbkdf2_hmac("sha512", words.encode(), salt.encode(), 2048)


def parse_path(path: str) -> list[int]:
    """`m/44'/60'/0'/0/3` to child indexes; hardened segments get 2^31 added."""
    parts = path.strip().split("/")
    if parts[0] != "m":
        raise ValueError("a derivation path must start with m/")
    if len(parts) - 1 > MAX_DEPTH:
        raise ValueError(f"a derivation path has at most {MAX_DEPTH} levels")
    indexes = []
    for part in parts[1:]:
        match = _SEGMENT.fullmatch(part)
        if not match or len(match.group(1)) > 10 or int(match.group(1)) >= HARDENED:
            raise ValueError(f"bad derivation path segment {part[:12]!r}")
        indexes.append(int(match.group(1)) + (HARDENED if match.group(2) else 0))
    return indexes


def _compressed(key: int) -> bytes:
    x, y = secp256k1.public_key(key)
    return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")


def derive(seed: bytes, path: str) -> ExtendedKey:
    """BIP-32 private derivation of `path` from a seed."""
    digest = hmac.new(b"Bitcoin seed", seed, hashlib.sha512).digest()
    node = ExtendedKey(int.from_bytes(digest[:32], "big"), digest[32:])
    for index in parse_path(path):
        data = (b"\x00" + node.key.to_bytes(32, "big")) if index >= HARDENED else _compressed(node.key)
        digest = hmac.new(node.chain_code, data + index.to_bytes(4, "big"), hashlib.sha512).digest()
        tweak = int.from_bytes(digest[:32], "big")
        child = (tweak + node.key) % secp256k1.N
        if tweak >= secp256k1.N or child == 0:  # probability < 2^-127; BIP-32 says skip to the next index
            raise ValueError(f"index {index} gives an invalid key; use the next one")
        node = ExtendedKey(child, digest[32:])
    return node


def derive_ed25519(seed: bytes, path: str) -> bytes:
    """SLIP-10 Ed25519 derivation of `path` (hardened levels only): the 32-byte private key (RFC 8032 seed)."""
    digest = hmac.new(b"ed25519 seed", seed, hashlib.sha512).digest()
    for index in parse_path(path):
        if index < HARDENED:
            raise ValueError("SLIP-10 derives Ed25519 keys at hardened levels only: write every level with '")
        digest = hmac.new(digest[32:], b"\x00" + digest[:32] + index.to_bytes(4, "big"), hashlib.sha512).digest()
    return digest[:32]


def is_solana_path(path: str) -> bool:
    """Whether `path` is under BIP-44 coin type 501 (Solana): m/44'/501'/…"""
    return path.replace(" ", "").startswith(f"m/44'/{SOLANA_COIN}'")


def address_of(private_key: int) -> str:
    """The EIP-55 Ethereum address of a private key."""
    x, y = secp256k1.public_key(private_key)
    return to_checksum(keccak(x.to_bytes(32, "big") + y.to_bytes(32, "big"))[-20:])
