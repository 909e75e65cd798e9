"""`dmind-edge audit sanitize`: count what the sanitized projection would leak."""

from __future__ import annotations

import json
import sys

import typer
from dmind.edge import host_port
from dmind.policies import default_policy
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from .audit import run_audit

app = typer.Typer(no_args_is_help=True, help="Audits of what leaves the device.")
cloud_app = typer.Typer(
    no_args_is_help=True, help="The optional cloud tier: the reference endpoint and routed decisions."
)


@app.command()
def sanitize(
    requests: int = typer.Option(25_000, "--requests", min=1, help="Generated requests."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
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
        table.add_row(
            profile,
            str(row["requests"]),
            str(row["violations"]),
            f"{row['violation_rate_pct']:.2f}%",
            f"{row['mean_tokens']:.1f}",
        )
    console = Console()
    console.print(table)
    console.print("DMind-3 paper: 0.08% under its default profile, 0.00% under strict, over 25,000 requests")


@cloud_app.command()
def serve(
    listen: str = typer.Option("127.0.0.1:7441", "--listen", help="HOST:PORT (port 0 picks a free one)."),
    fault: str = typer.Option(
        "none", "--fault", help="none | hang | garbage | error: misbehave on purpose, for tests."
    ),
    delay_ms: int = typer.Option(0, "--delay-ms", help="Answer this much later."),
) -> None:
    """A reference OpenAI-compatible endpoint on loopback that answers from rules (production uses a real deployment)."""
    import asyncio

    from .server import FAULTS
    from .server import serve as serve_reference

    host, port = host_port(listen, "--listen")
    if fault not in FAULTS:
        Console(stderr=True).print(f"[red]--fault is one of {', '.join(FAULTS)}[/red]")
        raise typer.Exit(2)
    try:
        asyncio.run(
            serve_reference(
                host,
                port,
                fault,
                delay_ms / 1000,
                lambda bound: print(json.dumps({"url": f"http://{host}:{bound}"}), flush=True),
            )
        )
    except KeyboardInterrupt:
        pass


@cloud_app.command()
def route(
    file: str = typer.Argument("-", help="JSON request, or - for stdin."),
    cloud: str = typer.Option(None, "--cloud", help="Base URL of an OpenAI-compatible endpoint."),
    local: str = typer.Option(None, "--local", help="Pairing directory of the local verifier."),
    allow_cloud: bool = typer.Option(False, "--allow-cloud", help="Let the built-in policy use the cloud tier."),
) -> None:
    """Decide one request across the tiers the router picks; print the decision with its route."""
    import asyncio
    from dataclasses import replace

    from dmind.edge import decision_json, load_pairing, read_json_object

    from .client import CloudClient
    from .orchestrate import decide

    request = read_json_object(file)
    policy = default_policy()
    if allow_cloud:
        policy = replace(policy, routing=replace(policy.routing, cloud_allowed=True))
    decision = asyncio.run(
        decide(request, policy, load_pairing(local) if local else None, CloudClient(cloud) if cloud else None)
    )
    sys.stdout.write(json.dumps(decision_json(decision)) + "\n")
