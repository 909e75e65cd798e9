"""The decoding grammar: every gold output is accepted; everything it accepts parses and validates."""

from __future__ import annotations

import random

import pytest
from dmind.edge.nano.grammar import addresses_in, key_sets, lark_grammar
from dmind.edge.nano.metrics import turns
from dmind.edge.nano.parse import parse_reply
from dmind.edge.nano.protocol import END_TURN, render_assistant
from dmind.edge.nano.tools import TOOLS, validate_call
from dmind.export.data.generate import generate

llguidance = pytest.importorskip("llguidance")


def _matcher(tokenizer, addresses):
    grammar_tokenizer = llguidance.LLTokenizer(tokenizer.to_str(), eos_token=tokenizer.token_to_id("<eos>"))
    matcher = llguidance.LLMatcher(grammar_tokenizer, llguidance.LLMatcher.grammar_from_lark(lark_grammar(addresses)), log_level=0)
    assert not matcher.is_error(), matcher.get_error()
    return matcher


def _said(history):
    return addresses_in(str(m.get("content") or "") for m in history if m["role"] in ("user", "tool"))


def test_every_gold_output_is_accepted(tokenizer):
    conversations = generate(120, split="train", seed=3) + generate(120, split="test", seed=3)
    for turn in turns(conversations):
        matcher = _matcher(tokenizer, _said(turn.history))
        ids = tokenizer.encode(render_assistant(turn.gold), add_special_tokens=False).ids
        for token in ids:
            assert matcher.consume_token(token), (turn.conversation["id"], render_assistant(turn.gold), matcher.get_error())
        assert matcher.is_stopped() or matcher.is_accepting()


def test_random_walks_always_parse_and_validate(tokenizer):
    rng = random.Random(11)
    vocab = tokenizer.get_vocab_size()
    specials = {tokenizer.token_to_id(t) for t in ("<start_function_call>", "<end_function_call>", "<escape>", END_TURN)}
    addresses = ["0x6982508145454Ce325dDbE47a25d4ec3d2311933", "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"]
    for _ in range(60):
        matcher = _matcher(tokenizer, addresses)
        out = []
        while not matcher.is_stopped() and len(out) < 400:
            mask = matcher.compute_logit_bias()
            allowed = [i for i in range(vocab) if mask[i]]
            preferred = [i for i in allowed if i in specials] or allowed
            token = rng.choice(preferred if rng.random() < 0.3 else allowed)
            assert matcher.consume_token(token)
            out.append(token)
        if matcher.is_stopped():
            reply = parse_reply(tokenizer.decode(out, skip_special_tokens=False))
            if reply.call:
                validate_call(reply.call.name, reply.call.arguments)
                for value in reply.call.arguments.values():
                    assert not isinstance(value, str) or len(value) < 40 or value in addresses


def test_an_address_not_in_the_conversation_is_refused(tokenizer):
    call = {"tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"address": "0x6982508145454Ce325dDbE47a25d4ec3d2311933"}}]}
    ids = tokenizer.encode(render_assistant(call), add_special_tokens=False).ids
    matcher = _matcher(tokenizer, ["0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984"])
    assert not all(matcher.consume_token(t) for t in ids)


def test_key_sets_follow_the_schema():
    for tool in TOOLS.values():
        names = [p.name for p in tool.params]
        for keys in key_sets(tool, names):
            validate_call(tool.name, {k: ("0x" + "11" * 20 if tool.param(k).kind == "address" else 0.5 if tool.param(k).type == "NUMBER"
                                          else "solana" if tool.param(k).enum else "X") for k in keys})
    assert ("inputTokenAmount", "inputTokenPercentage", "inputTokenSymbol") not in key_sets(TOOLS["EXECUTE_SWAP"], names)


def test_addresses_are_found_in_text_without_false_matches():
    text = "换成o5agQFeRDgM1CSdqF1rJBX2w7goDGuaGSaAGpoZWoKy4 or 0x60ea4DC14a56Bb20b12483d751E7bF0E8F7C62C9, not 0x1234 nor x60ea4DC14a56Bb20b12483d751E7bF"
    assert addresses_in([text]) == ["0x60ea4DC14a56Bb20b12483d751E7bF0E8F7C62C9", "o5agQFeRDgM1CSdqF1rJBX2w7goDGuaGSaAGpoZWoKy4"]
