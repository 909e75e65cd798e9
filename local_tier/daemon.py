"""The verifier daemon: an aiohttp server over TLS 1.3 on the user's machine.

It serves the endpoints of the edge ↔ local wire format (`dmind.edge.local_protocol`, the one
module both sides import): pairing, verification and health. Every refusal is a CBOR
`{code, message}` with a 4xx status, logged, and the daemon goes on
serving everyone else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path

import cbor2
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from dmind.edge import Verdict, sign_verdict
from dmind.edge.local_protocol import (
    HEALTH_PATH,
    MAX_REQUEST_BYTES,
    PAIR_PATH,
    VERIFY_PATH,
    ProtocolError,
    VerifyRequest,
    cert_fingerprint,
    open_request,
    read_pair_request,
    read_request,
    token_hash,
)
from dmind.policies import default_policy
from dmind.policies.bundle import key_id
from dmind.policies.keyfiles import ensure_private_key
from dmind.policies.messages import message
from dmind.policies.vocabulary import Lang

from .activity import Activity, Verification
from .console import Console, check_loopback, console_secret, console_url
from .store import ContextStore, StoreError
from .tls import ensure_certificate, server_context
from .verify import verify

log = logging.getLogger(__name__)
VERDICT_TTL_S = 120
BODY_TIMEOUT_S = 5.0  # a client that dribbles its body is cut off, not waited for
AUDIT_TIMEOUT_S = 2.0  # the audit never holds a verdict back longer than this
DAEMON_INFO = "daemon.json"
CONTEXT_DB = "context.sqlite3"


def verifier_key(state: Path) -> Ed25519PrivateKey:
    """The daemon's verdict-signing key, made on first use (mode 0600)."""
    key = ensure_private_key(state / "verifier.key", Ed25519PrivateKey, Ed25519PrivateKey.generate)
    public = state / "verifier.pub"
    if not public.exists():
        public.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    return key


async def _read(request: web.Request) -> bytes:
    async with asyncio.timeout(BODY_TIMEOUT_S):
        return await request.read()


def _cbor(body: dict, status: int = 200) -> web.Response:
    return web.Response(body=cbor2.dumps(body, canonical=True), status=status, content_type="application/cbor")


def _refuse(code: str, message: str, status: int) -> web.Response:
    log.warning("refused: %s %s", code, message)
    return _cbor({"code": code, "message": message}, status)


async def model_audit(endpoint: str, model: str, explanation: str, findings: list[dict]) -> str | None:
    """Ask an OpenAI-compatible model on this machine to critique the verdict; None if it cannot in time.

    The verdict is already decided and signed: the audit is advice attached to it, never a gate.
    """
    import httpx

    prompt = (
        "You audit a wallet security verdict. Critique the explanation in two sentences: is anything "
        f"missing or wrong?\nExplanation: {explanation}\nFindings: {json.dumps(findings)}"
    )
    try:
        async with asyncio.timeout(AUDIT_TIMEOUT_S), httpx.AsyncClient(timeout=AUDIT_TIMEOUT_S) as client:
            response = await client.post(
                f"{endpoint.rstrip('/')}/v1/chat/completions",
                json={"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": 120},
            )
        return str(response.json()["choices"][0]["message"]["content"])[:1000]
    except Exception as exc:  # absent, slow or malformed: the verdict goes out without an audit
        log.info("model audit skipped: %s", type(exc).__name__)
        return None


def decided(seen: Verification, answer: bool | None, wait_s: int) -> Verification:
    """The verification after the user's answer on the console: approve allows, deny or silence blocks."""
    if answer is True:
        return replace(
            seen, decision=Verdict.ALLOW, decided_by="you", reason=message("explain.you_approved", reason=seen.reason)
        )
    if answer is False:
        return replace(seen, decided_by="you", reason=message("explain.you_denied", reason=seen.reason))
    return replace(
        seen, decided_by="nobody in time", reason=message("explain.no_answer", wait=wait_s, reason=seen.reason)
    )


def authenticate(data: bytes, store: ContextStore, now: int) -> VerifyRequest:
    """The request, if a paired, unrevoked device signed it and its counter grows (advanced only when all else holds)."""
    message = open_request(data)
    pairing = store.pairing(message.kid.hex()) if message.kid else None
    if pairing is None or pairing.revoked_at is not None:
        raise ProtocolError("DEVICE_NOT_PAIRED", "this key is not paired with the verifier (or was unpaired)", 403)
    escalated = read_request(message, pairing.public_key, pairing.device_id, now)
    try:
        store.advance_counter(pairing.device_id, escalated.counter)
    except StoreError as exc:
        raise ProtocolError(exc.code, exc.message, 409) from exc
    return escalated


