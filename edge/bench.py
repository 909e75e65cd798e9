"""`dmind-edge bench gate`: the gate's latency per stage and end to end, throughput, memory, import time.

Every figure comes with a baseline measured in the same run, so results compare across
machines as ratios: latency against `json.loads` + `json.dumps` of the same request (the
least work any wallet does with it), import time against a bare interpreter start.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import Any, Iterator

from .examples import EXAMPLES_NOW, example_requests
from .pipeline import evaluate_json
from .render import decision_json
from .types import Decision

STAGES = ("parse", "decode", "assess", "gate", "total")
IMPORT_RUNS = 5


def percentiles(samples_us: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in microseconds (nearest-rank)."""
    ordered = sorted(samples_us)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": ordered[-1], "mean": statistics.fmean(ordered)}


def _kind(decision: Decision) -> str:
    """Bench groups: signed payloads pay for public-key recovery, the rest do not."""
    payload = decision.payload
    if payload is None:
        return "rejected"
    if payload.tx is not None and payload.tx.signed:
        recoveries = 1 + len(payload.tx.authorizations)
        return f"signed tx ({recoveries} recover{'ies' if recoveries > 1 else 'y'})"
    return payload.kind


def _import_seconds(code: str) -> float:
    best = float("inf")
    for _ in range(IMPORT_RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        best = min(best, time.perf_counter() - start)
    return best


def run_gate_bench(iterations: int = 200, warmup: int = 20, progress: bool = False) -> dict[str, Any]:
    """Measure the gate over the bundled mixed corpus in this process (one core)."""
    corpus = example_requests()
    texts = [json.dumps(obj) for obj in corpus]
    for _ in range(warmup):
        for obj in corpus:
            evaluate_json(obj, now=EXAMPLES_NOW)
    end_to_end: list[float] = []
    baseline: list[float] = []
    stages: dict[str, list[float]] = {s: [] for s in STAGES}
    verdicts: dict[str, int] = {}
    by_kind: dict[str, list[float]] = {}
    started = time.perf_counter()
    for i in range(iterations):
        if progress and i % max(1, iterations // 10) == 0:
            print(f"\rbench gate: pass {i}/{iterations}", end="", file=sys.stderr, flush=True)
        for text in texts:
            t0 = time.perf_counter_ns()
            out = json.dumps(json.loads(text))
            t1 = time.perf_counter_ns()
            decision = evaluate_json(json.loads(text), now=EXAMPLES_NOW)
            out = json.dumps(decision_json(decision))
            t2 = time.perf_counter_ns()
            baseline.append((t1 - t0) / 1000)
            end_to_end.append((t2 - t1) / 1000)
            for stage in STAGES:
                if stage in decision.timings_us:
                    stages[stage].append(decision.timings_us[stage])
            verdicts[decision.verdict] = verdicts.get(decision.verdict, 0) + 1
            by_kind.setdefault(_kind(decision), []).append((t2 - t1) / 1000)
    elapsed = time.perf_counter() - started
    if progress:
        print("\r", end="", file=sys.stderr)
    del out
    import_gate = _import_seconds("import dmind.edge")
    import_bare = _import_seconds("pass")
    e2e = percentiles(end_to_end)
    base = percentiles(baseline)
    return {
        "corpus": {"requests": len(corpus), "iterations": iterations, "evaluations": len(end_to_end), "verdicts": verdicts},
        "latency_us": {"end_to_end": e2e, **{s: percentiles(v) for s, v in stages.items() if v}},
        "latency_us_by_kind": {kind: {"requests": len(v) // iterations, **percentiles(v)} for kind, v in sorted(by_kind.items())},
        "baseline_us": {"json_roundtrip": base},
        "ratio_p50_vs_baseline": round(e2e["p50"] / base["p50"], 1) if base["p50"] else None,
        "evaluations_per_second": round(len(end_to_end) / elapsed, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "import_ms": {"dmind.edge": round(import_gate * 1000, 1), "bare_interpreter": round(import_bare * 1000, 1),
                      "gate_only": round((import_gate - import_bare) * 1000, 1)},
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "processor": platform.machine(),
                    "cpus": os.cpu_count()},
    }


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


def render_table(result: dict[str, Any], console) -> None:
    """Print the bench result as rich tables."""
    corpus = result["corpus"]
    rows = {**result["latency_us"], "baseline: json round-trip": result["baseline_us"]["json_roundtrip"]}
    console.print(percentile_table(f"gate latency (µs) over {corpus['evaluations']} evaluations of {corpus['requests']} requests", "stage", rows))
    console.print(percentile_table("end-to-end latency (µs) by request kind", "kind", result["latency_us_by_kind"], extra="requests"))
    imports = result["import_ms"]
    console.print(
        f"end-to-end p50 is {result['ratio_p50_vs_baseline']}× the JSON round-trip baseline · "
        f"{result['evaluations_per_second']:.0f} evaluations/s on one core · peak RSS {result['peak_rss_mib']} MiB\n"
        f"cold import of dmind.edge {imports['dmind.edge']} ms (bare interpreter {imports['bare_interpreter']} ms, "
        f"gate's own {imports['gate_only']} ms) · verdicts {result['corpus']['verdicts']}\n"
        f"Python {result['machine']['python']} on {result['machine']['platform']}"
    )


def run_policy_bench(iterations: int = 200) -> dict[str, Any]:
    """Bundle verification and activation (verify + atomic write) on the built-in default policy.

    Baseline: one bare Ed25519 verification of the same message, in the same run.
    """
    import tempfile

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from dmind.policies import default_policy
    from dmind.policies.bundle import TrustStore, build_payload, sign_bundle, verify_bundle
    from dmind.policies.store import PolicyStore

    key = Ed25519PrivateKey.generate()
    trust = TrustStore()
    trust.add(key.public_key())
    now = int(time.time())
    policy = default_policy()

    def bundle(revision: int) -> bytes:
        from dataclasses import replace

        payload = build_payload(replace(policy, revision=revision), now - 60, now - 60, now + 86400, "0.0.1", (1,))
        return sign_bundle(payload, key)

    sample = bundle(1)
    signature_input = sample  # a message of the bundle's size stands in for its Sig_structure
    raw_signature = key.sign(signature_input)
    public = key.public_key()
    verify_us, activate_us, baseline_us = [], [], []
    bundles = [bundle(r) for r in range(1, iterations + 1)]
    with tempfile.TemporaryDirectory() as state:
        store = PolicyStore(state, trust, "0.0.1")
        for data in bundles:
            t0 = time.perf_counter_ns()
            public.verify(raw_signature, signature_input)
            t1 = time.perf_counter_ns()
            verify_bundle(data, trust, now, "0.0.1")
            t2 = time.perf_counter_ns()
            store.install(data, now)
            t3 = time.perf_counter_ns()
            baseline_us.append((t1 - t0) / 1000)
            verify_us.append((t2 - t1) / 1000)
            activate_us.append((t3 - t2) / 1000)
    verify_p = percentiles(verify_us)
    base_p = percentiles(baseline_us)
    return {
        "bundle_bytes": len(sample), "iterations": iterations,
        "latency_us": {"verify": verify_p, "install (verify + activate, fsync)": percentiles(activate_us)},
        "baseline_us": {"ed25519_verify": base_p},
        "ratio_p50_vs_baseline": round(verify_p["p50"] / base_p["p50"], 1) if base_p["p50"] else None,
    }


def render_policy_table(result: dict[str, Any], console) -> None:
    """Print the policy bench result."""
    rows = {**result["latency_us"], "baseline: bare Ed25519 verify": result["baseline_us"]["ed25519_verify"]}
    console.print(percentile_table(f"policy bundle ({result['bundle_bytes']} bytes), {result['iterations']} revisions (µs)", "operation", rows))
    console.print(f"bundle verification p50 is {result['ratio_p50_vs_baseline']}× a bare Ed25519 verification")


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
    process = subprocess.Popen([sys.executable, "-m", "dmind.edge", *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield json.loads(process.stdout.readline())  # type: ignore[union-attr]
    finally:
        process.terminate()
        process.wait(timeout=10)


BENCH_SIGNER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
BENCH_SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def stepped_up_request() -> dict:
    """An approval to a spender the edge does not know: STEP_UP, which the user's history can resolve."""
    data = "0x095ea7b3" + "00" * 12 + BENCH_SPENDER[2:].lower() + f"{10**6:064x}"
    tx = {"from": BENCH_SIGNER, "to": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "data": data, "value": "0x0", "gas": "0x30000",
          "nonce": "0x1", "maxFeePerGas": "0x6fc23ac00", "maxPriorityFeePerGas": "0x3b9aca00", "chainId": "0x1"}
    return {"id": 1, "request": {"method": "eth_sendTransaction", "params": [tx]}, "chainId": 1, "from": BENCH_SIGNER}


@contextmanager
def paired_daemon(state: str, client_dir: str) -> Iterator[Any]:
    """A local verifier daemon whose user has approved BENCH_SPENDER before, paired with a wallet in `client_dir`."""
    from .escalate import connect

    with spawned("local", "serve", "--listen", "127.0.0.1:0", "--state", state):
        subprocess.run([sys.executable, "-m", "dmind.edge", "local", "context", "add", "interaction", BENCH_SPENDER, "approve",
                        "--state", state], check=True, capture_output=True)
        offer = subprocess.run([sys.executable, "-m", "dmind.edge", "local", "pair", "--state", state],
                               check=True, capture_output=True, text=True).stdout
        yield connect(next(line for line in offer.splitlines() if line.startswith("dmind-pair:")), client_dir, "bench")
