"""Synthetic wallet conversations for training and evaluating the nano intent model.

Each conversation is a JSON object in OpenAI chat form: `{"id", "lang", "kind", "situation",
"messages"}` with assistant `tool_calls` of `{"name", "arguments"}` and tool messages carrying
the tool's result as an object. Every gold turn follows `../shared/nano-dev/CONVENTIONS.md`:
no output named is one swap without `outputTokenCA`; an output named by symbol is searched
first; a missing amount is asked for; follow-ups carry unchanged arguments over; several
chains in a result are asked about; out of scope, questions and greetings get text.

Language comes from `phrases`: many frames per intent, chatter around them, casing, typos,
emojis and code-switching. The train and test splits share tokens and number words but never
a frame, an opener or a closer (see `phrases`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from random import Random
from typing import Any, Callable, Iterable, Optional

from dmind.edge.nano import TOOLS, grounds_in

from .lexicon import CHAIN_NAMES, KEYWORDS, TOKENS, VENUES, WRITTEN_AS, Token, address_for
from .numbers import amount_forms, random_amount, random_share, share_forms, zh_integer
from .phrases import CLOSERS, CORRECTIONS, FRAMES, OPENERS, OUT_OF_SCOPE, REPLIES

LANGS = ("en", "zh", "mixed")
LANG_WEIGHTS = (0.5, 0.36, 0.14)
HELD_OUT_EVERY = 4  # item i of a list belongs to the test split when i % 4 == 3 (a list of two or three: its last)
CHATTER = 0.3  # share of user turns given an opener or a closer
TYPO = 0.12  # share of training user turns with one letter dropped, doubled or swapped outside the slots
CASING = 0.15  # share of English turns written all lower or all upper case
MAX_DRAWS = 50
_SLOT = re.compile(r"(\{\w+\})")
QUOTE_ASSETS = ("SOL", "ETH", "USDC", "USDT", "BNB")  # what people usually pay with


def split_of(options: tuple[str, ...], test: bool) -> list[str]:
    """The split's share of `options`: every fourth is held out, and a list too short for that holds out its last."""
    if len(options) < 2:
        return list(options)  # one option only: both splits need it
    held = {i for i in range(len(options)) if i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1} or {len(options) - 1}
    return [o for i, o in enumerate(options) if (i in held) == test]


