"""Chains as CAIP-2 ids, and each namespace's one spelling of an address, for the policy and the edge alike.

A chain is `eip155:<chain id>` or a Solana cluster's `solana:<genesis hash prefix>`; a bare
decimal chain id (`1`, as EIP-1193 and older policies write it) means `eip155:1`. Written
out, an EVM chain keeps its decimal form (so bundles signed before Solana read and encode
exactly as they did) and every other chain its CAIP-2 id. EVM addresses are compared in
lower case; Solana addresses are base58 and case is part of the key.
"""

from __future__ import annotations

import re
from typing import Any

from .base58 import b58decode

UINT64_MAX = 2**64 - 1
EIP155 = "eip155"
SOLANA = "solana"
# CAIP-2 references of the Solana clusters: the first 32 base58 characters of each genesis hash.
SOLANA_NETWORKS = {
    "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp": "mainnet-beta",
    "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1": "devnet",
    "solana:4uhcVJyU9pJkvQyS88uRDiswHXSCkY3z": "testnet",
}
SOLANA_MAINNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also accepts "²" and "１"
_EVM_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def evm_chain(text: str) -> int | None:
    """The chain id a decimal string or `eip155:<n>` names (below 2^64, no leading zeros), else None."""
    digits = text[len(EIP155) + 1 :] if text.startswith(EIP155 + ":") else text
    if not DIGITS.fullmatch(digits) or len(digits) > 20 or (len(digits) > 1 and digits[0] == "0"):
        return None
    return int(digits) if int(digits) <= UINT64_MAX else None


def parse_chain(value: Any) -> str | None:
    """The CAIP-2 id of a chain key (an integer, a decimal string, `eip155:<n>` or a Solana cluster), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{EIP155}:{value}" if 0 <= value <= UINT64_MAX else None
    if not isinstance(value, str):
        return None
    if value in SOLANA_NETWORKS:
        return value
    chain = evm_chain(value)
    return None if chain is None else f"{EIP155}:{chain}"


def caip2(chain_id: int | None, network: str | None) -> str | None:
    """A request's or payload's chain as one CAIP-2 id: its non-EVM network, else its EVM chain id, else None."""
    return network or (f"{EIP155}:{chain_id}" if chain_id is not None else None)


def namespace(chain: str) -> str:
    return chain.split(":", 1)[0]


def chain_key(chain: str) -> str:
    """How a chain is written in a policy's tables: `1` for `eip155:1`, the CAIP-2 id for any other."""
    return chain.split(":", 1)[1] if namespace(chain) == EIP155 else chain


def chain_order(chain: str) -> tuple[int, int, str]:
    """One order for chains: EVM by chain id, then the others by id."""
    return (0, int(chain.split(":", 1)[1]), "") if namespace(chain) == EIP155 else (1, 0, chain)


def address_in(chain_namespace: str, value: Any) -> str | None:
    """The one spelling of an address in a namespace (EVM lower-case, Solana base58 of 32 bytes), else None."""
    if not isinstance(value, str):
        return None
    if chain_namespace == EIP155:
        return value.lower() if _EVM_ADDRESS.fullmatch(value) else None
    try:
        return value if len(b58decode(value, 32)) == 32 else None
    except ValueError:
        return None


def any_address(value: Any) -> str | None:
    """An address of either namespace (an EVM address starts with 0x, which base58 never writes)."""
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        return address_in(EIP155, value)
    return address_in(SOLANA, value)
