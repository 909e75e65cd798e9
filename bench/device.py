"""`dmind-edge bench bridge`: round trips to the emulator over UDP loopback."""

from __future__ import annotations

import json
import tempfile
import time

import typer
from dmind.edge import encode_call
from dmind.firmware_bridge import Device

from .toolkit import BENCH_SIGNER, BENCH_SPENDER, percentiles, print_bench, spawned


def _typical_request() -> dict:
    """An ~1 KB transaction request: a multicall of two approvals, as a dapp would send."""
    approve = encode_call("approve(address,uint256)", BENCH_SPENDER, 10**6)
    data = encode_call("multicall(bytes[])", [approve, approve])
    tx = {
        "from": BENCH_SIGNER,
        "to": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        "data": "0x" + data.hex(),
        "value": "0x0",
    }
    return {"id": 1, "request": {"method": "eth_sendTransaction", "params": [tx]}, "chainId": 1}


def run_bridge_bench(iterations: int = 200) -> dict:
    """Start an emulator process, then time Evaluate round trips and GetInfo ping-pongs."""
    request = _typical_request()
    with (
        tempfile.TemporaryDirectory() as state,
        spawned("device", "emulate", "--udp", "127.0.0.1:0", "--state", state) as info,
    ):
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
    return {
        "request_bytes": len(json.dumps(request)),
        "iterations": iterations,
        "messages_per_second": round(2 * iterations / elapsed, 1),
        "latency_us": {"Evaluate (~1 KB tx, gate on device)": percentiles(evaluate_us)},
        "baseline_us": {"GetInfo round trip": percentiles(info_us)},
    }


def command(
    iterations: int = typer.Option(200, "-n", "--iterations", help="Round trips of each kind."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """The firmware bridge over UDP loopback: messages per second, round-trip p50/p99."""
    result = run_bridge_bench(iterations)
    print_bench(
        result,
        f"bridge round trips (µs) over UDP loopback, {result['iterations']} each",
        "message",
        f"{result.get('messages_per_second', 0):.0f} messages/s (request {result['request_bytes']} bytes of JSON)",
        as_json,
    )
