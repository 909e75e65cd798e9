"""The default nano model as a transformers checkpoint, so the export pipeline turns the real weights into every format.

Gemma 3 270M comes from its package (verified by sha256, loaded by transformers' GGUF reader)
and the shipped adapter is merged the way `nano build` merges it (`W + alpha/rank * B @ A`, the
control tokens' rows replaced): the same network the user runs, as `config.json`,
`model.safetensors` and `tokenizer.json`. Written once per adapter and reused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dmind.edge.nano import ADAPTER_DIR, ADAPTER_FILE, AdapterConfig, adapter_digest, cache_root

ATTENTION = ("q_proj", "k_proj", "v_proj", "o_proj")
MARKER = "adapter.sha256"


def merge_into(model: Any, adapter: Path) -> AdapterConfig:
    """Merge `adapter` into a transformers `Gemma3ForCausalLM`, in place."""
    import torch
    from safetensors.torch import load_file

    config = AdapterConfig.read(adapter)
    found = load_file(str(adapter / ADAPTER_FILE))
    layers = model.model.layers
    with torch.no_grad():
        for name in sorted(n for n in found if n.endswith(".lora_a")):
            _, layer, projection, _ = name.split(".")
            block = layers[int(layer)].self_attn if projection in ATTENTION else layers[int(layer)].mlp
            a, b = found[name].float(), found[name[: -len("a")] + "b"].float()
            getattr(block, projection).weight += config.scale * (b @ a)
        model.model.embed_tokens.weight[list(config.control_ids)] = found["control_rows"].float()
    return config


def gemma_checkpoint(directory: Path, adapter: Path = ADAPTER_DIR) -> Path:
    """The merged model in `directory` (kept and reused while the adapter is the same)."""
    from .train_gemma import load_base

    digest = adapter_digest(adapter)
    marker = directory / MARKER
    if marker.exists() and marker.read_text() == digest and (directory / "model.safetensors").exists():
        return directory
    model, tokenizer = load_base(cache_root() / "base")
    merge_into(model, adapter)
    save_checkpoint(model, directory)
    tokenizer.save(str(directory / "tokenizer.json"))
    marker.write_text(digest)
    return directory


def save_checkpoint(model: Any, directory: Path) -> None:
    """`config.json` and `model.safetensors` of a float model. Written directly: transformers refuses to save a model
    it loaded from GGUF (it counts as quantized), though once dequantized and merged it is plain float weights."""
    import json

    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    config = model.config.to_dict()
    config.pop("quantization_config", None)
    (directory / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    state = model.state_dict()
    if getattr(model.config, "tie_word_embeddings", False):
        state.pop("lm_head.weight", None)  # the same tensor as the embedding: stored once, tied again on load
    save_file(
        {name: tensor.detach().contiguous() for name, tensor in state.items()}, str(directory / "model.safetensors")
    )
