"""The shipped model: its files are what its card says, it loads, and it meets the bar on a sample of the test split."""

from __future__ import annotations

import json

import pytest
from dmind.edge.nano.runtime import BUILTIN_DIR

pytest.importorskip("onnxruntime")
pytest.importorskip("llguidance")

from dmind.edge.nano.evaluate import predict, report  # noqa: E402
from dmind.edge.nano.runtime import NanoModel  # noqa: E402
from dmind.export.card import sha256  # noqa: E402
from dmind.export.data.generate import generate  # noqa: E402

from tests.builders import UNIVERSAL_ROUTER, USDC, WETH, eip1559, raw_tx_request, ur_execute, v3_path  # noqa: E402
from tests.conftest import FIXED_NOW, run_cli  # noqa: E402

PEPE = "0x6982508145454Ce325dDbE47a25d4ec3d2311933"
CARD = json.loads((BUILTIN_DIR / "card.json").read_text())


@pytest.fixture(scope="module")
def model():
    return NanoModel.load()


def test_shipped_files_match_the_card():
    for name, info in CARD["files"].items():
        assert (BUILTIN_DIR / name).stat().st_size == info["bytes"]
        assert sha256(BUILTIN_DIR / name) == info["sha256"], name


def test_sample_of_the_test_split_meets_the_bar(model):
    conversations = generate(CARD["training"]["config"]["test_conversations"], split="test", seed=CARD["training"]["config"]["seed"])[:40]
    summary = report(conversations, predict(model, conversations))["all"]
    assert summary["protocol_adherence"] == 1.0
    assert summary["function_recognition"] >= 0.9
    assert summary["argument_extraction"] >= 0.8


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
    assert set(json.loads(result.stdout)["all"]) >= {"function_recognition", "argument_extraction", "protocol_adherence"}


def _swap_into(token_out):
    data = ur_execute([(0x00, ["address", "uint256", "uint256", "bytes", "bool"],
                        ["0x" + "00" * 19 + "01", 250 * 10**6, 1, v3_path(USDC, 500, token_out), True])])
    return raw_tx_request(eip1559(UNIVERSAL_ROUTER, data, gas=300_000))


@pytest.mark.parametrize("token_out, mismatch", [(PEPE, False), (WETH, True)])
def test_check_reads_the_users_words_with_the_model(tmp_path, token_out, mismatch):
    request = {**_swap_into(token_out), "stated_intent": f"swap 250 USDC for {PEPE}"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request))
    from dmind.edge.nano.reader import ModelReader
    from dmind.edge.pipeline import evaluate_json

    decision = evaluate_json(request, now=FIXED_NOW, intent_reader=ModelReader())
    assert ("INTENT_MISMATCH" in {f.code for f in decision.findings}) == mismatch
    result = run_cli("check", path)
    assert result.returncode == 0, result.stderr
    assert ("INTENT_MISMATCH" in {f["code"] for f in json.loads(result.stdout)["findings"]}) == mismatch
