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
import subprocess
import sys
import time
from typing import Any

import typer
from dmind.edge import EXAMPLES_NOW, Decision, DigestKind, decision_json, evaluate_json, example_requests
from rich.console import Console

from .toolkit import percentile_table, percentiles

STAGES = ("parse", "decode", "assess", "gate", "total")
IMPORT_RUNS = 5


def _kind(decision: Decision) -> str:
    """Bench groups: signed payloads pay for public-key recovery, the rest do not."""
    payload = decision.payload
    if payload is None:
        return "rejected"
    if payload.digest_kind == DigestKind.SOLANA_MESSAGE:
        return f"solana {payload.kind}"
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
            verdicts[str(decision.verdict)] = verdicts.get(str(decision.verdict), 0) + 1
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
        "corpus": {
            "requests": len(corpus),
            "iterations": iterations,
            "evaluations": len(end_to_end),
            "verdicts": verdicts,
        },
        "latency_us": {"end_to_end": e2e, **{s: percentiles(v) for s, v in stages.items() if v}},
        "latency_us_by_kind": {
            kind: {"requests": len(v) // iterations, **percentiles(v)} for kind, v in sorted(by_kind.items())
        },
        "baseline_us": {"json_roundtrip": base},
        "ratio_p50_vs_baseline": round(e2e["p50"] / base["p50"], 1) if base["p50"] else None,
        "evaluations_per_second": round(len(end_to_end) / elapsed, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "import_ms": {
            "dmind.edge": round(import_gate * 1000, 1),
            "bare_interpreter": round(import_bare * 1000, 1),
            "gate_only": round((import_gate - import_bare) * 1000, 1),
        },
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
        },
    }


def render_table(result: dict[str, Any], console) -> None:
    """Print the bench result as rich tables."""
    corpus = result["corpus"]
    rows = {**result["latency_us"], "baseline: json round-trip": result["baseline_us"]["json_roundtrip"]}
    console.print(
        percentile_table(
            f"gate latency (µs) over {corpus['evaluations']} evaluations of {corpus['requests']} requests",
            "stage",
            rows,
        )
    )
    console.print(
        percentile_table(
            "end-to-end latency (µs) by request kind", "kind", result["latency_us_by_kind"], extra="requests"
        )
    )
    imports = result["import_ms"]
    console.print(
        f"end-to-end p50 is {result['ratio_p50_vs_baseline']}× the JSON round-trip baseline · "
        f"{result['evaluations_per_second']:.0f} evaluations/s on one core · peak RSS {result['peak_rss_mib']} MiB\n"
        f"cold import of dmind.edge {imports['dmind.edge']} ms (bare interpreter {imports['bare_interpreter']} ms, "
        f"gate's own {imports['gate_only']} ms) · verdicts {result['corpus']['verdicts']}\n"
        f"Python {result['machine']['python']} on {result['machine']['platform']}"
    )


def command(
    iterations: int = typer.Option(200, "-n", "--iterations", help="Passes over the corpus."),
    warmup: int = typer.Option(20, "--warmup", help="Untimed passes first."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Latency per stage and end to end, evaluations per second, peak RSS, cold import time."""
    result = run_gate_bench(iterations, warmup, progress=not as_json)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        render_table(result, Console())
