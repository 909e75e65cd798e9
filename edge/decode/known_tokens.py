"""Well-known ERC-20 tokens per chain: symbol, address and decimals, for checking what a user asked for.

Only tokens whose address is certain are listed; a symbol missing here is never guessed, so
an intent naming it is checked by address only. Native coins map to their wrapped token,
the form routers swap.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnownToken:
    symbol: str
    address: str
    decimals: int
    stable: bool = False  # worth about one US dollar: a cent is its smallest meaningful amount


_TABLE: dict[int, tuple[KnownToken, ...]] = {
    1: (
        KnownToken("WETH", "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", 18),
        KnownToken("USDC", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6, stable=True),
        KnownToken("USDT", "0xdAC17F958D2ee523a2206206994597C13D831ec7", 6, stable=True),
        KnownToken("DAI", "0x6B175474E89094C44Da98b954EedeAC495271d0F", 18, stable=True),
        KnownToken("WBTC", "0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599", 8),
        KnownToken("PEPE", "0x6982508145454Ce325dDbE47a25d4ec3d2311933", 18),
        KnownToken("UNI", "0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984", 18),
        KnownToken("LINK", "0x514910771AF9Ca656af840dff83E8264EcF986CA", 18),
    ),
    8453: (
        KnownToken("WETH", "0x4200000000000000000000000000000000000006", 18),
        KnownToken("USDC", "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", 6, stable=True),
    ),
    56: (
        KnownToken("WBNB", "0xbb4CdB9CBd36B01bD1cBaEBF2De08d9173bc095c", 18),
        KnownToken("USDT", "0x55d398326f99059fF775485246999027B3197955", 18, stable=True),
        KnownToken("USDC", "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d", 18, stable=True),
    ),
}
NATIVE = {1: "ETH", 8453: "ETH", 56: "BNB"}


def by_symbol(chain_id: int | None, symbol: str) -> KnownToken | None:
    """The token `symbol` names on `chain_id`; a native coin's symbol names its wrapped token."""
    symbol = symbol.upper().lstrip("$")
    if chain_id is not None and NATIVE.get(chain_id) == symbol:
        symbol = "W" + symbol
    return next((t for t in _TABLE.get(chain_id or 0, ()) if t.symbol == symbol), None)


def by_address(chain_id: int | None, address: str) -> KnownToken | None:
    return next((t for t in _TABLE.get(chain_id or 0, ()) if t.address.lower() == str(address).lower()), None)
