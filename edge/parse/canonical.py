"""A canonical text form of JSON values, for digests that must bind fields the gate does not interpret."""

from __future__ import annotations

import json


def canonical_json(value: object) -> str:
    """Sorted keys, no spaces, ASCII escapes: one text per JSON value (lone surrogates included)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
