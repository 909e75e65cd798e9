"""`dmind-edge bench nano`: time to first token, per-token latency and memory of the nano model.

It samples the data generator's test split (`dmind.export.data`). Every assistant turn of a
sample of the test split is generated twice in the same run: under
the grammar, and free (the baseline, so the grammar's cost reads as a ratio).
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


def run_nano_bench(
    conversations: int = 40, model_dir: Optional[Path] = None, backend: str = "onnx", threads: Optional[int] = None
) -> dict:
    sample = generate(conversations, split="test", seed=1)
    started = time.perf_counter()
    models = {"grammar": NanoModel.load(model_dir, backend=backend, threads=threads)}
    load_s = time.perf_counter() - started
    models["free"] = NanoModel.load(model_dir, backend=backend, threads=threads, constrained=False)
    first: dict[str, list[float]] = {name: [] for name in models}
    per_token: dict[str, list[float]] = {name: [] for name in models}
    tokens = {name: 0 for name in models}
    decode_s = {name: 0.0 for name in models}
    prompt_tokens = []
    for turn in turns(sample):
        for name, model in models.items():
            generation = model.generate(turn.history)
            first[name].append(generation.first_token_s * 1e6)
            per_token[name].extend(s * 1e6 for s in generation.token_s)
            tokens[name] += len(generation.token_s)
            decode_s[name] += sum(generation.token_s)
            if name == "grammar":
                prompt_tokens.append(generation.prompt_tokens)
    model_file = models["grammar"].backend.path
    return {
        "model": str(model_file),
        "model_bytes": model_file.stat().st_size,
        "backend": backend,
        "turns": len(prompt_tokens),
        "prompt_tokens_p50": sorted(prompt_tokens)[len(prompt_tokens) // 2],
        "developer_prefix_tokens": len(models["grammar"].prefix),
        "load_s": round(load_s, 3),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "decode_tokens_per_s": {name: round(tokens[name] / decode_s[name], 1) for name in models if decode_s[name]},
        "latency_us": {
            "time to first token, grammar": percentiles(first["grammar"]),
            "per token, grammar": percentiles(per_token["grammar"]),
        },
        "baseline_us": {
            "time to first token, free": percentiles(first["free"]),
            "per token, free": percentiles(per_token["free"]),
        },
    }


def command(
    conversations: int = typer.Option(40, "-n", "--conversations", help="Test-split conversations to generate for."),
    model: Optional[Path] = typer.Option(None, "--model", help="Model directory (default: the built-in model)."),
    backend: str = typer.Option("onnx", "--backend"),
    threads: Optional[int] = typer.Option(None, "--threads", help="Runtime threads (default: up to 4)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """The nano model: time to first token and per-token latency (grammar vs free), tokens/s, peak RSS."""
    result = run_nano_bench(conversations, model, backend, threads)
    footer = (
        f"{result['turns']} turns, prompt p50 {result['prompt_tokens_p50']} tokens "
        f"after a cached {result['developer_prefix_tokens']}-token "
        f"developer turn; decode {result['decode_tokens_per_s']} tokens/s; model {result['model_bytes'] / 2**20:.1f} "
        "MiB, "
        f"loaded in {result['load_s']} s; peak RSS {result['peak_rss_mib']} MiB.\n"
        "Published anchor, FunctionGemma 270M int8 on a phone CPU (4 threads): about 0.3 s to first token, 126 decode "
        "tokens/s."
    )
    print_bench(result, f"nano model ({result['backend']}), µs", "measure", footer, as_json)
