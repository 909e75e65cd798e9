"""The swaps a decoded intent performs: which token goes in, which comes out, how much, and to whom.

Read from the roles of Uniswap-style calls and Universal Router commands: `tokenIn` and
`tokenOut`, an `address[]` path, or a packed V3 path (token, fee, token, ...; written
output-first for exact-output swaps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..types import Intent
from .context import steps

_V3_HOP = 23  # 20-byte token + 3-byte fee


@dataclass(frozen=True, slots=True)
class Swap:
    token_in: str | None
    token_out: str | None
    amount_in: int | None  # exact input; None for exact-output swaps
    recipient: str | None
    where: str


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


def _ends(roles: dict[str, Any], exact_out: bool) -> tuple[str | None, str | None]:
    if isinstance(roles.get("tokenIn"), str):
        return roles.get("tokenIn"), roles.get("tokenOut")
    path = roles.get("path")
    if isinstance(path, (list, tuple)) and path:
        return str(path[0]), str(path[-1])
    if isinstance(path, (bytes, bytearray)) and len(path) >= 20 + _V3_HOP:
        first, last = _hex(path[:20]), _hex(path[-20:])
        return (last, first) if exact_out else (first, last)
    return None, None


def swaps(intent: Intent) -> Iterator[Swap]:
    """Every swap step with the tokens it names (router wrap and sweep steps are skipped)."""
    for step in steps(intent):
        if step.action != "swap":
            continue
        name = getattr(step.node, "function", None) or getattr(step.node, "name", "") or ""
        exact_out = "exactoutput" in name.lower().replace("_", "") or "EXACT_OUT" in name or "ForExact" in name
        token_in, token_out = _ends(step.roles, exact_out)
        if token_in is None:
            continue
        amount = step.roles.get("amountIn")
        if amount is None and not exact_out and step.value:
            amount = step.value  # native in: the call's value is the amount
        recipient = step.roles.get("recipient", step.roles.get("to"))
        yield Swap(
            token_in,
            token_out,
            amount if isinstance(amount, int) and not exact_out else None,
            recipient if isinstance(recipient, str) else None,
            step.where,
        )
