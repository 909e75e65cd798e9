"""ExecuTorch backend: a `.pte` from `export/executorch_export.py`, run by the ExecuTorch runtime (XNNPACK).

The key-value cache lives inside the loaded program, so the cache handed around here is only
the number of positions it holds. Every call writes from that position on; a request that
starts again after a cached prefix overwrites what an earlier request left, and the causal
mask hides anything beyond the current position. One loaded program serves one conversation
at a time, which is how the runtime calls it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Sequence

from .errors import NanoError, missing_extra


class ExecuTorchBackend:
    def __init__(self, path: Path, threads: Optional[int] = None) -> None:
        try:
            import executorch.kernels.quantized  # noqa: F401  registers embedding_byte, used by int8 programs
            import torch
            from executorch.runtime import Runtime
        except ImportError as exc:
            raise missing_extra("ExecuTorch", "executorch", "executorch") from exc
        from executorch.extension.pybindings import portable_lib

        if threads:
            portable_lib._unsafe_reset_threadpool(
                threads
            )  # the process-wide XNNPACK pool (an experimental ExecuTorch API)
        self.threads = portable_lib._threadpool_get_thread_count()
        self.torch = torch
        self.path = path
        self.program = Runtime.get().load_program(str(path))  # a program of its own: its cache is not shared
        self.method = self.program.load_method("forward")
        self.capacity = int(self.method.metadata.input_tensor_meta(1).sizes()[0]) + 1

    def signature(self) -> dict[str, Any]:
        """The `forward` method's inputs and outputs (upper-bound shapes, dtypes), from the program's metadata."""
        meta = self.method.metadata

        def tensor(info: Any) -> dict[str, Any]:
            return {"shape": [int(d) for d in info.sizes()], "dtype": str(info.dtype()).rsplit(".", 1)[-1]}

        return {
            "forward": {
                "inputs": [
                    dict(name=n, **tensor(meta.input_tensor_meta(i)))
                    for i, n in enumerate(("input_ids", "cache_position"))
                ],
                "outputs": [dict(name="logits", **tensor(meta.output_tensor_meta(0)))],
            }
        }

    def run(self, ids: Sequence[int], cache: Any) -> tuple[Any, Any]:
        torch = self.torch
        start = cache or 0
        if start + len(ids) > self.capacity:
            raise NanoError(
                "NANO_CONTEXT_FULL", f"{start + len(ids)} tokens do not fit the model's {self.capacity}-token cache"
            )
        logits = self.method.execute(
            [torch.tensor([list(ids)], dtype=torch.long), torch.arange(start, start + len(ids), dtype=torch.long)]
        )[0]
        return logits[0, -1].numpy(), start + len(ids)