class _Maker:
    """Random choices for one conversation, restricted to one split's frames and chatter."""

    def __init__(self, rng: Random, lang: str, split: str) -> None:
        self.rng, self.lang, self.test = rng, lang, split == "test"
        self.text_lang = "en" if lang == "en" else "zh"  # the language of chatter, replies and number words

    def frames(self, intent: str) -> list[str]:
        return split_of(FRAMES[intent][self.lang], self.test)

    def say(self, intent: str, **slots: str) -> str:
        """A user turn for `intent`: one of the split's frames, filled, perhaps with chatter and noise."""
        return self._dress(self.rng.choice(self.frames(intent)), slots)

    def _dress(self, frame: str, slots: dict[str, str]) -> str:
        rng, lang = self.rng, self.text_lang
        if not self.test and rng.random() < TYPO:
            frame = self._typo(frame)
        if lang == "en" and rng.random() < CASING:
            case = str.upper if rng.random() < 0.25 else str.lower
            frame = "".join(part if part.startswith("{") else case(part) for part in _SLOT.split(frame))
        text = frame.format(**slots)
        if rng.random() < CHATTER:
            text = rng.choice(split_of(OPENERS[lang], self.test)) + text
        if rng.random() < CHATTER:
            text += rng.choice(split_of(CLOSERS[lang], self.test))
        return text

    def _typo(self, frame: str) -> str:
        """One letter outside the slots dropped, doubled or swapped with the next."""
        depth, letters = 0, []
        for i, ch in enumerate(frame):
            depth += (ch == "{") - (ch == "}")
            if depth == 0 and ch.isascii() and ch.isalpha() and frame[i + 1 : i + 2].isalpha():
                letters.append(i)
        if not letters:
            return frame
        i, roll = self.rng.choice(letters), self.rng.random()
        if roll < 0.4:
            return frame[:i] + frame[i + 1 :]
        if roll < 0.7:
            return frame[:i] + frame[i] * 2 + frame[i + 1 :]
        return frame[:i] + frame[i + 1] + frame[i] + frame[i + 2 :]

    def correction(self, amount: str) -> str:
        """A self-correction to append to a request: the amount meant after all."""
        return self.rng.choice(split_of(CORRECTIONS[self.text_lang], self.test)).format(amt=amount)

    def out_of_scope(self, topic: str, **slots: str) -> str:
        return self._dress(self.rng.choice(split_of(OUT_OF_SCOPE[topic][self.text_lang], self.test)), slots)

    def reply(self, kind: str, **fields: Any) -> dict:
        return {"role": "assistant", "content": self.rng.choice(REPLIES[kind][self.text_lang]).format(**fields)}

    def token(self, *, exclude: Iterable[str] = (), pay: bool = False) -> Token:
        excluded = set(exclude)
        pool = [t for t in TOKENS if t.symbol not in excluded and (not pay or t.symbol in QUOTE_ASSETS)]
        return self.rng.choice(pool)

    def symbol(self, token: Token) -> str:
        """How the user writes a token: SOL, sol, $SOL, Sol, wstETH, or a Chinese name."""
        if self.lang != "en" and token.zh and self.rng.random() < 0.3:
            return self.rng.choice(token.zh)
        written = WRITTEN_AS.get(token.symbol, token.symbol)
        forms = [written, written, token.symbol.lower(), "$" + written, token.symbol.capitalize()]
        return self.rng.choice(forms)

    def chain(self, chain: str, *, venues: bool = True) -> str:
        en, zh = CHAIN_NAMES[chain]
        names = list(en if self.lang == "en" else zh + (en if self.lang == "mixed" else ()))
        if venues and chain in VENUES and self.rng.random() < 0.2:
            names = list(VENUES[chain])
        return self.rng.choice(names)

    def amount(self) -> tuple[float, str]:
        value = random_amount(self.rng)
        return value, self.rng.choice(amount_forms(value, self.lang))

    def share(self, *, whole: bool = True) -> tuple[float, str]:
        value = random_share(self.rng)
        while not whole and value == 1.0:
            value = random_share(self.rng)
        return value, self.rng.choice(share_forms(value, self.lang))

    def keyword(self) -> str:
        en, zh = self.rng.choice(KEYWORDS)
        return en if self.lang == "en" or (self.lang == "mixed" and self.rng.random() < 0.5) else zh


def _user(text: str) -> dict:
    return {"role": "user", "content": text}


def _call(name: str, **arguments: Any) -> dict:
    return {"role": "assistant", "tool_calls": [{"name": name, "arguments": arguments}]}


def _search_result(m: _Maker, token: Token, chain: str) -> tuple[dict, str]:
    address = address_for(chain, m.rng)
    content = {"symbol": token.symbol, "name": token.name, "address": address, "chain": chain}
    return {"role": "tool", "name": "SEARCH_TOKEN", "content": {**content, "decimals": token.decimals}}, address


def _several_results(m: _Maker, token: Token) -> tuple[dict, dict[str, str]]:
    """A search result with the token on several chains: `{"results": [...]}`, and each chain's address."""
    chains = [token.chain, *token.also_on]
    addresses = {chain: address_for(chain, m.rng) for chain in chains}
    results = [
        {"symbol": token.symbol, "name": token.name, "address": addresses[c], "chain": c, "decimals": token.decimals}
        for c in chains
    ]
    return {"role": "tool", "name": "SEARCH_TOKEN", "content": {"results": results}}, addresses


def _quoted() -> dict:
    return {"role": "tool", "name": "EXECUTE_SWAP", "content": {"status": "awaiting_confirmation"}}


