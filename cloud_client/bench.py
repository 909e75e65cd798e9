"""`dmind-edge bench cloud`: edge → cloud (sanitized) and edge → cloud → local over loopback."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import typer
from dmind.edge import evaluate_json
from dmind.edge.bench import _percentile_table, percentiles
from dmind.edge.escalate import connect, token_hash
from dmind.local_tier.bench import SPENDER, _stepped_up_request
from dmind.local_tier.pairing import new_offer
from dmind.local_tier.store import ContextStore
from dmind.policies import default_policy
from rich.console import Console

from .client import CloudClient
from .orchestrate import decide


def _start(args: list[str]) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen([sys.executable, "-m", "dmind.edge", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return process, json.loads(process.stdout.readline())  # type: ignore[union-attr]


def run_cloud_bench(iterations: int = 100) -> dict:
    """Reference endpoint and local daemon as real processes; time each plan on one STEP_UP request."""
    base = default_policy()
    policy = replace(base, routing=replace(base.routing, cloud_allowed=True))
    request = _stepped_up_request()
    with tempfile.TemporaryDirectory() as tmp:
        cloud_process, cloud_info = _start(["cloud", "serve", "--listen", "127.0.0.1:0"])
        local_process, local_info = _start(["local", "serve", "--listen", "127.0.0.1:0", "--state", f"{tmp}/daemon"])
        try:
            store = ContextStore(Path(tmp) / "daemon" / "context.sqlite3")
            store.record_interaction(SPENDER, "approve")
            offer = new_offer(local_info["host"], local_info["port"], local_info["fingerprint"], int(time.time()))
            store.add_offer(token_hash(offer.token), offer.expires_at)
            pairing = connect(offer.uri, Path(tmp) / "wallet", "bench")
            cloud = CloudClient(cloud_info["url"])
            samples: dict[str, list[float]] = {"edge only": [], "edge → cloud (sanitized)": [], "edge → cloud → local": []}
            plans: dict[str, set[str]] = {name: set() for name in samples}
            for i in range(iterations + 5):
                for name, (p, c) in {"edge only": (None, None), "edge → cloud (sanitized)": (None, cloud),
                                     "edge → cloud → local": (pairing, cloud)}.items():
                    t0 = time.perf_counter_ns()
                    decision = evaluate_json(request, policy=policy) if name == "edge only" else asyncio.run(decide(request, policy, p, c))
                    if i >= 5:
                        samples[name].append((time.perf_counter_ns() - t0) / 1000)
                        plans[name].add(decision.plan)
        finally:
            for process in (cloud_process, local_process):
                process.terminate()
                process.wait(timeout=10)
    return {"iterations": iterations, "plans": {k: sorted(v) for k, v in plans.items()},
            "latency_us": {k: percentiles(v) for k, v in samples.items() if k != "edge only"},
            "baseline_us": {"edge only": percentiles(samples["edge only"])}}


def command(iterations: int = typer.Option(100, "-n", "--iterations", help="Requests per path."),
            as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """The cloud paths over loopback (reference endpoint, real local daemon): p50/p95/p99."""
    result = run_cloud_bench(iterations)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    rows = {**result["latency_us"], **{f"baseline: {k}": v for k, v in result["baseline_us"].items()}}
    console = Console()
    console.print(_percentile_table(f"cloud paths (µs), {result['iterations']} requests each, reference endpoint on loopback", "path", rows))
    console.print("DMind-3 paper: edge → cloud 140/310/520 ms, edge → cloud → local 360/740/1150 ms (p50/p95/p99, a real 21B model)")
