"""The built-in model's architecture: a small `Gemma3ForCausalLM`, FunctionGemma-270M's design at a few million parameters.

Same blocks as the 270M model (grouped-query attention with one KV head, RMSNorm, GeGLU MLP,
local sliding-window layers with a global layer after each five, tied embeddings), scaled
down so it trains on two CPU cores in minutes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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
        return ["full_attention" if (i + 1) % self.global_every == 0 else "sliding_attention" for i in range(self.num_hidden_layers)]


BUILTIN = ModelShape()
MINIATURE = ModelShape(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=2, head_dim=32, sliding_window=32,
                       global_every=2, query_pre_attn_scalar=8)


def gemma3_config(shape: ModelShape, vocab_size: int, special_ids: dict[str, int]) -> Any:
    """A `Gemma3TextConfig` of `shape` for a tokenizer of `vocab_size` ids."""
    from transformers import Gemma3TextConfig

    fields = asdict(shape)
    fields.pop("global_every")
    return Gemma3TextConfig(
        vocab_size=vocab_size, layer_types=shape.layer_types(), tie_word_embeddings=True,
        pad_token_id=special_ids["<pad>"], eos_token_id=special_ids["<eos>"], bos_token_id=special_ids["<bos>"],
        **fields,
    )
