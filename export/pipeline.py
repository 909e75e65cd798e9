"""`dmind-edge export`: one checkpoint to ONNX, LiteRT and ExecuTorch, float32 and int8, each proven against eager.

Every artifact gets its own directory, `OUT/<format>-<quantization>/`, with the model file,
the tokenizer (when the checkpoint has ours) and `manifest.json`. Each is checked by
`parity.compare` against the eager model through the same backend `dmind-edge nano --backend`
uses; a float32 artifact whose greedy decoding differs from eager fails the export. Where the
checkpoint has our tokenizer, the four intent metrics are measured on the test split too.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from dmind.edge import DmindError

from .manifest import check_files, checkpoint_hash, read_manifest, tool_versions, write_manifest
from .onnx_export import OPSET
from .parity import Reference, compare, eager_reference, parity_prompts

QUANTIZATIONS = ("none", "int8")
EVAL_CONVERSATIONS = 40
Progress = Callable[[str, int, Optional[int]], None]  # (stage, done, total)


class ExportError(DmindError):
    """An export that cannot run or did not prove itself, with a stable code."""


# Builders: (eager model, checkpoint directory, target file, max length, int8, float32 file to quantize or None) -> target.
def _onnx(model: Any, source: Path, target: Path, max_len: int, int8: bool, fp32: Optional[Path]) -> Path:
    from .onnx_export import export_onnx, quantize_int8

    return quantize_int8(fp32, target) if int8 else export_onnx(model, target)


def _litert(model: Any, source: Path, target: Path, max_len: int, int8: bool, fp32: Optional[Path]) -> Path:
    from .litert_export import export_litert, quantize_litert

    return quantize_litert(fp32, target) if int8 else export_litert(model, source, target, max_len)


def _executorch(model: Any, source: Path, target: Path, max_len: int, int8: bool, fp32: Optional[Path]) -> Path:
    from .executorch_export import export_executorch

    return export_executorch(model, target, max_len, int8=int8)


@dataclass(frozen=True, slots=True)
class Format:
    """One export target: its toolchain, file names, what its int8 is and how its cache is laid out."""

    name: str
    needs: tuple[str, ...]  # modules the toolchain imports, checked before anything runs
    extra: str
    runtime: str
    tools: tuple[str, ...]
    int8: str
    kv_cache: str
    build: Callable[..., Path]
    int8_from_fp32: bool  # int8 is made from the float32 file (else from the eager model)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "onnx",
            ("onnx", "onnxscript", "onnxruntime"),
            "export",
            "onnxruntime",
            ("torch", "transformers", "onnx", "onnxscript", "onnxruntime"),
            "onnxruntime.quantization dynamic int8: MatMul and Gather weights int8, activations quantized at run time",
            "past_keys / past_values in, present_keys / present_values out: [layers, 1, kv_heads, P, head_dim], "
            "growing by the "
            "tokens of each call; every layer keeps its whole history and sliding-window layers mask by position",
            _onnx,
            True,
        ),
        Format(
            "litert",
            ("litert_torch", "ai_edge_litert", "ai_edge_quantizer"),
            "export",
            "ai-edge-litert",
            ("torch", "transformers", "litert-torch", "ai-edge-litert", "ai-edge-quantizer"),
            "ai-edge-quantizer dynamic_wi8_afp32: int8 weights per channel, activations quantized at run time",
            "kv_cache_k_<layer> [1, kv_heads, max_len, head_dim] and kv_cache_v_<layer> (transposed) in and out of "
            "every "
            "signature, written at input_pos; an additive mask [1, 1, T, max_len] hides unwritten slots; sliding "
            "window "
            "applied in the graph",
            _litert,
            True,
        ),
        Format(
            "executorch",
            ("executorch", "torchao"),
            "export",
            "executorch",
            ("torch", "transformers", "executorch", "torchao"),
            "torchao Int8DynamicActivationIntxWeightConfig (8-bit dynamic activations, 8-bit per-channel weights) on "
            "linear "
            "layers, IntxWeightOnlyConfig int8 per-row embeddings; lowered to XNNPACK",
            "static hybrid cache inside the program (mutable buffers, [1, kv_heads, max_len, head_dim] per layer); "
            "each call "
            "writes from cache_position[0]; sliding-window layers keep max_len and mask by position",
            _executorch,
            False,
        ),
    )
}


def artifact_file(backend: str, int8: bool) -> str:
    """The file name an artifact is written under: the one the runtime backend looks for (int8 first, then float32)."""
    from dmind.edge.nano import BACKENDS

    int8_name, fp32_name = BACKENDS[backend].files
    return int8_name if int8 else fp32_name


def check_toolchains(formats: Sequence[str]) -> None:
    """Refuse up front, naming the extra, when a format's toolchain is not installed."""
    for name in formats:
        if name not in FORMATS:
            raise ExportError("EXPORT_FORMAT_UNKNOWN", f"no format {name!r}; the formats are {', '.join(FORMATS)}")
        missing = [m for m in FORMATS[name].needs if find_spec(m) is None]
        if missing:
            raise ExportError(
                "EXPORT_EXTRA_MISSING",
                f"the {name} export needs {', '.join(missing)}: pip install 'dmind-edge[{FORMATS[name].extra}]'",
            )


