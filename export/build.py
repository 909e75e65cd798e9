"""The whole built-in model pipeline: data -> tokenizer -> model -> ONNX (fp32, int8) -> evaluation -> model card."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Callable, Optional

from .card import write_card
from .onnx_export import export_onnx, load_checkpoint, quantize_int8
from .train import Progress, TrainConfig, train

CI_SAMPLE = 40


def build(
    out: Path,
    config: TrainConfig,
    *,
    data_dir: Optional[Path] = None,
    eval_conversations: Optional[int] = None,
    keep_fp32: bool = False,
    on_stage: Callable[[str], None] = lambda s: None,
    on_progress: Optional[Callable[[Progress], None]] = None,
) -> dict:
    """Build a model directory; returns the card."""
    data_dir = data_dir or out / "data"
    on_stage("training")
    train_report = train(out, config, on_progress, data_dir)
    return package(
        out,
        train_report,
        data_dir=data_dir,
        eval_conversations=eval_conversations,
        keep_fp32=keep_fp32,
        on_stage=on_stage,
    )


def package(
    out: Path,
    train_report: dict,
    *,
    data_dir: Path,
    eval_conversations: Optional[int] = None,
    keep_fp32: bool = False,
    on_stage: Callable[[str], None] = lambda s: None,
) -> dict:
    """Export a trained checkpoint in `out` to ONNX fp32 and int8, evaluate int8 on `data_dir/test.jsonl`, write the card."""
    from dmind.edge.nano import NanoModel, predict, read_conversations, report

    on_stage("exporting to ONNX")
    started = time.perf_counter()
    export_onnx(load_checkpoint(out), out / "model.onnx")
    quantize_int8(out / "model.onnx", out / "model.int8.onnx")
    export_s = time.perf_counter() - started
    if not keep_fp32:
        (out / "model.onnx").unlink()
    for stray in out.glob("generation_config.json"):
        stray.unlink()
    on_stage("evaluating on the test split")
    conversations = read_conversations(data_dir / "test.jsonl")[:eval_conversations]
    model = NanoModel.load(out / "model.int8.onnx")
    predictions = predict(model, conversations)
    metrics = report(conversations, predictions)
    addresses_only = report(
        conversations, predict(NanoModel.load(out / "model.int8.onnx", grounded=False), conversations)
    )
    sample = conversations[
        :CI_SAMPLE
    ]  # re-measured by the tests on every CI run, so the card and the files cannot drift apart
    sample_ids = {c["id"] for c in sample}
    ci_sample = {"conversations": len(sample), **report(sample, [p for p in predictions if p["id"] in sample_ids])}
    if data_dir.is_relative_to(out):  # the model directory ships without its data; the seed regenerates it
        shutil.rmtree(data_dir)
    return write_card(
        out,
        train_report,
        metrics,
        {
            "export_seconds": round(export_s, 1),
            "eval_conversations": len(conversations),
            "metrics_int8_constrained_ci_sample": ci_sample,
            "metrics_int8_addresses_grounded_only_test_split": addresses_only,
        },
    )
