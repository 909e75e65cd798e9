"""The runtime table, in the style of `llama-bench`: prefill and decode speed, time to first token, peak memory.

Each artifact is measured in a process of its own (`python -m dmind.bench.runtimes`), so its
peak RSS is its own. Prompts are fixed random ids: speed does not depend on what they say.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Optional

from .toolkit import percentiles


@dataclass(frozen=True, slots=True)
class Artifact:
    """One model file a backend serves, as the tables name it."""

    model: str
    quantization: str
    backend: str
    path: Path
    origin: str = ""  # what made the file where the exporter did not ("nano build", "shipped")

    @property
    def label(self) -> str:
        return f"{self.backend} {self.quantization}" + (f" ({self.origin})" if self.origin else "")


def measure(
    path: Path, backend: str, threads: Optional[int], prompt_tokens: int, decode_tokens: int, repetitions: int
) -> dict:
    """Time one artifact in this process: load, then `repetitions` prefills of `prompt_tokens` and decodes of `decode_tokens`."""
    import numpy as np
    from dmind.edge.nano import open_backend

    started = time.perf_counter()
    runner = open_backend(backend, path, threads)
    load_s = time.perf_counter() - started
    capacity = getattr(runner, "capacity", None)
    if capacity is not None:
        prompt_tokens = min(prompt_tokens, capacity - decode_tokens - 1)
    vocab = None
    first, steps = [], []
    rng = Random(0)
    for repetition in range(repetitions + 1):  # the first pass warms up and is not counted
        t0 = time.perf_counter()
        logits, cache = runner.run([rng.randrange(3, 256) for _ in range(prompt_tokens)], None)
        token = int(np.argmax(logits))
        t1 = time.perf_counter()
        vocab = len(logits)
        times = []
        for _ in range(decode_tokens):
            t = time.perf_counter()
            logits, cache = runner.run([token], cache)
            token = int(np.argmax(logits))
            times.append(time.perf_counter() - t)
        if repetition:
            first.append((t1 - t0) * 1e6)
            steps.extend(s * 1e6 for s in times)
    ttft = percentiles(first)
    per_token = percentiles(steps)
    return {
        "bytes": path.stat().st_size,
        "threads": runner.threads,
        "prompt_tokens": prompt_tokens,
        "decode_tokens": decode_tokens,
        "repetitions": repetitions,
        "vocab": vocab,
        "load_s": round(load_s, 3),
        "ttft_us": ttft,
        "per_token_us": per_token,
        "prefill_tokens_per_s": round(prompt_tokens / (ttft["p50"] / 1e6), 1),
        "decode_tokens_per_s": round(1e6 / per_token["mean"], 1),
        "peak_rss_mib": round(peak_rss_kib() / 1024, 1),
    }


def peak_rss_kib() -> int:
    """This process's own peak RSS. Linux keeps `ru_maxrss` across exec, so a child would report its parent's peak
    when that was higher; VmHWM belongs to the process's own memory map."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run_runtime(
    artifact: Artifact,
    threads: Optional[int] = None,
    prompt_tokens: int = 256,
    decode_tokens: int = 32,
    repetitions: int = 3,
    timeout: float = 900,
) -> dict:
    """`measure` in a fresh process; a failure is reported in the row, not raised."""
    args = [
        sys.executable,
        "-m",
        "dmind.bench.runtimes",
        str(artifact.path),
        artifact.backend,
        str(threads or 0),
        str(prompt_tokens),
        str(decode_tokens),
        str(repetitions),
    ]
    model = artifact.model + (f" ({artifact.origin})" if artifact.origin else "")
    row = {"model": model, "quantization": artifact.quantization, "backend": artifact.backend}
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {**row, "error": f"no result within {timeout:.0f} s"}
    if done.returncode != 0:
        return {**row, "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return {**row, **json.loads(done.stdout.splitlines()[-1])}


def main(argv: list[str]) -> None:
    path, backend, threads, prompt_tokens, decode_tokens, repetitions = argv
    result = measure(
        Path(path), backend, int(threads) or None, int(prompt_tokens), int(decode_tokens), int(repetitions)
    )
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
