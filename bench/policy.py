"""`dmind-edge bench policy`: signed policy bundles, verified and activated, against a bare Ed25519 verification."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import typer
from rich.console import Console

from .toolkit import percentile_table, percentiles


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
        "bundle_bytes": len(sample),
        "iterations": iterations,
        "latency_us": {"verify": verify_p, "install (verify + activate, fsync)": percentiles(activate_us)},
        "baseline_us": {"ed25519_verify": base_p},
        "ratio_p50_vs_baseline": round(verify_p["p50"] / base_p["p50"], 1) if base_p["p50"] else None,
    }


def render_policy_table(result: dict[str, Any], console) -> None:
    """Print the policy bench result."""
    rows = {**result["latency_us"], "baseline: bare Ed25519 verify": result["baseline_us"]["ed25519_verify"]}
    console.print(
        percentile_table(
            f"policy bundle ({result['bundle_bytes']} bytes), {result['iterations']} revisions (µs)", "operation", rows
        )
    )
    console.print(f"bundle verification p50 is {result['ratio_p50_vs_baseline']}× a bare Ed25519 verification")


def command(
    iterations: int = typer.Option(200, "-n", "--iterations", help="Bundles to verify and install."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Signed policy bundles: verification and atomic activation, p50/p99."""
    result = run_policy_bench(iterations)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        render_policy_table(result, Console())