def _how_much(m: _Maker, *, whole: bool = True) -> tuple[str, dict[str, str], dict[str, float]]:
    """How much to sell: "amount" or "share", its slots and its call arguments."""
    if m.rng.random() < 0.6:
        value, text = m.amount()
        return "amount", {"amt": text}, {"inputTokenAmount": value}
    value, text = m.share(whole=whole)
    return "share", {"share": text}, {"inputTokenPercentage": value}


def _chain_named(m: _Maker) -> Optional[str]:
    return m.rng.choice(list(CHAIN_NAMES)) if m.rng.random() < 0.3 else None


def search(m: _Maker) -> list[dict]:
    token, roll = m.token(), m.rng.random()
    if roll < 0.55:
        chain = _chain_named(m)
        if chain is None:
            return [_user(m.say("search_symbol", sym=m.symbol(token))), _call("SEARCH_TOKEN", symbol=token.symbol)]
        text = m.say("search_symbol_chain", sym=m.symbol(token), chain=m.chain(chain))
        return [_user(text), _call("SEARCH_TOKEN", chain=chain, symbol=token.symbol)]
    if roll < 0.75:
        address, chain = address_for(token.chain, m.rng), _chain_named(m)
        if chain is None:
            return [_user(m.say("search_address", addr=address)), _call("SEARCH_TOKEN", address=address)]
        text = m.say("search_address_chain", addr=address, chain=m.chain(chain))
        return [_user(text), _call("SEARCH_TOKEN", address=address, chain=chain)]
    keyword, chain = m.keyword(), _chain_named(m)
    if chain is None:
        return [_user(m.say("search_keyword", kw=keyword)), _call("SEARCH_TOKEN", keyword=keyword)]
    text = m.say("search_keyword_chain", kw=keyword, chain=m.chain(chain))
    return [_user(text), _call("SEARCH_TOKEN", chain=chain, keyword=keyword)]


def sell(m: _Maker) -> list[dict]:
    """No output named: one swap without `outputTokenCA`."""
    token = m.token()
    if m.rng.random() < 0.15:
        return [
            _user(m.say("sell_all", sym=m.symbol(token))),
            _call("EXECUTE_SWAP", inputTokenPercentage=1.0, inputTokenSymbol=token.symbol),
        ]
    roll = m.rng.random()
    if roll < 0.15:  # the input token's own address typed: inputTokenCA, still nothing to receive named
        how, slots, args = _how_much(m)
        own = address_for(token.chain, m.rng)
        text = m.say(f"sell_by_address_{how}", sym=m.symbol(token), in_addr=own, **slots)
        return [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, inputTokenCA=own, **args)]
    if roll < 0.25:  # half a token, or a whole number and a half: amounts, not shares
        if m.rng.random() < 0.6:
            text, value = m.say("sell_half_one", sym=m.symbol(token)), 0.5
        else:
            n = m.rng.randint(1, 9)
            written = str(n) if m.lang == "en" or m.rng.random() < 0.5 else zh_integer(n, liang=True)
            text, value = m.say("sell_and_a_half", sym=m.symbol(token), n=written), n + 0.5
        return [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, inputTokenAmount=value)]
    if roll < 0.35:  # a number taken back: the last one is meant
        wrong, _ = m.amount()
        value, amt = m.amount()
        while value == wrong:
            value, amt = m.amount()
        first = m.rng.choice(amount_forms(wrong, m.lang))
        text = m.say("sell_amount", sym=m.symbol(token), amt=first) + m.correction(amt)
        return [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, inputTokenAmount=value)]
    how, slots, args = _how_much(m)
    text = m.say(f"sell_{how}", sym=m.symbol(token), **slots)
    return [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, **args)]


