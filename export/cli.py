"""`dmind-edge train nano`: build the built-in model (the `[train]` extra)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Callable, Optional

import typer
from dmind.edge import DmindError, default_command
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from .model import BUILTIN, MINIATURE, SIZES, random_checkpoint
from .pipeline import EVAL_CONVERSATIONS, FORMATS, QUANTIZATIONS
from .train import TrainConfig

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Train models shipped with dmind-edge.")
err = Console(stderr=True)


@app.command("nano")
def train_nano(
    out: Path = typer.Option(Path("artifacts/nano-adapter"), "--out", help="Directory to write."),
    seed: int = typer.Option(0, "--seed"),
    steps: Optional[int] = typer.Option(
        None, "--steps", help="Optimizer steps (deterministic for a seed and step count; default: the recipe's)."
    ),
    conversations: Optional[int] = typer.Option(None, "--conversations", help="Training conversations to generate."),
    test_conversations: Optional[int] = typer.Option(None, "--test-conversations", help="Held-out conversations."),
    from_scratch: bool = typer.Option(
        False, "--from-scratch", help="Train the small from-scratch model instead of the Gemma adapter."
    ),
    miniature: bool = typer.Option(False, "--miniature", help="With --from-scratch: a tiny model (about a minute)."),
    data_dir: Optional[Path] = typer.Option(
        None, "--data", help="Where the generated datasets go (default: OUT/data, removed after)."
    ),
    keep_fp32: bool = typer.Option(False, "--keep-fp32", help="With --from-scratch: keep the float32 ONNX file."),
    dev_set: Optional[Path] = typer.Option(
        None,
        "--dev",
        help="Also evaluate on this set for the card (e.g. ../shared/nano-dev/dev.jsonl; never trained on).",
    ),
) -> None:
    """Fine-tune Gemma 3 270M to the nano protocol (LoRA + control tokens, CPU), or train the from-scratch model."""
    sizes = {k: v for k, v in (("steps", steps), ("conversations", conversations),
                                ("test_conversations", test_conversations)) if v is not None}  # fmt: skip
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    if not from_scratch:
        from dmind.edge.nano import cache_root

        from .train_gemma import GemmaTrainConfig, package_adapter, train_gemma

        config = GemmaTrainConfig(seed=seed, **sizes)
        data = data_dir or Path(tempfile.mkdtemp(prefix="nano-data-"))
        with Progress(*columns, console=err) as progress:
            task = progress.add_task("fine-tuning Gemma 3 270M", total=config.steps, loss="-")
            report = train_gemma(
                out,
                cache_root() / "base",
                config,
                on_progress=lambda p: progress.update(task, completed=p.step, loss=f"{p.loss:.3f}"),
                data_dir=data,
            )
            card = package_adapter(
                out,
                data / "test.jsonl",
                dev_set=dev_set,
                # in a sub-folder: the card hashes the files beside the adapter, which are the ones that ship
                dev_predictions=out / "eval" / "dev-predictions.jsonl" if dev_set else None,
                on_stage=lambda s: progress.update(task, description=s),
            )
        if data_dir is None:
            shutil.rmtree(data, ignore_errors=True)
        err.print(
            f"wrote {out}: adapter trained in {report['train_seconds']:.0f} s, final loss {report['final_loss']:.4f}"
        )
        for title, rows in card["evaluations"].items():
            err.print(f"{title}: " + ", ".join(f"{k.replace('_', ' ')} {v * 100:.1f}%" for k, v in rows["all"].items()
                                               if k != "turns"))  # fmt: skip
        return
    from .build import build

    config_scratch = TrainConfig(seed=seed, shape=MINIATURE if miniature else BUILTIN, **sizes)
    with Progress(*columns, console=err) as progress:
        task = progress.add_task("training", total=config_scratch.steps, loss="-")
        card = build(
            out,
            config_scratch,
            data_dir=data_dir,
            keep_fp32=keep_fp32,
            on_stage=lambda stage: progress.update(task, description=stage),
            on_progress=lambda p: progress.update(task, completed=p.step, loss=f"{p.loss:.3f}"),
        )
    metrics = card["metrics_int8_constrained_test_split"]["all"]
    err.print(
        f"wrote {out}: {card['parameters']:,} parameters, trained in {card['training']['train_seconds']:.0f} s; test "
        "split: " + ", ".join(f"{k.replace('_', ' ')} {v * 100:.1f}%" for k, v in metrics.items() if k != "turns")
    )


export_app = typer.Typer(
    cls=default_command("build"),
    no_args_is_help=True,
    add_completion=False,
    help="Export a checkpoint to ONNX, LiteRT and ExecuTorch (float32 and int8), each checked against eager PyTorch.",
)


def _progress() -> tuple[Progress, Callable[[str, int, Optional[int]], None]]:
    """A rich progress display with one bar per stage, and the callback the pipeline reports to."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    progress = Progress(*columns, console=err)
    tasks: dict[str, int] = {}

    def report(stage: str, done: int, total: Optional[int]) -> None:
        if stage not in tasks:
            tasks[stage] = progress.add_task(stage, total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return progress, report


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]{getattr(exc, 'code', 'EXPORT_FAILED')}[/red] {escape(getattr(exc, 'message', str(exc)))}")
    return typer.Exit(1 if getattr(exc, "code", "") == "EXPORT_PARITY_FAILED" else 2)


