"""The shipped adapter: LoRA matrices for every projection of every layer, and the control tokens' embedding rows.

Tensors are named `layers.{i}.{projection}.lora_a` (`[rank, in]`) and `.lora_b` (`[out, rank]`);
a merged weight is `W + (alpha / rank) * B @ A` (in transformers' `[out, in]` layout).
`control_rows` (`[7, 640]`) replaces the embedding rows of the control tokens' ids, in the
order of `control_tokens`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ADAPTER_FILE = "adapter.safetensors"
CONFIG_FILE = "adapter.json"
# transformers' projection names, in the order of a layer
PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
_PEFT_NAME = re.compile(r"layers\.(\d+)\.(?:self_attn|mlp)\.(\w+_proj)\.lora_([AB])\.")


@dataclass(frozen=True, slots=True)
class AdapterConfig:
    rank: int
    alpha: int
    control_tokens: tuple[str, ...]
    control_ids: tuple[int, ...]

    @classmethod
    def read(cls, directory: Path) -> "AdapterConfig":
        """The config in `directory`'s `adapter.json` (lists read back as the tuples the fields are)."""
        fields = json.loads((directory / CONFIG_FILE).read_text())
        return cls(int(fields["rank"]), int(fields["alpha"]), tuple(fields["control_tokens"]),
                   tuple(int(i) for i in fields["control_ids"]))  # fmt: skip

    @property
    def scale(self) -> float:
        return self.alpha / self.rank

    @staticmethod
    def tensor_name(peft_name: str) -> str:
        """`layers.3.q_proj.lora_a` for peft's `base_model.model.model.layers.3.self_attn.q_proj.lora_A.default.weight`."""
        match = _PEFT_NAME.search(peft_name)
        if match is None:
            raise ValueError(f"not a LoRA tensor of a projection: {peft_name}")
        layer, projection, side = match.groups()
        return f"layers.{layer}.{projection}.lora_{side.lower()}"
