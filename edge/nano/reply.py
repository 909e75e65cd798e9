"""Read what a function-calling model wrote: one call, or a plain-text answer, or a coded protocol error.

Arguments come in the three forms seen from FunctionGemma fine-tunes in the wild:
`key:<escape>text<escape>`, `key:"text"`, and a JSON object. Codes are the DMind SDK's:
E_NO_WRAPPER, E_WRONG_PROTOCOL, E_JSON_INVALID, E_TOOL_UNKNOWN, E_PARAM_*, E_INVOKE_COUNT.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .protocol import END_CALL, ESCAPE, START_CALL, STOP_SEQUENCES
from .tools import CallError, validate_call

_CALL_HEAD = re.compile(r"call:([A-Za-z_][A-Za-z0-9_]*)\s*(\{.*\})\s*$", re.S)
_BARE_CALL = re.compile(r"(call:\s*[A-Za-z_]\w*\s*\{)|(\{\s*\"name\"\s*:)")
_KEY = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True, slots=True)
class ToolCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """One model output: a call, or text (exactly one of the two)."""

    call: Optional[ToolCall] = None
    text: Optional[str] = None


def _strip_stops(raw: str) -> str:
    text = raw.strip()
    changed = True
    while changed:
        changed = False
        for stop in STOP_SEQUENCES:
            if text.endswith(stop):
                text, changed = text[: -len(stop)].rstrip(), True
    return text


def _value(body: str, pos: int) -> tuple[Any, int]:
    if body.startswith(ESCAPE, pos):
        end = body.find(ESCAPE, pos + len(ESCAPE))
        if end < 0:
            raise CallError("E_JSON_INVALID", "a string value opened with <escape> is never closed")
        return body[pos + len(ESCAPE) : end], end + len(ESCAPE)
    if body.startswith('"', pos):
        try:
            return json.JSONDecoder().raw_decode(body, pos)
        except ValueError as exc:
            raise CallError("E_JSON_INVALID", f"a quoted value does not parse: {exc}") from exc
    for word, value in _LITERALS.items():
        if body.startswith(word, pos):
            return value, pos + len(word)
    match = _NUMBER.match(body, pos)
    if match:
        text = match.group()
        return (float(text) if any(c in text for c in ".eE") else int(text)), match.end()
    raise CallError("E_JSON_INVALID", f"no value at {body[pos : pos + 20]!r}")


def parse_arguments(body: str) -> dict[str, Any]:
    """The `{...}` of a call, in any of the three argument forms."""
    if re.match(r"\{\s*(\"|\})", body):
        try:
            parsed = json.loads(body)
        except ValueError as exc:
            raise CallError("E_JSON_INVALID", f"the arguments are not valid JSON: {exc}") from exc
        if not isinstance(parsed, dict):
            raise CallError("E_JSON_INVALID", "the arguments are not an object")
        return parsed
    arguments: dict[str, Any] = {}
    pos = 1
    while True:
        key = _KEY.match(body, pos)
        if key is None:
            raise CallError("E_JSON_INVALID", f"expected key:value at {body[pos : pos + 20]!r}")
        if key.group(1) in arguments:
            raise CallError("E_JSON_INVALID", f"the argument {key.group(1)} is given twice")
        arguments[key.group(1)], pos = _value(body, key.end())
        while pos < len(body) and body[pos].isspace():
            pos += 1
        if body[pos : pos + 1] == ",":
            pos += 1
            continue
        if body[pos:] == "}":
            return arguments
        raise CallError("E_JSON_INVALID", f"expected , or }} at {body[pos : pos + 20]!r}")


def parse_reply(raw: str) -> Reply:
    """Parse and validate one model output; raise `CallError` with a protocol code."""
    text = _strip_stops(raw)
    if START_CALL not in text and END_CALL not in text:
        if _BARE_CALL.search(text):
            raise CallError("E_NO_WRAPPER", "a call was written without <start_function_call> ... <end_function_call>")
        if not text:
            raise CallError("E_WRONG_PROTOCOL", "the model wrote nothing")
        return Reply(text=text)
    blocks = re.findall(re.escape(START_CALL) + r"(.*?)" + re.escape(END_CALL), text, re.S)
    outside = re.sub(re.escape(START_CALL) + r".*?" + re.escape(END_CALL), "", text, flags=re.S)
    if START_CALL in outside or END_CALL in outside:
        raise CallError("E_NO_WRAPPER", "a call wrapper is opened or closed without its pair")
    if outside.strip():
        raise CallError("E_WRONG_PROTOCOL", f"text outside the call wrapper: {outside.strip()[:40]!r}")
    if len(blocks) != 1:
        raise CallError("E_INVOKE_COUNT", f"one call per turn is allowed, not {len(blocks)}")
    head = _CALL_HEAD.match(blocks[0].strip())
    if head is None:
        raise CallError("E_JSON_INVALID", "the call is not call:NAME{...}")
    name, arguments = head.group(1), parse_arguments(head.group(2))
    validate_call(name, arguments)
    return Reply(call=ToolCall(name, arguments))
