"""Intent binding: a swap is checked against the call the user's words became."""

from __future__ import annotations

import pytest
from dmind.edge import evaluate_json
from dmind.edge.nano.reply import Reply, ToolCall
from dmind.edge.nano.tools import CallError
from dmind.edge.units import short_address

from tests.builders import SIGNER, UNIVERSAL_ROUTER, USDC, WETH, eip1559, raw_tx_request, ur_execute, v3_path
from tests.conftest import FIXED_NOW

FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PEPE = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
MSG_SENDER = "0x" + "00" * 19 + "01"
V3_IN = (0x00, ["address", "uint256", "uint256", "bytes", "bool"])


def _swap(recipient=MSG_SENDER, amount=250 * 10**6, token_out=WETH):
    data = ur_execute([(*V3_IN, [recipient, amount, 1, v3_path(USDC, 500, token_out), True])])
    return raw_tx_request(eip1559(UNIVERSAL_ROUTER, data, gas=300_000))


def _swap_call(**arguments):
    return {"name": "EXECUTE_SWAP", "arguments": {"inputTokenSymbol": "USDC", "outputTokenCA": WETH, **arguments}}


def _mismatches(request, **kwargs):
    decision = evaluate_json(request, now=FIXED_NOW, **kwargs)
    return [f.message for f in decision.findings if f.code == "INTENT_MISMATCH"], decision


def test_matching_swap_has_no_mismatch():
    found, decision = _mismatches({**_swap(), "stated_intent": _swap_call(inputTokenAmount=250)})
    assert found == []
    assert decision.verdict == "ALLOW"


@pytest.mark.parametrize(
    "request_, stated, words",
    [
        (_swap(recipient=FRIEND), _swap_call(), "not to the signer"),
        (_swap(token_out=PEPE), _swap_call(), "swaps into"),
        (_swap(), _swap_call(inputTokenSymbol="DAI"), "asked to sell DAI"),
        (_swap(), _swap_call(inputTokenAmount=25), "asked to sell 25 USDC"),
        (_swap(), _swap_call(outputTokenCA="So11111111111111111111111111111111111111112"), "not on this EVM chain"),
        (_swap(), {"name": "SEARCH_TOKEN", "arguments": {"symbol": "PEPE"}}, "token search"),
        (raw_tx_request(eip1559(FRIEND, value=10**18)), _swap_call(), "performs none"),
    ],
)
def test_contradictions_are_mismatches(request_, stated, words):
    found, decision = _mismatches({**request_, "stated_intent": stated})
    assert any(words in message for message in found), found
    assert decision.verdict != "ALLOW"


def test_output_to_someone_else_is_a_mismatch_even_when_tokens_match():
    found, _ = _mismatches({**_swap(recipient=FRIEND), "stated_intent": _swap_call(inputTokenAmount=250)})
    assert len(found) == 1 and short_address(FRIEND) in found[0] and short_address(SIGNER) in found[0]


def test_words_are_read_by_the_reader_given():
    seen = []

    def reader(words):
        seen.append(words)
        return Reply(call=ToolCall("EXECUTE_SWAP", {"inputTokenSymbol": "USDC", "outputTokenCA": PEPE}))

    found, _ = _mismatches({**_swap(), "stated_intent": "swap 250 USDC for pepe"}, intent_reader=reader)
    assert seen == ["swap 250 USDC for pepe"] and found


def test_plain_text_reading_contradicts_a_transaction():
    found, _ = _mismatches(
        {**_swap(), "stated_intent": "what's the weather"}, intent_reader=lambda w: Reply(text="Sorry.")
    )
    assert found


@pytest.mark.parametrize(
    "stated, reader, code",
    [
        ("swap 1 USDC", None, "INTENT_MODEL_UNAVAILABLE"),
        ("swap 1 USDC", lambda w: (_ for _ in ()).throw(CallError("E_JSON_INVALID", "bad")), "INTENT_UNREADABLE"),
        ({"name": "EXECUTE_SWAP", "arguments": {"inputTokenAmount": 1}}, None, "INTENT_UNREADABLE"),
        ({"name": "TRANSFER_ALL", "arguments": {}}, None, "INTENT_UNREADABLE"),
        ([1, 2, 3], None, "INTENT_UNREADABLE"),
        ("x" * 5000, None, "INTENT_UNREADABLE"),
    ],
)
def test_unreadable_intents_are_findings(stated, reader, code):
    decision = evaluate_json({**_swap(), "stated_intent": stated}, now=FIXED_NOW, intent_reader=reader)
    assert code in {f.code for f in decision.findings}