def swap_to_address(m: _Maker) -> list[dict]:
    """Output given as an address: one swap (with a stated minimum or the input's own address, sometimes)."""
    token = m.token()
    out = address_for(m.token(exclude=[token.symbol]).chain, m.rng)
    roll = m.rng.random()
    if roll < 0.12:
        value, amt = m.amount()
        least, least_text = m.amount()
        text = m.say("swap_min_out", sym=m.symbol(token), addr=out, amt=amt, min=least_text)
        args = {"inputTokenAmount": value, "outputTokenAmount": least}
    elif roll < 0.2:
        value, amt = m.amount()
        own = address_for(token.chain, m.rng)
        text = m.say("swap_input_address", sym=m.symbol(token), addr=out, amt=amt, in_addr=own)
        args = {"inputTokenAmount": value, "inputTokenCA": own}
    else:
        how, slots, args = _how_much(m)
        text = m.say(f"swap_to_address_{how}", sym=m.symbol(token), addr=out, **slots)
    return [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=out, **args)]


def _swap_to_symbol_request(m: _Maker) -> tuple[str, Token, Token, dict[str, float], Optional[str]]:
    """A request to swap into a token named by symbol: its text, input, output, amount arguments and named chain."""
    target = m.token()
    token = m.token(exclude=[target.symbol], pay=m.rng.random() < 0.6)
    sym, out = m.symbol(token), m.symbol(target)
    if m.rng.random() < 0.1:
        text, args = m.say("swap_all_to_symbol", sym=sym, out=out), {"inputTokenPercentage": 1.0}
    else:
        how, slots, args = _how_much(m)
        text = m.say(f"swap_to_symbol_{how}", sym=sym, out=out, **slots)
    chain = _chain_named(m)
    if chain is not None:
        named = m.chain(chain)
        text += {"en": f" on {named}", "zh": f"，{named}上的", "mixed": f" on {named}"}[m.lang]
    return text, token, target, args, chain


def _search_for(target: Token, chain: Optional[str]) -> dict:
    return _call("SEARCH_TOKEN", **({"chain": chain} if chain else {}), symbol=target.symbol)


def search_then_swap(m: _Maker) -> list[dict]:
    """Output named by symbol: search, its result, then the swap with the address found."""
    text, token, target, args, chain = _swap_to_symbol_request(m)
    result, address = _search_result(m, target, chain or target.chain)
    swap = _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=address, **args)
    return [_user(text), _search_for(target, chain), result, swap]


def choose_chain(m: _Maker) -> list[dict]:
    """A result on several chains: ask which, then swap with the chosen chain's address (or tell it, for a lookup)."""
    target = m.token()
    while not target.also_on:
        target = m.token()
    result, addresses = _several_results(m, target)
    chain = m.rng.choice(list(addresses))
    chains = ", ".join(addresses)
    if m.rng.random() < 0.35:
        lookup = m.say("search_symbol", sym=m.symbol(target))
        found = m.reply("found", symbol=target.symbol, name=target.name, chain=chain, address=addresses[chain],
                        decimals=target.decimals)  # fmt: skip
        return [
            _user(lookup),
            _call("SEARCH_TOKEN", symbol=target.symbol),
            result,
            m.reply("ask_chain", symbol=target.symbol, chains=chains),
            _user(m.say("choose_chain", chain=m.chain(chain, venues=False))),
            found,
        ]
    token = m.token(exclude=[target.symbol], pay=True)
    how, slots, args = _how_much(m)
    return [
        _user(m.say(f"swap_to_symbol_{how}", sym=m.symbol(token), out=m.symbol(target), **slots)),
        _call("SEARCH_TOKEN", symbol=target.symbol),
        result,
        m.reply("ask_chain", symbol=target.symbol, chains=chains),
        _user(m.say("choose_chain", chain=m.chain(chain, venues=False))),
        _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=addresses[chain], **args),
    ]


def _answer(m: _Maker, token: Token, *, pay: bool = False) -> tuple[str, dict[str, float]]:
    """The user's answer to "how much?" (or, with `pay`, to "which token and how much?"): its text and arguments."""
    kind = "answer_pay" if pay else "answer"
    if m.rng.random() < 0.7:
        value, amt = m.amount()
        return m.say(f"{kind}_amount", amt=amt, sym=m.symbol(token)), {"inputTokenAmount": value}
    value, share = m.share()
    return m.say(f"{kind}_share", share=share, sym=m.symbol(token)), {"inputTokenPercentage": value}