@export_app.command("build")
def export_build(
    out: Path = typer.Option(
        ..., "--out", help="Directory for the artifacts (one sub-directory per format and quantization)."
    ),
    model: str = typer.Option(
        "builtin", "--model", help="Checkpoint directory (config.json + model.safetensors), or builtin."
    ),
    config: Optional[str] = typer.Option(
        None, "--config", help=f"Instead of a checkpoint, random weights at a published size: {', '.join(SIZES)}."
    ),
    formats: str = typer.Option(",".join(FORMATS), "--formats", help="Comma-separated: onnx, litert, executorch."),
    quant: str = typer.Option(",".join(QUANTIZATIONS), "--quant", help="Comma-separated: none, int8."),
    max_len: Optional[int] = typer.Option(
        None, "--max-len", help="Longest sequence (cache size); default min(1024, the model's)."
    ),
    eval_conversations: int = typer.Option(
        EVAL_CONVERSATIONS, "--eval", help="Test-split conversations for the intent metrics (0: skip)."
    ),
) -> None:
    """Export, check parity with eager PyTorch, and write a manifest.json beside each model file."""
    from .pipeline import export

    try:
        source = _source(model, config, out)
        progress, report = _progress()
        with progress:
            manifests = export(source, out, _split(formats), _split(quant), max_len, eval_conversations, report)
    except DmindError as exc:
        raise _fail(exc) from exc
    _console().print(_summary(manifests))


@export_app.command("verify")
def export_verify(out: Path = typer.Argument(..., help="A directory `dmind-edge export` wrote.")) -> None:
    """Check every artifact again: files against its manifest, the source checkpoint's hash, parity with eager now."""
    from .pipeline import verify

    try:
        progress, report = _progress()
        with progress:
            rows = verify(out, report)
    except (DmindError, ValueError) as exc:
        raise _fail(exc) from exc
    table = Table(title=f"{out}: verification")
    for column in ("artifact", "files", "source", "greedy exact", "top-1", "max |Δlogit|", "verdict"):
        table.add_column(column)
    failed = False
    for row in rows:
        parity = row["parity"] or {}
        ok = row["files_ok"] and row["source_ok"] and parity.get("passed") is not False
        failed |= not ok
        table.add_row(
            row["directory"],
            "ok" if row["files_ok"] else "[red]changed[/red]",
            "ok" if row["source_ok"] else "[red]changed[/red]",
            _pct(parity.get("greedy_exact")),
            _pct(parity.get("top1_agreement")),
            f"{parity['max_logit_diff']:.2e}" if parity else "-",
            "[green]ok[/green]" if ok else "[red]FAILED[/red]",
        )
    _console().print(table)
    if failed:
        raise typer.Exit(1)


def _console() -> Console:
    """Standard output; a log or a pipe gets a wide one, so tables are not squeezed into 80 columns."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _pct(value: Optional[float]) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _source(model: str, config: Optional[str], out: Path) -> Path:
    """The checkpoint to export: the default model ("builtin"), the miniature, a directory, or a published size's random
    weights."""
    from dmind.edge.nano import MINIATURE_DIR

    from .pipeline import ExportError

    if config is not None:
        if config not in SIZES:
            raise ExportError(
                "EXPORT_CONFIG_UNKNOWN", f"no configuration {config!r}; the configurations are {', '.join(SIZES)}"
            )
        return random_checkpoint(config, out / "source")
    if model == "builtin":  # the default model a user runs: Gemma 3 270M with the shipped adapter, merged
        from .gemma_checkpoint import gemma_checkpoint

        return gemma_checkpoint(out / "source")
    directory = MINIATURE_DIR if model == "miniature" else Path(model)
    if not (directory / "config.json").exists() or not (directory / "model.safetensors").exists():
        raise ExportError(
            "EXPORT_CHECKPOINT_MISSING",
            f"{directory} has no config.json and model.safetensors "
            "(a Hugging Face repository keeps DMind-3-nano's in model/)",
        )
    return directory


def _summary(manifests: list[dict]) -> Table:
    table = Table(title="exported artifacts")
    for column in (
        "artifact",
        "bytes",
        "export s",
        "greedy exact",
        "top-1",
        "max |Δlogit|",
        "function recognition",
        "argument extraction",
    ):
        table.add_column(column, justify="right")
    for m in manifests:
        parity = m["parity"]
        metrics = parity.get("intent_metrics", {}).get("all", {})
        size = next(f["bytes"] for f in m["files"] if f["name"] == m["file"])
        table.add_row(
            f"{m['format']} {m['quantization']['name']}",
            f"{size:,}",
            f"{m['export_seconds']}",
            _pct(parity["greedy_exact"]),
            _pct(parity["top1_agreement"]),
            f"{parity['max_logit_diff']:.2e}",
            _pct(metrics.get("function_recognition")),
            _pct(metrics.get("argument_extraction")),
        )
    return table
