"""A checkpoint to ONNX with its key-value cache, plus dynamic int8 quantization.

The graph takes `input_ids [1, S]` and the cache as two stacked tensors,
`past_keys` and `past_values` of shape `[layers, 1, kv_heads, P, head_dim]`, and returns
`logits [1, S, vocab]` with `present_keys` and `present_values` of length `P + S`. Every
layer keeps its whole history; sliding-window layers mask by position, so one layout serves
local and global layers. Exported with plain `torch.onnx.export(dynamo=True)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

OPSET = 18
INPUTS = ("input_ids", "past_keys", "past_values")
OUTPUTS = ("logits", "present_keys", "present_values")


def _wrapper(model: Any) -> Any:
    import torch
    from transformers.cache_utils import DynamicCache

    class WithCache(torch.nn.Module):
        """The causal LM with its cache as plain tensors, the form every runtime can feed."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, past_keys, past_values):
            cache = DynamicCache()
            for layer in range(past_keys.shape[0]):
                cache.update(past_keys[layer], past_values[layer], layer)
            out = self.model(input_ids=input_ids, past_key_values=cache, use_cache=True)
            keys = torch.stack([layer.keys for layer in out.past_key_values.layers])
            values = torch.stack([layer.values for layer in out.past_key_values.layers])
            return out.logits, keys, values

    return WithCache().eval()


def load_checkpoint(directory: Path) -> Any:
    """The eager PyTorch model of a checkpoint directory (config.json + safetensors)."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(directory, attn_implementation="sdpa", dtype="float32")
    return model.eval()


def cache_shape(config: Any, past: int) -> tuple[int, int, int, int, int]:
    return (config.num_hidden_layers, 1, config.num_key_value_heads, past, config.head_dim)


def export_onnx(model: Any, path: Path) -> Path:
    """Write `model` (eager, float32) to `path` as an ONNX graph with the cache inputs above."""
    import torch

    config = model.config
    wrapper = _wrapper(model)
    example = (
        torch.ones((1, 3), dtype=torch.long),
        torch.zeros(cache_shape(config, 4)),
        torch.zeros(cache_shape(config, 4)),
    )
    seq, past = (
        torch.export.Dim("sequence", min=1, max=config.max_position_embeddings),
        torch.export.Dim("past", min=0, max=config.max_position_embeddings),
    )
    shapes = {"input_ids": {1: seq}, "past_keys": {3: past}, "past_values": {3: past}}
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        program = torch.onnx.export(
            wrapper,
            example,
            dynamo=True,
            dynamic_shapes=shapes,
            input_names=list(INPUTS),
            output_names=list(OUTPUTS),
            opset_version=OPSET,
            optimize=True,
            verbose=False,
        )
    program.save(str(path))
    return path


def quantize_int8(source: Path, target: Path) -> Path:
    """Dynamic int8: weights of every MatMul and Gather quantized per channel where supported, activations at run time."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gather"])
    return target
