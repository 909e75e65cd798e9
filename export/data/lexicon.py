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

    @property
    def zh(self) -> tuple[str, ...]:
        """Chinese names users write for it: the names the runtime's grounding knows."""
        return tuple(name for name, symbol in TOKEN_NAMES.items() if symbol == self.symbol)


TOKENS = tuple(
    Token(symbol, chain)
    for symbol, chain in (
        ("SOL", "solana"),
        ("USDC", "solana"),
        ("USDT", "ethereum"),
        ("ETH", "ethereum"),
        ("WBTC", "ethereum"),
        ("BNB", "bsc"),
        ("CAKE", "bsc"),
        ("BONK", "solana"),
        ("WIF", "solana"),
        ("JUP", "solana"),
        ("PEPE", "ethereum"),
        ("SHIB", "ethereum"),
        ("UNI", "ethereum"),
        ("LINK", "ethereum"),
        ("AERO", "base"),
        ("BRETT", "base"),
        ("DEGEN", "base"),
        ("TOSHI", "base"),
        ("RAY", "solana"),
        ("ORCA", "solana"),
        ("PYTH", "solana"),
        ("ARB", "ethereum"),
        ("AAVE", "ethereum"),
        ("MKR", "ethereum"),
        ("DAI", "ethereum"),
        ("FLOKI", "bsc"),
        ("TRUMP", "solana"),
        ("POPCAT", "solana"),
        ("MEW", "solana"),
        ("VIRTUAL", "base"),
        ("DOGE", "bsc"),
        ("TWT", "bsc"),
        ("XVS", "bsc"),
        ("ONDO", "ethereum"),
        ("ENA", "ethereum"),
    )
)

CHAIN_NAMES = {
    "solana": (("solana", "Solana", "SOL chain", "sol"), ("solana", "Solana", "索拉纳链", "SOL链")),
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
)

OFF_TOPIC = {
    "en": (
        "what's the weather like today",
        "tell me a joke",
        "who won the game last night",
        "write me a poem about the sea",
        "how do I reset my password",
        "what time is it in Tokyo",
        "recommend a good movie",
        "translate hello into French",
        "what is the capital of Australia",
        "can you help with my homework",
        "how do I cook rice",
        "set an alarm for 7am",
        "explain quantum computing simply",
        "what's 12 times 13",
        "who are you",
        "good morning",
        "book a table for two",
        "how tall is mount everest",
        "play some music",
        "what should i eat tonight",
        "send an email to my boss",
        "how do i learn python",
        "is it going to snow",
        "tell me about the roman empire",
        "how are you doing",
        "what's your name",
        "remind me to call mom",
        "how many days until christmas",
        "what is the speed of light",
        "give me a workout plan",
        "summarize this article",
        "thanks, bye",
    ),
    "zh": (
        "今天天气怎么样",
        "给我讲个笑话",
        "帮我写一首诗",
        "怎么重置密码",
        "推荐一部电影",
        "东京现在几点",
        "澳大利亚的首都是哪里",
        "你是谁",
        "早上好",
        "米饭怎么煮",
        "帮我定个七点的闹钟",
        "什么是量子计算",
        "翻译一下你好",
        "十二乘十三等于多少",
        "明天会下雨吗",
        "最近有什么新闻",
        "帮我订一张机票",
        "珠穆朗玛峰有多高",
        "放首歌",
        "晚上吃什么好",
        "帮我发封邮件",
        "怎么学编程",
        "会下雪吗",
        "讲讲罗马帝国的历史",
        "你好吗",
        "你叫什么名字",
        "提醒我给妈妈打电话",
        "离春节还有几天",
        "光速是多少",
        "给我一个健身计划",
        "总结一下这篇文章",
        "谢谢，再见",
    ),
}

# The assistant's fixed plain-text replies, by situation and language.
REPLIES = {
    "ask_amount": {"en": "How much {symbol} do you want to swap?", "zh": "你想兑换多少{symbol}？"},
    "ask_output": {"en": "Which token do you want to receive?", "zh": "你想换成哪个代币？"},
    "off_topic": {"en": "Sorry, I can only search tokens and make swaps.", "zh": "抱歉，我只能搜索代币和执行兑换。"},
    "found": {"en": "Here is what I found.", "zh": "这是搜索结果。"},
}


def reply(kind: str, lang: str, **fields: str) -> str:
    return REPLIES[kind]["en" if lang == "en" else "zh"].format(**fields)


def evm_address(rng: Random) -> str:
    digits = "".join(rng.choice("0123456789abcdef") for _ in range(40))
    if rng.random() < 0.4:  # some users paste checksummed-looking mixed case
        digits = "".join(c.upper() if c in string.ascii_lowercase and rng.random() < 0.5 else c for c in digits)
    return "0x" + digits


def solana_address(rng: Random) -> str:
    return "".join(rng.choice(BASE58) for _ in range(rng.randint(43, 44)))


def address_for(chain: str, rng: Random) -> str:
    return solana_address(rng) if chain == "solana" else evm_address(rng)
