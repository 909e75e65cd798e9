"""The decoding grammar: every gold output is accepted; everything it accepts parses and validates."""

from __future__ import annotations

import random

import pytest
from dmind.edge.nano.grammar import key_sets, lark_grammar
from dmind.edge.nano.grounding import Grounds, addresses_in, grounds_in
from dmind.edge.nano.metrics import turns
from dmind.edge.nano.protocol import END_TURN, render_assistant
from dmind.edge.nano.reply import parse_reply
from dmind.edge.nano.tools import TOOLS, validate_call
from dmind.export.data.generate import generate

llguidance = pytest.importorskip("llguidance")


def _matcher(tokenizer, grounds):
    grammar_tokenizer = llguidance.LLTokenizer(tokenizer.to_str(), eos_token=tokenizer.token_to_id("<eos>"))
    matcher = llguidance.LLMatcher(
        grammar_tokenizer, llguidance.LLMatcher.grammar_from_lark(lark_grammar(grounds)), log_level=0
    )
    assert not matcher.is_error(), matcher.get_error()
    return matcher


def test_every_gold_output_is_accepted(tokenizer):
    conversations = generate(120, split="train", seed=3) + generate(120, split="test", seed=3)
    for turn in turns(conversations):
        matcher = _matcher(tokenizer, grounds_in(turn.history))
        ids = tokenizer.encode(render_assistant(turn.gold), add_special_tokens=False).ids
        for token in ids:
            assert matcher.consume_token(token), (
                turn.conversation["id"],
                render_assistant(turn.gold),
                matcher.get_error(),
            )
        assert matcher.is_stopped() or matcher.is_accepting()


def test_random_walks_always_parse_validate_and_stay_grounded(tokenizer):
    rng = random.Random(11)
    vocab = tokenizer.get_vocab_size()
    specials = {
        tokenizer.token_to_id(t) for t in ("<start_function_call>", "<end_function_call>", "<escape>", END_TURN)
    }
    history = [
        {
            "role": "user",
            "content": "swap 1.5k $pepe or half my 以太坊 for 0x6982508145454Ce325dDbE47a25d4ec3d2311933 on base, dog coins",
        },
        {
            "role": "tool",
            "name": "SEARCH_TOKEN",
            "content": '{"address": "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU", "symbol": "WIF"}',
        },
    ]
    grounds = grounds_in(history)
    calls = 0
    for _ in range(60):
        matcher = _matcher(tokenizer, grounds)
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
                calls += 1
                validate_call(reply.call.name, reply.call.arguments)
                tool = TOOLS[reply.call.name]
                for key, value in reply.call.arguments.items():
                    assert value in grounds.values(tool.param(key).kind), (key, value)
    assert calls > 5


def test_an_address_not_in_the_conversation_is_refused(tokenizer):
    call = {
        "tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"address": "0x6982508145454Ce325dDbE47a25d4ec3d2311933"}}]
    }
    ids = tokenizer.encode(render_assistant(call), add_special_tokens=False).ids
    matcher = _matcher(tokenizer, Grounds(addresses=("0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984",)))
    assert not all(matcher.consume_token(t) for t in ids)


def test_key_sets_follow_the_schema():
    for tool in TOOLS.values():
        names = [p.name for p in tool.params]
        for keys in key_sets(tool, names):
            validate_call(
                tool.name,
                {
                    k: (
                        "0x" + "11" * 20
                        if tool.param(k).kind == "address"
                        else 0.5
                        if tool.param(k).type == "NUMBER"
                        else "solana"
                        if tool.param(k).enum
                        else "X"
                    )
                    for k in keys
                },
            )
    assert ("inputTokenAmount", "inputTokenPercentage", "inputTokenSymbol") not in key_sets(
        TOOLS["EXECUTE_SWAP"], names
    )


