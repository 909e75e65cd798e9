"""The DMind-3 paper's Table 2 metrics, scored from gold conversations and raw model outputs.

- function recognition: the turn calls the right tool, or answers in text when the gold does;
- argument extraction: on turns whose gold is a call, the right tool with exactly the gold
  arguments (numbers equal to 1e-9);
- protocol adherence: the output parses and validates (`parse.parse_reply`);
- multi-turn success: every assistant turn of a multi-turn conversation is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Optional

from .reply import Reply, parse_reply
from .tools import CallError

METRICS = ("function_recognition", "argument_extraction", "protocol_adherence", "multi_turn_success")


@dataclass(frozen=True, slots=True)
class Turn:
    """One assistant turn to predict: its conversation, its index in `messages`, and the gold message."""

    conversation: dict
    index: int

    @property
    def gold(self) -> dict:
        return self.conversation["messages"][self.index]

    @property
    def history(self) -> list[dict]:
        return self.conversation["messages"][: self.index]


def turns(conversations: Iterable[dict]) -> Iterator[Turn]:
    for conv in conversations:
        for index, message in enumerate(conv["messages"]):
            if message.get("role") == "assistant":
                yield Turn(conv, index)


def _same(a: Any, b: Any) -> bool:
    if (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _gold_call(message: dict) -> Optional[dict]:
    calls = message.get("tool_calls") or ()
    return calls[0] if calls else None


@dataclass(frozen=True, slots=True)
class Score:
    protocol: bool
    function: bool
    arguments: Optional[bool]  # None where the gold turn is text

    @property
    def correct(self) -> bool:
        return self.function and self.arguments is not False


def score(gold: dict, raw: str) -> Score:
    """How one raw output compares with its gold assistant message."""
    try:
        reply: Optional[Reply] = parse_reply(raw)
    except CallError:
        reply = None
    call = _gold_call(gold)
    if reply is None:
        return Score(False, False, False if call else None)
    if call is None:
        return Score(True, reply.call is None, None)
    if reply.call is None or reply.call.name != call["name"]:
        return Score(True, False, False)
    expected, given = call.get("arguments") or {}, reply.call.arguments
    arguments = set(given) == set(expected) and all(_same(given[k], v) for k, v in expected.items())
    return Score(True, True, arguments)


def aggregate_metrics(conversations: list[dict], raws: dict[tuple[str, int], str]) -> dict[str, dict[str, float]]:
    """The four metrics, overall and per language, from raw outputs keyed by (conversation id, turn index)."""
    buckets: dict[str, dict[str, list[bool]]] = {}
    for conv in conversations:
        scores = [score(t.gold, raws[(conv["id"], t.index)]) for t in turns([conv])]
        for lang in ("all", conv.get("lang", "?")):
            b = buckets.setdefault(lang, {m: [] for m in METRICS})
            b["function_recognition"] += [s.function for s in scores]
            b["argument_extraction"] += [s.arguments for s in scores if s.arguments is not None]
            b["protocol_adherence"] += [s.protocol for s in scores]
            if conv.get("kind") == "multi":
                b["multi_turn_success"].append(all(s.correct for s in scores))
    return {
        lang: {m: (sum(v) / len(v) if v else float("nan")) for m, v in b.items()}
        | {"turns": len(b["protocol_adherence"])}
        for lang, b in sorted(buckets.items(), key=lambda kv: kv[0] != "all")
    }
