"""The FunctionGemma renderer, checked against the worked example in Google's documentation."""

from __future__ import annotations

import pytest
from dmind.edge.nano.protocol import (
    format_number,
    render_call,
    render_declaration,
    render_prompt,
    render_response,
    segments,
)
from dmind.edge.nano.tools import Param, Tool

# "FunctionGemma formatting and best practices", Turn 1 (https://ai.google.dev/gemma/docs/functiongemma/formatting-and-best-practices)
WEATHER = Tool(
    "get_current_weather",
    "Gets the current weather in a given location.",
    (
        Param("location", "STRING", 'The city and state, e.g. "San Francisco, CA" or "Tokyo, JP"'),
        Param("unit", "STRING", "The unit to return the temperature in.", enum=("celsius", "fahrenheit")),
    ),
    required=("location",),
)
DOC_DECLARATION = (
    "<start_function_declaration>declaration:get_current_weather{description:<escape>Gets the current weather in a "
    "given location.<escape>,"
    'parameters:{properties:{location:{description:<escape>The city and state, e.g. "San Francisco, CA" or "Tokyo, JP"<escape>,'
    "type:<escape>STRING<escape>},unit:{description:<escape>The unit to return the temperature "
    "in.<escape>,enum:[<escape>celsius<escape>,"
    "<escape>fahrenheit<escape>],type:<escape>STRING<escape>}},required:[<escape>location<escape>],type:<escape>OBJECT<escape>}}"
    "<end_function_declaration>"
)
DOC_PROMPT = (
    "<bos><start_of_turn>developer\nYou are a model that can do function calling with the following functions"
    + DOC_DECLARATION
    + "<end_of_turn>\n<start_of_turn>user\nHey, what's the weather in Tokyo right now?<end_of_turn>\n<start_of_turn>model\n"
)
DOC_CALL = "<start_function_call>call:get_current_weather{location:<escape>Tokyo, Japan<escape>}<end_function_call>"
DOC_RESPONSE = "<start_function_response>response:get_current_weather{temperature:15,weather:<escape>sunny<escape>}<end_function_response>"


def test_declaration_matches_the_documentation():
    assert render_declaration(WEATHER) == DOC_DECLARATION


def test_prompt_matches_the_documentation():
    assert (
        render_prompt([{"role": "user", "content": "Hey, what's the weather in Tokyo right now?"}], tools=[WEATHER])
        == DOC_PROMPT
    )


def test_call_and_response_match_the_documentation():
    assert render_call("get_current_weather", {"location": "Tokyo, Japan"}) == DOC_CALL
    assert render_response("get_current_weather", '{"weather": "sunny", "temperature": 15}') == DOC_RESPONSE


def test_response_follows_the_call_in_the_same_model_turn():
    messages = [
        {"role": "user", "content": "Hey, what's the weather in Tokyo right now?"},
        {
            "role": "assistant",
            "tool_calls": [{"name": "get_current_weather", "arguments": {"location": "Tokyo, Japan"}}],
        },
        {"role": "tool", "name": "get_current_weather", "content": '{"temperature": 15, "weather": "sunny"}'},
    ]
    assert render_prompt(messages, tools=[WEATHER]) == DOC_PROMPT + DOC_CALL + DOC_RESPONSE


def test_only_model_output_is_marked_as_written_by_the_model():
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "find PEPE"},
        {"role": "assistant", "tool_calls": [{"name": "SEARCH_TOKEN", "arguments": {"symbol": "PEPE"}}]},
    ]
    written = [text for text, by_model in segments(messages, open_next=False) if by_model]
    assert written == [
        "Hello.<end_of_turn>",
        "<start_function_call>call:SEARCH_TOKEN{symbol:<escape>PEPE<escape>}<end_function_call>",
    ]


@pytest.mark.parametrize(
    "value, text", [(3, "3"), (1500.0, "1500"), (0.25, "0.25"), (0.3333, "0.3333"), (1e-8, "0.00000001")]
)
def test_numbers_are_written_canonically(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "1"])
def test_non_numbers_are_refused(value):
    with pytest.raises(ValueError):
        format_number(value)
