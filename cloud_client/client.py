"""The client for an OpenAI-compatible cloud endpoint: only the sanitized projection goes out.

Hard timeouts, bounded retries with jitter, and a circuit breaker: after `failures_to_open`
consecutive failures the circuit opens and calls are skipped for `open_s`, so a dead endpoint
costs nothing on the signing path. Every failure comes back as a reason, never an exception.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

from .advice import SCHEMA, Advice, AdviceError, parse_advice

API_KEY_ENV = "DMIND_CLOUD_API_KEY"
LOOPBACK_HOSTS = ("localhost", "::1", "[::1]")
SYSTEM = (
    "You are a wallet security analyst. You receive a sanitized description of a transaction request "
    "(no user data). Answer with JSON only, matching the given schema: contract reputation, known exploit "
    "patterns that fit, short market context, and whether caution should be raised."
)
STRATEGIC = " Think through the whole request and related known exploits before answering; be thorough."


@dataclass
class CircuitBreaker:
    """Closed → open after `failures_to_open` failed calls → half-open after `open_s`, where exactly
    one call may try; its outcome closes or reopens the circuit."""

    failures_to_open: int = 3
    open_s: float = 30.0
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        if not self.probing and time.monotonic() - self.opened_at >= self.open_s:
            self.probing = True  # half-open: this caller is the one try
            return True
        return False

    def record(self, ok: bool) -> None:
        self.probing = False
        if ok:
            self.failures, self.opened_at = 0, None
        else:
            self.failures += 1
            if self.failures >= self.failures_to_open or self.opened_at is not None:
                self.opened_at = time.monotonic()


@dataclass
class CloudResult:
    advice: Advice | None
    reason: str  # "ok", or why there is no advice (CLOUD_TIMEOUT, CLOUD_INVALID, CLOUD_CIRCUIT_OPEN, CLOUD_ERROR)
    latency_ms: float
    attempts: int


@dataclass
class CloudClient:
    base_url: str
    model: str = "dmind-3"
    timeout_s: float = 1.5
    retries: int = 1
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)

    def __post_init__(self) -> None:
        import httpx

        url = httpx.URL(self.base_url)
        if url.scheme == "http" and url.host not in LOOPBACK_HOSTS and not url.host.startswith("127."):
            raise ValueError(
                "plain http is allowed to loopback only: the API key and the projection would travel in the clear"
            )
        if url.scheme not in ("http", "https"):
            raise ValueError(f"unsupported scheme {url.scheme!r}")
        self._verify = url.scheme == "https"

    async def _once(self, projection: dict[str, Any], strategic: bool, budget_s: float) -> Advice:
        import httpx

        headers = {"Authorization": f"Bearer {os.environ[API_KEY_ENV]}"} if os.environ.get(API_KEY_ENV) else {}
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": SYSTEM + (STRATEGIC if strategic else "")},
                {"role": "user", "content": json.dumps(projection, sort_keys=True)},
            ],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "advice", "schema": SCHEMA, "strict": True},
            },
        }
        # Loopback http (the reference endpoint) needs no CA bundle: loading one costs ~20 ms a call.
        async with asyncio.timeout(budget_s), httpx.AsyncClient(timeout=budget_s, verify=self._verify) as client:
            response = await client.post(f"{self.base_url.rstrip('/')}/v1/chat/completions", json=body, headers=headers)
        response.raise_for_status()
        return parse_advice(str(response.json()["choices"][0]["message"]["content"]))

    async def advise(
        self, projection: dict[str, Any], strategic: bool = False, budget_s: float | None = None
    ) -> CloudResult:
        """Advice on a sanitized projection within `budget_s`, or the reason there is none."""
        started = time.monotonic()
        deadline = started + (budget_s if budget_s is not None else self.timeout_s * (self.retries + 1))
        if not self.breaker.allow():
            return CloudResult(None, "CLOUD_CIRCUIT_OPEN", 0.0, 0)
        import httpx

        reason, attempts = "CLOUD_ERROR", 0
        for attempt in range(self.retries + 1):
            remaining = min(self.timeout_s, deadline - time.monotonic())
            if remaining <= 0.01:
                break
            attempts += 1
            try:
                advice = await self._once(projection, strategic, remaining)
            except (TimeoutError, httpx.TimeoutException):
                reason = "CLOUD_TIMEOUT"
            except (AdviceError, KeyError, IndexError, TypeError, ValueError, RecursionError):
                reason = "CLOUD_INVALID"
            except Exception:  # connection refused, HTTP errors: the cloud is optional
                reason = "CLOUD_ERROR"
            else:
                self.breaker.record(True)
                return CloudResult(advice, "ok", (time.monotonic() - started) * 1000, attempts)
            if attempt < self.retries:
                await asyncio.sleep(
                    min(random.uniform(0.02, 0.1) * (2**attempt), max(0.0, deadline - time.monotonic()))
                )
        self.breaker.record(False)  # one failed call, however many attempts it took
        return CloudResult(None, reason, (time.monotonic() - started) * 1000, attempts)
