"""`dmind-edge bench local`: the edge → local path over loopback with the real daemon, next to edge only."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import typer
from dmind.edge import evaluate_json
from dmind.edge.bench import _percentile_table, percentiles
from dmind.edge.escalate import connect, escalate, token_hash
from dmind.policies import default_policy
from rich.console import Console

from .pairing import new_offer
from .store import ContextStore

SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"


def _stepped_up_request() -> dict:
    """An approval to a spender the edge does not know: STEP_UP, which the user's history resolves."""
    data = "0x095ea7b3" + "00" * 12 + SPENDER[2:].lower() + f"{10**6:064x}"
    tx = {"from": SIGNER, "to": USDC, "data": data, "value": "0x0", "gas": "0x30000", "nonce": "0x1",
          "maxFeePerGas": "0x6fc23ac00", "maxPriorityFeePerGas": "0x3b9aca00", "chainId": "0x1"}
    return {"id": 1, "request": {"method": "eth_sendTransaction", "params": [tx]}, "chainId": 1, "from": SIGNER}


def run_local_bench(iterations: int = 100) -> dict:
    """Start a daemon, pair a client, then time edge-only decisions and edge → local escalations."""
    policy = default_policy()
    request = _stepped_up_request()
    with tempfile.TemporaryDirectory() as tmp:
        state, client = Path(tmp) / "daemon", Path(tmp) / "wallet"
        process = subprocess.Popen([sys.executable, "-m", "dmind.edge", "local", "serve", "--listen", "127.0.0.1:0", "--state", str(state)],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            info = json.loads(process.stdout.readline())  # type: ignore[union-attr]
            store = ContextStore(state / "context.sqlite3")
            store.record_interaction(SPENDER, "approve")  # the user has used this spender before
            offer = new_offer(info["host"], info["port"], info["fingerprint"], int(time.time()))
            store.add_offer(token_hash(offer.token), offer.expires_at)
            pairing = connect(offer.uri, client, "bench")
            edge_us, local_us, verdicts = [], [], {}
            for i in range(iterations + 5):
                t0 = time.perf_counter_ns()
                decision = evaluate_json(request, policy=policy)
                t1 = time.perf_counter_ns()
                final = escalate(decision, request, pairing, policy)
                t2 = time.perf_counter_ns()
                if i >= 5:  # warm-up
                    edge_us.append((t1 - t0) / 1000)
                    local_us.append((t2 - t0) / 1000)
                    verdicts[final.verdict] = verdicts.get(final.verdict, 0) + 1
        finally:
            process.terminate()
            process.wait(timeout=10)
    return {"iterations": iterations, "verdicts": verdicts,
            "latency_us": {"edge → local (real daemon, TLS 1.3, no model)": percentiles(local_us)},
            "baseline_us": {"edge only": percentiles(edge_us)}}


def command(iterations: int = typer.Option(100, "-n", "--iterations", help="Escalations to time."),
            as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """The edge → local step-up path over loopback, next to edge only: p50/p95/p99."""
    result = run_local_bench(iterations)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    rows = {**result["latency_us"], **{f"baseline: {k}": v for k, v in result["baseline_us"].items()}}
    console = Console()
    console.print(_percentile_table(f"step-up latency (µs), {result['iterations']} requests", "path", rows))
    console.print(f"final verdicts: {result['verdicts']} (the DMind-3 paper reports 210 / 460 / 720 ms p50/p95/p99 with a 4B model)")
