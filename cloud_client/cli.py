"""`dmind-edge audit sanitize`: count what the sanitized projection would leak."""

from __future__ import annotations

import json
import sys

import typer
from dmind.policies import default_policy
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from .audit import run_audit

app = typer.Typer(no_args_is_help=True, help="Audits of what leaves the device.")


@app.command()
def sanitize(requests: int = typer.Option(25_000, "--requests", min=1, help="Generated requests."),
             as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON.")) -> None:
    """Plant secrets in realistic requests and count every one found in a sanitized projection, per profile."""
    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("auditing", total=requests)
        result = run_audit(requests, default_policy(), progress=lambda done: progress.update(task, completed=done))
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table(title=f"sanitization audit: {result['requests']} requests in {result['seconds']} s")
    for column in ("profile", "requests", "violations", "rate", "mean size (≈tokens)"):
        table.add_column(column, justify="left" if column == "profile" else "right")
    for profile, row in result["profiles"].items():
        table.add_row(profile, str(row["requests"]), str(row["violations"]), f"{row['violation_rate_pct']:.2f}%", f"{row['mean_tokens']:.1f}")
    console = Console()
    console.print(table)
    console.print("DMind-3 paper: 0.08% under its default profile, 0.00% under strict, over 25,000 requests")
