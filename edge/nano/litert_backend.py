"""LiteRT backend: a `.tflite` with `prefill_<L>` and `decode` signatures (litert-torch's exporter), run by ai-edge-litert.

The cache is `(tensors, position)`: the `kv_cache_*` arrays by name and how many positions
they hold. Prefill signatures write a whole padded chunk and return no logits, so a call
prefills all but its last token and decodes that one, whose logits predict the next. Pads
land beyond the real tokens, where the mask hides them until decoding overwrites them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import NanoError, missing_extra


class LiteRtBackend:
    def __init__(self, path: Path, threads: Optional[int] = None) -> None:
        try:
            import numpy as np
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise missing_extra("LiteRT", "ai-edge-litert", "litert") from exc
        self.np = np
        self.path = path
        self.threads = threads or min(4, os.cpu_count() or 1)
        self.interpreter = Interpreter(model_path=str(path), num_threads=self.threads)
        signatures = self.interpreter.get_signature_list()
        if "decode" not in signatures:
            raise NanoError(
                "NANO_MODEL_INVALID", f"{path} has no decode signature (signatures: {', '.join(signatures)})"
            )
        self.prefill = {
            int(name.split("_", 1)[1]): self.interpreter.get_signature_runner(name)
            for name in signatures
            if name.startswith("prefill_")
        }
        self.decoder = self.interpreter.get_signature_runner("decode")
        details = self.decoder.get_input_details()
        self.capacity = int(details["mask"]["shape"][-1])
        self.kv_names = sorted(name for name in details if name.startswith("kv_cache_"))
        self.empty = {name: np.zeros(details[name]["shape"], details[name]["dtype"]) for name in self.kv_names}
        self.masked = np.finfo(np.float32).min

    def signature(self) -> dict[str, Any]:
        """Every signature's inputs and outputs (name, shape, dtype), as the interpreter reports them."""

        def tensors(details: dict) -> list[dict[str, Any]]:
            return [
                {"name": name, "shape": [int(d) for d in t["shape"]], "dtype": t["dtype"].__name__}
                for name, t in sorted(details.items())
            ]

        out = {}
        for name in self.interpreter.get_signature_list():
            runner = self.interpreter.get_signature_runner(name)
            out[name] = {"inputs": tensors(runner.get_input_details()), "outputs": tensors(runner.get_output_details())}
        return out

    def _mask(self, positions: Any) -> Any:
        np = self.np
        visible = np.arange(self.capacity)[None, :] <= positions[:, None]
        return np.where(visible, 0.0, self.masked).astype(np.float32)[None, None]

    def _chunk_length(self, remaining: int) -> Optional[int]:
        """The prefill signature for the next chunk: the shortest that takes all that remains, else the longest."""
        fitting = sorted(n for n in self.prefill if n >= remaining)
        return fitting[0] if fitting else max(self.prefill, default=None)

    def _step(self, runner: Any, tokens: Any, positions: Any, kv: dict) -> dict:
        return runner(tokens=tokens, input_pos=positions, mask=self._mask(positions), **kv)

    def run(self, ids: Sequence[int], cache: Any) -> tuple[Any, Any]:
        np = self.np
        kv, start = cache if cache is not None else (self.empty, 0)
        if start + len(ids) > self.capacity:
            raise NanoError(
                "NANO_CONTEXT_FULL", f"{start + len(ids)} tokens do not fit the model's {self.capacity}-token cache"
            )
        head, done = list(ids[:-1]), 0
        while done < len(head):
            length = self._chunk_length(len(head) - done)
            if length is None or start + length > self.capacity:  # no signature fits here: one token at a time
                out = self._step(self.decoder, np.array([[head[done]]], np.int32), np.array([start], np.int32), kv)
                kv, start, done = {k: out[k] for k in self.kv_names}, start + 1, done + 1
                continue
            chunk = head[done : done + length]
            tokens = np.zeros((1, length), np.int32)
            tokens[0, : len(chunk)] = chunk
            out = self._step(self.prefill[length], tokens, np.arange(start, start + length, dtype=np.int32), kv)
            kv, start, done = {k: out[k] for k in self.kv_names}, start + len(chunk), done + len(chunk)
        out = self._step(self.decoder, np.array([[ids[-1]]], np.int32), np.array([start], np.int32), kv)
        return out["logits"][0, -1], ({k: out[k] for k in self.kv_names}, start + 1)
