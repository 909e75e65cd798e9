"""Signing-path latency (the paper's Table 5): edge, edge → local, edge → cloud, edge → cloud → local, nano off and on.

The local verifier daemon and the reference cloud endpoint run as real processes on loopback,
started and stopped here. Every path decides the same STEP_UP request (a swap through a router the policy
does not know on that chain), so each tier is really consulted; "nano on" adds the user's
words for that swap, which the gate reads with the built-in model. The plans each path took
are recorded with the timings.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional

from dmind.cloud_client.client import CloudClient
from dmind.cloud_client.orchestrate import decide
from dmind.edge import escalate, evaluate_json
from dmind.policies import default_policy

from .toolkit import BENCH_SIGNER, paired_daemon, percentiles, spawned

PATHS = ("edge", "edge → local", "edge → cloud", "edge → cloud → local")
PEPE = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
UNIVERSAL_ROUTER = "0x66a9893cC07D91D95644AEDD05D03f95e1dBA8Af"
WORDS = f"swap 250 USDC for {PEPE}"
# Universal Router execute(): V3_SWAP_EXACT_IN of 250 USDC into PEPE (0.05% pool) paid to msg.sender, encoded once with eth-abi.
# On OP Mainnet the default policy knows no router, so the gate says STEP_UP (CONTRACT_UNVERIFIED) and every tier is consulted;
# the swap is what the words ask for, so reading them adds the model's cost without changing the route.
SWAP_CALLDATA = (
    "0x3593564c00000000000000000000000000000000000000000000000000000000000000600000000000000000000000000000000000000000000000"
    "0000000000000000a0000000000000000000000000000000000000000000000000000000007735940000000000000000000000000000000000000000"
    "000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000200000000000000000000000"
    "000000000000000000000000000000000000000100000000000000000000000000000000000000000000000000000000000000000100000000000000"
    "0000000000000000000000000000000000000000000ee6b2800000000000000000000000000000000000000000000000000000000000000001000000"
    "00000000000000000000000000000000000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000"
    "01000000000000000000000000000000000000000000000000000000000000002ba0b86991c6218b36c1d19d4a2e9eb0ce3606eb480001f469825081"
    "45454ce325ddbe47a25d4ec3d2311933000000000000000000000000000000000000000000"
)


def swap_request(words: Optional[str]) -> dict:
    """The benchmark's request: the swap above on chain 10, with the user's words or without."""
    tx = {
        "from": BENCH_SIGNER,
        "to": UNIVERSAL_ROUTER,
        "data": SWAP_CALLDATA,
        "value": "0x0",
        "gas": "0x60000",
        "nonce": "0x1",
        "maxFeePerGas": "0x6fc23ac00",
        "maxPriorityFeePerGas": "0x3b9aca00",
        "chainId": "0xa",
    }
    return {
        "id": 1,
        "request": {"method": "eth_sendTransaction", "params": [tx]},
        "chainId": 10,
        "from": BENCH_SIGNER,
        "stated_intent": words,
    }


def _reader() -> Optional[Callable]:
    """The built-in nano model, loaded and warmed once; None where its runtime is not installed."""
    from dmind.edge.nano import ModelReader, ReaderUnavailable

    reader = ModelReader()
    try:
        reader(WORDS)
    except ReaderUnavailable:
        return None
    return reader


def run_paths(
    iterations: int = 50, warmup: int = 5, progress: Callable[[int, int], None] = lambda done, total: None
) -> dict:
    """p50/p95/p99 (µs) per path, with the nano model off and on, and the raw samples for plots."""
    base = default_policy()
    policy = replace(base, routing=replace(base.routing, cloud_allowed=True))
    reader = _reader()
    modes = {"nano off": (swap_request(None), None)}
    if reader is not None:
        modes["nano on"] = (swap_request(WORDS), reader)
    samples: dict[str, list[float]] = {f"{path}, {mode}": [] for mode in modes for path in PATHS}
    plans: dict[str, set] = {name: set() for name in samples}
    total, done = (iterations + warmup) * len(samples), 0
    with (
        tempfile.TemporaryDirectory() as tmp,
        spawned("cloud", "serve", "--listen", "127.0.0.1:0") as endpoint,
        paired_daemon(f"{tmp}/daemon", str(Path(tmp) / "wallet")) as pairing,
    ):
        cloud = CloudClient(endpoint["url"])
        for i in range(iterations + warmup):
            for mode, (request, words_reader) in modes.items():
                steps = {
                    "edge": lambda: evaluate_json(request, policy=policy, intent_reader=words_reader),
                    "edge → local": lambda: escalate(
                        evaluate_json(request, policy=policy, intent_reader=words_reader), request, pairing, policy
                    ),
                    "edge → cloud": lambda: asyncio.run(
                        decide(request, policy, None, cloud, intent_reader=words_reader)
                    ),
                    "edge → cloud → local": lambda: asyncio.run(
                        decide(request, policy, pairing, cloud, intent_reader=words_reader)
                    ),
                }
                for path, step in steps.items():
                    t0 = time.perf_counter_ns()
                    decision = step()
                    if i >= warmup:
                        samples[f"{path}, {mode}"].append((time.perf_counter_ns() - t0) / 1000)
                        plans[f"{path}, {mode}"].add(str(decision.plan))
                    done += 1
                    progress(done, total)
    return {
        "iterations": iterations,
        "nano": reader is not None,
        "latency_us": {name: percentiles(v) for name, v in samples.items() if v},
        "plans": {name: sorted(p) for name, p in plans.items() if p},
        "samples_us": samples,
    }
