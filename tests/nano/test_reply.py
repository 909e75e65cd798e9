"""The output parser: three argument forms, the SDK's error codes, and round trips with the renderer."""

from __future__ import annotations

import pytest
from dmind.edge.nano.protocol import render_call
from dmind.edge.nano.reply import parse_reply
from dmind.edge.nano.tools import CallError, validate_call
from hypothesis import given
from hypothesis import strategies as st

ADDRESS = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
SWAP = {"inputTokenAmount": 1.5, "inputTokenSymbol": "SOL", "outputTokenCA": ADDRESS}


@pytest.mark.parametrize(
    "raw",
    [
        f"<start_function_call>call:EXECUTE_SWAP{{inputTokenAmount:1.5,inputTokenSymbol:<escape>SOL<escape>,outputTokenCA:<escape>{ADDRESS}<escape>}}<end_function_call>",
        f'<start_function_call>call:EXECUTE_SWAP{{inputTokenAmount:1.5,inputTokenSymbol:"SOL",outputTokenCA:"{ADDRESS}"}}<end_function_call>',
        f'<start_function_call>call:EXECUTE_SWAP{{"inputTokenAmount": 1.5, "inputTokenSymbol": "SOL", "outputTokenCA": "{ADDRESS}"}}<end_function_call>',
        f"<start_function_call>call:EXECUTE_SWAP{{inputTokenAmount:1.5,inputTokenSymbol:<escape>SOL<escape>,outputTokenCA:<escape>{ADDRESS}<escape>}}<end_function_call><start_function_response>",
    ],
)
def test_three_argument_forms_read_the_same(raw):
    reply = parse_reply(raw)
    assert reply.call.name == "EXECUTE_SWAP" and reply.call.arguments == SWAP and reply.text is None


def test_plain_text_is_an_answer():
    assert parse_reply("How much SOL do you want to swap?<end_of_turn>").text == "How much SOL do you want to swap?"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("call:SEARCH_TOKEN{symbol:<escape>PEPE<escape>}", "E_NO_WRAPPER"),
        ('{"name": "SEARCH_TOKEN", "arguments": {}}', "E_NO_WRAPPER"),
        ("<start_function_call>call:SEARCH_TOKEN{symbol:<escape>PEPE<escape>}", "E_NO_WRAPPER"),
        (
            "Sure! <start_function_call>call:SEARCH_TOKEN{symbol:<escape>PEPE<escape>}<end_function_call>",
            "E_WRONG_PROTOCOL",
        ),
        ("<end_of_turn>", "E_WRONG_PROTOCOL"),
        ("<start_function_call>call:SEARCH_TOKEN{symbol:<escape>PEPE}<end_function_call>", "E_JSON_INVALID"),
        ('<start_function_call>call:SEARCH_TOKEN{"symbol": PEPE}<end_function_call>', "E_JSON_INVALID"),
        ("<start_function_call>SEARCH_TOKEN(symbol=PEPE)<end_function_call>", "E_JSON_INVALID"),
        ("<start_function_call>call:SEND_ALL{to:<escape>x<escape>}<end_function_call>", "E_TOOL_UNKNOWN"),
        ("<start_function_call>call:SEARCH_TOKEN{chain:<escape>base<escape>}<end_function_call>", "E_PARAM_MISSING"),
        ("<start_function_call>call:EXECUTE_SWAP{inputTokenAmount:1}<end_function_call>", "E_PARAM_MISSING"),
        (
            "<start_function_call>call:SEARCH_TOKEN{symbol:<escape>A<escape>,network:<escape>base<escape>}<end_function_call>",
            "E_PARAM_UNKNOWN",
        ),
        (
            "<start_function_call>call:EXECUTE_SWAP{inputTokenSymbol:<escape>SOL<escape>,inputTokenAmount:<escape>1<escape>}<end_function_call>",
            "E_PARAM_TYPE",
        ),
        (
            "<start_function_call>call:EXECUTE_SWAP{inputTokenSymbol:<escape>SOL<escape>,inputTokenPercentage:1.5}<end_function_call>",
            "E_PARAM_RANGE",
        ),
        (
            "<start_function_call>call:EXECUTE_SWAP{inputTokenSymbol:<escape>SOL<escape>,inputTokenAmount:1,inputTokenPercentage:0.5}<end_function_call>",
            "E_PARAM_RANGE",
        ),
        (
            "<start_function_call>call:SEARCH_TOKEN{chain:<escape>tron<escape>,symbol:<escape>A<escape>}<end_function_call>",
            "E_PARAM_RANGE",
        ),
        ("<start_function_call>call:SEARCH_TOKEN{address:<escape>0x1234<escape>}<end_function_call>", "E_PARAM_RANGE"),
        (
            "<start_function_call>call:SEARCH_TOKEN{symbol:<escape>A<escape>}<end_function_call><start_function_call>call:SEARCH_TOKEN{symbol:<escape>B<escape>}<end_function_call>",
            "E_INVOKE_COUNT",
        ),
    ],
)
def test_protocol_errors_have_sdk_codes(raw, code):
    with pytest.raises(CallError) as caught:
        parse_reply(raw)
    assert caught.value.code == code


_text = st.text(st.characters(blacklist_characters="<", blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s
)
_amount = st.floats(min_value=1e-6, max_value=1e9, allow_nan=False).map(lambda v: round(v, 6)).filter(lambda v: v > 0)
_swap = st.fixed_dictionaries(
    {"inputTokenSymbol": _text, "outputTokenCA": st.just(ADDRESS)},
    optional={"inputTokenAmount": _amount, "outputTokenAmount": _amount, "inputTokenCA": st.just(ADDRESS)},
)


@given(_swap)
def test_rendered_calls_parse_back(arguments):
    validate_call("EXECUTE_SWAP", arguments)
    assert parse_reply(render_call("EXECUTE_SWAP", arguments)).call.arguments == arguments


@given(st.text(max_size=200))
def test_any_text_is_a_reply_or_a_coded_error(raw):
    try:
        reply = parse_reply(raw)
    except CallError as exc:
        assert exc.code.startswith("E_")
    else:
        assert (reply.call is None) != (reply.text is None)
