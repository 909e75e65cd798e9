"""Synthetic wallet conversations for training and evaluating the nano intent model.

Each conversation is a JSON object in OpenAI chat form: `{"id", "lang", "kind", "messages"}`
with assistant `tool_calls` of `{"name", "arguments"}` and tool messages carrying JSON. The
train and test splits share tokens and number words but never a phrasing (see `templates`).
Output tokens named only by symbol get a search first; amounts never said are asked for.
"""

from __future__ import annotations

import json
from pathlib import Path
from random import Random
from typing import Any, Callable, Iterable

from .lexicon import CHAIN_NAMES, KEYWORDS, OFF_TOPIC, TOKENS, Token, address_for, reply
from .numbers import amount_forms, random_amount, random_share, share_forms
from .templates import TEMPLATES

LANGS = ("en", "zh", "mixed")
LANG_WEIGHTS = (0.42, 0.42, 0.16)
HELD_OUT_EVERY = 4  # phrasing i belongs to the test split when i % 4 == 3 (a list of two or three: its last)
NOISE = (
    0.35  # share of training phrasings given a filler or a typo, so the model leans on the slots, not the exact words
)
FILLERS = {
    "en": (
        ("hey ", "yo ", "pls ", "ok ", "hi, ", "quick: ", "um ", "so "),
        (" pls", " thx", " asap", " now", "!", " please", " ty", "?"),
    ),
    "zh": (
        ("嗯，", "那个", "麻烦", "请", "哥们", "快，", "你好，", "喂 "),
        ("谢谢", "吧", "哈", "！", "啊", "呗", "，谢了", "。"),
    ),
}


class _Maker:
    """Random choices for one conversation, restricted to one split's phrasings."""

    def __init__(self, rng: Random, lang: str, split: str) -> None:
        self.rng, self.lang, self.test = rng, lang, split == "test"

    def _in_split(self, options: tuple[str, ...]) -> list[str]:
        """This split's share of `options`: every fourth is held out, and a list too short for that holds out its last."""
        if len(options) < 2:
            return list(options)  # one phrasing only: both splits need it
        held = {i for i in range(len(options)) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1} or {len(options) - 1}
        return [o for i, o in enumerate(options) if (i in held) == self.test]

    def phrasings(self, situation: str) -> list[str]:
        """This split's phrasings of `situation`."""
        return self._in_split(TEMPLATES[situation][self.lang])

    def say(self, situation: str, **fields: Any) -> str:
        template = self.rng.choice(self.phrasings(situation))
        if not self.test and self.rng.random() < NOISE:  # the test split draws no noise, so it stays as it was
            noisy = self._noisy(template)
            if noisy not in TEMPLATES[situation][self.lang]:  # noise must never rebuild a held-out phrasing
                template = noisy
        return template.format(**fields)

    def _noisy(self, template: str) -> str:
        """`template` with a filler before or after it, or one letter outside its fields dropped or doubled."""
        heads, tails = FILLERS["en" if self.lang == "en" else "zh"]
        roll = self.rng.random()
        if roll < 0.35:
            return self.rng.choice(heads) + template
        if roll < 0.7:
            return template + self.rng.choice(tails)
        depth, letters = 0, []
        for i, ch in enumerate(template):
            depth += (ch == "{") - (ch == "}")
            if depth == 0 and ch.isascii() and ch.isalpha():
                letters.append(i)
        if not letters:
            return template + self.rng.choice(tails)
        i = self.rng.choice(letters)
        return template[:i] + (template[i] * 2 if self.rng.random() < 0.5 else "") + template[i + 1 :]

    def token(self, *, exclude: Iterable[str] = ()) -> Token:
        return self.rng.choice([t for t in TOKENS if t.symbol not in set(exclude)])

    def symbol(self, token: Token) -> str:
        """How the user writes a token: SOL, sol, $SOL, or a Chinese name."""
        if self.lang != "en" and token.zh and self.rng.random() < 0.3:
            return self.rng.choice(token.zh)
        return self.rng.choice(
            [token.symbol, token.symbol, token.symbol.lower(), "$" + token.symbol, token.symbol.capitalize()]
        )

    def chain(self, chain: str) -> str:
        en, zh = CHAIN_NAMES[chain]
        return self.rng.choice(en if self.lang == "en" else zh + (en if self.lang == "mixed" else ()))

    def amount(self) -> tuple[float, str]:
        value = random_amount(self.rng)
        return value, self.rng.choice(amount_forms(value, self.lang))

    def share(self) -> tuple[float, str]:
        value = random_share(self.rng)
        return value, self.rng.choice(share_forms(value, self.lang))

    def keyword(self) -> str:
        en, zh = self.rng.choice(KEYWORDS)
        return en if self.lang == "en" or (self.lang == "mixed" and self.rng.random() < 0.5) else zh

    def off_topic(self) -> str:
        texts = OFF_TOPIC["en" if self.lang == "en" else "zh"]
        return self.say("off_topic", text=self.rng.choice(self._in_split(texts)))

    def reply(self, kind: str, **fields: str) -> dict:
        return {"role": "assistant", "content": reply(kind, self.lang, **fields)}


