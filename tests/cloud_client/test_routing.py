"""The routing plane and degradation, with the real reference endpoint and the real local daemon."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from dmind.cloud_client.client import CloudClient
from dmind.cloud_client.orchestrate import decide
from dmind.cloud_client.routing import LatencyEstimates, route
from dmind.edge import Plan, evaluate_json
from dmind.edge.examples import example_requests
from dmind.edge.pairing import connect
from dmind.local_tier.store import ContextStore
from dmind.policies import default_policy

from tests.builders import USDC, calldata, eip1559, raw_tx_request

CLI = [sys.executable, "-m", "dmind.edge"]
# Not a speed claim (that is `dmind-edge bench cloud`): only that a decision arrives at all while a peer hangs for an hour.
LIVENESS_S = 60
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
STEPPED_UP = raw_tx_request(
    eip1559(USDC, calldata("approve(address,uint256)", ["address", "uint256"], [FRIEND, 10**6]))
)
BASE = default_policy()
CLOUDY = replace(
    BASE,
    routing=replace(
        BASE.routing,
        cloud_allowed=True,
        latency_budget_ms={"edge": 50, "edge_local": 3000, "edge_cloud": 600, "edge_cloud_local": 4000},
    ),
)


def test_only_step_up_leaves_the_fast_path():
    for row in example_requests():
        decision = evaluate_json(row)
        chosen = route(decision, CLOUDY, True, True, LatencyEstimates())
        assert (chosen.plan == Plan.EDGE_ONLY) == (decision.verdict != "STEP_UP")


def test_leaking_unavailable_and_slow_plans_are_excluded():
    decision = evaluate_json(STEPPED_UP)
    assert route(decision, BASE, True, True, LatencyEstimates()).excluded[Plan.EDGE_CLOUD].startswith("leak")
    assert route(decision, BASE, True, True, LatencyEstimates()).plan == Plan.EDGE_LOCAL
    assert route(decision, CLOUDY, False, True, LatencyEstimates()).plan == Plan.EDGE_CLOUD
    assert route(decision, CLOUDY, True, True, LatencyEstimates()).plan == Plan.EDGE_CLOUD_LOCAL
    slow = LatencyEstimates({"local": 50.0, "cloud": 5000.0})
    chosen = route(decision, CLOUDY, True, True, slow)
    assert chosen.plan == Plan.EDGE_LOCAL and "budget" in chosen.excluded[Plan.EDGE_CLOUD]


def start(args: list[str]) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return process, json.loads(process.stdout.readline())  # type: ignore[union-attr]


@pytest.fixture
def endpoint():
    processes = []

    def make(fault: str = "none") -> str:
        process, info = start(["cloud", "serve", "--listen", "127.0.0.1:0", "--fault", fault])
        processes.append(process)
        return info["url"]

    yield make
    for process in processes:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def local(tmp_path):
    state = tmp_path / "daemon"
    process, info = start(["local", "serve", "--listen", "127.0.0.1:0", "--state", str(state)])
    ContextStore(state / "context.sqlite3").record_interaction(FRIEND, "approve")
    offer = subprocess.run(
        [*CLI, "local", "pair", "--state", str(state)], capture_output=True, text=True, timeout=60
    ).stdout
    pairing = connect(next(line for line in offer.splitlines() if line.startswith("dmind-pair:")), tmp_path / "wallet")
    yield pairing
    process.kill()
    process.wait(timeout=10)


def run(request, pairing=None, cloud=None, policy=CLOUDY):
    started = time.monotonic()
    decision = asyncio.run(decide(request, policy, pairing, cloud))
    return decision, time.monotonic() - started


def codes(decision) -> set[str]:
    return {f.code for f in decision.findings}


def test_edge_to_cloud_attaches_advice(endpoint):
    decision, _ = run(STEPPED_UP, cloud=CloudClient(endpoint()))
    assert decision.plan == Plan.EDGE_CLOUD and decision.verdict == "STEP_UP"
    assert "CLOUD_CAUTION" in codes(decision) and decision.route["consulted"] == ["cloud"]


@pytest.mark.parametrize(
    "fault,reason", [("hang", "CLOUD_TIMEOUT"), ("garbage", "CLOUD_INVALID"), ("error", "CLOUD_ERROR")]
)
def test_a_failing_cloud_costs_at_most_the_budget(endpoint, fault, reason):
    decision, took = run(STEPPED_UP, cloud=CloudClient(endpoint(fault), timeout_s=0.3, retries=1))
    assert decision.verdict == "STEP_UP" and took < LIVENESS_S  # finishes at all: the hanging endpoint never answers
    assert any(f.code == "CLOUD_UNAVAILABLE" and reason in f.message for f in decision.findings)


def test_a_cloud_killed_mid_run_opens_the_circuit(tmp_path):
    process, info = start(["cloud", "serve", "--listen", "127.0.0.1:0"])
    client = CloudClient(info["url"], timeout_s=0.3, retries=0)
    try:
        assert run(STEPPED_UP, cloud=client)[0].route["consulted"] == ["cloud"]
    finally:
        process.kill()
        process.wait(timeout=10)
    for _ in range(3):
        assert run(STEPPED_UP, cloud=client)[0].verdict == "STEP_UP"
    decision, took = run(STEPPED_UP, cloud=client)
    assert any("CLOUD_CIRCUIT_OPEN" in f.message for f in decision.findings)  # skipped: no attempt was made


def test_edge_cloud_local_ends_with_a_signed_local_verdict(endpoint, local):
    decision, _ = run(STEPPED_UP, pairing=local, cloud=CloudClient(endpoint()))
    assert decision.plan == Plan.EDGE_CLOUD_LOCAL and decision.route["consulted"] == ["cloud", "local"]
    assert (
        decision.verdict == "ALLOW"
        and decision.verdict_token
        and "local verifier" in decision.route["provenance"]["verdict"]
    )


def test_everything_down_still_answers_in_time_and_no_looser(tmp_path, local):
    from dmind.edge.pairing import Pairing

    gone = Pairing(local.host, 9, local.cert_pem, local.device_id, local.verifier_public_key, local.key)
    decision, took = run(STEPPED_UP, pairing=gone, cloud=CloudClient("http://127.0.0.1:9", timeout_s=0.3))
    assert (
        decision.verdict == "STEP_UP"
        and took < LIVENESS_S
        and {"CLOUD_UNAVAILABLE", "LOCAL_UNREACHABLE"} <= codes(decision)
    )


@pytest.mark.parametrize("environment", ["healthy", "cloud garbage", "nothing"])
def test_no_decision_is_looser_than_edge_only(endpoint, local, environment):
    cloud = {
        "healthy": lambda: CloudClient(endpoint()),
        "cloud garbage": lambda: CloudClient(endpoint("garbage"), timeout_s=0.3),
        "nothing": lambda: None,
    }[environment]()
    pairing = None if environment == "nothing" else local
    strictness = {"ALLOW": 0, "STEP_UP": 1, "BLOCK": 2}
    for row in example_requests() + [STEPPED_UP]:
        edge = evaluate_json(row, policy=CLOUDY)
        final, _ = run(row, pairing, cloud)
        if final.verdict == "ALLOW" and edge.verdict != "ALLOW":
            assert final.verdict_token is not None  # only a verified local verdict may lift a STEP_UP
        else:
            assert strictness[final.verdict] >= strictness[edge.verdict]


def test_edge_to_local_without_a_cloud(local):
    decision, _ = run(STEPPED_UP, pairing=local, policy=BASE)
    assert decision.plan == Plan.EDGE_LOCAL and decision.route["consulted"] == ["local"] and decision.verdict == "ALLOW"


def test_bench_cloud_json():
    result = subprocess.run([*CLI, "bench", "cloud", "-n", "2", "--json"], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["plans"]["edge → cloud → local"] == [Plan.EDGE_CLOUD_LOCAL] and data["plans"][
        "edge → cloud (sanitized)"
    ] == [Plan.EDGE_CLOUD]


# Found in review.
def test_client_scheme_rules():
    assert CloudClient("HTTPS://api.example")._verify is True
    assert CloudClient("http://127.0.0.1:7441")._verify is False
    with pytest.raises(ValueError):
        CloudClient("http://api.example")  # the API key would travel in the clear


@pytest.mark.parametrize(
    "content",
    [
        '{"reputation": "malicious", "reputation": "known-good", "exploit_patterns": [], "market_context": "", "caution": "none"}',
        '{"reputation": "unknown", "exploit_patterns": ["\\u001b[31mred"], "market_context": "", "caution": "none"}',
        "[" * 100_000,
    ],
)
def test_the_validator_refuses_tricky_answers(content):
    from dmind.cloud_client.advice import AdviceError, parse_advice

    with pytest.raises(AdviceError):
        parse_advice(content)


def test_half_open_lets_exactly_one_call_through():
    from dmind.cloud_client.client import CircuitBreaker

    breaker = CircuitBreaker(failures_to_open=1, open_s=0.0)
    breaker.record(False)
    assert breaker.allow() and not breaker.allow()  # one probe; the rest wait for its outcome
    breaker.record(True)
    assert breaker.allow() and breaker.allow()


def test_a_malformed_origin_still_gets_a_decision(endpoint):
    request = {**STEPPED_UP, "origin": "https://[app.example"}
    decision, _ = run(request, cloud=CloudClient(endpoint()))
    assert decision.verdict == "STEP_UP"
