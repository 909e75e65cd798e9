"""What the user said they want, read from a request's `stated_intent`.

A wallet passes either the user's words (read by the nano model, when the host supplies a
reader) or a call it already has, `{"name": "EXECUTE_SWAP", "arguments": {...}}`. Either way
the result is one `StatedIntent`: a tool call, or plain text (the user asked for nothing to
be signed). Anything unreadable is a finding, never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .findings import Finding, finding
from .nano.errors import ReaderUnavailable
from .nano.reply import Reply
from .nano.tools import CallError, validate_call

MAX_WORDS = 2000  # characters of user text a reader is handed

Reader = Callable[[str], Reply]


@dataclass(frozen=True, slots=True)
class StatedIntent:
    name: Optional[str]  # the tool called, or None for a plain-text reply
    arguments: dict[str, Any] = field(default_factory=dict)
    source: str = "call"  # call | words
    words: Optional[str] = None


def read_stated_intent(
    value: Any, reader: Optional[Reader] = None
) -> tuple[Optional[StatedIntent], tuple[Finding, ...]]:
    """The stated intent of a request and findings about reading it."""
    if value is None:
        return None, ()
    if isinstance(value, str):
        if not value.strip() or len(value) > MAX_WORDS:
            return None, (finding("INTENT_UNREADABLE", "stated_intent", key="length", limit=MAX_WORDS),)
        if reader is None:
            return None, (finding("INTENT_MODEL_UNAVAILABLE", "stated_intent", key="no_model"),)
        try:
            reply = reader(value)
        except ReaderUnavailable as exc:
            return None, (finding("INTENT_MODEL_UNAVAILABLE", "stated_intent", key="failed", message=exc.message),)
        except CallError as exc:
            return None, (finding("INTENT_UNREADABLE", "stated_intent", key="model_reply", error_code=exc.code),)
        if reply.call is None:
            return StatedIntent(None, source="words", words=value), ()
        return StatedIntent(reply.call.name, dict(reply.call.arguments), "words", value), ()
    if isinstance(value, dict) and isinstance(value.get("name"), str) and isinstance(value.get("arguments", {}), dict):
        try:
            validate_call(value["name"], value.get("arguments", {}))
        except CallError as exc:
            return None, (
                finding("INTENT_UNREADABLE", "stated_intent", key="call", message=exc.message, error_code=exc.code),
            )
        return StatedIntent(value["name"], dict(value.get("arguments", {}))), ()
    return None, (finding("INTENT_UNREADABLE", "stated_intent", key="shape"),)
