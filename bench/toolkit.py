"""What every bench shares: percentiles, tables, a `dmind-edge` subprocess, a paired daemon.

Each bench reports percentiles beside a baseline measured in the same run, so results read as
ratios across machines; the tiers' benches start the real servers as processes on loopback.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from dmind.edge import encode_call


def percentiles(samples_us: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in microseconds (nearest-rank)."""
    ordered = sorted(samples_us)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": ordered[-1], "mean": statistics.fmean(ordered)}


def percentile_table(title: str, first: str, rows: dict[str, dict[str, float]], extra: str | None = None):
    """A rich table of p50/p95/p99/max per row (and one leading extra column when given)."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column(first)
    columns = ([extra] if extra else []) + ["p50", "p95", "p99", "max"]
    for column in columns:
        table.add_column(column, justify="right")
    for name, p in rows.items():
        table.add_row(name, *(str(p[c]) if c == extra else f"{p[c]:.0f}" for c in columns))
    return table


def print_bench(result: dict[str, Any], title: str, first: str, footer: str, as_json: bool) -> None:
    """Print a tier bench: JSON for machines, or its latencies and baselines as one table."""
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    from rich.console import Console

    rows = {**result["latency_us"], **{f"baseline: {k}": v for k, v in result["baseline_us"].items()}}
    console = Console()
    console.print(percentile_table(title, first, rows))
    console.print(footer)


@contextmanager
def spawned(*args: str) -> Iterator[dict[str, Any]]:
    """A `dmind-edge` subcommand as a real process; yields the JSON line it prints once ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dmind.edge", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        yield json.loads(process.stdout.readline())  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(timeout=10)


BENCH_SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BENCH_SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def stepped_up_request() -> dict:
    """An approval to a spender the edge does not know: STEP_UP, which the user's history can resolve."""
    data = "0x" + encode_call("approve(address,uint256)", BENCH_SPENDER, 10**6).hex()
    tx = {
        "from": BENCH_SIGNER,
        "to": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        "data": data,
        "value": "0x0",
        "gas": "0x30000",
        "nonce": "0x1",
        "maxFeePerGas": "0x6fc23ac00",
        "maxPriorityFeePerGas": "0x3b9aca00",
        "chainId": "0x1",
    }
    return {"id": 1, "request": {"method": "eth_sendTransaction", "params": [tx]}, "chainId": 1, "from": BENCH_SIGNER}


@contextmanager
def paired_daemon(state: str, client_dir: str) -> Iterator[Any]:
    """A local verifier daemon whose user has approved BENCH_SPENDER before, paired with a wallet in `client_dir`."""
    from dmind.edge import connect

    with spawned("local", "serve", "--listen", "127.0.0.1:0", "--state", state):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dmind.edge",
                "local",
                "context",
                "add",
                "interaction",
                BENCH_SPENDER,
                "approve",
                "--state",
                state,
            ],
            check=True,
            capture_output=True,
        )
        offer = subprocess.run(
            [sys.executable, "-m", "dmind.edge", "local", "pair", "--state", state],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        yield connect(next(line for line in offer.splitlines() if line.startswith("dmind-pair:")), client_dir, "bench")
