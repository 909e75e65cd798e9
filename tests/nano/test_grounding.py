"""What a call may carry, read from the conversation: chains named, symbols written, keywords copied, tools' findings."""

from __future__ import annotations

import json

import pytest
from dmind.edge.nano.grounding import CHAIN_ALIASES, Grounds, chains_in, grounds_in, keywords_in, symbols_in
from dmind.export.data.lexicon import CHAIN_NAMES
from hypothesis import given
from hypothesis import strategies as st


def test_a_chain_is_grounded_only_where_the_user_names_it():
    assert chains_in(["find DEGEN"]) == []
    assert chains_in(["find DEGEN on Base chain"]) == ["base"]
    assert chains_in(["在币安链上查CAKE"]) == ["bsc"]
    assert chains_in(["look up 0x60ea4DC14a56Bb20b12483d751E7bF0E8F7C62C9"]) == []  # hex letters are not "base"
    assert chains_in(["basement"]) == []


def test_every_way_the_data_names_a_chain_is_recognized():
    for chain, (en, zh) in CHAIN_NAMES.items():
        for name in en + zh:
            assert chain in chains_in([f"swap it on {name} please"]), name
            assert chain in CHAIN_ALIASES


def test_symbols_are_what_the_user_typed_in_any_case_or_a_known_name():
    found = symbols_in(["swap $sol and 1.5kBonk for 佩佩, 把36toshiswap成"])
    for symbol in ("SOL", "BONK", "PEPE", "TOSHI"):
        assert symbol in found
    assert "USDC" not in found


def test_keywords_are_copied_phrases_but_never_function_words():
    found = keywords_in(
        ["找一些狗相关的币", "search layer 2 tokens", "找一些稳定币相关的币", "write me a poem", "你是谁"]
    )
    assert {"狗", "layer 2", "稳定币", "poem"} <= set(found)
    assert not {"cat", "me", "tokens", "search", "你是谁", "是", "的币", "write me"} & set(found)


def test_grounds_read_users_and_tools_but_not_the_models_own_words():
    address = "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"
    history = [
        {"role": "user", "content": "swap half my bonk for WIF"},
        {"role": "assistant", "tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"symbol": "JUP"}}]},
        {
            "role": "tool",
            "name": "SEARCH_TOKEN",
            "content": json.dumps({"address": address, "symbol": "WIF", "chain": "solana"}),
        },
        {"role": "assistant", "content": "How much, 100?"},
    ]
    grounds = grounds_in(history)
    assert grounds.addresses == (address,) and grounds.shares == (0.5,) and grounds.amounts == ()
    assert grounds.chains == ()  # the tool's "solana" is what it found, not what the user asked for
    assert "JUP" not in grounds.symbols and {"BONK", "WIF"} <= set(grounds.symbols)


@pytest.mark.parametrize("kind", ["address", "amount", "share", "chain", "symbol", "keyword"])
def test_every_argument_kind_has_a_ground_and_none_means_free(kind):
    assert Grounds().values(kind) is None
    assert grounds_in([]).values(kind) == ()


@given(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=40, max_size=40),
    st.text(alphabet="123456789ABCDEFGH", min_size=43, max_size=44),
)
def test_the_digits_of_an_address_are_never_an_amount(hexdigits, base58):
    grounds = grounds_in([{"role": "user", "content": f"swap 3 SOL for 0x{hexdigits} or {base58}"}])
    assert grounds.amounts == (3,) and grounds.addresses == (f"0x{hexdigits}", base58)


@pytest.mark.parametrize("text", ["万" * 20_000, "1" * 50_000, "fifty " * 8_000, "一二三" * 10_000, "狗猫龙" * 10_000])
def test_a_pasted_wall_of_text_gives_bounded_grounds(text):
    grounds = grounds_in([{"role": "user", "content": text}])
    assert all(
        len(grounds.values(kind)) <= 256 for kind in ("address", "amount", "share", "chain", "symbol", "keyword")
    )


@pytest.mark.parametrize(
    "words, chain",
    [("buy it on raydium", "solana"), ("the pump.fun one", "solana"), ("on aerodrome", "base"), ("pancakeswap", "bsc")],
)
def test_a_venue_on_one_chain_names_the_chain(words, chain):
    assert chains_in([words]) == [chain]


