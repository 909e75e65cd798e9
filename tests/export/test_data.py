"""The conversation generator: valid gold calls, deterministic output, disjoint phrasings, number words."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from dmind.edge.nano.grounding import addresses_in
from dmind.edge.nano.metrics import turns
from dmind.edge.nano.tools import validate_call
from dmind.export.data import generate as gen
from dmind.export.data.numbers import amount_forms, share_forms, zh_integer
from dmind.export.data.phrases import CLOSERS, FRAMES, OPENERS, OUT_OF_SCOPE


def test_same_seed_same_data_other_seed_other_data():
    assert gen.generate(50, seed=1) == gen.generate(50, seed=1)
    assert gen.generate(50, seed=1) != gen.generate(50, seed=2)


def test_every_gold_call_validates_and_uses_only_addresses_the_user_or_a_tool_gave():
    for turn in turns(gen.generate(400, split="train") + gen.generate(200, split="test")):
        said = addresses_in(str(m.get("content") or "") for m in turn.history if m["role"] in ("user", "tool"))
        for call in turn.gold.get("tool_calls") or ():
            validate_call(call["name"], call["arguments"])
            for key, value in call["arguments"].items():
                if key in ("address", "inputTokenCA", "outputTokenCA"):
                    assert value in said, (turn.conversation["id"], value)


def test_conversations_have_the_documented_shape():
    conversations = gen.generate(400)
    assert {c["lang"] for c in conversations} == {"en", "zh", "mixed"}
    assert {c["kind"] for c in conversations} == {"single", "multi"}
    for conv in conversations:
        json.dumps(conv)
        for message in conv["messages"]:
            assert message["role"] in ("user", "assistant", "tool")
            if message["role"] == "tool" and message["name"] == "SEARCH_TOKEN":
                content = message["content"]
                found = content["results"] if "results" in content else [content]
                assert all({"symbol", "name", "address", "chain", "decimals"} <= set(item) for item in found)
    assert set(Counter(c["situation"] for c in conversations)) == set(gen.BUILDERS)


def test_every_gold_call_is_one_the_grounded_grammar_can_write():
    """A typo or a number form the runtime cannot read would teach calls decoding forbids: the generator draws again."""
    conversations = gen.generate(600) + gen.generate(200, split="test")
    assert all(gen.grounded(c["messages"]) for c in conversations)
    call = gen._call("EXECUTE_SWAP", inputTokenSymbol="SOL", inputTokenPercentage=0.5)
    assert not gen.grounded([{"role": "user", "content": "sell haf my SOL"}, call])


def _calls(conv):
    return [c for m in conv["messages"] for c in m.get("tool_calls") or ()]


def test_the_conventions_hold_in_the_data():
    for conv in gen.generate(800):
        calls, situation = _calls(conv), conv["situation"]
        if situation == "sell":  # no output named: one swap, no outputTokenCA
            assert [c["name"] for c in calls] == ["EXECUTE_SWAP"] and "outputTokenCA" not in calls[0]["arguments"]
        if situation == "search_then_swap":  # output by symbol: search, then the address the search found
            assert [c["name"] for c in calls] == ["SEARCH_TOKEN", "EXECUTE_SWAP"]
            assert calls[1]["arguments"]["outputTokenCA"] == conv["messages"][2]["content"]["address"]
        if situation == "text_only":  # out of scope, questions, chatter: text, never a call
            assert not calls
        if situation == "choose_chain":  # several chains: the question comes in text first
            assert "tool_calls" not in conv["messages"][3]
        if situation == "after_quote" and len(calls) >= 2 and calls[-2]["name"] == calls[-1]["name"] == "EXECUTE_SWAP":
            before, after = calls[-2]["arguments"], calls[-1]["arguments"]
            kept = {k: v for k, v in before.items() if k not in ("inputTokenAmount", "inputTokenPercentage")}
            assert kept.items() <= after.items()  # a change carries every other argument over


@pytest.mark.parametrize("table", ["frames", "out_of_scope", "chatter"])
def test_test_frames_and_chatter_never_appear_in_training(table):
    lists = {
        "frames": [v for by_lang in FRAMES.values() for v in by_lang.values()],
        "out_of_scope": [v for by_lang in OUT_OF_SCOPE.values() for v in by_lang.values()],
        "chatter": [*OPENERS.values(), *CLOSERS.values()],
    }[table]
    for options in lists:
        train, test = set(gen.split_of(options, False)), set(gen.split_of(options, True))
        if len(options) > 1:
            assert train and test and not train & test, options


@pytest.mark.parametrize(
    "n, words",
    [(500, "五百"), (15, "十五"), (105, "一百零五"), (10000, "一万"), (12000, "一万二千"), (2020, "二千零二十")],
)
def test_chinese_numerals(n, words):
    assert zh_integer(n) == words


def test_liang_in_thousands_and_hundreds():
    assert zh_integer(2000, liang=True) == "两千" and zh_integer(2, liang=True) == "二"


def test_number_forms():
    assert {"1500", "1,500", "1.5k", "一千五百"} <= set(amount_forms(1500.0, "zh"))
    assert "1.5k" in amount_forms(1500.0, "en") and "一千五百" not in amount_forms(1500.0, "en")
    assert "三分之一" in share_forms(0.3333, "zh") and "half" in share_forms(0.5, "en")
