"""ONNX Runtime backend: the graph `export/onnx_export.py` writes, its key-value cache passed in and out as tensors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import missing_extra


class OnnxBackend:
    """An onnxruntime session; the cache is the (keys, values) pair of stacked `[layers, 1, kv_heads, P, head_dim]` tensors."""

    def __init__(self, path: Path, threads: Optional[int] = None) -> None:
        try:
            import numpy as np
            import onnxruntime as ort
        except ImportError as exc:
            raise missing_extra("ONNX", "onnxruntime", "nano") from exc
        options = ort.SessionOptions()
        self.threads = threads or min(4, os.cpu_count() or 1)
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.np = np
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        keys = next(i for i in self.session.get_inputs() if i.name == "past_keys")
        layers, _, heads, _, width = keys.shape
        self.empty = np.zeros((layers, 1, heads, 0, width), dtype=np.float32)
        self.path = path

    def signature(self) -> dict[str, Any]:
        """Inputs and outputs as the session reports them (symbolic dimensions by name)."""

        def tensors(items: Any) -> list[dict[str, Any]]:
            return [{"name": t.name, "shape": list(t.shape), "dtype": t.type} for t in items]

        return {"inputs": tensors(self.session.get_inputs()), "outputs": tensors(self.session.get_outputs())}

    def run(self, ids: Sequence[int], cache: Any) -> tuple[Any, Any]:
        keys, values = cache if cache is not None else (self.empty, self.empty)
        feed = {"input_ids": self.np.asarray([ids], dtype=self.np.int64), "past_keys": keys, "past_values": values}
        logits, keys, values = self.session.run(None, feed)
        return logits[0, -1], (keys, values)
