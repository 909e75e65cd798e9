"""A conversation handed to the nano model by a person: read, checked and bounded before any token is run.

`dmind-edge nano --messages FILE.jsonl` takes one message per line in OpenAI chat form:
`{"role": "user", "content": "…"}`, `{"role": "assistant", "tool_calls": [{"name", "arguments"}]}`
or `{"role": "assistant", "content": "…"}`, and `{"role": "tool", "name": "…", "content": {…}}`.
The model answers the last user message or tool result, so the conversation must end with one.
"""

from __future__ import annotations

from typing import Any

from dmind.policies.errors import DmindError

from ..requests_io import loads_strict
from .errors import NanoError
from .tools import TOOLS

MAX_MESSAGES = 64
MAX_CONTENT_CHARS = 4000  # of one message; a wallet request is a sentence
ROLES = ("user", "assistant", "tool")


def _invalid(line: int, why: str) -> NanoError:
    return NanoError("NANO_MESSAGES_INVALID", f"message {line}: {why}")


def check_message(message: Any, line: int) -> dict:
    """One message, checked: its role, its content's type and size, and any calls' tool names."""
    if not isinstance(message, dict):
        raise _invalid(line, "is not a JSON object")
    role = message.get("role")
    if role not in ROLES:
        raise _invalid(line, f"role must be one of {', '.join(ROLES)}, not {role!r}")
    unknown = set(message) - {"role", "content", "name", "tool_calls"}
    if unknown:
        raise _invalid(line, f"unknown field {sorted(unknown)[0]!r}")
    content = message.get("content")
    if role == "tool":
        if not isinstance(content, (dict, list, str)):
            raise _invalid(line, "a tool result's content is an object, a list or text")
        if message.get("name") not in TOOLS:
            raise _invalid(line, f"a tool result names its tool: one of {', '.join(TOOLS)}")
    elif not isinstance(content, str) and not (role == "assistant" and message.get("tool_calls")):
        raise _invalid(line, "content must be text")
    if len(str(content or "")) > MAX_CONTENT_CHARS:
        raise _invalid(line, f"is longer than {MAX_CONTENT_CHARS} characters")
    if role == "user" and not str(content).strip():
        raise _invalid(line, "is empty: say what you want")
    for call in message.get("tool_calls") or ():
        if role != "assistant" or not isinstance(call, dict) or call.get("name") not in TOOLS:
            raise _invalid(line, f"a call is made by the assistant to one of {', '.join(TOOLS)}")
        if not isinstance(call.get("arguments", {}), dict):
            raise _invalid(line, "a call's arguments are an object")
    return message


def check_conversation(messages: list[dict]) -> list[dict]:
    """A whole conversation, checked: bounded, opening with the user, ending where the model speaks next."""
    if not messages:
        raise NanoError("NANO_MESSAGES_INVALID", "the conversation is empty: give at least one user message")
    if len(messages) > MAX_MESSAGES:
        raise NanoError("NANO_MESSAGES_INVALID", f"the conversation has more than {MAX_MESSAGES} messages")
    checked = [check_message(m, i) for i, m in enumerate(messages, 1)]
    if checked[0]["role"] != "user":
        raise NanoError("NANO_MESSAGES_INVALID", "the conversation opens with a user message")
    if checked[-1]["role"] == "assistant":
        raise NanoError("NANO_MESSAGES_INVALID", "the conversation ends with the assistant: nothing is left to answer")
    return checked


def read_messages(data: bytes) -> list[dict]:
    """A conversation from JSON Lines bytes (one message a line, blank lines skipped), checked."""
    messages = []
    for number, line in enumerate(data.split(b"\n"), 1):
        if line.strip():
            try:
                messages.append(loads_strict(line, f"line {number}"))
            except DmindError as exc:  # the strict reader's refusal (bad JSON, a key twice), as this verb's error
                raise NanoError("NANO_MESSAGES_INVALID", exc.message) from exc
        if len(messages) > MAX_MESSAGES:
            break
    return check_conversation(messages)


def prompt_words(words: str) -> list[dict]:
    """What the user said as a one-message conversation; an empty prompt is an error, not a question."""
    if not words.strip():
        raise NanoError("NANO_PROMPT_EMPTY", "the prompt is empty: say what you want, e.g. 'swap half my SOL for USDC'")
    return check_conversation([{"role": "user", "content": words}])


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def simulated_result(name: str, arguments: dict) -> dict:
    """A stand-in tool result for trying follow-ups at the prompt (`nano chat`): plausible, never a real token.

    A search finds the token named (or the keyword in capitals) at an address derived from it, on
    the chain asked for (Solana's addresses are base58, the others' 0x-hex); a swap awaits confirmation.
    """
    import hashlib

    if name != "SEARCH_TOKEN":
        return {"status": "awaiting_confirmation"}
    symbol = str(arguments.get("symbol") or arguments.get("keyword") or "TOKEN").upper()
    chain = str(arguments.get("chain") or "ethereum")
    digest = hashlib.sha256(f"dmind-edge simulated {symbol} {chain}".encode()).digest()
    if chain == "solana":
        number, letters = int.from_bytes(digest, "big"), ""
        while number:
            number, digit = divmod(number, 58)
            letters = _BASE58[digit] + letters
        address = letters
    else:
        address = "0x" + digest[:20].hex()
    address = str(arguments.get("address") or address)
    return {"symbol": symbol, "name": f"{symbol} (simulated)", "address": address, "chain": chain, "decimals": 18}
