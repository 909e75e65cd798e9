"""`dmind-edge nano`: ask the nano model, or evaluate it on a dataset (the `[nano]` extra)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

import typer
from dmind.policies.errors import DmindError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from ..cli_group import default_command
from .errors import NanoError
from .metrics import METRICS
from .runtime import NanoModel

err = Console(stderr=True)


app = typer.Typer(
    cls=default_command("ask"),
    no_args_is_help=True,
    add_completion=False,
    help='The nano intent model: `dmind-edge nano "swap half my SOL for USDC"`, or `nano eval`.',
)

MODEL = typer.Option(
    None, "--model", help="Model directory or model file (default: Gemma 3 270M with the shipped adapter, built once)."
)
BACKEND = typer.Option("onnx", "--backend", help="Runtime: onnx, litert or executorch (each behind its own extra).")


class BuildBar:
    """A progress bar on stderr for building the default model, shown only once a build starts."""

    def __init__(self) -> None:
        self._progress: Optional[Progress] = None
        self._task: Any = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            columns = (TextColumn("building the nano model: {task.description}"), BarColumn(), MofNCompleteColumn())
            self._progress = Progress(*columns, TimeElapsedColumn(), console=err, transient=True)
            self._progress.start()
            self._task = self._progress.add_task(stage, total=total)
        self._progress.update(self._task, description=stage, completed=done, total=total)
        if stage == "done":
            self._progress.stop()
            err.print("built the nano model")


def _load(model: Optional[Path], backend: str, constrained: bool = True, grounded: bool = True) -> NanoModel:
    try:
        return NanoModel.load(
            model, backend=backend, constrained=constrained, grounded=grounded, on_progress=BuildBar()
        )
    except NanoError as exc:
        err.print(f"[red]{exc.code}[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc


@app.command("build")
def build_command(
    force: bool = typer.Option(False, "--force", help="Build again even where a checked build is there."),
    as_json: bool = typer.Option(False, "--json", help="Print where the model is as JSON."),
) -> None:
    """Build the default model (Gemma 3 270M + the shipped adapter, int8 ONNX) in the cache; a no-op once built."""
    from .gemma.build import build_model

    try:
        result = build_model(on_progress=BuildBar(), force=force)
    except NanoError as exc:
        err.print(f"[red]{exc.code}[/red] {escape(exc.message)}")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps({"model": str(result.directory), "built": result.built}) + "\n")
    else:
        Console().print(f"{'built' if result.built else 'already built'}: {escape(str(result.directory))}")


def _show(generation: Any, as_json: bool) -> None:
    """Print one reply: the call or the text; an output that does not parse is refused with its code."""
    reply = generation.reply
    if generation.error is not None or reply is None:
        code, message = (
            (generation.error.code, generation.error.message) if generation.error else ("E_NO_REPLY", "no reply")
        )
        err.print(f"[red]{code}[/red] {escape(message)}\nraw: {escape(generation.raw)}")
        raise typer.Exit(1)
    if as_json:
        body = {"name": reply.call.name, "arguments": reply.call.arguments} if reply.call else {"text": reply.text}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
    elif reply.call:
        args = ", ".join(f"{k}={v!r}" for k, v in reply.call.arguments.items())
        Console().print(f"[bold]{reply.call.name}[/bold]({escape(args)})")
    else:
        Console().print(escape(reply.text or ""))


def _refuse(exc: NanoError) -> typer.Exit:
    err.print(f"[red]{exc.code}[/red] {escape(exc.message)}")
    return typer.Exit(2)


@app.command()
def ask(
    words: Optional[str] = typer.Argument(None, help="What the user said."),
    messages: Optional[Path] = typer.Option(
        None, "--messages", help="A conversation instead, one JSON message a line (OpenAI chat form; - for stdin)."
    ),
    model: Optional[Path] = MODEL,
    backend: str = BACKEND,
    free: bool = typer.Option(False, "--unconstrained", help="Decode without the grammar (to see the raw model)."),
    as_json: bool = typer.Option(False, "--json", help="Print the call as JSON."),
) -> None:
    """Turn what the user said (or a whole conversation) into a call, or a plain answer."""
    from ..cli_boundary import read_input
    from .conversation import prompt_words, read_messages

    if (words is None) == (messages is None):
        raise _refuse(NanoError("NANO_PROMPT_EMPTY", "give what the user said, or --messages FILE, not both"))
    try:
        history = read_messages(read_input(messages, "the conversation")) if messages else prompt_words(words or "")
    except NanoError as exc:
        raise _refuse(exc) from exc
    generation = _load(model, backend, not free).generate(history)
    _show(generation, as_json)
    err.print(
        f"{generation.tokens} tokens in {generation.forward_passes} passes; first after "
        f"{generation.first_token_s * 1000:.0f} ms, all after {generation.total_s * 1000:.0f} ms"
    )


MAX_CALLS_PER_TURN = 4  # a search, its swap, and room for a choice of chain: more is a model going round


@app.command()
def chat(
    model: Optional[Path] = MODEL,
    backend: str = BACKEND,
    simulate: bool = typer.Option(
        False, "--simulate", help="Answer every call with a made-up result instead of asking for one."
    ),
) -> None:
    """Talk to the model turn by turn; after a call, type the tool's JSON result (Enter: a made-up one)."""
    from .conversation import check_message

    loaded = _load(model, backend)
    history: list[dict] = []
    err.print("say what you want (an empty line or Ctrl-D ends)")
    while True:
        words = _typed("you> ")
        if not words:
            return
        history.append({"role": "user", "content": words})
        for _ in range(MAX_CALLS_PER_TURN):
            try:
                check_message(history[-1], len(history))
                generation = loaded.generate(history)
            except NanoError as exc:
                err.print(f"[red]{exc.code}[/red] {escape(exc.message)}")
                history.pop()
                break
            reply = generation.reply
            if reply is None or reply.call is None:
                text = (reply.text if reply else None) or generation.raw
                Console().print(escape(text))
                history.append({"role": "assistant", "content": text})
                break
            call = {"name": reply.call.name, "arguments": reply.call.arguments}
            _show(generation, False)
            history.append({"role": "assistant", "tool_calls": [call]})
            history.append({"role": "tool", "name": call["name"], "content": _tool_result(call, simulate)})
        else:
            err.print(f"the model called tools {MAX_CALLS_PER_TURN} times in a row; say what you want next")