class Daemon:
    def __init__(self, state: Path, audit_endpoint: str | None = None, audit_model: str = "local") -> None:
        self.state = state
        self.store = ContextStore(state / CONTEXT_DB)
        self.key = verifier_key(state)
        self.policy = default_policy()
        self.audit_endpoint = audit_endpoint
        self.audit_model = audit_model
        self.activity = Activity()

    async def health(self, _: web.Request) -> web.Response:
        return _cbor({"ok": True})

    async def pair(self, request: web.Request) -> web.Response:
        try:
            body = read_pair_request(await _read(request))
        except TimeoutError:
            return _refuse("REQUEST_TIMEOUT", "the body did not arrive in time", 408)
        except ProtocolError as exc:
            return _refuse(exc.code, exc.message, exc.status)
        now = int(time.time())
        try:
            self.store.spend_offer(token_hash(body.token), now)
            public = Ed25519PublicKey.from_public_bytes(body.public_key)
        except StoreError as exc:
            return _refuse(exc.code, exc.message, 403)
        except ValueError:
            return _refuse("PAIRING_INVALID", "not an Ed25519 public key", 400)
        device = key_id(public).hex()
        self.store.add_pairing(device, body.public_key, body.name, now)
        log.info("paired device %s (%s)", device, body.name)
        raw = self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return _cbor({"device_id": device, "verifier_public_key": raw})

    async def verify(self, request: web.Request) -> web.Response:
        now = int(time.time())
        try:
            escalated = authenticate(await _read(request), self.store, now)
        except TimeoutError:
            return _refuse("REQUEST_TIMEOUT", "the body did not arrive in time", 408)
        except ProtocolError as exc:
            return _refuse(exc.code, exc.message, exc.status)
        if self.store.has_verdict(escalated.request_id) or escalated.request_id.hex() in self.activity.pending:
            return _refuse("REQUEST_DUPLICATE", "a verdict was already given for this request id", 409)
        result = verify(escalated.request, escalated.edge, self.store, self.policy, now)
        # The verdict names only what the verifier itself decoded, never what the client claims.
        if result.digest != escalated.digest or (result.signer or "").lower() != escalated.signer.lower():
            return _refuse("REQUEST_INCONSISTENT", "the digest or signer does not belong to the escalated request", 400)
        pairing = self.store.pairing(escalated.device_id)
        seen = Verification(
            escalated.request_id.hex(),
            pairing.name if pairing else escalated.device_id,
            escalated.device_id,
            now,
            result.verdict,
            result.risk,
            result.reason,
            (*result.payload_findings, *result.findings),
            escalated.request,
            result.actions,
        )
        # Wait for the user only as long as the request lives (less a second for the way back) and the edge asked.
        wait_s = min(escalated.ask_user_s, escalated.expires_at - now - 1)
        if result.user_may_decide and wait_s > 0 and self.activity.can_ask(escalated.device_id):
            answer = await self.activity.ask(seen, wait_s)
            still = self.store.pairing(escalated.device_id)
            if still is None or still.revoked_at is not None:  # unpaired while it waited: no ALLOW for it
                answer = False
            seen = decided(seen, answer, wait_s)
        self.activity.record(seen)
        now = int(time.time())
        verdict = sign_verdict(
            escalated.digest, escalated.signer, seen.decision, escalated.request_id, self.key, now, VERDICT_TTL_S
        )
        self.store.record_verdict(
            escalated.request_id, escalated.device_id, escalated.digest, seen.decision, result.risk, now
        )
        findings = [{"code": f.code, "severity": f.severity, "message": f.message} for f in result.findings]
        audit = (
            await model_audit(self.audit_endpoint, self.audit_model, seen.explanation, findings)
            if self.audit_endpoint
            else None
        )
        return _cbor(
            {
                "verdict": verdict,
                "decision": seen.decision,
                "risk": result.risk,
                "explanation": seen.explanation,
                "explanation_zh": seen.reason.text(Lang.ZH),
                "findings": findings,
                "divergence": result.divergence,
                "intent": result.intent,
                "audit": audit,
            }
        )

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.add_routes(
            [web.get(HEALTH_PATH, self.health), web.post(PAIR_PATH, self.pair), web.post(VERIFY_PATH, self.verify)]
        )
        return app


async def _listen(app: web.Application, host: str, port: int, ssl_context=None) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)  # no access log: the console's sign-in link carries its secret
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


async def serve(
    state: Path,
    host: str,
    port: int,
    ready=None,
    audit_endpoint: str | None = None,
    audit_model: str = "local",
    console: tuple[str, int] | None = None,
) -> None:
    """Serve until cancelled; writes `daemon.json` (addresses and fingerprint, never the console's secret) once
    listening, and hands `ready` the same with the console's sign-in link."""
    cert, key = ensure_certificate(state)
    daemon = Daemon(state, audit_endpoint, audit_model)
    runners = []
    try:
        runner, bound = await _listen(daemon.app(), host, port, server_context(cert, key))
        runners.append(runner)
        info: dict = {
            "host": host,
            "port": bound,
            "fingerprint": cert_fingerprint(cert.read_bytes()),
            "pid": os.getpid(),
            "model": audit_model if audit_endpoint else None,
            "console": None,
        }
        log.info("local verifier listening on https://%s:%d", host, bound)
        link = None
        if console is not None:
            check_loopback(console[0])
            admin = Console(daemon.store, daemon.activity, console_secret(state))
            runner, console_port = await _listen(admin.app(), *console)
            runners.append(runner)
            admin.listening(console[0], console_port)
            info["console"] = {"host": console[0], "port": console_port}
            link = console_url(console[0], console_port, admin.secret)
            log.info(
                "console on http://%s:%d/ (`dmind-edge local console` prints its sign-in link)",
                *console[:1],
                console_port,
            )
        (state / DAEMON_INFO).write_text(json.dumps(info))
        if ready:
            ready({**info, "console_url": link})
        await asyncio.Event().wait()
    finally:
        (state / DAEMON_INFO).unlink(missing_ok=True)  # no stale address for `local pair` or `local console`
        for runner in runners:
            await runner.cleanup()
        daemon.store.close()
