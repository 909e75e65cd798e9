"""`dmind-edge local …`: the paired desktop verifier and its private context."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path

import typer
from dmind.edge import connect as pair_with
from dmind.edge import host_port, read_json_object
from dmind.edge.local_protocol import PairingError, token_hash
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .console import check_loopback, console_secret, console_url
from .daemon import CONTEXT_DB, DAEMON_INFO
from .daemon import serve as serve_daemon
from .pairing import new_offer, qr_text
from .store import ContextStore

app = typer.Typer(no_args_is_help=True, help="The paired desktop verifier that STEP_UP escalates to.")
context_app = typer.Typer(no_args_is_help=True, help="Your private context: address book, history, holdings, lists.")
app.add_typer(context_app, name="context")
out = Console()
err = Console(stderr=True)
State = typer.Option(Path.home() / ".dmind-local", "--state", help="The verifier's state directory.")


def _store(state: Path) -> ContextStore:
    return ContextStore(state / CONTEXT_DB)


@app.command()
def serve(
    listen: str = typer.Option("127.0.0.1:7440", "--listen", help="HOST:PORT (port 0 picks a free one)."),
    state: Path = State,
    audit_endpoint: str = typer.Option(
        None, "--audit-endpoint", help="OpenAI-compatible server on this machine (llama.cpp, Ollama, vLLM)."
    ),
    audit_model: str = typer.Option("local", "--audit-model", help="Model name to ask for the audit."),
    console: str = typer.Option(
        "127.0.0.1:7442", "--console", help="Loopback HOST:PORT of the console (port 0 picks one; 'off': none)."
    ),
) -> None:
    """Run the verifier daemon (TLS 1.3) and its console until interrupted."""
    host, port = host_port(listen, "--listen")
    admin = None if console == "off" else host_port(console, "--console")
    if admin is not None:
        try:
            check_loopback(admin[0])
        except ValueError as exc:
            err.print(f"[red]CONSOLE_NOT_LOOPBACK[/red] {exc}")
            raise typer.Exit(2) from exc
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)

    try:
        asyncio.run(
            serve_daemon(
                state, host, port, lambda info: print(json.dumps(info), flush=True), audit_endpoint, audit_model, admin
            )
        )
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        err.print(f"[red]LISTEN_FAILED[/red] {exc.strerror or exc}")
        raise typer.Exit(1) from exc


@app.command("console")
def console_cmd(
    state: Path = State, open_it: bool = typer.Option(False, "--open", help="Open it in the default browser.")
) -> None:
    """Print the sign-in link of the running verifier's console (or open it)."""
    try:
        where = json.loads((state / DAEMON_INFO).read_text())["console"]
        link = console_url(where["host"], where["port"], console_secret(state))
    except (OSError, KeyError, TypeError, ValueError) as exc:
        err.print("[red]CONSOLE_NOT_RUNNING[/red] start `dmind-edge local serve` (with its console on) first")
        raise typer.Exit(2) from exc
    print(link, flush=True)
    if open_it:
        import webbrowser

        webbrowser.open(link)


@app.command()
def pair(
    state: Path = State, ttl: int = typer.Option(300, "--ttl", min=10, max=300, help="Seconds the offer stays valid.")
) -> None:
    """Print a one-time pairing offer (URI and QR code) for a wallet to connect with."""
    try:
        info = json.loads((state / DAEMON_INFO).read_text())
    except OSError as exc:
        err.print("[red]DAEMON_NOT_RUNNING[/red] start `dmind-edge local serve` first")
        raise typer.Exit(2) from exc
    offer = new_offer(info["host"], info["port"], info["fingerprint"], int(time.time()), ttl)
    _store(state).add_offer(token_hash(offer.token), offer.expires_at)
    # Plain print: a console would wrap the URI, and the QR code must not be restyled.
    print(qr_text(offer.uri))
    print(offer.uri, flush=True)
    err.print(f"valid for {offer.expires_at - int(time.time())} s, once")


@app.command("connect")
def connect_cmd(
    uri: str = typer.Argument(..., help="The dmind-pair: URI the verifier printed."),
    client: Path = typer.Option(Path.home() / ".dmind-wallet", "--client", help="This wallet's pairing directory."),
    name: str = typer.Option("wallet", "--name", help="How the verifier will list this device."),
) -> None:
    """Pair this wallet with a verifier: pin it, register this device's key, spend the offer."""
    try:
        pairing = pair_with(uri, client, name)
    except PairingError as exc:
        err.print(f"[red]{exc.code}[/red] {exc.message}")
        raise typer.Exit(2 if exc.code == "PAIRING_OFFER_INVALID" else 1) from exc
    except OSError as exc:
        err.print(f"[red]LOCAL_UNREACHABLE[/red] {exc}")
        raise typer.Exit(1) from exc
    out.print(f"paired as device {pairing.device_id} with {pairing.url}")