def _user(text: str) -> dict:
    return {"role": "user", "content": text}


def _call(name: str, **arguments: Any) -> dict:
    return {"role": "assistant", "tool_calls": [{"name": name, "arguments": arguments}]}


def _found(m: _Maker, token: Token, chain: str) -> tuple[dict, str]:
    address = address_for(chain, m.rng)
    content = json.dumps({"address": address, "chain": chain, "symbol": token.symbol}, sort_keys=True)
    return {"role": "tool", "name": "SEARCH_TOKEN", "content": content}, address


def _search(m: _Maker) -> tuple[list[dict], dict, Token, str]:
    """A user's search and its call, with the chain the search runs on."""
    token, roll = m.token(), m.rng.random()
    if roll < 0.5:
        return (
            [_user(m.say("search_symbol", sym=m.symbol(token)))],
            _call("SEARCH_TOKEN", symbol=token.symbol),
            token,
            token.chain,
        )
    if roll < 0.75:
        chain = m.rng.choice(list(CHAIN_NAMES))
        text = m.say("search_symbol_chain", sym=m.symbol(token), chain=m.chain(chain))
        return [_user(text)], _call("SEARCH_TOKEN", chain=chain, symbol=token.symbol), token, chain
    if roll < 0.88:
        address = address_for(token.chain, m.rng)
        return (
            [_user(m.say("search_address", addr=address))],
            _call("SEARCH_TOKEN", address=address),
            token,
            token.chain,
        )
    keyword = m.keyword()
    return [_user(m.say("search_keyword", kw=keyword))], _call("SEARCH_TOKEN", keyword=keyword), token, token.chain


def _swap_fields(m: _Maker) -> tuple[str, dict, dict]:
    """How much to sell, as a phrasing situation, template fields and call arguments."""
    if m.rng.random() < 0.6:
        value, text = m.amount()
        return "swap_amount", {"amt": text}, {"inputTokenAmount": value}
    value, text = m.share()
    return "swap_share", {"share": text}, {"inputTokenPercentage": value}


def single_search(m: _Maker) -> list[dict]:
    said, call, _, _ = _search(m)
    return said + [call]


def single_swap(m: _Maker) -> list[dict]:
    token = m.token()
    out = address_for(m.token(exclude=[token.symbol]).chain, m.rng)
    roll = m.rng.random()
    if roll < 0.7:
        situation, fields, args = _swap_fields(m)
        text = m.say(situation, sym=m.symbol(token), out=out, **fields)
    elif roll < 0.85:
        value, amt = m.amount()
        text, args = m.say("swap_output_amount", sym=m.symbol(token), out=out, amt=amt), {"outputTokenAmount": value}
    else:
        value, amt = m.amount()
        in_addr = address_for(token.chain, m.rng)
        text = m.say("swap_input_address", sym=m.symbol(token), out=out, amt=amt, in_addr=in_addr)
        args = {"inputTokenAmount": value, "inputTokenCA": in_addr}
    return [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=out, **args)]


def single_clarify(m: _Maker) -> list[dict]:
    token = m.token()
    if m.rng.random() < 0.6:
        out = address_for(m.token(exclude=[token.symbol]).chain, m.rng)
        return [
            _user(m.say("swap_no_amount", sym=m.symbol(token), out=out)),
            m.reply("ask_amount", symbol=token.symbol),
        ]
    _, amt = m.amount()
    _, share = m.share()
    return [_user(m.say("swap_no_output", sym=m.symbol(token), amt=amt, share=share)), m.reply("ask_output")]


