"""What a call may say, read from the conversation: the values its arguments can take.

The decoding grammar offers the model only values grounded in what the user wrote or a tool
returned: addresses pasted or found, numbers the user's words state (`quantities`), chains
the user named, symbols the user wrote (in any case, with or without `$`, or by a name
wallets know) or a search found, keywords copied from the user's text. The model decides
which tool, which keys and which of these values; it cannot invent a chain, an amount or an
address nobody gave, which is the issue's rule "never fill in an argument the user did not
give" made structural, and what intent binding relies on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from .quantities import EN_DENOMINATORS, EN_ONES, EN_SCALES, EN_TENS, SHARE_WORDS, quantities_in
from .tools import BASE58_ADDRESS, EVM_ADDRESS

# How users name each chain (matched case-insensitively, as whole words where they are ASCII).
CHAIN_ALIASES: dict[str, tuple[str, ...]] = {
    "solana": ("solana", "sol chain", "sol", "spl", "索拉纳", "sol链", *("raydium", "pump.fun", "pumpfun", "jupiter")),
    "ethereum": ("ethereum", "eth mainnet", "mainnet", "eth", "erc20", "erc-20", "以太坊", "eth链", "以太坊主网"),
    "bsc": (
        *("bsc", "bnb chain", "bnb smart chain", "binance smart chain", "bep20", "bep-20", "币安链", "bnb链"),
        *("pancakeswap", "pancake"),
    ),
    "base": ("base", "base chain", "base链", "aerodrome"),
}  # venues that live on one chain name it: raydium, pump.fun and jupiter are solana's
# Names users write for tokens instead of their symbols.
TOKEN_NAMES: dict[str, str] = {
    "索拉纳": "SOL",
    "以太坊": "ETH",
    "以太": "ETH",
    "币安币": "BNB",
    "佩佩": "PEPE",
    "川普币": "TRUMP",
    "狗狗币": "DOGE",
}

_EVM_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z]){EVM_ADDRESS.pattern}(?![0-9A-Za-z])")
_BASE58_IN_TEXT = re.compile(rf"(?<![0-9A-Za-z]){BASE58_ADDRESS.pattern}(?![0-9A-Za-z])")
_WORD = re.compile(r"(?<![A-Za-z])\$?([A-Za-z][A-Za-z0-9]{0,12})(?![A-Za-z0-9])")
_ASCII_PHRASE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?: [A-Za-z0-9]+){0,%d}" % 4)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
GLUED_VERBS = ("swap", "to", "for", "into")  # words users run a symbol into: "toshiswap", "solto"
MAX_KEYWORD_CHARS = 4  # keywords in Chinese are short phrases: 狗, 稳定币, 再质押
MAX_READ_CHARS = 1000  # of each message
MAX_VALUES = 256  # of each kind of value
STOP_WORDS = frozenset(
    "a an the and or of to in on at for with about from by into is are was be do does did i me my you your we our it "
    "its "
    "this that these those what which who whom how when where why some any all can could would should will please pls "
    "thanks "
    "thank thx bye hi hello hey yes no ok okay just also too very so there here search find show look lookup get give "
    "tell want "
    "like need help coin coins token tokens".split()
)
# Words of chatter that are no token when written in lower case ("gm", "was", "on"); in capitals or with a $ they
# may be one ("$ON", "GAS"), so they stay symbols there.
CHATTER_WORDS = (
    STOP_WORDS
    | frozenset(
        "gm gn lol lmao haha wow yo sup bro fam ser ngmi wagmi ty np nah yeah yep nope sure cool nice great fast quick "
        "was were been has have had not but if then than up out off now rn im u ur wanna gonna cant dont pls plz thank "
        "appreciate sell buy swap trade convert dump into worth much many more less least back instead use using stack "
        "bag bags contract address addy ca chain price fee slippage wallet money rent airdrop need percent".split()
    )
    | frozenset(
        w for words in (EN_ONES, EN_TENS, EN_SCALES, EN_DENOMINATORS, SHARE_WORDS) for w in words if w.isalpha()
    )
)
# What a Chinese request asks about, not what the token is: no keyword ("brett 在 base 上是几位精度" asks for decimals).
REQUEST_PHRASES = ("精度", "小数", "合约", "地址", "代币", "信息", "价格", "详情", "链上")
# A token's name written as the place a token lives: "以太坊上的" names the chain, not ETH.
_NAME_AS_CHAIN = re.compile("(?:上|链|主网|网络)")
STOP_CHARS = frozenset("的了吗呢吧啊呀么我你他她它是谁什怎在有和就都也很给把用帮请问个这那些找查搜看")


@dataclass(frozen=True, slots=True)
class Grounds:
    """The values each kind of argument may take; None leaves that kind free (any well-formed value)."""

    addresses: Optional[tuple[str, ...]] = None
    amounts: Optional[tuple[float, ...]] = None
    shares: Optional[tuple[float, ...]] = None
    chains: Optional[tuple[str, ...]] = None
    symbols: Optional[tuple[str, ...]] = None
    keywords: Optional[tuple[str, ...]] = None
    found: tuple[
        tuple[str, str], ...
    ] = ()  # (address, symbol) of tokens a tool found: a swap never sells one for itself

    def values(self, kind: str) -> Optional[tuple]:
        """The grounded values of an argument kind (`tools.Param.kind`), None where it is free."""
        return getattr(self, KIND_FIELDS[kind]) if kind in KIND_FIELDS else None


KIND_FIELDS = {
    "address": "addresses",
    "amount": "amounts",
    "share": "shares",
    "chain": "chains",
    "symbol": "symbols",
    "keyword": "keywords",
}


def _ordered(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def addresses_in(texts: Iterable[str]) -> list[str]:
    """Every EVM or base58 address written in `texts`, in order of first appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for pattern in (_EVM_IN_TEXT, _BASE58_IN_TEXT):
            for match in pattern.finditer(text):
                found.setdefault(match.group(), None)
    return list(found)