@app.command()
def unpair(device_id: str, state: Path = State) -> None:
    """Revoke a paired device: its requests are refused from now on."""
    if not _store(state).revoke(device_id, int(time.time())):
        err.print(f"[red]NOT_PAIRED[/red] no active pairing {device_id}")
        raise typer.Exit(2)
    out.print(f"revoked {device_id}")


@app.command()
def status(state: Path = State) -> None:
    """Pairings, the policy in use, the model in use, recent verdicts."""
    store = _store(state)
    info = json.loads((state / DAEMON_INFO).read_text()) if (state / DAEMON_INFO).exists() else {}
    out.print(
        f"daemon: {info.get('host', '-')}:{info.get('port', '-')} (fingerprint {info.get('fingerprint', '-')[:16]}…)"
    )
    out.print(f"policy: built-in default · model: {info.get('model') or 'none (deterministic rules only)'}")
    console = info.get("console")
    out.print(
        f"console: http://{console['host']}:{console['port']}/ (`dmind-edge local console` prints the sign-in link)"
        if console
        else "console: off"
    )
    table = Table(title="pairings")
    for column in ("device", "name", "paired", "revoked", "last counter"):
        table.add_column(column)
    for p in store.pairings():
        table.add_row(
            p.device_id,
            escape(p.name),
            time.strftime("%Y-%m-%d %H:%M", time.localtime(p.paired_at)),
            "-" if p.revoked_at is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(p.revoked_at)),
            str(p.last_counter),
        )
    out.print(table)
    for request_id, device, verdict, risk, at in store.recent_verdicts():
        out.print(
            f"{time.strftime('%H:%M:%S', time.localtime(at))} {device} {request_id.hex()[:8]} {verdict} ρ={risk:.2f}"
        )


@context_app.command("add")
def context_add(
    kind: str = typer.Argument(..., help="contact | interaction | holding | allow | deny"),
    address: str = typer.Argument(..., help="Address (for holding: the token)."),
    value: str = typer.Argument(
        "", help="contact: label · interaction: send|approve|receive · holding: amount[:limit]"
    ),
    state: Path = State,
) -> None:
    """Add one fact to your private context."""
    _store(state).add_fact(kind, address, value)
    out.print(f"added {kind} {address}")


@context_app.command("remove")
def context_remove(
    kind: str = typer.Argument(..., help="contact | interaction | holding | allow | deny"),
    address: str = typer.Argument(..., help="Address (for holding: the token)."),
    state: Path = State,
) -> None:
    """Forget one fact (for interaction: the whole history with that counterparty)."""
    if not _store(state).remove_fact(kind, address):
        err.print(f"[red]CONTEXT_NOT_FOUND[/red] there is no {kind} {address} to remove")
        raise typer.Exit(2)
    out.print(f"removed {kind} {address}")


@context_app.command("import")
def context_import(
    file: Path = typer.Argument(
        ...,
        help="JSON: {contacts: {addr: label}, interactions: [{counterparty, kind}], "
        "holdings: {token: {amount, limit}}, allow: [], deny: []}",
    ),
    state: Path = State,
) -> None:
    """Import many facts at once; a file of another shape is CONTEXT_INVALID (facts before the fault stay stored)."""
    data = read_json_object(file, "the context file")
    store = _store(state)
    store.import_context(data)
    out.print_json(json.dumps(store.summary()))


def _when(at: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


@context_app.command("list")
def context_list(
    state: Path = State, as_json: bool = typer.Option(False, "--json", help="Everything as one JSON object.")
) -> None:
    """Everything the verifier holds about you: contacts, holdings and limits, lists, interaction history."""
    store = _store(state)
    sections: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]] = {
        "contacts": (("label", "address", "added"), [(label, a, _when(at)) for a, label, at in store.contacts()]),
        "holdings": (
            ("token", "amount (base units)", "exposure limit"),
            [(t, str(amount), "none" if limit is None else str(limit)) for t, amount, limit in store.holdings()],
        ),
        "lists": (("list", "address"), [(which, a) for a, which in store.lists()]),
        "interactions": (
            ("counterparty", "kind", "times", "last"),
            [(a, kind, str(n), _when(last)) for a, kind, n, last in store.interactions()],
        ),
    }
    if as_json:
        print(json.dumps({name: [dict(zip(cols, row)) for row in rows] for name, (cols, rows) in sections.items()}))
        return
    for name, (columns, rows) in sections.items():
        if not rows:
            out.print(f"{name}: none")
            continue
        table = Table(title=name, title_justify="left")
        for column in columns:
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))
        out.print(table)