def single_off_topic(m: _Maker) -> list[dict]:
    return [_user(m.off_topic()), m.reply("off_topic")]


def multi_search_then_swap(m: _Maker) -> list[dict]:
    token, target = m.token(), None
    target = m.token(exclude=[token.symbol])
    situation, fields, args = _swap_fields(m)
    chain = target.chain
    text = m.say(situation, sym=m.symbol(token), out=m.symbol(target), **fields)
    search: dict[str, Any] = {"symbol": target.symbol}
    if m.rng.random() < 0.3:
        chain = m.rng.choice(list(CHAIN_NAMES))
        text += (" on " if m.lang == "en" else " 在") + m.chain(chain) + ("" if m.lang == "en" else "上")
        search["chain"] = chain
    response, address = _found(m, target, chain)
    return [
        _user(text),
        _call("SEARCH_TOKEN", **search),
        response,
        _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=address, **args),
    ]


def multi_follow_up(m: _Maker) -> list[dict]:
    token = m.token()
    out = address_for(m.token(exclude=[token.symbol]).chain, m.rng)
    situation, fields, args = _swap_fields(m)
    first = _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=out, **args)
    if m.rng.random() < 0.5:
        value, amt = m.amount()
        follow, changed = m.say("follow_amount", amt=amt), {"inputTokenAmount": value}
    else:
        value, share = m.share()
        follow, changed = m.say("follow_share", share=share), {"inputTokenPercentage": value}
    return [
        _user(m.say(situation, sym=m.symbol(token), out=out, **fields)),
        first,
        _user(follow),
        _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=out, **changed),
    ]


def multi_clarify_then_swap(m: _Maker) -> list[dict]:
    token = m.token()
    out = address_for(m.token(exclude=[token.symbol]).chain, m.rng)
    value, amt = m.amount()
    return [
        _user(m.say("swap_no_amount", sym=m.symbol(token), out=out)),
        m.reply("ask_amount", symbol=token.symbol),
        _user(m.say("answer_amount", amt=amt, sym=m.symbol(token))),
        _call("EXECUTE_SWAP", inputTokenAmount=value, inputTokenSymbol=token.symbol, outputTokenCA=out),
    ]


def multi_search_follow_chain(m: _Maker) -> list[dict]:
    token = m.token()
    response, _ = _found(m, token, token.chain)
    chain = m.rng.choice([c for c in CHAIN_NAMES if c != token.chain])
    return [
        _user(m.say("search_symbol", sym=m.symbol(token))),
        _call("SEARCH_TOKEN", symbol=token.symbol),
        response,
        m.reply("found"),
        _user(m.say("follow_chain", chain=m.chain(chain))),
        _call("SEARCH_TOKEN", chain=chain, symbol=token.symbol),
    ]


# kind -> (share of the data, builder)
BUILDERS: dict[str, tuple[float, Callable[[_Maker], list[dict]]]] = {
    "search": (0.17, single_search),
    "swap": (0.25, single_swap),
    "clarify": (0.08, single_clarify),
    "off_topic": (0.06, single_off_topic),
    "search_then_swap": (0.2, multi_search_then_swap),
    "follow_up": (0.1, multi_follow_up),
    "clarify_then_swap": (0.08, multi_clarify_then_swap),
    "search_follow_chain": (0.06, multi_search_follow_chain),
}


def conversation(rng: Random, split: str, index: int) -> dict:
    lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
    name = rng.choices(list(BUILDERS), [w for w, _ in BUILDERS.values()])[0]
    messages = BUILDERS[name][1](_Maker(rng, lang, split))
    assistant_turns = sum(msg["role"] == "assistant" for msg in messages)
    return {
        "id": f"{split}-{index:05d}",
        "lang": lang,
        "kind": "multi" if assistant_turns > 1 else "single",
        "situation": name,
        "messages": messages,
    }


def generate(count: int, *, split: str = "train", seed: int = 0) -> list[dict]:
    """`count` conversations of `split` ("train" or "test"), the same for the same seed."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be train or test, not {split!r}")
    rng = Random(f"{split}:{seed}")
    return [conversation(rng, split, i) for i in range(count)]


def write_jsonl(path: Path, conversations: Iterable[dict]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for conv in conversations:
            out.write(json.dumps(conv, ensure_ascii=False) + "\n")
            n += 1
    return n