def ask_amount(m: _Maker) -> list[dict]:
    """No amount: ask. Mostly the user answers and the swap follows (after a search when the output is a symbol)."""
    roll = m.rng.random()
    if roll < 0.2:  # a sale with no amount: ask, then sell what the answer says
        token = m.token()
        messages = [_user(m.say("sell_no_amount", sym=m.symbol(token))), m.reply("ask_amount", symbol=token.symbol)]
        if m.rng.random() < 0.4:
            return messages
        text, args = _answer(m, token)
        return messages + [_user(text), _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, **args)]
    target = m.token()
    token = m.token(exclude=[target.symbol], pay=m.rng.random() < 0.6)
    if roll < 0.45:  # a buy with neither pay token nor amount: the answer names both, then search the wanted token
        messages = [_user(m.say("buy_no_amount", out=m.symbol(target))), m.reply("ask_pay")]
        if m.rng.random() < 0.25:
            return messages
        text, args = _answer(m, token, pay=True)
        result, address = _search_result(m, target, target.chain)
        swap = _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=address, **args)
        return messages + [_user(text), _call("SEARCH_TOKEN", symbol=target.symbol), result, swap]
    by_address = m.rng.random() < 0.35
    address = address_for(target.chain, m.rng)
    out = address if by_address else m.symbol(target)
    messages = [
        _user(m.say("swap_no_amount", sym=m.symbol(token), out=out)),
        m.reply("ask_amount", symbol=token.symbol),
    ]
    if m.rng.random() < 0.3:
        return messages
    text, args = _answer(m, token)
    messages.append(_user(text))
    if not by_address:
        result, address = _search_result(m, target, target.chain)
        messages += [_call("SEARCH_TOKEN", symbol=target.symbol), result]
    return messages + [_call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=address, **args)]


def lookup(m: _Maker) -> list[dict]:
    """A lookup answered in text; sometimes the user then swaps into what was found."""
    target = m.token()
    result, address = _search_result(m, target, target.chain)
    found = m.reply("found", symbol=target.symbol, name=target.name, chain=target.chain, address=address,
                    decimals=target.decimals)  # fmt: skip
    messages = [_user(m.say("search_symbol", sym=m.symbol(target))), _call("SEARCH_TOKEN", symbol=target.symbol)]
    messages += [result, found]
    if m.rng.random() < 0.5:
        return messages
    token = m.token(exclude=[target.symbol], pay=True)
    how, slots, args = _how_much(m)
    follow = m.say(f"swap_to_address_{how}", sym=m.symbol(token), addr=address, **slots)
    return messages + [
        _user(follow),
        _call("EXECUTE_SWAP", inputTokenSymbol=token.symbol, outputTokenCA=address, **args),
    ]


def after_quote(m: _Maker) -> list[dict]:
    """A swap quoted and awaiting confirmation, confirmed in text; then a change, a cancel or thanks."""
    if m.rng.random() < 0.5:
        messages = search_then_swap(m)
    else:
        messages = swap_to_address(m)
    swap = messages[-1]["tool_calls"][0]["arguments"]
    messages += [_quoted(), m.reply("quote")]
    roll = m.rng.random()
    if roll < 0.5:
        keep = {k: v for k, v in swap.items() if k not in ("inputTokenAmount", "inputTokenPercentage")}
        if m.rng.random() < 0.55:
            value, amt = m.amount()
            change, changed = m.say("change_amount", amt=amt), {"inputTokenAmount": value}
        else:
            value, share = m.share()
            change, changed = m.say("change_share", share=share), {"inputTokenPercentage": value}
        return messages + [_user(change), _call("EXECUTE_SWAP", **keep, **changed)]
    if roll < 0.56:
        least, least_text = m.amount()
        floor = _call("EXECUTE_SWAP", **{**swap, "outputTokenAmount": least})
        return messages + [_user(m.say("change_min_out", min=least_text)), floor]
    if roll < 0.74:
        target = m.token(exclude=[swap["inputTokenSymbol"]])
        result, address = _search_result(m, target, target.chain)
        new = {**swap, "outputTokenCA": address}
        return messages + [
            _user(m.say("change_output", out=m.symbol(target))),
            _call("SEARCH_TOKEN", symbol=target.symbol),
            result,
            _call("EXECUTE_SWAP", **new),
        ]
    if roll < 0.87:
        return messages + [_user(m.say("cancel")), m.reply("cancelled")]
    return messages + [_user(m.say("confirm")), m.reply("welcome")]


