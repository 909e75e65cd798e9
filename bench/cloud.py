"""`dmind-edge bench cloud`: edge → cloud (sanitized) and edge → cloud → local over loopback."""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import typer
from dmind.cloud_client import CloudClient, decide
from dmind.edge import evaluate_json
from dmind.policies import default_policy

from .toolkit import paired_daemon, percentiles, print_bench, spawned, stepped_up_request


def run_cloud_bench(iterations: int = 100) -> dict:
    """Reference endpoint and local daemon as real processes; time each plan on one STEP_UP request."""
    base = default_policy()
    policy = replace(base, routing=replace(base.routing, cloud_allowed=True))
    request = stepped_up_request()
    samples: dict[str, list[float]] = {"edge only": [], "edge → cloud (sanitized)": [], "edge → cloud → local": []}
    plans: dict[str, set[str]] = {name: set() for name in samples}
    with (
        tempfile.TemporaryDirectory() as tmp,
        spawned("cloud", "serve", "--listen", "127.0.0.1:0") as endpoint,
        paired_daemon(f"{tmp}/daemon", str(Path(tmp) / "wallet")) as pairing,
    ):
        cloud = CloudClient(endpoint["url"])
        tiers = {
            "edge only": (None, None),
            "edge → cloud (sanitized)": (None, cloud),
            "edge → cloud → local": (pairing, cloud),
        }
        for i in range(iterations + 5):
            for name, (local, remote) in tiers.items():
                t0 = time.perf_counter_ns()
                decision = (
                    evaluate_json(request, policy=policy)
                    if remote is None
                    else asyncio.run(decide(request, policy, local, remote))
                )
                if i >= 5:
                    samples[name].append((time.perf_counter_ns() - t0) / 1000)
                    plans[name].add(str(decision.plan))
    return {
        "iterations": iterations,
        "plans": {k: sorted(v) for k, v in plans.items()},
        "latency_us": {k: percentiles(v) for k, v in samples.items() if k != "edge only"},
        "baseline_us": {"edge only": percentiles(samples["edge only"])},
    }


def command(
    iterations: int = typer.Option(100, "-n", "--iterations", help="Requests per path."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """The cloud paths over loopback (reference endpoint, real local daemon): p50/p95/p99."""
    result = run_cloud_bench(iterations)
    print_bench(
        result,
        f"cloud paths (µs), {result['iterations']} requests each, reference endpoint on loopback",
        "path",
        "DMind-3 paper: edge → cloud 140/310/520 ms, edge → cloud → local 360/740/1150 ms (p50/p95/p99, a real 21B "
        "model)",
        as_json,
    )
