"""`dmind-edge bench nano`: what an assistant turn of the nano model costs, and what fast-forward and the grammar change.

It samples the data generator's test split (`dmind.export.data`). Every assistant turn is
generated three times in the same run, on one loaded model: as shipped (grammar, forced tokens
fast-forwarded), token by token (grammar, one forward pass per token) and free (no grammar), so
fast-forward and the grammar read as ratios against baselines measured beside them. A turn is
timed from the user's message to the complete call or answer.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Optional

import typer
from dmind.edge.nano import NanoModel, turns
from dmind.export.data.generate import generate

from .toolkit import percentiles, print_bench

# variant -> NanoModel options; the first is the shipped decoding, the others its baselines
VARIANTS = {
    "fast-forward": {},
    "token by token": {"fast_forward": False},
    "free": {"constrained": False},
}


def run_nano_bench(
    conversations: int = 40, model_dir: Optional[Path] = None, backend: str = "onnx", threads: Optional[int] = 2
) -> dict:
    sample = generate(conversations, split="test", seed=1)
    started = time.perf_counter()
    shipped = NanoModel.load(model_dir, backend=backend, threads=threads)
    load_s = time.perf_counter() - started
    models = {
        name: shipped if not options else NanoModel(shipped.directory, shipped.backend, **options)
        for name, options in VARIANTS.items()
    }
    turn_us: dict[str, list[float]] = {name: [] for name in models}
    first_us: dict[str, list[float]] = {name: [] for name in models}
    passes: dict[str, list[int]] = {name: [] for name in models}
    tokens = {name: 0 for name in models}
    agree, prompt_tokens = 0, []
    for turn in turns(sample):
        raws = {}
        for name, model in models.items():
            generation = model.generate(turn.history)
            turn_us[name].append(generation.total_s * 1e6)
            first_us[name].append(generation.first_token_s * 1e6)
            passes[name].append(generation.forward_passes)
            tokens[name] += generation.tokens
            raws[name] = generation.raw
        agree += raws["fast-forward"] == raws["token by token"]
        prompt_tokens.append(generation.prompt_tokens)
    model_file = shipped.backend.path
    count = len(prompt_tokens)

    def per_turn(name: str) -> dict[str, float]:
        total_s = sum(turn_us[name]) / 1e6
        return {
            "forward_passes_per_turn": round(sum(passes[name]) / count, 2),
            "tokens_per_turn": round(tokens[name] / count, 2),
            "tokens_per_s": round(tokens[name] / total_s, 1),
        }

    p50 = {name: percentiles(turn_us[name])["p50"] for name in models}
    return {
        "model": str(model_file),
        "model_bytes": model_file.stat().st_size,
        "backend": backend,
        "threads": shipped.backend.threads,
        "turns": count,
        "prompt_tokens_p50": sorted(prompt_tokens)[count // 2],
        "developer_prefix_tokens": len(shipped.prefix),
        "load_s": round(load_s, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "per_turn": {name: per_turn(name) for name in models},
        "same_output_fast_forward_vs_token_by_token": round(agree / count, 4),
        "turn_p50_ratio_token_by_token_over_fast_forward": round(p50["token by token"] / p50["fast-forward"], 2),
        "latency_us": {
            "turn, fast-forward": percentiles(turn_us["fast-forward"]),
            "time to first token, fast-forward": percentiles(first_us["fast-forward"]),
        },
        "baseline_us": {
            "turn, token by token": percentiles(turn_us["token by token"]),
            "turn, free (no grammar)": percentiles(turn_us["free"]),
            "time to first token, free": percentiles(first_us["free"]),
        },
    }


def command(
    conversations: int = typer.Option(40, "-n", "--conversations", help="Test-split conversations to generate for."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the built-in model)."),
    backend: str = typer.Option("onnx", "--backend"),
    threads: int = typer.Option(2, "--threads", help="Runtime threads."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """The nano model per assistant turn: p50/p95 time, first token, forward passes, tokens/s, peak RSS, size."""
    result = run_nano_bench(conversations, model, backend, threads)
    rows = "; ".join(
        f"{name}: {v['forward_passes_per_turn']} passes and {v['tokens_per_turn']} tokens a turn, "
        f"{v['tokens_per_s']} tokens/s"
        for name, v in result["per_turn"].items()
    )
    footer = (
        f"{result['turns']} turns, prompt p50 {result['prompt_tokens_p50']} tokens after a cached "
        f"{result['developer_prefix_tokens']}-token developer turn; {result['threads']} threads.\n{rows}.\n"
        f"Turn p50 token by token / fast-forward: {result['turn_p50_ratio_token_by_token_over_fast_forward']}x; "
        f"same output in {result['same_output_fast_forward_vs_token_by_token'] * 100:.1f}% of turns.\n"
        f"Model {result['model_bytes'] / 2**20:.1f} MiB, loaded in {result['load_s']} s; "
        f"peak RSS {result['peak_rss_mib']} MiB.\n"
        "Targets: turn p50 ≤ 500 ms, p95 ≤ 1 s. Published anchor, FunctionGemma 270M int8 on a phone CPU "
        "(4 threads): about 0.3 s to first token, 126 decode tokens/s."
    )
    print_bench(result, f"nano model ({result['backend']}), µs", "measure", footer, as_json)
