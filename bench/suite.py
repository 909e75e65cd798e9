"""The whole-stack benchmark: five tables, each stage sized by `--quick` or the full run, recorded with its machine.

Stages: signing-path latency, structured behaviour per runtime, ablations, the sanitization
audit, and the runtime table. Runtime artifacts are the default model's int8 ONNX file (Gemma 3
270M with the shipped adapter, as `nano build` makes it) plus every artifact of an export
directory; the full run exports the same model (its merged checkpoint) once into a cache
directory (reused while its manifests name the same checkpoint) so that every format is there.
`model="miniature"` measures the 3.6M-parameter miniature instead, in seconds.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable, Optional

from dmind.edge.nano import MINIATURE_DIR

from .runtimes import Artifact

PACKAGES = (
    "dmind-edge",
    "onnxruntime",
    "llguidance",
    "tokenizers",
    "numpy",
    "torch",
    "transformers",
    "ai-edge-litert",
    "executorch",
    "litert-torch",
    "torchao",
    "cbor2",
    "cryptography",
    "aiohttp",
    "httpx",
)
DEFAULT_EXPORTS = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dmind-edge" / "exports"
REAL_SIZE_RESULTS = Path(__file__).resolve().parent / "results" / "dmind-nano-270m.json"
Progress = Callable[[str, int, Optional[int]], None]


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much of each stage a run measures."""

    path_iterations: int
    conversations: int
    ablation_cases: int
    audit_requests: int
    prompt_tokens: int
    decode_tokens: int


QUICK = Sizes(
    path_iterations=15, conversations=6, ablation_cases=110, audit_requests=1000, prompt_tokens=128, decode_tokens=16
)
FULL = Sizes(
    path_iterations=100,
    conversations=60,
    ablation_cases=440,
    audit_requests=25_000,
    prompt_tokens=256,
    decode_tokens=64,
)


def machine() -> dict:
    """Machine, Python, package versions and the git commit, recorded with every result."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
                cwd=Path(__file__).resolve().parent,
            ).stdout.strip()
            or "unknown"
        )
    except OSError:
        commit = "unknown"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "cpus": os.cpu_count(),
        "packages": versions,
        "git_commit": commit,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


MODELS = ("builtin", "miniature")


def shipped_artifacts(model: str = "builtin") -> list[Artifact]:
    """What every install runs: the default model's int8 ONNX file (built on first use), or the miniature's."""
    if model == "miniature":
        return [Artifact("miniature", "int8", "onnx", MINIATURE_DIR / "model.int8.onnx", "shipped")]
    from dmind.edge.nano import build_model
    from dmind.edge.nano.gemma.build import MODEL_FILE

    return [Artifact("builtin", "int8", "onnx", build_model().directory / MODEL_FILE, "nano build")]


def export_source(model: str, directory: Path) -> Path:
    """The checkpoint the exports are made from: the default model merged (written once under `directory`)."""
    if model == "miniature":
        return MINIATURE_DIR
    from dmind.export.gemma_checkpoint import gemma_checkpoint

    return gemma_checkpoint(directory / "source")


def exported_artifacts(directory: Path, model: str = "builtin") -> list[Artifact]:
    """Every artifact an export directory holds, by its manifest."""
    from dmind.export.manifest import read_manifest

    found = []
    for manifest_path in sorted(directory.glob("*/manifest.json")):
        manifest = read_manifest(manifest_path.parent)
        quant = "fp32" if manifest["quantization"]["name"] == "none" else manifest["quantization"]["name"]
        found.append(Artifact(model, quant, manifest["format"], manifest_path.parent / manifest["file"]))
    return found


def ensure_exports(directory: Path, progress: Progress, model: str = "builtin") -> tuple[list[Artifact], Optional[str]]:
    """The model exported to every format whose toolchain is installed (reused when current); and why not, if not."""
    from dmind.export.manifest import checkpoint_hash, read_manifest
    from dmind.export.pipeline import FORMATS, QUANTIZATIONS, ExportError, check_toolchains, export

    available = []
    for name in FORMATS:
        try:
            check_toolchains([name])
            available.append(name)
        except ExportError:
            continue
    if not available:
        return [], "no export toolchain is installed (pip install 'dmind-edge[export]')"
    source = export_source(model, directory)
    target = directory / checkpoint_hash(source)[:12]
    present = {
        (m["format"], m["quantization"]["name"])
        for m in map(read_manifest, (p.parent for p in target.glob("*/manifest.json")))
    }
    if not {(f, q) for f in available for q in QUANTIZATIONS} <= present:
        export(source, target, available, eval_conversations=0, progress=progress)
    return exported_artifacts(target, model), None


def run_suite(
    sizes: Sizes,
    repetitions: int = 1,
    exports: Optional[Path] = None,
    export_now: bool = False,
    progress: Progress = lambda stage, done, total: None,
    model: str = "builtin",
) -> dict:
    """Every stage; each returns its own section of the result (`model`: one of `MODELS`)."""
    from dmind.cloud_client.audit import run_audit
    from dmind.policies import default_policy

    from .ablations import run_ablations
    from .paths import run_paths
    from .runtimes import run_runtime
    from .structured import run_structured

    started = time.perf_counter()
    result: dict = {"machine": machine(), "sizes": asdict(sizes), "repetitions": repetitions, "model": model}
    artifacts, note = shipped_artifacts(model), None  # what the user runs, then every exported file beside it
    if exports is not None and exports.exists() and any(exports.glob("*/manifest.json")):
        artifacts += exported_artifacts(exports, model)
    elif export_now:
        exported, note = ensure_exports(exports or DEFAULT_EXPORTS, progress, model)
        artifacts += exported
    else:
        note = "only the shipped ONNX int8 model: the full run (without --quick) exports the other formats"
    result["artifacts"] = [{"label": a.label, "path": str(a.path)} for a in artifacts]
    result["artifacts_note"] = note

    stage = "signing paths"
    result["paths"] = run_paths(sizes.path_iterations * repetitions, progress=lambda d, t: progress(stage, d, t))
    stage = "structured behaviour"
    result["structured"] = run_structured(artifacts, sizes.conversations, progress=lambda d, t: progress(stage, d, t))
    stage = "ablations"
    result["ablations"] = run_ablations(sizes.ablation_cases, progress=lambda d, t: progress(stage, d, t))
    stage = "sanitization audit"
    result["audit"] = run_audit(
        sizes.audit_requests, default_policy(), progress=lambda d: progress(stage, d, sizes.audit_requests)
    )
    progress(stage, sizes.audit_requests, sizes.audit_requests)
    rows = []
    for n, artifact in enumerate(artifacts, 1):
        rows.append(
            run_runtime(
                artifact, prompt_tokens=sizes.prompt_tokens, decode_tokens=sizes.decode_tokens, repetitions=repetitions
            )
        )
        progress("runtimes", n, len(artifacts))
    result["runtimes"] = {"rows": rows}
    if REAL_SIZE_RESULTS.exists():
        result["runtimes"]["real_size"] = json.loads(REAL_SIZE_RESULTS.read_text())
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result
