"""Reading request objects from JSON text with the gate's limits, for the CLI and the bench."""

from __future__ import annotations

import json
from typing import Any, Iterator

from .errors import EdgeError
from .limits import MAX_REQUEST_JSON_BYTES


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_request_text(text: str | bytes) -> Any:
    """Parse one JSON request; oversized, malformed or NaN-bearing text is an EdgeError."""
    if len(text) > MAX_REQUEST_JSON_BYTES:
        raise EdgeError("REQUEST_TOO_LARGE", f"the request is larger than {MAX_REQUEST_JSON_BYTES} bytes")
    try:
        return json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise EdgeError("REQUEST_INVALID_JSON", f"the request is not valid JSON: {exc}") from exc


def iter_jsonl(stream) -> Iterator[tuple[int, str]]:
    """(line number, text) for every line of a JSON Lines stream, blank lines included."""
    for number, line in enumerate(stream, 1):
        yield number, line.rstrip("\r\n")