def _strip_addresses(text: str) -> str:
    return _BASE58_IN_TEXT.sub(" ", _EVM_IN_TEXT.sub(" ", text))


def _symbol_like(alias: str) -> bool:
    """A chain alias that is also a token symbol users write ("sol", "eth"): kept as a possible symbol."""
    return alias.isascii() and alias.isalpha() and len(alias) <= 4


def _names(aliases: Iterable[str]) -> re.Pattern:
    """One pattern for `aliases`, longest first, whole words where they are ASCII, in any case."""
    return re.compile(
        "|".join(
            rf"(?<![A-Za-z0-9]){re.escape(a)}(?![A-Za-z0-9])" if a.isascii() else re.escape(a)
            for a in sorted(aliases, key=len, reverse=True)
        ),
        re.IGNORECASE,
    )


_CHAIN_NAMED = {chain: _names(aliases) for chain, aliases in CHAIN_ALIASES.items()}
_ALL_CHAIN_NAMES = _names(a for aliases in CHAIN_ALIASES.values() for a in aliases)
_CHAIN_ONLY = _names(a for aliases in CHAIN_ALIASES.values() for a in aliases if not _symbol_like(a))


def chains_in(texts: Iterable[str]) -> list[str]:
    """The chains `texts` name, by any of their aliases."""
    stripped = [_strip_addresses(t) for t in texts]
    return [chain for chain, pattern in _CHAIN_NAMED.items() if any(pattern.search(text) for text in stripped)]


def _strip_chain_names(text: str) -> str:
    """`text` without the chain names that cannot be symbols: "SOL链" and "ETH mainnet" name chains, not tokens."""
    return _CHAIN_ONLY.sub(" ", text)


def symbols_in(texts: Iterable[str]) -> list[str]:
    """Symbols the user may mean: each ASCII word in upper case (and as written where it has capitals), and the symbols of token names.

    Chain names are not symbols ("SOL链" is a chain), and a symbol run into a verb is split off
    ("把36toshiswap成…" names TOSHI): a symbol is only ever letters the user typed.
    """
    found = []
    for text in texts:
        stripped = _strip_chain_names(_strip_addresses(text))
        for match in _WORD.finditer(stripped):
            word = match.group(1)
            if word[0] in "kKmMwW" and match.start() and stripped[match.start() - 1].isdigit():
                found.append(word[1:].upper())  # 1.5kSOL, 2wTWT: the k or w belongs to the number
            if word == word.lower() and word in CHATTER_WORDS and not match.group().startswith("$"):
                continue  # "on", "gm", "was": words, not tickers
            found += [word.upper()] + ([word] if word != word.lower() else [])
            found += [
                word[: -len(verb)].upper()
                for verb in GLUED_VERBS
                if word.lower().endswith(verb) and len(word) > len(verb) + 1
            ]
        found += _named_tokens(text)
    return list(_ordered(found))


def _named_tokens(text: str) -> list[str]:
    """Symbols of the token names in `text`, longest name first ("以太坊" is not also "以太"), not where a name is a
    place ("以太坊上")."""
    found = []
    for name, symbol in sorted(TOKEN_NAMES.items(), key=lambda item: -len(item[0])):
        if any(not _NAME_AS_CHAIN.match(text, m.end()) for m in re.finditer(re.escape(name), text)):
            found.append(symbol)
        text = text.replace(name, " " * len(name))
    return found