def _intent_metrics(directory: Path, backend: str, conversations: list[dict]) -> dict:
    from dmind.edge.nano import NanoModel, predict, report

    model = NanoModel.load(directory, backend=backend)
    return report(conversations, predict(model, conversations))


def _artifact(
    fmt: Format,
    quant: str,
    model: Any,
    source: Path,
    out: Path,
    max_len: int,
    fp32_file: Optional[Path],
    references: list[Reference],
    conversations: list[dict],
    progress: Progress,
) -> tuple[dict, Path]:
    from dmind.edge.nano import open_backend

    label = f"{fmt.name} {'fp32' if quant == 'none' else quant}"
    directory = out / f"{fmt.name}-{'fp32' if quant == 'none' else quant}"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    progress(f"export {label}", 0, 1)
    started = time.perf_counter()
    target = directory / artifact_file(fmt.name, quant == "int8")
    fmt.build(model, source, target, max_len, quant == "int8", fp32_file)
    export_s = time.perf_counter() - started
    progress(f"export {label}", 1, 1)
    if (source / "tokenizer.json").exists():
        shutil.copy2(source / "tokenizer.json", directory / "tokenizer.json")
    backend = open_backend(fmt.name, target)
    progress(f"parity {label}", 0, len(references))
    measured = compare(backend, references, lambda n: progress(f"parity {label}", n, len(references)))
    parity = {
        **measured.as_dict(),
        "passed": measured.float32_ok if quant == "none" else None,
    }  # int8 is measured, not held to it
    if conversations:
        progress(f"intent metrics {label}", 0, None)
        parity["intent_metrics"] = _intent_metrics(directory, fmt.name, conversations)
        progress(f"intent metrics {label}", 1, 1)
    manifest = write_manifest(
        directory,
        {
            "format": fmt.name,
            "file": target.name,
            "quantization": {"name": quant, "scheme": "float32" if quant == "none" else fmt.int8},
            "runtime": {
                "name": fmt.runtime,
                "version": tool_versions([fmt.runtime]).get(fmt.runtime),
                **({"opset": OPSET} if fmt.name == "onnx" else {}),
            },
            "signature": backend.signature(),
            "kv_cache": fmt.kv_cache,
            "max_len": max_len,
            "source": {"path": str(source.resolve()), "checkpoint_sha256": checkpoint_hash(source)},
            "tools": tool_versions(fmt.tools),
            "export_seconds": round(export_s, 1),
            "parity": parity,
        },
    )
    return manifest, target


