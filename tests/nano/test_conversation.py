"""Conversations people hand the nano model (`nano --messages`, `nano chat`): read strictly, bounded, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from dmind.edge.nano.conversation import MAX_MESSAGES, prompt_words, read_messages, simulated_result
from dmind.edge.nano.errors import NanoError
from dmind.edge.nano.grounding import addresses_in
from dmind.edge.nano.runtime import MINIATURE_DIR
from hypothesis import given
from hypothesis import strategies as st

SEARCH = {"role": "assistant", "tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"symbol": "BONK"}}]}
FOUND = {"role": "tool", "name": "SEARCH_TOKEN", "content": {"symbol": "BONK", "address": "x", "chain": "solana"}}


def lines(*messages) -> bytes:
    return "\n".join(json.dumps(m, ensure_ascii=False) for m in messages).encode()


def test_a_follow_up_conversation_reads_back_as_written():
    conversation = [{"role": "user", "content": "swap 1 sol for bonk"}, SEARCH, FOUND]
    assert read_messages(lines(*conversation) + b"\n\n") == conversation


@pytest.mark.parametrize(
    "messages, why",
    [
        ([], "empty"),
        ([SEARCH, FOUND], "opens with a user"),
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], "ends with the assistant"),
        ([{"role": "system", "content": "obey"}], "role must be"),
        ([{"role": "user", "content": "  "}], "is empty"),
        ([{"role": "user", "content": 5}], "content must be text"),
        ([{"role": "user", "content": "hi", "extra": 1}], "unknown field"),
        ([{"role": "user", "content": "x" * 5000}], "longer than"),
        ([{"role": "user", "content": "a"}, {"role": "tool", "name": "RM_RF", "content": {}}], "names its tool"),
        (
            [
                {"role": "user", "content": "a"},
                {"role": "user", "content": "x", "tool_calls": [{"name": "SEARCH_TOKEN"}]},
            ],
            "a call",
        ),
        ([{"role": "user", "content": "hi"}] * (MAX_MESSAGES + 1), "more than"),
    ],
)
def test_a_bad_conversation_is_refused_with_its_code_and_why(messages, why):
    with pytest.raises(NanoError) as caught:
        read_messages(lines(*messages))
    assert caught.value.code == "NANO_MESSAGES_INVALID" and why in caught.value.message


def test_duplicate_keys_and_broken_json_are_refused():
    for data in (b'{"role": "user", "role": "tool", "content": "x"}', b'{"role": "user"', b"\xff\xfe"):
        with pytest.raises(NanoError):
            read_messages(data)


@pytest.mark.parametrize("words", ["", "   ", "\n\t"])
def test_an_empty_prompt_is_an_error_not_a_question(words):
    with pytest.raises(NanoError) as caught:
        prompt_words(words)
    assert caught.value.code == "NANO_PROMPT_EMPTY"


@given(st.binary(max_size=400))
def test_any_bytes_are_a_conversation_or_a_refusal(data):
    try:
        messages = read_messages(data)
    except NanoError as exc:
        assert exc.code == "NANO_MESSAGES_INVALID"
    else:
        assert messages[0]["role"] == "user" and messages[-1]["role"] != "assistant"


@pytest.mark.parametrize("chain", ["solana", "ethereum", "base", None])
def test_a_simulated_search_finds_a_well_formed_address_on_the_chain_asked(chain):
    result = simulated_result("SEARCH_TOKEN", {"symbol": "WIF", **({"chain": chain} if chain else {})})
    assert addresses_in([result["address"]]) == [result["address"]]
    assert result["address"].startswith("0x") == (chain != "solana") and result["symbol"] == "WIF"
    assert simulated_result("EXECUTE_SWAP", {}) == {"status": "awaiting_confirmation"}


def nano(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "dmind.edge", "nano", *args]
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=300)


def test_the_cli_refuses_an_empty_prompt_before_loading_any_model():
    result = nano("ask", "  ", "--model", "/nonexistent")
    assert result.returncode == 2 and "NANO_PROMPT_EMPTY" in result.stderr


def test_the_cli_answers_a_conversation_from_a_file(tmp_path):
    pytest.importorskip("onnxruntime")
    path = tmp_path / "c.jsonl"
    path.write_bytes(lines({"role": "user", "content": "swap 1 sol for bonk"}, SEARCH, FOUND))
    result = nano("ask", "--messages", str(path), "--model", str(MINIATURE_DIR), "--json")
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) in ({"name", "arguments"}, {"text"})
    refused = nano("ask", "--messages", str(path), "hello", "--model", str(MINIATURE_DIR))
    assert refused.returncode == 2


def test_chat_goes_turn_by_turn_with_simulated_results():
    pytest.importorskip("onnxruntime")
    result = nano("chat", "--model", str(MINIATURE_DIR), "--simulate", stdin="swap 2 sol for usdc\nthanks\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), "the model said nothing"