def keywords_in(texts: Iterable[str]) -> list[str]:
    """Phrases of the user's text a keyword search may use: runs of up to five ASCII words, and short Chinese phrases.

    A phrase that opens or closes on a function word ("me", "the", "的", "是") is no keyword, nor
    is a request's own vocabulary ("find", "coins", "币"): a search for them finds nothing.
    """
    found = []
    for text in texts:
        text = _ALL_CHAIN_NAMES.sub(" ", _strip_addresses(text))  # "the pump.fun coin about a hippo" is a hippo
        for match in re.finditer(
            r"[A-Za-z][A-Za-z0-9]*", text
        ):  # every phrase of one to three words starting at each word
            phrase = _ASCII_PHRASE.match(text, match.start())  # always matches: the word itself is a phrase
            words = (phrase.group() if phrase else match.group()).split(" ")
            found += [
                " ".join(words[:n])
                for n in range(1, len(words) + 1)
                if words[0].lower() not in CHATTER_WORDS and words[n - 1].lower() not in CHATTER_WORDS
            ]
        for run in _CJK_RUN.findall(text):
            found += [
                run[i : i + n]
                for n in range(1, MAX_KEYWORD_CHARS + 1)
                for i in range(len(run) - n + 1)
                if not set(run[i : i + n]) & STOP_CHARS and not any(p in run[i : i + n] for p in REQUEST_PHRASES)
            ]
    return list(_ordered(found))


def _reported(text: str) -> list[dict]:
    """The token objects a tool response reports: `{"address", "symbol", …}`, a list of them or `{"results": [...]}`."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return []
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    return [item for item in (data if isinstance(data, list) else [data]) if isinstance(item, dict)]


def found_in(tool_texts: Iterable[str]) -> list[tuple[str, str]]:
    """(address, symbol) of every token a tool response reports (`_reported`)."""
    return [
        (item["address"], item["symbol"])
        for text in tool_texts
        for item in _reported(text)
        if isinstance(item.get("symbol"), str) and isinstance(item.get("address"), str)
    ]


def unchosen_addresses(messages: Sequence[dict]) -> set[str]:
    """Addresses of a several-chain result on chains the user did not choose once they named one of its chains.

    After "USDC is on Ethereum, Base and Solana: which one?" and "base", only Base's address
    may go into the swap: the choice is the user's, so the grammar holds the model to it.
    """
    out: set[str] = set()
    for i, message in enumerate(messages):
        if message.get("role") != "tool":
            continue
        results = _reported(_text(message.get("content"))[:MAX_READ_CHARS])
        by_chain = {item.get("chain"): item.get("address") for item in results}
        later = [str(m.get("content") or "")[:MAX_READ_CHARS] for m in messages[i + 1 :] if m.get("role") == "user"]
        named = [chain for chain in chains_in(later) if chain in by_chain]
        if len(by_chain) > 1 and len(named) == 1:
            out |= {str(a) for chain, a in by_chain.items() if chain != named[0] and isinstance(a, str)}
    return out


def _text(content: Any) -> str:
    """A tool result as JSON text, whether it came as an object or as text already."""
    if isinstance(content, (dict, list)):
        return json.dumps(content, ensure_ascii=False)
    return str(content or "")


def grounds_in(messages: Sequence[dict]) -> Grounds:
    """What a call after `messages` may carry: read from the user's turns and the tools' responses.

    Each message is read up to `MAX_READ_CHARS` and each kind keeps its first `MAX_VALUES`: a
    wallet request is a sentence, and a pasted book must cost milliseconds, not seconds, and
    give a grammar of bounded size.
    """
    user = [str(m.get("content") or "")[:MAX_READ_CHARS] for m in messages if m.get("role") == "user"]
    tool = [_text(m.get("content"))[:MAX_READ_CHARS] for m in messages if m.get("role") == "tool"]
    amounts, shares = quantities_in(_strip_addresses(t) for t in user)  # an address's digits are not an amount
    found = found_in(tool)
    unchosen = unchosen_addresses(messages) - set(addresses_in(user))
    kinds: dict[str, Sequence[Any]] = {
        "addresses": [a for a in addresses_in(user + tool) if a not in unchosen],
        "amounts": amounts,
        "shares": shares,
        "chains": chains_in(user),
        "symbols": list(_ordered(symbols_in(user) + [symbol for _, symbol in found])),
        "keywords": keywords_in(user),
    }
    return Grounds(
        **{kind: tuple(values[:MAX_VALUES]) for kind, values in kinds.items()}, found=tuple(found[:MAX_VALUES])
    )
