"""The default model as a checkpoint for the exporters: the adapter merged into transformers' model as peft merges it."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

from tests.nano.test_gemma import _adapter, tiny_gemma  # noqa: E402


def test_the_adapter_merges_into_a_transformers_model_as_peft_merges_it(tmp_path):
    from dmind.export.gemma_checkpoint import merge_into

    control_ids = [6, 7, 8, 9, 10, 11, 12]
    expected = _adapter(tiny_gemma(), tmp_path, control_ids).state_dict()
    model = tiny_gemma()
    untouched = tiny_gemma().state_dict()
    config = merge_into(model, tmp_path)
    merged = model.state_dict()
    assert config.control_ids == tuple(control_ids)
    changed = [name for name in merged if not torch.allclose(merged[name], untouched[name])]
    assert changed and all(
        n.endswith("proj.weight") or n in ("model.embed_tokens.weight", "lm_head.weight") for n in changed
    )
    for name, tensor in expected.items():
        assert torch.allclose(merged[name], tensor, atol=1e-5), name


def test_the_merged_model_is_written_as_a_checkpoint_transformers_loads_back(tmp_path):
    from dmind.export.gemma_checkpoint import save_checkpoint
    from transformers import AutoModelForCausalLM

    model = tiny_gemma()
    save_checkpoint(model, tmp_path / "ckpt")
    loaded = AutoModelForCausalLM.from_pretrained(tmp_path / "ckpt")
    ids = torch.tensor([[2, 5, 9, 14, 3]])
    with torch.no_grad():
        assert torch.allclose(model(ids).logits, loaded(ids).logits, atol=1e-5)