def _typed(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except EOFError:
        return ""


def _tool_result(call: dict, simulate: bool) -> Any:
    """The tool's result as the user types it (JSON), or a made-up one."""
    from ..requests_io import loads_strict
    from .conversation import simulated_result

    made_up = simulated_result(call["name"], call["arguments"])
    while not simulate:
        typed = _typed(f"{call['name']} result as JSON (Enter: {json.dumps(made_up, ensure_ascii=False)})> ")
        if not typed:
            break
        try:
            return loads_strict(typed, "the tool result")
        except DmindError as exc:
            err.print(f"[red]{exc.code}[/red] {escape(exc.message)}")
    Console().print(f"[dim]{call['name']} -> {escape(json.dumps(made_up, ensure_ascii=False))}[/dim]")
    return made_up


def metrics_table(title: str, summary: dict[str, dict[str, float]]) -> Table:
    table = Table(title=title)
    table.add_column("language")
    for name in METRICS:
        table.add_column(name.replace("_", " "), justify="right")
    table.add_column("turns", justify="right")
    for lang, row in summary.items():
        table.add_row(lang, *(f"{row[m] * 100:.1f}%" if row[m] == row[m] else "-" for m in METRICS), str(row["turns"]))
    return table


@app.command("eval")
def evaluate_command(
    dataset: Path = typer.Option(..., "--dataset", help="Conversations (JSON Lines, OpenAI chat form)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write {id, turn, raw} per assistant turn here."),
    model: Optional[Path] = MODEL,
    backend: str = BACKEND,
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N conversations."),
    free: bool = typer.Option(False, "--unconstrained", help="Decode without the grammar."),
    ungrounded: bool = typer.Option(
        False,
        "--ungrounded",
        help="Ground only addresses and choose openings token by token (to measure what grounding adds).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
) -> None:
    """Function recognition, argument extraction, protocol adherence, multi-turn success (overall and per language)."""
    from .evaluate import predict, read_conversations, report, write_predictions

    try:
        conversations = read_conversations(dataset)[:limit]
    except (OSError, ValueError) as exc:
        err.print(f"[red]DATASET_UNREADABLE[/red] cannot read {dataset}: {exc}")
        raise typer.Exit(2) from exc
    loaded = _load(model, backend, not free, not ungrounded)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("generating", total=None)
        predictions = predict(
            loaded, conversations, lambda done, total: progress.update(task, completed=done, total=total)
        )
    if out:
        write_predictions(out, predictions)
    summary = report(conversations, predictions)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        Console().print(metrics_table(f"{dataset.name}: {len(conversations)} conversations, {backend}", summary))
