"""The model card shipped with the Gemma adapter: what it is, where its weights come from, how well it does, hashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dmind.edge.nano import BASE_FILE, BASE_PACKAGE, BASE_SHA256, GEMMA_NOTICE

from .card import BAR, CARD_JSON, CARD_MD, file_table

METRIC_NAMES = ("function_recognition", "argument_extraction", "protocol_adherence", "multi_turn_success")


def _table(rows: dict[str, dict[str, float]]) -> list[str]:
    lines = [
        "| language | function recognition | argument extraction | protocol adherence | multi-turn success | turns |",
        "|---|---|---|---|---|---|",
    ]
    for lang, row in rows.items():
        cells = [f"{row[k] * 100:.1f}%" if row[k] == row[k] else "-" for k in METRIC_NAMES]
        lines.append(f"| {lang} | " + " | ".join(cells) + f" | {row['turns']} |")
    return lines


def write_adapter_card(
    directory: Path, train_report: dict, evaluations: dict[str, dict], extra: dict[str, Any]
) -> dict:
    """`card.json` and `MODEL_CARD.md` beside the adapter; `evaluations` maps a dataset's title to its metrics."""
    config = train_report["config"]
    card = {
        "name": "dmind-edge nano: Gemma 3 270M + LoRA adapter",
        "base": {"package": BASE_PACKAGE, "file": BASE_FILE, "sha256": BASE_SHA256, "licence": GEMMA_NOTICE},
        "training": train_report,
        "evaluations": evaluations,
        "files": file_table(directory),
        **extra,
    }
    (directory / CARD_JSON).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# dmind-edge nano: Gemma 3 270M fine-tuned to the DMind-3-nano protocol",
        "",
        f"The base is Gemma 3 270M (`google/gemma-3-270m`) as the Q4_K_M GGUF of the `{BASE_PACKAGE}` package (sha256",
        f"`{BASE_SHA256}`). This folder holds what the project trained: rank-{config['lora_rank']} LoRA adapters",
        "(alpha {a}) on the attention and MLP projections of all 18 layers, and the embedding rows of FunctionGemma's"
        " seven control tokens, which take `<unused0>`..`<unused6>`. `dmind-edge nano build` merges them into the base"
        " and writes the int8 ONNX model a user runs.".format(a=config["lora_alpha"]),
        "",
        f"- training: `dmind-edge train nano` - {config['steps']} steps of {config['batch_size']} conversations from "
        f"{config['conversations']:,} generated ones (seed {config['seed']}, data sha256 `{train_report['data_sha256']}`),",
        f"  learning rate {config['learning_rate']}, {train_report['train_seconds']:.0f} s on {config['threads']} CPU "
        f"threads, torch {train_report['torch']}; final loss {train_report['final_loss']:.4f}",
        "- decoding: greedy under the grammar of `edge/nano/grammar.py`, every value grounded in the conversation",
        "",
    ]
    for title, rows in evaluations.items():
        lines += [f"## {title}", "", *_table(rows), ""]
        short = [f"{k.replace('_', ' ')} {rows['all'][k] * 100:.1f}% (bar {v * 100:.0f}%)" for k, v in BAR.items()
                 if rows["all"][k] < v]  # fmt: skip
        if short:
            lines += [f"Below the project's bar: {'; '.join(short)}.", ""]
    lines += ["## Files", "", "| file | bytes | sha256 |", "|---|---|---|"]
    lines += [f"| {name} | {info['bytes']:,} | `{info['sha256']}` |" for name, info in card["files"].items()]
    lines += ["", "## Licence", "", GEMMA_NOTICE, ""]
    (directory / CARD_MD).write_text("\n".join(lines))
    return card