def test_addresses_are_found_in_text_without_false_matches():
    text = "换成o5agQFeRDgM1CSdqF1rJBX2w7goDGuaGSaAGpoZWoKy4 or 0x60ea4DC14a56Bb20b12483d751E7bF0E8F7C62C9, not 0x1234 nor x60ea4DC14a56Bb20b12483d751E7bF"
    assert addresses_in([text]) == [
        "0x60ea4DC14a56Bb20b12483d751E7bF0E8F7C62C9",
        "o5agQFeRDgM1CSdqF1rJBX2w7goDGuaGSaAGpoZWoKy4",
    ]


def _accepts(tokenizer, grounds, message):
    matcher = _matcher(tokenizer, grounds)
    ids = tokenizer.encode(render_assistant(message), add_special_tokens=False).ids
    return all(matcher.consume_token(t) for t in ids)


def test_a_value_nobody_gave_cannot_be_written(tokenizer):
    address = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
    grounds = grounds_in([{"role": "user", "content": f"swap 2 sol for {address}"}])

    def swap(**arguments):
        return {
            "tool_calls": [
                {
                    "name": "EXECUTE_SWAP",
                    "arguments": {"inputTokenSymbol": "SOL", "outputTokenCA": address, **arguments},
                }
            ]
        }

    assert _accepts(tokenizer, grounds, swap(inputTokenAmount=2))
    assert not _accepts(tokenizer, grounds, swap(inputTokenAmount=20))
    assert not _accepts(tokenizer, grounds, swap(inputTokenPercentage=0.5))
    assert not _accepts(
        tokenizer, grounds, swap()
    )  # the schema allows a swap without an amount; a model must ask instead
    search = {"tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"chain": "solana", "symbol": "SOL"}}]}
    assert _accepts(tokenizer, grounds, search)  # "sol" names the chain too
    assert not _accepts(
        tokenizer, grounds, {"tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"chain": "base", "symbol": "SOL"}}]}
    )


def test_where_nothing_grounds_a_call_only_text_is_possible(tokenizer):
    grammar = lark_grammar(grounds_in([{"role": "user", "content": "..."}]))
    assert grammar.startswith("start: reply\n") and "<start_function_call>" not in grammar
    assert _accepts(
        tokenizer, grounds_in([]), {"role": "assistant", "content": "Sorry, I can only search tokens and make swaps."}
    )


def test_a_swap_never_sells_the_token_a_search_found_for_its_output(tokenizer):
    found = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
    history = [
        {"role": "user", "content": "swap 2 usdt for pepe"},
        {"role": "assistant", "tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"symbol": "PEPE"}}]},
        {
            "role": "tool",
            "name": "SEARCH_TOKEN",
            "content": f'{{"address": "{found}", "chain": "ethereum", "symbol": "PEPE"}}',
        },
    ]
    grounds = grounds_in(history)

    def swap(symbol):
        return {
            "tool_calls": [
                {
                    "name": "EXECUTE_SWAP",
                    "arguments": {"inputTokenAmount": 2, "inputTokenSymbol": symbol, "outputTokenCA": found},
                }
            ]
        }

    assert _accepts(tokenizer, grounds, swap("USDT"))
    assert not _accepts(tokenizer, grounds, swap("PEPE")) and not _accepts(tokenizer, grounds, swap("pepe"))


def test_a_swap_never_has_one_address_on_both_sides(tokenizer):
    a, b = "0x6982508145454Ce325dDbE47a25d4ec3d2311933", "0x1f9840a85d5aF5bf1D1762F925BDADdC4201F984"
    grounds = grounds_in([{"role": "user", "content": f"swap 42 ENA ({a}) for {b}"}])

    def swap(input_ca, output_ca):
        return {
            "tool_calls": [
                {
                    "name": "EXECUTE_SWAP",
                    "arguments": {
                        "inputTokenAmount": 42,
                        "inputTokenCA": input_ca,
                        "inputTokenSymbol": "ENA",
                        "outputTokenCA": output_ca,
                    },
                }
            ]
        }

    assert _accepts(tokenizer, grounds, swap(a, b)) and _accepts(tokenizer, grounds, swap(b, a))
    assert not _accepts(tokenizer, grounds, swap(a, a)) and not _accepts(tokenizer, grounds, swap(b, b))
