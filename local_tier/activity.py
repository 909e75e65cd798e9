"""What the verifier did lately and what waits for you: the state behind the console.

Recent verifications are kept in memory only (the store keeps the durable record: request id,
device, digest, verdict, risk), newest first and bounded. A request the verifier would block on
your private context alone waits here, within the time its policy and expiry allow, for your
approve or deny; no answer in time is a BLOCK.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from dmind.edge import Finding, Verdict
from dmind.policies.messages import Shown
from dmind.policies.vocabulary import Lang

KEEP_RECENT = 50
MAX_PENDING = 16  # beyond this the verifier answers alone: a flood of requests cannot queue without bound
MAX_PENDING_PER_DEVICE = 2  # and one device cannot take every place


@dataclass(frozen=True, slots=True)
class Verification:
    """One verification as the console shows it."""

    request_id: str  # hex
    device: str  # the name the device paired with
    device_id: str
    at: int
    decision: Verdict
    risk: float
    reason: Shown  # why, in either language
    findings: tuple[Finding, ...]
    request: dict[str, Any]
    actions: tuple[str, ...] = ()  # what it does, one line per call and argument
    decided_by: str = "verifier"  # or "you", or "nobody in time"

    @property
    def explanation(self) -> str:
        return self.reason.text(Lang.EN)


@dataclass(slots=True)
class Pending:
    """A verification waiting for your answer until `deadline` (unix seconds)."""

    verification: Verification
    deadline: int
    answer: asyncio.Future[bool] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Activity:
    """Recent verifications and the requests waiting for the user's decision."""

    def __init__(self) -> None:
        self.recent: deque[Verification] = deque(maxlen=KEEP_RECENT)
        self.pending: dict[str, Pending] = {}

    def record(self, verification: Verification) -> None:
        self.recent.appendleft(verification)

    def can_ask(self, device: str) -> bool:
        mine = sum(p.verification.device_id == device for p in self.pending.values())
        return len(self.pending) < MAX_PENDING and mine < MAX_PENDING_PER_DEVICE

    def forget_device(self, device: str) -> None:
        """Deny what an unpaired device still has waiting."""
        for waiting in list(self.pending.values()):
            if waiting.verification.device_id == device and not waiting.answer.done():
                waiting.answer.set_result(False)

    async def ask(self, verification: Verification, wait_s: int) -> bool | None:
        """Hold `verification` for the user: True approved, False denied, None no answer within `wait_s`."""
        waiting = Pending(verification, int(time.time()) + wait_s)
        self.pending[verification.request_id] = waiting
        try:
            return await asyncio.wait_for(asyncio.shield(waiting.answer), wait_s)
        except TimeoutError:  # a click that landed as time ran out still counts: the console said it did
            return waiting.answer.result() if waiting.answer.done() else None
        finally:
            del self.pending[verification.request_id]

    def answer(self, request_id: str, approve: bool) -> bool:
        """Settle a waiting request; False when it is not (or no longer) waiting."""
        waiting = self.pending.get(request_id)
        if waiting is None or waiting.answer.done():
            return False
        waiting.answer.set_result(approve)
        return True
