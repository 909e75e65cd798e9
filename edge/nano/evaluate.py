"""Evaluate a nano model on conversations: one raw output per assistant turn, given the gold history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Iterable, Optional

from .metrics import aggregate_metrics, turns
from .runtime import Generation, NanoModel


def predict(
    model: NanoModel, conversations: list[dict], on_turn: Optional[Callable[[int, int], None]] = None
) -> list[dict]:
    """`{"id", "turn", "raw"}` for every assistant turn, with timings for the benchmarks."""
    todo = list(turns(conversations))
    rows = []
    for done, turn in enumerate(todo, 1):
        generation: Generation = model.generate(turn.history)
        rows.append(
            {
                "id": turn.conversation["id"],
                "turn": turn.index,
                "raw": generation.raw,
                "tokens": generation.tokens,
                "prompt_tokens": generation.prompt_tokens,
                "first_token_s": generation.first_token_s,
                "token_s": list(generation.token_s),
            }
        )
        if on_turn:
            on_turn(done, len(todo))
    return rows


def read_conversations(path: Path) -> list[dict]:
    """Conversations from JSON Lines (blank lines skipped)."""
    with path.open(encoding="utf-8") as src:
        return [json.loads(line) for line in src if line.strip()]


def report(conversations: list[dict], predictions: Iterable[dict]) -> dict[str, dict[str, float]]:
    return aggregate_metrics(conversations, {(p["id"], p["turn"]): p["raw"] for p in predictions})


def write_predictions(path: Path, predictions: Iterable[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for p in predictions:
            out.write(json.dumps({"id": p["id"], "turn": p["turn"], "raw": p["raw"]}, ensure_ascii=False) + "\n")
