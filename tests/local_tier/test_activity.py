"""Requests waiting for the user: bounded per device and in all, settled once, denied when the device is unpaired."""

from __future__ import annotations

import asyncio

from dmind.local_tier.activity import MAX_PENDING_PER_DEVICE, Activity, Verification
from dmind.policies.messages import Phrase


def _seen(request_id: str, device: str) -> Verification:
    return Verification(request_id, "phone", device, 0, "BLOCK", 0.5, Phrase("why", "为什么"), (), {})


def test_waiting_is_bounded_per_device_settled_once_and_denied_on_unpair():
    async def scenario() -> None:
        activity = Activity()
        asks = [asyncio.create_task(activity.ask(_seen(f"r{i}", "d1"), 30)) for i in range(MAX_PENDING_PER_DEVICE)]
        await asyncio.sleep(0)
        assert not activity.can_ask("d1") and activity.can_ask("d2")  # one device cannot take every place
        assert activity.answer("r0", True) and not activity.answer("r0", False)  # the first answer stands
        assert await asks[0] is True
        activity.forget_device("d1")
        assert await asks[1] is False and not activity.pending
        silent = await activity.ask(_seen("r9", "d2"), 0)
        assert silent is None and not activity.answer("r9", True)

    asyncio.run(scenario())
