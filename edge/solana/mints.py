"""Solana mints the gate knows by symbol and decimals (mainnet), so amounts read as tokens and a stated symbol
names one mint. SOL is its wrapped mint: swaps move SOL as wSOL."""

from __future__ import annotations

from dataclasses import dataclass

WRAPPED_SOL = "So11111111111111111111111111111111111111112"


@dataclass(frozen=True, slots=True)
class Mint:
    address: str
    symbol: str
    decimals: int


MINTS: tuple[Mint, ...] = tuple(
    Mint(address, symbol, decimals)
    for address, symbol, decimals in (
        (WRAPPED_SOL, "SOL", 9),
        ("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "USDC", 6),
        ("Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB", "USDT", 6),
        ("JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN", "JUP", 6),
        ("DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263", "BONK", 5),
        ("EKpQGSJtjMFqKZ9KQanSqYXRcF8fBopzLHYxdM65zcjm", "WIF", 6),
        ("mSoLzYCxHdYgdzU16g5QSh3i5K3z3KZK7ytfqcJm7So", "MSOL", 9),
    )
)
BY_ADDRESS = {m.address: m for m in MINTS}
BY_SYMBOL = {m.symbol: m for m in MINTS} | {"WSOL": BY_ADDRESS[WRAPPED_SOL]}
