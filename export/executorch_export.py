"""A checkpoint to ExecuTorch (`.pte`) through transformers' exportable module, lowered to XNNPACK; int8 with torchao.

`TorchExportableModuleForDecoderOnlyLM` gives Gemma 3 a hybrid static cache held inside the
program as mutable buffers (sliding-window layers keep a full-length cache and mask by
position). One method takes `input_ids [1, S]` and `cache_position [S]` for any S, so it
prefills and decodes; each call starts writing at `cache_position[0]`, which lets a runtime
keep a prompt prefix once and start every request after it. Only the last position's logits
are returned: the stock module plans `[1, max_len, vocab]`, about 1 GiB at the real
262,144-token vocabulary.

int8 follows what lowers to XNNPACK with torchao 0.18: `Int8DynamicActivationIntxWeightConfig`
(8-bit dynamic activations, 8-bit per-channel weights) on every linear layer, and 8-bit
weight-only embeddings, fused into ExecuTorch's `embedding_byte` kernel.
(`Int8DynamicActivationInt8WeightConfig` exports `aten._int_mm`, which is not in the Core ATen
opset ExecuTorch lowers.)
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any


def _last_logits_module(model: Any, max_len: int) -> Any:
    from transformers.integrations.executorch import TorchExportableModuleWithHybridCache

    class LastLogits(TorchExportableModuleWithHybridCache):
        """transformers' hybrid-cache module, returning the last position's logits only."""

        def forward(self, input_ids=None, inputs_embeds=None, cache_position=None):
            for layer in self.cache.layers:
                layer.cumulative_length.copy_(cache_position[0])
            return self.model(
                input_ids=input_ids,
                inputs_embeds=inputs_embeds,
                attention_mask=None,
                cache=self.cache,
                use_cache=True,
                logits_to_keep=1,
            ).logits

    return LastLogits(model, batch_size=1, max_cache_len=max_len)


def _quantize_int8(model: Any) -> None:
    import torch
    from torchao.quantization import Int8DynamicActivationIntxWeightConfig, IntxWeightOnlyConfig, quantize_
    from torchao.quantization.granularity import PerAxis

    # padding_idx only shapes gradients; with it set, ExecuTorch's embedding_byte fusion does not match the graph.
    model.model.embed_tokens.padding_idx = None
    quantize_(
        model,
        IntxWeightOnlyConfig(weight_dtype=torch.int8, granularity=PerAxis(0)),
        filter_fn=lambda module, _name: isinstance(module, torch.nn.Embedding),
    )
    quantize_(model, Int8DynamicActivationIntxWeightConfig(weight_dtype=torch.int8, weight_granularity=PerAxis(0)))


def export_executorch(model: Any, target: Path, max_len: int, int8: bool = False) -> Path:
    """Write `model` (eager, float32) to `target` as a `.pte` lowered to XNNPACK, with a `max_len` cache."""
    import torch
    from executorch.backends.xnnpack.partition.xnnpack_partitioner import XnnpackPartitioner
    from executorch.exir import ExecutorchBackendConfig, to_edge_transform_and_lower
    from transformers.integrations.executorch import TorchExportableModuleForDecoderOnlyLM

    exported = copy.deepcopy(model)
    if int8:
        _quantize_int8(exported)
    wrapper = TorchExportableModuleForDecoderOnlyLM(exported, batch_size=1, max_cache_len=max_len)
    wrapper.model = _last_logits_module(exported, max_len)
    sequence = torch.export.Dim("sequence", min=1, max=max_len - 1)
    with torch.no_grad():
        program = wrapper.export(
            input_ids=torch.zeros(1, 8, dtype=torch.long),
            cache_position=torch.arange(8, dtype=torch.long),
            dynamic_shapes={"input_ids": {1: sequence}, "cache_position": {0: sequence}},
            strict=True,
        )
    lowered = to_edge_transform_and_lower(program, partitioner=[XnnpackPartitioner()])
    executable = lowered.to_executorch(ExecutorchBackendConfig(do_quant_fusion_and_const_prop=int8))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(executable.buffer)
    return target
