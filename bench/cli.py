"""`dmind-edge bench` with no sub-command: the whole stack, five tables, with the paper's figures beside ours."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .report import plot, print_tables, to_csv, to_json, to_markdown
from .suite import DEFAULT_EXPORTS, FULL, MODELS, QUICK, run_suite

FORMATS = {"md": to_markdown, "json": to_json, "csv": to_csv}


def run(
    quick: bool = False,
    repetitions: int = 1,
    fmt: str = "table",
    out: Optional[Path] = None,
    plot_dir: Optional[Path] = None,
    exports: Optional[Path] = None,
    model: str = "builtin",
) -> int:
    """Run the suite with progress bars on stderr; print one format, write all of them to `out`, charts to `plot_dir`."""
    err = Console(stderr=True)
    if fmt != "table" and fmt not in FORMATS:
        err.print(f"[red]--format is table, {', '.join(FORMATS)}; not {fmt}[/red]")
        return 2
    if model not in MODELS:
        err.print(f"[red]--model is {' or '.join(MODELS)}; not {model}[/red]")
        return 2
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    tasks: dict[str, int] = {}
    with Progress(*columns, console=err, transient=False) as progress:

        def report(stage: str, done: int, total: Optional[int]) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        result = run_suite(
            QUICK if quick else FULL,
            max(1, repetitions),
            exports,
            export_now=not quick and exports is None,
            progress=report,
            model=model,
        )
    if fmt == "table":
        print_tables(result, Console(width=160) if not Console().is_terminal else Console())
    else:
        sys.stdout.write(FORMATS[fmt](result))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, render in FORMATS.items():
            (out / f"bench.{name}").write_text(render(result), encoding="utf-8")
        err.print(f"wrote {out}/bench.md, bench.json, bench.csv")
    if plot_dir is not None:
        written = plot(result, plot_dir)
        err.print("wrote " + ", ".join(str(p) for p in written))
    return 0


__all__ = ["DEFAULT_EXPORTS", "run"]
