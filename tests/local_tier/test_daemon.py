"""End to end: the real daemon on loopback, a paired wallet, escalations and refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import cbor2
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from dmind.edge import evaluate_json
from dmind.edge.escalation import escalate
from dmind.edge.local_protocol import PairingError, build_request
from dmind.edge.pairing import connect, load_pairing, pinned_context
from dmind.edge.summary import comparable_reading
from dmind.edge.verdict import verify_verdict
from dmind.local_tier.store import ContextStore
from dmind.policies import default_policy

from tests.builders import SIGNER, USDC, calldata, eip1559, raw_tx_request
from tests.local_tier.conftest import offer_uri

CLI = [sys.executable, "-m", "dmind.edge"]
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
POLICY = default_policy()
STEPPED_UP = raw_tx_request(
    eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [FRIEND, 10**6]))
)


def test_pair_escalate_and_refuse(daemon, tmp_path):
    state, info = daemon
    ContextStore(state / "context.sqlite3").record_interaction(FRIEND, "approve")
    uri = offer_uri(state)
    pairing = connect(uri, tmp_path / "wallet", "test wallet")
    with pytest.raises(PairingError) as reused:
        connect(uri, tmp_path / "wallet2")
    assert reused.value.code == "PAIRING_TOKEN_USED"

    decision = evaluate_json(STEPPED_UP, policy=POLICY)
    assert decision.verdict == "STEP_UP"
    final = escalate(decision, STEPPED_UP, pairing, POLICY)
    assert (
        final.verdict == "ALLOW" and final.plan == "edge→local" and "LOCAL_VERIFIED" in {f.code for f in final.findings}
    )
    assert final.digest == decision.digest and final.verdict_token

    # A replayed request, and one from a key that never paired, are refused.
    body = build_request(
        pairing.key,
        time.time_ns(),
        b"r" * 16,
        int(time.time()) + 30,
        decision.payload.digest,
        SIGNER,
        STEPPED_UP,
        comparable_reading(decision, POLICY, int(time.time())),
    )
    with httpx.Client(verify=pinned_context(pairing.cert_pem), timeout=10) as client:
        first = client.post(f"{pairing.url}/v1/verify", content=body)
        replay = client.post(f"{pairing.url}/v1/verify", content=body)
        stranger = client.post(
            f"{pairing.url}/v1/verify",
            content=build_request(
                Ed25519PrivateKey.generate(),
                time.time_ns(),
                b"s" * 16,
                int(time.time()) + 30,
                decision.payload.digest,
                SIGNER,
                STEPPED_UP,
                {},
            ),
        )
        garbage = client.post(f"{pairing.url}/v1/verify", content=b"\x00garbage")
        oversized = client.post(f"{pairing.url}/v1/verify", content=b"\x00" * 300_000)
    assert first.status_code == 200
    answer = cbor2.loads(first.content)
    signed = verify_verdict(
        answer["verdict"], decision.payload.digest, SIGNER, b"r" * 16, pairing.verifiers(), int(time.time())
    )
    assert signed.verdict == "ALLOW"
    assert (replay.status_code, cbor2.loads(replay.content)["code"]) == (409, "REQUEST_REPLAYED")
    assert (stranger.status_code, cbor2.loads(stranger.content)["code"]) == (403, "DEVICE_NOT_PAIRED")
    assert garbage.status_code == 400 and oversized.status_code == 413

    # Found in review: the verdict must name only what the daemon itself decoded, once per request id.
    other = evaluate_json(
        raw_tx_request(eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [SIGNER, 2**255]))),
        policy=POLICY,
    )
    now = int(time.time())
    with httpx.Client(verify=pinned_context(pairing.cert_pem), timeout=10) as client:

        def post(**changes):
            fields = {
                "digest": decision.payload.digest,
                "signer": SIGNER,
                "request_id": b"x" * 16,
                "expires_at": now + 30,
                **changes,
            }
            body = build_request(
                pairing.key,
                time.time_ns(),
                fields["request_id"],
                fields["expires_at"],
                fields["digest"],
                fields["signer"],
                STEPPED_UP,
                comparable_reading(decision, POLICY, now),
            )
            response = client.post(f"{pairing.url}/v1/verify", content=body)
            return response.status_code, cbor2.loads(response.content).get("code")

        assert post(digest=other.payload.digest) == (400, "REQUEST_INCONSISTENT")
        assert post(signer=FRIEND, request_id=b"y" * 16) == (400, "REQUEST_INCONSISTENT")
        assert post(expires_at=now + 10**9, request_id=b"z" * 16) == (400, "REQUEST_INVALID")
        assert post(request_id=b"r" * 16) == (409, "REQUEST_DUPLICATE")


def test_the_users_history_decides(daemon, tmp_path):
    state, _ = daemon
    pairing = connect(offer_uri(state), tmp_path / "wallet")
    decision = evaluate_json(STEPPED_UP, policy=POLICY)
    blocked = escalate(decision, STEPPED_UP, pairing, POLICY)  # this spender was never used
    assert blocked.verdict == "BLOCK" and "LOCAL_BLOCKED" in {f.code for f in blocked.findings}


def test_unreachable_or_unpaired_never_allows(daemon, tmp_path):
    state, info = daemon
    pairing = connect(offer_uri(state), tmp_path / "wallet")
    subprocess.run(
        [*CLI, "local", "unpair", pairing.device_id, "--state", str(state)], check=True, capture_output=True, timeout=60
    )
    decision = evaluate_json(STEPPED_UP, policy=POLICY)
    refused = escalate(decision, STEPPED_UP, pairing, POLICY)
    assert refused.verdict == "STEP_UP" and "LOCAL_REFUSED" in {f.code for f in refused.findings}
    gone = load_pairing(tmp_path / "wallet")
    unreachable = escalate(
        decision,
        STEPPED_UP,
        type(gone)(gone.host, 9, gone.cert_pem, gone.device_id, gone.verifier_public_key, gone.key),
        POLICY,
    )
    assert unreachable.verdict == "STEP_UP" and "LOCAL_UNREACHABLE" in {f.code for f in unreachable.findings}


def test_check_escalates_with_local(daemon, tmp_path):
    state, _ = daemon
    ContextStore(state / "context.sqlite3").record_interaction(FRIEND, "approve")
    connect(offer_uri(state), tmp_path / "wallet")
    result = subprocess.run(
        [*CLI, "check", "-", "--local", str(tmp_path / "wallet")],
        input=json.dumps(STEPPED_UP),
        capture_output=True,
        text=True,
        timeout=60,
    )
    decision = json.loads(result.stdout)
    assert (
        decision["decision"] == "ALLOW"
        and decision["plan"] == "edge→local"
        and decision["local_verdict"].startswith("0x")
    )


def test_expired_offer_is_refused(tmp_path):
    from dmind.edge.local_protocol import Offer

    stale = Offer("127.0.0.1", 7440, "00" * 32, b"\x01" * 16, int(time.time()) - 1).uri
    with pytest.raises(PairingError) as caught:
        connect(stale, tmp_path / "wallet")
    assert caught.value.code == "PAIRING_OFFER_EXPIRED"


def test_a_wrong_fingerprint_is_refused(daemon, tmp_path):
    from dmind.edge.local_protocol import Offer, parse_offer

    real = parse_offer(offer_uri(daemon[0]))
    forged = Offer(real.host, real.port, "ab" * 32, real.token, real.expires_at).uri
    with pytest.raises(PairingError) as caught:
        connect(forged, tmp_path / "wallet")
    assert caught.value.code == "PAIRING_FINGERPRINT_MISMATCH"


class StubModel:
    """A stand-in for an OpenAI-compatible model server (llama.cpp, Ollama…), which this machine
    does not run: a real aiohttp server on loopback answering /v1/chat/completions after `delay_s`."""

    def __init__(self, delay_s: float) -> None:
        import asyncio
        import threading

        from aiohttp import web

        self.delay_s, self.port = delay_s, None

        async def completions(request):
            await asyncio.sleep(self.delay_s)
            return web.json_response(
                {"choices": [{"message": {"content": "The explanation covers the spender history."}}]}
            )

        async def main():
            runner = web.AppRunner(web.Application())
            runner.app.router.add_post("/v1/chat/completions", completions)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = site._server.sockets[0].getsockname()[1]
            await asyncio.Event().wait()

        threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()
        while self.port is None:
            time.sleep(0.02)


@pytest.mark.parametrize("delay_s,expect_audit", [(0.0, True), (3600.0, False)])
def test_model_audit_is_attached_or_skipped_never_blocking(tmp_path, delay_s, expect_audit):
    model = StubModel(delay_s)
    state = tmp_path / "daemon"
    process = subprocess.Popen(
        [
            *CLI,
            "local",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--state",
            str(state),
            "--audit-endpoint",
            f"http://127.0.0.1:{model.port}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        json.loads(process.stdout.readline())  # type: ignore[union-attr]
        pairing = connect(offer_uri(state), tmp_path / "wallet")
        decision = evaluate_json(STEPPED_UP, policy=POLICY)
        body = build_request(
            pairing.key,
            time.time_ns(),
            b"a" * 16,
            int(time.time()) + 30,
            decision.payload.digest,
            SIGNER,
            STEPPED_UP,
            comparable_reading(decision, POLICY, int(time.time())),
        )
        started = time.monotonic()
        with httpx.Client(verify=pinned_context(pairing.cert_pem), timeout=10) as client:
            answer = cbor2.loads(client.post(f"{pairing.url}/v1/verify", content=body).content)
        assert (answer["audit"] is not None) == expect_audit
        assert (
            answer["verdict"] and time.monotonic() - started < 60
        )  # liveness: the hour-long model never holds the verdict
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_idle_and_slow_clients_do_not_stop_the_daemon(daemon, tmp_path):
    import socket

    state, info = daemon
    idle = [socket.create_connection((info["host"], info["port"])) for _ in range(30)]
    for sock in idle[:10]:
        sock.sendall(b"\x16\x03\x01")  # a TLS record header, and then nothing: slowloris
    try:
        pairing = connect(offer_uri(state), tmp_path / "wallet")
        final = escalate(evaluate_json(STEPPED_UP, policy=POLICY), STEPPED_UP, pairing, POLICY)
        assert final.verdict in ("ALLOW", "BLOCK") and final.plan == "edge→local"
    finally:
        for sock in idle:
            sock.close()


def test_bench_local_json():
    result = subprocess.run([*CLI, "bench", "local", "-n", "3", "--json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["iterations"] == 3 and sum(data["verdicts"].values()) == 3
