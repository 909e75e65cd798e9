"""The whole model pipeline in miniature: data -> tokenizer -> model -> ONNX -> runtime, so it cannot rot."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

from dmind.edge.nano.runtime import NanoModel  # noqa: E402
from dmind.edge.nano.tokens import encode  # noqa: E402
from dmind.export.build import build  # noqa: E402
from dmind.export.card import sha256  # noqa: E402
from dmind.export.data.generate import generate  # noqa: E402
from dmind.export.model import MINIATURE  # noqa: E402
from dmind.export.onnx_export import load_checkpoint  # noqa: E402
from dmind.export.train import TrainConfig, train  # noqa: E402

CONFIG = TrainConfig(
    conversations=400, test_conversations=12, vocab_size=700, steps=40, batch_size=16, warmup_steps=5, shape=MINIATURE
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("mini")
    stages = []
    card = build(out, CONFIG, keep_fp32=True, on_stage=stages.append)
    return out, card, stages


def test_pipeline_writes_a_complete_model_directory(built):
    out, card, stages = built
    assert stages == ["training", "exporting to ONNX", "evaluating on the test split"]
    for name in (
        "model.int8.onnx",
        "model.onnx",
        "model.safetensors",
        "config.json",
        "tokenizer.json",
        "card.json",
        "MODEL_CARD.md",
    ):
        assert (out / name).exists(), name
    for name, info in json.loads((out / "card.json").read_text())["files"].items():
        assert sha256(out / name) == info["sha256"]
    assert (
        card["training"]["final_loss"] < card["training"]["loss_every_50"][0]
        or len(card["training"]["loss_every_50"]) == 1
    )
    assert (
        card["metrics_int8_constrained_test_split"]["all"]["protocol_adherence"] == 1.0
    )  # by construction of the grammar


def test_onnx_fp32_agrees_with_eager_past_the_sliding_window(built):
    out, _, _ = built
    eager = load_checkpoint(out)
    onnx = NanoModel.load(out / "model.onnx", constrained=False)
    conversation = generate(1, split="test", seed=5)[0]["messages"]
    ids, _ = encode(onnx.tokenizer, conversation)
    assert len(ids) > 3 * MINIATURE.sliding_window
    with torch.no_grad():
        expected = eager(torch.tensor([ids])).logits[0, -1].numpy()
    logits, cache = onnx.backend.run(ids[:-7], None)
    for token in ids[-7:]:
        logits, cache = onnx.backend.run([token], cache)
    assert abs(logits - expected).max() < 1e-3
    assert int(logits.argmax()) == int(expected.argmax())


def test_int8_model_runs_under_the_grammar(built):
    out, _, _ = built
    model = NanoModel.load(out)
    generation = model.generate(
        [{"role": "user", "content": "swap 2 SOL for 0x6982508145454Ce325dDbE47a25d4ec3d2311933"}]
    )
    assert generation.error is None and generation.tokens > 0


def test_training_is_deterministic_for_a_seed(tmp_path):
    config = TrainConfig(
        conversations=60, test_conversations=2, vocab_size=500, steps=3, batch_size=8, warmup_steps=1, shape=MINIATURE
    )
    train(tmp_path / "a", config)
    train(tmp_path / "b", config)
    assert sha256(tmp_path / "a" / "model.safetensors") == sha256(tmp_path / "b" / "model.safetensors")


def test_the_tokens_that_decide_a_call_weigh_more_than_the_format_around_them():
    from dmind.edge.nano.protocol import render_call
    from dmind.export.tokenizer import train_tokenizer
    from dmind.export.train import IGNORE, VALUE_WEIGHT, decision_labels, loss_weights

    tokenizer = train_tokenizer(generate(200, split="train", seed=3), 600)
    call = render_call("EXECUTE_SWAP", {"inputTokenSymbol": "SOL", "inputTokenAmount": 2.5})
    ids = tokenizer.encode(call, add_special_tokens=False).ids
    weights = loss_weights(tokenizer, ids, decision_labels(tokenizer, ids, [True] * len(ids)))
    pieces = [(tokenizer.decode([t], skip_special_tokens=False), w) for t, w in zip(ids, weights)]
    heavy = "".join(p for p, w in pieces if w == VALUE_WEIGHT)
    light = {p for p, w in pieces if w == 1.0}
    for decided in ("<start_function_call>", "EXECUTE", "inputTokenAmount", "2.5,", "inputTokenSymbol", "SOL", "}"):
        assert decided in heavy, (decided, heavy)
    assert {":", "<escape>", "<end_function_call>"} <= light and not any(ch.isdigit() or "SOL" in ch for ch in light)
    assert loss_weights(tokenizer, ids, [IGNORE] * len(ids)) == [1.0] * len(ids)  # nothing learned, nothing weighted
