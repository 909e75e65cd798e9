"""The conversation generator: valid gold calls, deterministic output, disjoint phrasings, number words."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from dmind.edge.nano.grounding import addresses_in
from dmind.edge.nano.metrics import turns
from dmind.edge.nano.tools import validate_call
from dmind.export.data import generate as gen
from dmind.export.data.numbers import amount_forms, share_forms, zh_integer
from dmind.export.data.templates import TEMPLATES


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
    conversations = gen.generate(300)
    assert {c["lang"] for c in conversations} == {"en", "zh", "mixed"}
    assert {c["kind"] for c in conversations} == {"single", "multi"}
    for conv in conversations:
        json.dumps(conv)
        for message in conv["messages"]:
            assert message["role"] in ("user", "assistant", "tool")
            if message["role"] == "tool":
                assert message["name"] == "SEARCH_TOKEN" and json.loads(message["content"])["address"]
    kinds = Counter(c["situation"] for c in conversations)
    assert set(kinds) == set(gen.BUILDERS)


def test_searches_come_before_swaps_into_a_symbol():
    for conv in gen.generate(300):
        if conv["situation"] == "search_then_swap":
            names = [m["tool_calls"][0]["name"] for m in conv["messages"] if m.get("tool_calls")]
            address = json.loads(conv["messages"][2]["content"])["address"]
            assert names == ["SEARCH_TOKEN", "EXECUTE_SWAP"]
            assert conv["messages"][3]["tool_calls"][0]["arguments"]["outputTokenCA"] == address


def _frames(template: str) -> str:
    return re.sub(r"\{\w+\}", "", template)


@pytest.mark.parametrize("situation", sorted(TEMPLATES))
def test_test_phrasings_never_appear_in_training(situation):
    for lang in ("en", "zh", "mixed"):
        train = set(gen._Maker(None, lang, "train").phrasings(situation))
        test = set(gen._Maker(None, lang, "test").phrasings(situation))
        if len(TEMPLATES[situation][lang]) > 1:
            assert train and test and not train & test


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
