"""The built-in model's architecture: a small `Gemma3ForCausalLM`, FunctionGemma-270M's design at a few million parameters.

Same blocks as the 270M model (grouped-query attention with one KV head, RMSNorm, GeGLU MLP,
local sliding-window layers with a global layer after each five, tied embeddings), scaled
down so it trains on two CPU cores in minutes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ModelShape:
    hidden_size: int = 192
    intermediate_size: int = 768
    num_hidden_layers: int = 6
    num_attention_heads: int = 4
    num_key_value_heads: int = 1
    head_dim: int = 48
    sliding_window: int = 128
    max_position_embeddings: int = 1024
    global_every: int = 6  # every sixth layer attends globally, as in Gemma 3
    # Attention logits are scaled by this to the -1/2. With QK-norm the largest logit is head_dim / sqrt(it): 12 gives
    # about 14, close to Gemma-3-270M's 16 (256-wide heads); the default (head_dim) caps small heads near 7, too flat to copy.
    query_pre_attn_scalar: int = 12

    def layer_types(self) -> list[str]:
        return [
            "full_attention" if (i + 1) % self.global_every == 0 else "sliding_attention"
            for i in range(self.num_hidden_layers)
        ]


BUILTIN = ModelShape()
# Gemma-3-270M / FunctionGemma-270M as published (its config.json), for measuring at the real scale with random weights.
FUNCTIONGEMMA_270M = ModelShape(
    hidden_size=640,
    intermediate_size=2048,
    num_hidden_layers=18,
    num_attention_heads=4,
    num_key_value_heads=1,
    head_dim=256,
    sliding_window=512,
    max_position_embeddings=32_768,
    global_every=6,
    query_pre_attn_scalar=256,
)
FUNCTIONGEMMA_270M_VOCAB = 262_144
# Published sizes `dmind-edge export --config NAME` builds with random weights: (shape, vocabulary).
SIZES: dict[str, tuple[ModelShape, int]] = {"functiongemma-270m": (FUNCTIONGEMMA_270M, FUNCTIONGEMMA_270M_VOCAB)}
GEMMA_SPECIAL_IDS = {"<pad>": 0, "<eos>": 1, "<bos>": 2}
MINIATURE = ModelShape(
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=2,
    head_dim=32,
    sliding_window=32,
    global_every=2,
    query_pre_attn_scalar=8,
)


def gemma3_config(shape: ModelShape, vocab_size: int, special_ids: dict[str, int]) -> Any:
    """A `Gemma3TextConfig` of `shape` for a tokenizer of `vocab_size` ids."""
    from transformers import Gemma3TextConfig

    fields = asdict(shape)
    fields.pop("global_every")
    return Gemma3TextConfig(
        vocab_size=vocab_size,
        layer_types=shape.layer_types(),
        tie_word_embeddings=True,
        pad_token_id=special_ids["<pad>"],
        eos_token_id=special_ids["<eos>"],
        bos_token_id=special_ids["<bos>"],
        **fields,
    )


def random_checkpoint(name: str, directory: Path, seed: int = 0) -> Path:
    """A checkpoint of the published size `name` with random weights (kept and reused when already there)."""
    import torch
    from transformers import Gemma3ForCausalLM

    shape, vocab = SIZES[name]
    config = gemma3_config(shape, vocab, GEMMA_SPECIAL_IDS)
    marker = directory / "random-weights.json"
    expected = json.dumps({"config": name, "seed": seed, "shape": asdict(shape), "vocab_size": vocab}, sort_keys=True)
    if marker.exists() and marker.read_text() == expected and (directory / "model.safetensors").exists():
        return directory
    torch.manual_seed(seed)
    model = Gemma3ForCausalLM(config)
    model.save_pretrained(directory, safe_serialization=True)
    for stray in directory.glob("generation_config.json"):
        stray.unlink()
    marker.write_text(expected)
    return directory