def _oos_turn(m: _Maker) -> tuple[str, str]:
    """An out-of-scope request, a question or chatter: its text and the kind of reply it gets."""
    topic = m.rng.choice(list(OUT_OF_SCOPE))
    token, other = m.token(), m.token()
    _, amt = m.amount()
    slots = {"sym": m.symbol(token), "out": m.symbol(other), "amt": amt, "chain": m.chain(token.chain)}
    slots["addr"] = address_for(token.chain, m.rng)
    kind = {"concept": "concept", "howto": "concept", "advice": "advice", "chat": "chat", "smalltalk": "chat"}.get(
        topic, "out_of_scope"
    )
    return m.out_of_scope(topic, **slots), kind


def text_only(m: _Maker) -> list[dict]:
    text, kind = _oos_turn(m)
    return [_user(text), m.reply(kind)]


def chat_then_request(m: _Maker) -> list[dict]:
    """Chatter or an out-of-scope ask first, then a real request."""
    text, kind = _oos_turn(m)
    builder = m.rng.choice((search, sell, swap_to_address, search_then_swap))
    return [_user(text), m.reply(kind)] + builder(m)


def request_then_oos(m: _Maker) -> list[dict]:
    """A swap, then something out of scope: text, never a call."""
    messages = m.rng.choice((sell, swap_to_address))(m) + [_quoted(), m.reply("quote")]
    text, kind = _oos_turn(m)
    return messages + [_user(text), m.reply(kind)]


# situation -> (share of the data, builder)
BUILDERS: dict[str, tuple[float, Callable[[_Maker], list[dict]]]] = {
    "search": (0.14, search),
    "sell": (0.17, sell),
    "swap_to_address": (0.08, swap_to_address),
    "search_then_swap": (0.12, search_then_swap),
    "choose_chain": (0.05, choose_chain),
    "ask_amount": (0.08, ask_amount),
    "lookup": (0.05, lookup),
    "after_quote": (0.08, after_quote),
    "text_only": (0.15, text_only),
    "chat_then_request": (0.05, chat_then_request),
    "request_then_oos": (0.03, request_then_oos),
}


def grounded(messages: list[dict]) -> bool:
    """Whether every gold call can be written under the runtime's grounding: a typo can hide the word a value is in."""
    for i, message in enumerate(messages):
        for call in message.get("tool_calls") or ():
            grounds, tool = grounds_in(messages[:i]), TOOLS[call["name"]]
            for key, value in call["arguments"].items():
                param = tool.param(key)
                allowed = grounds.values(param.kind) if param else None
                if allowed is not None and value not in allowed:
                    return False
    return True


def conversation(rng: Random, split: str, index: int) -> dict:
    """One conversation; drawn again (at most `MAX_DRAWS` times) until its gold calls are grounded."""
    lang = rng.choices(LANGS, LANG_WEIGHTS)[0]
    name = rng.choices(list(BUILDERS), [w for w, _ in BUILDERS.values()])[0]
    for _ in range(MAX_DRAWS):
        messages = BUILDERS[name][1](_Maker(rng, lang, split))
        if grounded(messages):
            break
    else:
        raise RuntimeError(f"{name} ({lang}) drew {MAX_DRAWS} conversations the grounding cannot write")
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
