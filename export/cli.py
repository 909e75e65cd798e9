"""`dmind-edge train nano`: build the built-in model (the `[train]` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .model import BUILTIN, MINIATURE
from .train import TrainConfig

DEFAULTS = TrainConfig()

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Train models shipped with dmind-edge.")
err = Console(stderr=True)


@app.command("nano")
def train_nano(
    out: Path = typer.Option(..., "--out", help="Model directory to write."),
    seed: int = typer.Option(0, "--seed"),
    steps: int = typer.Option(DEFAULTS.steps, "--steps", help="Optimizer steps (the run is deterministic for a seed and step count)."),
    conversations: int = typer.Option(DEFAULTS.conversations, "--conversations", help="Training conversations to generate."),
    test_conversations: int = typer.Option(DEFAULTS.test_conversations, "--test-conversations", help="Held-out conversations."),
    miniature: bool = typer.Option(False, "--miniature", help="A tiny model for smoke tests (about a minute)."),
    data_dir: Optional[Path] = typer.Option(None, "--data", help="Where the generated datasets go (default: OUT/data, removed after)."),
    keep_fp32: bool = typer.Option(False, "--keep-fp32", help="Keep the float32 ONNX file beside the int8 one."),
) -> None:
    """Generate data, train the tokenizer and a small Gemma 3 model, export to ONNX int8, evaluate, write the model card."""
    from .build import build

    config = TrainConfig(seed=seed, steps=steps, conversations=conversations, test_conversations=test_conversations,
                         shape=MINIATURE if miniature else BUILTIN)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("loss {task.fields[loss]}"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("training", total=steps, loss="-")
        card = build(out, config, data_dir=data_dir, keep_fp32=keep_fp32,
                     on_stage=lambda stage: progress.update(task, description=stage),
                     on_progress=lambda p: progress.update(task, completed=p.step, loss=f"{p.loss:.3f}"))
    metrics = card["metrics_int8_constrained_test_split"]["all"]
    err.print(f"wrote {out}: {card['parameters']:,} parameters, trained in {card['training']['train_seconds']:.0f} s; test split: "
              + ", ".join(f"{k.replace('_', ' ')} {v * 100:.1f}%" for k, v in metrics.items() if k != "turns"))