def test_tool_results_as_objects_and_on_several_chains_ground_their_addresses_and_symbols():
    one = {"symbol": "WIF", "name": "dogwifhat", "address": "EKpQGSJtjMFqKZ9KQanSqYXRcF8fBopzLHYxdM65zcjm",
           "chain": "solana", "decimals": 6}  # fmt: skip
    other = {**one, "address": "0x" + "ab" * 20, "chain": "base"}
    for content in (one, json.dumps(one), {"results": [one, other]}):
        messages = [{"role": "user", "content": "swap 1 sol for wif"}, {"role": "tool", "name": "SEARCH_TOKEN",
                    "content": content}]  # fmt: skip
        grounds = grounds_in(messages)
        assert one["address"] in grounds.addresses and (one["address"], "WIF") in grounds.found
    assert ("0x" + "ab" * 20, "WIF") in grounds.found


def test_a_description_of_up_to_five_words_is_a_keyword():
    assert "dog wearing a hat" in keywords_in(["is there a token for that dog wearing a hat"])


def _several(chains):
    results = [{"symbol": "USDC", "address": f"0x{i:040x}", "chain": c, "decimals": 6} for i, c in enumerate(chains, 1)]
    return {"role": "tool", "name": "SEARCH_TOKEN", "content": {"results": results}}, [r["address"] for r in results]


@pytest.mark.parametrize("choice, kept", [("base", [1]), ("the bsc one pls", [2]), ("币安链的那个", [2])])
def test_a_chain_chosen_after_a_several_chain_result_keeps_only_its_address(choice, kept):
    result, addresses = _several(["ethereum", "base", "bsc"])
    messages = [{"role": "user", "content": "swap 1 eth to usdc"}, result, {"role": "assistant", "content": "which?"}]
    before = grounds_in(messages).addresses
    after = grounds_in([*messages, {"role": "user", "content": choice}]).addresses
    assert set(addresses) <= set(before) and [a for a in after if a in addresses] == [addresses[i] for i in kept]


@pytest.mark.parametrize("answer", ["hmm not sure", "base or bsc, whichever is cheaper"])
def test_no_chain_or_two_chains_named_keep_every_address(answer):
    result, addresses = _several(["ethereum", "base", "bsc"])
    messages = [{"role": "user", "content": "swap 1 eth to usdc"}, result, {"role": "user", "content": answer}]
    assert set(addresses) <= set(grounds_in(messages).addresses)


def test_a_chosen_chain_never_removes_an_address_the_user_typed():
    result, addresses = _several(["ethereum", "base"])
    messages = [
        {"role": "user", "content": f"swap 1 eth to {addresses[0]}"},
        result,
        {"role": "user", "content": "base"},
    ]
    assert addresses[0] in grounds_in(messages).addresses


@pytest.mark.parametrize(
    "words, not_symbols, symbols",
    [
        ("gm gm ☕", {"GM"}, set()),
        ("that was fast, thanks", {"WAS", "FAST", "THANKS"}, set()),
        ("sell two thirds of my ens", {"TWO", "THIRDS"}, {"ENS"}),
        ("what is 0x4ed4e862860bed51a9570b96d89af5e1b0efefed on base", {"ON", "IS"}, set()),
        ("buy some $ON and GAS", set(), {"ON", "GAS"}),  # a $ or capitals make a word a ticker again
        ("以太坊上的黄金代币", {"ETH"}, set()),  # a token's name as the place a token lives names the chain
        ("卖掉一个以太坊", set(), {"ETH"}),
    ],
)
def test_chatter_and_number_words_are_no_symbols_unless_written_as_tickers(words, not_symbols, symbols):
    found = set(symbols_in([words]))
    assert not found & not_symbols and symbols <= found


def test_chain_and_venue_names_and_request_words_are_no_keywords():
    assert "hippo" in keywords_in(["the pump.fun coin about a hippo"])
    assert not {"pump", "pump.fun", "fun"} & set(keywords_in(["the pump.fun coin about a hippo"]))
    assert "精度" not in keywords_in(["brett 在 base 上是几位精度"]) and "黄金" in keywords_in(["以太坊上的黄金代币"])
