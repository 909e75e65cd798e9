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
from pathlib import Path

import cbor2
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from dmind.edge import sign_verdict
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
        if self.store.has_verdict(escalated.request_id):
            return _refuse("REQUEST_DUPLICATE", "a verdict was already given for this request id", 409)
        result = verify(escalated.request, escalated.edge, self.store, self.policy, now)
        # The verdict names only what the verifier itself decoded, never what the client claims.
        if result.digest != escalated.digest or (result.signer or "").lower() != escalated.signer.lower():
            return _refuse("REQUEST_INCONSISTENT", "the digest or signer does not belong to the escalated request", 400)
        verdict = sign_verdict(
            escalated.digest, escalated.signer, result.verdict, escalated.request_id, self.key, now, VERDICT_TTL_S
        )
        self.store.record_verdict(
            escalated.request_id, escalated.device_id, escalated.digest, result.verdict, result.risk, now
        )
        findings = [{"code": f.code, "severity": f.severity, "message": f.message} for f in result.findings]
        audit = (
            await model_audit(self.audit_endpoint, self.audit_model, result.explanation, findings)
            if self.audit_endpoint
            else None
        )
        return _cbor(
            {
                "verdict": verdict,
                "decision": result.verdict,
                "risk": result.risk,
                "explanation": result.explanation,
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


async def serve(
    state: Path, host: str, port: int, ready=None, audit_endpoint: str | None = None, audit_model: str = "local"
) -> None:
    """Serve until cancelled; writes `daemon.json` (address and fingerprint) once listening."""
    cert, key = ensure_certificate(state)
    daemon = Daemon(state, audit_endpoint, audit_model)
    runner = web.AppRunner(daemon.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=server_context(cert, key))
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    info = {
        "host": host,
        "port": bound,
        "fingerprint": cert_fingerprint(cert.read_bytes()),
        "pid": os.getpid(),
        "model": audit_model if audit_endpoint else None,
    }
    (state / DAEMON_INFO).write_text(json.dumps(info))
    log.info("local verifier listening on https://%s:%d", host, bound)
    if ready:
        ready(info)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        daemon.store.close()
