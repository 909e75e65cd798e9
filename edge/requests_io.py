"""Reading JSON text at every boundary: requests, typed-data strings, bridge and CLI input.

One strict reader (`loads_strict`) for all of them, because a reading another parser would
make differently is a way to sign what was not checked:

- duplicate keys are refused (a first-wins wallet would sign the other value);
- text must be UTF-8 (bytes in another encoding are refused, not guessed), and a `\\ud800`
  escape that leaves a lone surrogate is refused (it has no UTF-8 form to hash or show);
- NaN and Infinity are refused, and so is any number with more digits than a 256-bit integer.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Iterator

from .errors import EdgeError
from .limits import MAX_REQUEST_JSON_BYTES

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
MAX_NUMBER_CHARS = 80  # 2^256 has 78 digits; a longer JSON number is no quantity this gate reads


class _Refused(ValueError):
    """Raised inside the JSON decoder's hooks; becomes the EdgeError `code`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _no_constants(name: str) -> Any:
    raise _Refused("REQUEST_INVALID_JSON", f"{name} is not valid JSON")


def _number(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("REQUEST_INVALID_JSON", f"a number of {len(text)} digits is larger than any quantity")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused("REQUEST_INVALID_JSON", f"a number of {len(text)} characters is larger than any quantity")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused("REQUEST_INVALID_JSON", f"the number {text} overflows")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict:
    obj: dict = {}
    for key, value in pairs:
        if key in obj:
            raise _Refused(
                "JSON_DUPLICATE_KEY",
                f"the key {key[:64]!r} appears twice in one object: wallets disagree on which one counts",
            )
        obj[key] = value
    return obj


def _check_text(value: Any) -> None:
    """Every string and key has a UTF-8 form (no lone surrogates); iterative, so depth costs nothing."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise _Refused(
                    "REQUEST_INVALID_JSON", "a string holds a lone UTF-16 surrogate, which is not text"
                ) from exc
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())


def loads_strict(text: str | bytes, what: str = "the request", code: str = "REQUEST_INVALID_JSON") -> Any:
    """Parse JSON text the one way every boundary does; anything else is an EdgeError (`code`, or JSON_DUPLICATE_KEY)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EdgeError(code, f"{what} is not UTF-8 text (byte {exc.start} cannot be read)") from exc
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise EdgeError(code, f"{what} holds a lone UTF-16 surrogate, which is not text") from exc
    try:
        value = json.loads(
            text, parse_constant=_no_constants, parse_int=_number, parse_float=_float, object_pairs_hook=_unique
        )
        if _SURROGATE_ESCAPE.search(text):  # only an escape of U+D800..U+DFFF can make one
            _check_text(value)
    except _Refused as exc:
        raise EdgeError(exc.code if exc.code != "REQUEST_INVALID_JSON" else code, f"{what} is refused: {exc}") from exc
    except (ValueError, RecursionError) as exc:
        raise EdgeError(code, f"{what} is not valid JSON: {exc}") from exc
    return value


def load_request_text(text: str | bytes) -> Any:
    """Parse one JSON request; oversized, malformed, ambiguous or NaN-bearing text is an EdgeError."""
    if len(text) > MAX_REQUEST_JSON_BYTES:
        raise EdgeError("REQUEST_TOO_LARGE", f"the request is larger than {MAX_REQUEST_JSON_BYTES} bytes")
    return loads_strict(text)


def iter_jsonl(stream) -> Iterator[tuple[int, str | bytes]]:
    """(line number, text) for every line of a JSON Lines stream (text or binary), blank lines included."""
    for number, line in enumerate(stream, 1):
        yield number, line.rstrip(b"\r\n" if isinstance(line, bytes) else "\r\n")
