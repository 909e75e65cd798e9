"""Hashing, address checksums and signature recovery.

keccak comes from eth-hash (pycryptodome backend, the one compiled piece on the gate's
path); secp256k1 recovery is this project's pure-Python `secp256k1` module, so the gate
runs where no compiled curve library exists.
"""

from __future__ import annotations

from eth_hash.auto import keccak as _keccak

from .errors import EdgeError
from .secp256k1 import recover_public_key

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_HALF_N = SECP256K1_N // 2


def keccak(data: bytes) -> bytes:
    """keccak-256 of `data`."""
    return _keccak(data)


def to_checksum(address: bytes) -> str:
    """EIP-55 mixed-case form of a 20-byte address."""
    hexaddr = address.hex()
    digest = keccak(hexaddr.encode()).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(hexaddr))


def check_signature_values(y_parity: int, r: int, s: int, where: str) -> None:
    """Reject signature values that no valid post-Homestead signature can have (EIP-2)."""
    if y_parity not in (0, 1):
        raise EdgeError("TX_SIGNATURE_INVALID", f"{where}: y-parity must be 0 or 1, got {y_parity}", where)
    if not 1 <= r < SECP256K1_N:
        raise EdgeError("TX_SIGNATURE_INVALID", f"{where}: r is outside the curve order", where)
    if not 1 <= s <= SECP256K1_HALF_N:
        raise EdgeError(
            "TX_SIGNATURE_INVALID", f"{where}: s is zero or in the upper half of the curve order (EIP-2)", where
        )


def recover_address(message_hash: bytes, y_parity: int, r: int, s: int, where: str) -> bytes:
    """Recover the 20-byte signer of `message_hash`; a signature with no signer is an error."""
    check_signature_values(y_parity, r, s, where)
    public_key = recover_public_key(message_hash, y_parity, r, s)
    if public_key is None:
        raise EdgeError("TX_SIGNATURE_INVALID", f"{where}: no public key recovers from this signature", where)
    return keccak(public_key)[-20:]
