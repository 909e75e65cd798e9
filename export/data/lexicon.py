"""What conversations are made of: tokens, chains, keywords, addresses and the assistant's fixed replies."""

from __future__ import annotations

import string
from dataclasses import dataclass
from random import Random

from dmind.edge.nano import TOKEN_NAMES

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Token:
    symbol: str
    chain: str  # the chain a search without a named chain finds it on
    name: str = ""
    decimals: int = 18
    also_on: tuple[str, ...] = ()  # other chains a search by symbol finds it on: the user is asked which

    @property
    def zh(self) -> tuple[str, ...]:
        """Chinese names users write for it: the names the runtime's grounding knows."""
        return tuple(name for name, symbol in TOKEN_NAMES.items() if symbol == self.symbol)


TOKENS = tuple(
    Token(symbol, chain, name, decimals, also_on)
    for symbol, chain, name, decimals, also_on in (
        ("SOL", "solana", "Solana", 9, ()),
        ("USDC", "ethereum", "USD Coin", 6, ("solana", "base", "bsc")),
        ("USDT", "ethereum", "Tether USD", 6, ("bsc", "solana")),
        ("ETH", "ethereum", "Ether", 18, ("base",)),
        ("WETH", "ethereum", "Wrapped Ether", 18, ("base",)),
        ("WBTC", "ethereum", "Wrapped BTC", 8, ()),
        ("BNB", "bsc", "BNB", 18, ()),
        ("CAKE", "bsc", "PancakeSwap Token", 18, ()),
        ("BONK", "solana", "Bonk", 5, ()),
        ("WIF", "solana", "dogwifhat", 6, ()),
        ("JUP", "solana", "Jupiter", 6, ()),
        ("PEPE", "ethereum", "Pepe", 18, ("bsc",)),
        ("SHIB", "ethereum", "Shiba Inu", 18, ()),
        ("UNI", "ethereum", "Uniswap", 18, ()),
        ("LINK", "ethereum", "Chainlink", 18, ("bsc",)),
        ("AERO", "base", "Aerodrome", 18, ()),
        ("BRETT", "base", "Brett", 18, ()),
        ("DEGEN", "base", "Degen", 18, ()),
        ("TOSHI", "base", "Toshi", 18, ()),
        ("RAY", "solana", "Raydium", 6, ()),
        ("ORCA", "solana", "Orca", 6, ()),
        ("PYTH", "solana", "Pyth Network", 6, ()),
        ("ARB", "ethereum", "Arbitrum", 18, ()),
        ("AAVE", "ethereum", "Aave", 18, ()),
        ("MKR", "ethereum", "Maker", 18, ()),
        ("DAI", "ethereum", "Dai", 18, ("base",)),
        ("FLOKI", "bsc", "Floki", 9, ("ethereum",)),
        ("TRUMP", "solana", "Official Trump", 6, ()),
        ("POPCAT", "solana", "Popcat", 9, ()),
        ("MEW", "solana", "cat in a dogs world", 5, ()),
        ("VIRTUAL", "base", "Virtual Protocol", 18, ()),
        ("DOGE", "bsc", "Dogecoin", 8, ()),
        ("TWT", "bsc", "Trust Wallet Token", 18, ()),
        ("XVS", "bsc", "Venus", 18, ()),
        ("ONDO", "ethereum", "Ondo", 18, ()),
        ("ENA", "ethereum", "Ethena", 18, ()),
        ("WSTETH", "ethereum", "Wrapped stETH", 18, ("base",)),
        ("CBBTC", "base", "Coinbase Wrapped BTC", 8, ("ethereum",)),
        ("LDO", "ethereum", "Lido DAO", 18, ()),
        ("MOG", "ethereum", "Mog Coin", 18, ("base",)),
        ("PENGU", "solana", "Pudgy Penguins", 6, ()),
        ("FARTCOIN", "solana", "Fartcoin", 6, ()),
        ("GIGA", "solana", "Gigachad", 5, ()),
        ("AVAX", "ethereum", "Avalanche", 18, ("bsc",)),
        ("MATIC", "ethereum", "Polygon", 18, ()),
        ("SUSHI", "ethereum", "SushiSwap", 18, ()),
        ("HIGHER", "base", "Higher", 18, ()),
        ("KEYCAT", "base", "Keyboard Cat", 18, ()),
        ("BABYDOGE", "bsc", "Baby Doge Coin", 9, ()),
        ("XRP", "bsc", "XRP", 18, ()),
        ("ZRO", "ethereum", "LayerZero", 18, ("base",)),
        # Tickers that hold another ticker ("msol" holds "sol"): the token meant is the whole word.
        ("MSOL", "solana", "Marinade staked SOL", 9, ()),
        ("JITOSOL", "solana", "Jito Staked SOL", 9, ()),
        ("BSOL", "solana", "BlazeStake Staked SOL", 9, ()),
        ("CBETH", "base", "Coinbase Wrapped Staked ETH", 18, ("ethereum",)),
        ("RETH", "ethereum", "Rocket Pool ETH", 18, ()),
        ("USDE", "ethereum", "Ethena USDe", 18, ()),
        ("WBNB", "bsc", "Wrapped BNB", 18, ()),
    )
)
# How a mixed-case ticker is written, where its symbol is upper case.
WRITTEN_AS = {
    "WSTETH": "wstETH",
    "CBBTC": "cbBTC",
    "WETH": "wETH",
    "MSOL": "mSOL",
    "JITOSOL": "JitoSOL",
    "BSOL": "bSOL",
    "CBETH": "cbETH",
    "RETH": "rETH",
    "USDE": "USDe",
}

