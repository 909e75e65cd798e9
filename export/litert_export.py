"""A checkpoint to LiteRT (`.tflite`) with litert-torch's Hugging Face exporter, int8 with ai-edge-quantizer.

The exporter writes one file with `prefill_<L>` and `decode` signatures, the key-value cache
as explicit inputs and outputs (`kv_cache_k_<layer>` `[1, kv_heads, cache, head_dim]`,
`kv_cache_v_<layer>` stored transposed), an additive `mask` over the cache, and `input_pos`.
Sliding-window layers keep a full-length cache; the graph applies the window from `input_pos`.

Why not `litert_torch.convert` on the plain model: it mis-compiles grouped-query attention.
On a miniature with two query heads per KV head it gave a max logit difference of 0.90
against eager (logits no larger than 0.69), against 1.3e-6 through the exporter; the parity
check is what catches it. The exporter's in-memory entry point is used, so a checkpoint needs
no Hugging Face tokenizer files (the real-size random model has none).
"""

from __future__ import annotations

import copy
import importlib.machinery
import shutil
import sys
import tempfile
import types
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any, Iterator

PREFILL_LENGTHS = (32, 128)
INT8_RECIPE = (
    "dynamic_wi8_afp32"  # int8 weights per channel, activations quantized at run time, as the ONNX and ExecuTorch int8
)


@contextmanager
def _tensorflow_schema() -> Iterator[None]:
    """Let litert-torch 0.10's exporter import without TensorFlow.

    One of its model extensions (not Gemma's) imports `tensorflow.lite.python.schema_py_generated`
    at import time; ai-edge-litert ships the same flatbuffer schema module. It is aliased only
    while the exporter is imported, and never where TensorFlow is installed.
    """
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        pass
    else:
        yield
        return
    from ai_edge_litert import schema_py_generated

    names = ("tensorflow", "tensorflow.lite", "tensorflow.lite.python")
    for name in names:
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        sys.modules[name] = module
    sys.modules["tensorflow.lite.python.schema_py_generated"] = schema_py_generated
    try:
        yield
    finally:
        for name in (*names, "tensorflow.lite.python.schema_py_generated"):
            sys.modules.pop(name, None)


def export_litert(model: Any, source: Path, target: Path, max_len: int) -> Path:
    """Write `model` (eager, float32) to `target` (`.tflite`, float32) with a `max_len` cache."""
    with _tensorflow_schema():
        from litert_torch.generative.export_hf.core import export_lib, exportable_module_config

    prefill = tuple(n for n in PREFILL_LENGTHS if n <= max_len)
    with (
        tempfile.TemporaryDirectory() as work,
        redirect_stdout(sys.stderr),
    ):  # the exporter narrates on stdout; ours is for results
        config = exportable_module_config.ExportableModuleConfig(
            model=str(source),
            output_dir=work,
            work_dir=work,
            prefill_lengths=list(prefill),
            cache_length=max_len,
            quantization_recipe="none",
            bundle_litert_lm=False,
            keep_temporary_files=True,
        )
        exported = copy.deepcopy(model)  # the exporter switches the attention implementation in place
        artifacts = export_lib.SourceModelArtifacts(
            model=exported, model_config=exported.config, text_model_config=exported.config, tokenizer=None
        )
        path = export_lib.export_text_prefill_decode_model(
            artifacts, config, export_lib.ExportedModelArtifacts()
        ).prefill_decode_model_path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
    return target


def quantize_litert(source: Path, target: Path) -> Path:
    """Dynamic int8 of a float32 `.tflite` with ai-edge-quantizer."""
    from ai_edge_quantizer import quantizer, recipe

    with redirect_stdout(sys.stderr):
        job = quantizer.Quantizer(str(source))
        job.load_quantization_recipe(getattr(recipe, INT8_RECIPE)())
        job.quantize().export_model(str(target), overwrite=True)
    return target
