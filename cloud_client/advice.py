"""Advisory features φ from the cloud tier, and the validator every answer must pass.

φ is advice: it can raise caution (STEP_UP) or say that a deeper look is not needed, and it
can never turn a BLOCK into an ALLOW. An answer that is not exactly this shape, or is too
large, is dropped with a finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from dmind.policies.errors import InputError

MAX_ANSWER_BYTES = 8 * 1024
REPUTATIONS = ("known-good", "unknown", "suspicious", "malicious")
CAUTIONS = ("none", "raise")

# The JSON schema the client asks for (OpenAI `response_format`), and the validator enforces.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reputation", "exploit_patterns", "market_context", "caution"],
    "properties": {
        "reputation": {"enum": list(REPUTATIONS)},
        "exploit_patterns": {"type": "array", "items": {"type": "string", "maxLength": 80}, "maxItems": 8},
        "market_context": {"type": "string", "maxLength": 400},
        "caution": {"enum": list(CAUTIONS)},
    },
}


@dataclass(frozen=True, slots=True)
class Advice:
    reputation: str
    exploit_patterns: tuple[str, ...]
    market_context: str
    caution: str

    @property
    def raises_caution(self) -> bool:
        return self.caution == "raise" or self.reputation in ("suspicious", "malicious") or bool(self.exploit_patterns)


class AdviceError(InputError):
    """An answer that is not valid φ (code `ADVICE_INVALID`)."""

    def __init__(self, message: str) -> None:
        super().__init__("ADVICE_INVALID", message)


_PATTERN = re.compile(r"[a-z0-9][a-z0-9 ._-]{0,79}")  # shown to the user: no control characters, no markup


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def parse_advice(content: str) -> Advice:
    """Validate a model's answer against SCHEMA; anything else is an AdviceError."""
    if len(content.encode()) > MAX_ANSWER_BYTES:
        raise AdviceError(f"the answer is over {MAX_ANSWER_BYTES} bytes")
    try:
        data = json.loads(content, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise AdviceError("the answer is not JSON with distinct keys") from exc
    if not isinstance(data, dict) or set(data) != set(SCHEMA["required"]):
        raise AdviceError("the answer does not have exactly the advice fields")
    patterns = data["exploit_patterns"]
    if (
        data["reputation"] not in REPUTATIONS
        or data["caution"] not in CAUTIONS
        or not isinstance(data["market_context"], str)
        or len(data["market_context"]) > 400
        or not isinstance(patterns, list)
        or len(patterns) > 8
        or not all(isinstance(p, str) and _PATTERN.fullmatch(p) for p in patterns)
        or not data["market_context"].isprintable()
    ):
        raise AdviceError("an advice field has the wrong type or size")
    return Advice(data["reputation"], tuple(patterns), data["market_context"], data["caution"])
