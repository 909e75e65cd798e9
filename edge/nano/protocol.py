"""FunctionGemma's prompt format: control tokens, declarations, calls, responses, turns.

The format follows Google's "FunctionGemma formatting and best practices"
(https://ai.google.dev/gemma/docs/functiongemma/formatting-and-best-practices): turns are
`<start_of_turn>ROLE\\n ... <end_of_turn>\\n` with roles developer, user and model; tools are
declared in the developer turn; every string value sits between two `<escape>` tokens; keys
are sorted, types upper-case, and no spaces are written between structural characters. A
tool's response follows the call inside the same model turn, and `<start_function_response>`
is a stop sequence for the engine.

Conversations arrive in OpenAI chat form (`{"role", "content"}`, assistant `tool_calls`
of `{"name", "arguments"}`, tool messages with `name` and JSON `content`).
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping, Sequence

from .tools import TOOLS, Tool

BOS = "<bos>"
EOS = "<eos>"
PAD = "<pad>"
START_TURN = "<start_of_turn>"
END_TURN = "<end_of_turn>"
START_DECL = "<start_function_declaration>"
END_DECL = "<end_function_declaration>"
START_CALL = "<start_function_call>"
END_CALL = "<end_function_call>"
START_RESPONSE = "<start_function_response>"
END_RESPONSE = "<end_function_response>"
ESCAPE = "<escape>"

CONTROL_TOKENS = (
    PAD,
    EOS,
    BOS,
    START_TURN,
    END_TURN,
    START_DECL,
    END_DECL,
    START_CALL,
    END_CALL,
    START_RESPONSE,
    END_RESPONSE,
    ESCAPE,
)
STOP_SEQUENCES = (END_TURN, START_RESPONSE, EOS)

# The sentence FunctionGemma's developer turn opens with: it switches the model into tool use.
DEVELOPER_PROMPT = "You are a model that can do function calling with the following functions"

Message = Mapping[str, Any]


def format_number(value: float) -> str:
    """A number as the model writes it: integers without a point, decimals without trailing zeros."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.8f}".rstrip("0").rstrip(".")


def format_value(value: Any) -> str:
    """One value in the brace syntax: strings escaped, numbers bare, lists and objects nested."""
    if isinstance(value, str):
        return f"{ESCAPE}{value}{ESCAPE}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, Mapping):
        return format_object(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} in a FunctionGemma value")


def format_object(fields: Mapping[str, Any]) -> str:
    """`{key:value,...}` with keys sorted."""
    return "{" + ",".join(f"{key}:{format_value(fields[key])}" for key in sorted(fields)) + "}"


def declaration_fields(tool: Tool) -> dict[str, Any]:
    """The declaration of `tool` as nested fields, in FunctionGemma's schema vocabulary."""
    properties = {}
    for param in tool.params:
        prop: dict[str, Any] = {"description": param.description, "type": param.type}
        if param.enum:
            prop["enum"] = list(param.enum)
        properties[param.name] = prop
    parameters: dict[str, Any] = {"properties": properties, "type": "OBJECT"}
    if tool.required:
        parameters["required"] = list(tool.required)
    return {"description": tool.description, "parameters": parameters}


def render_declaration(tool: Tool) -> str:
    return f"{START_DECL}declaration:{tool.name}{format_object(declaration_fields(tool))}{END_DECL}"


def render_call(name: str, arguments: Mapping[str, Any]) -> str:
    return f"{START_CALL}call:{name}{format_object(arguments)}{END_CALL}"


def render_response(name: str, content: Any) -> str:
    """A tool result; JSON text becomes fields, anything else one `value` field."""
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            pass
    fields = content if isinstance(content, Mapping) else {"value": content}
    return f"{START_RESPONSE}response:{name}{format_object(fields)}{END_RESPONSE}"


def render_developer(tools: Iterable[Tool] = TOOLS.values(), instructions: str = DEVELOPER_PROMPT) -> str:
    return f"{START_TURN}developer\n{instructions}" + "".join(render_declaration(t) for t in tools) + f"{END_TURN}\n"


def render_assistant(message: Message) -> str:
    """What the model writes for one assistant message: its calls, or its text and the end of the turn."""
    calls = message.get("tool_calls") or ()
    if calls:
        return "".join(render_call(call["name"], call.get("arguments") or {}) for call in calls)
    return f"{message.get('content') or ''}{END_TURN}"


def segments(
    messages: Sequence[Message], tools: Iterable[Tool] = TOOLS.values(), *, open_next: bool = True
) -> list[tuple[str, bool]]:
    """The conversation as `(text, written_by_model)` pieces, ending ready for the next model output.

    Training learns the model's pieces; the runtime prompts with all of them and lets the model
    write the next. Both read this one function, so they see the same text.
    """
    out: list[tuple[str, bool]] = [(BOS + render_developer(tools), False)]
    in_model_turn = False
    turn_open = False  # the model turn has no END_TURN yet
    for message in messages:
        role = message.get("role")
        if role == "user":
            if turn_open:
                out.append((f"{END_TURN}\n", False))
            out.append((f"{START_TURN}user\n{message.get('content') or ''}{END_TURN}\n", False))
            in_model_turn = turn_open = False
            continue
        if not in_model_turn:
            out.append((f"{START_TURN}model\n", False))
            in_model_turn = turn_open = True
        if role == "assistant":
            text = render_assistant(message)
            out.append((text, True))
            if text.endswith(END_TURN):
                out.append(("\n", False))
                in_model_turn = turn_open = False
        elif role == "tool":
            out.append((render_response(message.get("name", ""), message.get("content")), False))
        else:
            raise ValueError(f"unknown role {role!r}")
    if open_next and not in_model_turn:
        out.append((f"{START_TURN}model\n", False))
    return out


def render_prompt(messages: Sequence[Message], tools: Iterable[Tool] = TOOLS.values()) -> str:
    """The whole prompt text for the model's next output after `messages`."""
    return "".join(text for text, _ in segments(messages, tools))
