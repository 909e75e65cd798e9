"""Conversations to token ids, the one way both training and the runtime do it.

Each prompt piece from `protocol.segments` is encoded on its own, so the ids the model was
trained on are exactly the ids it is prompted with.
"""

from __future__ import annotations

from typing import Any, Sequence

from .protocol import segments


def encode(tokenizer: Any, messages: Sequence[dict], *, open_next: bool = True) -> tuple[list[int], list[bool]]:
    """Token ids of the conversation, and for each whether the model wrote it."""
    ids: list[int] = []
    written: list[bool] = []
    for text, by_model in segments(messages, open_next=open_next):
        piece = tokenizer.encode(text, add_special_tokens=False).ids
        ids.extend(piece)
        written.extend([by_model] * len(piece))
    return ids, written


def prefix(tokenizer: Any) -> list[int]:
    """The ids every conversation opens with (`<bos>` and the developer turn with the tools)."""
    return tokenizer.encode(segments([], open_next=False)[0][0], add_special_tokens=False).ids