def export(
    source: Path,
    out: Path,
    formats: Sequence[str] = tuple(FORMATS),
    quantizations: Sequence[str] = QUANTIZATIONS,
    max_len: Optional[int] = None,
    eval_conversations: int = EVAL_CONVERSATIONS,
    progress: Progress = lambda stage, done, total: None,
) -> list[dict]:
    """Export the checkpoint in `source` to every format and quantization asked for; returns the manifests.

    Raises `ExportError("EXPORT_PARITY_FAILED")` once every artifact is written when a float32
    artifact's greedy decoding differs from eager or its logits drift past its tolerance (`parity.Parity.tolerance`).
    """
    from .onnx_export import load_checkpoint

    check_toolchains(formats)
    unknown = [q for q in quantizations if q not in QUANTIZATIONS]
    if unknown or not quantizations:
        raise ExportError(
            "EXPORT_QUANT_UNKNOWN",
            f"quantizations are {', '.join(QUANTIZATIONS)}, not {', '.join(unknown) or 'none given'}",
        )
    progress("load checkpoint", 0, 1)
    model = load_checkpoint(source)
    progress("load checkpoint", 1, 1)
    max_len = max_len or min(model.config.max_position_embeddings, 1024)
    prompts = [p for p in parity_prompts(source, model.config) if len(p) + 24 < max_len]
    if not prompts:
        raise ExportError(
            "EXPORT_MAX_LEN_TOO_SMALL",
            f"max length {max_len} leaves no room for a parity prompt past the sliding window",
        )
    progress("eager reference", 0, len(prompts))
    references = eager_reference(model, prompts)
    progress("eager reference", len(prompts), len(prompts))
    conversations = []
    if (source / "tokenizer.json").exists() and eval_conversations:
        from .data.generate import generate

        conversations = generate(eval_conversations, split="test", seed=1)
    out.mkdir(parents=True, exist_ok=True)
    manifests = []
    with tempfile.TemporaryDirectory() as work:
        for name in formats:
            fmt = FORMATS[name]
            fp32_file = None
            if (
                "none" not in quantizations and fmt.int8_from_fp32
            ):  # float32 only as the base of int8: built aside, not shipped
                fp32_file = fmt.build(model, source, Path(work) / artifact_file(name, False), max_len, False, None)
            for quant in (q for q in QUANTIZATIONS if q in quantizations):
                manifest, target = _artifact(
                    fmt, quant, model, source, out, max_len, fp32_file, references, conversations, progress
                )
                fp32_file = target if quant == "none" else fp32_file
                manifests.append(manifest)
    failed = [f"{m['format']} fp32" for m in manifests if m["parity"]["passed"] is False]
    if failed:
        raise ExportError(
            "EXPORT_PARITY_FAILED", f"{', '.join(failed)} do not match the eager model (see parity in manifest.json)"
        )
    return manifests


def verify(out: Path, progress: Progress = lambda stage, done, total: None) -> list[dict]:
    """Check every artifact under `out` again: its files against its manifest, its source's hash, and parity now.

    Returns one row per artifact: `{"directory", "files_ok", "source_ok", "parity"}`.
    """
    from dmind.edge.nano import open_backend

    from .onnx_export import load_checkpoint

    rows, references_by_source = [], {}
    directories = sorted(p.parent for p in out.glob("*/manifest.json"))
    if not directories:
        raise ExportError("EXPORT_NOTHING_TO_VERIFY", f"{out} holds no <format>-<quantization>/manifest.json")
    for directory in directories:
        manifest = read_manifest(directory)
        source = Path(manifest["source"]["path"])
        row = {
            "directory": directory.name,
            "files_ok": not check_files(directory, manifest),
            "source_ok": source.exists() and checkpoint_hash(source) == manifest["source"]["checkpoint_sha256"],
            "parity": None,
        }
        if row["files_ok"] and row["source_ok"]:
            check_toolchains([manifest["format"]])
            if source not in references_by_source:
                model = load_checkpoint(source)
                prompts = [p for p in parity_prompts(source, model.config) if len(p) + 24 < manifest["max_len"]]
                references_by_source[source] = eager_reference(model, prompts)
            references = references_by_source[source]
            backend = open_backend(manifest["format"], directory / manifest["file"])
            progress(f"parity {directory.name}", 0, len(references))
            measured = compare(backend, references, lambda n: progress(f"parity {directory.name}", n, len(references)))
            row["parity"] = {
                **measured.as_dict(),
                "passed": measured.float32_ok if manifest["quantization"]["name"] == "none" else None,
            }
        rows.append(row)
    return rows
