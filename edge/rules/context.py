"""Shared inputs of every rule, and a uniform walk over calls and router commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from dmind.policies import Policy

from ..stated_intent import StatedIntent
from ..types import Action, Call, Command, Intent, Payload, Request

UINT256_MAX = (1 << 256) - 1
UINT48_MAX = (1 << 48) - 1
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True, slots=True)
class RuleContext:
    request: Request
    payload: Payload
    intent: Intent
    policy: Policy
    now: int
    stated: StatedIntent | None = None  # what the user asked for, when the wallet said

    @property
    def chain_id(self) -> int | None:
        return self.request.chain_id if self.request.chain_id is not None else self.payload.chain_id

    @property
    def chain(self) -> str | None:
        """The chain as the policy names it (CAIP-2): the request's, else the EVM chain the payload names."""
        return self.request.caip2 or self.payload.caip2

    @property
    def signer(self) -> str | None:
        return self.payload.signer or self.request.account


@dataclass(frozen=True, slots=True)
class Step:
    """A call or a Universal Router command, seen the same way by rules."""

    action: Action
    roles: dict[str, Any]
    to: str | None  # the contract acted on (a command's router)
    value: int
    where: str
    node: Call | Command


def steps(intent: Intent) -> Iterator[Step]:
    """Every call and command of the intent, depth first."""
    stack: list[tuple[Call | Command, str | None]] = [(c, c.to) for c in reversed(intent.calls)]
    while stack:
        node, to = stack.pop()
        if isinstance(node, Call):
            yield Step(node.action, node.roles, node.to, node.value, node.where, node)
            stack.extend((c, node.to) for c in reversed(node.commands))
            stack.extend((c, c.to) for c in reversed(node.calls))
        else:
            yield Step(node.action, node.roles, to, 0, node.where, node)
            stack.extend((c, to) for c in reversed(node.commands))
            stack.extend((c, c.to) for c in reversed(node.calls))


def recipients_of(roles: dict[str, Any]) -> list[str]:
    """Who a step pays: its `recipient`, and the `recipient` of every entry of a batch argument (Permit2's
    `transferFrom(details[])`), which flattened roles keep as a list."""
    found = [roles["recipient"]] if isinstance(roles.get("recipient"), str) else []
    for value in roles.values():
        if isinstance(value, list):
            found.extend(
                item["recipient"] for item in value if isinstance(item, dict) and isinstance(item.get("recipient"), str)
            )
    return found


def canonical_address(address: str) -> str:
    """How an address compares: 0x-hex in lower case (its case is only a checksum), base58 exactly as written (its
    case is part of the key)."""
    return address.lower() if address[:2] in ("0x", "0X") else address


def same_address(a: Any, b: Any) -> bool:
    """Two addresses are the same account; anything not a string is not an address."""
    return isinstance(a, str) and isinstance(b, str) and canonical_address(a) == canonical_address(b)
