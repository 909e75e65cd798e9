"""The model card written next to a built model: what it is, how it was made, how well it does, and file hashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dmind.edge.nano import sha256_of

CARD_JSON = "card.json"
# The bar the nano model issue sets on the held-out test split.
BAR = {"function_recognition": 0.95, "argument_extraction": 0.90, "multi_turn_success": 0.85}
CARD_MD = "MODEL_CARD.md"


sha256 = sha256_of  # one file's sha256, hex


def file_table(directory: Path) -> dict[str, dict[str, Any]]:
    return {
        p.name: {"bytes": p.stat().st_size, "sha256": sha256(p)}
        for p in sorted(directory.iterdir())
        if p.is_file() and p.name not in (CARD_JSON, CARD_MD) and not p.name.startswith("__")
    }


def write_card(directory: Path, train_report: dict, metrics: dict, extra: dict[str, Any]) -> dict:
    """`card.json` (machine-readable) and `MODEL_CARD.md` (for people)."""
    card = {
        "name": "dmind-edge nano (built-in)",
        "architecture": "Gemma3ForCausalLM (FunctionGemma-270M design, scaled down)",
        "parameters": train_report["parameters"],
        "training": train_report,
        "metrics_int8_constrained_test_split": metrics,
        "files": file_table(directory),
        **extra,
    }
    (directory / CARD_JSON).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    shape = train_report["config"]["shape"]
    lines = [
        "# dmind-edge nano: the built-in intent model",
        "",
        "A small `Gemma3ForCausalLM` with FunctionGemma-270M's design (grouped-query attention with one KV head, "
        "sliding-window",
        "layers and a global layer, tied embeddings, FunctionGemma's control tokens), trained by this project with",
        "`dmind-edge train nano` on synthetic English, Chinese and mixed wallet conversations. It calls `SEARCH_TOKEN`",
        "and `EXECUTE_SWAP`; it is a stand-in for DMind-3-nano, whose weights are not redistributable here.",
        "",
        f"- parameters: {train_report['parameters']:,}; hidden {shape['hidden_size']}, {shape['num_hidden_layers']} "
        "layers, "
        f"{shape['num_attention_heads']} heads / {shape['num_key_value_heads']} KV head, sliding window "
        f"{shape['sliding_window']}",
        f"- training: {train_report['config']['steps']} steps of {train_report['config']['batch_size']} conversations, "
        "seed "
        f"{train_report['config']['seed']}, {train_report['train_seconds']:.0f} s on "
        f"{train_report['config']['threads']} CPU threads "
        f"(torch {train_report['torch']}); final loss {train_report['final_loss']:.4f}",
        "- decoding: greedy under the grammar of `edge/nano/grammar.py` (llguidance), every value grounded in the "
        "conversation",
        "  (`edge/nano/grounding.py`), a whole call weighed against text at the opening (`edge/nano/runtime.py`)",
        "",
        "## Held-out test split (phrasings never seen in training), int8 ONNX",
        "",
        "| language | function recognition | argument extraction | protocol adherence | multi-turn success | turns |",
        "|---|---|---|---|---|---|",
    ]
    for lang, row in metrics.items():
        cells = [
            f"{row[k] * 100:.1f}%" if row[k] == row[k] else "-"
            for k in ("function_recognition", "argument_extraction", "protocol_adherence", "multi_turn_success")
        ]
        lines.append(f"| {lang} | " + " | ".join(cells) + f" | {row['turns']} |")
    if extra.get("split_note"):
        lines += ["", extra["split_note"]]
    alone = extra.get("metrics_int8_addresses_grounded_only_test_split", {}).get("all")
    if alone:
        lines += [
            "",
            "The same model with only addresses grounded and openings chosen token by token (the decoding before "
            "grounding): "
            + ", ".join(
                f"{k.replace('_', ' ')} {alone[k] * 100:.1f}%"
                for k in ("function_recognition", "argument_extraction", "protocol_adherence", "multi_turn_success")
            )
            + ".",
        ]
    short = [
        f"{k.replace('_', ' ')} {metrics['all'][k] * 100:.1f}% (bar {v * 100:.0f}%)"
        for k, v in BAR.items()
        if metrics["all"][k] < v
    ]
    if short:
        lines += [
            "",
            f"**Below the project's bar:** {'; '.join(short)}. Intent binding with this model is a weak signal. A "
            "misreading can invent a contradiction (a false INTENT_MISMATCH, STEP_UP or BLOCK). It can also hide one, "
            "for "
            "instance an amount read wrongly that happens to equal the payload's. Grounding keeps it from inventing "
            "values, and the gate's other rules decide as they would without it.",
        ]
    lines += ["", "## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    lines += [f"| {name} | {info['bytes']:,} | `{info['sha256']}` |" for name, info in card["files"].items()]
    lines += [
        "",
        "## Limits",
        "",
        "Synthetic data only: token symbols, chains and phrasings come from `export/data/`. Percentages of a balance",
        "cannot be checked by the gate offline. Not a general chat model: off-topic requests get a fixed refusal.",
        "",
    ]
    (directory / CARD_MD).write_text("\n".join(lines))
    return card
