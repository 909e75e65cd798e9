"""`dmind-edge bench bridge`: round trips to the emulator over UDP loopback."""

from __future__ import annotations

import json
import tempfile
import time

import typer
from dmind.edge.bench import percentiles, print_bench, spawned

from .client import Device


def _typical_request() -> dict:
    """An ~1 KB transaction request: a multicall of two approvals, as a dapp would send."""
    approve = "095ea7b3" + "00" * 12 + "70997970c51812dc3a010c7d01b50e0d17dc79c8" + f"{10**6:064x}"
    calls = 2
    data = ("0xac9650d8" + f"{32:064x}" + f"{calls:064x}" + "".join(f"{calls * 32 + i * 128:064x}" for i in range(calls))
            + "".join(f"{68:064x}" + approve + "00" * 28 for _ in range(calls)))
    return {"id": 1, "request": {"method": "eth_sendTransaction", "params": [{"from": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "to": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "data": data, "value": "0x0"}]}, "chainId": 1}


def run_bridge_bench(iterations: int = 200) -> dict:
    """Start an emulator process, then time Evaluate round trips and GetInfo ping-pongs."""
    request = _typical_request()
    with tempfile.TemporaryDirectory() as state, spawned("device", "emulate", "--udp", "127.0.0.1:0", "--state", state) as info:
        with Device.open(info["listening"]) as device:
            for _ in range(10):
                device.evaluate(request)
            evaluate_us, info_us = [], []
            started = time.perf_counter()
            for _ in range(iterations):
                t0 = time.perf_counter_ns()
                device.evaluate(request)
                t1 = time.perf_counter_ns()
                device.info()
                t2 = time.perf_counter_ns()
                evaluate_us.append((t1 - t0) / 1000)
                info_us.append((t2 - t1) / 1000)
            elapsed = time.perf_counter() - started
    return {"request_bytes": len(json.dumps(request)), "iterations": iterations, "messages_per_second": round(2 * iterations / elapsed, 1),
            "latency_us": {"Evaluate (~1 KB tx, gate on device)": percentiles(evaluate_us)},
            "baseline_us": {"GetInfo round trip": percentiles(info_us)}}


def command(iterations: int = typer.Option(200, "-n", "--iterations", help="Round trips of each kind."),
            as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """The firmware bridge over UDP loopback: messages per second, round-trip p50/p99."""
    result = run_bridge_bench(iterations)
    print_bench(result, f"bridge round trips (µs) over UDP loopback, {result['iterations']} each", "message",
                f"{result.get('messages_per_second', 0):.0f} messages/s (request {result['request_bytes']} bytes of JSON)", as_json)