# Venues that live on one chain: naming one names the chain.
VENUES = {
    "solana": ("raydium", "pump.fun", "jupiter", "Raydium", "Jupiter"),
    "base": ("aerodrome", "Aerodrome"),
    "bsc": ("pancakeswap", "PancakeSwap"),
}

CHAIN_NAMES = {
    "solana": (("solana", "Solana", "SOL chain", "sol", "SOLANA"), ("solana", "Solana", "索拉纳", "SOL链", "sol链")),
    "ethereum": (
        ("ethereum", "Ethereum", "ETH mainnet", "mainnet", "eth"),
        ("以太坊", "ethereum", "ETH链", "以太坊主网"),
    ),
    "bsc": (("bsc", "BSC", "BNB chain", "binance smart chain"), ("BSC", "币安链", "BNB链", "bsc")),
    "base": (("base", "Base", "Base chain"), ("Base", "base链", "Base链")),
}

KEYWORDS = (
    ("dog", "狗"),
    ("cat", "猫"),
    ("AI", "AI"),
    ("frog", "青蛙"),
    ("gaming", "游戏"),
    ("meme", "meme"),
    ("RWA", "RWA"),
    ("DeFi", "DeFi"),
    ("stablecoin", "稳定币"),
    ("privacy", "隐私"),
    ("layer 2", "二层"),
    ("restaking", "再质押"),
    ("dragon", "龙"),
    ("moon", "月亮"),
    ("agent", "智能体"),
    ("pet", "宠物"),
    ("penguin", "企鹅"),
    ("hat", "帽子"),
    ("elon", "马斯克"),
    ("chinese new year", "新年"),
    ("bitcoin", "比特币"),
    ("oracle", "预言机"),
    ("liquid staking", "LST"),
    ("politics", "政治"),
    ("monkey", "猴子"),
    ("fart", "放屁"),
    ("game", "链游"),
    ("cat with a hat", "帽子猫"),
    ("dog wearing a scarf", "围巾狗"),
    ("pixel", "像素"),
    ("robot", "机器人"),
)


def evm_address(rng: Random) -> str:
    digits = "".join(rng.choice("0123456789abcdef") for _ in range(40))
    if rng.random() < 0.4:  # some users paste checksummed-looking mixed case
        digits = "".join(c.upper() if c in string.ascii_lowercase and rng.random() < 0.5 else c for c in digits)
    return "0x" + digits


def solana_address(rng: Random) -> str:
    return "".join(rng.choice(BASE58) for _ in range(rng.randint(43, 44)))


def address_for(chain: str, rng: Random) -> str:
    return solana_address(rng) if chain == "solana" else evm_address(rng)
