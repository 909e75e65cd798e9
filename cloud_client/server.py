"""`dmind-edge cloud serve`: a reference OpenAI-compatible endpoint on loopback, answering from rules.

It exists so tests and benchmarks exercise the real client, real HTTP and real timeouts.
Production points the client at a real deployment (e.g. DMind-3 behind an OpenAI-compatible
API). `--fault` makes it misbehave on purpose: hang, answer garbage, or fail.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os

from aiohttp import web

log = logging.getLogger(__name__)
FAULTS = ("none", "hang", "garbage", "error")

# finding code -> exploit pattern the reference endpoint names for it
PATTERNS = {
    "APPROVAL_UNLIMITED": "unlimited-approval-drain",
    "SPENDER_UNKNOWN": "unknown-spender-approval",
    "APPROVAL_FOR_ALL": "nft-setapprovalforall-drain",
    "PERMIT_NO_DEADLINE": "permit-phishing",
    "NFT_ORDER_NOTHING_BACK": "zero-consideration-listing",
    "DELEGATE_UNKNOWN": "eip7702-delegation-takeover",
    "SWAP_RECIPIENT_NOT_SIGNER": "swap-output-redirect",
}


def answer(projection: dict) -> dict:
    """Rule-based φ for a sanitized projection."""
    patterns = sorted({PATTERNS[c] for c in projection.get("findings", []) if c in PATTERNS})
    buckets = projection.get("counterparty_bucket", [])
    reputation = "suspicious" if patterns else "known-good" if buckets == ["known-contract"] else "unknown"
    return {
        "reputation": reputation,
        "exploit_patterns": patterns,
        "market_context": f"action {projection.get('action')} on chain {projection.get('chain_id')}",
        "caution": "raise" if patterns else "none",
    }


def make_app(fault: str = "none", delay_s: float = 0.0) -> web.Application:
    """The reference endpoint's aiohttp application (`fault` makes it misbehave on purpose)."""

    async def completions(request: web.Request) -> web.Response:
        body = await request.json()
        if fault == "hang":
            await asyncio.sleep(3600)
        if delay_s:
            await asyncio.sleep(delay_s)
        if fault == "error":
            return web.json_response({"error": {"message": "reference fault"}}, status=503)
        try:
            projection = json.loads(body["messages"][-1]["content"])
        except (KeyError, IndexError, TypeError, ValueError):
            return web.json_response({"error": {"message": "no projection"}}, status=400)
        content = "{not json" if fault == "garbage" else json.dumps(answer(projection))
        return web.json_response(
            {
                "id": "ref-" + os.urandom(4).hex(),
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
            }
        )

    app = web.Application(client_max_size=256 * 1024)
    app.router.add_post("/v1/chat/completions", completions)
    return app


async def serve(host: str, port: int, fault: str = "none", delay_s: float = 0.0, ready=None) -> None:
    """Serve the reference endpoint until cancelled; `ready(port)` is called once it listens."""
    runner = web.AppRunner(make_app(fault, delay_s), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    if ready:
        ready(bound)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
