"""Real-size figures: FunctionGemma-270M's published configuration, random weights, exported and measured here.

    python -m dmind.bench.real_size --work DIR [--formats onnx,litert,executorch]

Each format is exported by `dmind-edge export --config functiongemma-270m` in a process of its
own, so its export time and peak memory are its own; then every artifact gets a runtime row
(time to first token for a 256-token prompt, decode tokens/s, peak RSS). The results go to
`bench/results/functiongemma-270m.json`, which `dmind-edge bench` prints beside its own rows.
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

CONFIG = "functiongemma-270m"


def export_format(work: Path, fmt: str) -> dict:
    """One format's export as a child process: wall time, exit status and the child's own peak RSS."""
    started = time.perf_counter()
    with (work / f"export-{fmt}.log").open("w") as log:
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dmind.edge",
                "export",
                "--config",
                CONFIG,
                "--out",
                str(work / "exports"),
                "--formats",
                fmt,
                "--eval",
                "0",
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
    parser.add_argument("--out", type=Path, default=REAL_SIZE_RESULTS)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="Keep the artifacts in WORK and the recorded export figures; measure the runtimes again.",
    )
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    exports = json.loads(args.out.read_text())["exports"] if args.measure_only else []
    for fmt in [] if args.measure_only else args.formats.split(","):
        print(f"exporting {fmt} …", file=sys.stderr, flush=True)
        exports.append(export_format(args.work, fmt))
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
                Artifact(CONFIG, quant, manifest["format"], manifest_path.parent / manifest["file"]),
                prompt_tokens=256,
                decode_tokens=32,
                repetitions=2,
                timeout=1800,
            )
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "config": CONFIG,
                "weights": "random (seed 0)",
                "machine": machine(),
                "exports": exports,
                "artifacts": manifests,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}", file=sys.stderr)
    return 0 if all(e["exit_status"] == 0 for e in exports) else 1


if __name__ == "__main__":
    sys.exit(main())
